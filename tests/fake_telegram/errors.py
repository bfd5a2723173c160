"""Bot API error answers, raised inside method handlers and turned into JSON by the server.

Descriptions copy Telegram's wording because aiogram surfaces them verbatim in exceptions and
production code (and its tests) match on them.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An answer with ``"ok": false``; ``retry_after`` becomes ``parameters.retry_after``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def conflict(reason: str) -> ApiError:
    return ApiError(409, f"Conflict: {reason}")


METHOD_NOT_FOUND = ApiError(404, "Not Found: method not found")
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def server_error(status: int) -> ApiError:
    return ApiError(status, SERVER_ERRORS.get(status, "Internal Server Error"))
