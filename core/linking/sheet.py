"""The operator's copy of freshly issued codes: a CSV list and a printable HTML sheet.

One card per person with the name, the class, the deep link ``https://t.me/<bot>?start=<code>``
and its QR code (inline SVG, so the sheet is one self-contained file that prints anywhere).
Both files hold live codes: they are created readable by their owner only.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import segno

from core.i18n import N_
from core.linking.dto import IssuedInvite

Gettext = Callable[[str], str]

_SCAN = N_("Scan the code with your phone or open the link in Telegram:")
CSV_HEADER = ("person_id", "kind", "name", "classes", "code", "link", "expires")


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def _local(at: datetime, timezone: ZoneInfo) -> datetime:
    return at.astimezone(timezone)


def render_csv(invites: Sequence[IssuedInvite], bot_username: str, timezone: ZoneInfo) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for invite in invites:
        writer.writerow(
            (
                invite.person_external_id,
                invite.person_kind,
                invite.person_name,
                ";".join(invite.class_names),
                invite.code,
                deep_link(bot_username, invite.code),
                _local(invite.expires_at, timezone).isoformat(timespec="minutes"),
            )
        )
    return buffer.getvalue()


_STYLE = """
body { font-family: sans-serif; margin: 1cm; }
.cards { display: flex; flex-wrap: wrap; gap: 0.5cm; }
.card { border: 1px dashed #888; padding: 0.4cm; width: 8.5cm; page-break-inside: avoid;
        break-inside: avoid; }
.card h2 { font-size: 13pt; margin: 0 0 0.2cm; }
.card p { font-size: 10pt; margin: 0.1cm 0; }
.card svg { display: block; margin: 0.2cm auto; }
.link { font-family: monospace; font-size: 8pt; word-break: break-all; }
"""


def _card(invite: IssuedInvite, bot_username: str, timezone: ZoneInfo, _: Gettext) -> str:
    link = deep_link(bot_username, invite.code)
    qr = segno.make_qr(link, error="m").svg_inline(scale=3)
    lines = [f"<h2>{html.escape(invite.person_name)}</h2>"]
    if invite.class_names:
        classes = html.escape(", ".join(invite.class_names))
        lines.append(f"<p>{html.escape(_(N_('Class')))}: {classes}</p>")
    if invite.students:
        children = html.escape("; ".join(invite.students))
        lines.append(f"<p>{html.escape(_(N_('Children')))}: {children}</p>")
    expires = f"{_local(invite.expires_at, timezone):%d.%m.%Y %H:%M}"
    lines += [
        f"<p>{html.escape(_(_SCAN))}</p>",
        qr,
        f'<p class="link">{html.escape(link)}</p>',
        f"<p>{html.escape(_(N_('Valid until {date}; works once.')).format(date=expires))}</p>",
    ]
    return '<div class="card">' + "\n".join(lines) + "</div>"


def render_html(
    invites: Sequence[IssuedInvite], bot_username: str, timezone: ZoneInfo, gettext: Gettext
) -> str:
    title = html.escape(gettext(N_("Invitations to the school journal bot")))
    cards = "\n".join(_card(invite, bot_username, timezone, gettext) for invite in invites)
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head>\n<body><h1>{title}</h1>\n"
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
    bot_username: str,
    timezone: ZoneInfo,
    now: datetime,
    gettext: Gettext,
) -> tuple[Path, Path]:
    """Write ``invites-<label>-<time>.csv`` and ``.html`` in ``directory``; return both paths."""
    safe = re.sub(r"[^\w-]+", "_", label).strip("_") or "invites"
    stem = f"invites-{safe}-{_local(now, timezone):%Y%m%d-%H%M%S}"
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = directory / f"{stem}.csv", directory / f"{stem}.html"
    # UTF-8 with a BOM: spreadsheet programs on Windows then read the Cyrillic names right.
    _write_private(csv_path, "\ufeff" + render_csv(invites, bot_username, timezone))
    _write_private(html_path, render_html(invites, bot_username, timezone, gettext))
    return csv_path, html_path
