"""The operator's copy of freshly issued codes: a CSV list and a printable HTML sheet.

One code works in both messengers. One card per person with the name, the class, and for each
configured bot its deep link (``https://t.me/<bot>?start=<code>`` on Telegram,
``https://max.ru/<bot>?start=<code>`` on MAX, which hands the code to the bot in its
``bot_started`` event) and the link's QR code (inline SVG, so the sheet is one self-contained
file that prints anywhere). The sheet is laid out for A4: 8 cards a page (6 with both
messengers' codes), cut lines between them, no card ever split by a page break; every word on
it is in the operator's language. Both files hold live codes: they are created readable by
their owner only.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date, format_time

from core.i18n import N_
from core.linking.dto import IssuedInvite

Gettext = Callable[[str], str]

_SCAN = N_("Scan the code with your phone or open the link in Telegram:")
_SCAN_MAX = N_("Scan the code with your phone or open the link in MAX:")
_SCAN_EITHER = N_("Scan the code of the messenger you use with your phone or open its link:")
_IN_TELEGRAM = N_("In Telegram")
_IN_MAX = N_("In MAX")
_TITLE = N_("Invitations to the school journal bot")
_CARD_TITLE = N_("Invitation to the school journal bot")
_PRINT_HINT = N_(
    "Print on A4 at actual size and cut along the dashed lines. Hand each card to its person, "
    "then destroy what is left of the sheet: the codes are live."
)
_CLASS = N_("Class: {classes}")
_CLASSES = N_("Classes: {classes}")
_CHILD = N_("Child: {children}")
_CHILDREN = N_("Children: {children}")
_VALID_UNTIL = N_("Valid until {date}, {time}. Works once.")
# ``link`` stays Telegram's: lists from before MAX read on unchanged (by name or by position).
# With a MAX bot, ``max_link`` comes last; ``link`` is then empty when there is no Telegram bot.
CSV_HEADER = ("person_id", "kind", "name", "classes", "code", "link", "expires")
CSV_HEADER_WITH_MAX = (*CSV_HEADER, "max_link")
# The longest start parameter each messenger hands to its bot: Telegram 64 characters
# (A-Z, a-z, 0-9, _ and -), MAX 128 (dev.max.ru/help/deeplinks). Codes are 32 characters of
# base64url (core.linking.codes): they fit both; a link that would lose its code is refused.
TELEGRAM_START_LIMIT = 64
MAX_START_LIMIT = 128


@dataclass(frozen=True, slots=True)
class BotNames:
    """The bots a code opens: Telegram's @username and MAX's public name; at least one."""

    telegram: str | None = None
    max: str | None = None

    def __post_init__(self) -> None:
        if not (self.telegram or self.max):
            raise ValueError("name a Telegram bot, a MAX bot, or both")


def _fits(code: str, limit: int) -> str:
    if len(code) > limit:
        raise ValueError(f"a code of {len(code)} characters does not fit a start link ({limit})")
    return code


def deep_link(bot_username: str, code: str) -> str:
    """The Telegram link that opens the bot and sends it ``/start <code>``."""
    return f"https://t.me/{bot_username}?start={_fits(code, TELEGRAM_START_LIMIT)}"


def max_deep_link(bot_name: str, code: str) -> str:
    """The MAX link that opens the bot, which gets ``code`` as its ``bot_started`` payload."""
    return f"https://max.ru/{bot_name}?start={_fits(code, MAX_START_LIMIT)}"


def _links(bots: BotNames, code: str) -> list[tuple[str, str]]:
    """(label msgid, link) for each configured messenger, Telegram first."""
    links = []
    if bots.telegram:
        links.append((_IN_TELEGRAM, deep_link(bots.telegram, code)))
    if bots.max:
        links.append((_IN_MAX, max_deep_link(bots.max, code)))
    return links


def _local(at: datetime, timezone: ZoneInfo) -> datetime:
    return at.astimezone(timezone)


def render_csv(invites: Sequence[IssuedInvite], bots: BotNames, timezone: ZoneInfo) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER_WITH_MAX if bots.max else CSV_HEADER)
    for invite in invites:
        row = [
            invite.person_external_id,
            invite.person_kind,
            invite.person_name,
            ";".join(invite.class_names),
            invite.code,
            deep_link(bots.telegram, invite.code) if bots.telegram else "",
            _local(invite.expires_at, timezone).isoformat(timespec="minutes"),
        ]
        if bots.max:
            row.append(max_deep_link(bots.max, invite.code))
        writer.writerow(row)
    return buffer.getvalue()


# Laid out for A4 (``@page``): cards of a fixed size in a two-column grid, so a page holds a
# known number of them, 8 with one messenger (4 rows of 69 mm in the 277 mm between the
# margins) and 6 with both (3 rows of 92 mm: two codes side by side need the height). A card
# grows rather than lose a line when its text is unusually long; ``break-inside: avoid`` then
# moves it whole to the next page. Every card has its own dashed outline; neighbours overlap
# theirs by the border's width (negative margins), so one cut line runs between two cards. The
# screen shows the same cards, with the title and a hint on printing that paper does not need.
_STYLE = """
@page { size: A4; margin: 10mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1cm auto; width: 190mm;
       color: #000; }
h1 { font-size: 16pt; margin: 0 0 0.2cm; }
.hint { font-size: 10pt; color: #444; margin: 0 0 0.5cm; }
.cards { display: grid; grid-template-columns: repeat(2, 95mm);
         grid-auto-rows: minmax(var(--card-height), auto); }
.card { --line: 0.3mm; border: var(--line) dashed #777; margin: 0 calc(-1 * var(--line))
        calc(-1 * var(--line)) 0; padding: 2.5mm 3.5mm; box-sizing: border-box;
        overflow-wrap: anywhere; page-break-inside: avoid; break-inside: avoid; }
.card .head { font-size: 7pt; color: #555; margin: 0 0 0.5mm; }
.card h2 { font-size: 10.5pt; margin: 0 0 1mm; line-height: 1.2; }
.card p { font-size: 8pt; margin: 0 0 1mm; line-height: 1.2; }
.card .body { display: flex; gap: 3mm; align-items: flex-start; }
.card svg { display: block; flex: none; }
.card .link { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; margin: 1mm 0 0; }
.card .code { font-size: 10pt; font-weight: bold; white-space: nowrap; }
@media print {
  body { margin: 0; width: auto; }
  h1, .hint { display: none; }
}
"""
# Only on sheets with both messengers: the two codes side by side, as large as on a card with
# one (scale 3); with the longest names (32 characters on Telegram, 64 on MAX) they take 7.9 cm
# of the card's 8.5. Each link is under its code, in half the card's width: the code's 32
# characters fit one line of it at 6.3 pt (42.8 mm in DejaVu Sans Mono or Courier New, the
# widest common monospace fonts), kept whole: a break after a ``-`` of the code would read as a
# hyphen (pdftotext drops it, a person may too).
_PAIR_STYLE = """.card { padding: 2.5mm 3mm; }
.pair { display: flex; gap: 2mm; }
.pair > div { flex: 1 1 0; min-width: 0; }
.pair svg { margin: 0 auto; }
.card .messenger { font-weight: bold; margin-bottom: 0; text-align: center; }
.pair .link { font-size: 6pt; margin-top: 0.5mm; }
.pair .code { font-size: 6.3pt; }
.pair + p { margin-top: 1.5mm; }
"""
_ONE_CARD_HEIGHT = "69mm"
_PAIR_CARD_HEIGHT = "92mm"


def _qr(link: str) -> str:
    return segno.make_qr(link, error="m").svg_inline(scale=3)


def _link(link: str, code: str) -> str:
    """The link in print, its code kept whole on a line of its own when the link wraps: a family
    that types it must not have to join two halves (nor does a test reading the PDF)."""
    prefix = link.removesuffix(code)
    return (
        f'<p class="link">{html.escape(prefix)}<wbr><span class="code">{html.escape(code)}'
        "</span></p>"
    )


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _language(gettext: Gettext) -> str:
    """The language of the words ``gettext`` gives: its catalogue's ``Language`` header (the
    operator's locale, as ``journal invites issue`` passes it), else English, the msgids'."""
    catalogue = getattr(gettext, "__self__", None)
    info = getattr(catalogue, "info", None)
    language = info().get("language") if callable(info) else None
    return str(language) if language else "en"


def _expires(at: datetime, timezone: ZoneInfo, locale: str) -> tuple[str, str]:
    """The expiry as (date, time) in the reader's words: "20 декабря 2026 г." and "14:30";
    "December 20, 2026" and "2:30 PM"."""
    local = _local(at, timezone)
    return (
        format_date(local.date(), "long", locale=locale),
        format_time(local.time(), "short", locale=locale),
    )


def _card(invite: IssuedInvite, bots: BotNames, timezone: ZoneInfo, _: Gettext, locale: str) -> str:
    head = [
        f'<p class="head">{html.escape(_(_CARD_TITLE))}</p>',
        f"<h2>{html.escape(invite.person_name)}</h2>",
    ]
    about = []
    # "Class"/"Classes" is a label's number, not a count: Russian takes the plural for 21
    # classes as for 2, so one msgid for one and another for several (not ngettext).
    if invite.class_names:
        label = _CLASS if len(invite.class_names) == 1 else _CLASSES
        about.append(_p(_(label).format(classes=", ".join(invite.class_names))))
    if invite.students:
        label = _CHILD if len(invite.students) == 1 else _CHILDREN
        about.append(_p(_(label).format(children="; ".join(invite.students))))
    date, time = _expires(invite.expires_at, timezone, locale)
    valid = _p(_(_VALID_UNTIL).format(date=date, time=time))
    links = _links(bots, invite.code)
    if len(links) == 1:  # the words beside the code, the link below it at the card's width
        scan = _SCAN if bots.telegram else _SCAN_MAX
        link = links[0][1]
        words = "\n".join([*about, _p(_(scan)), valid])
        lines = [
            *head,
            f'<div class="body">{_qr(link)}\n<div>{words}</div></div>',
            _link(link, invite.code),
        ]
    else:  # side by side, each under its messenger's name
        blocks = (
            f'<div><p class="messenger">{html.escape(_(label))}</p>\n{_qr(link)}\n'
            f"{_link(link, invite.code)}</div>"
            for label, link in links
        )
        pair = '<div class="pair">' + "\n".join(blocks) + "</div>"
        lines = [*head, *about, _p(_(_SCAN_EITHER)), pair, valid]
    return '<div class="card">' + "\n".join(lines) + "</div>"


def render_html(
    invites: Sequence[IssuedInvite],
    bots: BotNames,
    timezone: ZoneInfo,
    gettext: Gettext,
    *,
    locale: str | None = None,
) -> str:
    """The sheet in one language: every word through ``gettext``, dates in ``locale`` (by
    default the language of ``gettext``'s catalogue)."""
    locale = locale or _language(gettext)
    title = html.escape(gettext(_TITLE))
    hint = html.escape(gettext(_PRINT_HINT))
    cards = "\n".join(_card(invite, bots, timezone, gettext, locale) for invite in invites)
    pair = bool(bots.telegram and bots.max)
    height = _PAIR_CARD_HEIGHT if pair else _ONE_CARD_HEIGHT
    style = f":root {{ --card-height: {height}; }}" + _STYLE + (_PAIR_STYLE if pair else "")
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(locale.replace("_", "-"))}"><head>'
        f'<meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head>\n<body><h1>{title}</h1>\n"
        f'<p class="hint">{hint}</p>\n'
        f'<div class="cards">\n{cards}\n</div></body></html>\n'
    )


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` for its owner only; never overwrite (an old sheet may still be needed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
        out.write(text)


def write_sheets(
    invites: Sequence[IssuedInvite],
    *,
    directory: Path,
    label: str,
    bots: BotNames,
    timezone: ZoneInfo,
    now: datetime,
    gettext: Gettext,
    locale: str | None = None,
) -> tuple[Path, Path]:
    """Write ``invites-<label>-<time>.csv`` and ``.html`` in ``directory``; return both paths.

    The sheet speaks the language of ``gettext`` (the operator's ``DEFAULT_LOCALE``): its
    dates follow ``locale`` when given, else the language of ``gettext``'s catalogue."""
    safe = re.sub(r"[^\w-]+", "_", label).strip("_") or "invites"
    stem = f"invites-{safe}-{_local(now, timezone):%Y%m%d-%H%M%S}"
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = directory / f"{stem}.csv", directory / f"{stem}.html"
    # UTF-8 with a BOM: spreadsheet programs on Windows then read the Cyrillic names right.
    _write_private(csv_path, "\ufeff" + render_csv(invites, bots, timezone))
    _write_private(html_path, render_html(invites, bots, timezone, gettext, locale=locale))
    return csv_path, html_path
