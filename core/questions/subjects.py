"""Subjects named the way families type them: «по алгебре», «физра», "maths"."""

from __future__ import annotations

from collections.abc import Mapping

# Nicknames and English names → a stem of the subject's usual Russian name.
_NICKNAMES: dict[str, str] = {
    "физра": "физическ",
    "физкульт": "физическ",
    "матем": "математ",
    "матеш": "математ",
    "maths": "математ",
    "math": "математ",
    "инфа": "информат",
    "информ": "информат",
    "литр": "литерат",
    "англ": "английск",
    "инглиш": "английск",
    "english": "английск",
    "немецк": "немецк",
    "german": "немецк",
    "русск": "русск",
    "russian": "русск",
    "algebra": "алгебр",
    "geometry": "геометр",
    "physics": "физик",
    "chemistry": "хими",
    "biology": "биолог",
    "history": "истори",
    "geography": "географ",
    "literature": "литерат",
    "informatics": "информат",
    "computer": "информат",
    "music": "музык",
    "art": "изобразит",
    "pe": "физическ",
    "обж": "основы безопасности",
    "изо": "изобразит",
}
# Words too common to name a subject by themselves.
_SKIP = {"по", "на", "за", "в", "и", "что", "как", "есть", "ли", "будет", "the", "for", "in", "on"}


def _norm(name: str) -> str:
    return name.lower().replace("ё", "е")


def find_subject(words: list[str], subjects: Mapping[int, str]) -> int | None:
    """The subject the words name, or None. The longest matching stem wins (алгебра over а)."""
    names = {sid: _norm(name) for sid, name in subjects.items()}
    best: tuple[int, int] | None = None  # (stem length, subject id)
    for word in words:
        if word in _SKIP or (len(word) < 3 and word != "pe"):
            continue
        stems = [_NICKNAMES[key] for key in _NICKNAMES if word.startswith(key)]
        # A Russian word matches a name on a common stem: «алгебре» ~ «алгебра».
        if len(word) >= 4:
            stems.append(word[: max(4, len(word) - 2)])
        for stem in stems:
            for sid, name in sorted(names.items()):
                named = any(part.startswith(stem) for part in name.split()) or name.startswith(stem)
                if named and (best is None or len(stem) > best[0]):
                    best = (len(stem), sid)
    return best[1] if best else None
