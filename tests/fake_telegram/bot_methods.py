"""Bot API methods about the bot itself: identity, updates, webhook and command menus."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from tests.fake_telegram.errors import bad_request, conflict
from tests.fake_telegram.params import Upload, bool_param, int_param
from tests.fake_telegram.state import World

Handler = Callable[[World, dict[str, Any], dict[str, Upload]], Awaitable[Any]]
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
DEFAULT_SCOPE = {"type": "default"}


async def get_me(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return world.identity.get_me()


async def get_updates(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    if world.webhook.get("url"):
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    allowed = params.get("allowed_updates")
    return await world.queue.get(
        offset=int_param(params, "offset"),
        limit=int_param(params, "limit"),
        wait_seconds=int_param(params, "timeout", 0) or 0,
        allowed=allowed if isinstance(allowed, list) else None,
    )


async def set_webhook(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    url = params.get("url") or ""
    if url and not str(url).startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if bool_param(params, "drop_pending_updates"):
        world.queue.drop_all()
    world.webhook = dict(params) if url else {}
    return True


async def delete_webhook(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    if bool_param(params, "drop_pending_updates"):
        world.queue.drop_all()
    world.webhook = {}
    return True


async def get_webhook_info(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    info: dict[str, Any] = {
        "url": world.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(world.queue.pending),
    }
    if world.webhook.get("allowed_updates"):
        info["allowed_updates"] = world.webhook["allowed_updates"]
    return info


async def always_true(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return True


def commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
    """Command menus are stored per scope and language, as Telegram keeps them."""
    scope = scope or DEFAULT_SCOPE
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True), str(language_code or "")


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    return commands_key(params.get("scope"), params.get("language_code"))


async def set_my_commands(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description") or "")) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    world.commands[_commands_key(params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(world: World, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
    return world.commands.get(_commands_key(params), [])


async def delete_my_commands(
    world: World, params: dict[str, Any], uploads: dict[str, Upload]
) -> Any:
    world.commands.pop(_commands_key(params), None)
    return True


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "logOut": always_true,
    "close": always_true,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
}
