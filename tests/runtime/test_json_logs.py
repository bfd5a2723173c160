"""LOG_FORMAT=json over a whole conversation: every line one JSON object, every update logged
with its id, handler and duration, and none of the family's data in the log.

``journal run`` long-polls the fake Bot API in the test's loop (the tiny school's Monday,
10:00 school time) at LOG_LEVEL=DEBUG, the most a school could turn on: a mother links with
her invite code and agrees to the notice, asks for her children's marks and writes to the
algebra teacher, who gets the notice; a pupil links with his own phone number.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import logs
from core.clock import FrozenClock
from tests.bot import school
from tests.bot.conftest import clock, sessions
from tests.bot.helpers import AGREE, invite
from tests.bot.polling import polling_bot
from tests.fake_telegram import FakeTelegram, SimUser
from tests.fake_telegram.records import Sent
from tests.notify.families import link_account, processed_everything

__all__ = ["clock", "sessions"]

OLGA, DMITRY, KRYLOVA = 10, 40, 50
QUESTION = "Когда контрольная по алгебре? Аня болела всю неделю"


@contextlib.contextmanager
def json_logs(level: str = "DEBUG") -> Iterator[io.StringIO]:
    """What ``journal`` sets up for LOG_FORMAT=json, into a buffer; pytest's own handlers and
    the loggers' levels are put back afterwards."""
    root = logging.getLogger()
    handlers, root_level = list(root.handlers), root.level
    touched = [*logs.QUIET_LOGGERS, "aiogram.event"]
    levels = {name: logging.getLogger(name).level for name in touched}
    buffer = io.StringIO()
    assert logs.configure(level, "json", stream=buffer, force=True)
    try:
        yield buffer
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(root_level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


def _to(user: SimUser, *, has: str = "", method: str = "sendMessage") -> Callable[[Sent], bool]:
    def match(sent: Sent) -> bool:
        return (
            sent.chat_id == user.id
            and sent.method == method
            and has in (sent.plain_text or sent.text or "")
        )

    return match


def _data(sent: Any, label: str) -> str:
    for text, data in sent.buttons:
        if label in text and data:
            return str(data)
    raise AssertionError(f"no button {label!r} in {sent.buttons}")


async def _conversation(tg: FakeTelegram, code: str) -> None:
    olga = tg.user(OLGA, "Ольга", last_name="Иванова", language_code="en")
    krylova = tg.user(KRYLOVA, "Нина", language_code="en")
    # Linking with the code, and the consent.
    await tg.send_text(olga, f"/start {code}")
    [consent] = await tg.wait_for(_to(olga, has="152"), timeout=15)
    await tg.press(olga, consent, AGREE)
    await tg.wait_for(_to(olga, has="Анна Иванова"), timeout=15)
    # The marks.
    await tg.send_text(olga, "/marks")
    await tg.wait_for(_to(olga, has="Алгебра"), timeout=15)
    # A question to the algebra teacher, who is told of it.
    await tg.send_text(olga, "/ask")
    [children] = await tg.wait_for(_to(olga, has="Which child"), timeout=15)
    await tg.press(olga, children, _data(children, "Анна"))
    [offered] = await tg.wait_for(_to(olga, method="editMessageText"), timeout=15)
    await tg.press(olga, offered.message_id or 0, _data(offered, "Алгебра"))
    await tg.wait_for(_to(olga, has="Write your message"), timeout=15)
    await tg.send_text(olga, QUESTION)
    [shown] = await tg.wait_for(_to(olga, has="Preview"), timeout=15)
    await tg.press(olga, shown, _data(shown, "Send"))
    await tg.wait_for(_to(olga, has="Sent"), timeout=15)
    await tg.wait_for(_to(krylova, has="New question #1"), timeout=15)
    # A pupil links with his own phone number.
    dmitry = tg.user(DMITRY, "Дмитрий", last_name="Петров", language_code="en")
    await tg.share_contact(dmitry, school.DMITRY_PHONE)
    [consent] = await tg.wait_for(_to(dmitry, has="152"), timeout=15)
    await tg.press(dmitry, consent, AGREE)
    await tg.wait_for(_to(dmitry, has="Дмитрий Петров"), timeout=15)
    # One more, so that every update above has surely been logged (the line follows the answer).
    await tg.send_text(dmitry, "/help")
    await tg.wait_for(_to(dmitry, has="What I can do"), timeout=15)


async def test_json_logs_of_a_whole_conversation_hold_no_personal_data(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, KRYLOVA, "T1")
    code = await invite(sessions, "G1")
    with json_logs() as buffer:
        async with polling_bot(db_url, clock, poll_seconds=0.2) as tg:
            await _conversation(tg, code)
    output = buffer.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]  # each line one JSON object
    assert len(lines) > 20
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line), line
    updates = [line for line in lines if line["logger"] == "bot.updates"]
    assert len(updates) >= 10  # every message and button press of the conversation
    for line in updates:
        assert isinstance(line["update_id"], int)
        assert isinstance(line["duration_ms"], int | float)
        assert line["outcome"] in {"handled", "unhandled", "refused", "error"}
    handled = [line for line in updates if line["outcome"] == "handled"]
    assert len(handled) >= 10
    assert all(line["handler"].startswith("handlers.") for line in handled)
    assert len({line["update_id"] for line in updates}) == len(updates)
    # None of the people, their contacts, the code or what they wrote.
    personal = [
        "Ольга",
        "Иванова",
        "Анна",
        "Аня",
        "Борис",
        "Дмитрий",
        "Петров",
        "Крылова",
        "Нина",
        school.OLGA_PHONE,
        school.OLGA_PHONE.lstrip("+"),
        school.DMITRY_PHONE,
        school.DMITRY_PHONE.lstrip("+"),
        school.DMITRY_PHONE[-7:],
        code,
        QUESTION,
        "контрольная",
        "болела",
    ]
    leaked = [word for word in personal if word in output]
    assert not leaked, leaked
    # The same in the escaped form json.dumps would have used.
    assert not [word for word in personal if json.dumps(word)[1:-1] in output]


def test_an_exception_is_logged_without_its_message() -> None:
    with json_logs("INFO") as buffer:
        try:
            raise ValueError(f"no person with the phone {school.OLGA_PHONE}")
        except ValueError:
            logging.getLogger("bot.test").exception("lookup failed")
    [line] = [json.loads(text) for text in buffer.getvalue().splitlines()]
    assert line["message"] == "lookup failed"
    assert line["exception"] == "ValueError"
    assert "test_an_exception_is_logged_without_its_message" in line["traceback"]
    assert school.OLGA_PHONE not in buffer.getvalue()


def test_the_text_format_leaves_the_message_out_too() -> None:
    with json_logs("INFO") as buffer:
        assert logs.configure("INFO", "text", stream=buffer)  # replaces the JSON set-up
        try:
            raise KeyError(school.DMITRY_PHONE)
        except KeyError:
            logging.getLogger("bot.test").exception("lookup failed")
    text = buffer.getvalue()
    assert " ERROR bot.test: lookup failed\nTraceback (most recent call last):" in text
    assert text.rstrip().endswith("KeyError")
    assert school.DMITRY_PHONE not in text
