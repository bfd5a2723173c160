"""Who is reading: the actor every read is checked and audited under."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Reader:
    """The person (or process) a service reads for.

    ``label`` names the channel ("telegram", "console", "cli", "scheduler", "notifier").
    A chat user is identified by their account and the people it is verifiably linked to,
    as loaded from the database for this very update (never from anything the client sent):
    ``guardian_ids`` (a parent may be linked as several guardian records, one per school),
    ``student_id``, ``staff_id``. ``today`` is the school-local date the read happens on:
    access is judged on it (a family loses a child who left on or before ``today``).

    ``system`` readers are the operator's own tools (CLI, import, scheduler, notifier): they are
    trusted by the access policy and still audited.
    """

    label: str
    account_id: int | None = None
    staff_id: int | None = None
    guardian_ids: tuple[int, ...] = ()
    student_id: int | None = None
    today: date | None = None
    system: bool = False

    @classmethod
    def operator(cls, label: str) -> Reader:
        """A trusted tool of the school's operator, e.g. ``Reader.operator("cli")``."""
        return cls(label=label, system=True)
