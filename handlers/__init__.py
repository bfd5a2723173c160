"""aiogram routers, one module per feature, and their views (``handlers/views``).

Handlers are thin: parse the input, call one core use case, render with a view, answer.
They never import ``bot``. :func:`build_routers` builds fresh routers, so each dispatcher
(production, console, every test) gets its own.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    absence_fix,
    agenda,
    announce,
    ask,
    children,
    class_teacher,
    compose,
    diary,
    errors,
    fallback,
    inbox,
    language,
    lesson,
    lesson_homework,
    linking,
    membership,
    office_hours,
    plan,
    privacy,
    progress,
    push,
    questions,
    records,
    report,
    settings,
    start,
    timetable,
    topics,
    whatif,
)


def build_routers() -> list[Router]:
    # Order matters: specific commands and callbacks first, free text last.
    return [
        errors.router(),
        membership.router(),
        start.router(),
        linking.router(),
        children.router(),
        diary.router(),
        timetable.router(),
        records.router(),
        agenda.router(),
        questions.router(),  # pages of a typed question's answer (qa1)
        topics.router(),
        whatif.router(),
        progress.router(),  # /progress: the term's running averages as a chart
        class_teacher.router(),
        lesson_homework.router(),  # the card's «Homework» (le1 …:hw), before the card's router
        absence_fix.router(),  # «Fix absences» (le1 …:absfix), before the card's router
        plan.router(),  # /plan: a teacher's calendar-thematic plans
        report.router(),  # /report: school reports for the administration (rp1)
        lesson.router(),  # a roll-call or marks typed as text, before the mail and free text
        settings.router(),
        office_hours.router(),
        push.router(),
        ask.router(),
        announce.router(),
        inbox.router(),  # a plain reply to a delivered message, before the draft's text
        compose.router(),  # the draft's text and files, before free-text questions
        language.router(),
        privacy.router(),
        fallback.router(),
    ]
