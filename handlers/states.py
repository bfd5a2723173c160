"""Conversation states. Kept small: FSM storage may be memory, lost on restart by design."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Linking(StatesGroup):
    # A code or a phone waits here while the user reads the personal-data notice.
    awaiting_consent = State()


class Mail(StatesGroup):
    # A message to the school (or an answer, or an announcement) is being written; the draft
    # is in the state's data until "Send" or "Cancel".
    writing = State()
    # /announce: a target was chosen, the audience is being chosen.
    announcing = State()


class Hours(StatesGroup):
    # A staff member types their office hours ("пн-пт 08:00-18:00").
    typing = State()


class Teaching(StatesGroup):
    # A roll-call is on the screen: a typed «н 3 17 24» applies to its lesson (in the data).
    roll = State()
    # The marks of a lesson are expected as one message; then the preview waits for "Save".
    marks = State()
    # The lesson's topic is expected as one message.
    topic = State()
    # A mark's correction waits for its reason (the mark and the new value in the data).
    reason = State()
    # A comment under a new mark, before "Save" (the pupil's number in the data).
    comment = State()
