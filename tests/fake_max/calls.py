"""One API call as endpoint handlers see it: query parameters, path variables and JSON body.

Parameter parsing raises MAX's 400 (``proto.payload``) so each handler states what it needs in a
line and a malformed request fails the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.fake_max.errors import bad_request

if TYPE_CHECKING:
    from tests.fake_max.state import World


@dataclass(frozen=True)
class Call:
    endpoint: str  # "VERB /path-template", e.g. "GET /chats/{chat_id}"
    params: Mapping[str, str]
    path: Mapping[str, str]
    body: Any

    def int_param(self, name: str, *, required: bool = False) -> int | None:
        raw = self.params.get(name, self.path.get(name))
        if raw is None or raw == "":
            if required:
                raise bad_request(f"{name}: required parameter is missing")
            return None
        try:
            return int(raw)
        except ValueError:
            raise bad_request(f"{name}: {raw!r} is not a number") from None

    def str_param(self, name: str) -> str:
        """A required string parameter (query or path)."""
        raw = self.params.get(name, self.path.get(name))
        if raw is None or not raw.strip():
            raise bad_request(f"{name}: required parameter is missing")
        return raw

    def json_object(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise bad_request("request body: a JSON object is required")
        return self.body


Handler = Callable[["World", Call], Awaitable[Any]]
