"""The lesson's topic, typed by its teacher (the calendar-thematic plan's one tap comes later)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Lesson
from core.reader import Reader
from core.teaching.dto import LessonSlot
from core.teaching.lessons import open_sheet

TOPIC_LIMIT = 500  # a topic is a line of the journal, not an essay


class TopicTooLongError(ValueError):
    pass


async def save_topic(
    session: AsyncSession,
    reader: Reader,
    slot: LessonSlot,
    topic: str,
    *,
    today: date,
    edit_days: int | None = None,
) -> str:
    """Set the lesson's topic (judged and audited like every write); the topic as stored."""
    clean = " ".join(topic.split())
    if not clean or len(clean) > TOPIC_LIMIT:
        raise TopicTooLongError(clean)
    sheet = await open_sheet(
        session, reader, slot, today=today, edit_days=edit_days, action="save_topic"
    )
    await session.execute(update(Lesson).where(Lesson.id == sheet.lesson_id).values(topic=clean))
    return clean
