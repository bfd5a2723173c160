"""Answers rendered for MAX: keyboards within its row limits, texts within 4,000 characters."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.max import render
from bot.max.ids import MessageIds, alias_of


def _buttons(attachments: list[dict]) -> list[list[dict]]:  # type: ignore[type-arg]
    [keyboard] = attachments
    assert keyboard["type"] == "inline_keyboard"
    return keyboard["payload"]["buttons"]  # type: ignore[no-any-return]


def test_inline_buttons_become_callback_and_link_buttons() -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Неделя", callback_data="diary:1")],
            [InlineKeyboardButton(text="Сайт", url="https://school.example")],
        ]
    )
    rows = _buttons(render.keyboard(markup))
    assert rows == [
        [{"type": "callback", "text": "Неделя", "payload": "diary:1"}],
        [{"type": "link", "text": "Сайт", "url": "https://school.example"}],
    ]


def test_the_reply_keyboard_becomes_message_buttons_and_a_contact_request() -> None:
    markup = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="📱 Мой номер", request_contact=True)],
            [KeyboardButton(text="Оценки"), KeyboardButton(text="Помощь")],
        ]
    )
    rows = _buttons(render.keyboard(markup))
    assert rows[0] == [{"type": "request_contact", "text": "📱 Мой номер"}]
    assert rows[1] == [{"type": "message", "text": "Оценки"}, {"type": "message", "text": "Помощь"}]
    assert render.keyboard(ReplyKeyboardRemove()) == []
    assert render.keyboard(None) == []


def test_rows_wider_than_max_allows_are_folded() -> None:
    days = [InlineKeyboardButton(text=str(d), callback_data=f"d:{d}") for d in range(10)]
    links = [InlineKeyboardButton(text=str(d), url=f"https://x/{d}") for d in range(4)]
    rows = _buttons(render.keyboard(InlineKeyboardMarkup(inline_keyboard=[days, links])))
    assert [len(row) for row in rows] == [7, 3, 3, 1]
    assert [b["text"] for row in rows[:2] for b in row] == [str(d) for d in range(10)]


def test_long_texts_are_cut_between_lines_within_the_limit() -> None:
    lines = [f"<b>{n}</b> " + "x" * 90 for n in range(100)]
    text = "\n".join(lines)
    parts = render.parts(text)
    assert len(parts) > 1
    assert all(len(part) <= render.TEXT_LIMIT for part in parts)
    assert "\n".join(parts) == text  # nothing lost, nothing cut inside a line
    edited = render.cut(text)
    assert len(edited) <= render.TEXT_LIMIT
    assert edited.endswith("…")
    assert edited.count("<b>") == edited.count("</b>")


def test_a_single_line_longer_than_a_message_loses_its_markup_not_its_validity() -> None:
    line = "<b>" + "я" * 5000 + "</b> &amp;"
    [part] = render.parts(line)
    assert len(part) <= render.TEXT_LIMIT
    assert "<b>" not in part
    assert part.endswith("…")


def test_ids_are_stable_and_remembered_within_capacity() -> None:
    ids = MessageIds(capacity=2)
    first = ids.alias("mid.a")
    assert first == alias_of("mid.a") == MessageIds().alias("mid.a")
    ids.alias("mid.b")
    ids.alias("mid.c")
    assert ids.mid(first) is None  # forgotten: the oldest beyond capacity
    assert ids.mid(alias_of("mid.c")) == "mid.c"
    assert 0 <= first < 2**48
