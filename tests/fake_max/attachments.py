"""Attachments a bot sends: MAX's keyboard limits, and media by the token an upload returned.

Keyboard limits follow MAX's documentation (dev.max.ru, "Клавиатура") and API schema, which are
wider than maxapi's docstrings: at most 210 buttons in 30 rows, 7 a row, 3 in a row that holds a
link, request_contact, request_geo_location or open_app button; button text 1-128 characters,
callback payload up to 1024, link URL up to 2048.  Each refusal names the rule it broke.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tests.fake_max.errors import bad_request
from tests.fake_max.records import StoredFile
from tests.fake_max.state import World
from tests.fake_telegram.html_text import utf16_len

MAX_ROWS = 30
MAX_PER_ROW = 7
MAX_PER_WIDE_ROW = 3
MAX_BUTTONS = 210
MAX_BUTTON_TEXT = 128
MAX_PAYLOAD = 1024
MAX_URL = 2048
WIDE_TYPES = frozenset({"link", "request_contact", "request_geo_location", "open_app"})
BUTTON_TYPES = frozenset(
    {"callback", "link", "request_contact", "request_geo_location", "chat", "message"}
    | {"open_app", "clipboard"}
)
MEDIA_TYPES = frozenset({"file", "image", "video", "audio"})
PASS_THROUGH_TYPES = frozenset({"sticker", "contact", "location", "share", "reply_keyboard"})


@dataclass(frozen=True)
class Resolved:
    """Attachments as MAX stores them, and the uploaded files they carry."""

    attachments: list[dict[str, Any]]
    files: list[StoredFile]


def resolve(world: World, requested: Iterable[Any]) -> Resolved:
    """Check each requested attachment and turn it into its stored form, or raise 400."""
    stored: list[dict[str, Any]] = []
    files: list[StoredFile] = []
    for index, attachment in enumerate(requested):
        if not isinstance(attachment, dict) or not isinstance(attachment.get("type"), str):
            raise bad_request(f"attachments[{index}]: an object with a type is required")
        kind = attachment["type"]
        if kind == "inline_keyboard":
            stored.append(keyboard(attachment.get("payload")))
        elif kind in MEDIA_TYPES:
            file = media_file(world, kind, attachment.get("payload"), index)
            files.append(file)
            stored.append(media_attachment(world, file))
        elif kind in PASS_THROUGH_TYPES:
            stored.append(_without_nulls(attachment))
        else:
            raise bad_request(f"attachments[{index}]: unknown attachment type {kind!r}")
    return Resolved(stored, files)


def keyboard(payload: Any) -> dict[str, Any]:
    """An ``inline_keyboard`` attachment checked against MAX's limits, nulls dropped."""
    rows = payload.get("buttons") if isinstance(payload, dict) else None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise bad_request("inline keyboard: payload.buttons must be a non-empty list of rows")
    if len(rows) > MAX_ROWS:
        raise bad_request(f"inline keyboard: {len(rows)} rows, at most {MAX_ROWS} (errors.maxRows)")
    for r, row in enumerate(rows, 1):
        _check_row(r, row)
    total = sum(len(row) for row in rows)
    if total > MAX_BUTTONS:
        raise bad_request(f"inline keyboard: {total} buttons, at most {MAX_BUTTONS} in all")
    for r, row in enumerate(rows, 1):
        for c, button in enumerate(row, 1):
            _check_button(r, c, button)
    buttons = [[_without_nulls(button) for button in row] for row in rows]
    return {"type": "inline_keyboard", "payload": {"buttons": buttons}}


def _check_row(r: int, row: list[Any]) -> None:
    if not row:
        raise bad_request(f"inline keyboard row {r}: a row must hold at least one button")
    if len(row) > MAX_PER_ROW:
        raise bad_request(
            f"inline keyboard row {r}: {len(row)} buttons, at most {MAX_PER_ROW} in a row"
        )
    wide = sorted({str(b.get("type")) for b in row if isinstance(b, dict)} & WIDE_TYPES)
    if wide and len(row) > MAX_PER_WIDE_ROW:
        raise bad_request(
            f"inline keyboard row {r}: {len(row)} buttons, at most {MAX_PER_WIDE_ROW} in a row "
            f"holding a {'/'.join(wide)} button"
        )


def _check_button(r: int, c: int, button: Any) -> None:
    where = f"inline keyboard button [{r}][{c}]"
    if not isinstance(button, dict):
        raise bad_request(f"{where}: must be an object")
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        raise bad_request(f"{where}: unknown button type {kind!r}")
    text = button.get("text")
    if not isinstance(text, str) or not 1 <= utf16_len(text) <= MAX_BUTTON_TEXT:
        raise bad_request(f"{where} text: size must be between 1 and {MAX_BUTTON_TEXT}")
    if kind in {"callback", "clipboard"}:
        _check_string(where, "payload", button.get("payload"), 0, MAX_PAYLOAD)
    elif kind == "link":
        _check_string(where, "url", button.get("url"), 1, MAX_URL)
    elif kind == "chat":
        _check_string(where, "chat_title", button.get("chat_title"), 1, 200)


def _check_string(where: str, name: str, value: Any, least: int, most: int) -> None:
    if not isinstance(value, str):
        raise bad_request(f"{where} {name}: must not be null")
    if not least <= utf16_len(value) <= most:
        raise bad_request(f"{where} {name}: size must be between {least} and {most}")


def media_file(world: World, kind: str, payload: Any, index: int) -> StoredFile:
    """The file a media attachment names by token (``photos`` too for images), or 400."""
    payload = payload if isinstance(payload, dict) else {}
    token = payload.get("token")
    photos = payload.get("photos")
    if token is None and kind == "image" and isinstance(photos, dict) and photos:
        first = next(iter(photos.values()))
        token = first.get("token") if isinstance(first, dict) else None
    if token is None and kind == "image" and isinstance(payload.get("url"), str):
        return external_image(world, payload["url"])
    if not isinstance(token, str):
        raise bad_request(f"attachments[{index}].payload.token: must not be null")
    file = world.files.get(token)
    if file is None:
        raise bad_request(f"attachments[{index}]: no uploaded file has this token")
    if file.kind != kind:
        raise bad_request(
            f"attachments[{index}]: the token belongs to an uploaded {file.kind}, not {kind}"
        )
    return file


def external_image(world: World, url: str) -> StoredFile:
    """An image the bot attaches by URL: MAX fetches it; the fake keeps the URL, no bytes."""
    n = world.next_id()
    file = StoredFile(
        file_id=f"i{n}", kind="image", filename=None, content_type=None, data=b"",
        token=world.opaque("image"), photo_id=n, at=world.clock(),
    )  # fmt: skip
    world.files[file.token] = file
    return file


def media_attachment(world: World, file: StoredFile) -> dict[str, Any]:
    """A media attachment as MAX shows it in a message."""
    payload: dict[str, Any] = {"url": world.file_url(file.file_id), "token": file.token}
    if file.kind == "image":
        return {"type": "image", "payload": {"photo_id": file.photo_id, **payload}}
    if file.kind == "file":
        return {"type": "file", "payload": payload, "filename": file.filename, "size": file.size}
    return {"type": file.kind, "payload": payload}


def _without_nulls(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if item is not None}
