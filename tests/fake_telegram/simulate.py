"""Updates as Telegram builds them when people act: texts, commands, contacts, presses, blocks.

The shapes follow real updates closely enough that aiogram's filters behave as in production:
a command carries a ``bot_command`` entity, a shared contact a ``contact`` with the sharer's
``user_id``, a forwarded one a ``forward_origin``, a press a ``chat_instance``.
"""

from __future__ import annotations

import re
from typing import Any

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


def find_message(world: World, user: SimUser, message: Sent | MessageState | int) -> MessageState:
    """The current state of the message a press refers to, or a test-side error saying why not."""
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
    if not state.from_bot:
        raise ValueError(f"message {key[1]} in chat {key[0]} was not sent by the bot")
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
