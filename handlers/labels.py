"""Display names of the core's vocabularies, marked for translation.

The core stores stable codes; what a reader sees is chosen here, in the reader's language, at
render time (``_(ROLE_LABELS[role])``), so the catalogue stays the single source of wording.
"""

from __future__ import annotations

from core.models.enums import AttendanceCode, Messenger, Role


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it yet."""
    return message


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: N_("system administrator"),
    Role.HEAD_TEACHER: N_("head teacher"),
    Role.TEACHER: N_("teacher"),
    Role.STUDENT: N_("student"),
    Role.GUARDIAN: N_("parent"),
    Role.SECRETARY: N_("secretary"),
    Role.SOCIAL_PEDAGOGUE: N_("social pedagogue"),
    Role.PSYCHOLOGIST: N_("psychologist"),
}

# The letter a Russian journal prints in the attendance column, and its meaning.
ATTENDANCE_LETTERS: dict[AttendanceCode, str] = {
    AttendanceCode.ABSENT: N_("A"),
    AttendanceCode.ILL: N_("I"),
    AttendanceCode.EXCUSED: N_("E"),
    AttendanceCode.LATE: N_("L"),
}

ATTENDANCE_LABELS: dict[AttendanceCode, str] = {
    AttendanceCode.ABSENT: N_("absent without a reason"),
    AttendanceCode.ILL: N_("ill"),
    AttendanceCode.EXCUSED: N_("absent for a valid reason"),
    AttendanceCode.LATE: N_("late"),
}


# Names of the messengers as their users know them: the same in every language.
_MESSENGER_NAMES = {
    Messenger.TELEGRAM: "Telegram",
    Messenger.MAX: "MAX",
    Messenger.CONSOLE: "Telegram",
}


def messenger_name(messenger: Messenger) -> str:
    """The messenger the user writes from (the console stands in for Telegram)."""
    return _MESSENGER_NAMES[messenger]
