"""The Bot API's checks on what a bot sends: text length after parsing, markup, button data.

Only the rules our bot can trip over are enforced, each with Telegram's own error text, so a test
against the fake fails where production would.
"""

from __future__ import annotations

from typing import Any

from tests.fake_telegram.errors import bad_request
from tests.fake_telegram.html_text import EntityParseError, parse_html, strip_text

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
INLINE_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


def parse_text(
    text: str, parse_mode: str | None, entities: Any
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities after parse-mode parsing and trimming.

    Markdown modes are not parsed (the bot speaks HTML): their text is taken as is.
    """
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, found = parse_html(text)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif mode in {"", "markdown", "markdownv2"}:
        plain, found = text, list(entities) if isinstance(entities, list) else []
    else:
        raise bad_request("unsupported parse_mode")
    return strip_text(plain, found)


def message_text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    text = params.get("text")
    if not isinstance(text, str) or not text:
        raise bad_request("message text is empty")
    plain, entities = parse_text(text, params.get("parse_mode"), params.get("entities"))
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, entities


def caption_text(params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    caption = params.get("caption")
    if not isinstance(caption, str) or not caption:
        return None, []
    plain, entities = parse_text(caption, params.get("parse_mode"), params.get("caption_entities"))
    if len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain or None, entities


def reply_markup(params: dict[str, Any], *, inline_only: bool = False) -> dict[str, Any] | None:
    """The validated ``reply_markup`` or None; edits accept inline keyboards only."""
    markup = params.get("reply_markup")
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _reply_keyboard(markup["keyboard"])
    elif not markup.get("remove_keyboard") and not markup.get("force_reply"):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _rows(rows: Any, what: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f"can't parse {what}: field must be an Array of Arrays")
    return rows


def _inline_keyboard(rows: Any) -> None:
    for row in _rows(rows, "inline keyboard"):
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not button["text"]:
                raise bad_request("BUTTON_TEXT_INVALID")
            if not INLINE_ACTIONS & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                _callback_data(button["callback_data"])
            if "url" in button:
                _button_url(button["url"])


def _callback_data(data: Any) -> None:
    if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")


def _button_url(url: Any) -> None:
    if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")


def _reply_keyboard(rows: Any) -> None:
    for row in _rows(rows, "keyboard"):
        for button in row:
            if isinstance(button, str):
                continue
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
            if button.get("request_contact") not in (None, True, False):
                raise bad_request("can't parse keyboard button: request_contact must be Boolean")
