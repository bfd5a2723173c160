"""Runtime settings from the environment and `.env`, validated once at start-up."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.privacy.policy import (
    ANONYMISE_MINIMUM_DAYS,
    AUDIT_MINIMUM_DAYS,
    PUSH_MAXIMUM_DAYS,
    RetentionPolicy,
)

SUPPORTED_LOCALES = ("ru", "en")
_TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
# A school's id as the exchange files have it (schools.external_id).
_SCHOOL_KEY_RE = re.compile(r"^\S{1,64}$")
# Telegram's rule for secret_token: 1–256 characters of A-Z, a-z, 0-9, _ and -.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Telegram usernames: 5–32 characters of A-Z, a-z, 0-9 and _.
_USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{5,32}$")
# MAX tokens are long opaque strings of letters, digits, _ and - (no fixed shape is published).
_MAX_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,256}$")
# MAX's rule for a webhook secret: 5-256 characters of A-Z, a-z, 0-9 and -, _ .
_MAX_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{5,256}$")
# A MAX bot's public name, as in https://max.ru/<name>; bots' names end in "bot" by rule, but
# the link is what matters here.
_MAX_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class SettingsError(Exception):
    """A bad setting; the message is one line that names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    # Schools' own Telegram bots, beside (or instead of) BOT_TOKEN's shared one: a JSON object
    # from a school's id in the exchange files (`school` table, `id`) to its bot's token. Each
    # bot links its school's people only and has a send budget of its own (bot/school_bots.py).
    # NoDecode: the validator reads the JSON itself, so a mistake gets the one-line message.
    school_bots: Annotated[dict[str, SecretStr], NoDecode] = Field(default_factory=dict)
    bot_api_url: AnyHttpUrl | None = None
    # For invite links (t.me/<username>); when unset, `journal invites` asks Telegram (getMe).
    bot_username: str | None = None
    database_url: str = "sqlite+aiosqlite:///./journal.db"
    school_timezone: str = "Asia/Yekaterinburg"
    default_locale: Literal["ru", "en"] = "ru"
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # noqa: S104 - a container listens on all interfaces
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram/webhook"
    # MAX (bot/max): the token from the MAX partner platform; MAX_API_URL points the client at
    # another server (tests); with MAX_WEBHOOK_URL MAX delivers updates there instead of the
    # long polling MAX itself calls fit only for development.
    max_bot_token: SecretStr | None = None
    max_api_url: AnyHttpUrl | None = None
    max_bot_username: str | None = None
    max_webhook_url: AnyHttpUrl | None = None
    max_webhook_secret: SecretStr | None = None
    max_webhook_path: str = "/max/webhook"
    redis_url: str | None = None
    # Per-user token bucket (bot/middlewares/throttle.py): updates a second one person may
    # sustain, and the burst allowed; shared by every process through REDIS_URL.
    throttle_rate_per_second: float = Field(default=2.0, gt=0, le=1000)
    throttle_burst: int = Field(default=8, ge=1, le=1000)
    # Pushes (bot/notifier): Telegram's overall budget, the per-chat coalescing window (0: one
    # message per push), how often to look at the outbox when nothing woke the notifier, and
    # after how long a claimed push of a dead notifier is tried again (a live notifier renews
    # its claims every third of it, so short is safe; long only delays recovery from a crash).
    push_rate_per_second: float = Field(default=30.0, gt=0, le=1000)
    # MAX's documented limit is 30 requests a second for a bot (answers and pushes together).
    max_push_rate_per_second: float = Field(default=25.0, gt=0, le=1000)
    push_coalesce_seconds: int = Field(default=60, ge=0, le=3600)
    notifier_poll_seconds: float = Field(default=2.0, gt=0, le=300)
    notifier_lease_seconds: int = Field(default=15, ge=2, le=600)
    # `journal run` also runs the notifier and the scheduled jobs; turn off where a separate
    # `journal notifier` process does that.
    run_notifier: bool = True
    # The mail: a family member's questions to one person not yet closed, and messages a day.
    questions_open_per_recipient: int = Field(default=3, ge=1, le=100)
    questions_per_day: int = Field(default=20, ge=1, le=1000)
    # Where the journal keeps files teachers attach in the chat (core.files), by content hash.
    files_dir: Path = Path("./files")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Observability (bot/logs.py, bot/metrics.py): one JSON object a log line for a collector;
    # the console chat's log file (the terminal is the conversation's); a port for
    # GET /metrics when no webhook server serves it (polling, `journal notifier`).
    log_format: Literal["text", "json"] = "text"
    log_file: Path = Path("./journal.log")
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # Retention (152-FZ; core.privacy.retention, docs/privacy.md), in days: push texts (at most
    # the clean-up's 90), failed link attempts, erased accounts' audit records until they are
    # anonymised, and the audit log (three years at least: Roskomnadzor order No. 179 keeps the
    # event log's proof of a destruction that long, and claims lapse in three years, ГК РФ 196).
    retention_push_days: int = Field(default=30, ge=1, le=PUSH_MAXIMUM_DAYS)
    retention_link_attempt_days: int = Field(default=90, ge=1, le=3650)
    audit_anonymise_days: int = Field(default=365, ge=ANONYMISE_MINIMUM_DAYS, le=36500)
    audit_retention_days: int = Field(default=AUDIT_MINIMUM_DAYS, ge=AUDIT_MINIMUM_DAYS, le=36500)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _TOKEN_RE.match(value):
            raise ValueError("expected a token from @BotFather like 123456:ABC-DEF...")
        return value

    @field_validator("school_bots", mode="before")
    @classmethod
    def _school_bots(cls, value: object) -> object:
        if value in (None, ""):
            return {}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = None
        if not isinstance(value, dict):
            raise ValueError('expected a JSON object like {"school-1": "123456:ABC-DEF..."}')
        tokens: dict[str, str] = {}
        for key, token in value.items():
            if not isinstance(key, str) or not _SCHOOL_KEY_RE.match(key):
                raise ValueError(f"{key!r}: a school's id is 1-64 characters, no spaces")
            if isinstance(token, SecretStr):
                token = token.get_secret_value()
            if not isinstance(token, str) or not _TOKEN_RE.match(token):
                raise ValueError(f"{key}: expected a token from @BotFather like 123456:ABC-DEF...")
            tokens[key] = token
        bot_ids = [token.split(":", 1)[0] for token in tokens.values()]
        if len(set(bot_ids)) < len(bot_ids):
            raise ValueError("two schools have the same bot; each school's bot is its own")
        return tokens

    @field_validator("school_bots")
    @classmethod
    def _school_bots_apart(
        cls, value: dict[str, SecretStr], info: ValidationInfo
    ) -> dict[str, SecretStr]:
        shared: SecretStr | None = info.data.get("bot_token")  # declared before: validated
        if shared is not None:
            shared_id = shared.get_secret_value().split(":", 1)[0]
            for key, token in value.items():
                if token.get_secret_value().split(":", 1)[0] == shared_id:
                    raise ValueError(f"{key}: this is BOT_TOKEN's bot, the shared one")
        return value

    @field_validator("max_bot_token", mode="before")
    @classmethod
    def _max_token(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _MAX_TOKEN_RE.match(value):
            raise ValueError("expected the token the MAX partner platform shows for the bot")
        return value

    @field_validator("max_bot_username", mode="before")
    @classmethod
    def _max_username(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if isinstance(value, str) and value.startswith("@"):
            value = value[1:]
        if not isinstance(value, str) or not _MAX_USERNAME_RE.match(value):
            raise ValueError("expected the MAX bot's name from its link max.ru/<name>")
        return value

    @field_validator("max_webhook_secret", mode="before")
    @classmethod
    def _max_secret(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _MAX_SECRET_RE.match(value):
            raise ValueError("use 5-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("bot_username", mode="before")
    @classmethod
    def _username(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if isinstance(value, str) and value.startswith("@"):
            value = value[1:]  # as BotFather shows it; the link needs it without
        if not isinstance(value, str) or not _USERNAME_RE.match(value):
            raise ValueError("expected the bot's username: 5-32 characters of A-Z, a-z, 0-9, _")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _SECRET_RE.match(value):
            raise ValueError("use 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator(
        "bot_api_url",
        "webhook_url",
        "redis_url",
        "max_api_url",
        "max_webhook_url",
        "metrics_port",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError("not a database URL") from exc
        driver = _DRIVERS.get(url.drivername)
        if driver is None:
            raise ValueError("use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")
        return url.set(drivername=driver).render_as_string(hide_password=False)

    @field_validator("school_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                "unknown time zone (use an IANA name like Asia/Yekaterinburg)"
            ) from exc
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://HOST:PORT/DB")
        return value

    @field_validator("webhook_path", "max_webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    @field_validator("metrics_port")
    @classmethod
    def _metrics_port(cls, value: int | None, info: ValidationInfo) -> int | None:
        webhook = info.data.get("webhook_url") or info.data.get("max_webhook_url")
        if value is not None and webhook is not None and value == info.data.get("webhook_port"):
            raise ValueError("the webhook server serves /metrics on WEBHOOK_PORT already")
        return value

    @field_validator("audit_retention_days")
    @classmethod
    def _audit_period(cls, value: int, info: ValidationInfo) -> int:
        anonymise: int | None = info.data.get("audit_anonymise_days")  # declared before
        if anonymise is not None and anonymise > value:
            raise ValueError("shorter than AUDIT_ANONYMISE_DAYS: records are anonymised first")
        return value

    @property
    def retention(self) -> RetentionPolicy:
        return RetentionPolicy(
            push_days=self.retention_push_days,
            link_attempt_days=self.retention_link_attempt_days,
            anonymise_days=self.audit_anonymise_days,
            audit_days=self.audit_retention_days,
        )

    @property
    def any_bot(self) -> bool:
        """Is a bot configured (the shared Telegram one, a school's own, MAX)?"""
        return bool(self.bot_token or self.school_bots or self.max_bot_token)

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.school_timezone)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Bad setting {field}: {message}") from None
