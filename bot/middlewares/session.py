"""One database session per update; committed when the handler returns, rolled back on error.

An update that wrote nothing (the account middleware's read, a menu, a refusal) is not
committed: closing the session ends its read-only transaction, which saves the commit's round
trip. "Wrote" means any statement through the session that is not a SELECT (UPDATE, INSERT,
DELETE, text SQL: counted as writes), any flush that had work, or objects still pending in the
session - so an audit record, a link or an outbox event is always committed with the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

# Set in ``Session.info`` by the listeners below once the session's transaction wrote.
WROTE = "journal.session.wrote"


def _on_execute(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


def _on_flush(session: Session, _flush: UOWTransaction) -> None:
    session.info[WROTE] = True


def track_writes(session_class: type[Session]) -> None:
    """Make sessions of ``session_class`` note in their ``info`` whether they wrote."""
    if not event.contains(session_class, "do_orm_execute", _on_execute):
        event.listen(session_class, "do_orm_execute", _on_execute)
        event.listen(session_class, "after_flush", _on_flush)


def needs_commit(session: AsyncSession) -> bool:
    """Whether ``session`` holds anything a commit would store."""
    sync = session.sync_session
    return bool(
        sync.info.get(WROTE, True)  # not tracked: commit, as always
        or sync.new
        or sync.deleted
        or sync.dirty
    )


class DatabaseSessionMiddleware(BaseMiddleware):
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        track_writes(sessions.kw.get("sync_session_class", Session))

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self._sessions() as session:
            session.sync_session.info[WROTE] = False
            data["session"] = session
            result = await handler(event, data)
            # Audit records and links written by the handler are stored together, or not at all.
            if needs_commit(session):
                await session.commit()
            return result
