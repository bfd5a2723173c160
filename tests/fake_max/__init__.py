"""A fake MAX Bot API server for end-to-end tests with the real maxapi client."""

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
from tests.fake_max.server import FakeMax

__all__ = [
    "BotIdentity",
    "CallbackAnswer",
    "Failure",
    "FakeMax",
    "MessageState",
    "Request",
    "Sent",
    "SimMaxChat",
    "SimMaxUser",
    "StoredFile",
    "Subscription",
    "WebhookDelivery",
]
