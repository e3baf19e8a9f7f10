"""Tests for BusinessCalendar: hand-computed business times and properties of the measure."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.calendar import BusinessCalendar
from touchpoint_signals.errors import ConfigError, DataError
from touchpoint_signals.timeparse import to_epoch_us

HOUR = 3600.0


def us(text: str) -> int:
    return to_epoch_us(dt.datetime.fromisoformat(text))


def hours(calendar: BusinessCalendar, start: str, end: str) -> float:
    return (
        float(calendar.business_seconds(np.array([us(start)]), np.array([us(end)]))[0]) / HOUR
    )


# 2026-05-01 is a Friday; 2026-05-04 a Monday.


def test_friday_evening_to_monday_morning() -> None:
    # Friday 17:00 -> 24:00 is 7 h; Saturday and Sunday count 0; Monday 00:00 -> 09:00 is 9 h.
    assert hours(BusinessCalendar(), "2026-05-01T17:00Z", "2026-05-04T09:00Z") == 16.0


def test_within_one_working_day() -> None:
    # Tuesday 09:30 -> 15:00 is 5.5 h, the same as the wall clock.
    assert hours(BusinessCalendar(), "2026-05-05T09:30Z", "2026-05-05T15:00Z") == 5.5


def test_weekend_only_interval_is_zero() -> None:
    # Saturday 10:00 -> Sunday 22:00: no working time at all.
    assert hours(BusinessCalendar(), "2026-05-02T10:00Z", "2026-05-03T22:00Z") == 0.0


def test_full_weeks() -> None:
    # Monday 00:00 -> the Monday two weeks later: 10 working days of 24 h.
    assert hours(BusinessCalendar(), "2026-05-04T00:00Z", "2026-05-18T00:00Z") == 240.0


def test_holiday_is_skipped() -> None:
    # Thursday 2026-12-24 12:00 -> Monday 2026-12-28 12:00 with Christmas (Friday) a holiday:
    # Thursday 12 h + Friday 0 + weekend 0 + Monday 12 h = 24 h (48 h without the holiday).
    with_holiday = BusinessCalendar(holidays=[dt.date(2026, 12, 25)])
    assert hours(with_holiday, "2026-12-24T12:00Z", "2026-12-28T12:00Z") == 24.0
    assert hours(BusinessCalendar(), "2026-12-24T12:00Z", "2026-12-28T12:00Z") == 48.0


def test_custom_weekmask() -> None:
    # Sunday-to-Thursday week: Friday 17:00 -> Sunday 09:00 is Sunday's 9 h only.
    calendar = BusinessCalendar(weekmask="Sun Mon Tue Wed Thu")
    assert hours(calendar, "2026-05-01T17:00Z", "2026-05-03T09:00Z") == 9.0


def test_timezone_moves_day_boundaries() -> None:
    # In UTC+09:00 (Tokyo, no DST) Friday 17:00 UTC is Saturday 02:00 local: the weekend has
    # begun. Monday 09:00 UTC is Monday 18:00 local: 18 h of Monday count.
    calendar = BusinessCalendar(timezone="Asia/Tokyo")
    assert hours(calendar, "2026-05-01T17:00Z", "2026-05-04T09:00Z") == 18.0
    fixed = BusinessCalendar(timezone=dt.timezone(dt.timedelta(hours=9)))
    assert hours(fixed, "2026-05-01T17:00Z", "2026-05-04T09:00Z") == 18.0


def test_daylight_saving_day_is_23_hours() -> None:
    # Europe/Berlin springs forward on Sunday 2026-03-29; with a week mask that makes Sunday a
    # working day, Sunday local midnight (Sat 23:00 UTC) -> Monday local midnight (Sun 22:00
    # UTC) holds 23 real hours.
    calendar = BusinessCalendar(weekmask="1111111", timezone="Europe/Berlin")
    assert hours(calendar, "2026-03-28T23:00Z", "2026-03-29T22:00Z") == 23.0


def test_end_before_start_is_negative_and_shapes_broadcast() -> None:
    calendar = BusinessCalendar()
    start = us("2026-05-05T10:00Z")
    result = calendar.business_seconds(np.array([start, start]), start - 3_600_000_000)
    assert result.tolist() == [-3600.0, -3600.0]
    assert calendar.business_seconds(np.array([], dtype=np.int64), np.array([])).shape == (0,)
    with pytest.raises(DataError, match="broadcast"):
        calendar.business_seconds(np.zeros(2, dtype=np.int64), np.zeros(3, dtype=np.int64))


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ConfigError, match="weekmask"):
        BusinessCalendar(weekmask="11111")
    with pytest.raises(ConfigError, match="no working day"):
        BusinessCalendar(weekmask="0000000")
    with pytest.raises(ConfigError, match="holidays"):
        BusinessCalendar(holidays=["Christmas"])
    assert BusinessCalendar(holidays=["2026-01-02", "2026-01-01"]).holidays == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 2),
    )


LOW = us("2000-01-01T00:00Z")
HIGH = us("2030-01-01T00:00Z")
instants_us = st.integers(min_value=LOW, max_value=HIGH)
calendars = st.sampled_from(
    [
        BusinessCalendar(),
        BusinessCalendar(holidays=["2020-12-25", "2021-01-01"], timezone="America/New_York"),
        BusinessCalendar(weekmask="1111111", timezone="Europe/Berlin"),
    ]
)


@settings(max_examples=50, deadline=None)
@given(calendars, st.lists(instants_us, min_size=3, max_size=3))
def test_additive_nonnegative_and_at_most_wall_clock(
    calendar: BusinessCalendar, points: list[int]
) -> None:
    a, b, c = sorted(points)
    ab, bc, ac = calendar.business_seconds(np.array([a, b, a]), np.array([b, c, c]))
    assert ab + bc == pytest.approx(ac, abs=1e-6)
    assert 0.0 <= ab <= (b - a) / 1e6
    assert 0.0 <= ac <= (c - a) / 1e6


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(instants_us, instants_us), min_size=1, max_size=20))
def test_vectorised_equals_one_at_a_time(pairs: list[tuple[int, int]]) -> None:
    calendar = BusinessCalendar(holidays=["2010-05-03"])
    starts = np.array([p[0] for p in pairs], dtype=np.int64)
    ends = np.array([p[1] for p in pairs], dtype=np.int64)
    together = calendar.business_seconds(starts, ends)
    alone = [
        float(calendar.business_seconds(np.array([s]), np.array([e]))[0]) for s, e in pairs
    ]
    assert together.tolist() == pytest.approx(alone)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(-12, 14),
    st.lists(st.tuples(instants_us, instants_us), min_size=1, max_size=20),
    instants_us,
)
def test_a_fixed_offset_reads_as_the_same_zone_looked_up_day_by_day(
    hours_east: int, pairs: list[tuple[int, int]], as_of: int
) -> None:
    # A dt.timezone takes the division shortcut; the same offset as a zoneinfo zone takes
    # the search through its midnights. Both must give the same microseconds.
    fixed = BusinessCalendar(timezone=dt.timezone(dt.timedelta(hours=hours_east)))
    looked_up = BusinessCalendar(timezone=f"Etc/GMT{-hours_east:+d}")
    starts = np.array([p[0] for p in pairs], dtype=np.int64)
    ends = np.array([p[1] for p in pairs], dtype=np.int64)

    assert fixed.business_seconds(starts, ends).tolist() == (
        looked_up.business_seconds(starts, ends).tolist()
    )
    assert fixed.business_seconds(starts, as_of).tolist() == (
        looked_up.business_seconds(starts, np.full(len(pairs), as_of)).tolist()
    )


@settings(max_examples=40, deadline=None)
@given(
    calendars, st.lists(st.lists(instants_us, min_size=2, max_size=6), min_size=1, max_size=5)
)
def test_a_calendar_used_again_reads_as_a_new_one(
    calendar: BusinessCalendar, calls: list[list[int]]
) -> None:
    # The day tables kept from earlier calls (a wider range) give the same microseconds.
    for instants in calls:
        starts = np.array(instants[:-1], dtype=np.int64)
        fresh = attrs.evolve(calendar)
        assert calendar.business_seconds(starts, instants[-1]).tolist() == (
            fresh.business_seconds(starts, instants[-1]).tolist()
        )
    assert calendar == attrs.evolve(calendar)
    assert repr(calendar) == repr(attrs.evolve(calendar))
