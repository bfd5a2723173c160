"""``FakeTelegram``: a Bot API server on 127.0.0.1 for end-to-end tests with the real aiogram.

Only Telegram is fake.  The bot under test uses aiogram's own ``AiohttpSession`` over real HTTP, so
serialisation, error mapping, timeouts and long polling are exercised as in production; the test
plays the people (``send_text``, ``send_photo``, ``send_reply``, ``press``, ``block``) and reads
what the bot did (``sent``, ``messages``, ``wait_for``), and may switch on Telegram's limits and
faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from tests.fake_telegram import files, simulate
from tests.fake_telegram.bot_methods import METHODS as BOT_METHODS
from tests.fake_telegram.bot_methods import commands_key
from tests.fake_telegram.errors import (
    METHOD_NOT_FOUND,
    ApiError,
    server_error,
    too_many_requests,
)
from tests.fake_telegram.faults import Fault
from tests.fake_telegram.limits import Limits
from tests.fake_telegram.message_methods import METHODS as MESSAGE_METHODS
from tests.fake_telegram.params import read_params
from tests.fake_telegram.people import BotIdentity, Group, SimUser
from tests.fake_telegram.records import (
    CallbackAnswer,
    Failure,
    MessageState,
    Request,
    Sent,
)
from tests.fake_telegram.state import World
from tests.fake_telegram.waiting import Match, SentWaiter

# Telegram treats method names case-insensitively.
_METHODS = {name.lower(): handler for name, handler in (BOT_METHODS | MESSAGE_METHODS).items()}
MAX_UPLOAD = 50 * 1024 * 1024  # the Bot API's limit for files a bot uploads
_SAME_USER = -1  # sentinel: the contact is the sharer's own


class _QuickCloseSession(AiohttpSession):
    """aiogram's session minus the 250 ms pause its ``close`` keeps for TLS connections.

    The fake speaks plain HTTP, and the pause would cost every test a quarter of a second.
    """

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class FakeTelegram:
    """A fake Bot API server; use as ``async with FakeTelegram() as tg``."""

    def __init__(
        self,
        *,
        bot_id: int = 123456,
        username: str = "journal_test_bot",
        first_name: str = "Журнал (тест)",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.identity = BotIdentity(id=bot_id, username=username, first_name=first_name)
        self.world = World(identity=self.identity, clock=clock)
        self.app = web.Application(client_max_size=MAX_UPLOAD)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._bots: list[Bot] = []
        self._waiter = SentWaiter(self.world)
        self.base_url = ""

    # lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1 and set ``base_url``."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def close(self) -> None:
        """Release waiting polls and hung calls, close the bots made here, stop the server."""
        self._closing.set()
        self.world.queue.close()
        await asyncio.gather(*(bot.session.close() for bot in self._bots))
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
        if exc_type is None and self.world.internal_errors:
            # A bug in the fake must not pass for a Telegram error the bot handled.
            raise AssertionError(
                "the fake Telegram failed:\n" + "\n".join(self.world.internal_errors)
            )

    @property
    def default_token(self) -> str:
        """A well-formed token whose numeric part is the bot's id, so ``bot.id`` agrees."""
        return f"{self.identity.id}:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

    def bot(self, token: str | None = None, *, timeout: float = 30.0, **kwargs: Any) -> Bot:
        """A real aiogram ``Bot`` talking HTTP to this server; closed with the server."""
        session = _QuickCloseSession(
            api=TelegramAPIServer.from_base(self.base_url), timeout=timeout
        )
        bot = Bot(token=token or self.default_token, session=session, **kwargs)
        self._bots.append(bot)
        return bot

    # people -------------------------------------------------------------------------------------

    def user(
        self,
        id: int,
        first_name: str = "Тест",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> SimUser:
        """Register a person; the bot may write to their private chat (same id) from now on."""
        user = SimUser(id, first_name, last_name, username, language_code)
        self.world.users[id] = user
        self.world.strangers.discard(id)
        return user

    def group(self, chat_id: int, title: str = "Тестовая группа") -> Group:
        """Register a group the bot is in; ids at or below -10**12 are supergroups."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        group = self.world.groups.get(chat_id) or Group(chat_id, title)
        self.world.groups[chat_id] = group
        return group

    async def send_text(self, user: SimUser, text: str) -> int:
        """The user writes ``text`` in their private chat; a leading command gets its entity."""
        return await self._settle(simulate.send_text(self.world, self._known(user), text))

    async def send_group_text(self, group_chat_id: int, user: SimUser, text: str) -> int:
        """The user writes in a group (registered on first use).

        A user not made with ``tg.user`` has never opened a private chat with the bot, so a
        private message to them fails with Telegram's 403 "bot can't initiate conversation".
        """
        group = self.world.groups.get(group_chat_id) or self.group(group_chat_id)
        if user.id not in self.world.users:
            self.world.strangers.add(user.id)
        return await self._settle(simulate.send_group_text(self.world, group, user, text))

    async def share_contact(
        self,
        user: SimUser,
        phone: str,
        *,
        contact_user_id: int | None = _SAME_USER,
        first_name: str | None = None,
        forwarded_from: SimUser | str | None = None,
    ) -> int:
        """The user sends a contact: their own by default, another's, or none (``None``).

        ``forwarded_from`` (a user, or a hidden user's name) adds the ``forward_origin`` a
        forwarded contact carries, which a bot must not take as proof of the phone number.
        """
        user = self._known(user)
        update_id = simulate.share_contact(
            self.world,
            user,
            phone,
            contact_user_id=user.id if contact_user_id == _SAME_USER else contact_user_id,
            first_name=first_name,
            forwarded_from=forwarded_from,
        )
        return await self._settle(update_id)

    async def send_reply(self, user: SimUser, to: Sent | MessageState | int, text: str) -> int:
        """The user replies to a message of their private chat (``to`` as ``press`` takes it).

        The update's message carries the whole replied-to message in ``reply_to_message``.
        """
        user = self._known(user)
        target = simulate.find_reply_target(self.world, user, to)
        return await self._settle(simulate.send_reply(self.world, user, target, text))

    async def send_photo(
        self,
        user: SimUser,
        *,
        caption: str | None = None,
        size: int = 200_000,
        width: int = 1280,
        height: int = 960,
        reply_to: Sent | MessageState | int | None = None,
    ) -> int:
        """The user sends a photo: ``photo`` lists its sizes, smallest first, the largest last.

        The largest is ``width`` x ``height`` and ``size`` bytes, the smaller ones in proportion
        to their area.  Every size's file_id works for ``getFile``, downloads and the bot's
        ``sendPhoto``.
        """
        user = self._known(user)
        update_id = simulate.send_photo(
            self.world,
            user,
            caption=caption,
            size=size,
            width=width,
            height=height,
            reply_to=self._reply_target(user, reply_to),
        )
        return await self._settle(update_id)

    async def send_document(
        self,
        user: SimUser,
        filename: str,
        *,
        mime_type: str = "application/pdf",
        size: int | None = None,
        caption: str | None = None,
        content: bytes | None = None,
        reply_to: Sent | MessageState | int | None = None,
    ) -> int:
        """The user sends a file: ``content``, or ``size`` bytes of filler (100,000 by default).

        Both at once must agree.  Its file_id works for ``getFile`` (up to Telegram's 20 MB for
        bots), downloads and the bot's ``sendDocument``.
        """
        user = self._known(user)
        update_id = simulate.send_document(
            self.world,
            user,
            filename,
            mime_type=mime_type,
            content=files.document_content(size, content),
            caption=caption,
            reply_to=self._reply_target(user, reply_to),
        )
        return await self._settle(update_id)

    async def send_sticker(
        self,
        user: SimUser,
        *,
        emoji: str | None = "👍",
        reply_to: Sent | MessageState | int | None = None,
    ) -> int:
        """The user sends a static 512x512 sticker (``type`` "regular")."""
        user = self._known(user)
        update_id = simulate.send_sticker(
            self.world, user, emoji=emoji, reply_to=self._reply_target(user, reply_to)
        )
        return await self._settle(update_id)

    async def send_voice(
        self,
        user: SimUser,
        duration: int = 3,
        *,
        size: int | None = None,
        reply_to: Sent | MessageState | int | None = None,
    ) -> int:
        """The user sends a voice note of ``duration`` seconds (OGG/Opus, about 2 kB a second)."""
        user = self._known(user)
        update_id = simulate.send_voice(
            self.world,
            user,
            duration=duration,
            size=size,
            reply_to=self._reply_target(user, reply_to),
        )
        return await self._settle(update_id)

    async def press(
        self,
        user: SimUser,
        message: Sent | MessageState | int,
        data: str,
        *,
        strict: bool = True,
    ) -> int:
        """The user presses the inline button with ``data`` under a message the bot sent.

        ``strict`` insists the button is on the message now (a test typo fails here rather
        than as a silent unhandled callback); ``strict=False`` forges stale or foreign data.
        """
        target = simulate.find_message(self.world, user, message)
        buttons = [d for _, d in target.buttons]
        if strict and data not in buttons:
            raise ValueError(f"no button with data {data!r} on that message; it has {buttons}")
        return await self._settle(simulate.press(self.world, self._known(user), target, data))

    def block(self, user: SimUser) -> int:
        """The user blocks the bot: sends fail with 403 and a ``my_chat_member`` update arrives."""
        self.world.blocked.add(self._known(user).id)
        return simulate.member_change(self.world, user, blocked=True)

    def unblock(self, user: SimUser) -> int:
        self.world.blocked.discard(self._known(user).id)
        return simulate.member_change(self.world, user, blocked=False)

    def _reply_target(
        self, user: SimUser, message: Sent | MessageState | int | None
    ) -> MessageState | None:
        return None if message is None else simulate.find_reply_target(self.world, user, message)

    def _known(self, user: SimUser) -> SimUser:
        self.world.users.setdefault(user.id, user)
        return user

    async def _settle(self, update_id: int) -> int:
        await asyncio.sleep(0)  # let a waiting getUpdates see the update before the test goes on
        return update_id

    # records ------------------------------------------------------------------------------------

    @property
    def sent(self) -> list[Sent]:
        return list(self.world.sent)

    @property
    def messages(self) -> dict[tuple[int, int], MessageState]:
        return dict(self.world.messages)

    @property
    def requests(self) -> list[Request]:
        return list(self.world.requests)

    @property
    def failures(self) -> list[Failure]:
        return list(self.world.failures)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self.world.callback_answers)

    @property
    def unknown_methods(self) -> list[str]:
        return list(self.world.unknown_methods)

    @property
    def too_many_requests(self) -> int:
        return self.world.too_many_requests

    @property
    def webhook(self) -> dict[str, Any]:
        return dict(self.world.webhook)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return self.world.queue.pending

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The command menu set for a scope (default scope if None) and language."""
        return list(self.world.commands.get(commands_key(scope, language_code), []))

    def calls(self, method: str) -> list[Request]:
        """Requests to one method (case-insensitive, as Telegram treats method names)."""
        return [r for r in self.world.requests if r.method.lower() == method.lower()]

    async def wait_for(
        self,
        match: Match,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait, like pytest's
    ) -> list[Sent]:
        """Wait until ``count`` not-yet-awaited sends match; return them in order.

        ``match`` is a predicate over ``Sent``, a chat id or a ``SimUser``.  Records returned
        once are not returned again, so a conversation reads as a sequence of waits.  On
        timeout the AssertionError lists everything sent and every refused call.
        """
        return await self._waiter.wait(match, count, timeout)

    # limits and faults --------------------------------------------------------------------------

    def limits(
        self,
        global_per_second: int | None = 30,
        per_chat_per_second: int | None = 1,
        per_group_per_minute: int | None = 20,
    ) -> None:
        """Switch Telegram's flood limits on (None leaves one off); sends over them get 429."""
        self.world.limiter.configure(
            Limits(global_per_second, per_chat_per_second, per_group_per_minute)
        )

    def no_limits(self) -> None:
        self.world.limiter.configure(Limits())

    def fail_next(self, n: int = 1, status: int = 500, *, method: str | None = None) -> None:
        """The next ``n`` calls (of ``method``; any but getUpdates if None) answer ``status``."""
        self.world.faults.arm(n, Fault("fail", method, status=status))

    def hang_next(self, n: int = 1, seconds: float = 5.0, *, method: str | None = None) -> None:
        """The next ``n`` calls get no answer for ``seconds``, then are carried out as usual.

        As with a slow Telegram, a client that gave up may still see its message delivered.
        """
        self.world.faults.arm(n, Fault("hang", method, seconds=seconds))

    def flood_next(self, n: int = 1, retry_after: int = 3, *, method: str | None = None) -> None:
        """The next ``n`` calls answer 429 with this ``retry_after``, whatever the limits."""
        self.world.faults.arm(n, Fault("flood", method, retry_after=retry_after))

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults armed but not yet triggered: a test can check its fault was really hit."""
        return self.world.faults.pending

    def stub(self, method: str, result: Any) -> None:
        """Answer a method the fake does not implement with ``result`` instead of 404."""
        self.world.stubs[method.lower()] = result

    # HTTP ---------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            params, uploads = await read_params(request)
            self.world.requests.append(
                Request(method, params, request.match_info["token"], self.world.clock())
            )
            result = await self._call(method, params, uploads)
        except ApiError as error:
            if error.status == 429:
                self.world.too_many_requests += 1
            self.world.failures.append(
                Failure(method, error.status, error.description, params, self.world.clock())
            )
            return web.json_response(error.body(), status=error.status)
        except Exception as exc:
            self.world.internal_errors.append(f"{method}: {traceback.format_exc()}")
            body = server_error(500).body() | {"description": f"Fake Telegram bug: {exc!r}"}
            return web.json_response(body, status=500)
        return web.json_response({"ok": True, "result": result})

    async def _call(self, method: str, params: dict[str, Any], uploads: dict[str, Any]) -> Any:
        faults = self.world.faults
        if hang := faults.take(method, "hang"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), hang.seconds)
            if self._closing.is_set():
                raise server_error(502)  # shutting down: nobody is listening any more
        if fail := faults.take(method, "fail"):
            raise server_error(fail.status)
        if flood := faults.take(method, "flood"):
            raise too_many_requests(flood.retry_after)
        if method.lower() in self.world.stubs:
            return self.world.stubs[method.lower()]
        if method.lower() not in _METHODS:
            self.world.unknown_methods.append(method)
            raise METHOD_NOT_FOUND
        return await _METHODS[method.lower()](self.world, params, uploads)

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for file_path, upload in self.world.files.values():
            if file_path == path:
                return web.Response(body=upload.content, content_type=upload.content_type)
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )
