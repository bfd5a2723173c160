"""Settings: documented defaults, environment overrides, and one clear line per bad value."""

from __future__ import annotations

import pytest

from bot.runtime import config_from
from bot.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.database_url == "sqlite+aiosqlite:///./journal.db"
    assert settings.school_timezone == "Asia/Yekaterinburg"
    assert settings.default_locale == "ru"
    assert settings.log_level == "INFO"
    assert settings.webhook_url is None
    assert settings.redis_url is None


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAH-abcdefghijklmnopqrstuvwxyz_0123")
    monkeypatch.setenv("BOT_API_URL", "http://127.0.0.1:8081")
    monkeypatch.setenv("DATABASE_URL", "postgresql://journal:s%40cret@db:5432/journal")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram/webhook")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cr3t_token-1")
    monkeypatch.setenv("WEBHOOK_PORT", "8443")
    settings = load_settings()
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value().startswith("123456789:")
    assert "AAH" not in repr(settings)  # the token never leaks into logs or tracebacks
    # A plain postgresql:// URL gets the async driver this project uses.
    assert settings.database_url == "postgresql+asyncpg://journal:s%40cret@db:5432/journal"
    assert settings.default_locale == "en"
    assert settings.webhook_port == 8443
    assert str(settings.bot_api_url) == "http://127.0.0.1:8081/"


def test_the_throttle_is_a_setting_that_reaches_the_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        config_from(load_settings()).throttle_rate,
        config_from(load_settings()).throttle_burst,
    ) == (
        2.0,
        8,
    )
    monkeypatch.setenv("THROTTLE_RATE_PER_SECOND", "0.5")
    monkeypatch.setenv("THROTTLE_BURST", "3")
    config = config_from(load_settings())
    assert (config.throttle_rate, config.throttle_burst) == (0.5, 3)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("BOT_API_URL", "localhost without scheme"),
        ("DATABASE_URL", "mysql://root@localhost/journal"),
        ("DATABASE_URL", "::::"),
        ("SCHOOL_TIMEZONE", "UTC+5"),
        ("DEFAULT_LOCALE", "de"),
        ("WEBHOOK_URL", "ftp//nope"),
        ("WEBHOOK_SECRET", "spaces are not allowed"),
        ("WEBHOOK_PORT", "70000"),
        ("REDIS_URL", "localhost:6379"),
        ("LOG_LEVEL", "CHATTY"),
        ("PUSH_RATE_PER_SECOND", "0"),
        ("PUSH_COALESCE_SECONDS", "-1"),
        ("NOTIFIER_POLL_SECONDS", "often"),
        ("NOTIFIER_LEASE_SECONDS", "1"),
        ("RUN_NOTIFIER", "perhaps"),
        ("THROTTLE_RATE_PER_SECOND", "0"),
        ("THROTTLE_BURST", "0"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"Bad setting {variable}:")
    assert "\n" not in message
    if variable in {"BOT_TOKEN", "WEBHOOK_SECRET"}:
        assert value not in message  # secrets are not echoed back


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("school_journal_bot", "school_journal_bot"), ("@Gym5_bot", "Gym5_bot")],
)
def test_bot_username_is_optional_and_kept_without_the_at(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str | None
) -> None:
    monkeypatch.setenv("BOT_USERNAME", value)
    assert load_settings().bot_username == expected


@pytest.mark.parametrize("value", ["abcd", "a" * 33, "school-bot", "школа_бот", "@@school_bot"])
def test_a_bad_bot_username_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BOT_USERNAME", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("Bad setting BOT_USERNAME:")


SCHOOL_TOKEN = "222222:AAH-abcdefghijklmnopqrstuvwxyz_school"  # noqa: S105 - a test value
SHARED_TOKEN = "111111:AAH-abcdefghijklmnopqrstuvwxyz_shared"  # noqa: S105 - a test value


def test_school_bots_are_read_as_json_and_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", SHARED_TOKEN)
    monkeypatch.setenv("SCHOOL_BOTS", f'{{"gym-1": "{SCHOOL_TOKEN}"}}')
    settings = load_settings()
    assert settings.school_bots["gym-1"].get_secret_value() == SCHOOL_TOKEN
    assert "school" not in repr(settings.school_bots)
    assert settings.any_bot


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("gym-1=" + SCHOOL_TOKEN, "expected a JSON object"),
        ('["gym-1"]', "expected a JSON object"),
        ('{"gym-1": "not-a-token"}', "gym-1: expected a token from @BotFather"),
        ('{"gym 1": "' + SCHOOL_TOKEN + '"}', "a school's id is 1-64 characters"),
        (
            '{"a": "' + SCHOOL_TOKEN + '", "b": "' + SCHOOL_TOKEN[:-1] + 'X"}',
            "two schools have the same bot",
        ),
        ('{"gym-1": "' + SHARED_TOKEN + '"}', "gym-1: this is BOT_TOKEN's bot"),
    ],
)
def test_a_bad_school_bots_value_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", SHARED_TOKEN)
    monkeypatch.setenv("SCHOOL_BOTS", value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith("Bad setting SCHOOL_BOTS: ")
    assert says in str(error.value)
    assert "AAH" not in str(error.value)  # never the token itself
