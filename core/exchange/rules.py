"""Per-table rules of the import that a one-to-one column mapping cannot say.

Derived attributes (a class's grade from its name), defaults for new rows, the collections that
live in other tables (a staff member's roles, a guardian's children, a lesson's homework, a
homework's attachments), and which family-facing events a change records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.exchange.problems import Problem, problem
from core.exchange.values import parse_class_name
from core.i18n import N_
from core.models import ChangeKind, TermKind

if TYPE_CHECKING:
    from core.exchange.parsing import Row

TERM_NAMES = {
    TermKind.QUARTER: "четверть",
    TermKind.HALF: "полугодие",
    TermKind.TRIMESTER: "триместр",
}


class RuleError(ValueError):
    def __init__(self, column: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.params = {k: str(v) for k, v in params.items()}


def next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def infer_change_kind(values: dict[str, Any]) -> ChangeKind:
    """What a substitution sheet without a kind column means by its row."""
    if values.get("moved_to_date") or values.get("moved_to_period"):
        return ChangeKind.MOVED
    if values.get("teacher"):
        return ChangeKind.SUBSTITUTION
    if values.get("room"):
        return ChangeKind.ROOM_CHANGE
    if values.get("absent_teacher"):
        return ChangeKind.CANCELLATION
    raise RuleError("kind", N_("cannot tell what kind of change this is: fill the kind column"))


def derive(
    table: str,
    attrs: dict[str, Any],
    values: dict[str, Any],
    is_new: bool,
    defaults: dict[str, Any],
) -> None:
    """Fill derived attributes and the defaults a new row needs, in place."""
    if table == "classes" and "name" in attrs:
        attrs["grade"], attrs["letter"] = parse_class_name(attrs["name"])
        if is_new:
            attrs.setdefault("term_kind", None)
            if attrs["term_kind"] is None:
                attrs["term_kind"] = TermKind.QUARTER if attrs["grade"] <= 9 else TermKind.HALF
            if attrs.get("shift") is None:
                attrs["shift"] = 1
    if table in {"classes", "attestation"} and is_new and attrs.get("academic_year_id") is None:
        year = defaults.get("term_year", {}).get(attrs.get("term_id")) or defaults.get("year_id")
        if year is None:
            raise RuleError("year", N_("no academic year: add a years table first"))
        attrs["academic_year_id"] = year
    if table == "terms" and not attrs.get("name") and is_new:
        kind = values.get("kind")
        label = TERM_NAMES.get(kind, "") if isinstance(kind, TermKind) else ""
        attrs["name"] = f"{values.get('number')} {label}".strip()
    if table == "timetable" and is_new and attrs.get("valid_from") is None:
        start = defaults.get("year_start")
        if start is None:
            raise RuleError("valid_from", N_("no academic year: add a years table first"))
        attrs["valid_from"] = start
    if table == "timetable_changes" and attrs.get("kind") is None and (is_new or "kind" in attrs):
        attrs["kind"] = infer_change_kind(values)
    if table == "bells":
        for name in ("grades", "weekdays"):
            if name in attrs and attrs[name] is None:
                attrs[name] = ""  # every grade, every day
    if table == "plan":
        _plan_item(attrs, values, defaults)
    if table in {"marks", "attestation"} and "value" in attrs:
        attrs["value"], attrs["numeric_value"] = attrs["value"]
    if table == "school" and is_new:
        attrs.setdefault("short_name", None)
        if not attrs["short_name"]:
            attrs["short_name"] = attrs.get("name", "")[:64]
    for name in (
        "days_per_week",
        "threshold_5",
        "threshold_4",
        "threshold_3",
        "edit_days",
        *SCHOOL_SETTINGS,
        "timezone",
        "shift",
        "weight",
        "is_control",
        "relation",
    ):
        if attrs.get(name, 0) is None:
            del attrs[name]  # an empty cell keeps the model's default


# The school's report and analytics settings (docs/reports.md): an empty cell keeps the default.
SCHOOL_SETTINGS = (
    "sou_weight_7_on_not_attested",
    "n_counts_not_attested",
    "n_counts_exempt",
    "progress_class_average",
    "risk_average_fall",
    "risk_absence_percent",
    "risk_min_marks",
)

# School settings and what the database accepts (its CHECKs): a cell outside is the file's
# mistake, told with its line and column rather than a constraint error.
_SCHOOL_RANGES: dict[str, tuple[int, int] | tuple[Decimal, Decimal]] = {
    "days_per_week": (5, 6),
    "edit_days": (0, 366),
    "risk_average_fall": (Decimal("0.10"), Decimal("2.00")),
    "risk_absence_percent": (1, 100),
    "risk_min_marks": (1, 10),
}


def check_school_ranges(attrs: dict[str, Any]) -> None:
    for name, (low, high) in _SCHOOL_RANGES.items():
        value = attrs.get(name)
        if value is not None and not low <= value <= high:
            raise RuleError(
                name, N_("{value} is outside {low}–{high}"), value=value, low=low, high=high
            )


def _plan_item(attrs: dict[str, Any], values: dict[str, Any], defaults: dict[str, Any]) -> None:
    """A `plan` row's item: its plan from class, group and subject (see core.exchange.plans)."""
    from core.exchange.plans import plan_of

    if "hours" in attrs and attrs["hours"] is None:
        attrs["hours"] = 1
    attrs["plan_id"] = plan_of(values, defaults)


# What tells two bells rows apart (the natural key with its qualifiers): two rows alike in all
# of it would ring the same period for the same classes on the same days.
BELL_SELECTOR = ("shift", "period", "grades", "weekdays", "valid_from")


def bell_problems(rows: Sequence[Row], existing: dict[str, dict[str, Any]]) -> list[Problem]:
    """What the bells rows of an import would leave wrong, located on their lines.

    Each row is taken with what the journal keeps of its columns the file leaves out: a first
    day after the last, and a row ringing the same shift, period, grades, weekdays and first day
    as another one (of the file, or of the journal under another id).
    """
    found: list[Problem] = []
    touched = {row.key for row in rows}
    # The journal's untouched rows first, then the file's in the order of its lines.
    first: dict[tuple[Any, ...], str] = {
        tuple(old.get(name) for name in BELL_SELECTOR): key
        for key, old in existing.items()
        if key not in touched
    }
    for row in rows:
        if row.deleted:
            continue
        old = existing.get(row.key, {})
        merged = {
            name: row.values.get(name) if name in row.present else old.get(name)
            for name in (*BELL_SELECTOR, "valid_to")
        }
        for name in ("grades", "weekdays"):
            merged[name] = merged[name] or ""
        start, end = merged["valid_from"], merged["valid_to"]
        if start is not None and end is not None and end < start:
            found.append(
                problem(
                    row.source,
                    row.line,
                    "valid_to",
                    N_("the last day {end} is before the first day {start}"),
                    end=end.isoformat(),
                    start=start.isoformat(),
                )
            )
        selector = tuple(merged[name] for name in BELL_SELECTOR)
        if selector in first:
            found.append(
                problem(
                    row.source,
                    row.line,
                    "id",
                    N_("the same shift, period, grades, weekdays and valid_from as {other}"),
                    other=first[selector],
                )
            )
        else:
            first[selector] = f"{row.source}:{row.line}"
    return found
