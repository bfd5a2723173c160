"""Running ``journal`` in-process as an operator would, for the CLI tests of every area."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


Journal = Callable[..., Awaitable[Run]]


def isolate(
    monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path, locale: str = "en"
) -> None:
    """The command sees this database and language, works in ``tmp_path``, and nothing of the
    outer environment's settings."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DEFAULT_LOCALE", locale)
    monkeypatch.chdir(tmp_path)


def runner(capsys: pytest.CaptureFixture[str]) -> Journal:
    async def run(*argv: str) -> Run:
        capsys.readouterr()
        # main() calls asyncio.run(), which refuses the thread pytest-asyncio's loop runs on.
        code = await asyncio.to_thread(main, list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
