"""Wake the notifier when the outbox gets rows.

On PostgreSQL every transaction that writes outbox rows also runs
``SELECT pg_notify('journal_outbox', '')``; :class:`PostgresWakeup` LISTENs for that on an
asyncpg connection of its own (a pooled connection would be handed back and stop listening).
Elsewhere (SQLite) :class:`PollingWakeup` just sleeps.

A wake-up is only a hint: the notifier looks at the outbox after every ``wait()``, woken or
not. So a notification lost while the listener was reconnecting costs one poll interval at
worst, and ``wait()`` returns ``True`` once after every reconnect to make up for it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import asyncpg

from bot.postgres import close_quietly, libpq_dsn
from core.outbox import CHANNEL  # the NOTIFY channel the outbox writers signal on

logger = logging.getLogger(__name__)

__all__ = ["CHANNEL", "PollingWakeup", "PostgresWakeup", "Wakeup", "create_wakeup"]


class Wakeup(Protocol):
    async def start(self) -> None: ...

    # `timeout` is the poll interval, not a deadline: running out of it is the normal
    # outcome, reported as False, which asyncio.timeout around the call cannot express.
    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109
        """Return ``True`` if woken by a notification, ``False`` after ``timeout`` seconds."""
        ...

    def nudge(self) -> None:
        """Make the current (or next) ``wait`` return ``True`` at once."""

    async def close(self) -> None: ...


async def _wait_and_clear(event: asyncio.Event, seconds: float) -> bool:
    """Wait up to ``seconds`` for ``event`` and consume it.

    Consuming it is what coalesces: any number of signals before (or during) one wait make
    that wait return ``True`` once. Meant for a single waiter.
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    event.clear()
    return True


class PollingWakeup:
    """No signal from other processes (SQLite): ``wait`` sleeps unless this process nudged it."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def start(self) -> None:
        """Nothing to connect to."""

    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109 (see Wakeup.wait)
        return await _wait_and_clear(self._event, timeout)

    def nudge(self) -> None:
        """Make the current (or next) ``wait`` return ``True`` at once."""
        self._event.set()

    async def close(self) -> None:
        """Nothing to release."""


class PostgresWakeup:
    """LISTEN on :data:`CHANNEL` over a dedicated connection that reconnects by itself.

    ``dsn`` is a libpq/asyncpg DSN (``postgresql://...``), not a SQLAlchemy URL. ``start``
    raises if the first connection fails, so a wrong DSN shows at once; later drops (a server
    restart, ``pg_terminate_backend``) are repaired in the background with back-off
    ``min_backoff`` doubling up to ``max_backoff`` seconds. While it is disconnected,
    ``wait`` still returns after its timeout, and the caller polls.
    """

    def __init__(
        self,
        dsn: str,
        *,
        channel: str = CHANNEL,
        application_name: str = "journal-outbox-listener",
        min_backoff: float = 0.5,
        max_backoff: float = 10.0,
        check_interval: float = 30.0,
        connect_timeout: float = 10.0,
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        self._application_name = application_name
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._check_interval = check_interval
        self._connect_timeout = connect_timeout
        self._event = asyncio.Event()  # a notification (or a reconnect) since the last wait
        self._lost = asyncio.Event()  # the current connection was closed under us
        self._connection: Any = None  # asyncpg.Connection while connected
        self._watcher: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> None:
        if self._closed:
            raise RuntimeError("this wakeup is closed")
        if self._watcher is not None:
            return
        await self._connect()
        self._watcher = asyncio.create_task(self._watch(), name="outbox-listener")

    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109 (see Wakeup.wait)
        return await _wait_and_clear(self._event, timeout)

    def nudge(self) -> None:
        """Make the current (or next) ``wait`` return ``True`` at once."""
        self._event.set()

    async def close(self) -> None:
        """Stop reconnecting and close the connection; safe to call more than once."""
        self._closed = True
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            # asyncio.wait, not `await watcher`: the watcher's CancelledError is expected,
            # but a cancellation of close() itself must still propagate.
            await asyncio.wait({watcher})
        await self._drop_connection()

    async def _connect(self) -> None:
        connection = await asyncpg.connect(
            self._dsn,
            timeout=self._connect_timeout,
            server_settings={"application_name": self._application_name},
        )
        try:
            # Before LISTEN, so that a drop in between is noticed too.
            connection.add_termination_listener(self._on_terminated)
            await connection.add_listener(self._channel, self._on_notification)
        except BaseException:
            connection.terminate()
            raise
        self._lost.clear()
        self._connection = connection

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, _payload: str) -> None:
        self._event.set()

    def _on_terminated(self, connection: Any) -> None:
        # asyncpg calls this for a close of ours as well; only the live connection counts.
        if connection is self._connection:
            self._lost.set()

    async def _watch(self) -> None:
        """Keep the listener connected for as long as this wakeup is open."""
        while True:
            await self._until_lost()
            logger.warning("outbox listener lost its connection; reconnecting")
            await self._drop_connection()
            await self._reconnect()
            logger.info("outbox listener reconnected")
            # Notifications sent while we were deaf are gone: have the notifier look once.
            self._event.set()

    async def _until_lost(self) -> None:
        while True:
            connection = self._connection
            if connection is None or connection.is_closed():
                return
            if await _wait_and_clear(self._lost, self._check_interval):
                return
            # Quiet for a while: a half-open TCP connection (a dead host, a NAT that forgot
            # us) closes nothing, so ask the server whether it is still there.
            try:
                await connection.fetchval("SELECT 1", timeout=self._connect_timeout)
            except Exception:
                return

    async def _reconnect(self) -> None:
        delay = self._min_backoff
        while True:
            try:
                await self._connect()
            # Any failure is worth retrying here: the server restarting or refusing, the
            # database missing for a while. (The DSN itself was proved good by start().)
            except Exception as exc:
                # Only the exception's class: its text may quote the host, and a DSN never goes
                # into a log line.
                logger.debug(
                    "outbox listener could not reconnect (%s); retrying in %.1f s",
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff)
            else:
                return

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        await close_quietly(connection, self._connect_timeout)


def create_wakeup(database_url: str) -> Wakeup:
    """A :class:`PostgresWakeup` for a PostgreSQL URL, else a :class:`PollingWakeup`.

    ``database_url`` is the SQLAlchemy URL of the app (``postgresql+asyncpg://...``); any
    PostgreSQL driver name is accepted, since the writers NOTIFY whatever driver they use.
    """
    dsn = libpq_dsn(database_url)
    return PollingWakeup() if dsn is None else PostgresWakeup(dsn)
