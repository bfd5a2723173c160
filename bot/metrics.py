"""Prometheus metrics of a bot process, and the ``GET /metrics`` page that shows them.

prometheus-client is the Prometheus project's own library for Python: the exposition format
(and its escaping, histograms, the process' CPU and memory series) from a well-kept standard
rather than our own text. Its idiom is process-wide metrics, like loggers: the objects below are
plain counters made at import, no I/O, and each process (``journal run``, ``journal notifier``)
shows its own; Prometheus sums them.

No label ever holds personal data: update types, outcomes, handler names (code, not people),
messengers. Chat ids, names and texts never reach a metric.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import Clock, SystemClock
from core.notify.lag import outbox_lag

logger = logging.getLogger(__name__)

UPDATES = Counter(
    "journal_updates",
    "Updates the dispatcher took, by messenger, update type and outcome "
    "(handled, unhandled: no handler matched, refused: a middleware stopped it, error).",
    ["messenger", "type", "outcome"],
)
UPDATE_SECONDS = Histogram(
    "journal_update_duration_seconds",
    "Time from an update's arrival at the dispatcher to its answer, by the handler that "
    "answered (none: no handler ran), middlewares and the commit included.",
    ["handler"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PUSH_OUTCOMES = ("sent", "failed", "rate_limited", "blocked", "retried", "skipped")
PUSHES = Counter(
    "journal_pushes",
    "Pushes by outcome: sent, failed (given up), rate_limited (answered 429, sent again later), "
    "blocked (the chat blocked the bot), retried (back to the queue), skipped (nothing to say).",
    ["outcome"],
)
for _outcome in PUSH_OUTCOMES:
    PUSHES.labels(_outcome)  # present (at 0) from the start, so rate() sees the first push
OUTBOX_EVENT_AGE = Gauge(
    "journal_outbox_oldest_event_age_seconds",
    "Age of the oldest outbox event not yet fanned out to deliveries (0: none), at scrape time.",
)
DUE_DELIVERY_AGE = Gauge(
    "journal_outbox_oldest_due_delivery_age_seconds",
    "How long the oldest pending delivery has been due (0: none), at scrape time.",
)
LEADER = Gauge(
    "journal_notifier_leader",
    "1 while this process holds the scheduled jobs' leadership (bot/leader.py), else 0.",
)

LAG_TIMEOUT = 5.0  # seconds a scrape waits for the outbox queries; past that, NaN


def count_push(outcome: str, n: int = 1) -> None:
    """The notifier's outcomes (bot/notifier/service.py), next to its own NotifierStats."""
    if n:
        PUSHES.labels(outcome).inc(n)


def set_leader(leading: bool) -> None:
    LEADER.set(1 if leading else 0)


async def refresh_outbox_lag(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, patience: float = LAG_TIMEOUT
) -> None:
    """Ask the database how far the pushes are behind; NaN when it does not answer in time
    (an alert on the age stays quiet then: the health check speaks for the database)."""
    try:
        async with asyncio.timeout(patience), sessions() as session:
            lag = await outbox_lag(session, clock.now())
    except Exception as exc:
        logger.warning("outbox lag not measured (%s)", type(exc).__name__)
        OUTBOX_EVENT_AGE.set(float("nan"))
        DUE_DELIVERY_AGE.set(float("nan"))
        return
    OUTBOX_EVENT_AGE.set(lag.oldest_event)
    DUE_DELIVERY_AGE.set(lag.oldest_due_delivery)


def metrics_handler(
    engine: AsyncEngine, clock: Clock | None = None
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """``GET /metrics``: the outbox lag measured now, then every series of the process."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    clock = clock or SystemClock()

    async def metrics(_request: web.Request) -> web.StreamResponse:
        await refresh_outbox_lag(sessions, clock)
        body = generate_latest(REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics
