"""The early-warning migration both ways on a database with rows: existing accounts are not opted
in, and going down drops the cases, the switch and the messages of the new kinds."""

from __future__ import annotations

from core import migrate
from tests.conftest import in_thread
from tests.schema.test_bells_schema import _add_school, _run

BEFORE, AFTER = "3f6c1d8e2a90", "b5190d31216a"


async def test_the_early_warning_migration_both_ways(empty_db_url: str) -> None:
    in_thread(migrate.upgrade, empty_db_url, BEFORE)
    await _add_school(empty_db_url)
    await _run(
        empty_db_url,
        "INSERT INTO accounts (id, messenger, user_key, chat_key, is_active, created_at) "
        "VALUES (1, 'telegram', '10', '10', true, CURRENT_TIMESTAMP)",
        "INSERT INTO notification_preferences (account_id, marks, absences, timetable_changes, "
        "homework, evening_digest, weekly_summary, announcements, quiet_from, quiet_to, "
        "digest_at, privacy, updated_at) VALUES (1, true, true, true, true, true, true, true, "
        "NULL, NULL, '19:00:00', 'full', CURRENT_TIMESTAMP)",
    )
    in_thread(migrate.upgrade, empty_db_url, AFTER)
    found = await _run(
        empty_db_url,
        "INSERT INTO outbox_events (school_id, kind, object_type, object_id, payload, silent, "
        "occurred_at, dedupe_key) VALUES (1, 'risk_guardian', 'accounts', 1, '{}', false, "
        "CURRENT_TIMESTAMP, 'risk_guardian:2026-12-04:1')",
        "INSERT INTO deliveries (event_id, account_id, state, not_before, attempts, created_at, "
        "updated_at) SELECT id, 1, 'pending', CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP FROM outbox_events",
        "SELECT risk_warnings FROM notification_preferences",
    )
    assert found == [(False,)]  # nobody is opted in by the migration
    in_thread(migrate.downgrade, empty_db_url, BEFORE)
    assert await _run(empty_db_url, "SELECT count(*) FROM outbox_events") == [(0,)]
    assert await _run(empty_db_url, "SELECT count(*) FROM deliveries") == [(0,)]
    kept = await _run(empty_db_url, "SELECT account_id, marks FROM notification_preferences")
    assert kept == [(1, True)]
    in_thread(migrate.upgrade, empty_db_url, AFTER)
    assert await _run(empty_db_url, "SELECT count(*) FROM risk_cases") == [(0,)]
