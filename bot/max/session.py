"""The Bot API calls the handlers and the notifier make, carried out on MAX.

An aiogram ``Bot`` built on :class:`MaxSession` is what a MAX dispatcher and the notifier use:
``send_message`` becomes ``POST /messages?user_id=…`` with ``format: html`` and the keyboard
rendered for MAX, ``edit_message_text`` a ``PUT /messages``, ``answer_callback_query`` a
``POST /answers`` (skipped when there is nothing to say: MAX refuses an empty answer), files go
through ``/uploads``. The HTTP, the token header and the Russian Trusted Root CA are
``maxapi``'s. MAX's errors come back as aiogram's exceptions, so a handler's or the notifier's
error handling is the same for both messengers: 429 is ``TelegramRetryAfter``, a blocked user
``TelegramForbiddenError``, an unknown chat "chat not found".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BufferedInputFile,
    Chat,
    File,
    FSInputFile,
    InlineKeyboardMarkup,
    Message,
    User,
)
from maxapi import Bot as MaxApi
from maxapi.client.default import DefaultConnectionProperties
from maxapi.enums.http_method import HTTPMethod
from maxapi.enums.upload_type import UploadType
from maxapi.exceptions import DownloadFileError
from maxapi.exceptions.max import InvalidToken, MaxApiError, MaxConnection
from maxapi.types.input_media import InputMediaBuffer
from maxapi.utils.message import process_input_media

from bot.max import render
from bot.max.ids import MessageIds, alias_of

if TYPE_CHECKING:
    from aiogram import Bot

logger = logging.getLogger(__name__)

# aiogram's Bot wants a token of Telegram's shape; the MAX token lives in the session's client.
MAX_PLACEHOLDER_TOKEN = "1:max-token-is-kept-by-the-session"  # noqa: S105 - not a secret
RETRY_AFTER_SECONDS = 1  # MAX's 429 names no pause; its limit is counted per second


def max_api(token: str, api_url: str | None) -> MaxApi:
    """maxapi's client without retries of its own: the notifier decides when to send again."""
    api = MaxApi(
        token,
        default_connection=DefaultConnectionProperties(max_retries=0),
        auto_check_subscriptions=False,
    )
    if api_url:
        api.set_api_url(api_url)
    return api


class MaxSession(BaseSession):
    def __init__(self, api: MaxApi, ids: MessageIds | None = None) -> None:
        super().__init__()
        self.client = api
        self.ids = ids or MessageIds()
        self._me: User | None = None

    async def close(self) -> None:
        await self.client.close_session()

    async def me(self) -> User:
        if self._me is None:
            raw = await self._call(GetMe(), HTTPMethod.GET, "/me")
            self._me = User(
                id=int(raw["user_id"]),
                is_bot=True,
                first_name=raw.get("first_name") or raw.get("name") or "MAX",
                username=raw.get("username"),
            )
        return self._me

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        try:
            async with asyncio.timeout(timeout):
                result = await self._carry_out(method)
        except TimeoutError as exc:
            raise TelegramNetworkError(method, "Request timeout error") from exc
        return result  # type: ignore[no-any-return]

    async def _carry_out(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return await self.me()
        if isinstance(method, SendMessage):
            return await self._send(method)
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            return await self._edit(method)
        if isinstance(method, AnswerCallbackQuery):
            if method.text:
                await self._call(
                    method,
                    HTTPMethod.POST,
                    "/answers",
                    params={"callback_id": method.callback_query_id},
                    json={"notification": method.text},
                )
            return True
        if isinstance(method, DeleteMessage):
            mid = self._mid(method, method.message_id)
            await self._call(method, HTTPMethod.DELETE, "/messages", params={"message_id": mid})
            return True
        if isinstance(method, SendDocument | SendPhoto):
            return await self._send_file(method)
        if isinstance(method, SetMyCommands):
            return await self._commands(method)
        if isinstance(method, DeleteWebhook):
            return True  # MAX's subscriptions are managed by bot.max.serve
        if isinstance(method, GetFile):
            return self._file(method)
        raise TelegramBadRequest(method, f"{type(method).__name__} is not available on MAX")

    # -- messages ---------------------------------------------------------------------------

    @staticmethod
    def _recipient(chat_id: int | str) -> dict[str, int]:
        # A private chat's id is the user's (bot.max.updates); groups have negative ids.
        number = int(chat_id)
        return {"chat_id": number} if number < 0 else {"user_id": number}

    def _reply_link(self, method: SendMessage) -> dict[str, str] | None:
        reply_to = method.reply_parameters.message_id if method.reply_parameters else None
        reply_to = reply_to or method.reply_to_message_id
        mid = self.ids.mid(reply_to) if reply_to else None
        return {"type": "reply", "mid": mid} if mid else None

    async def _send(self, method: SendMessage) -> Message:
        parts = render.parts(method.text)
        attachments = render.keyboard(method.reply_markup)
        link = self._reply_link(method)
        mid = ""
        for index, part in enumerate(parts):
            body: dict[str, Any] = {"text": part, **_format(method)}
            if index == len(parts) - 1 and attachments:
                body["attachments"] = attachments
            if index == 0 and link:
                body["link"] = link
            raw = await self._call(
                method,
                HTTPMethod.POST,
                "/messages",
                params=self._recipient(method.chat_id),
                json=body,
            )
            mid = ((raw.get("message") or {}).get("body") or {}).get("mid") or ""
        markup = method.reply_markup
        return self._message(
            mid,
            method.chat_id,
            method.text,
            markup if isinstance(markup, InlineKeyboardMarkup) else None,
        )

    async def _edit(self, method: EditMessageText | EditMessageReplyMarkup) -> bool:
        if method.message_id is None:
            raise TelegramBadRequest(method, "inline messages are not available on MAX")
        mid = self._mid(method, method.message_id)
        body: dict[str, Any] = {"attachments": render.keyboard(method.reply_markup)}
        if isinstance(method, EditMessageText):
            body |= {"text": render.cut(method.text or ""), **_format(method)}
        await self._call(method, HTTPMethod.PUT, "/messages", params={"message_id": mid}, json=body)
        return True

    def _mid(self, method: TelegramMethod[Any], alias: int) -> str:
        mid = self.ids.mid(alias)
        if mid is None:
            raise TelegramBadRequest(method, "Bad Request: message to edit not found")
        return mid

    def _message(
        self, mid: str, chat_id: int | str, text: str | None, markup: InlineKeyboardMarkup | None
    ) -> Message:
        return Message(
            message_id=self.ids.alias(mid) if mid else 0,
            date=datetime.now(UTC),
            chat=Chat(id=int(chat_id), type="private" if int(chat_id) > 0 else "group"),
            from_user=self._me,
            text=text,
            reply_markup=markup,
        )

    async def _send_file(self, method: SendDocument | SendPhoto) -> Message:
        sent = method.document if isinstance(method, SendDocument) else method.photo
        kind = UploadType.FILE if isinstance(method, SendDocument) else UploadType.IMAGE
        if isinstance(sent, FSInputFile):
            # A file the journal keeps (homework): uploaded like one in memory.
            path = Path(sent.path)
            data = await asyncio.to_thread(path.read_bytes)
            sent = BufferedInputFile(data, sent.filename or path.name)
        if isinstance(sent, BufferedInputFile):
            upload = await self._guard(
                method,
                process_input_media(
                    self.client, self.client, InputMediaBuffer(sent.data, sent.filename, type=kind)
                ),
            )
            attachment = {"type": upload.type, "payload": {"token": upload.payload.token}}
        elif isinstance(sent, str) and sent.startswith(("http://", "https://")):
            # Telegram fetches a link itself; MAX takes files by upload only. The handlers then
            # give the link as text.
            raise TelegramBadRequest(method, "Bad Request: MAX does not fetch files by link")
        elif isinstance(sent, str):
            # A file a MAX user sent earlier, kept by its token.
            attachment = {"type": kind.value, "payload": {"token": sent}}
        else:
            raise TelegramBadRequest(method, "only in-memory files and MAX tokens are sent")
        body: dict[str, Any] = {"attachments": [attachment], **_format(method)}
        if method.caption:
            body["text"] = render.cut(method.caption)
        raw = await self._call(
            method, HTTPMethod.POST, "/messages", params=self._recipient(method.chat_id), json=body
        )
        mid = ((raw.get("message") or {}).get("body") or {}).get("mid") or ""
        return self._message(mid, method.chat_id, method.caption, None)

    async def _commands(self, method: SetMyCommands) -> bool:
        # MAX keeps one command list for everybody: the one without a language code.
        if method.language_code:
            return True
        commands = [{"name": c.command, "description": c.description} for c in method.commands]
        await self._call(method, HTTPMethod.PATCH, "/me/commands", json={"commands": commands})
        return True

    # -- the wire ---------------------------------------------------------------------------

    async def raw(self, verb: HTTPMethod, path: str, **kwargs: Any) -> dict[str, Any]:
        """A MAX API call outside the Bot API's methods (updates, subscriptions)."""
        answer = await self.client.request(verb, path, is_return_raw=True, **kwargs)
        return answer if isinstance(answer, dict) else {}

    async def _call(
        self, method: TelegramMethod[Any], verb: HTTPMethod, path: str, **kwargs: Any
    ) -> dict[str, Any]:
        answer: dict[str, Any] = await self._guard(method, self.raw(verb, path, **kwargs))
        return answer

    @staticmethod
    async def _guard(method: TelegramMethod[Any], request: Any) -> Any:
        """Await ``request``, turning MAX's failures into aiogram's exceptions."""
        try:
            return await request
        except MaxApiError as exc:
            raise _as_aiogram(method, exc) from exc
        except InvalidToken as exc:
            raise TelegramUnauthorizedError(method, "Unauthorized: invalid MAX token") from exc
        except MaxConnection as exc:
            raise TelegramNetworkError(method, str(exc)) from exc

    def _file(self, method: GetFile) -> File:
        """A user's file of an update being handled: its path names the token's alias, which
        :meth:`stream_content` turns back into the link MAX gave (aiogram builds a Telegram
        file URL around the path)."""
        if self.ids.file_link(alias_of(method.file_id)) is None:
            raise TelegramBadRequest(method, "Bad Request: file is not available any more")
        return File(
            file_id=method.file_id,
            file_unique_id=method.file_id[:64],
            file_path=f"{_FILE_PATH}{alias_of(method.file_id)}",
        )

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """The bytes of a user's file (``bot.download``): fetched with maxapi's own client, which
        trusts MAX's certificate authority."""
        alias = url.rpartition(_FILE_PATH)[2]
        link = self.ids.file_link(int(alias)) if alias.isdigit() else None
        if link is None:
            raise FileNotFoundError("the MAX file is not known to this process")
        try:
            data = await self.client.download_bytes(link, chunk_size=chunk_size)
        except DownloadFileError as exc:
            raise OSError("the MAX file could not be downloaded") from exc
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]


# A user's file in aiogram's File.file_path: this prefix, then the alias of its MAX token.
_FILE_PATH = "max-file/"


def _format(method: SendMessage | EditMessageText | SendDocument | SendPhoto) -> dict[str, str]:
    """HTML, the bot's default, unless the handler asked for plain text (``parse_mode=None``)."""
    return {} if method.parse_mode is None else {"format": "html"}


def _as_aiogram(method: TelegramMethod[Any], error: MaxApiError) -> TelegramAPIError:
    raw = error.raw if isinstance(error.raw, dict) else {}
    code = str(raw.get("code") or "")
    text = str(raw.get("message") or error.raw or code)
    if error.code == 429:
        return TelegramRetryAfter(method, text, RETRY_AFTER_SECONDS)
    if error.code == 403:
        return TelegramForbiddenError(method, f"Forbidden: {text}")
    if error.code == 404:
        edits = (EditMessageText, EditMessageReplyMarkup, DeleteMessage)
        missing = "message to edit" if isinstance(method, edits) else "chat"
        return TelegramBadRequest(method, f"Bad Request: {missing} not found ({code})")
    if error.code >= 500:
        return TelegramServerError(method, f"{error.code}: {text}")
    if error.code == 400:
        return TelegramBadRequest(method, f"Bad Request: {text}")
    return TelegramAPIError(method, f"{error.code}: {text}")
