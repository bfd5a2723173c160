"""Who may read whose data: the eight roles, a permission matrix, and the check every read takes.

``permissions`` names what can be read and the regulation's default matrix; ``matrix`` overlays a
school's own choices (``journal roles``); ``policy.authorize`` decides and audits each read.
The rules are documented in ``docs/access.md``.
"""
