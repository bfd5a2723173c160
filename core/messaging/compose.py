"""A draft being written in a chat, and sending it: the same for every messenger.

A messenger adapter keeps the draft in its conversation state as a plain dict
(:meth:`Draft.to_state` / :meth:`Draft.from_state`: JSON-safe, so a Redis state store can hold
it), adds text and files as they arrive (checked at once, so the user hears at once what is
wrong), and calls :func:`send_draft` on "Send". Nothing in the draft is trusted: the use case
it calls checks access, recipient and limits again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.messaging.announcements import announce
from core.messaging.drafts import check_attachment, clean_text
from core.messaging.dto import AnnouncementReceipt, Attachment, Receipt
from core.messaging.errors import MessagingRefused, Refusal
from core.messaging.rules import MessagingRules
from core.messaging.threads import ask, post
from core.models.enums import AnnouncementAudience, AttachmentKind, Messenger
from core.reader import Reader


class DraftKind(StrEnum):
    ASK = "ask"  # a new question (child, staff, role, subject)
    POST = "post"  # a family follow-up in a thread
    ANSWER = "answer"  # a staff answer in a thread (may go to all guardians)
    ANNOUNCE = "announce"  # an announcement (target, audience, toggles)


@dataclass(frozen=True, slots=True)
class Draft:
    kind: DraftKind
    heading: str = ""  # what the preview says it is ("To … · About …"), rendered by the adapter
    text: str = ""
    files: tuple[Attachment, ...] = ()
    child: int = 0
    staff: int = 0
    role: str = ""
    subject: int = 0
    thread: int = 0
    target: str = ""
    grade: int = 0
    class_id: int = 0
    group_id: int = 0
    audience: str = AnnouncementAudience.GUARDIANS.value
    ack: bool = False
    urgent: bool = False
    may_urgent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # the adapter's own (a preview's id)

    def to_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {name: getattr(self, name) for name in _SCALARS}
        state["extra"] = dict(self.extra)  # the state's own copy, not the draft's dict
        state["kind"] = self.kind.value
        state["files"] = [
            {
                "kind": f.kind.value,
                "file_key": f.file_key,
                "file_name": f.file_name,
                "mime_type": f.mime_type,
                "size": f.size,
            }
            for f in self.files
        ]
        return state

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Draft | None:
        """The draft kept in a chat's state, or None when there is none (or it is garbled:
        a value of the wrong type would otherwise fail later, in a check or in SQL)."""
        try:
            files = tuple(
                Attachment(
                    kind=AttachmentKind(f["kind"]),
                    file_key=_typed(f["file_key"], str),
                    file_name=_typed(f.get("file_name"), str, optional=True),
                    mime_type=_typed(f.get("mime_type"), str, optional=True),
                    size=_typed(f.get("size"), int, optional=True),
                )
                for f in data.get("files", [])
            )
            values = {key: _typed(data[key], kind) for key, kind in _SCALARS.items() if key in data}
            AnnouncementAudience(values.get("audience", AnnouncementAudience.GUARDIANS.value))
            return cls(kind=DraftKind(data["kind"]), files=files, **values)
        except (AttributeError, KeyError, TypeError, ValueError):
            return None


# The draft's plain fields and their types in a chat's state.
_SCALARS: dict[str, type] = {
    "heading": str,
    "text": str,
    "child": int,
    "staff": int,
    "role": str,
    "subject": int,
    "thread": int,
    "target": str,
    "grade": int,
    "class_id": int,
    "group_id": int,
    "audience": str,
    "ack": bool,
    "urgent": bool,
    "may_urgent": bool,
    "extra": dict,
}


def _typed(value: Any, kind: type, *, optional: bool = False) -> Any:
    """``value`` when it is a ``kind`` (a bool is no int here), else TypeError."""
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise TypeError(f"{kind.__name__} expected")
    return value


def with_text(draft: Draft, text: str, rules: MessagingRules) -> Draft:
    """The draft with its text replaced (a refusal when the text is over the limit)."""
    limit = announcement_limit(rules) if draft.kind == DraftKind.ANNOUNCE else rules.max_chars
    cleaned = text.strip()
    if len(cleaned) > limit:
        raise MessagingRefused(Refusal.TOO_LONG, limit=limit)
    return replace(draft, text=cleaned)


def with_file(draft: Draft, attachment: Attachment, rules: MessagingRules) -> Draft:
    """The draft with one more file (refused: a wrong type, too big, one too many)."""
    check_attachment(attachment, rules)
    if len(draft.files) >= rules.max_files:
        raise MessagingRefused(Refusal.TOO_MANY_FILES, limit=rules.max_files)
    return replace(draft, files=(*draft.files, attachment))


def announcement_limit(rules: MessagingRules) -> int:
    # An announcement and its heading must fit one message (4,096 characters).
    return max(rules.max_chars, 3500)


async def send_draft(
    session: AsyncSession,
    reader: Reader,
    rules: MessagingRules,
    draft: Draft,
    *,
    messenger: Messenger,
    now: datetime,
    to_all_guardians: bool = False,
) -> Receipt | AnnouncementReceipt:
    """Send what the draft says through its use case; every check runs again there."""
    if draft.kind == DraftKind.ASK:
        return await ask(
            session,
            reader,
            rules,
            student_id=draft.child,
            staff_id=draft.staff,
            addressed_as=draft.role,
            subject_id=draft.subject or None,
            text=draft.text,
            attachments=draft.files,
            messenger=messenger,
            now=now,
        )
    if draft.kind in (DraftKind.POST, DraftKind.ANSWER):
        return await post(
            session,
            reader,
            rules,
            thread_id=draft.thread,
            text=draft.text,
            attachments=draft.files,
            messenger=messenger,
            now=now,
            to_all_guardians=to_all_guardians and draft.kind == DraftKind.ANSWER,
        )
    long_rules = replace(rules, max_chars=announcement_limit(rules))
    return await announce(
        session,
        reader,
        long_rules,
        target=draft.target,
        grade=draft.grade or None,
        class_id=draft.class_id or None,
        group_id=draft.group_id or None,
        audience=AnnouncementAudience(draft.audience),
        text=draft.text,
        attachments=draft.files,
        urgent=draft.urgent,
        ask_ack=draft.ack,
        messenger=messenger,
        now=now,
    )


def clean_required(draft: Draft, rules: MessagingRules) -> None:
    """Refuse an empty draft before anything is looked up (an announcement's longer limit)."""
    if not draft.files:
        if draft.kind == DraftKind.ANNOUNCE:
            rules = replace(rules, max_chars=announcement_limit(rules))
        clean_text(draft.text, rules)
