"""Which events are pushed, under which preference, and what reading them needs."""

from __future__ import annotations

from types import MappingProxyType

from core.access.permissions import Permission
from core.models.enums import EventKind
from core.notify.content import ItemKind

# Event kind → the /settings switch that turns its pushes off (core.preferences.KINDS).
PREFERENCE = MappingProxyType(
    {
        EventKind.MARK_ADDED: "marks",
        EventKind.MARK_CHANGED: "marks",
        EventKind.MARK_DELETED: "marks",
        EventKind.ATTESTATION_SET: "marks",
        EventKind.ABSENCE_RECORDED: "absences",
        EventKind.TIMETABLE_CHANGED: "timetable_changes",
        EventKind.HOMEWORK_ADDED: "homework",
        EventKind.EVENING_DIGEST: "evening_digest",
        EventKind.WEEKLY_SUMMARY: "weekly_summary",
        EventKind.RISK_GUARDIAN: "risk_warnings",
    }
)

# Event kind → what the recipient reads about the student (the access policy's permission).
PERMISSION = MappingProxyType(
    {
        EventKind.MARK_ADDED: Permission.MARKS,
        EventKind.MARK_CHANGED: Permission.MARKS,
        EventKind.MARK_DELETED: Permission.MARKS,
        EventKind.ATTESTATION_SET: Permission.ATTESTATION,
        EventKind.ABSENCE_RECORDED: Permission.ATTENDANCE,
        EventKind.TIMETABLE_CHANGED: Permission.TIMETABLE,
        EventKind.HOMEWORK_ADDED: Permission.HOMEWORK,
    }
)

# Journal events the fan-out turns into deliveries; scheduled kinds come with theirs.
FANNED_OUT = tuple(PERMISSION)
MARK_EVENTS = (EventKind.MARK_ADDED, EventKind.MARK_CHANGED, EventKind.MARK_DELETED)

# What showing an item reads about its student (the details of a minimal push are re-checked).
ITEM_PERMISSION = MappingProxyType(
    {
        ItemKind.NEW_MARK: Permission.MARKS,
        ItemKind.CORRECTED_MARK: Permission.MARKS,
        ItemKind.REMOVED_MARK: Permission.MARKS,
        ItemKind.FINAL_MARK: Permission.ATTESTATION,
        ItemKind.ABSENCE: Permission.ATTENDANCE,
        ItemKind.LATE: Permission.ATTENDANCE,
        ItemKind.HOMEWORK: Permission.HOMEWORK,
        ItemKind.CHANGE: Permission.TIMETABLE,
        ItemKind.CHANGE_WITHDRAWN: Permission.TIMETABLE,
    }
)
