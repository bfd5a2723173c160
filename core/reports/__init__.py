"""School reports (issue 13, item 1): by marks, by pupils and attendance; see docs/reports.md.

Pure core: no messenger (:mod:`core.reports.files` writes them as XLSX and CSV). Every report
reads a whole class at once through :func:`core.access.classes.authorize_class` with
:attr:`Permission.REPORTS` and a fixed number of index-backed statements per class.
"""
