"""Names as families read them, and the Russian collation order (ё sorts with е)."""

from __future__ import annotations


def collation_key(text: str | None) -> str:
    """Sort key for Russian text: case-insensitive, ё equal to е."""
    return (text or "").casefold().replace("ё", "е")


def person_sort_key(last: str, first: str, middle: str | None) -> tuple[str, str, str]:
    return collation_key(last), collation_key(first), collation_key(middle)


def short_name(last: str, first: str, middle: str | None) -> str:
    """Фамилия И. О. (``Иванова А. П.``; without a patronymic ``Иванова А.``)."""
    initials = " ".join(f"{part.strip()[0]}." for part in (first, middle or "") if part.strip())
    return f"{last} {initials}".strip()
