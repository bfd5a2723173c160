"""Gettext for the core's own messages (import problems, reports) in the operator's language.

The catalogues in `locales/` are shared with the bot; `make` compiles them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [locale], DOMAIN)


def gettext_for(locale: str) -> Callable[[str], str]:
    return translations(locale).gettext
