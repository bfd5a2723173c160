"""Typed, versioned callback data. Never trusted: every handler re-checks access."""

from __future__ import annotations

from datetime import date

from aiogram.filters.callback_data import CallbackData

# Callback data is untrusted: a day outside a sane range is refused, not parsed.
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1).toordinal(), date(2100, 1, 1).toordinal()


def day_of(ordinal: int) -> date | None:
    """The date a callback names by its ordinal, or None when it cannot be a school day."""
    return date.fromordinal(ordinal) if _FIRST_DAY <= ordinal <= _LAST_DAY else None


class ConsentAnswer(CallbackData, prefix="cs1"):
    agree: bool


class PickChild(CallbackData, prefix="ch1"):
    student_id: int


class PickLanguage(CallbackData, prefix="lg1"):
    locale: str


class ConfirmLogout(CallbackData, prefix="lo1"):
    confirm: bool


class MarksWeek(CallbackData, prefix="mw1"):
    """The diary of ``child`` for the week starting on the Monday ``monday`` (a date ordinal)."""

    child: int
    monday: int
    page: int = 0


class MarksSubject(CallbackData, prefix="ms1"):
    """Every mark of one subject in the term containing ``day`` (a date ordinal)."""

    child: int
    subject: int
    day: int
    page: int = 0


class TopicsOf(CallbackData, prefix="tp1"):
    """The lesson topics of one subject for ``child`` over the last weeks."""

    child: int
    subject: int


class WhatIfOf(CallbackData, prefix="wi1"):
    """What ``child`` needs in one subject this term."""

    child: int
    subject: int


class MarksTerm(CallbackData, prefix="mt1"):
    """The diary of a whole term: the term containing ``day``, or ``step`` terms from it."""

    child: int
    day: int
    step: int = 0
    page: int = 0


class TimetableDay(CallbackData, prefix="td1"):
    """The timetable of ``child`` on ``day`` (a date ordinal), or of that day's whole week."""

    child: int
    day: int
    week: bool = False
    page: int = 0


class SettingsChoice(CallbackData, prefix="st1"):
    """One choice from the settings menu; validated against the menu by the core."""

    key: str
    value: str


class PageOf(CallbackData, prefix="pg1"):
    """Page ``page`` of a long answer (``what``: one of the paged commands) about ``child``."""

    what: str
    child: int
    page: int = 0


class PushDetails(CallbackData, prefix="pd1"):
    """Show the details a minimal push left out. Carries nothing: the handler finds the push
    by the message it is pressed on and the account pressing it."""


# The mail (handlers/ask.py, inbox.py, announce.py, compose.py). Ids in them are wishes: the
# core judges every press again.


class AskAbout(CallbackData, prefix="aq1"):
    """/ask: the child the question is about."""

    child: int


class AskTo(CallbackData, prefix="aq2"):
    """/ask: a recipient on offer for ``child`` (``subject`` 0: none)."""

    child: int
    staff: int
    role: str
    subject: int = 0


class DraftAction(CallbackData, prefix="df1"):
    """A button under the preview of the draft kept in the chat's state."""

    act: str  # send | all | cancel | ack | urgent


class ThreadAction(CallbackData, prefix="th1"):
    """An action on thread ``thread``; ``arg`` carries mute days."""

    thread: int
    act: str  # open | reply | answered | close | mute | muted | report | files | page
    arg: int = 0  # mute days, or the page of a long thread (0: its newest messages)


class InboxShow(CallbackData, prefix="ib1"):
    side: str  # family | staff
    page: int = 0


class NewQuestion(CallbackData, prefix="ib2"):
    """Start /ask from the inbox."""


class AnnounceTo(CallbackData, prefix="an1"):
    target: str  # school | grade | class | group
    grade: int = 0
    cls: int = 0
    grp: int = 0


class AnnounceFor(CallbackData, prefix="an2"):
    audience: str  # guardians | students | both


class Acknowledge(CallbackData, prefix="ak1"):
    announcement: int


class AnnouncementShow(CallbackData, prefix="ar1"):
    """The delivery report of an announcement, or (``names``) who it did not reach."""

    announcement: int
    names: bool = False
    edit: bool = False  # "Refresh" under a report, a page of names: edited in place
    page: int = 0


class OfficeHoursChoice(CallbackData, prefix="oh1"):
    """A staff member's office hours from /settings: a preset, or "custom" to type them."""

    value: str


class LessonOpen(CallbackData, prefix="le1"):
    """A lesson of a teacher's day (``grp`` 0: the whole class); ``act`` what to show."""

    day: int
    period: int
    cls: int
    grp: int = 0
    act: str = "card"  # card | roll | marks | topic | hw (homework) | absfix (absences)


class RollTap(CallbackData, prefix="rc1"):
    """A press on the roll-call: ``state`` holds every pupil's mark so far (base 36 of base 3:
    present, Н, ОП); ``tap`` is a pupil's number, or ALL_PRESENT / SAVE."""

    day: int
    period: int
    cls: int
    grp: int
    state: str
    tap: int
    base: str = ""  # the fingerprint of the attendance this screen started from


class LessonDay(CallbackData, prefix="ld1"):
    """A teacher's day of lessons (an earlier day within the edit window); 0: the list of days."""

    day: int


class TopicTake(CallbackData, prefix="tt1"):
    """The lesson takes the plan item ``item``'s topic (checked against the lesson on press)."""

    day: int
    period: int
    cls: int
    grp: int
    item: int


class MarkPick(CallbackData, prefix="mp1"):
    """A mark in two taps: the pupil's number ``n``, then ``v`` the value (empty: show values;
    ``c``: write a comment under this pupil's new mark)."""

    n: int
    v: str = ""


class MarksAct(CallbackData, prefix="mk1"):
    """Marks for a lesson: choose the work type (``wt``), then save or cancel the preview."""

    act: str  # type | save | cancel | more | fixes | comment | force | skip
    wt: int = 0


class MarkFix(CallbackData, prefix="mf1"):
    """A correction of one mark: ``v`` empty shows the values, ``del`` deletes, else the value."""

    mark: int
    v: str = ""


class AnswerPage(CallbackData, prefix="qa1"):
    """Page ``page`` of the answer to a typed question about ``child``, asked on ``on`` (a
    date ordinal, so that every page is the same answer): its ``topic``, ``day`` (0: the
    topic's default), ``subject`` (0: none), and how it was asked (the week, «есть ли»,
    «завтра»). A wish like any callback: the handler checks access again on every page."""

    topic: str
    child: int
    on: int
    day: int = 0
    subject: int = 0
    week: bool = False
    presence: bool = False
    tomorrow: bool = False
    page: int = 0


class TopicsPage(CallbackData, prefix="tp2"):
    """Page ``page`` of the lesson topics of one subject (TopicsOf shows the first page)."""

    child: int
    subject: int
    page: int = 0


class StaffDayPage(CallbackData, prefix="sd1"):
    """Page ``page`` of a staff member's own lessons on ``day`` (a date ordinal); ``on``: the
    day a "tomorrow" was asked on (0: none), so the page says again which day it is and why.
    Names no staff member: the handler takes the one of the account pressing it."""

    day: int
    on: int = 0
    page: int = 0


class PlanPage(CallbackData, prefix="pl1"):
    """Page ``page`` of the pressing teacher's own calendar-thematic plans (/plan)."""

    page: int = 0


class ClassPage(CallbackData, prefix="cl1"):
    """Page ``page`` of the summary of class ``cls`` (/class); a wish: the handler checks that
    the account pressing it leads the class and may read it."""

    cls: int
    page: int = 0
