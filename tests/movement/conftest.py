"""The tiny school (tests/bot/school.py) on both databases."""

from __future__ import annotations

from tests.bot.conftest import clock, sessions

__all__ = ["clock", "sessions"]
