"""Which process runs the scheduled jobs.

Several bot processes may run against one PostgreSQL, but an APScheduler job store cannot be
shared between processes: exactly one of them, the leader, may run the jobs. On PostgreSQL the
leader is whoever holds a session-level advisory lock on a connection of its own; the lock
lives exactly as long as that session, so a leader that dies or loses its connection frees it
for the others. With SQLite there is only one process, and it leads.

Callers ask :meth:`Leadership.try_acquire` every few seconds, run the jobs while it says
``True`` and stop them when it (or :attr:`Leadership.is_leader`) says ``False``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import asyncpg

from bot.metrics import set_leader
from bot.postgres import close_quietly, libpq_dsn

logger = logging.getLogger(__name__)

LEADER_LOCK_KEY: int = 0x6A6F75726E616C
"""The advisory lock key: the ASCII bytes of ``journal`` read as a number.

Every version of the bot must use the same key, or two processes lead at once. Advisory
locks are per database, so bots on different databases do not compete.
"""


class Leadership(Protocol):
    async def try_acquire(self) -> bool:
        """Return ``True`` if this process is (still) the leader."""
        ...

    async def release(self) -> None: ...

    @property
    def is_leader(self) -> bool: ...


class SoleLeadership:
    """The only process there is (SQLite, embedded): always the leader."""

    async def try_acquire(self) -> bool:
        set_leader(True)
        return True

    async def release(self) -> None:
        """Nothing to give up: no other process could take over."""
        set_leader(False)

    @property
    def is_leader(self) -> bool:
        return True


class AdvisoryLockLeadership:
    """Lead while holding ``pg_try_advisory_lock(key)`` on a dedicated asyncpg connection.

    ``dsn`` is a libpq/asyncpg DSN (``postgresql://...``), not a SQLAlchemy URL. The connection
    stays open between tries, leader or not. If it is lost, :attr:`is_leader` turns ``False``
    at once and the next :meth:`try_acquire` reconnects and competes again. A database that
    cannot be reached makes :meth:`try_acquire` return ``False``, not raise.
    """

    def __init__(
        self,
        dsn: str,
        *,
        key: int = LEADER_LOCK_KEY,
        application_name: str = "journal-leader",
        timeout: float = 10.0,
    ) -> None:
        self._dsn = dsn
        self._key = key
        self._application_name = application_name
        self._timeout = timeout
        self._connection: Any = None  # asyncpg.Connection while connected
        self._holds = False
        self._guard = asyncio.Lock()  # one try_acquire/release at a time

    @property
    def _leader(self) -> bool:
        return self._holds

    @_leader.setter
    def _leader(self, value: bool) -> None:
        # Every change of hands shows in the journal_notifier_leader gauge (bot/metrics.py).
        self._holds = value
        set_leader(value)

    @property
    def is_leader(self) -> bool:
        # The lock dies with the session, so a closed connection means it is gone.
        connection = self._connection
        return self._leader and connection is not None and not connection.is_closed()

    async def try_acquire(self) -> bool:
        async with self._guard:
            try:
                if self.is_leader:
                    # The lock is held already (a second pg_try_advisory_lock would stack a
                    # second hold); a round trip proves the session, and so the lock, is alive.
                    await self._connection.fetchval("SELECT 1", timeout=self._timeout)
                    return True
                if self._connection is None or self._connection.is_closed():
                    self._leader = False  # whatever was held died with the old session
                    await self._connect()
                acquired = await self._connection.fetchval(
                    "SELECT pg_try_advisory_lock($1)", self._key, timeout=self._timeout
                )
            except Exception as exc:
                # Only the exception's class: its text may quote the host, and a DSN never
                # goes into a log line.
                logger.warning("leader election: database unreachable (%s)", type(exc).__name__)
                await self._drop_connection()
                return False
            if bool(acquired) and not self._leader:
                logger.info("this process now leads and runs the scheduled jobs")
            self._leader = bool(acquired)
            return self._leader

    async def release(self) -> None:
        """Give up leadership (if held) and close the connection; safe to call more than once."""
        async with self._guard:
            connection = self._connection
            if self._leader and connection is not None and not connection.is_closed():
                # Closing the session frees the lock as well; unlocking first means it is free
                # by the time release() returns, not whenever the server reaps the backend.
                try:
                    await connection.fetchval(
                        "SELECT pg_advisory_unlock($1)", self._key, timeout=self._timeout
                    )
                except Exception as exc:
                    logger.debug("leader lock not unlocked (%s); closing", type(exc).__name__)
            self._leader = False
            await self._drop_connection()

    async def _connect(self) -> None:
        connection = await asyncpg.connect(
            self._dsn,
            timeout=self._timeout,
            server_settings={"application_name": self._application_name},
        )
        connection.add_termination_listener(self._on_terminated)
        self._connection = connection

    def _on_terminated(self, connection: Any) -> None:
        # asyncpg calls this for a close of ours as well; only the live connection counts.
        if connection is not self._connection:
            return
        if self._leader:
            logger.warning("leader lost its database connection; no longer leading")
        self._leader = False

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        self._leader = False
        await close_quietly(connection, self._timeout)


def create_leadership(database_url: str) -> Leadership:
    """An :class:`AdvisoryLockLeadership` for a PostgreSQL URL, else a :class:`SoleLeadership`.

    ``database_url`` is the SQLAlchemy URL of the app (``postgresql+asyncpg://...``).
    """
    dsn = libpq_dsn(database_url)
    return SoleLeadership() if dsn is None else AdvisoryLockLeadership(dsn)
