"""The invite sheet as a school prints it: headless Chromium prints the HTML to an A4 PDF, and
poppler reads it back as a person would look at it — how many pages, which words on which
page (pdftotext), where the codes are drawn and how large (pdftoppm).

A class of 41 guardians fills 6 pages, 8 cards a page (7 pages of 6 with both messengers'
codes on every card); every card is whole on one page; every word is in the operator's
language. Chromium and poppler are Debian packages (``chromium``, ``poppler-utils``) that
``.ci/run`` installs: without them these tests fail, saying what to install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import product
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import segno
from PIL import Image

from core.i18n import gettext_for
from core.linking.codes import new_code
from core.linking.dto import IssuedInvite
from core.linking.sheet import BotNames, render_html, write_sheets
from core.models.enums import Role

TZ = ZoneInfo("Asia/Yekaterinburg")
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 12, 20, 9, 30, tzinfo=UTC)  # 14:30 in Yekaterinburg
TELEGRAM = BotNames(telegram="school_journal_bot")
BOTH = BotNames(telegram="school_journal_bot", max="school_journal_max_bot")
TG_PREFIX = "https://t.me/school_journal_bot?start="
MAX_PREFIX = "https://max.ru/school_journal_max_bot?start="
CLASS_SIZE = 41
A4_POINTS = (595, 842)  # 210 × 297 mm
# The layout's promise (core/linking/sheet.py): 8 cards a page with one messenger, 6 with two.
ONE_MESSENGER_PAGES = [8, 8, 8, 8, 8, 1]
TWO_MESSENGER_PAGES = [6, 6, 6, 6, 6, 6, 5]
# Where the cards lie on an A4 page: 10 mm margins, two columns of 95 mm, rows of 69 mm.
MARGIN_MM, CARD_WIDTH_MM, CARD_HEIGHT_MM = 10, 95, 69
PX_PER_MM = 10  # pages rasterised at 254 dpi
CSS_PX_MM = 25.4 / 96  # the size of a CSS pixel on paper printed at 100 %
QR_SCALE = 3  # CSS pixels a module (core/linking/sheet.py)

SURNAMES = ("Алексеева", "Борисова", "Волкова", "Громова", "Егорова", "Жукова", "Зайцева")
FIRST_NAMES = ("Анна", "Вера", "Галина", "Дарья", "Елена", "Ирина")
PATRONYMICS = ("Андреевна", "Петровна")
CHILDREN = ("Андрей", "Борис", "Вадим", "Глеб", "Денис", "Егор", "Захар")

_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)
RUSSIAN_WORDS = (
    "Приглашение в бот электронного журнала",
    "Наведите камеру телефона на код или откройте ссылку в Telegram:",
    "Действует до 20 декабря 2026 г., 14:30. Срабатывает один раз.",
)
SCAN_EITHER = (
    "Отсканируйте телефоном код того мессенджера, которым пользуетесь, или откройте его ссылку:"
)
ENGLISH_WORDS = (
    "Invitation to the school journal bot",
    "Scan the code with your phone or open the link in Telegram:",
    "Valid until December 20, 2026, 2:30 PM. Works once.",
)


def tool(command: str, package: str) -> str:
    """The path of ``command``; a failure (never a skip) naming the package when it is absent."""
    path = shutil.which(command)
    if path is None:
        pytest.fail(
            f"{command} is not installed: apt-get install -y {package} (.ci/run installs it); "
            "the printed invite sheet cannot be checked without it",
            pytrace=False,
        )
    return path


def guardians() -> list[IssuedInvite]:
    """A class of 41 guardians, every fifth with a second child in another class."""
    names = [" ".join(parts) for parts in product(SURNAMES, FIRST_NAMES, PATRONYMICS)]
    invites = []
    for number, name in enumerate(names[:CLASS_SIZE], start=1):
        surname = name.split()[0].removesuffix("а")
        children = [f"{surname} {CHILDREN[number % len(CHILDREN)]}, 7А"]
        classes = ["7А"]
        if number % 5 == 0:
            children.append(f"{surname}а Мария, 5Б")
            classes.append("5Б")
        invites.append(
            IssuedInvite(
                invite_id=number,
                role=Role.GUARDIAN,
                person_kind="guardian",
                person_id=number,
                person_external_id=f"G{number}",
                person_name=name,
                students=tuple(children),
                # The first code has underscores in a row, which print as a line.
                code=new_code() if number > 1 else "Ab___cdefghijklmnopqrstuvwxyz012",
                expires_at=EXPIRES,
                class_names=tuple(classes),
            )
        )
    assert len({invite.person_name for invite in invites}) == CLASS_SIZE
    return invites


@dataclass(frozen=True)
class Printed:
    """A sheet printed to PDF: its cards, its HTML, its page count and each page's words."""

    invites: list[IssuedInvite]
    page_html: str
    pdf: Path
    pages: int
    page_size: tuple[int, int]
    texts: list[str]  # each page's text, its whitespace collapsed to single spaces
    lines: list[list[str]]  # each page's lines as pdftotext reads them


def print_sheet(directory: Path, bots: BotNames, locale: str) -> Printed:
    """Write the sheet as ``journal invites issue`` does, print it with Chromium, read it back."""
    chromium = tool("chromium", "chromium")
    pdfinfo, pdftotext = tool("pdfinfo", "poppler-utils"), tool("pdftotext", "poppler-utils")
    invites = guardians()
    _, html_path = write_sheets(
        invites,
        directory=directory,
        label="7А",
        bots=bots,
        timezone=TZ,
        now=NOW,
        gettext=gettext_for(locale),
    )
    pdf = directory / "sheet.pdf"
    printed = subprocess.run(
        [
            chromium,
            *_CHROMIUM_FLAGS,
            f"--user-data-dir={directory / 'chromium-profile'}",
            f"--print-to-pdf={pdf}",
            html_path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert pdf.is_file(), printed.stderr[-2000:]
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    count = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    assert count is not None, info
    assert size is not None, info
    pages = int(count.group(1))
    text = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    raw = text.split("\f")[:-1]  # a form feed ends each page
    assert len(raw) == pages
    return Printed(
        invites,
        html_path.read_text(encoding="utf-8"),
        pdf,
        pages,
        (round(float(size.group(1))), round(float(size.group(2)))),
        [" ".join(page.split()) for page in raw],
        [page.splitlines() for page in raw],
    )


@pytest.fixture(scope="module")
def russian(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    return print_sheet(tmp_path_factory.mktemp("ru"), TELEGRAM, "ru")


def page_of(printed: Printed, code: str) -> int:
    """The one page that holds ``code``, whole; fails when it is on none, or printed twice."""
    found = [number for number, text in enumerate(printed.texts) for _ in range(text.count(code))]
    assert len(found) == 1, f"the code {code} is printed {len(found)} times, not once"
    return found[0]


def test_a_class_of_41_guardians_prints_on_6_pages_of_8_whole_cards(russian: Printed) -> None:
    assert russian.page_size == A4_POINTS
    assert russian.pages == len(ONE_MESSENGER_PAGES) == 6  # 21 pages before (2 cards a page)
    assert russian.pages <= 7
    on_page = [0] * russian.pages
    for invite in russian.invites:
        page = page_of(russian, invite.code)
        on_page[page] += 1
        text = russian.texts[page]
        # The card is whole on the page of its code: the name, the link before the code, the
        # words under the code's picture.
        assert invite.person_name in text
        assert invite.code in russian.lines[page]  # on a line of its own, under the link
        assert TG_PREFIX in russian.lines[page]
        assert sum(text.count(invite.person_name) for text in russian.texts) == 1
    assert on_page == ONE_MESSENGER_PAGES
    for text, cards in zip(russian.texts, ONE_MESSENGER_PAGES, strict=True):
        for words in RUSSIAN_WORDS:
            assert text.count(words) == cards, (words, text)


def test_every_word_of_a_russian_sheet_is_russian(russian: Printed) -> None:
    text = " ".join(russian.texts)
    for english in ("Class:", "Classes:", "Child:", "Children:", "Valid until", "Works once"):
        assert english not in text
    assert text.count("Класс: 7А ") == 33
    assert text.count("Классы: 7А, 5Б ") == 8  # the guardians with a child in 5Б too
    assert text.count("Ребёнок: ") == 33
    assert text.count("Дети: ") == 8
    # Latin letters only in what is not a word: the links and their codes, and the messenger.
    codes = {invite.code for invite in russian.invites}
    latin = {word for word in text.split() if re.search("[A-Za-z]", word)}
    assert latin - codes == {TG_PREFIX, "Telegram:"}
    # Paper needs neither the screen's title nor its hint on printing (each card has its own).
    assert "Приглашения в бот" not in text
    assert "пунктирным" not in text
    assert '<html lang="ru">' in russian.page_html


def test_the_sheet_needs_nothing_from_outside() -> None:
    page = render_html(guardians(), TELEGRAM, TZ, gettext_for("ru")).lower()
    for outside in ("src=", "href=", "url(", "@import", "<link", "<script", "<img"):
        assert outside not in page
    assert "@page { size: a4;" in page
    assert "break-inside: avoid" in page


def runs(dark: np.ndarray, length: int) -> np.ndarray:
    """Where a run of ``length`` dark pixels starts in each row of ``dark``."""
    ends = np.cumsum(np.pad(dark, ((0, 0), (1, 0))).astype(np.int32), axis=1)
    return np.asarray(ends[:, length:] - ends[:, :-length] == length)


def qr_box(card: np.ndarray) -> tuple[int, int, int, int]:
    """The QR symbol's box (left, top, right, bottom) among a card's dark pixels, from its
    finder patterns: 7 modules (5.6 mm) of dark, across at the top of the top-left and top-right
    ones and the bottom of the bottom-left one, down at the left of the two left ones. Runs of
    4 mm both ways belong to no letter and no dash of a cut line; a code's ``___`` is such a
    run across, but never down."""
    length = 4 * PX_PER_MM
    _, down = np.nonzero(runs(card.T, length))
    assert down.size, "no QR code in the card"
    top, bottom = int(down.min()), int(down.max()) + length
    rows, across = np.nonzero(runs(card[top:bottom], length))
    return int(across.min()), top, int(across.max()) + length, top + int(rows.max()) + 1


def test_the_codes_print_full_size_inside_their_cards_with_their_quiet_zone(
    russian: Printed, tmp_path: Path
) -> None:
    pdftoppm = tool("pdftoppm", "poppler-utils")
    subprocess.run(
        [pdftoppm, "-gray", "-png", "-r", str(round(PX_PER_MM * 25.4)), "-f", "1", "-l", "1",
         str(russian.pdf), str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    dark = np.asarray(Image.open(tmp_path / "page-1.png").convert("L")) < 128
    assert abs(dark.shape[0] - 2970) <= 2  # A4 at 10 pixels a millimetre
    assert abs(dark.shape[1] - 2100) <= 2
    inset = PX_PER_MM  # clear of the cut lines
    for number, invite in enumerate(russian.invites[:8]):
        row, column = divmod(number, 2)
        left = (MARGIN_MM + column * CARD_WIDTH_MM) * PX_PER_MM + inset
        top = (MARGIN_MM + row * CARD_HEIGHT_MM) * PX_PER_MM + inset
        card = dark[top : top + CARD_HEIGHT_MM * PX_PER_MM - 2 * inset,
                    left : left + CARD_WIDTH_MM * PX_PER_MM - 2 * inset]  # fmt: skip
        x0, y0, x1, y1 = qr_box(card)
        symbol = segno.make_qr(TG_PREFIX + invite.code, error="m")
        modules = symbol.symbol_size(scale=1, border=0)[0]
        module_mm = QR_SCALE * CSS_PX_MM  # 0.79 mm: printed at 100 %, easy for any phone
        size = modules * module_mm * PX_PER_MM
        assert abs((x1 - x0) - size) <= 3, (number, x1 - x0, size)
        assert abs((y1 - y0) - size) <= 3, (number, y1 - y0, size)
        # The quiet zone (4 modules) is white: nothing of the card's text touches the symbol.
        quiet = round(4 * module_mm * PX_PER_MM)
        cut = f"card {number + 1}: the code's quiet zone is cut"
        assert min(x0, y0) >= quiet, cut
        assert x1 + quiet <= card.shape[1], cut
        assert y1 + quiet <= card.shape[0], cut
        around = card[y0 - quiet : y1 + quiet, x0 - quiet : x1 + quiet].copy()
        around[quiet:-quiet, quiet:-quiet] = False
        assert not around.any(), f"something is printed in the quiet zone of card {number + 1}"


def test_an_english_sheet_has_english_words(tmp_path: Path) -> None:
    printed = print_sheet(tmp_path, TELEGRAM, "en")
    assert printed.pages == 6
    text = " ".join(printed.texts)
    for words in ENGLISH_WORDS:
        assert text.count(words) == CLASS_SIZE, words
    assert text.count("Class: 7А ") == 33
    assert text.count("Classes: 7А, 5Б ") == 8
    assert text.count("Child: ") == 33
    assert text.count("Children: ") == 8
    for russian in ("Приглашение", "Наведите", "Действует", "Класс", "Ребёнок", "Дети:"):
        assert russian not in text
    assert '<html lang="en">' in printed.page_html


def on_page_cards(text: str) -> int:
    return text.count("Приглашение в бот электронного журнала")


def test_with_both_messengers_a_page_holds_6_whole_cards(tmp_path: Path) -> None:
    printed = print_sheet(tmp_path, BOTH, "ru")
    assert printed.pages == len(TWO_MESSENGER_PAGES) == 7
    on_page = [0] * printed.pages
    for invite in printed.invites:
        pages = [n for n, text in enumerate(printed.texts) if invite.person_name in text]
        assert len(pages) == 1
        text = printed.texts[pages[0]]
        on_page[pages[0]] += 1
        # Both links on the card's page, each code whole on a line under its messenger's code.
        assert sum(page.count(invite.code) for page in printed.texts) == 2
        assert printed.lines[pages[0]].count(invite.code) == 2  # whole, on lines of their own
        # The links wrap where the browser likes; each card has both.
        cards, unwrapped = on_page_cards(text), text.replace(" ", "")
        assert unwrapped.count(TG_PREFIX) == unwrapped.count(MAX_PREFIX) == cards
    assert on_page == TWO_MESSENGER_PAGES
    joined = " ".join(printed.texts)
    assert joined.count("В Telegram В MAX") == CLASS_SIZE
    assert joined.count(SCAN_EITHER) == CLASS_SIZE
    assert "Scan the code" not in joined


def test_the_sheet_speaks_the_language_of_its_catalogue() -> None:
    """``journal invites issue`` hands the sheet the operator's catalogue (DEFAULT_LOCALE): the
    dates follow it without being told."""
    invite = guardians()[:1]
    # Babel's dates hold no-break spaces ("2026\u202fг."): compared as a reader sees them.
    russian = " ".join(render_html(invite, TELEGRAM, TZ, gettext_for("ru")).split())
    assert '<html lang="ru">' in russian
    assert "Действует до 20 декабря 2026 г., 14:30." in russian
    english = " ".join(render_html(invite, TELEGRAM, TZ, gettext_for("en")).split())
    assert '<html lang="en">' in english
    assert "Valid until December 20, 2026, 2:30 PM." in english
    told: Callable[[str], str] = lambda message: message  # noqa: E731 - a catalogue-less gettext
    assert '<html lang="ru">' in render_html(invite, TELEGRAM, TZ, told, locale="ru")
