"""A fake Telegram Bot API server for end-to-end tests with the real aiogram client."""

from tests.fake_telegram.people import BotIdentity, Group, SimUser
from tests.fake_telegram.records import CallbackAnswer, Failure, MessageState, Request, Sent
from tests.fake_telegram.server import FakeTelegram

__all__ = [
    "BotIdentity",
    "CallbackAnswer",
    "Failure",
    "FakeTelegram",
    "Group",
    "MessageState",
    "Request",
    "Sent",
    "SimUser",
]
