"""The command menu Telegram shows, per language (``setMyCommands`` at start-up)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats
from aiogram.utils.i18n import I18n

from handlers.labels import N_

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Link your account, or see what it sees")),
    ("timetable", N_("Today's timetable")),
    ("tomorrow", N_("Tomorrow: lessons and homework")),
    ("marks", N_("Marks and averages")),
    ("term", N_("Term and year marks")),
    ("attendance", N_("Absences this term")),
    ("homework", N_("Homework")),
    ("changes", N_("Timetable changes")),
    ("debts", N_("Debts")),
    ("events", N_("Coming events")),
    ("topics", N_("Lesson topics")),
    ("bells", N_("Bell schedule")),
    ("whatif", N_("What marks are needed for a 5")),
    ("progress", N_("A chart of the averages this term")),
    ("class", N_("Class teacher: the class summary")),
    ("lesson", N_("Teachers: the lesson now, roll-call and marks")),
    ("plan", N_("Teachers: how far the calendar-thematic plans have got")),
    ("child", N_("Choose the child")),
    ("ask", N_("Write to a teacher or the school")),
    ("inbox", N_("Your conversations with the school")),
    ("announce", N_("Staff: an announcement to families")),
    ("report", N_("Administration: school reports by marks and by pupils")),
    ("settings", N_("Notifications and quiet hours")),
    ("language", N_("Change the language")),
    ("privacy", N_("What is stored and why")),
    ("logout", N_("Unlink and delete your data")),
    ("help", N_("What the bot can do")),
)


def commands_for(i18n: I18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=i18n.gettext(text, locale=locale))
        for name, text in COMMANDS
    ]


async def publish_commands(bot: Bot, i18n: I18n) -> None:
    scope = BotCommandScopeAllPrivateChats()
    # Without a language code: what users of any other language see.
    await bot.set_my_commands(commands_for(i18n, i18n.default_locale), scope=scope)
    for locale in i18n.available_locales:
        await bot.set_my_commands(commands_for(i18n, locale), scope=scope, language_code=locale)
