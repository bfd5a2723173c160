"""``/messages`` and ``/answers``: what the bot says, edits, deletes, and how it answers presses.

Each accepted call leaves a ``Sent`` record (the test's view of the conversation) and updates
the ``MessageState`` of the message it touched; refusals are MAX's errors.
"""

from __future__ import annotations

from typing import Any

from tests.fake_max import content
from tests.fake_max.calls import Call, Handler
from tests.fake_max.errors import ApiError, bad_request, not_found
from tests.fake_max.records import CallbackAnswer, MessageState, Sent
from tests.fake_max.state import World


async def send_message(world: World, call: Call) -> dict[str, Any]:
    user_id, chat_id = call.int_param("user_id"), call.int_param("chat_id")
    if user_id is None and chat_id is None:
        raise bad_request("chat_id or user_id: one of them is required")
    body = call.json_object()
    target = world.resolve_target(user_id=user_id, chat_id=chat_id)
    world.limiter.acquire_chat(target.chat_id)
    new = content.read(world, body, call.endpoint)
    if new.empty:
        raise bad_request("text: must not be empty when the message has no attachments")
    mid, seq = world.new_mid(target.chat_id)
    now = world.now_ms()
    message = {
        "sender": world.identity.as_user(now),
        "recipient": target.recipient(),
        "timestamp": now,
        "body": {
            "mid": mid,
            "seq": seq,
            "text": new.plain,
            "attachments": new.attachments or None,
            "markup": new.markup,
        },
        "link": new.link,
    }
    state = world.store(message, from_bot=True, format=new.format)
    _record(world, "send", call, state, new, body.get("attachments"))
    return {"message": message}


async def edit_message(world: World, call: Call) -> dict[str, Any]:
    state = _message(world, call.str_param("message_id"))
    if not state.from_bot:
        raise ApiError(403, "access.denied", "The bot can edit only its own messages")
    if state.user_id is not None:
        world.dialog_target(world.users[state.user_id])  # 403 when the user blocked the bot
    body = call.json_object()
    new = content.read(world, body, call.endpoint)
    state = content.edited(world, state, new)
    _record(world, "edit", call, state, new, body.get("attachments"))
    return {"success": True}


async def delete_message(world: World, call: Call) -> dict[str, Any]:
    state = _message(world, call.str_param("message_id"))
    del world.messages[state.mid]
    world.sent.append(
        Sent(
            method="delete",
            chat_id=state.chat_id,
            user_id=state.user_id,
            text=None,
            format=None,
            attachments=None,
            mid=state.mid,
            at=world.clock(),
            params=call.params,
        )
    )
    return {"success": True}


async def get_message(world: World, call: Call) -> dict[str, Any]:
    return _message(world, call.str_param("mid")).raw


async def answer_callback(world: World, call: Call) -> dict[str, Any]:
    """``POST /answers``: a toast (``notification``) and/or a new body for the pressed message."""
    callback_id = call.str_param("callback_id")
    press = world.presses.get(callback_id)
    if press is None:
        raise not_found(f"Callback {callback_id} not found")
    body = call.json_object()
    notification = body.get("notification") or None
    message_body = body.get("message")
    if notification is None and message_body is None:
        raise bad_request("Either message or notification must be set")
    new = None
    state = world.messages.get(press.mid) if press.mid else None
    if message_body is not None:
        if not isinstance(message_body, dict):
            raise bad_request("message: a JSON object is required")
        if state is None:
            raise not_found(f"Message {press.mid} not found")
        new = content.read(world, message_body, call.endpoint)
        state = content.edited(world, state, new)
    world.callback_answers.append(
        CallbackAnswer(
            callback_id=callback_id,
            user_id=press.user.id,
            payload=press.payload,
            mid=press.mid,
            notification=notification,
            message=message_body,
            at=world.clock(),
        )
    )
    world.sent.append(
        Sent(
            method="answer",
            chat_id=state.chat_id if state else press.user.chat_id,
            user_id=press.user.id,
            text=new.text if new else None,
            format=new.format if new else None,
            attachments=(message_body or {}).get("attachments"),
            mid=press.mid,
            at=world.clock(),
            plain_text=new.plain if new else None,
            notification=notification,
            params=call.params,
            body=body,
        )
    )
    return {"success": True}


def _message(world: World, mid: str) -> MessageState:
    state = world.messages.get(mid)
    if state is None:
        raise not_found(f"Message {mid} not found")
    return state


def _record(
    world: World,
    method: str,
    call: Call,
    state: MessageState,
    new: content.Content,
    attachments: Any,
) -> None:
    file = new.files[0] if new.files else None
    world.sent.append(
        Sent(
            method=method,
            chat_id=state.chat_id,
            user_id=state.user_id,
            text=new.text,
            format=new.format,
            attachments=attachments,
            mid=state.mid,
            at=world.clock(),
            plain_text=new.plain,
            filename=file.filename if file else None,
            file_bytes=file.data if file else None,
            reply_to=state.reply_to if method == "send" else None,
            params=call.params,
            body=call.body,
        )
    )


ENDPOINTS: dict[str, Handler] = {
    "POST /messages": send_message,
    "PUT /messages": edit_message,
    "DELETE /messages": delete_message,
    "GET /messages/{mid}": get_message,
    "POST /answers": answer_callback,
}
