"""Several fake bots behind one Bot API address, told apart by the token in the path.

Telegram serves every bot at one address; a process with several bots (a district's shared bot
and schools' own, bot/school_bots.py) has one ``BOT_API_URL``. Each :class:`FakeTelegram` is one
bot's world (its users' chats, its own flood limits, its update queue); the router forwards a
request to the fake whose bot id starts the token, unchanged (long polls and uploads included).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

import aiohttp
from aiohttp import web

from tests.fake_telegram.server import FakeTelegram

_HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection"}


class TokenRouter:
    """``async with TokenRouter(fake_a, fake_b) as router``: bots at ``router.base_url``."""

    def __init__(self, fakes: Iterable[FakeTelegram]) -> None:
        self._fakes = {fake.identity.id: fake for fake in fakes}
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{tail:.+}", self._forward)
        self.app.router.add_get("/file/bot{token}/{tail:.+}", self._forward)
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.base_url = ""

    async def __aenter__(self) -> TokenRouter:
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        bot_id = token.split(":", 1)[0]
        fake = self._fakes.get(int(bot_id)) if bot_id.isdigit() else None
        if fake is None or self._client is None:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            async with self._client.request(
                request.method,
                fake.base_url + request.rel_url.path_qs,
                headers=headers,
                data=await request.read(),
            ) as answer:
                body = await answer.read()
                return web.Response(
                    status=answer.status, body=body, content_type=answer.content_type
                )
        except aiohttp.ClientError:
            # The fake closed under a long poll (the test's end): what a gateway would answer.
            return web.json_response(
                {"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502
            )
