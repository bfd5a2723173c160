"""The tiny school (tests/bot/school.py) on both databases, at its Monday morning."""

from __future__ import annotations

from tests.bot.conftest import clock, sessions

__all__ = ["clock", "sessions"]
