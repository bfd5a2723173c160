"""Quiet hours in the school's time zone (Yekaterinburg, UTC+5), worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.notify.quiet import in_quiet_hours, release_time

SCHOOL = ZoneInfo("Asia/Yekaterinburg")
NIGHT = (time(21), time(7))


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_a_window_across_midnight(local: time, quiet: bool) -> None:
    assert in_quiet_hours(local, *NIGHT) is quiet


def test_a_daytime_window_and_no_window() -> None:
    assert in_quiet_hours(time(14), time(13), time(15))
    assert not in_quiet_hours(time(15), time(13), time(15))
    assert not in_quiet_hours(time(23), None, None)
    assert not in_quiet_hours(time(23), time(22), time(22))


def test_an_evening_push_waits_for_the_morning() -> None:
    # 22:30 in Yekaterinburg is 17:30 UTC; the window ends at 07:00 local = 02:00 UTC next day.
    now = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)
    assert release_time(now, *NIGHT, SCHOOL) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_an_early_morning_push_waits_until_seven_the_same_day() -> None:
    now = datetime(2026, 11, 30, 0, 15, tzinfo=UTC)  # 05:15 local
    assert release_time(now, *NIGHT, SCHOOL) == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def test_a_daytime_push_goes_at_once() -> None:
    now = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # 11:00 local
    assert release_time(now, *NIGHT, SCHOOL) == now
    assert release_time(now, None, None, SCHOOL) == now


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        release_time(datetime(2026, 11, 30, 6, 0), *NIGHT, SCHOOL)  # noqa: DTZ001


hours = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(
    # Hypothesis takes naive bounds and attaches the time zone itself.
    now=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2028, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    start=hours,
    end=hours,
)
def test_the_release_is_never_early_never_quiet_and_within_a_day(
    now: datetime, start: time, end: time
) -> None:
    released = release_time(now, start, end, SCHOOL)
    assert released >= now
    assert (released - now).total_seconds() <= 24 * 3600
    assert not in_quiet_hours(released.astimezone(SCHOOL).time(), start, end)
