"""`class_since` goes out with the export: the latest enrolment into the student's current class.

A pupil moved 7А → 7Б on TRANSFER exports `class_since` = TRANSFER, the others their
enrolment; importing the export back changes nothing (no new movement, no events).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import create_sessionmaker
from core.exchange import service
from core.models import Enrolment
from tests.access import history_world
from tests.access.history_world import TRANSFER
from tests.access.world import TODAY
from tests.bot import school


async def test_the_export_carries_class_since_and_reimports_as_a_no_op(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = create_sessionmaker(engine)
    await history_world.load(sessions)
    exported = await service.export_rows(sessions)
    since = {row["id"]: (row["class"], row["class_since"]) for row in exported["students"]}
    assert since == {
        "S1": ("C7A", "2026-09-01"),
        "S2": ("C5B", "2026-09-01"),
        "S3": ("C7A", "2026-09-01"),
        "S9": ("C7B", TRANSFER.isoformat()),
    }

    async with sessions() as session:
        steps = await session.scalar(select(func.count()).select_from(Enrolment))
    await service.export_path(sessions, tmp_path / "export", None)
    again = await service.import_path(sessions, tmp_path / "export", now=school.NOW, today=TODAY)
    assert {t: c for t, c in again.counts if c.total_changes} == {}
    assert again.events == 0
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Enrolment)) == steps
    assert (await service.export_rows(sessions))["students"] == exported["students"]
