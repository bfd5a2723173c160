"""What a message may carry: text within the limit, at most five photos or documents.

The checks run twice: when a file or a text arrives (so the user hears at once what is wrong)
and again when the message is sent (a draft kept in a chat's state is not trusted).

Documents are allowed by type: PDF, images, office files (Word, Excel, PowerPoint, LibreOffice,
RTF, plain text). The MIME type a messenger reports comes from the sender's device, so the
file name's extension must agree with an allowed type too; archives and executables are refused
whatever they claim to be.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from core.messaging.dto import Attachment
from core.messaging.errors import MessagingRefused, Refusal
from core.messaging.rules import MessagingRules
from core.models.enums import AttachmentKind

# Extension → the MIME types a device may report for it.
ALLOWED_DOCUMENTS: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".jpg": frozenset({"image/jpeg"}),
    ".jpeg": frozenset({"image/jpeg"}),
    ".png": frozenset({"image/png"}),
    ".heic": frozenset({"image/heic", "image/heif"}),
    ".webp": frozenset({"image/webp"}),
    ".doc": frozenset({"application/msword"}),
    ".docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ".xls": frozenset({"application/vnd.ms-excel"}),
    ".xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    ".ppt": frozenset({"application/vnd.ms-powerpoint"}),
    ".pptx": frozenset(
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation"}
    ),
    ".odt": frozenset({"application/vnd.oasis.opendocument.text"}),
    ".ods": frozenset({"application/vnd.oasis.opendocument.spreadsheet"}),
    ".odp": frozenset({"application/vnd.oasis.opendocument.presentation"}),
    ".rtf": frozenset({"application/rtf", "text/rtf"}),
    ".txt": frozenset({"text/plain"}),
}
_ZIP_BASED = frozenset({".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"})


def clean_text(text: str | None, rules: MessagingRules, *, required: bool = True) -> str:
    """The text as it will be stored (trimmed), or a refusal: empty, or over the limit."""
    cleaned = (text or "").strip()
    if not cleaned and required:
        raise MessagingRefused(Refusal.EMPTY)
    if len(cleaned) > rules.max_chars:
        raise MessagingRefused(Refusal.TOO_LONG, limit=rules.max_chars)
    return cleaned


def check_attachment(attachment: Attachment, rules: MessagingRules) -> None:
    """One file: an allowed type and at most ``rules.max_file_bytes``."""
    if attachment.size is not None and attachment.size > rules.max_file_bytes:
        raise MessagingRefused(Refusal.FILE_TOO_BIG, limit=rules.max_file_bytes)
    if attachment.kind == AttachmentKind.PHOTO:
        return
    if not document_allowed(attachment.file_name, attachment.mime_type):
        raise MessagingRefused(Refusal.FILE_TYPE)


def document_allowed(file_name: str | None, mime_type: str | None) -> bool:
    extension = PurePosixPath(file_name or "").suffix.lower()
    allowed = ALLOWED_DOCUMENTS.get(extension)
    if allowed is None:
        return False
    mime = (mime_type or "").lower()
    # Devices often send office files as a generic type (or a zip): the extension decides.
    if mime in allowed or mime in ("application/octet-stream", ""):
        return True
    return mime == "application/zip" and extension in _ZIP_BASED


def check_attachments(attachments: Sequence[Attachment], rules: MessagingRules) -> None:
    if len(attachments) > rules.max_files:
        raise MessagingRefused(Refusal.TOO_MANY_FILES, limit=rules.max_files)
    for attachment in attachments:
        check_attachment(attachment, rules)


def check_message(
    text: str | None, attachments: Sequence[Attachment], rules: MessagingRules
) -> str:
    """A whole message: text or at least one file; returns the text to store."""
    check_attachments(attachments, rules)
    return clean_text(text, rules, required=not attachments)
