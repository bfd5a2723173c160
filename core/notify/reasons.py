"""Why a delivery was not sent, as recorded in ``deliveries.last_error`` (shown to operators)."""

from __future__ import annotations

SUPERSEDED = "superseded by a correction"
CANCELLED = "cancelled: the mark was removed before it was pushed"
TURNED_OFF = "turned off in settings"
BLOCKED = "the account is inactive (bot blocked)"
