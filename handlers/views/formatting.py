"""Small rendering helpers shared by the views: escaping, names, dates in the reader's locale."""

from __future__ import annotations

import html
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from core.linking.dto import ChildRef


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def child_line(child: ChildRef) -> str:
    if child.class_name:
        return f"{esc(child.name)}, {esc(child.class_name)}"
    return esc(child.name)


def current_locale() -> str:
    i18n = I18n.get_current(no_error=True)
    return i18n.current_locale if i18n is not None else "ru"


def local_time(moment: datetime, timezone: ZoneInfo, *, today: datetime | None = None) -> str:
    """``14:05`` on the same local day as ``today``, else ``29 ноября, 14:05``."""
    local = moment.astimezone(timezone)
    same_day = today is not None and today.astimezone(timezone).date() == local.date()
    pattern = "HH:mm" if same_day else "d MMMM, HH:mm"
    return format_datetime(local, pattern, tzinfo=timezone, locale=current_locale())


def day_month(day: date) -> str:
    """``30 ноября`` / ``30 November`` in the reader's locale."""
    return format_date(day, "d MMMM", locale=current_locale())


def average(value: Decimal | None) -> str:
    """A weighted average with two decimals in the reader's locale (``4,33`` in Russian)."""
    if value is None:
        return "—"
    return format_decimal(value, "0.00", locale=current_locale())
