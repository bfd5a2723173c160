"""MAX Bot API error answers, raised inside endpoint handlers and turned into JSON by the server.

MAX answers every refusal with ``{"code": ..., "message": ...}`` and the HTTP status; maxapi
surfaces both in ``MaxApiError(code=status, raw=body)``, and production code branches on the
``code`` string, so the strings here copy the real ones where they are known (``verify.token``,
``proto.payload``, ``chat.denied``, ``not.found``, ``attachment.not.ready``).
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal: HTTP ``status`` with the JSON body ``{"code", "message"}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


def bad_request(message: str) -> ApiError:
    """400 for a request body or parameter MAX's validation rejects."""
    return ApiError(400, "proto.payload", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not.found", message)


def chat_not_found() -> ApiError:
    return not_found("Chat not found")


def chat_denied(message: str) -> ApiError:
    """403 for a dialog the bot may not write to (the user stopped or never started it)."""
    return ApiError(403, "chat.denied", message)


def dialog_suspended(chat_id: int) -> ApiError:
    # The wording MAX uses for a user who blocked (stopped) the bot.
    return chat_denied(f"Key: error.dialog.suspended, args: [{chat_id},].")


INVALID_TOKEN = ApiError(401, "verify.token", "Invalid access_token")
TOO_MANY_REQUESTS = ApiError(429, "too.many.requests", "Too many requests")
ATTACHMENT_NOT_READY = ApiError(
    400, "attachment.not.ready", "Key: errors.process.attachment.file.not.processed"
)

SERVER_ERRORS = {
    500: ("internal.error", "Internal Server Error"),
    502: ("bad.gateway", "Bad Gateway"),
    503: ("service.unavailable", "Service Unavailable"),
    504: ("gateway.timeout", "Gateway Timeout"),
}


def server_error(status: int) -> ApiError:
    code, message = SERVER_ERRORS.get(status, ("internal.error", "Internal Server Error"))
    return ApiError(status, code, message)
