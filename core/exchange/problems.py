"""What is wrong with an import, located by file, line and column, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"  # reported, imports anyway (an extra column, say)


@dataclass(frozen=True, slots=True)
class Problem:
    """``message`` is an English template marked with ``N_``; ``params`` fill its placeholders.

    ``line`` counts the header as line 1 (a spreadsheet's own row numbers); None for the file.
    """

    source: str
    line: int | None
    column: str | None
    message: str
    params: tuple[tuple[str, str], ...] = ()
    severity: Severity = Severity.ERROR

    def render(self, gettext: Callable[[str], str] = lambda text: text) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        text = gettext(self.message).format(**dict(self.params))
        if self.severity is Severity.WARNING:
            text = gettext("warning: {text}").format(text=text)
        return f"{where}: {self.column}: {text}" if self.column else f"{where}: {text}"


def problem(
    source: str,
    line: int | None,
    column: str | None,
    message: str,
    severity: Severity = Severity.ERROR,
    **params: object,
) -> Problem:
    return Problem(
        source, line, column, message, tuple((k, str(v)) for k, v in params.items()), severity
    )


def located(
    source: str, line: int | None, column: str | None, message: str, params: dict[str, str]
) -> Problem:
    """An error whose parameters come ready-made (from a BadValue, say)."""
    return Problem(source, line, column, message, tuple(params.items()))


class ImportFailed(Exception):  # noqa: N818 - reads as a sentence: `except ImportFailed`
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the import")
        self.problems = problems
