"""What the bot says while an account is being linked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.linking.dto import AccountView, LinkOutcome, LinkResult
from core.models.enums import Role
from handlers.callbacks import ConsentAnswer
from handlers.labels import ROLE_LABELS
from handlers.views.formatting import child_line, esc, local_time


def welcome() -> str:
    return _(
        "Hello! I show the school's electronic journal to parents and students: marks, "
        "timetable, homework, attendance.\n\n"
        "To start, link your account in one of two ways:\n"
        "• send the code you received from the school (or open its link);\n"
        "• press «Share my phone number» below: if the school has your number, "
        "I will find your children."
    )


def linked_summary(account: AccountView) -> str:
    lines = [_("Your account is linked.")]
    if account.children:
        lines.append(_("You see:"))
        lines.extend(f"• {child_line(child)}" for child in account.children)
    if account.staff_roles:
        roles = ", ".join(esc(_(ROLE_LABELS[role])) for role in account.staff_roles)
        lines.append(_("Your role at school: {roles}").format(roles=roles))
    lines.append(_("/help lists what I can do."))
    return "\n".join(lines)


def consent_request(messenger: str) -> tuple[str, InlineKeyboardMarkup]:
    """The 152-FZ consent; ``messenger`` names the user's messenger ("Telegram", "MAX")."""
    text = _(
        "<b>Personal data</b>\n"
        "To show you the journal I store your {messenger} id, the link between your account and "
        "the people you are entitled to see, your language and notification settings, and a "
        "record of every time you read a child's data. The school is the operator of this data "
        "(Federal Law No. 152-FZ «On Personal Data»). /privacy tells the details; /logout "
        "deletes it at any time.\n\n"
        "Do you agree to the processing of your personal data for this purpose?"
    ).format(messenger=messenger)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("I agree"), callback_data=ConsentAnswer(agree=True).pack()
                ),
                InlineKeyboardButton(text=_("No"), callback_data=ConsentAnswer(agree=False).pack()),
            ]
        ]
    )
    return text, keyboard


def consent_declined() -> str:
    return _(
        "Nothing was linked and nothing was stored. Without this consent I cannot show journal "
        "data; you can come back at any time."
    )


def link_result(result: LinkResult, timezone: ZoneInfo, now: datetime) -> str:
    if result.outcome in (LinkOutcome.LINKED, LinkOutcome.ALREADY):
        return _linked(result)
    if result.outcome == LinkOutcome.LOCKED and result.locked_until is not None:
        return lockout(result.locked_until, timezone, now)
    if result.outcome == LinkOutcome.NOT_FOUND:
        return _(
            "This phone number is not in the school's records. Ask the class teacher to check "
            "the number the school has, or link with a code from the school."
        )
    if result.outcome == LinkOutcome.OTHER_SCHOOL:
        return _(
            "This bot is one school's own, and what you sent belongs to another school. Send it "
            "to that school's bot (the school's letter names it); nothing was used up."
        )
    text = _("This code does not work: it may be mistyped, already used, revoked or expired.")
    if result.failures_left is not None:
        text += "\n" + ngettext(
            "You have {n} more attempt this hour.",
            "You have {n} more attempts this hour.",
            result.failures_left,
        ).format(n=result.failures_left)
    return text


def _linked(result: LinkResult) -> str:
    lines = [
        _("Done, your account is linked.")
        if result.outcome == LinkOutcome.LINKED
        else _("Your account was already linked to this.")
    ]
    if result.children:
        lines.append(
            ngettext("You now see this child:", "You now see these children:", len(result.children))
        )
        lines.extend(f"• {child_line(child)}" for child in result.children)
    staff_roles = [role for role in result.roles if role not in (Role.GUARDIAN, Role.STUDENT)]
    if staff_roles:
        roles = ", ".join(esc(_(ROLE_LABELS[role])) for role in staff_roles)
        lines.append(_("Your role at school: {roles}").format(roles=roles))
    lines.append(_("/help lists what I can do."))
    return "\n".join(lines)


def lockout(until: datetime, timezone: ZoneInfo, now: datetime) -> str:
    return _(
        "Too many wrong codes. For your children's safety linking is paused until {time}. "
        "Check the code with the school meanwhile."
    ).format(time=local_time(until, timezone, today=now))


def foreign_contact() -> str:
    return _(
        "I can only accept your own phone number, shared with the «Share my phone number» button "
        "below. Other people's or forwarded contacts are not accepted: a phone number proves "
        "who you are only when it is yours."
    )
