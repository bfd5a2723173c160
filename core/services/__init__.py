"""Use cases families ask for: diary, attestation, timetable, homework, attendance, debts…

Every service is an async function taking an ``AsyncSession`` first, then plain ids and dates
and the :class:`~core.reader.Reader`, and returns frozen dataclasses (no ORM object
leaves this package). A service that reads a student's data first asks
:func:`core.access.policy.authorize` with the matching permission, before it reads anything:
the check writes one audit record, granted or refused (flushed, never committed: the caller
owns the transaction), and raises ``AccessDenied`` when refused - for a student who does not
exist too, so a refusal tells nothing about which ids exist. A read over a span of dates takes
:func:`core.access.windows.authorize_span` instead and reads only the reader's window of it (a
class teacher after a pupil's transfer); the diary, progress and debts first look up which term
or year the read falls in - dates only, nothing shown before the check. Queries are
set-based: a service runs a fixed number of statements however many subjects, marks or
lessons there are, and assembles the answer in Python.

The services, one module each: ``calendar`` (student movement, school days, terms), ``diary``,
``attestation``, ``timetable`` (student, class, teacher), ``homework``, ``attendance``,
``topics``, ``debts``, ``events``. The rest are their building blocks (loaders, pure rules).
Marks arithmetic lives in :mod:`core.grading`.
"""
