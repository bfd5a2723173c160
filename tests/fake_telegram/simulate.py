"""Updates as Telegram builds them when people act: texts, files, replies, presses, blocks.

The shapes follow real updates closely enough that aiogram's filters behave as in production:
a command carries a ``bot_command`` entity (in a caption too), a shared contact a ``contact`` with
the sharer's ``user_id``, a forwarded one a ``forward_origin``, a photo its sizes smallest first,
a reply the whole replied-to message, a press a ``chat_instance``.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_telegram import files, replies
from tests.fake_telegram.html_text import utf16_len
from tests.fake_telegram.people import Group, SimUser
from tests.fake_telegram.records import MessageState, Sent
from tests.fake_telegram.state import Press, World

_COMMAND = re.compile(r"/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{5,32})?")


def command_entities(text: str) -> list[dict[str, Any]]:
    """A ``bot_command`` entity when the text starts with a command, as clients mark it."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


def _user_message(world: World, user: SimUser, chat: dict[str, Any], **content: Any) -> int:
    message = {
        "message_id": world.next_message_id(chat["id"]),
        "from": user.as_user(),
        "chat": chat,
        "date": world.now(),
        **{key: value for key, value in content.items() if value is not None},
    }
    world.store(message, from_bot=False)
    return world.queue.put("message", message)


def send_text(world: World, user: SimUser, text: str) -> int:
    return _user_message(
        world, user, user.as_chat(), text=text, entities=command_entities(text) or None
    )


def send_group_text(world: World, group: Group, user: SimUser, text: str) -> int:
    return _user_message(
        world, user, group.as_chat(), text=text, entities=command_entities(text) or None
    )


def _private(world: World, user: SimUser, reply_to: MessageState | None, **content: Any) -> int:
    """A message in the user's private chat, replying to ``reply_to`` when given."""
    return _user_message(world, user, user.as_chat(), **content, **replies.content(reply_to))


def _caption(caption: str | None) -> dict[str, Any]:
    """A caption as clients send it: only a leading command is marked, empty means none."""
    if not caption:
        return {}
    return {"caption": caption, "caption_entities": command_entities(caption) or None}


def send_reply(world: World, user: SimUser, target: MessageState, text: str) -> int:
    entities = command_entities(text) or None
    return _private(world, user, target, text=text, entities=entities)


def send_photo(
    world: World,
    user: SimUser,
    *,
    caption: str | None,
    size: int,
    width: int,
    height: int,
    reply_to: MessageState | None,
) -> int:
    photo = files.user_photo(world, size, width, height)
    return _private(world, user, reply_to, photo=photo, **_caption(caption))


def send_document(
    world: World,
    user: SimUser,
    filename: str,
    *,
    mime_type: str,
    content: bytes,
    caption: str | None,
    reply_to: MessageState | None,
) -> int:
    document = files.user_document(world, filename, mime_type, content)
    return _private(world, user, reply_to, document=document, **_caption(caption))


def send_sticker(
    world: World, user: SimUser, *, emoji: str | None, reply_to: MessageState | None
) -> int:
    return _private(world, user, reply_to, sticker=files.sticker(world, emoji))


def send_voice(
    world: World,
    user: SimUser,
    *,
    duration: int,
    size: int | None,
    reply_to: MessageState | None,
) -> int:
    return _private(world, user, reply_to, voice=files.voice(world, duration, size))


def share_contact(
    world: World,
    user: SimUser,
    phone: str,
    *,
    contact_user_id: int | None,
    first_name: str | None,
    forwarded_from: SimUser | str | None,
) -> int:
    contact: dict[str, Any] = {"phone_number": phone, "first_name": first_name or user.first_name}
    if contact_user_id is not None:
        contact["user_id"] = contact_user_id
    origin: dict[str, Any] | None = None
    if isinstance(forwarded_from, SimUser):
        origin = {"type": "user", "date": world.now(), "sender_user": forwarded_from.as_user()}
    elif isinstance(forwarded_from, str):
        origin = {"type": "hidden_user", "date": world.now(), "sender_user_name": forwarded_from}
    return _user_message(world, user, user.as_chat(), contact=contact, forward_origin=origin)


def press(world: World, user: SimUser, target: MessageState, data: str) -> int:
    query_id = str(4_000_000_000 + world.next_id())
    world.presses[query_id] = Press(user, target.chat_id, target.message_id, data)
    query = {
        "id": query_id,
        "from": user.as_user(),
        "message": target.raw,
        "chat_instance": str(-(10**18) - target.chat_id),
        "data": data,
    }
    return world.queue.put("callback_query", query)


def _lookup(world: World, user: SimUser, message: Sent | MessageState | int) -> MessageState:
    """The current state of a message (an id means one in the user's private chat)."""
    if isinstance(message, int):
        key = (user.chat_id, message)
    elif isinstance(message, Sent):
        if not isinstance(message.chat_id, int) or message.message_id is None:
            raise ValueError(f"{message!r} is not a message in a chat")
        key = (message.chat_id, message.message_id)
    else:
        key = (message.chat_id, message.message_id)
    state = world.messages.get(key)
    if state is None:
        raise ValueError(f"no message {key[1]} in chat {key[0]} (deleted or never sent)")
    return state


def find_message(world: World, user: SimUser, message: Sent | MessageState | int) -> MessageState:
    """The current state of the message a press refers to, or a test-side error saying why not."""
    state = _lookup(world, user, message)
    if not state.from_bot:
        raise ValueError(
            f"message {state.message_id} in chat {state.chat_id} was not sent by the bot"
        )
    return state


def find_reply_target(
    world: World, user: SimUser, message: Sent | MessageState | int
) -> MessageState:
    """The message a user replies to: the bot's or their own, but in their private chat."""
    state = _lookup(world, user, message)
    if state.chat_id != user.chat_id:
        raise ValueError(
            f"message {state.message_id} is in chat {state.chat_id}, "
            f"not in the private chat of user {user.id}"
        )
    return state


def member_change(world: World, user: SimUser, *, blocked: bool) -> int:
    """The ``my_chat_member`` update Telegram sends when a user blocks or unblocks the bot."""
    bot = world.identity.as_user()
    member = {"status": "member", "user": bot}
    kicked = {"status": "kicked", "user": bot, "until_date": 0}
    update = {
        "chat": user.as_chat(),
        "from": user.as_user(),
        "date": world.now(),
        "old_chat_member": member if blocked else kicked,
        "new_chat_member": kicked if blocked else member,
    }
    return world.queue.put("my_chat_member", update)
