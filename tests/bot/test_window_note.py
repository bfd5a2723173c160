"""The answer says when a read was limited to the reader's window (a pupil's transfer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from aiogram.utils.i18n import I18n

from bot.app import create_i18n
from core.access.windows import Clamp
from core.linking.dto import ChildRef
from core.services.attendance import AttendanceReport, AttendanceTotals
from core.services.diary import Diary, DiaryMark, DiarySubject
from handlers.views import diary as diary_views
from handlers.views.attendance import attendance_view
from handlers.views.window import window_lines
from tests.fake_telegram.html_text import parse_html

WEEK = (date(2026, 11, 16), date(2026, 11, 22))
TERM = (date(2026, 11, 9), date(2026, 12, 27))
CHILD = ChildRef(9, "Пётр Переводов", "7Б")


@pytest.fixture(params=["ru", "en"])
def i18n(request: pytest.FixtureRequest) -> Iterator[I18n]:
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale(request.param):
        yield i18n


def _diary(limit: Clamp | None) -> Diary:
    mark = DiaryMark(1, date(2026, 11, 19), "2", 2, None, Decimal(1), False, None, None)
    subject = DiarySubject(1, "Алгебра", (mark,), Decimal("2.00"), 2)
    return Diary(9, *WEEK, None, (subject,), limit)


def test_the_new_class_teacher_is_told_from_when(i18n: I18n) -> None:
    text, _keyboard = diary_views.week_view(
        CHILD, _diary(Clamp(TERM, ((date(2026, 11, 18), TERM[1]),)))
    )
    plain, _entities = parse_html(text)  # valid HTML
    expected = {
        "ru": "Только с 18 ноября: с этого дня ученик в вашем классе или группе.",
        "en": "Only from 18 November, since the pupil joined your class or group.",
    }[i18n.current_locale]
    assert expected in plain


def test_the_old_class_teacher_is_told_until_when(i18n: I18n) -> None:
    report = AttendanceReport(
        9, *WEEK, (), AttendanceTotals(0, 0, 0, 0, 0), Clamp(WEEK, ((WEEK[0], date(2026, 11, 17)),))
    )
    plain, _entities = parse_html(attendance_view(CHILD, report, None))
    expected = {"ru": "Только по 17 ноября", "en": "Only up to 17 November"}[i18n.current_locale]
    assert expected in plain


def test_several_windows_are_listed_and_a_whole_read_says_nothing(i18n: I18n) -> None:
    split = Clamp(
        TERM, ((date(2026, 11, 10), date(2026, 11, 12)), (date(2026, 11, 20), date(2026, 11, 25)))
    )
    (line,) = window_lines(split)
    assert "10" in line
    assert "12" in line
    assert "20" in line
    assert "25" in line
    assert window_lines(Clamp.whole(*WEEK)) == []
    assert window_lines(None) == []
    plain, _entities = parse_html(diary_views.week_view(CHILD, _diary(None))[0])
    assert "Только" not in plain
    assert "Only" not in plain
