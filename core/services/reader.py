"""Who is reading: the actor every read is audited under."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reader:
    """The person (or process) a service reads for.

    ``label`` names the channel ("telegram", "cli", "scheduler"); an account and/or a staff
    member identify the person when there is one. Permission checks come with the bot issue.
    """

    label: str
    account_id: int | None = None
    staff_id: int | None = None
