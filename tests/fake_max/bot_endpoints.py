"""The bot's own endpoints: identity and commands, chats, long polling, webhooks, upload URLs.

Paths are the ones maxapi 1.2.3 calls (``enums/api_path.py`` and ``methods/``): ``set_commands``
is ``PATCH /me/commands``, the deprecated ``set_my_commands`` is ``PATCH /me``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tests.fake_max.calls import Call, Handler
from tests.fake_max.errors import bad_request, chat_not_found
from tests.fake_max.records import Subscription
from tests.fake_max.state import World
from tests.fake_max.updates import DEFAULT_LIMIT, DEFAULT_TIMEOUT, MAX_LIMIT, MAX_TIMEOUT

MAX_COMMANDS = 32
UPLOAD_TYPES = ("image", "video", "audio", "file")
_SECRET = re.compile(r"[A-Za-z0-9_-]{5,256}")


async def get_me(world: World, call: Call) -> dict[str, Any]:
    return world.identity.get_me(world.now_ms(), world.commands)


async def patch_me(world: World, call: Call) -> dict[str, Any]:
    """``PATCH /me`` (maxapi's deprecated ``set_my_commands``): only ``commands`` is kept."""
    body = call.json_object()
    if "commands" in body and body["commands"] is not None:
        world.commands = _commands(body["commands"])
    return world.identity.get_me(world.now_ms(), world.commands)


async def set_commands(world: World, call: Call) -> dict[str, Any]:
    body = call.json_object()
    world.commands = _commands(body.get("commands") or [])
    return {"commands": [dict(command) for command in world.commands]}


def _commands(commands: Any) -> list[dict[str, Any]]:
    if not isinstance(commands, list):
        raise bad_request("commands: must be a list")
    if len(commands) > MAX_COMMANDS:
        raise bad_request(f"commands: size must be between 0 and {MAX_COMMANDS}")
    checked = []
    for index, command in enumerate(commands):
        name = command.get("name") if isinstance(command, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            raise bad_request(f"commands[{index}].name: size must be between 1 and 64")
        description = command.get("description")
        if description is not None and (
            not isinstance(description, str) or not 1 <= len(description) <= 128
        ):
            raise bad_request(f"commands[{index}].description: size must be between 1 and 128")
        checked.append({"name": name, "description": description})
    return checked


async def get_chat(world: World, call: Call) -> dict[str, Any]:
    """``GET /chats/{id}``: maxapi's dispatcher asks for every update's chat."""
    chat_id = call.int_param("chat_id", required=True)
    assert chat_id is not None
    now = world.now_ms()
    chat: dict[str, Any] = {
        "chat_id": chat_id,
        "status": "active",
        "title": None,
        "icon": None,
        "last_event_time": now,
        "is_public": False,
        "description": None,
    }
    user = world.dialog_user(chat_id)
    if user is not None:
        status = "suspended" if user.id in world.blocked else "active"
        return chat | {
            "type": "dialog",
            "status": status,
            "participants_count": 2,
            "dialog_with_user": user.as_user(now),
        }
    group = world.groups.get(chat_id)
    if group is None:
        raise chat_not_found()
    return chat | {"type": "chat", "title": group.title, "participants_count": 2}


async def send_action(world: World, call: Call) -> dict[str, Any]:
    """``POST /chats/{id}/actions`` ("typing_on" and the like): accepted, nothing shown."""
    chat_id = call.int_param("chat_id", required=True)
    if world.dialog_user(chat_id or 0) is None and chat_id not in world.groups:
        raise chat_not_found()
    return {"success": True}


async def get_updates(world: World, call: Call) -> dict[str, Any]:
    limit = min(max(call.int_param("limit") or DEFAULT_LIMIT, 1), MAX_LIMIT)
    timeout = call.int_param("timeout")
    wait = min(DEFAULT_TIMEOUT if timeout is None else max(timeout, 0), MAX_TIMEOUT)
    types = {t.strip() for t in call.params.get("types", "").split(",") if t.strip()} or None
    updates, marker = await world.events.get(
        call.int_param("marker"),
        limit,
        min(wait, world.poll_timeout_cap),
        types,
        paused=lambda: world.webhooks.active,
    )
    return {"updates": updates, "marker": marker}


async def get_subscriptions(world: World, call: Call) -> dict[str, Any]:
    subscriptions = world.webhooks.subscriptions.values()
    return {"subscriptions": [s.as_json() for s in subscriptions]}


async def subscribe(world: World, call: Call) -> dict[str, Any]:
    body = call.json_object()
    url = body.get("url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise bad_request("url: must be an http(s) URL")
    secret = body.get("secret")
    if secret is not None and (not isinstance(secret, str) or not _SECRET.fullmatch(secret)):
        raise bad_request("secret: 5-256 characters of A-Z, a-z, 0-9, _ and - are allowed")
    types = body.get("update_types")
    if types is not None and not (
        isinstance(types, list) and all(isinstance(t, str) for t in types)
    ):
        raise bad_request("update_types: must be a list of strings")
    world.webhooks.subscribe(
        Subscription(
            url=url,
            secret=secret,
            update_types=tuple(types) if types else None,
            time=world.now_ms(),
            version=body.get("version"),
        )
    )
    return {"success": True}


async def unsubscribe(world: World, call: Call) -> dict[str, Any]:
    world.webhooks.unsubscribe(call.str_param("url"))
    return {"success": True}


async def get_upload_url(world: World, call: Call) -> dict[str, Any]:
    """``POST /uploads?type=``: a one-use URL on the fake; video and audio get their token now."""
    kind = call.params.get("type")
    if kind not in UPLOAD_TYPES:
        raise bad_request(f"type: must be one of {', '.join(UPLOAD_TYPES)}")
    upload_id = f"u{world.next_id()}"
    token = world.opaque(kind) if kind in ("video", "audio") else None
    world.upload_slots[upload_id] = (kind, token)
    answer = {"url": f"{world.base_url}/upload/{upload_id}"}
    return answer | {"token": token} if token else answer


ENDPOINTS: dict[str, Handler] = {
    "GET /me": get_me,
    "PATCH /me": patch_me,
    "PATCH /me/commands": set_commands,
    "GET /chats/{chat_id}": get_chat,
    "POST /chats/{chat_id}/actions": send_action,
    "GET /updates": get_updates,
    "GET /subscriptions": get_subscriptions,
    "POST /subscriptions": subscribe,
    "DELETE /subscriptions": unsubscribe,
    "POST /uploads": get_upload_url,
}
