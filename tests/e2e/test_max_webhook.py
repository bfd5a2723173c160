"""MAX in webhook mode: ``journal run`` subscribes with the secret, MAX posts updates with it in
``X-Max-Bot-Api-Secret``, the bot answers on the same server as ``/health``; a post without
the secret, or with a wrong one, is refused before any handler."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from tests.bot.helpers import AGREE, invite
from tests.e2e.sides import MaxSide, running
from tests.fake_max import FakeMax

SECRET = "max-webhook-secret_for-tests"  # noqa: S105 - a test value
PATH = "/max/webhook"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_max_webhook_subscribes_checks_the_secret_and_answers(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeMax() as mx:
        side = MaxSide(mx)
        async with running(
            db_url,
            clock,
            side,
            max_webhook_url=base,
            max_webhook_secret=SECRET,
            webhook_host="127.0.0.1",
            webhook_port=port,
        ):
            for _ in range(100):  # the runtime subscribes as it starts
                if mx.subscriptions:
                    break
                await asyncio.sleep(0.1)
            [subscription] = mx.subscriptions
            assert subscription.url == base + PATH
            assert subscription.secret == SECRET
            async with aiohttp.ClientSession() as http:
                bare = {"update_type": "bot_started", "user": {"user_id": 1, "first_name": "X"}}
                refused = await http.post(base + PATH, json=bare)
                assert refused.status == 401
                wrong = await http.post(
                    base + PATH, json=bare, headers={"X-Max-Bot-Api-Secret": "guess"}
                )
                assert wrong.status == 401
                health = await http.get(base + "/health")
                assert (await health.json())["status"] == "ok"
            assert mx.sent == []  # the refused posts reached no handler

            olga = side.person(10, "Ольга")
            await side.open_link(olga, await invite(sessions, "G1"))
            [consent] = await side.hears(olga)
            await side.press(olga, consent, AGREE)
            [linked] = await side.hears(olga)
            assert "Анна Иванова, 7А" in linked.text
            assert all(d.status == 200 for d in mx.webhook_deliveries)
            assert mx.calls("GET /updates") == []  # no polling beside the webhook
