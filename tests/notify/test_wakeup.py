"""Waking the notifier: LISTEN/NOTIFY on the real PostgreSQL server, nudges in-process.

Each PostgreSQL test gets a database of its own: NOTIFY channels are per database, so tests
cannot wake each other's listeners.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.notifier.wakeup import (
    CHANNEL,
    PollingWakeup,
    PostgresWakeup,
    Wakeup,
    create_wakeup,
)
from tests.notify.own_database import Database, admin_fetch, own_database

# Trust auth ignores it; it must still never reach a log line.
PASSWORD = "s3cret-pw"  # noqa: S105 (a test's stand-in, no real secret)
LISTENER = "journal-outbox-listener"  # PostgresWakeup's default application_name


@pytest.fixture
async def database(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    async with own_database(request, "wakeup", PASSWORD) as database:
        yield database


@pytest.fixture
async def listener(database: Database) -> AsyncIterator[PostgresWakeup]:
    # Short back-off so that reconnects happen within a test's patience.
    wakeup = PostgresWakeup(database.dsn(), min_backoff=0.05, max_backoff=0.2)
    await wakeup.start()
    yield wakeup
    await wakeup.close()


async def _notify(database: Database, times: int = 1, channel: str = CHANNEL) -> None:
    """NOTIFY as the outbox writers do, each in a transaction of its own.

    (Identical notifications inside one transaction are folded by PostgreSQL itself; separate
    transactions with distinct payloads are not, so coalescing is left to the listener.)
    """
    connection = await asyncpg.connect(database.server.dsn(database.name))
    try:
        for number in range(times):
            await connection.fetchval("SELECT pg_notify($1, $2)", channel, str(number))
    finally:
        await connection.close()


async def _all_delivered(wakeup: PostgresWakeup) -> None:
    """Return once every NOTIFY committed so far has reached ``wakeup``.

    A round trip on the listener's own connection: the server sends a listening session's
    pending notifications before its reply, and asyncpg runs their callbacks in that order.
    """
    await wakeup._connection.fetchval("SELECT 1")


async def _listener_pids(database: Database) -> list[int]:
    connection = await asyncpg.connect(database.server.dsn())
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
            database.name,
            LISTENER,
        )
    finally:
        await connection.close()
    return [int(row["pid"]) for row in rows]


def _open_listener_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "outbox-listener" and not t.done()]


@pytest.mark.postgresql
async def test_a_notify_from_another_connection_wakes_a_waiting_listener(
    listener: PostgresWakeup, database: Database
) -> None:
    waiting = asyncio.create_task(listener.wait(5))
    await asyncio.sleep(0)  # the wait has begun before the NOTIFY is sent
    await _notify(database)
    assert await waiting is True


@pytest.mark.postgresql
async def test_without_a_notify_wait_times_out(
    listener: PostgresWakeup, database: Database
) -> None:
    assert await listener.wait(0.2) is False
    # Another channel is not ours.
    await _notify(database, channel="some_other_channel")
    await _all_delivered(listener)
    assert await listener.wait(0.2) is False


@pytest.mark.postgresql
async def test_many_notifies_before_a_wait_make_one_wake_up(
    listener: PostgresWakeup, database: Database
) -> None:
    await _notify(database, times=20)
    await _all_delivered(listener)
    assert await listener.wait(5) is True
    assert await listener.wait(0.2) is False


@pytest.mark.postgresql
async def test_nudge_wakes_a_postgres_listener_too(listener: PostgresWakeup) -> None:
    listener.nudge()
    assert await listener.wait(5) is True
    assert await listener.wait(0.1) is False


@pytest.mark.postgresql
async def test_the_listener_reconnects_after_its_backend_is_terminated(
    listener: PostgresWakeup, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.notifier.wakeup")
    [old_pid] = await _listener_pids(database)
    connection = await asyncpg.connect(database.server.dsn())
    try:
        # The two-argument form waits until the backend has really exited.
        assert await connection.fetchval("SELECT pg_terminate_backend($1, 5000)", old_pid)
    finally:
        await connection.close()

    # Back on the air: one wake-up, since notifications may have been missed meanwhile.
    assert await listener.wait(5) is True
    [new_pid] = await _listener_pids(database)
    assert new_pid != old_pid
    assert await listener.wait(0.2) is False

    await _notify(database)
    assert await listener.wait(5) is True

    assert "outbox listener lost its connection; reconnecting" in caplog.messages
    logged = "\n".join(caplog.messages)
    assert PASSWORD not in logged
    assert database.dsn() not in logged


@pytest.mark.postgresql
async def test_while_disconnected_wait_still_times_out_and_reconnects_later(
    listener: PostgresWakeup, database: Database
) -> None:
    # Dropping the database throws the listener out and makes every reconnect fail.
    await admin_fetch(database.server, f"DROP DATABASE {database.name} WITH (FORCE)")
    assert await listener.wait(0.3) is False

    await admin_fetch(database.server, f"CREATE DATABASE {database.name}")
    assert await listener.wait(5) is True  # the reconnect's wake-up
    assert len(await _listener_pids(database)) == 1
    await _notify(database)
    assert await listener.wait(5) is True


@pytest.mark.postgresql
async def test_close_is_idempotent_and_leaves_nothing_running(database: Database) -> None:
    wakeup = PostgresWakeup(database.dsn())
    await wakeup.start()
    assert len(await _listener_pids(database)) == 1
    assert len(_open_listener_tasks()) == 1

    await wakeup.close()
    await wakeup.close()

    assert _open_listener_tasks() == []
    for _ in range(250):  # the server reaps the backend a moment after the socket closes
        if not await _listener_pids(database):
            break
        await asyncio.sleep(0.02)
    assert await _listener_pids(database) == []
    with pytest.raises(RuntimeError):
        await wakeup.start()
    await PostgresWakeup(database.dsn()).close()  # never started


@pytest.mark.postgresql
async def test_close_stops_a_reconnect_in_progress(database: Database) -> None:
    wakeup = PostgresWakeup(database.dsn(), min_backoff=0.05, max_backoff=0.2)
    await wakeup.start()
    await admin_fetch(database.server, f"DROP DATABASE {database.name} WITH (FORCE)")
    assert await wakeup.wait(0.3) is False  # reconnecting, and failing
    assert len(_open_listener_tasks()) == 1

    async with asyncio.timeout(5):
        await wakeup.close()
    assert _open_listener_tasks() == []

    # Nothing comes back once the database does.
    await admin_fetch(database.server, f"CREATE DATABASE {database.name}")
    assert await wakeup.wait(0.5) is False
    assert await _listener_pids(database) == []


@pytest.mark.postgresql
async def test_start_fails_fast_on_a_database_that_does_not_exist(database: Database) -> None:
    wakeup = PostgresWakeup(database.server.dsn("no_such_database"))
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await wakeup.start()
    assert _open_listener_tasks() == []
    await wakeup.close()


def test_create_wakeup_picks_by_backend(tmp_path: Path) -> None:
    assert isinstance(create_wakeup(f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"), PollingWakeup)
    postgres = create_wakeup("postgresql+asyncpg://bot:p%40ss@db.example:5433/journal")
    assert isinstance(postgres, PostgresWakeup)
    # A libpq DSN, with the password kept (and still escaped) for asyncpg.
    assert postgres._dsn == "postgresql://bot:p%40ss@db.example:5433/journal"


@pytest.mark.postgresql
async def test_create_wakeup_listens_given_the_apps_url(database: Database) -> None:
    wakeup: Wakeup = create_wakeup(database.url())
    await wakeup.start()
    try:
        await _notify(database)
        assert await wakeup.wait(5) is True
    finally:
        await wakeup.close()


async def test_polling_wait_sleeps_out_its_timeout() -> None:
    wakeup = PollingWakeup()
    await wakeup.start()
    assert await wakeup.wait(0.05) is False
    await wakeup.close()


async def test_polling_nudge_wakes_the_current_and_the_next_wait() -> None:
    wakeup = PollingWakeup()
    waiting = asyncio.create_task(wakeup.wait(5))
    await asyncio.sleep(0)
    wakeup.nudge()
    assert await waiting is True

    wakeup.nudge()  # before the wait: kept for it
    assert await wakeup.wait(5) is True
    assert await wakeup.wait(0.05) is False


async def test_polling_nudges_coalesce() -> None:
    wakeup = PollingWakeup()
    for _ in range(5):
        wakeup.nudge()
    assert await wakeup.wait(5) is True
    assert await wakeup.wait(0.05) is False
