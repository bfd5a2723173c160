"""Read a Bot API call's parameters the way the Bot API server accepts them.

aiogram posts ``application/x-www-form-urlencoded`` (or ``multipart/form-data`` when a file is
attached) with every value a string and objects JSON-encoded; other clients post JSON or use the
query string.  Everything is normalised to JSON-like Python values so method handlers need not care.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fake_telegram.errors import bad_request

# Fields that are always plain strings, even when they look like JSON ("123", "true").
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "language_code",
        "secret_token",
        "action",
        "file_id",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "title",
        "description",
        "short_description",
        "name",
        "emoji",
        "phone_number",
        "first_name",
        "last_name",
    }
)
MARKUP_FIELDS = frozenset({"reply_markup"})


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Return the decoded parameters and the uploaded files, keyed by their form field name."""
    params: dict[str, Any] = {key: _decode(key, value) for key, value in request.query.items()}
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        params.update(body)
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.filename, value.file.read(), value.content_type)
            elif isinstance(value, str):
                params[key] = _decode(key, value)
    return params, uploads


def _decode(key: str, value: str) -> Any:
    if key in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        if key in MARKUP_FIELDS:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
        return value


def chat_id_of(params: dict[str, Any], key: str = "chat_id") -> int | str:
    """A chat id as Telegram reads it: an integer, or an ``@username`` string."""
    value = params.get(key)
    if isinstance(value, bool) or value is None or value == "":
        raise bad_request(f"{key} is empty")
    if isinstance(value, int):
        return value
    text = str(value)
    if text.lstrip("-").isdigit():
        return int(text)
    return text


def int_param(params: dict[str, Any], key: str, default: int | None = None) -> int | None:
    value = params.get(key, default)
    if value is None or isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {key} specified") from None


def bool_param(params: dict[str, Any], key: str) -> bool:
    value = params.get(key, False)
    if isinstance(value, str):
        return value.lower() in {"true", "1"}
    return bool(value)
