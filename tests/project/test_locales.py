"""Every string marked for translation has a Russian and an English translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "N_": None,
    "__": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
}


def marked_ids() -> set[str]:
    ids: set[str] = set()
    for package in ("core", "handlers", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_catalogue_is_complete(locale: str) -> None:
    path = ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    marked = marked_ids()
    assert marked, "no strings are marked for translation"
    missing = sorted(marked - {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue})
    assert missing == [], f"run `make locales` and translate: {missing}"
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert untranslated == []


def test_russian_uses_three_plural_forms() -> None:
    with (ROOT / "locales/ru/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    assert catalogue.num_plurals == 3
