"""MAX's ``format: "html"``: the tags MAX knows, turned into the ``markup`` list it stores.

MAX's API reference lists the tags: ``b``/``strong``, ``i``/``em``, ``u``/``ins``, ``s``/``del``,
``code``/``pre``, ``a href``, ``mark``, ``blockquote`` and ``h1`` (no ``br``: line breaks are
``\\n``).  It says other tags are stripped; the fake refuses them by default instead, so a tag that
only Telegram knows (``tg-spoiler``, ``span``) fails the test that sends it rather than vanishing
in production.  ``strict=False`` strips them as MAX does.  Unbalanced markup is refused either
way.  The tokenizer (entities, attributes, tag matching, UTF-16 offsets) is FakeTelegram's.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_telegram.html_text import _TAG_NAME, EntityParseError, _Open, _Parser

__all__ = ["MAX_TAGS", "EntityParseError", "parse_max_html"]

MAX_TAGS = {
    "b": "strong",
    "strong": "strong",
    "i": "emphasized",
    "em": "emphasized",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "del": "strikethrough",
    "code": "monospaced",
    "pre": "monospaced",
    "a": "link",
    "mark": "highlighted",
    "blockquote": "quote",
    "h1": "heading",
}
_VOID_TAGS = frozenset({"br", "hr", "img", "wbr"})
_USER_LINK = re.compile(r"max://user/(\d+)")


def parse_max_html(source: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and MAX's ``markup`` elements, or raise ``EntityParseError``."""
    text, entities = _MaxParser(source, strict=strict).run()
    markup = []
    for entity in entities:
        element = {key: value for key, value in entity.items() if key != "offset"}
        markup.append({"type": element.pop("type"), "from": entity["offset"], **element})
    return text, markup


class _MaxParser(_Parser):
    def __init__(self, source: str, *, strict: bool) -> None:
        super().__init__(source)
        self.strict = strict

    def start_tag(self, i: int) -> int:
        offset = self.byte_offset(i)
        match = _TAG_NAME.match(self.source, i + 1)
        if match is None:
            raise EntityParseError(f'Unsupported start tag "" at byte offset {offset}')
        name = match.group().lower()
        known = name in MAX_TAGS
        if not known and self.strict:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {offset}; '
                f"MAX knows {', '.join(sorted(MAX_TAGS))}"
            )
        attrs, end = self.attributes(match.end(), name, offset)
        if not known and name in _VOID_TAGS:
            return end  # stripped, and it has no end tag to wait for
        if name == "a" and not attrs.get("href"):
            raise EntityParseError(f'Tag "a" at byte offset {offset} must have an attribute "href"')
        self.stack.append(_Open(name, attrs, self.length, {"strip": not known}))
        return end

    def close(self, opened: _Open) -> None:
        length = self.length - opened.offset
        if opened.extra.get("strip") or length == 0:
            return
        entity: dict[str, Any] = {
            "type": MAX_TAGS[opened.name],
            "offset": opened.offset,
            "length": length,
        }
        if opened.name == "a":
            href = opened.attrs["href"]
            mention = _USER_LINK.fullmatch(href)
            if mention:
                entity |= {"type": "user_mention", "user_id": int(mention.group(1))}
            else:
                entity["url"] = href
        self.entities.append(entity)
