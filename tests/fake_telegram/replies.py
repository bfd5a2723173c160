"""Replies: which message a new one answers, resolved the way Telegram resolves it.

A bot names the message with ``reply_parameters`` (aiogram 3) or the older ``reply_to_message_id``
and ``allow_sending_without_reply``; a person replies with the client's reply gesture.  Either way
the new message embeds the replied-to one in ``reply_to_message``, one level deep, as Telegram does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fake_telegram.errors import bad_request
from tests.fake_telegram.params import bool_param, int_param
from tests.fake_telegram.records import ChatId, MessageState
from tests.fake_telegram.state import World

NOT_FOUND = "message to be replied not found"


@dataclass(frozen=True)
class ReplyRequest:
    """The reply a bot asked for: a message id, maybe a chat, and whether it may be missing."""

    message_id: int
    chat_id: ChatId | None
    allow_without: bool


def quoted(state: MessageState) -> dict[str, Any]:
    """The replied-to message as Telegram embeds it: whole, but never with a reply of its own."""
    return {key: value for key, value in state.raw.items() if key != "reply_to_message"}


def requested(params: dict[str, Any]) -> ReplyRequest | None:
    """The reply asked for: ``reply_parameters``, else the legacy pair of parameters.

    Read before anything else is checked, as Telegram parses it with the other parameters; a
    legacy ``reply_to_message_id`` of 0 means no reply at all.
    """
    raw = params.get("reply_parameters")
    if raw is None or raw == "":
        message_id = int_param(params, "reply_to_message_id")
        if not message_id:
            return None
        return ReplyRequest(message_id, None, bool_param(params, "allow_sending_without_reply"))
    if isinstance(raw, str):
        raise bad_request("can't parse reply parameters JSON object")
    if not isinstance(raw, dict):
        raise bad_request("object expected as reply parameters")
    message_id = int_param(raw, "message_id")
    chat_id = raw.get("chat_id")
    if message_id is None or not isinstance(chat_id, int | str | None):
        raise bad_request("can't parse reply parameters JSON object")
    return ReplyRequest(message_id, chat_id, bool_param(raw, "allow_sending_without_reply"))


def target(world: World, request: ReplyRequest | None, chat_id: int) -> MessageState | None:
    """The message replied to in ``chat_id``; None if it is gone and the bot allowed that.

    Called once the chat is known to exist, as Telegram checks the chat first.  Replies to a
    message of another chat (Telegram's ``external_reply``) are outside what the fake plays.
    """
    if request is None:
        return None
    if request.chat_id is not None and str(request.chat_id) != str(chat_id):
        raise bad_request("replies to other chats are not supported by the fake Telegram")
    state = world.messages.get((chat_id, request.message_id))
    if state is None and not request.allow_without:
        raise bad_request(NOT_FOUND)
    return state


def content(state: MessageState | None) -> dict[str, Any]:
    """The ``reply_to_message`` field of a new message, or nothing."""
    return {"reply_to_message": quoted(state)} if state is not None else {}
