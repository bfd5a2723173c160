"""Conversation states. Kept small: FSM storage may be memory, lost on restart by design."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Linking(StatesGroup):
    # A code or a phone waits here while the user reads the personal-data notice.
    awaiting_consent = State()
