"""Simulated Telegram users, groups and the bot itself, as Bot API objects.

Handles are frozen values: a test keeps ``user = tg.user(...)`` and passes it around; the server
keeps the registry that decides which chat ids exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

SUPERGROUP_IDS_BELOW = -1_000_000_000_000  # supergroups and channels are -100xxxxxxxxxx


@dataclass(frozen=True)
class BotIdentity:
    id: int = 123456
    username: str = "journal_test_bot"
    first_name: str = "Журнал (тест)"

    def as_user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> dict[str, Any]:
        return {
            **self.as_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass(frozen=True)
class SimUser:
    """A person on Telegram; their private chat with the bot has the same id."""

    id: int
    first_name: str = "Тест"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "ru"

    @property
    def chat_id(self) -> int:
        return self.id

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass(frozen=True)
class Group:
    """A group chat the bot is in; ids at or below -10**12 are supergroups, as on Telegram."""

    id: int
    title: str = "Тестовая группа"

    @property
    def type(self) -> Literal["group", "supergroup"]:
        return "supergroup" if self.id <= SUPERGROUP_IDS_BELOW else "group"

    def as_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "title": self.title}
