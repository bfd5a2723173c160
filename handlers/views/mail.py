"""The mail's shared wording: who a recipient is, a thread's status, files, context lines.

Everything a user typed is escaped by the views; dates are in the school's time zone and the
reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.messaging.dto import (
    Addressee,
    Attachment,
)
from core.models.enums import ThreadStatus
from handlers.labels import N_
from handlers.views.formatting import esc
from handlers.views.limits import fit

ADDRESSEE_LABELS: dict[Addressee, str] = {
    Addressee.TEACHER: N_("teacher"),
    Addressee.CLASS_TEACHER: N_("class teacher"),
    Addressee.HEAD_TEACHER: N_("head teacher"),
    Addressee.SOCIAL_PEDAGOGUE: N_("social pedagogue"),
    Addressee.PSYCHOLOGIST: N_("psychologist"),
    Addressee.ADMIN: N_("school administration"),
    Addressee.SECRETARY: N_("secretary"),
}
STATUS_LABELS: dict[ThreadStatus, str] = {
    ThreadStatus.OPEN: N_("waiting for an answer"),
    ThreadStatus.ANSWERED: N_("answered"),
    ThreadStatus.CLOSED: N_("closed"),
}


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def role_phrase(addressed_as: Addressee, subject: str | None) -> str:
    """ "teacher of Алгебра", "class teacher": what the recipient was written to as."""
    if addressed_as == Addressee.TEACHER and subject:
        return _("teacher of {subject}").format(subject=subject)
    return _(ADDRESSEE_LABELS[addressed_as])


def role_label(addressed_as: Addressee, subject: str | None) -> str:
    if addressed_as == Addressee.TEACHER and subject:
        return subject
    return _(ADDRESSEE_LABELS[addressed_as]).capitalize()


def files_line(files: Sequence[Attachment]) -> str:
    names = ", ".join(esc(f.file_name or _("photo")) for f in files)
    return ngettext("📎 {n} file: {names}", "📎 {n} files: {names}", len(files)).format(
        n=len(files), names=names
    )


def context_line(child: str, class_name: str | None, subject: str | None) -> str:
    parts = [esc(child) + (f", {esc(class_name)}" if class_name else "")]
    if subject:
        parts.append(esc(subject))
    return " · ".join(parts)


def fit_text(text: str, more: str | None = None) -> str:
    """One message (a push, a preview): cut at the limit, ``more`` saying where the rest is
    (the record keeps the whole text)."""
    cut = more or _("… the rest does not fit into one message; the whole text is kept.")
    return fit(text.split("\n"), cut)
