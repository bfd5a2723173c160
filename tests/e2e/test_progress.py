"""``/progress`` in both messengers: the family asks and gets the chart as a PNG photo.

Telegram gets ``sendPhoto`` with the bytes; MAX gets an uploaded image in a message, the caption
as its text. The tiny school's Monday morning; Ольга (reading English) asks about Анна.
"""

from __future__ import annotations

import io

from matplotlib.image import imread
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from tests.bot import school
from tests.e2e.sides import MaxSide, Side, TelegramSide, running
from tests.notify.families import OLGA, link_account, processed_everything

PNG = b"\x89PNG\r\n\x1a\n"


async def _photo(side: Side, person_id: int) -> tuple[bytes | None, str]:
    """The bytes and the visible caption of the photo the person received."""
    if isinstance(side, TelegramSide):
        [sent] = await side.fake.wait_for(
            lambda s: s.method == "sendPhoto" and s.chat_id == person_id, 1, 15
        )
        return sent.file_bytes, sent.plain_text or ""
    assert isinstance(side, MaxSide)
    [kept] = await side.fake.wait_for(
        lambda s: s.method == "send" and s.user_id == person_id and s.file_bytes is not None,
        1,
        15,
    )
    assert [a["type"] for a in kept.attachments or []] == ["image"]
    return kept.file_bytes, kept.plain_text or ""


async def test_the_family_asks_progress_and_receives_the_chart(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, OLGA, "G1", locale="en", messenger=side.messenger)
    async with running(db_url, clock, side):
        olga = side.person(OLGA, "Ольга")
        await side.say(olga, "/progress")
        png, caption = await _photo(side, OLGA)
        assert png is not None
        assert png.startswith(PNG)
        assert imread(io.BytesIO(png), format="png").shape[1] == 1080
        assert "Progress: Анна Иванова, 7А" in caption
        assert "Алгебра: 4.00 → 4" in caption
        assert side.refused() == []
