"""The endpoint table: "VERB /path/{var}" names matched against incoming requests.

Endpoint names double as the keys tests use for faults and ``calls()``, so one spelling of an
endpoint ("POST /messages", "GET /chats/{chat_id}") serves the server, the records and the tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tests.fake_max import bot_endpoints, messages
from tests.fake_max.calls import Handler

_VARIABLE = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    endpoint: str
    verb: str
    pattern: re.Pattern[str]
    handler: Handler


def build(endpoints: Mapping[str, Handler]) -> list[Route]:
    routes = []
    for endpoint, handler in endpoints.items():
        verb, template = endpoint.split(" ", 1)
        parts = _VARIABLE.split(template)  # literal, name, literal, name, ..., literal
        regex = "".join(
            f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part)
            for index, part in enumerate(parts)
        )
        routes.append(Route(endpoint, verb, re.compile(regex), handler))
    return routes


def find(routes: list[Route], verb: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        match = route.pattern.fullmatch(path)
        if match and route.verb == verb:
            return route, match.groupdict()
    return None


ROUTES = build(bot_endpoints.ENDPOINTS | messages.ENDPOINTS)
