"""What the bot keeps per user stays bounded: the FSM storage holds only conversations under
way, the throttle only the users of the last seconds (bench/memory.py measures the whole)."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Chat, Message, Update, User

from bot.middlewares.throttle import ThrottlingMiddleware
from bot.storage import LeanMemoryStorage

BOT_ID = 42


class Form(StatesGroup):
    asking = State()


def key(user_id: int) -> StorageKey:
    return StorageKey(bot_id=BOT_ID, chat_id=user_id, user_id=user_id)


async def test_reading_a_state_stores_nothing_and_a_finished_conversation_is_dropped() -> None:
    storage = LeanMemoryStorage()
    for user_id in range(1000):
        assert await storage.get_state(key(user_id)) is None
        assert await storage.get_data(key(user_id)) == {}
        assert await storage.get_value(key(user_id), "code", "none") == "none"
    assert len(storage.storage) == 0

    await storage.set_state(key(1), Form.asking)
    await storage.set_data(key(1), {"code": "ABC"})
    assert await storage.get_state(key(1)) == Form.asking.state
    assert await storage.get_value(key(1), "code") == "ABC"
    await storage.set_state(key(1), None)
    assert len(storage.storage) == 1  # the data is still there
    await storage.set_data(key(1), {})
    assert len(storage.storage) == 0  # state.clear() leaves nothing behind
    await storage.set_state(key(2), None)
    await storage.set_data(key(2), {})
    assert len(storage.storage) == 0


def update_from(user_id: int) -> Update:
    user = User(id=user_id, is_bot=False, first_name="A")
    message = Message.model_validate(
        {
            "message_id": 1,
            "date": 0,
            "chat": Chat(id=user_id, type="private"),
            "from": user,
            "text": "/marks",
        }
    )
    return Update(update_id=1, message=message)


async def test_the_throttle_forgets_users_whose_bucket_has_refilled() -> None:
    now = [0.0]
    throttle = ThrottlingMiddleware(rate=2.0, burst=8, monotonic=lambda: now[0])
    handled: list[int] = []

    async def handler(event: Any, data: dict[str, Any]) -> None:
        handled.append(data["event_from_user"].id)

    for user_id in range(1, 1001):
        update = update_from(user_id)
        await throttle(handler, update, {"event_from_user": update.message.from_user})  # type: ignore[union-attr]
    assert len(handled) == 1000
    assert len(throttle._buckets) == 1000
    now[0] = 3.0  # not yet refilled: nobody is forgotten
    late = update_from(1001)
    await throttle(handler, late, {"event_from_user": late.message.from_user})  # type: ignore[union-attr]
    assert len(throttle._buckets) == 1001
    now[0] = 11.0  # every bucket is full again (8 tokens at 2 a second take 4 s)
    await throttle(handler, update_from(5), {"event_from_user": update_from(5).message.from_user})  # type: ignore[union-attr]
    assert list(throttle._buckets) == [5]
