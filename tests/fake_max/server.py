"""``FakeMax``: a MAX Bot API server on 127.0.0.1 for end-to-end tests with the real maxapi.

Only MAX is fake.  The bot under test uses maxapi's own ``Bot`` over real HTTP
(``bot.set_api_url``), so serialisation, error mapping, uploads, long polling and webhooks are
exercised as in production; the test plays the people (``start``, ``send_text``, ``press``,
``share_contact``, ``block``) and reads what the bot did (``sent``, ``messages``, ``wait_for``),
and may switch on MAX's rate limit and faults.  The public names mirror ``FakeTelegram`` so one
end-to-end test can run against either fake.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web
from maxapi import Bot

from tests.fake_max import simulate, uploads
from tests.fake_max.calls import Call
from tests.fake_max.errors import (
    INVALID_TOKEN,
    TOO_MANY_REQUESTS,
    ApiError,
    bad_request,
    not_found,
    server_error,
)
from tests.fake_max.faults import Fault
from tests.fake_max.limits import Limits
from tests.fake_max.people import BotIdentity, SimMaxChat, SimMaxUser
from tests.fake_max.records import (
    CallbackAnswer,
    Failure,
    MessageState,
    Request,
    Sent,
    StoredFile,
    Subscription,
    WebhookDelivery,
)
from tests.fake_max.routes import ROUTES, Route, find
from tests.fake_max.state import World
from tests.fake_max.updates import MAX_TIMEOUT
from tests.fake_max.waiting import Match, SentWaiter

MAX_UPLOAD = 64 * 1024 * 1024


class FakeMax:
    """A fake MAX Bot API server; use as ``async with FakeMax() as mx``.

    ``poll_timeout_cap`` shortens every long poll (MAX's own cap is 90 s); ``webhook_attempts``
    and ``webhook_backoff`` set how often and how soon a failed webhook delivery is retried;
    ``strict_html=False`` strips unknown HTML tags as MAX does instead of refusing them.
    """

    def __init__(
        self,
        *,
        bot_id: int = 900001,
        username: str = "journal_max_bot",
        first_name: str = "Журнал (тест)",
        token: str | None = None,
        strict_html: bool = True,
        poll_timeout_cap: float = MAX_TIMEOUT,
        webhook_attempts: int = 5,
        webhook_backoff: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        identity = BotIdentity(id=bot_id, username=username, first_name=first_name)
        self.world = World(
            identity=identity,
            token=token or _opaque_token(f"fake-max:{bot_id}:{username}"),
            clock=clock,
            strict_html=strict_html,
            poll_timeout_cap=poll_timeout_cap,
            webhook_attempts=webhook_attempts,
            webhook_backoff=webhook_backoff,
        )
        self.app = web.Application(client_max_size=MAX_UPLOAD)
        self.app.router.add_post("/upload/{upload_id}", self._upload)
        self.app.router.add_get("/files/{file_id}", self._download)
        self.app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._bots: list[Bot] = []
        self._waiter = SentWaiter(self.world)

    # lifecycle ---------------------------------------------------------------------------------

    async def serve(self) -> None:
        """Listen on a free port of 127.0.0.1 and set ``base_url``."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.world.base_url = f"http://{host}:{port}"

    async def close(self) -> None:
        """Release waiting polls and hung calls, stop webhooks, close the bots made here."""
        self._closing.set()
        self.world.events.close()
        await self.world.webhooks.close()
        await asyncio.gather(*(bot.close_session() for bot in self._bots))
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeMax:
        await self.serve()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
        if exc_type is None and self.world.internal_errors:
            # A bug in the fake must not pass for a MAX error the bot handled.
            raise AssertionError("the fake MAX failed:\n" + "\n".join(self.world.internal_errors))

    @property
    def base_url(self) -> str:
        return self.world.base_url

    @property
    def default_token(self) -> str:
        """The token the fake accepts: opaque, like MAX's (no bot id inside, unlike Telegram's)."""
        return self.world.token

    @property
    def identity(self) -> BotIdentity:
        return self.world.identity

    def bot(self, token: str | None = None, **kwargs: Any) -> Bot:
        """A real maxapi ``Bot`` talking HTTP to this server; closed with the server.

        Unless ``after_input_media_delay`` is given, the bot does not pause after uploads
        (maxapi waits 2 s for MAX to process a file; the fake is ready at once).
        """
        if not self.base_url:
            raise RuntimeError("start the fake first: async with FakeMax() as mx")
        bot = Bot(token=token or self.default_token, **kwargs)
        bot.set_api_url(self.base_url)
        if "after_input_media_delay" not in kwargs:
            bot.after_input_media_delay = 0.0
        self._bots.append(bot)
        return bot

    # people -------------------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Тест",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language: str = "ru",
    ) -> SimMaxUser:
        """Register a person with a dialog with the bot (``chat_id`` differs from ``user_id``)."""
        user = SimMaxUser(user_id, first_name, last_name, username, language)
        self.world.users[user_id] = user
        self.world.strangers.discard(user_id)
        return user

    def group(self, chat_id: int, title: str = "Тестовая группа") -> SimMaxChat:
        """Register a group chat the bot is in (MAX group chat ids are negative)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        group = self.world.groups.get(chat_id) or SimMaxChat(chat_id, title)
        self.world.groups[chat_id] = group
        return group

    async def start(self, user: SimMaxUser, payload: str | None = None) -> int:
        """The user opens the bot, or follows ``https://max.ru/<bot>?start=<payload>``."""
        self.world.blocked.discard(self._known(user).id)
        return await self._settle(simulate.start(self.world, user, payload))

    async def send_text(self, user: SimMaxUser, text: str) -> int:
        """The user writes ``text`` in their dialog with the bot."""
        return await self._settle(simulate.message(self.world, self._known(user), text=text))

    async def send_reply(self, user: SimMaxUser, to: Sent | MessageState | str, text: str) -> int:
        """The user replies to a message of their dialog (a ``Sent``, a state or a mid)."""
        link = simulate.reply_link(self.world, self._known(user), to)
        return await self._settle(simulate.message(self.world, user, text=text, link=link))

    async def share_contact(
        self,
        user: SimMaxUser,
        phone: str,
        *,
        own: bool = True,
        forged: bool = False,
        without_phone: bool = False,
        first_name: str | None = None,
        other: SimMaxUser | None = None,
    ) -> int:
        """The user sends a contact card: their own (``request_contact``) by default.

        ``own=False`` sends someone else's card: ``max_info`` is ``other`` (a MAX user) or None
        (a phone-book entry).  ``forged`` signs it with a wrong ``hash``; ``without_phone`` leaves
        the vCard without a TEL line.
        """
        user = self._known(user)
        owner = user if own else other
        name = first_name or (owner.name if owner else "Контакт")
        attachment = simulate.contact(
            self.world, user, phone, owner=owner, name=name, forged=forged,
            without_phone=without_phone,
        )  # fmt: skip
        return await self._settle(simulate.message(self.world, user, attachments=[attachment]))

    async def send_file(self, user: SimMaxUser, filename: str, data: bytes) -> int:
        """The user sends a file; its URL serves ``data`` and its token can be re-sent."""
        attachment = simulate.user_file(self.world, "file", filename, data)
        return await self._settle(
            simulate.message(self.world, self._known(user), attachments=[attachment])
        )

    async def send_image(self, user: SimMaxUser, data: bytes) -> int:
        """The user sends a photo."""
        attachment = simulate.user_file(self.world, "image", None, data)
        return await self._settle(
            simulate.message(self.world, self._known(user), attachments=[attachment])
        )

    async def press(
        self,
        user: SimMaxUser,
        message: Sent | MessageState | str,
        payload: str,
        *,
        strict: bool = True,
    ) -> int:
        """The user presses the callback button with ``payload`` under a bot's message.

        ``strict`` insists the button is on the message now (a test typo fails here rather than
        as a silent unhandled callback); ``strict=False`` forges stale or foreign payloads, and
        presses on deleted messages arrive with ``message`` null, as MAX sends them.
        """
        user = self._known(user)
        return await self._settle(simulate.press(self.world, user, message, payload, strict=strict))

    async def send_group_text(self, chat_id: int, user: SimMaxUser, text: str) -> int:
        """The user writes in a group chat (registered on first use).

        A user not made with ``mx.user`` has no dialog with the bot: sending to their user id
        fails with 403 ``chat.denied``.
        """
        group = self.world.groups.get(chat_id) or self.group(chat_id)
        if user.id not in self.world.users:
            self.world.strangers.add(user.id)
        return await self._settle(simulate.message(self.world, user, group=group, text=text))

    async def block(self, user: SimMaxUser) -> int:
        """The user stops the bot: ``bot_stopped``, and sends into the dialog get 403."""
        self.world.blocked.add(self._known(user).id)
        return await self._settle(simulate.stop(self.world, user))

    async def unblock(self, user: SimMaxUser) -> int:
        """The user starts the bot again: ``bot_started`` without payload."""
        return await self.start(user)

    def _known(self, user: SimMaxUser) -> SimMaxUser:
        self.world.users.setdefault(user.id, user)
        self.world.strangers.discard(user.id)
        return user

    async def _settle(self, number: int) -> int:
        await asyncio.sleep(0)  # let a waiting GET /updates see the event before the test goes on
        return number

    # records ------------------------------------------------------------------------------------

    @property
    def sent(self) -> list[Sent]:
        return list(self.world.sent)

    @property
    def messages(self) -> dict[str, MessageState]:
        """Current state of every message not deleted, by mid."""
        return dict(self.world.messages)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self.world.callback_answers)

    @property
    def commands(self) -> list[dict[str, Any]]:
        return [dict(command) for command in self.world.commands]

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self.world.webhooks.subscriptions.values())

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        return list(self.world.webhook_deliveries)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Events not yet committed by a polling marker."""
        return self.world.events.pending

    @property
    def uploads(self) -> list[StoredFile]:
        """Files the bot uploaded, in order (``filename``, ``data``, ``kind``, ``token``)."""
        return list(self.world.uploads)

    @property
    def requests(self) -> list[Request]:
        return list(self.world.requests)

    @property
    def failures(self) -> list[Failure]:
        return list(self.world.failures)

    @property
    def unknown_requests(self) -> list[str]:
        return list(self.world.unknown_requests)

    @property
    def too_many_requests(self) -> int:
        return self.world.too_many_requests

    def calls(self, endpoint: str) -> list[Request]:
        """Requests to one endpoint, named "VERB /path" as in ``requests``."""
        return [r for r in self.world.requests if r.endpoint == endpoint]

    async def wait_for(
        self,
        match: Match,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, like pytest's
    ) -> list[Sent]:
        """Wait until ``count`` not-yet-awaited records match; return them in order.

        ``match`` is a predicate over ``Sent``, a chat id or a ``SimMaxUser`` (its dialog).
        Records returned once are not returned again, so a conversation reads as a sequence of
        waits.  On timeout the AssertionError lists everything sent and every refused call.
        """
        return await self._waiter.wait(match, count, timeout)

    async def webhook_idle(self) -> None:
        """Wait until every update queued for a webhook was delivered or given up on."""
        await self.world.webhooks.idle()

    # limits and faults --------------------------------------------------------------------------

    def limits(self, per_second: int | None = 30, per_chat_per_second: int | None = None) -> None:
        """Switch MAX's rate limit on (requests a second, all endpoints); beyond it 429."""
        self.world.limiter.configure(Limits(per_second, per_chat_per_second))

    def no_limits(self) -> None:
        self.world.limiter.configure(Limits())

    def fail_next(self, n: int = 1, status: int = 500, *, endpoint: str | None = None) -> None:
        """The next ``n`` calls (to ``endpoint``; all but ``GET /updates`` if None) fail so."""
        self.world.faults.arm(n, Fault("fail", endpoint, status=status))

    def hang_next(self, n: int = 1, seconds: float = 5.0, *, endpoint: str | None = None) -> None:
        """The next ``n`` calls get no answer for ``seconds``, then are carried out as usual.

        As with a slow MAX, a client that gave up may still see its message delivered.
        """
        self.world.faults.arm(n, Fault("hang", endpoint, seconds=seconds))

    def flood_next(self, n: int = 1, *, endpoint: str | None = None) -> None:
        """The next ``n`` calls answer 429 ``too.many.requests``, whatever the limits."""
        self.world.faults.arm(n, Fault("flood", endpoint))

    def attachment_not_ready_next(self, n: int = 1, *, endpoint: str | None = None) -> None:
        """The next ``n`` messages carrying an uploaded file get 400 ``attachment.not.ready``.

        MAX answers so while it still processes an upload; maxapi retries after a pause.
        """
        self.world.faults.arm(n, Fault("not_ready", endpoint))

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults armed but not yet triggered: a test can check its fault was really hit."""
        return self.world.faults.pending

    # HTTP ---------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        world = self.world
        found = find(ROUTES, request.method, request.path)
        endpoint = found[0].endpoint if found else f"{request.method} {request.path}"
        params = {key: value for key, value in request.query.items()}
        body: Any = None
        try:
            raw = await request.read()
            body, body_error = _json(raw)
            token = request.headers.get("Authorization")
            world.requests.append(Request(endpoint, params, body, token, world.clock()))
            if token != world.token:
                raise INVALID_TOKEN
            if body_error is not None:
                raise body_error
            if found is None:
                world.unknown_requests.append(endpoint)
                if any(route.pattern.fullmatch(request.path) for route in ROUTES):
                    raise ApiError(405, "method.not.allowed", f"{request.method} is not allowed")
                raise not_found(f"Unknown method {request.path}")
            route, variables = found
            result = await self._call(route, Call(endpoint, params, variables, body))
        except ApiError as error:
            if error.status == 429:
                world.too_many_requests += 1
            world.failures.append(
                Failure(
                    endpoint, error.status, error.code, error.message, params, body, world.clock()
                )
            )
            return web.json_response(error.body(), status=error.status)
        except Exception as exc:
            world.internal_errors.append(f"{endpoint}: {traceback.format_exc()}")
            body = {"code": "internal.error", "message": f"Fake MAX bug: {exc!r}"}
            return web.json_response(body, status=500)
        return web.json_response(result)

    async def _call(self, route: Route, call: Call) -> Any:
        faults = self.world.faults
        if hang := faults.take(call.endpoint, "hang"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), hang.seconds)
            if self._closing.is_set():
                raise server_error(502)  # shutting down: nobody is listening any more
        if fail := faults.take(call.endpoint, "fail"):
            raise server_error(fail.status)
        if faults.take(call.endpoint, "flood"):
            raise TOO_MANY_REQUESTS
        self.world.limiter.acquire()
        return await route.handler(self.world, call)

    async def _upload(self, request: web.Request) -> web.Response:
        try:
            return await uploads.receive(self.world, request)
        except Exception:
            self.world.internal_errors.append(f"upload: {traceback.format_exc()}")
            raise

    async def _download(self, request: web.Request) -> web.Response:
        return await uploads.download(self.world, request)


def _json(raw: bytes) -> tuple[Any, ApiError | None]:
    if not raw.strip():
        return None, None
    try:
        return json.loads(raw), None
    except ValueError:
        return None, bad_request("request body: invalid JSON")


def _opaque_token(seed: str) -> str:
    """A token shaped like MAX's: a long opaque URL-safe string."""
    digest = hashlib.sha512(seed.encode()).digest()[:48]
    return base64.urlsafe_b64encode(digest).decode()
