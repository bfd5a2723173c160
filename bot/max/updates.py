"""A MAX event as the aiogram ``Update`` the handlers serve, or None for events they do not.

- ``message_created``: a message (text, reply, contact, file, photo) from the user. In a dialog
  the chat is the user's own, as a Telegram private chat: its id is the user's id, and the bot
  answers by ``user_id`` (MAX's dialog ``chat_id`` is another number and is not needed). A group
  keeps its own (negative) id, so the privacy guard answers there without personal data.
- ``message_callback``: a button press; its message's ``mid`` is remembered for the edit.
- ``bot_started``: the user opened the bot, through ``https://max.ru/<bot>?start=<payload>``
  perhaps: the handlers see ``/start <payload>``, the Telegram deep link's shape.
- ``bot_stopped``: the user blocked the bot, a ``my_chat_member`` "kicked" as on Telegram.

A contact proves a phone number only when MAX signed it: ``hash`` is the HMAC-SHA256 of its
vCard keyed with the bot's token, and its ``max_info`` is the sender. Otherwise the contact
reaches the handlers without a user id, which they refuse as not the sender's own.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import mimetypes
from datetime import UTC, datetime
from typing import Any

from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    Contact,
    Document,
    Message,
    MessageOriginHiddenUser,
    PhotoSize,
    Update,
    User,
)
from maxapi.utils.vcf import parse_vcf_info

from bot.max.ids import MessageIds

Raw = dict[str, Any]


def contact_is_genuine(vcf_info: str, signature: str | None, token: str) -> bool:
    if not signature:
        return False
    expected = hmac.new(token.encode(), vcf_info.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


class UpdateTranslator:
    def __init__(self, ids: MessageIds, token: str, bot_user: User) -> None:
        self._ids = ids
        self._token = token
        self._bot = bot_user
        self._update_ids = itertools.count(1)

    def translate(self, raw: Raw) -> Update | None:
        kind = raw.get("update_type")
        event: dict[str, Any] | None = None
        if kind == "message_created":
            event = self._message_created(raw)
        elif kind == "message_callback":
            event = self._callback(raw)
        elif kind == "bot_started":
            event = self._started(raw)
        elif kind == "bot_stopped":
            event = self._stopped(raw)
        if event is None:
            return None
        return Update(update_id=next(self._update_ids), **event)

    # -- people and chats -------------------------------------------------------------------

    @staticmethod
    def _user(raw: Raw, locale: str | None) -> User:
        return User(
            id=int(raw["user_id"]),
            is_bot=bool(raw.get("is_bot", False)),
            first_name=raw.get("first_name") or raw.get("name") or "",
            last_name=raw.get("last_name"),
            username=raw.get("username"),
            language_code=locale,
        )

    @staticmethod
    def _chat(recipient: Raw, user: User) -> Chat:
        if recipient.get("chat_type", "dialog") == "dialog":
            return Chat(id=user.id, type="private")
        chat_id = int(recipient["chat_id"])
        # Groups keep MAX's chat id; a positive one is made negative, as Telegram's groups are.
        return Chat(id=chat_id if chat_id < 0 else -chat_id, type="group")

    @staticmethod
    def _date(milliseconds: object) -> datetime:
        if isinstance(milliseconds, int | float):
            return datetime.fromtimestamp(milliseconds / 1000, UTC)
        return datetime.now(UTC)

    # -- events -----------------------------------------------------------------------------

    def _message_created(self, raw: Raw) -> dict[str, Any] | None:
        message = raw.get("message") or {}
        sender = message.get("sender")
        if not sender:
            return None  # a channel post: nobody to answer
        user = self._user(sender, raw.get("user_locale"))
        chat = self._chat(message.get("recipient") or {}, user)
        return {"message": self._message(message, user, chat)}

    def _message(self, raw: Raw, user: User, chat: Chat) -> Message:
        body = raw.get("body") or {}
        fields: dict[str, Any] = {"text": body.get("text") or None}
        link = raw.get("link") or {}
        linked = link.get("message") or {}
        if link.get("type") == "reply" and linked.get("mid"):
            fields["reply_to_message"] = Message(
                message_id=self._ids.alias(linked["mid"]),
                date=self._date(linked.get("timestamp")),
                chat=chat,
                from_user=self._bot,
                text=linked.get("text"),
            )
        elif link.get("type") == "forward":
            # Whose message it was matters only as "not the sender's": a forwarded contact
            # proves nothing.
            fields["forward_origin"] = MessageOriginHiddenUser(
                date=self._date(linked.get("timestamp")), sender_user_name="max"
            )
        for attachment in body.get("attachments") or []:
            fields.update(self._attachment(attachment, user))
        if fields.get("text") is None and fields.get("caption") is None:
            fields.pop("text")
        elif any(key in fields for key in ("document", "photo")):
            fields["caption"] = fields.pop("text")
        return Message(
            message_id=self._ids.alias(body.get("mid") or ""),
            date=self._date(raw.get("timestamp")),
            chat=chat,
            from_user=user,
            **fields,
        )

    def _attachment(self, raw: Raw, sender: User) -> dict[str, Any]:
        kind = raw.get("type")
        payload = raw.get("payload") or {}
        if kind == "contact":
            return {"contact": self._contact(payload, sender)}
        token = payload.get("token") or payload.get("url")
        if not token:
            return {}
        if isinstance(payload.get("url"), str):
            self._ids.remember_file(token, payload["url"])  # for a download while handled
        if kind == "image":
            unique = str(payload.get("photo_id") or token)
            return {"photo": [PhotoSize(file_id=token, file_unique_id=unique, width=0, height=0)]}
        if kind == "file":
            name = raw.get("filename")
            return {
                "document": Document(
                    file_id=token,
                    file_unique_id=token[:64],
                    file_name=name,
                    # MAX names no type; the name's is what Telegram would report too.
                    mime_type=mimetypes.guess_type(name)[0] if name else None,
                    file_size=raw.get("size"),
                )
            }
        return {}  # stickers, audio, video, locations: the handlers answer "not understood"

    def _contact(self, payload: Raw, sender: User) -> Contact:
        vcf_info = payload.get("vcf_info") or ""
        vcard = parse_vcf_info(vcf_info)
        owner = (payload.get("max_info") or {}).get("user_id")
        own = (
            contact_is_genuine(vcf_info, payload.get("hash"), self._token)
            and owner is not None
            and int(owner) == sender.id
        )
        return Contact(
            phone_number=vcard.phone or "",
            first_name=vcard.full_name or sender.first_name,
            user_id=sender.id if own else None,
            vcard=vcf_info or None,
        )

    def _callback(self, raw: Raw) -> dict[str, Any] | None:
        callback = raw.get("callback") or {}
        if not callback.get("callback_id") or not callback.get("user"):
            return None
        user = self._user(callback["user"], raw.get("user_locale"))
        pressed = raw.get("message") or {}
        chat = self._chat(pressed.get("recipient") or {}, user)
        body = pressed.get("body") or {}
        message = None
        if body.get("mid"):
            message = Message(
                message_id=self._ids.alias(body["mid"]),
                date=self._date(pressed.get("timestamp")),
                chat=chat,
                from_user=self._bot,
                text=body.get("text"),
            )
        return {
            "callback_query": CallbackQuery(
                id=str(callback["callback_id"]),
                from_user=user,
                chat_instance=str(chat.id),
                message=message,
                data=callback.get("payload"),
            )
        }

    def _started(self, raw: Raw) -> dict[str, Any] | None:
        if not raw.get("user"):
            return None
        user = self._user(raw["user"], raw.get("user_locale"))
        payload = (raw.get("payload") or "").strip()
        return {
            "message": Message(
                message_id=0,
                date=self._date(raw.get("timestamp")),
                chat=Chat(id=user.id, type="private"),
                from_user=user,
                text=f"/start {payload}" if payload else "/start",
            )
        }

    def _stopped(self, raw: Raw) -> dict[str, Any] | None:
        if not raw.get("user"):
            return None
        user = self._user(raw["user"], raw.get("user_locale"))
        at = self._date(raw.get("timestamp"))
        return {
            "my_chat_member": ChatMemberUpdated(
                chat=Chat(id=user.id, type="private"),
                from_user=user,
                date=at,
                old_chat_member=ChatMemberMember(user=self._bot),
                new_chat_member=ChatMemberBanned(
                    user=self._bot, until_date=datetime.fromtimestamp(0, UTC)
                ),
            )
        }
