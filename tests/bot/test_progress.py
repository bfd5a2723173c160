"""``/progress`` through the real dispatcher: a chart of the child in focus, and nobody else's."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from aiogram.methods import SendPhoto
from aiogram.types import BufferedInputFile
from matplotlib.image import imread
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_i18n
from core.grading import DEFAULT_THRESHOLDS
from core.linking.dto import ChildRef
from core.services.progress import Progress, SubjectProgress, WeekPoint
from handlers.callbacks import PickChild
from handlers.views.limits import visible_length
from handlers.views.progress import CAPTION_LIMIT, caption
from tests.bot import school
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import AGREE, audit_actions, link, student_id

OLGA, PAVEL, DMITRY = 10, 20, 40


@pytest.fixture
def photos(driver: ChatDriver, monkeypatch: pytest.MonkeyPatch) -> list[SendPhoto]:
    """Every sendPhoto the bot makes, with its bytes (the recording session keeps only text)."""
    sent: list[SendPhoto] = []
    original = driver.session.make_request

    async def recording(bot: Any, method: Any, timeout: int | None = None) -> Any:  # noqa: ASYNC109
        if isinstance(method, SendPhoto):
            sent.append(method)
        return await original(bot, method, timeout)

    monkeypatch.setattr(driver.session, "make_request", recording)
    return sent


def _png(method: SendPhoto) -> bytes:
    assert isinstance(method.photo, BufferedInputFile)
    return method.photo.data


async def test_a_guardian_gets_a_chart_of_the_child_in_focus(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], photos: list[SendPhoto]
) -> None:
    await link(driver, sessions, OLGA, "G1", language="en")
    calls = await driver.send(driver.user(OLGA, "en"), "/progress")
    assert [c.method for c in calls] == ["sendPhoto"]
    [photo] = photos
    png = _png(photo)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert imread(io.BytesIO(png), format="png").shape[1] == 1080
    caption = photo.caption or ""
    assert "Progress: Анна Иванова, 7А" in caption
    assert "2 четверть" in caption
    # Algebra: 5 (weight 1), then 4 (control, weight 2) and 3 → (5 + 8 + 3) / 4 = 4.00.
    assert "Алгебра: 4.00 → 4" in caption
    assert "Дмитрий" not in caption
    assert "read_progress" in await audit_actions(sessions)


async def test_a_child_without_marks_gets_a_text_not_an_empty_chart(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], photos: list[SendPhoto]
) -> None:
    await link(driver, sessions, OLGA, "G1", language="en")
    olga = driver.user(OLGA, "en")
    await driver.press(olga, PickChild(student_id=await student_id(sessions, "S2")).pack())
    answer = texts(await driver.send(olga, "/progress"))
    assert "Борис Иванов" in answer
    assert "No marks this term yet" in answer
    assert photos == []


async def test_another_childs_parent_sees_only_their_own_child(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], photos: list[SendPhoto]
) -> None:
    await link(driver, sessions, PAVEL, "G2", language="en")  # father of Дмитрий only
    pavel = driver.user(PAVEL, "en")
    # Asking to focus on Анна is refused; /progress stays with Дмитрий.
    await driver.press(pavel, PickChild(student_id=await student_id(sessions, "S1")).pack())
    await driver.send(pavel, "/progress")
    [photo] = photos
    caption = photo.caption or ""
    assert "Дмитрий Петров" in caption
    assert "Алгебра: 2.00 → 2" in caption
    assert "Анна" not in caption
    assert "4.00" not in caption


async def test_a_student_sees_their_own_progress(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], photos: list[SendPhoto]
) -> None:
    dmitry = driver.user(DMITRY, "en")
    await driver.contact(dmitry, school.DMITRY_PHONE)
    await driver.press(dmitry, AGREE)
    await driver.send(dmitry, "/progress")
    [photo] = photos
    assert "Дмитрий Петров, 7А" in (photo.caption or "")
    assert _png(photo).startswith(b"\x89PNG")


async def test_an_unlinked_user_is_told_to_link_first(
    driver: ChatDriver, photos: list[SendPhoto]
) -> None:
    answer = texts(await driver.send(driver.user(99, "en"), "/progress"))
    assert "/start" in answer
    assert photos == []


def test_a_long_caption_is_cut_within_telegrams_limit() -> None:
    point = (WeekPoint(date(2026, 11, 9), Decimal("4.25")),)
    subjects = tuple(
        SubjectProgress(n, f"Предмет с очень длинным названием номер {n}", point, (), 4)
        for n in range(60)
    )
    found = Progress(1, None, (date(2026, 11, 9),), DEFAULT_THRESHOLDS, subjects)
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        text = caption(ChildRef(1, "Анна Иванова", "7А"), found)
    assert visible_length(text) <= CAPTION_LIMIT
    assert text.endswith("\n…")
    assert "номер 0: 4.25 → 4" in text
