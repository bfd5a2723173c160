"""The retention periods and their legal bounds, apart from the job so that the settings can
validate them without loading the models (docs/privacy.md explains each bound)."""

from __future__ import annotations

from dataclasses import dataclass

# Three calendar years hold at most one 29 February: 3 × 365 + 1 days cover any three years.
# Roskomnadzor order No. 179 keeps the event log's proof of a destruction for three years, and
# claims for damages lapse in three (Civil Code art. 196).
AUDIT_MINIMUM_DAYS = 3 * 365 + 1
PUSH_MAXIMUM_DAYS = 90  # the clean-up deletes events and deliveries then anyway
ANONYMISE_MINIMUM_DAYS = 30


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of record is kept, in days (validated in ``bot.settings``)."""

    push_days: int = 30
    link_attempt_days: int = 90
    anonymise_days: int = 365
    audit_days: int = AUDIT_MINIMUM_DAYS
