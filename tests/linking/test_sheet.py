"""The printable sheet and the CSV list: one code, a link and a QR code per messenger."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import segno

from core.linking.codes import new_code
from core.linking.dto import IssuedInvite
from core.linking.sheet import (
    MAX_START_LIMIT,
    TELEGRAM_START_LIMIT,
    BotNames,
    deep_link,
    max_deep_link,
    render_csv,
    render_html,
)
from core.models.enums import Role

TZ = ZoneInfo("Asia/Yekaterinburg")
EXPIRES = datetime(2026, 12, 20, 9, 30, tzinfo=UTC)
CODE_1 = "Abc_def-0123456789ABCDEFGHIJKLMN"
CODE_2 = "Zyx-wvu_9876543210zyxwvutsrqponm"
INVITES = (
    IssuedInvite(
        invite_id=1,
        role=Role.GUARDIAN,
        person_kind="guardian",
        person_id=11,
        person_external_id="G1",
        person_name="Иванова <b>Ольга</b> & Co",
        students=("Иванова Анна, 7А", "Иванов Борис, 5Б"),
        code=CODE_1,
        expires_at=EXPIRES,
        class_names=("7А", "5Б"),
    ),
    IssuedInvite(
        invite_id=2,
        role=Role.TEACHER,
        person_kind="staff",
        person_id=3,
        person_external_id="T1",
        person_name="Петров Пётр Петрович",
        students=(),
        code=CODE_2,
        expires_at=EXPIRES,
    ),
)
TELEGRAM = BotNames(telegram="school_journal_bot")
MAX = BotNames(max="school_journal_max_bot")
BOTH = BotNames(telegram="school_journal_bot", max="school_journal_max_bot")
TG_1 = f"https://t.me/school_journal_bot?start={CODE_1}"
TG_2 = f"https://t.me/school_journal_bot?start={CODE_2}"
MAX_1 = f"https://max.ru/school_journal_max_bot?start={CODE_1}"
MAX_2 = f"https://max.ru/school_journal_max_bot?start={CODE_2}"
SVG = re.compile(r"<svg .*?</svg>", re.DOTALL)
# ``mark`` translates nothing, so the sheet is English: Babel's date and time (a narrow space
# before PM).
VALID = "<p>«Valid until December 20, 2026, 2:30\u202fPM. Works once.»</p>"


def mark(message: str) -> str:
    """A gettext that shows which strings went through it."""
    return f"«{message}»"


def qr(link: str) -> str:
    """What the sheet must print for ``link``: segno's encoding of exactly that text.

    No QR decoder is installed, so a code is checked by encoding the expected link again: a
    different text (another bot, another code, a messenger's link swapped) gives another SVG.
    """
    return segno.make_qr(link, error="m").svg_inline(scale=3)


def printed(link: str, code: str) -> str:
    """The link as printed: its code in a span of its own, kept whole on one line."""
    prefix = link.removesuffix(code)
    return f'<p class="link">{prefix}<wbr><span class="code">{code}</span></p>'


def cards(page: str) -> list[str]:
    found = re.findall(
        r'<div class="card">.*?</div>(?=\n<div class="card">|\n</div></body>)', page, re.DOTALL
    )
    assert len(found) == page.count('class="card"')
    return found


def test_codes_fit_the_start_parameter_of_both_messengers() -> None:
    for _ in range(200):
        code = new_code()
        assert re.fullmatch(r"[A-Za-z0-9_-]+", code)  # Telegram's alphabet, URL-safe for MAX
        assert len(code) <= TELEGRAM_START_LIMIT == 64
        assert len(code) <= MAX_START_LIMIT == 128
        assert deep_link("b0t_name", code).endswith(f"?start={code}")
        assert max_deep_link("b0t_name", code).endswith(f"?start={code}")
    # A code that would not fit is refused rather than printed as a link that loses it.
    assert max_deep_link("bot", "x" * 128) == "https://max.ru/bot?start=" + "x" * 128
    with pytest.raises(ValueError, match="does not fit"):
        deep_link("bot", "x" * 65)
    with pytest.raises(ValueError, match="does not fit"):
        max_deep_link("bot", "x" * 129)


def test_a_sheet_needs_at_least_one_bot() -> None:
    with pytest.raises(ValueError, match="Telegram bot, a MAX bot"):
        BotNames()
    with pytest.raises(ValueError, match="Telegram bot, a MAX bot"):
        BotNames(telegram="", max="")


def test_with_telegram_only_the_list_is_as_before() -> None:
    assert render_csv(INVITES, TELEGRAM, TZ) == (
        "person_id,kind,name,classes,code,link,expires\n"
        f"G1,guardian,Иванова <b>Ольга</b> & Co,7А;5Б,{CODE_1},{TG_1},2026-12-20T14:30+05:00\n"
        f"T1,staff,Петров Пётр Петрович,,{CODE_2},{TG_2},2026-12-20T14:30+05:00\n"
    )


def test_with_telegram_only_the_sheet_is_as_before() -> None:
    page = render_html(INVITES, TELEGRAM, TZ, mark)
    first, second = cards(page)
    assert SVG.sub("QR", first) == (
        '<div class="card"><p class="head">«Invitation to the school journal bot»</p>\n'
        "<h2>Иванова &lt;b&gt;Ольга&lt;/b&gt; &amp; Co</h2>\n"
        '<div class="body">QR\n'
        "<div><p>«Classes: 7А, 5Б»</p>\n"
        "<p>«Children: Иванова Анна, 7А; Иванов Борис, 5Б»</p>\n"
        "<p>«Scan the code with your phone or open the link in Telegram:»</p>\n"
        f"{VALID}</div></div>\n"
        f"{printed(TG_1, CODE_1)}</div>"
    )
    assert SVG.findall(first) == [qr(TG_1)]
    assert SVG.findall(second) == [qr(TG_2)]
    assert "max.ru" not in page
    assert "MAX" not in page
    assert "pair" not in page  # neither the two-code block nor its style
    assert page.startswith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')


def test_with_max_only_the_list_keeps_link_empty_and_adds_max_link() -> None:
    assert render_csv(INVITES, MAX, TZ) == (
        "person_id,kind,name,classes,code,link,expires,max_link\n"
        f"G1,guardian,Иванова <b>Ольга</b> & Co,7А;5Б,{CODE_1},,2026-12-20T14:30+05:00,{MAX_1}\n"
        f"T1,staff,Петров Пётр Петрович,,{CODE_2},,2026-12-20T14:30+05:00,{MAX_2}\n"
    )


def test_with_max_only_every_card_has_the_max_link_and_its_code() -> None:
    page = render_html(INVITES, MAX, TZ, mark)
    first, second = cards(page)
    assert SVG.sub("QR", second) == (
        '<div class="card"><p class="head">«Invitation to the school journal bot»</p>\n'
        "<h2>Петров Пётр Петрович</h2>\n"
        '<div class="body">QR\n'
        "<div><p>«Scan the code with your phone or open the link in MAX:»</p>\n"
        f"{VALID}</div></div>\n"
        f"{printed(MAX_2, CODE_2)}</div>"
    )
    assert SVG.findall(first) == [qr(MAX_1)]
    assert SVG.findall(second) == [qr(MAX_2)]
    assert printed(MAX_1, CODE_1) in first
    assert "t.me" not in page
    assert "Telegram" not in page


def test_with_both_the_list_has_both_links() -> None:
    assert render_csv(INVITES, BOTH, TZ) == (
        "person_id,kind,name,classes,code,link,expires,max_link\n"
        f"G1,guardian,Иванова <b>Ольга</b> & Co,7А;5Б,{CODE_1},{TG_1},2026-12-20T14:30+05:00,"
        f"{MAX_1}\n"
        f"T1,staff,Петров Пётр Петрович,,{CODE_2},{TG_2},2026-12-20T14:30+05:00,{MAX_2}\n"
    )


def test_with_both_every_card_has_two_labelled_links_and_codes() -> None:
    page = render_html(INVITES, BOTH, TZ, mark)
    assert ".pair" in page  # the style that sets the two codes side by side
    for card, telegram, max_link, code in zip(
        cards(page), (TG_1, TG_2), (MAX_1, MAX_2), (CODE_1, CODE_2), strict=True
    ):
        # Each code under its messenger's name, with its link: nothing swapped between them.
        assert SVG.findall(card) == [qr(telegram), qr(max_link)]
        in_telegram, in_max = re.findall(r"<div><p class=\"messenger\">.*?</div>", card, re.DOTALL)
        assert in_telegram.startswith('<div><p class="messenger">«In Telegram»</p>\n')
        assert in_telegram.endswith(f"{printed(telegram, code)}</div>")
        assert qr(telegram) in in_telegram
        assert in_max.startswith('<div><p class="messenger">«In MAX»</p>\n')
        assert in_max.endswith(f"{printed(max_link, code)}</div>")
        assert qr(max_link) in in_max
        assert (
            "<p>«Scan the code of the messenger you use with your phone or open its link:»</p>"
            in card
        )
        assert "open the link in Telegram" not in card
    first = cards(page)[0]
    assert "<h2>Иванова &lt;b&gt;Ольга&lt;/b&gt; &amp; Co</h2>" in first
    assert first.index("«Children:") < first.index('class="pair"') < first.index("«Valid until")


def test_both_codes_fit_on_the_card_side_by_side_with_the_longest_names() -> None:
    longest = BotNames(telegram="t" * 32, max="m" * 64)  # what the settings allow
    card = cards(render_html(INVITES[:1], longest, TZ, mark))[0]
    widths = [int(width) for width in re.findall(r'<svg width="(\d+)"', card)]
    assert len(widths) == 2
    # 8.5 cm of card (CSS: 96 px to the inch) less the 0.1 cm gap between the codes.
    assert sum(widths) / 96 * 2.54 <= 8.5 - 0.1
