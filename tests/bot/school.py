"""A tiny school for the bot's tests, loaded through the real importer.

Ольга Иванова (guardian G1, +79123456789) has two children: Анна (7А) and Борис (5Б).
Павел Петров (G2, +79220000002) is the father of Дмитрий (7А). Мария Смирнова (G3,
+79220000003) is Анна's second guardian.
Student Дмитрий links himself with +79220000012. Teacher Крылова (T1, +79220000021) leads 7А.
Boris leaves the school on LEFT_ON.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service

TODAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 10:00 in Yekaterinburg
LEFT_ON = date(2026, 12, 7)

OLGA_PHONE = "+79123456789"
DMITRY_PHONE = "+79220000012"
TEACHER_PHONE = "+79220000021"


def tables() -> dict[str, list[dict[str, str]]]:
    return {
        "school": [{"id": "SCH", "name": "Гимназия", "timezone": "Asia/Yekaterinburg"}],
        "years": [{"id": "Y", "name": "2026/2027", "start": "2026-09-01", "end": "2027-05-31"}],
        "terms": [
            {
                "id": "Q1",
                "year": "Y",
                "kind": "quarter",
                "number": "1",
                "name": "1 четверть",
                "start": "2026-09-01",
                "end": "2026-10-30",
            },
            {
                "id": "Q2",
                "year": "Y",
                "kind": "quarter",
                "number": "2",
                "name": "2 четверть",
                "start": "2026-11-09",
                "end": "2026-12-27",
            },
        ],
        "subjects": [{"id": "ALG", "name": "Алгебра"}, {"id": "RUS", "name": "Русский язык"}],
        "work_types": [
            {"id": "ANS", "name": "Ответ на уроке", "weight": "1", "control": ""},
            {"id": "CTRL", "name": "Контрольная работа", "weight": "2", "control": "да"},
        ],
        "staff": [
            {
                "id": "T1",
                "last_name": "Крылова",
                "first_name": "Нина",
                "middle_name": "Петровна",
                "phone": TEACHER_PHONE,
                "roles": "teacher",
            },
            {
                "id": "T2",
                "last_name": "Орлов",
                "first_name": "Пётр",
                "middle_name": "Ильич",
                "roles": "teacher",
            },
        ],
        "bells": [
            {"shift": "1", "period": "1", "start": "08:00", "end": "08:45"},
            {"shift": "1", "period": "2", "start": "08:55", "end": "09:40"},
        ],
        # 7А: Monday and Tuesday, algebra then Russian, both with Крылова.
        "timetable": [
            _slot("TT1", "ALG", "1", "1", "201"),
            _slot("TT2", "RUS", "1", "2", "305"),
            _slot("TT3", "ALG", "2", "1", "201"),
            _slot("TT4", "RUS", "2", "2", "305"),
        ],
        # Today Орлов replaces Крылова in Russian; tomorrow's Russian is cancelled.
        "timetable_changes": [
            {
                "id": "CH1",
                "date": "2026-11-30",
                "period": "2",
                "class": "C7A",
                "kind": "substitution",
                "subject": "RUS",
                "absent_teacher": "T1",
                "teacher": "T2",
                "reason": "Курсы",
            },
            {
                "id": "CH2",
                "date": "2026-12-01",
                "period": "2",
                "class": "C7A",
                "kind": "cancellation",
                "subject": "RUS",
            },
        ],
        # Анна: absent without a reason from Monday's Russian, ill a whole day (the reason is
        # health data and never shown), late once.
        "attendance": [
            {"id": "A1", "student": "S1", "date": "2026-11-30", "period": "2", "code": "Н"},
            {
                "id": "A2",
                "student": "S1",
                "date": "2026-11-24",
                "code": "Б",
                "comment": "ОРВИ, справка",
            },
            {"id": "A3", "student": "S1", "date": "2026-11-23", "period": "1", "code": "ОП"},
        ],
        "attestation": [
            {
                "id": "AT1",
                "student": "S1",
                "subject": "ALG",
                "kind": "term",
                "term": "Q1",
                "year": "Y",
                "value": "5",
            },
            {
                "id": "AT2",
                "student": "S1",
                "subject": "RUS",
                "kind": "term",
                "term": "Q1",
                "year": "Y",
                "value": "4",
            },
        ],
        "events": [
            {
                "id": "EV1",
                "title": "Родительское собрание",
                "start": "2026-12-03",
                "time": "18:00",
                "audience": "class",
                "class": "C7A",
                "place": "каб. 201",
            },
            {"id": "EV0", "title": "Осенний бал", "start": "2026-10-20", "audience": "school"},
        ],
        "homework": [
            {
                "id": "HW1",
                "class": "C7A",
                "subject": "ALG",
                "teacher": "T1",
                "assigned": "2026-11-30",
                "due": "2026-12-01",
                "text": "№ 245, 247 <все>",
                "attachments": "https://school.example/hw/245.pdf",
            },
            {
                "id": "HW2",
                "class": "C7A",
                "subject": "ALG",
                "teacher": "T1",
                "student": "S1",
                "assigned": "2026-11-30",
                "due": "2026-12-01",
                "text": "Работа над ошибками",
            },
        ],
        "classes": [
            {"id": "C7A", "name": "7А", "year": "Y", "class_teacher": "T1"},
            {"id": "C5B", "name": "5Б", "year": "Y"},
        ],
        "students": [
            _student("S1", "Иванова", "Анна", "C7A"),
            _student("S2", "Иванов", "Борис", "C5B", left=LEFT_ON.isoformat()),
            _student("S3", "Петров", "Дмитрий", "C7A", phone=DMITRY_PHONE),
        ],
        "guardians": [
            _guardian("G1", "Иванова", "Ольга", OLGA_PHONE, "S1;S2", "mother"),
            _guardian("G2", "Петров", "Павел", "+79220000002", "S3", "father"),
            _guardian("G3", "Смирнова", "Мария", "+79220000003", "S1", "guardian"),
        ],
        # Анна's algebra this term: 5 (weight 1), 4 (control, weight 2), 3 (weight 1):
        # average (5 + 8 + 3) / 4 = 4.00, suggested 4. Her week of 30.11 shows the 4 and the 3.
        "marks": [
            _mark("M1", "S1", "ALG", "2026-11-23", "5", "ANS"),
            _mark("M2", "S1", "ALG", "2026-11-30", "4", "CTRL", comment="Ошибка в задаче 3 & 4"),
            _mark("M3", "S1", "ALG", "2026-12-01", "3", "ANS"),
            _mark("M4", "S3", "ALG", "2026-11-30", "2", "ANS"),
        ],
    }


def _slot(key: str, subject: str, weekday: str, period: str, room: str) -> dict[str, str]:
    return {
        "id": key,
        "class": "C7A",
        "subject": subject,
        "teacher": "T1",
        "weekday": weekday,
        "period": period,
        "room": room,
        "valid_from": "2026-09-01",
    }


def _mark(
    key: str, student: str, subject: str, day: str, value: str, work: str, comment: str = ""
) -> dict[str, str]:
    return {
        "id": key,
        "student": student,
        "subject": subject,
        "date": day,
        "value": value,
        "work_type": work,
        "teacher": "T1",
        "comment": comment,
    }


def _student(
    key: str, last: str, first: str, klass: str, *, phone: str = "", left: str = ""
) -> dict[str, str]:
    return {
        "id": key,
        "last_name": last,
        "first_name": first,
        "class": klass,
        "enrolled": "2026-09-01",
        "phone": phone,
        "left": left,
    }


def _guardian(
    key: str, last: str, first: str, phone: str, students: str, relation: str
) -> dict[str, str]:
    return {
        "id": key,
        "last_name": last,
        "first_name": first,
        "phone": phone,
        "students": students,
        "relation": relation,
    }


async def load(sessions: async_sessionmaker[AsyncSession]) -> None:
    await service.import_rows(sessions, tables(), now=NOW, today=TODAY)
