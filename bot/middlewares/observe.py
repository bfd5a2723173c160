"""Every update counted, timed and logged in one line: its id, type, the handler that answered,
the outcome and the duration (bot/metrics.py, bot/logs.py). Nothing of its content: no chat,
no name, no text.

The outermost of our middlewares (inside aiogram's error middleware, so a handler's exception
passes through here on its way to handlers/errors.py), so the time includes the database
session and its commit. Which handler ran is known only inside the router: a small inner
middleware on every event observer notes it in the update's :class:`Trace`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.types import TelegramObject, Update

from bot import metrics
from bot.logs import update_context

logger = logging.getLogger("bot.updates")

TRACE = "update_trace"  # workflow data key
NO_HANDLER = "none"


@dataclass
class Trace:
    """Filled in by the inner middleware while the update goes through the routers."""

    handler: str | None = None


def handler_name(handler: HandlerObject) -> str:
    callback = handler.callback
    module = getattr(callback, "__module__", None) or "?"
    name = getattr(callback, "__qualname__", None) or type(callback).__name__
    return f"{module}.{name}"


class UpdateObserver(BaseMiddleware):
    def __init__(self, monotonic: Callable[[], float] = time.perf_counter) -> None:
        self._monotonic = monotonic

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        trace = data[TRACE] = Trace()
        started = self._monotonic()
        outcome = "error"
        with update_context(event.update_id):
            try:
                result = await handler(event, data)
                if trace.handler is not None:
                    outcome = "handled"
                elif result is UNHANDLED:
                    outcome = "unhandled"
                else:
                    outcome = "refused"  # the throttle or the private-chat guard said no
                return result
            finally:
                self._observe(event, data, trace, outcome, self._monotonic() - started)

    @staticmethod
    def _observe(
        update: Update, data: dict[str, Any], trace: Trace, outcome: str, seconds: float
    ) -> None:
        messenger = str(data.get("messenger", "") or "telegram")
        kind = update.event_type
        handler = trace.handler or NO_HANDLER
        metrics.UPDATES.labels(messenger, kind, outcome).inc()
        metrics.UPDATE_SECONDS.labels(handler).observe(seconds)
        duration_ms = round(seconds * 1000, 1)
        logger.info(
            "update %s %s: %s in %s ms",
            update.update_id,
            kind,
            f"{outcome} by {handler}" if trace.handler else outcome,
            duration_ms,
            extra={
                "update_id": update.update_id,
                "update_type": kind,
                "handler": handler,
                "outcome": outcome,
                "duration_ms": duration_ms,
                "messenger": messenger,
            },
        )


class HandlerNoter(BaseMiddleware):
    """Inner: runs for the handler whose filters matched; notes its name."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        trace: Trace | None = data.get(TRACE)
        chosen: HandlerObject | None = data.get("handler")
        if trace is not None and chosen is not None:
            trace.handler = handler_name(chosen)
        return await handler(event, data)


def install(dp: Dispatcher) -> None:
    """The outer middleware first on ``dp.update``; the inner one on every event observer
    (an inner middleware of the dispatcher runs for the handlers of all its routers)."""
    dp.update.outer_middleware(UpdateObserver())
    noter = HandlerNoter()
    for name, observer in dp.observers.items():
        # "update" is the dispatcher's own relay into the routers, "error" the error handler.
        if name not in ("update", "error"):
            observer.middleware(noter)
