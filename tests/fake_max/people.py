"""Simulated MAX users, group chats and the bot itself, as MAX API objects.

A user's dialog with the bot has its own ``chat_id``, different from the ``user_id``: bots that
answer ``chat_id=user_id`` work in Telegram and fail in MAX, so the fake keeps the two apart.
Handles are frozen values; the server keeps the registry that decides which chats exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DIALOG_OFFSET = 7_000_000_000  # a dialog's chat_id = user_id + this (never equal to the user_id)


@dataclass(frozen=True)
class BotIdentity:
    id: int = 900001
    username: str = "journal_max_bot"
    first_name: str = "Журнал (тест)"

    def as_user(self, now_ms: int) -> dict[str, Any]:
        return {
            "user_id": self.id,
            "first_name": self.first_name,
            "last_name": None,
            "username": self.username,
            "is_bot": True,
            "last_activity_time": now_ms,
            "name": self.first_name,
        }

    def get_me(self, now_ms: int, commands: list[dict[str, Any]] | None) -> dict[str, Any]:
        """``GET /me``: the user object plus the bot-only fields of ``BotInfo``."""
        me = self.as_user(now_ms) | {"description": None}
        if commands:
            me["commands"] = [dict(command) for command in commands]
        return me


@dataclass(frozen=True)
class SimMaxUser:
    """A person on MAX; ``chat_id`` is their dialog with the bot, not their ``id``."""

    id: int
    first_name: str = "Тест"
    last_name: str | None = None
    username: str | None = None
    language: str = "ru"

    @property
    def chat_id(self) -> int:
        return self.id + DIALOG_OFFSET

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def as_user(self, now_ms: int) -> dict[str, Any]:
        return {
            "user_id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "is_bot": False,
            "last_activity_time": now_ms,
            "name": self.name,
        }


@dataclass(frozen=True)
class SimMaxChat:
    """A group chat the bot is a member of; MAX group chat ids are negative."""

    id: int
    title: str = "Тестовая группа"
