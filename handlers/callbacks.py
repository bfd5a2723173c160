"""Typed, versioned callback data. Never trusted: every handler re-checks access."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ConsentAnswer(CallbackData, prefix="cs1"):
    agree: bool


class PickChild(CallbackData, prefix="ch1"):
    student_id: int


class PickLanguage(CallbackData, prefix="lg1"):
    locale: str


class ConfirmLogout(CallbackData, prefix="lo1"):
    confirm: bool
