"""Cell text ⇄ typed values, for every column kind of the exchange format.

`parse` accepts what schools write (28.11.2026, 8 (912) 345-67-89, 7A with a Latin A, "зачтено");
`format_cell` writes the one canonical form, so an export re-imports to identical values.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from core.exchange.spec import Kind
from core.i18n import N_
from core.models.enums import (
    STAFF_ROLES,
    AttendanceCode,
    AttestationKind,
    ChangeKind,
    EventAudience,
    GuardianRelation,
    Role,
    TermKind,
)
from core.models.school import number_ranges


class BadValue(ValueError):  # noqa: N818 - a value, not an error condition of the program
    """``message`` is an N_-marked template; ``params`` fill it."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = {key: str(value) for key, value in params.items()}


def _words(*pairs: tuple[Any, tuple[str, ...]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for value, words in pairs:
        for word in (str(value), *words):
            table[_key(word)] = value
    return table


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold().replace("ё", "е"))


# Latin letters that look like Cyrillic ones in class names and attendance codes.
_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
_CLASS_RE = re.compile(r"^(\d{1,2})([А-ЯЁ]{1,2})$")

TERM_KINDS = _words(
    (TermKind.QUARTER, ("четверть", "четверти")),
    (TermKind.HALF, ("полугодие", "полугодия")),
    (TermKind.TRIMESTER, ("триместр", "триместры")),
)
ATTESTATION_KINDS = _words(
    (AttestationKind.TERM, ("четвертная", "четверть", "полугодовая", "полугодие", "триместр")),
    (AttestationKind.YEAR, ("годовая", "год")),
    (AttestationKind.EXAM, ("экзамен", "экзаменационная", "огэ", "егэ")),
    (AttestationKind.FINAL, ("итоговая", "итог")),
)
CHANGE_KINDS = _words(
    (ChangeKind.SUBSTITUTION, ("замена", "замена учителя")),
    (ChangeKind.CANCELLATION, ("отмена", "снят", "урок отменен")),
    (ChangeKind.ROOM_CHANGE, ("смена кабинета", "замена кабинета", "кабинет")),
    (ChangeKind.MOVED, ("перенос", "перенесен")),
    (ChangeKind.EXTRA, ("дополнительный", "дополнительный урок", "доп урок")),
)
RELATIONS = _words(
    (GuardianRelation.MOTHER, ("мать", "мама")),
    (GuardianRelation.FATHER, ("отец", "папа")),
    (GuardianRelation.GUARDIAN, ("опекун", "законный представитель")),
    (GuardianRelation.OTHER, ("другое", "бабушка", "дедушка")),
)
AUDIENCES = _words(
    (EventAudience.SCHOOL, ("школа", "все", "общешкольное")),
    (EventAudience.CLASS, ("класс", "классное")),
    (EventAudience.STAFF, ("сотрудники", "учителя", "педагоги")),
)
ROLES = _words(
    (Role.ADMIN, ("администратор", "администратор системы", "администрация")),
    (Role.HEAD_TEACHER, ("завуч", "заместитель директора", "зам директора по увр")),
    (Role.TEACHER, ("учитель", "педагог", "классный руководитель")),
    (Role.SECRETARY, ("секретарь",)),
    (Role.SOCIAL_PEDAGOGUE, ("социальный педагог", "соцпедагог")),
    (Role.PSYCHOLOGIST, ("психолог", "педагог-психолог")),
)
ATTENDANCE = _words(
    (AttendanceCode.ABSENT, ("н",)),
    (AttendanceCode.ILL, ("б",)),
    (AttendanceCode.EXCUSED, ("у", "п")),
    (AttendanceCode.LATE, ("оп",)),
)
ATTENDANCE_LETTERS = {
    AttendanceCode.ABSENT: "Н",
    AttendanceCode.ILL: "Б",
    AttendanceCode.EXCUSED: "У",
    AttendanceCode.LATE: "ОП",
}
WEEKDAYS = _words(
    (1, ("пн", "понедельник", "mon", "monday")),
    (2, ("вт", "вторник", "tue", "tuesday")),
    (3, ("ср", "среда", "wed", "wednesday")),
    (4, ("чт", "четверг", "thu", "thursday")),
    (5, ("пт", "пятница", "fri", "friday")),
    (6, ("сб", "суббота", "sat", "saturday")),
    (7, ("вс", "воскресенье", "sun", "sunday")),
)
WEEKDAY_NAMES = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-"})
# Non-numeric marks: canonical value and what schools write for it.
NON_NUMERIC_MARKS = _words(
    ("зач", ("зачет", "зачтено", "з")),
    ("незач", ("незачет", "не зачтено", "нз")),
    ("н/а", ("на", "н/а", "не аттестован")),
    ("осв", ("освобожден", "осв.")),
)
TRUE_WORDS = {"1", "да", "yes", "y", "true", "истина", "+", "x", "х"}
FALSE_WORDS = {"0", "нет", "no", "n", "false", "ложь", "-"}


def _choice(table: dict[str, Any], text: str, message: str) -> Any:
    """The value ``text`` names in ``table``; ``message`` says what was expected."""
    found = table.get(_key(text))
    if found is None:
        allowed = ", ".join(sorted({str(v) for v in table.values()}))
        raise BadValue(message, value=text, allowed=allowed)
    return found


def parse_date(text: str) -> date:
    text = text.strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})", text)
        if not match:
            raise BadValue(N_("{value!r} is not a date (use 2026-11-28 or 28.11.2026)"), value=text)
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(N_("there is no such date as {value!r}"), value=text) from None


def parse_time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise BadValue(N_("{value!r} is not a time (use 08:30)"), value=text)
    return time(int(match.group(1)), int(match.group(2)))


def parse_phone(text: str) -> str:
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise BadValue(N_("{value!r} is not a phone number"), value=text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_class_name(text: str) -> tuple[int, str]:
    """`7А`, `7 а`, `7-A` (Latin A) → (7, "А"); the grade must be 1–11."""
    compact = re.sub(r"[\s\-\"«»]", "", text).upper().translate(_LOOKALIKES)
    match = _CLASS_RE.fullmatch(compact)
    if not match or not 1 <= int(match.group(1)) <= 11:
        raise BadValue(N_("{value!r} is not a class name like 7А"), value=text)
    return int(match.group(1)), match.group(2)


def class_name(text: str) -> str:
    grade, letter = parse_class_name(text)
    return f"{grade}{letter}"


def parse_mark(text: str) -> tuple[str, int | None]:
    """A mark's canonical text and its numeric value (None for зач, н/а and the like)."""
    stripped = text.strip()
    if re.fullmatch(r"[+-]?\d+(?:[.,]0+)?", stripped):
        value = int(re.sub(r"[.,]0+$", "", stripped))
        if not 1 <= value <= 5:
            raise BadValue(N_("mark {value} is outside the scale 1–5"), value=stripped)
        return str(value), value
    found = NON_NUMERIC_MARKS.get(_key(stripped))
    if found is None:
        raise BadValue(N_("{value!r} is not a mark (1–5, зач, незач, н/а, осв)"), value=stripped)
    return str(found), None


def _set_items(text: str, separators: str) -> list[tuple[str, str]]:
    """`9 - 11, 5` → [("9", "11"), ("5", "5")]: the items of a set, each a value or a range."""
    compact = re.sub(r"\s*-\s*", "-", text.translate(_DASHES).strip())
    items = []
    for item in re.split(separators, compact):
        if item:
            low, dash, high = item.partition("-")
            items.append((low, high if dash else low))
    return items


def parse_grades(text: str) -> str:
    """`5`, `6,8`, `9-11`, `5 и 7` → the stored set (`6,8`, `9-11`: see Bell.grades).

    A `.` separates too: a spreadsheet turns `6,8` typed in a Russian locale into the number 6.8.
    """
    grades: set[int] = set()
    items = _set_items(re.sub(r"\s+и\s+", ",", text, flags=re.IGNORECASE), r"[,;.\s]+")
    for low, high in items:
        if not (low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 11):
            items = []
            break
        grades.update(range(int(low), int(high) + 1))
    if not items:
        raise BadValue(
            N_("{value!r} is not a list of grades 1–11 (use 5, 6,8 or 9-11)"), value=text
        )
    return number_ranges(grades)


def parse_weekdays(text: str) -> str:
    """`пн`, `вт-пт`, `mon, wed`, `1-5` → the stored set (`1`, `2-5`: see Bell.weekdays)."""
    days: set[int] = set()
    items = _set_items(text, r"[,;\s]+")
    for low, high in items:
        first, last = WEEKDAYS.get(_key(low.rstrip("."))), WEEKDAYS.get(_key(high.rstrip(".")))
        if first is None or last is None or first > last:
            items = []
            break
        days.update(range(first, last + 1))
    if not items:
        raise BadValue(N_("{value!r} is not a list of weekdays (use пн, вт-пт or 1-5)"), value=text)
    return number_ranges(days)


def format_weekdays(stored: str) -> str:
    """The stored set of weekdays as schools write it: `2-5` → `вт-пт`."""
    return re.sub(r"\d", lambda day: WEEKDAY_NAMES[int(day.group()) - 1], stored)


def parse_roles(text: str) -> frozenset[Role]:
    roles: set[Role] = set()
    for part in re.split(r"[;,/]", text):
        if part.strip():
            role = _choice(ROLES, part, N_("unknown role {value!r} (expected one of: {allowed})"))
            if role not in STAFF_ROLES:
                raise BadValue(N_("{value!r} is not a staff role"), value=part.strip())
            roles.add(role)
    return frozenset(roles)


def split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[;,\n]", text) if part.strip())


def parse(kind: Kind, text: str) -> Any:
    """The typed value of a non-empty cell; raises BadValue with a translatable message."""
    match kind:
        case Kind.TEXT | Kind.REF:
            return text.strip()
        case Kind.INT:
            if not re.fullmatch(r"[+-]?\d+(?:\.0+)?", text.strip()):
                raise BadValue(N_("{value!r} is not a whole number"), value=text)
            return int(float(text))
        case Kind.DECIMAL:
            try:
                return Decimal(text.strip().replace(",", "."))
            except InvalidOperation:
                raise BadValue(N_("{value!r} is not a number"), value=text) from None
        case Kind.BOOL:
            word = _key(text)
            if word in TRUE_WORDS or word in FALSE_WORDS:
                return word in TRUE_WORDS
            raise BadValue(N_("{value!r} is not yes or no (use 1 or 0)"), value=text)
        case Kind.DATE:
            return parse_date(text)
        case Kind.TIME:
            return parse_time(text)
        case Kind.PHONE:
            return parse_phone(text)
        case Kind.EMAIL:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text.strip()):
                raise BadValue(N_("{value!r} is not an e-mail address"), value=text)
            return text.strip()
        case Kind.WEEKDAY:
            return _choice(WEEKDAYS, text, N_("unknown weekday {value!r} (use 1–7 or пн…вс)"))
        case Kind.WEEKDAYS:
            return parse_weekdays(text)
        case Kind.GRADES:
            return parse_grades(text)
        case Kind.CLASS_NAME:
            return class_name(text)
        case Kind.MARK:
            return parse_mark(text)
        case Kind.ATTENDANCE_CODE:
            for candidate in (text, text.upper().translate(_LOOKALIKES)):
                if _key(candidate) in ATTENDANCE:
                    return ATTENDANCE[_key(candidate)]
            raise BadValue(
                N_("unknown attendance code {value!r} (expected Н, Б, У, П or ОП)"), value=text
            )
        case Kind.TERM_KIND:
            return _choice(
                TERM_KINDS, text, N_("unknown kind of term {value!r} (expected one of: {allowed})")
            )
        case Kind.ATTESTATION_KIND:
            return _choice(
                ATTESTATION_KINDS,
                text,
                N_("unknown kind of attestation {value!r} (expected one of: {allowed})"),
            )
        case Kind.CHANGE_KIND:
            return _choice(
                CHANGE_KINDS,
                text,
                N_("unknown kind of change {value!r} (expected one of: {allowed})"),
            )
        case Kind.RELATION:
            return _choice(
                RELATIONS, text, N_("unknown relation {value!r} (expected one of: {allowed})")
            )
        case Kind.AUDIENCE:
            return _choice(
                AUDIENCES, text, N_("unknown audience {value!r} (expected one of: {allowed})")
            )
        case Kind.ROLES:
            return parse_roles(text)
        case Kind.TIMEZONE:
            try:
                ZoneInfo(text.strip())
            except (ZoneInfoNotFoundError, ValueError):
                raise BadValue(N_("{value!r} is not a time zone"), value=text) from None
            return text.strip()
        case Kind.REFS | Kind.URLS:
            return split_list(text)
    raise AssertionError(kind)


def format_cell(kind: Kind, value: Any) -> str:
    """The canonical text of a value, as `journal export` writes it."""
    if value is None or value == () or value == frozenset():
        return ""
    match kind:
        case Kind.BOOL:
            return "1" if value else ""
        case Kind.DATE:
            return value.isoformat() if isinstance(value, date) else str(value)
        case Kind.TIME:
            return f"{value:%H:%M}"
        case Kind.DECIMAL:
            text = format(Decimal(value).normalize(), "f")
            return text
        case Kind.MARK:
            return str(value[0] if isinstance(value, tuple) else value)
        case Kind.ATTENDANCE_CODE:
            return ATTENDANCE_LETTERS[AttendanceCode(value)]
        case Kind.WEEKDAYS:
            return format_weekdays(value)
        case Kind.ROLES:
            return ";".join(sorted(str(role) for role in value))
        case Kind.REFS | Kind.URLS:
            return ";".join(value)
        case _:
            return str(value.value if hasattr(value, "value") else value)
