"""Leader election over a PostgreSQL advisory lock, on the real server; the SQLite stand-in.

Each PostgreSQL test gets a database of its own: advisory locks are per database, so tests
cannot take each other's lock.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.leader import (
    LEADER_LOCK_KEY,
    AdvisoryLockLeadership,
    Leadership,
    SoleLeadership,
    create_leadership,
)
from tests.notify.own_database import Database, admin_fetch, own_database


@pytest.fixture
async def database(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    async with own_database(request, "leader") as database:
        yield database


@pytest.fixture
async def pair(database: Database) -> AsyncIterator[tuple[AdvisoryLockLeadership, ...]]:
    """Two processes' worth of leadership on one database."""
    first, second = AdvisoryLockLeadership(database.dsn()), AdvisoryLockLeadership(database.dsn())
    yield first, second
    await first.release()
    await second.release()


async def _lock_holders(database: Database) -> list[int]:
    """Backends of ``database`` holding the leader lock (a bigint key shows as two halves)."""
    rows = await admin_fetch(
        database.server,
        "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
        " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1"
        " AND l.classid::bigint = $2 AND l.objid::bigint = $3 AND l.objsubid = 1",
        database.name,
        LEADER_LOCK_KEY >> 32,
        LEADER_LOCK_KEY & 0xFFFFFFFF,
    )
    return [int(row["pid"]) for row in rows]


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that is bound but not listening: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.mark.postgresql
async def test_exactly_one_of_two_processes_leads(
    pair: tuple[AdvisoryLockLeadership, ...], database: Database
) -> None:
    first, second = pair
    assert not first.is_leader
    assert [await first.try_acquire(), await second.try_acquire()] == [True, False]
    assert (first.is_leader, second.is_leader) == (True, False)
    # Asking again changes nothing: the leader stays, the other keeps waiting.
    assert [await first.try_acquire(), await second.try_acquire()] == [True, False]
    assert len(await _lock_holders(database)) == 1


@pytest.mark.postgresql
async def test_after_the_leader_releases_the_other_takes_over(
    pair: tuple[AdvisoryLockLeadership, ...], database: Database
) -> None:
    first, second = pair
    assert await first.try_acquire()
    await first.release()
    assert not first.is_leader
    assert await _lock_holders(database) == []

    assert await second.try_acquire()
    assert second.is_leader
    assert not await first.try_acquire()
    assert not first.is_leader
    await first.release()  # again, as a follower: harmless
    assert second.is_leader


@pytest.mark.postgresql
async def test_a_leader_whose_backend_is_terminated_steps_down(
    pair: tuple[AdvisoryLockLeadership, ...],
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.leader")
    first, second = pair
    assert await first.try_acquire()
    assert not await second.try_acquire()
    [pid] = await _lock_holders(database)
    # The two-argument form waits until the backend has really exited (and freed the lock).
    [row] = await admin_fetch(database.server, "SELECT pg_terminate_backend($1, 5000)", pid)
    assert row[0] is True

    for _ in range(500):  # asyncpg sees the close on a later turn of the loop
        if not first.is_leader:
            break
        await asyncio.sleep(0.01)
    assert not first.is_leader
    assert "leader lost its database connection; no longer leading" in caplog.messages

    assert await second.try_acquire()
    # The old leader reconnects, competes and loses while the other holds the lock.
    assert not await first.try_acquire()
    assert not first.is_leader
    [holder] = await _lock_holders(database)
    assert holder != pid

    # Once the other lets go, the reconnected one can lead again.
    await second.release()
    assert await first.try_acquire()
    assert first.is_leader


@pytest.mark.postgresql
async def test_leadership_on_another_database_does_not_compete(database: Database) -> None:
    other = Database(database.server, f"{database.name}_b")
    await admin_fetch(database.server, f"CREATE DATABASE {other.name}")
    here, there = AdvisoryLockLeadership(database.dsn()), AdvisoryLockLeadership(other.dsn())
    try:
        assert await here.try_acquire()
        assert await there.try_acquire()
    finally:
        await here.release()
        await there.release()
        await admin_fetch(database.server, f"DROP DATABASE {other.name} WITH (FORCE)")


async def test_an_unreachable_database_means_not_leading(refused_port: int) -> None:
    leadership = AdvisoryLockLeadership(
        f"postgresql://journal@127.0.0.1:{refused_port}/journal", timeout=5
    )
    assert await leadership.try_acquire() is False
    assert not leadership.is_leader
    await leadership.release()


async def test_sole_leadership_always_leads() -> None:
    sole = SoleLeadership()
    assert sole.is_leader
    assert await sole.try_acquire()
    await sole.release()
    assert sole.is_leader
    assert await sole.try_acquire()


def test_create_leadership_picks_by_backend(tmp_path: Path) -> None:
    assert isinstance(create_leadership(f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"), SoleLeadership)
    postgres = create_leadership("postgresql+asyncpg://bot:p%40ss@db.example:5433/journal")
    assert isinstance(postgres, AdvisoryLockLeadership)
    assert postgres._dsn == "postgresql://bot:p%40ss@db.example:5433/journal"


@pytest.mark.postgresql
async def test_create_leadership_takes_the_lock_given_the_apps_url(database: Database) -> None:
    leadership: Leadership = create_leadership(database.url())
    try:
        assert await leadership.try_acquire()
        assert len(await _lock_holders(database)) == 1
    finally:
        await leadership.release()
    assert await _lock_holders(database) == []
