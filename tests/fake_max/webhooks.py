"""Webhook subscriptions: MAX POSTs each new update to every subscribed URL.

MAX sends the update object as JSON with the subscription's secret in ``X-Max-Bot-Api-Secret``,
counts anything but HTTP 200 as a failed delivery and retries (in production every 30-60 s for up
to 8 hours).  The fake retries ``attempts`` times with a back-off of ``backoff * n`` seconds so
tests stay fast, and records every attempt.  Each subscription delivers in order, one update at a
time, on a task of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
from collections.abc import Callable
from typing import Any

import aiohttp

from tests.fake_max.records import Subscription, WebhookDelivery

SECRET_HEADER = "X-Max-Bot-Api-Secret"  # noqa: S105 - a header name, not a secret


class WebhookSender:
    def __init__(
        self,
        *,
        clock: Callable[[], float],
        deliveries: list[WebhookDelivery],
        internal_errors: list[str],
        attempts: int = 5,
        backoff: float = 0.2,
        timeout: float = 5.0,
    ) -> None:
        self.clock = clock
        self.deliveries = deliveries
        self.internal_errors = internal_errors
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        self.subscriptions: dict[str, Subscription] = {}
        self._queues: dict[str, asyncio.Queue[tuple[int, dict[str, Any]]]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    @property
    def active(self) -> bool:
        """Whether MAX delivers by webhook now (and ``GET /updates`` returns nothing)."""
        return bool(self.subscriptions)

    def subscribe(self, subscription: Subscription) -> None:
        """Add or replace the subscription for its URL."""
        self.subscriptions[subscription.url] = subscription

    def unsubscribe(self, url: str) -> bool:
        """Drop the subscription; updates already queued for it are not delivered."""
        task = self._tasks.pop(url, None)
        if task is not None:
            task.cancel()
        self._queues.pop(url, None)
        return self.subscriptions.pop(url, None) is not None

    def dispatch(self, number: int, update: dict[str, Any]) -> None:
        """Queue the update for every subscription that wants its type."""
        for url, subscription in self.subscriptions.items():
            if not subscription.wants(str(update.get("update_type"))):
                continue
            if url not in self._queues:
                self._queues[url] = asyncio.Queue()
                self._tasks[url] = asyncio.create_task(self._deliver_all(url))
            self._queues[url].put_nowait((number, update))

    async def idle(self) -> None:
        """Wait until every queued update has been delivered or given up on."""
        for queue in list(self._queues.values()):
            await queue.join()

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _deliver_all(self, url: str) -> None:
        queue = self._queues[url]
        while True:
            number, update = await queue.get()
            try:
                await self._deliver(url, number, update)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.internal_errors.append(f"webhook {url}: {traceback.format_exc()}")
            finally:
                queue.task_done()

    async def _deliver(self, url: str, number: int, update: dict[str, Any]) -> None:
        for attempt in range(1, self.attempts + 1):
            subscription = self.subscriptions.get(url)
            if subscription is None:
                return
            status, error = await self._post(subscription, update)
            self.deliveries.append(
                WebhookDelivery(
                    url=url,
                    event=number,
                    update_type=str(update.get("update_type")),
                    attempt=attempt,
                    status=status,
                    error=error,
                    at=self.clock(),
                    with_secret=subscription.secret is not None,
                    update=update,
                )
            )
            if status == 200:
                return
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff * attempt)

    async def _post(
        self, subscription: Subscription, update: dict[str, Any]
    ) -> tuple[int | None, str | None]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        headers = {SECRET_HEADER: subscription.secret} if subscription.secret else {}
        try:
            async with self._session.post(subscription.url, json=update, headers=headers) as answer:
                await answer.read()
                return answer.status, None
        except (aiohttp.ClientError, TimeoutError) as exc:
            return None, repr(exc)
