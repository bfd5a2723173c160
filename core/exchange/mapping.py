"""Which model and attribute each exchange column lands in.

Most columns map one-to-one; a REF column maps to the foreign key (`class` → `class_id`). What does
not fit a one-to-one mapping (roles, a guardian's children, a lesson's homework…) is handled by
the importer's per-table rules in `core/exchange/rules.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import (
    AcademicYear,
    Attendance,
    AttestationMark,
    Bell,
    Group,
    GroupMember,
    Guardian,
    Holiday,
    Homework,
    Lesson,
    LessonPlanItem,
    Mark,
    School,
    SchoolClass,
    SchoolEvent,
    Staff,
    Student,
    Subject,
    Term,
    TimetableChange,
    TimetableEntry,
    WorkType,
)
from core.models.base import Base

PERSON = {
    "last_name": "last_name",
    "first_name": "first_name",
    "middle_name": "middle_name",
    "phone": "phone",
    "email": "email",
}


@dataclass(frozen=True, slots=True)
class Mapping:
    model: type[Base]
    fields: dict[str, str]  # column → attribute
    soft_delete: bool = False  # keep the row with deleted_at, so a correction stays traceable
    # Columns whose value lives in other tables (roles, links...), compared as a whole.
    extra: tuple[str, ...] = field(default=())


MAPPINGS: dict[str, Mapping] = {
    "school": Mapping(
        School,
        {
            "name": "name",
            "short_name": "short_name",
            "timezone": "timezone",
            "days_per_week": "days_per_week",
            "threshold_5": "threshold_5",
            "threshold_4": "threshold_4",
            "threshold_3": "threshold_3",
            "edit_days": "edit_days",
            "sou_weight_7_on_not_attested": "sou_weight_7_on_not_attested",
            "n_counts_not_attested": "n_counts_not_attested",
            "n_counts_exempt": "n_counts_exempt",
            "progress_class_average": "progress_class_average",
            "risk_average_fall": "risk_average_fall",
            "risk_absence_percent": "risk_absence_percent",
            "risk_min_marks": "risk_min_marks",
        },
    ),
    "years": Mapping(AcademicYear, {"name": "name", "start": "starts_on", "end": "ends_on"}),
    "terms": Mapping(
        Term,
        {
            "year": "academic_year_id",
            "kind": "kind",
            "number": "number",
            "name": "name",
            "start": "starts_on",
            "end": "ends_on",
        },
    ),
    "holidays": Mapping(
        Holiday,
        {
            "name": "name",
            "start": "starts_on",
            "end": "ends_on",
            "grade_from": "grade_from",
            "grade_to": "grade_to",
        },
    ),
    "bells": Mapping(
        Bell,
        {
            "shift": "shift",
            "period": "period",
            "start": "starts_at",
            "end": "ends_at",
            "grades": "grades",
            "weekdays": "weekdays",
            "valid_from": "valid_from",
            "valid_to": "valid_to",
        },
    ),
    "subjects": Mapping(Subject, {"name": "name", "short_name": "short_name"}),
    "work_types": Mapping(
        WorkType,
        {"name": "name", "short_name": "short_name", "weight": "weight", "control": "is_control"},
    ),
    "staff": Mapping(Staff, {**PERSON, "hired": "hired_on", "left": "left_on"}, extra=("roles",)),
    "classes": Mapping(
        SchoolClass,
        {
            "name": "name",
            "year": "academic_year_id",
            "shift": "shift",
            "class_teacher": "class_teacher_id",
            "term_kind": "term_kind",
            "room": "room",
        },
    ),
    "groups": Mapping(Group, {"class": "class_id", "subject": "subject_id", "name": "name"}),
    "students": Mapping(
        Student,
        {
            **PERSON,
            "birth_date": "birth_date",
            "class": "class_id",
            "enrolled": "enrolled_on",
            "left": "left_on",
        },
    ),
    "group_members": Mapping(
        GroupMember,
        {"group": "group_id", "student": "student_id", "joined": "joined_on", "left": "left_on"},
    ),
    "guardians": Mapping(Guardian, dict(PERSON), extra=("students", "relation")),
    "timetable": Mapping(
        TimetableEntry,
        {
            "class": "class_id",
            "group": "group_id",
            "subject": "subject_id",
            "teacher": "teacher_id",
            "weekday": "weekday",
            "period": "period",
            "room": "room",
            "valid_from": "valid_from",
            "valid_to": "valid_to",
        },
    ),
    "timetable_changes": Mapping(
        TimetableChange,
        {
            "date": "date",
            "period": "period",
            "class": "class_id",
            "group": "group_id",
            "kind": "kind",
            "subject": "subject_id",
            "new_subject": "new_subject_id",
            "absent_teacher": "absent_teacher_id",
            "teacher": "teacher_id",
            "room": "room",
            "moved_to_date": "moved_to_date",
            "moved_to_period": "moved_to_period",
            "reason": "reason",
            "note": "note",
        },
    ),
    # One row per item; class, group, subject and teacher name the item's plan (see rules.py).
    "plan": Mapping(
        LessonPlanItem,
        {
            "number": "position",
            "topic": "topic",
            "hours": "hours",
            "date": "planned_on",
            "homework": "homework",
        },
        extra=("class", "group", "subject", "teacher"),
    ),
    "lessons": Mapping(
        Lesson,
        {
            "date": "date",
            "period": "period",
            "class": "class_id",
            "group": "group_id",
            "subject": "subject_id",
            "teacher": "teacher_id",
            "room": "room",
            "topic": "topic",
        },
        extra=("homework", "homework_due"),
    ),
    "homework": Mapping(
        Homework,
        {
            "class": "class_id",
            "group": "group_id",
            "subject": "subject_id",
            "teacher": "teacher_id",
            "student": "student_id",
            "assigned": "assigned_on",
            "due": "due_on",
            "text": "text",
            "lesson": "lesson_id",
        },
        soft_delete=True,
        extra=("attachments",),
    ),
    "marks": Mapping(
        Mark,
        {
            "student": "student_id",
            "subject": "subject_id",
            "date": "date",
            "value": "value",
            "work_type": "work_type_id",
            "teacher": "teacher_id",
            "lesson": "lesson_id",
            "comment": "comment",
        },
        soft_delete=True,
    ),
    "attendance": Mapping(
        Attendance,
        {
            "student": "student_id",
            "date": "date",
            "period": "period",
            "code": "code",
            "subject": "subject_id",
            "lesson": "lesson_id",
            "minutes_late": "minutes_late",
            "comment": "comment",
        },
        soft_delete=True,
    ),
    "attestation": Mapping(
        AttestationMark,
        {
            "student": "student_id",
            "subject": "subject_id",
            "kind": "kind",
            "term": "term_id",
            "year": "academic_year_id",
            "value": "value",
            "exam_name": "exam_name",
            "exam_score": "exam_score",
        },
        soft_delete=True,
    ),
    "events": Mapping(
        SchoolEvent,
        {
            "title": "title",
            "start": "starts_on",
            "end": "ends_on",
            "time": "starts_at",
            "class": "class_id",
            "audience": "audience",
            "place": "place",
            "description": "description",
        },
    ),
}
