"""``bench/region_day.py`` at a tiny size, on each backend, in seconds.

The demo school of about 40 pupils (one class per grade) is imported into the test's database
and its virtual day is run through the real fan-out and claim. The JSON
must hold every figure, and the day must have kept the promises the benchmark measures: every
event reaching an opted-in linked account delivered exactly once, nothing else sent, nothing
left behind, nothing sent inside the account's quiet hours, no negative delay.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import region_day
from bench._fixtures import load_demo

STUDENTS = 40


async def test_region_day_runs_at_a_tiny_size(db_url: str, tmp_path: Path) -> None:
    demo = await load_demo(db_url, STUDENTS)
    [path] = await region_day.run(
        demo=demo,
        out=tmp_path,
        students=STUDENTS,
        saves_in_class=0.5,  # a third of the marks saved in the evening, some after 21:00
        # more of everything, so that a school of 40 has each kind of push
        marks_per_pupil=3.0,
        ill_share=0.1,
        lesson_absence=0.05,
        guardians_linked=0.9,
        substitutions_today=2,
        changes_tomorrow=2,
        homework_share=0.5,  # off in the benchmark; a class- or group-wide push to check
    )
    result = json.loads(path.read_text(encoding="utf-8"))
    assert result["backend"] == demo.backend
    assert result["school"]["accounts"] > 0
    assert result["school"]["lessons"] > 0
    for kind in ("marks", "absences", "timetable_changes", "homework"):
        assert result["events"].get(kind, 0) > 0, kind

    check = result["check"]
    assert check["expected_pairs"] > 0
    assert check["sent_pairs"] == check["expected_pairs"]
    assert check["missing"] == check["unexpected"] == check["sent_twice"] == 0
    assert check["left_pending"] == 0
    assert result["sent_inside_quiet_hours"] == 0
    assert result["held_by_quiet_hours"]["count"] > 0  # the quiet hours were exercised
    assert result["held_by_quiet_hours"]["min_s"] > 0
    assert result["deliveries"].get("sent", 0) == check["sent_pairs"]
    assert 0 < result["messages"] <= check["sent_pairs"]

    delays = result["delay_outside_quiet_hours"]
    assert delays["count"] > 0
    assert 0 <= delays["min_s"] <= delays["p50_s"] <= delays["p95_s"] <= delays["max_s"]
    assert result["goal_met"] is (delays["p95_s"] < region_day.GOAL.total_seconds())
    per = result["messages_per_account"]["all"]
    assert 0 < per["mean"] <= per["p95"] <= per["max"]
    assert result["peak"]["messages_in_minute"] > 0
    shared = result["region"]["one_shared_bot"]
    assert shared["messages_per_day"] == round(result["messages"] * result["region"]["scale"])
    assert shared["peak_minute_per_second"] > 0
    for variant in ("schools_in_step", "schools_spread_over_10_min"):
        figures = shared[variant]
        assert 0 <= figures["delay_p50_s"] <= figures["delay_p95_s"] <= figures["delay_max_s"]
        assert figures["rate_needed_for_p95_goal"] > 0, variant
        # the rate found and the p95 at the bot's own rate agree (to the search's 0.1/s)
        needed, rate = figures["rate_needed_for_p95_goal"], shared["bot_rate_per_second"]
        if figures["delay_p95_s"] < region_day.GOAL.total_seconds():
            assert needed <= rate + 0.2, variant
        else:
            assert needed > rate - 0.2, variant
    for key in ("model", "simulated", "real", "seconds", "machine"):
        assert result[key], key
