"""Office hours as a staff member sees and changes them."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.messaging.hours import BadHours
from handlers.callbacks import OfficeHoursChoice
from handlers.views.formatting import esc


def _button(text: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=OfficeHoursChoice(value=value).pack())


def hours_view(current: str) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n".join(
        [
            _("🕗 <b>Office hours</b>: {hours}").format(hours=esc(current)),
            _(
                "Questions from families sent outside them wait until the next opening, and the "
                "family is told when you will get them."
            ),
        ]
    )
    rows = [
        [
            _button(_("School days 08–18"), "default"),
            _button(_("Mon–Fri 09–17"), "weekdays"),
        ],
        [_button(_("Always"), "always"), _button(_("✏️ Other…"), "custom")],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def type_prompt() -> str:
    return _(
        "Send your office hours, for example «пн-пт 08:00-18:00», «mon-fri 9:00-17:00; "
        "sat 10:00-12:00» or «always»."
    )


def bad_hours(bad: BadHours) -> str:
    reason = _(bad.message).format(**bad.params)
    return _(
        "I could not read these office hours: {reason}. Try again, e.g. «пн-пт 08:00-18:00»."
    ).format(reason=esc(reason))
