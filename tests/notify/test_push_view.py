"""Rendering pushes: escaping, the privacy levels, and big batches split without losing items."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from bot.app import create_i18n
from core.models.enums import PrivacyLevel
from core.notify.content import ItemKind, PushItem
from handlers.views.limits import MESSAGE_LIMIT, visible_length
from handlers.views.push import push_pages, push_text
from tests.fake_telegram.html_text import parse_html


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def _mark(n: int, subject: str = "Алгебра", student: str = "Анна") -> PushItem:
    return PushItem(
        delivery_id=n,
        kind=ItemKind.NEW_MARK,
        student_id=1,
        student=student,
        subject=subject,
        value="5",
        day=date(2026, 11, 30),
    )


def test_hostile_names_are_escaped() -> None:
    text = push_text([_mark(1, subject="<b>Физика & Co", student="<Анна>")], PrivacyLevel.FULL)
    assert "&lt;b&gt;Физика &amp; Co" in text
    plain, _entities = parse_html(text)
    assert "<Анна>" in plain


def test_minimal_leaves_the_value_out() -> None:
    full = push_text([_mark(1)], PrivacyLevel.FULL)
    minimal = push_text([_mark(1)], PrivacyLevel.MINIMAL)
    assert "<b>5</b>" in full
    assert "5" not in minimal
    assert "Алгебра" in minimal


def test_a_huge_batch_is_split_and_nothing_is_lost() -> None:
    items = [_mark(n, subject="Очень длинное название предмета " * 3) for n in range(300)]
    pages = push_pages(items, PrivacyLevel.FULL)
    assert len(pages) > 1
    assert [item.delivery_id for chunk, _ in pages for item in chunk] == list(range(300))
    for chunk, text in pages:
        assert visible_length(text) <= MESSAGE_LIMIT
        assert text.count("• ") == len(chunk)
