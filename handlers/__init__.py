"""aiogram routers, one module per feature, and their views (``handlers/views``).

Handlers are thin: parse the input, call one core use case, render with a view, answer.
They never import ``bot``. :func:`build_routers` builds fresh routers, so each dispatcher
(production, console, every test) gets its own.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    agenda,
    children,
    class_teacher,
    diary,
    errors,
    fallback,
    language,
    linking,
    membership,
    privacy,
    push,
    records,
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
        topics.router(),
        whatif.router(),
        class_teacher.router(),
        settings.router(),
        push.router(),
        language.router(),
        privacy.router(),
        fallback.router(),
    ]
