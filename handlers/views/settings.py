"""``/settings``: what is pushed, how much it says, quiet hours and the evening digest."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.models.enums import PrivacyLevel
from core.preferences import DIGEST_TIMES, QUIET_HOURS, Preferences
from handlers.callbacks import SettingsChoice
from handlers.labels import N_

KIND_LABELS = {
    "marks": N_("New marks"),
    "absences": N_("Absences"),
    "timetable_changes": N_("Timetable changes"),
    "homework": N_("Homework"),
    "evening_digest": N_("Evening digest"),
    "weekly_summary": N_("Weekly summary"),
    "announcements": N_("Announcements"),
    "risk_warnings": N_("Early warning"),
}


def _button(text: str, key: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=SettingsChoice(key=key, value=value).pack()
    )


# Switches offered to guardians only (early warning is planned for guardians' accounts).
GUARDIAN_KINDS = frozenset({"risk_warnings"})


def settings_view(prefs: Preferences, *, guardian: bool) -> tuple[str, InlineKeyboardMarkup]:
    shown = {
        kind: label for kind, label in KIND_LABELS.items() if guardian or kind not in GUARDIAN_KINDS
    }
    if prefs.quiet_from is None or prefs.quiet_to is None:
        quiet = _("off")
    else:
        quiet = f"{prefs.quiet_from:%H:%M}–{prefs.quiet_to:%H:%M}"
    privacy = (
        _("full: marks are shown in the notification")
        if prefs.privacy == PrivacyLevel.FULL
        else _("minimal: «a new mark in Algebra», details on tap")
    )
    lines = [
        _("<b>Notifications</b>"),
        "",
        *(f"{'✅' if prefs.kinds[kind] else '❌'} {_(label)}" for kind, label in shown.items()),
        "",
        _("Quiet hours: {quiet}").format(quiet=quiet),
        _("Evening digest at {time}").format(time=f"{prefs.digest_at:%H:%M}"),
        _("Privacy: {privacy}").format(privacy=privacy),
        "",
        _("Absence reasons are never sent in a notification."),
    ]
    kinds = [
        _button(f"{'✅' if prefs.kinds[kind] else '❌'} {_(label)}", "kind", kind)
        for kind, label in shown.items()
    ]
    rows = [kinds[i : i + 2] for i in range(0, len(kinds), 2)]
    rows.append(
        [
            _button(
                _("Quiet {hours}").format(hours=key) if key != "off" else _("No quiet hours"),
                "quiet",
                key,
            )
            for key in QUIET_HOURS
        ]
    )
    rows.append(
        [
            _button(_("Digest {time}").format(time=f"{t[:2]}:{t[2:]}"), "digest", t)
            for t in DIGEST_TIMES
        ]
    )
    other = PrivacyLevel.MINIMAL if prefs.privacy == PrivacyLevel.FULL else PrivacyLevel.FULL
    rows.append(
        [
            _button(
                _("Switch to minimal notifications")
                if other == PrivacyLevel.MINIMAL
                else _("Switch to full notifications"),
                "privacy",
                other.value,
            )
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def _quiet_label(key: str) -> str:
    return _("No quiet hours") if key == "off" else _("Quiet {hours}").format(hours=key)
