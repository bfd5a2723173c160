"""Every rendered message stays within Telegram's limits, whatever the school's data holds.

Hypothesis builds diaries, timetables and attendance with long names, many marks and HTML
special characters; each message must parse as Telegram HTML, hold at most 4096 characters
after parsing, and carry callback data of at most 64 bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_i18n
from core.linking.dto import ChildRef
from core.models.enums import AttendanceCode, ChangeKind
from core.services.attendance import AttendanceEntry, AttendanceReport, AttendanceTotals
from core.services.diary import Diary, DiaryMark, DiarySubject
from core.services.timetable import DayTimetable
from core.services.timetable_lessons import TimetableLesson
from handlers.views import diary as diary_views
from handlers.views import timetable as timetable_views
from handlers.views.attendance import attendance_view
from handlers.views.limits import fit
from tests.fake_telegram.html_text import parse_html

START = date(2026, 11, 30)
# Names as schools type them, with every character HTML cares about.
names = st.text(
    alphabet=st.sampled_from("АБВабвёЁ <>&\"'/\\;«»-Zz09 \u200b📚"), min_size=1, max_size=128
)
ids = st.integers(min_value=1, max_value=2**31 - 1)


@pytest.fixture(scope="module")
def i18n() -> Iterator[I18n]:
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        yield i18n


def check(text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    plain, _entities = parse_html(text)  # raises on invalid HTML
    assert 0 < len(plain) <= 4096
    if markup is not None:
        for row in markup.inline_keyboard:
            for button in row:
                assert len((button.callback_data or "").encode()) <= 64
                assert len(button.text) <= 64


marks = st.builds(
    DiaryMark,
    id=ids,
    date=st.integers(0, 6).map(lambda n: START + timedelta(days=n)),
    value=st.sampled_from(["5", "4", "3", "2", "1", "н/а", "зач", "осв", "<b>"]),
    numeric_value=st.none() | st.integers(1, 5),
    work_type=st.none() | names,
    weight=st.sampled_from([Decimal(1), Decimal(2), Decimal("1.5")]),
    is_control=st.booleans(),
    comment=st.none() | names,
    teacher=st.none() | names,
)
subjects = st.builds(
    DiarySubject,
    subject_id=ids,
    subject=names,
    marks=st.lists(marks, max_size=40).map(tuple),
    average=st.none() | st.decimals(min_value=1, max_value=5, places=2),
    suggested_mark=st.none() | st.integers(2, 5),
)
diaries = st.builds(
    Diary,
    student_id=ids,
    start=st.just(START),
    end=st.just(START + timedelta(days=6)),
    term=st.none(),
    subjects=st.lists(subjects, max_size=30).map(tuple),
)
children = st.builds(ChildRef, student_id=ids, name=names, class_name=st.none() | names)


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(child=children, diary=diaries)
def test_the_diary_week_and_subject_pages_fit(i18n: I18n, child: ChildRef, diary: Diary) -> None:
    check(*diary_views.week_view(child, diary))
    check(*diary_views.subject_view(child, diary, START))


lessons = st.builds(
    TimetableLesson,
    period=st.integers(0, 12),
    starts_at=st.none() | st.just(time(8, 0)),
    ends_at=st.none() | st.just(time(8, 45)),
    class_id=ids,
    class_name=names,
    subject_id=ids,
    subject=names,
    teacher_id=st.none() | ids,
    teacher=st.none() | names,
    room=st.none() | names,
    group_id=st.none() | ids,
    group=st.none() | names,
    change=st.none() | st.sampled_from(list(ChangeKind)),
    cancelled=st.booleans(),
    original_subject=st.none() | names,
    original_teacher=st.none() | names,
    original_room=st.none() | names,
    moved_to=st.none() | st.just(START),
    moved_to_period=st.none() | st.integers(1, 8),
    moved_from=st.none() | st.just(START),
    moved_from_period=st.none() | st.integers(1, 8),
)
days = st.builds(
    DayTimetable,
    date=st.just(START),
    class_id=st.none() | ids,
    class_name=st.none() | names,
    holiday=st.none() | names,
    lessons=st.lists(lessons, max_size=20).map(tuple),
)


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(child=children, day=days)
def test_a_day_of_the_timetable_fits(i18n: I18n, child: ChildRef, day: DayTimetable) -> None:
    check(timetable_views.day_view(child, day))


entries = st.builds(
    AttendanceEntry,
    date=st.just(START),
    period=st.none() | st.integers(1, 8),
    code=st.sampled_from(list(AttendanceCode)),
    subject=st.none() | names,
    minutes_late=st.none() | st.integers(1, 45),
    # Reasons in letters no other field uses, so finding one in the text means a leak.
    comment=st.none() | st.text(alphabet="qwxy", min_size=8, max_size=40),
)


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(child=children, found=st.lists(entries, max_size=200))
def test_attendance_fits_and_never_shows_the_reason(
    i18n: I18n, child: ChildRef, found: list[AttendanceEntry]
) -> None:
    totals = AttendanceTotals(absent=3, ill=2, excused=1, late=1, days_with_absence=2)
    report = AttendanceReport(1, START, START, tuple(found), totals)
    text = fit(attendance_view(child, report, None).split("\n"))
    check(text)
    for entry in found:
        if entry.comment:
            assert entry.comment not in text


def test_a_long_diary_is_paged_with_buttons(i18n: I18n) -> None:
    from handlers.callbacks import MarksWeek

    mark = DiaryMark(1, START, "5", 5, "Ответ", Decimal(1), False, None, None)
    subject = DiarySubject(1, "Предмет с очень длинным названием " * 3, (mark,) * 40, None, None)
    diary = Diary(7, START, START + timedelta(days=6), None, (subject,) * 30)
    child = ChildRef(7, "Анна Иванова", "7А")
    first, first_keyboard = diary_views.week_view(child, diary)
    check(first, first_keyboard)
    assert "Страница 1 из " in first
    count = int(first.rsplit("Страница 1 из ", 1)[1].split()[0])
    assert count >= 2
    forward = first_keyboard.inline_keyboard[0][-1]
    assert forward.callback_data == MarksWeek(child=7, monday=START.toordinal(), page=1).pack()
    last, last_keyboard = diary_views.week_view(child, diary, page=count - 1)
    check(last, last_keyboard)
    assert f"Страница {count} из {count}" in last
    assert last_keyboard.inline_keyboard[0][0].text == f"◀ Страница {count - 1}"
    # Every subject line is on exactly one page.
    pages = [diary_views.week_view(child, diary, page=n)[0] for n in range(count)]
    assert sum(p.count(" · ср. ") for p in pages) == 30
