"""The part of a span of dates a reader may read of a pupil: a transfer limits, never refuses.

A class or group scope reaches a pupil for the dates the pupil was in the reader's class or group
(:func:`core.access.facts.student_facts`); a span that crosses a transfer is partly theirs.
:func:`reader_windows` answers which part: the whole span for a scope that ignores the history
(OWN, ASSIGNED, SCHOOL, or a stay that covers the span), else the span cut at the pupil's
movements and group joins and leaves, each piece judged by the same check, the granted pieces
joined. :func:`authorize_span` is :func:`core.access.policy.authorize` for such reads: it audits
exactly the window granted and refuses only when nothing is left.

Cost: the usual two statements when the whole span is granted (or a family reader is refused);
a span partly outside the stay adds one statement for the cut dates and one per piece.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import held_scopes, student_facts
from core.access.permissions import Permission
from core.access.policy import AccessDenied, allowed_among, reader_today
from core.audit import record_read
from core.models import Enrolment, GroupMember
from core.reader import Reader

Window = tuple[date, date]  # inclusive
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Clamp:
    """The windows of ``requested`` a reader may read: ascending, disjoint, never adjacent."""

    requested: Window
    windows: tuple[Window, ...]

    @classmethod
    def whole(cls, start: date, end: date) -> Clamp:
        return cls((start, end), ((start, end),))

    @property
    def empty(self) -> bool:
        return not self.windows

    @property
    def limited(self) -> bool:
        """Less than the span asked for: the answer should say so."""
        return self.windows != (self.requested,)

    @property
    def start(self) -> date:
        """The first day granted (the requested start when nothing is)."""
        return self.windows[0][0] if self.windows else self.requested[0]

    @property
    def end(self) -> date:
        """The last day granted (the requested end when nothing is)."""
        return self.windows[-1][1] if self.windows else self.requested[1]

    def covers(self, day: date) -> bool:
        return any(low <= day <= high for low, high in self.windows)

    def within(self, start: date, end: date) -> Clamp:
        """The same grant seen over ``start..end`` (a week of a term read as a whole)."""
        cut = tuple(
            (max(low, start), min(high, end))
            for low, high in self.windows
            if low <= end and high >= start
        )
        return Clamp((start, end), cut)


async def reader_windows(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_id: int,
    start: date,
    end: date,
    today: date | None = None,
) -> Clamp:
    """The part of ``start..end`` (inclusive) the reader may read of the pupil; not audited."""
    _school, clamp = await _clamp(session, reader, permission, student_id, start, end, today)
    return clamp


async def authorize_span(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_id: int,
    start: date,
    end: date,
    *,
    action: str,
    today: date | None = None,
    details: dict[str, Any] | None = None,
    counted: Window | None = None,
) -> Clamp:
    """Grant the reader their window of ``start..end`` or raise :class:`AccessDenied` when it
    is empty; one audit record either way, naming the window granted (``start``/``end``; the
    span asked for as ``requested`` when less was granted, several windows as ``windows``).

    ``counted`` is a wider span the read also counts from (the term behind a term average): the
    returned clamp is then over ``start..end`` and ``counted`` together, the read is refused
    only when nothing of ``start..end`` is left, and the record names the counted window too
    (``counted_start``/``counted_end``).
    """
    low, high = (min(start, counted[0]), max(end, counted[1])) if counted else (start, end)
    school_id, clamp = await _clamp(session, reader, permission, student_id, low, high, today)
    shown = clamp.within(start, end)
    granted = not shown.empty
    written: dict[str, Any] = {
        **(details or {}),
        "start": shown.start.isoformat(),
        "end": shown.end.isoformat(),
    }
    if granted and shown.limited:
        written["requested"] = [start.isoformat(), end.isoformat()]
    if len(shown.windows) > 1:
        written["windows"] = [[a.isoformat(), b.isoformat()] for a, b in shown.windows]
    if granted and counted is not None:
        behind = clamp.within(*counted)
        if not behind.empty:
            written["counted_start"] = behind.start.isoformat()
            written["counted_end"] = behind.end.isoformat()
    await record_read(
        session,
        reader,
        school_id=school_id,
        student_id=student_id,
        action=action,
        details={**written, "permission": permission.value, "granted": granted},
    )
    if not granted:
        raise AccessDenied(permission, student_id)
    return clamp


async def _clamp(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_id: int,
    start: date,
    end: date,
    today: date | None,
) -> tuple[int | None, Clamp]:
    start, end = min(start, end), max(start, end)
    on = reader_today(reader, today)
    facts = await student_facts(session, reader, (student_id,), on, (start, end))
    found = facts.get(student_id)
    school_id = found.school_id if found else None
    nothing = Clamp((start, end), ())
    if reader.system:
        return school_id, Clamp.whole(start, end)
    if found is None or not (reader.guardian_ids or reader.student_id or reader.staff_id):
        return school_id, nothing
    held = await held_scopes(session, reader, permission, (found.school_id,), on)
    if allowed_among(reader, held, permission, (found,)):
        return school_id, Clamp.whole(start, end)
    if reader.staff_id is None or found.left:
        return school_id, nothing  # only staff scopes follow the history
    cuts = await _cut_dates(session, student_id, start, end)
    if not cuts:
        return school_id, nothing
    # Between two cut dates the pupil's class and groups stay the same: each piece is wholly
    # in or out of the reader's reach, judged by the very check a whole span takes.
    firsts = [start, *cuts]
    pieces = [
        (a, firsts[n + 1] - _DAY if n + 1 < len(firsts) else end) for n, a in enumerate(firsts)
    ]
    windows: list[Window] = []
    for piece in pieces:
        judged = await student_facts(session, reader, (student_id,), on, piece)
        if not allowed_among(reader, held, permission, tuple(judged.values())):
            continue
        if windows and windows[-1][1] + _DAY == piece[0]:
            windows[-1] = (windows[-1][0], piece[1])
        else:
            windows.append(piece)
    return school_id, replace(nothing, windows=tuple(windows))


async def _cut_dates(session: AsyncSession, student_id: int, start: date, end: date) -> list[date]:
    """The days within ``start+1..end`` the pupil's class or groups changed on, ascending."""
    moved = select(Enrolment.happened_on.label("day")).where(
        Enrolment.student_id == student_id,
        Enrolment.happened_on > start,
        Enrolment.happened_on <= end,
    )
    joined = select(GroupMember.joined_on.label("day")).where(
        GroupMember.student_id == student_id,
        GroupMember.joined_on > start,
        GroupMember.joined_on <= end,
    )
    left = select(GroupMember.left_on.label("day")).where(
        GroupMember.student_id == student_id,
        GroupMember.left_on > start,
        GroupMember.left_on <= end,
    )
    days = await session.scalars(select(union(moved, joined, left).subquery().c.day))
    return sorted(set(days))
