"""A ``NewMessageBody`` (send, edit, callback answer) checked and turned into what MAX stores.

Shared by ``POST /messages``, ``PUT /messages`` and ``POST /answers`` so the three apply one set
of rules: text at most 4000 characters (counted as MAX's Java validation counts, in UTF-16 units,
on the text as sent), ``format`` "html" parsed strictly, "markdown" kept as sent (the fake does
not render Markdown), attachments checked, ``link`` resolved to the message it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fake_max import attachments
from tests.fake_max.errors import ATTACHMENT_NOT_READY, bad_request, not_found
from tests.fake_max.html_markup import EntityParseError, parse_max_html
from tests.fake_max.records import MessageState, StoredFile
from tests.fake_max.state import World
from tests.fake_telegram.html_text import utf16_len

MAX_TEXT = 4000
FORMATS = ("markdown", "html")


@dataclass(frozen=True)
class Content:
    text: str | None  # as sent, markup included
    format: str | None
    plain: str | None  # as shown
    markup: list[dict[str, Any]] | None
    attachments: list[dict[str, Any]] | None  # stored form; None when the body had none
    files: list[StoredFile] = field(default_factory=list)
    link: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        return not self.text and not self.attachments and self.link is None


def read(world: World, body: dict[str, Any], endpoint: str) -> Content:
    """Check a message body; raise MAX's 400/404 for what it refuses."""
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise bad_request("text: must be a string")
    if text is not None and utf16_len(text) > MAX_TEXT:
        raise bad_request(f"text: size must be between 0 and {MAX_TEXT}")
    format = body.get("format")
    if format is not None and format not in FORMATS:
        raise bad_request(f"format: must be one of {', '.join(FORMATS)}, not {format!r}")
    plain, markup = text, None
    if format == "html" and text is not None:
        try:
            plain, markup = parse_max_html(text, strict=world.strict_html)
        except EntityParseError as error:
            raise bad_request(f"text: can't parse HTML: {error}") from None
    requested = body.get("attachments")
    resolved = None
    if requested is not None:
        if not isinstance(requested, list):
            raise bad_request("attachments: must be a list")
        resolved = attachments.resolve(world, requested)
        uploaded = [file for file in resolved.files if file.from_bot and file.data]
        if uploaded and world.faults.take(endpoint, "not_ready"):
            raise ATTACHMENT_NOT_READY
    return Content(
        text=text,
        format=format,
        plain=plain,
        markup=markup or None,
        attachments=resolved.attachments if resolved else None,
        files=resolved.files if resolved else [],
        link=linked(world, body.get("link")),
    )


def linked(world: World, link: Any) -> dict[str, Any] | None:
    """The ``link`` of a new message: the replied-to or forwarded message, as MAX embeds it."""
    if link is None:
        return None
    if not isinstance(link, dict) or link.get("type") not in ("reply", "forward"):
        raise bad_request("link.type: must be reply or forward")
    mid = link.get("mid")
    if not isinstance(mid, str):
        raise bad_request("link.mid: must not be null")
    state = world.messages.get(mid)
    if state is None:
        raise not_found(f"Message {mid} not found")
    return link_to(state, link["type"])


def link_to(state: MessageState, kind: str) -> dict[str, Any]:
    original = state.raw
    return {
        "type": kind,
        "sender": original.get("sender"),
        "chat_id": state.chat_id,
        "message": original["body"],
    }


def edited(world: World, state: MessageState, content: Content) -> MessageState:
    """Apply an edit: text and format when given, attachments when given (``[]`` removes all)."""
    body = dict(state.raw["body"])
    format = state.format
    if content.text is not None:
        body["text"], body["markup"], format = content.plain, content.markup, content.format
    if content.attachments is not None:
        body["attachments"] = content.attachments or None
    raw = {**state.raw, "body": body}
    if content.link is not None:
        raw["link"] = content.link
    return world.store(raw, from_bot=state.from_bot, format=format, edits=state.edits + 1)
