"""Telegram's HTML parse mode: the tags it knows, its strictness, and entity offsets in UTF-16.

Modelled on the Bot API documentation ("HTML style") and tdlib's parser: an unknown tag, a bare
``<`` or an unbalanced tag is an error, while a bare ``&`` or ``>`` is kept as text.  A bot whose
HTML breaks in production must break here too, so the error texts follow tdlib's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_-]*")
_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([a-zA-Z]+));")
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is tdlib's."""


def utf16_len(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units, as the Bot API specifies."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    name: str
    attrs: dict[str, str]
    offset: int
    extra: dict[str, Any] = field(default_factory=dict)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and its entities, or raise ``EntityParseError``."""
    parser = _Parser(source)
    return parser.run()


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.out: list[str] = []
        self.length = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += utf16_len(text)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode())

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        source, i = self.source, 0
        while i < len(source):
            char = source[i]
            if char == "&":
                i = self.entity(i)
            elif char != "<":
                self.emit(char)
                i += 1
            elif source.startswith("</", i):
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            name = self.stack[-1].name
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def entity(self, i: int) -> int:
        match = _ENTITY.match(self.source, i)
        if match is None:
            self.emit("&")
            return i + 1
        hex_code, dec_code, name = match.groups()
        if name is not None:
            if name not in NAMED_ENTITIES:
                self.emit("&")  # tdlib keeps unknown named entities as text
                return i + 1
            self.emit(NAMED_ENTITIES[name])
        else:
            code = int(hex_code, 16) if hex_code else int(dec_code)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                self.emit("&")
                return i + 1
            self.emit(chr(code))
        return match.end()

    def start_tag(self, i: int) -> int:
        offset = self.byte_offset(i)
        match = _TAG_NAME.match(self.source, i + 1)
        if match is None:
            raise EntityParseError(f'Unsupported start tag "" at byte offset {offset}')
        name = match.group().lower()
        if name not in ENTITY_TYPES:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        attrs, end = self.attributes(match.end(), name, offset)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError('Tag "tg-emoji" must have a numeric attribute "emoji-id"')
        self.stack.append(_Open(name, attrs, self.length))
        return end

    def attributes(self, i: int, tag: str, offset: int) -> tuple[dict[str, str], int]:
        source, attrs = self.source, dict[str, str]()
        while True:
            while i < len(source) and source[i].isspace():
                i += 1
            if i >= len(source):
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            if source[i] == ">":
                return attrs, i + 1
            match = _ATTR_NAME.match(source, i)
            if match is None:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {offset}'
                )
            key, i = match.group().lower(), match.end()
            if i >= len(source) or source[i] != "=":
                if key == "expandable":  # <blockquote expandable>
                    attrs[key] = ""
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {offset}"
                )
            value, i = self.attribute_value(i + 1, offset)
            attrs[key] = value

    def attribute_value(self, i: int, offset: int) -> tuple[str, int]:
        source = self.source
        if i < len(source) and source[i] in "\"'":
            close = source.find(source[i], i + 1)
            if close == -1:
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            raw = source[i + 1 : close]
            end = close + 1
        else:
            match = re.compile(r"[^\s>]*").match(source, i)
            assert match is not None  # the pattern matches the empty string
            raw, end = match.group(), match.end()
        return parse_html_attribute(raw), end

    def end_tag(self, i: int) -> int:
        offset = self.byte_offset(i)
        close = self.source.find(">", i)
        if close == -1:
            raise EntityParseError(f"Unclosed end tag at byte offset {offset}")
        name = self.source[i + 2 : close].strip().lower()
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
        opened = self.stack.pop()
        if name != opened.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{opened.name}>", '
                f'found "</{name}>"'
            )
        self.close(opened)
        return close + 1

    def close(self, opened: _Open) -> None:
        length = self.length - opened.offset
        kind = ENTITY_TYPES[opened.name]
        language = opened.attrs.get("class", "")
        parent = self.stack[-1] if self.stack else None
        if kind == "code" and parent and parent.name == "pre" and language.startswith("language-"):
            parent.extra["language"] = language.removeprefix("language-")
            return
        if length == 0:
            return
        entity: dict[str, Any] = {"type": kind, "offset": opened.offset, "length": length}
        if kind == "text_link":
            if not opened.attrs.get("href"):
                return
            entity["url"] = opened.attrs["href"]
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = opened.attrs["emoji-id"]
        elif kind == "blockquote" and "expandable" in opened.attrs:
            entity["type"] = "expandable_blockquote"
        elif kind == "pre" and "language" in opened.extra:
            entity["language"] = opened.extra["language"]
        self.entities.append(entity)


def parse_html_attribute(raw: str) -> str:
    text, _ = _Parser(raw.replace("<", "&lt;")).run()
    return text


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping entities with it."""
    body = text.strip()
    if not body:
        return "", []
    left = utf16_len(text[: len(text) - len(text.lstrip())])
    end_limit = utf16_len(body)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - left, 0)
        end = min(entity["offset"] + entity["length"] - left, end_limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return body, kept
