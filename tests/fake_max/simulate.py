"""Updates as MAX builds them when people act: start, texts, replies, contacts, files, presses.

Shapes follow MAX's API schema and its client's fixtures: ``bot_started`` carries the deep-link
``payload`` (MAX drops one longer than 128 characters), a user's message in a dialog has the
bot as ``recipient.user_id`` and the dialog's own ``chat_id``, a shared contact a vCard with
``hash`` = HMAC-SHA256(bot token, vcf_info) in hex, a press the bot's message as it stands now.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from tests.fake_max.attachments import media_attachment
from tests.fake_max.content import link_to
from tests.fake_max.people import SimMaxChat, SimMaxUser
from tests.fake_max.records import MessageState, Sent, StoredFile
from tests.fake_max.state import Press, World

MAX_START_PAYLOAD = 128
FORGED_KEY = b"not-the-bot-token"

MessageRef = Sent | MessageState | str


def start(world: World, user: SimMaxUser, payload: str | None) -> int:
    if payload is not None and len(payload) > MAX_START_PAYLOAD:
        payload = None  # MAX does not pass a deep-link payload over 128 characters
    now = world.now_ms()
    return world.publish(
        {
            "update_type": "bot_started",
            "timestamp": now,
            "chat_id": user.chat_id,
            "user": user.as_user(now),
            "user_id": user.id,
            "payload": payload,
            "user_locale": user.language,
        }
    )


def stop(world: World, user: SimMaxUser) -> int:
    now = world.now_ms()
    return world.publish(
        {
            "update_type": "bot_stopped",
            "timestamp": now,
            "chat_id": user.chat_id,
            "user": user.as_user(now),
            "user_id": user.id,
            "user_locale": user.language,
        }
    )


def message(
    world: World,
    user: SimMaxUser,
    *,
    group: SimMaxChat | None = None,
    text: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    link: dict[str, Any] | None = None,
) -> int:
    """A ``message_created`` from ``user`` in their dialog, or in ``group``."""
    now = world.now_ms()
    chat_id = user.chat_id if group is None else group.id
    recipient: dict[str, Any] = {"chat_id": chat_id, "chat_type": "dialog", "user_id": None}
    if group is None:
        recipient["user_id"] = world.identity.id  # a user's message goes to the bot
    else:
        recipient["chat_type"] = "chat"
    mid, seq = world.new_mid(chat_id)
    body = {"mid": mid, "seq": seq, "text": text, "attachments": attachments, "markup": None}
    created = {
        "sender": user.as_user(now),
        "recipient": recipient,
        "timestamp": now,
        "body": body,
        "link": link,
    }
    world.store(created, from_bot=False)
    update: dict[str, Any] = {
        "update_type": "message_created",
        "timestamp": now,
        "message": created,
    }
    if group is None:
        update["user_locale"] = user.language  # MAX gives the locale in dialogs only
    return world.publish(update)


def contact(
    world: World,
    user: SimMaxUser,
    phone: str,
    *,
    owner: SimMaxUser | None,
    name: str,
    forged: bool,
    without_phone: bool,
) -> dict[str, Any]:
    """A contact attachment: a vCard, the MAX user it belongs to (if any) and its signature."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{name}"]
    if not without_phone:
        lines.append(f"TEL;TYPE=cell:{phone}")
    vcf_info = "\r\n".join([*lines, "END:VCARD", ""])
    key = FORGED_KEY if forged else world.token.encode()
    return {
        "type": "contact",
        "payload": {
            "vcf_info": vcf_info,
            "max_info": owner.as_user(world.now_ms()) if owner else None,
            "hash": hmac.new(key, vcf_info.encode(), hashlib.sha256).hexdigest(),
        },
    }


def user_file(world: World, kind: str, filename: str | None, data: bytes) -> dict[str, Any]:
    """A file or image a user sends; its token also works for the bot to send it on."""
    n = world.next_id()
    file = StoredFile(
        file_id=f"f{n}",
        kind=kind,
        filename=filename,
        content_type="image/jpeg" if kind == "image" else None,
        data=data,
        token=world.opaque(kind),
        photo_id=n if kind == "image" else None,
        from_bot=False,
        at=world.clock(),
    )
    world.files[file.token] = file
    return media_attachment(world, file)


def reply_link(world: World, user: SimMaxUser, to: MessageRef) -> dict[str, Any]:
    state = lookup(world, to)
    if state is None:
        raise ValueError(f"no message {_mid(to)} (deleted or never sent)")
    if state.chat_id != user.chat_id:
        raise ValueError(f"message {state.mid} is in chat {state.chat_id}, not in {user}'s dialog")
    return link_to(state, "reply")


def press(world: World, user: SimMaxUser, to: MessageRef, payload: str, *, strict: bool) -> int:
    """A ``message_callback``; with ``strict`` the button must be on the bot's message now."""
    state = lookup(world, to)
    if strict:
        if state is None:
            raise ValueError(f"no message {_mid(to)} (deleted or never sent)")
        if not state.from_bot:
            raise ValueError(f"message {state.mid} was not sent by the bot")
        callbacks = [
            p
            for (_, p), t in zip(state.buttons, state.button_types, strict=True)
            if t == "callback"
        ]
        if payload not in callbacks:
            raise ValueError(
                f"no callback button with payload {payload!r} on {state.mid}; it has {callbacks}"
            )
    callback_id = world.opaque("callback")
    world.presses[callback_id] = Press(user, state.mid if state else _mid(to), payload)
    now = world.now_ms()
    return world.publish(
        {
            "update_type": "message_callback",
            "timestamp": now,
            "callback": {
                "timestamp": now,
                "callback_id": callback_id,
                "payload": payload,
                "user": user.as_user(now),
            },
            "message": state.raw if state else None,
            "user_locale": user.language,
        }
    )


def lookup(world: World, ref: MessageRef) -> MessageState | None:
    """The current state of a message named by a ``Sent`` record, a state or a mid."""
    return world.messages.get(_mid(ref))


def _mid(ref: MessageRef) -> str:
    if isinstance(ref, str):
        return ref
    if ref.mid is None:
        raise ValueError(f"{ref!r} names no message")
    return ref.mid
