"""Instants: ISO and other spellings, naive values, the DST policy, epoch microseconds."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import instants
from touchpoint_signals.errors import DataError, NaiveDatetimeError, UnknownNameError
from touchpoint_signals.timeparse import (
    EPOCH,
    from_epoch_us,
    localize,
    parse_instant,
    parse_timezone,
    to_epoch_us,
)

NEW_YORK = parse_timezone("America/New_York")
BERLIN = parse_timezone("Europe/Berlin")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


# -- spellings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-02T09:30:00+02:00", utc(2026, 5, 2, 7, 30)),
        ("2026-05-02T09:30:00Z", utc(2026, 5, 2, 9, 30)),
        ("2026-05-02T09:30:00.123456-05:00", utc(2026, 5, 2, 14, 30, 0, 123456)),
        ("  2026-05-02 09:30:00+00:00  ", utc(2026, 5, 2, 9, 30)),
    ],
)
def test_iso_8601_is_read(text: str, expected: dt.datetime) -> None:
    assert parse_instant(text) == expected


def test_result_is_in_utc() -> None:
    assert parse_instant("2026-05-02T09:30:00+02:00").tzinfo is dt.UTC


def test_twitter_spelling_is_read() -> None:
    assert parse_instant("Tue Oct 31 22:10:47 +0000 2017") == utc(2017, 10, 31, 22, 10, 47)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 31 Oct 2017 17:10:47 -0500", utc(2017, 10, 31, 22, 10, 47)),
        ("Tue, 31 Oct 2017 17:10:47 -0500 (EST)", utc(2017, 10, 31, 22, 10, 47)),
        ("Wed, 1 Nov 2017 09:00:00 +0100", utc(2017, 11, 1, 8)),
        ("Wed, 01 Nov 2017 08:00:00 GMT", utc(2017, 11, 1, 8)),
    ],
)
def test_rfc_2822_mail_dates_are_read(text: str, expected: dt.datetime) -> None:
    assert parse_instant(text) == expected


def test_zone_name_without_offset_is_refused() -> None:
    with pytest.raises(DataError, match=r"zone name 'EST' is not understood"):
        parse_instant("2017-10-31 22:10 EST", default_tz=dt.UTC)


def test_aware_datetime_is_converted() -> None:
    moment = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-3)))

    assert parse_instant(moment) == utc(2026, 1, 1, 15)


def test_date_is_midnight_in_default_zone() -> None:
    assert parse_instant(dt.date(2026, 1, 15), default_tz=BERLIN) == utc(2026, 1, 14, 23)


@pytest.mark.parametrize("text", ["", "   ", "yesterday-ish", "2026-13-45T00:00:00Z"])
def test_unreadable_text_is_a_data_error(text: str) -> None:
    with pytest.raises(DataError, match=r"date-time"):
        parse_instant(text)


@pytest.mark.parametrize(
    ("value", "name"), [(1714640000, "int"), (None, "NoneType"), (1.5, "float")]
)
def test_non_text_value_is_a_data_error(value: object, name: str) -> None:
    with pytest.raises(
        DataError, match=rf"expected a date-time string or datetime, got {name}"
    ):
        parse_instant(value)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_instant_outside_utc_range_is_a_data_error(text: str) -> None:
    with pytest.raises(DataError, match=r"out of the range of UTC date-times"):
        parse_instant(text)


# -- naive values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["2026-05-02 09:30", dt.datetime(2026, 5, 2, 9, 30), dt.date(2026, 5, 2)]
)
def test_naive_value_without_default_tz_is_refused(value: object) -> None:
    with pytest.raises(NaiveDatetimeError, match=r"has no time zone; pass default_tz"):
        parse_instant(value)


def test_naive_value_with_default_tz_is_placed_in_it() -> None:
    assert parse_instant("2026-05-02 09:30", default_tz=NEW_YORK) == utc(2026, 5, 2, 13, 30)


def test_default_tz_does_not_override_explicit_offset() -> None:
    assert parse_instant("2026-05-02T09:30+00:00", default_tz=NEW_YORK) == utc(
        2026, 5, 2, 9, 30
    )


def test_naive_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"2026-05-02 09:30:00 has no time zone"):
        parse_instant(dt.datetime(2026, 5, 2, 9, 30))


# -- DST policy (hand-computed) ---------------------------------------------------------


def test_new_york_spring_forward_gap_moves_forward() -> None:
    # 2026-03-08: clocks jump 02:00 EST -> 03:00 EDT; 02:30 becomes 03:30 EDT = 07:30 UTC.
    assert parse_instant("2026-03-08 02:30", default_tz=NEW_YORK) == utc(2026, 3, 8, 7, 30)


def test_new_york_fall_back_takes_first_occurrence() -> None:
    # 2026-11-01: 01:30 happens twice; the first is EDT (UTC-4), so 05:30 UTC.
    assert parse_instant("2026-11-01 01:30", default_tz=NEW_YORK) == utc(2026, 11, 1, 5, 30)


def test_new_york_just_after_fall_back_is_standard_time() -> None:
    # 02:00 on 2026-11-01 exists once, in EST (UTC-5).
    assert parse_instant("2026-11-01 02:00", default_tz=NEW_YORK) == utc(2026, 11, 1, 7)


def test_berlin_spring_forward_gap_moves_forward() -> None:
    # 2026-03-29: 02:00 CET -> 03:00 CEST; 02:30 becomes 03:30 CEST = 01:30 UTC.
    assert parse_instant("2026-03-29 02:30", default_tz=BERLIN) == utc(2026, 3, 29, 1, 30)


def test_berlin_fall_back_takes_first_occurrence() -> None:
    # 2026-10-25: 02:30 happens twice; the first is CEST (UTC+2), so 00:30 UTC.
    assert parse_instant("2026-10-25 02:30", default_tz=BERLIN) == utc(2026, 10, 25, 0, 30)


def test_berlin_winter_and_summer_offsets() -> None:
    assert parse_instant("2026-01-15 12:00", default_tz=BERLIN) == utc(2026, 1, 15, 11)
    assert parse_instant("2026-07-15 12:00", default_tz=BERLIN) == utc(2026, 7, 15, 10)


def test_localize_returns_wall_clock_in_zone() -> None:
    aware = localize(dt.datetime(2026, 3, 8, 2, 30), NEW_YORK)

    assert (aware.hour, aware.minute, aware.utcoffset()) == (3, 30, dt.timedelta(hours=-4))


def test_gap_keeps_order_of_events_written_in_it() -> None:
    times = ["2026-03-08 02:00", "2026-03-08 02:10", "2026-03-08 02:59"]

    parsed = [parse_instant(t, default_tz=NEW_YORK) for t in times]

    assert parsed == [utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 10), utc(2026, 3, 8, 7, 59)]


# -- zones ------------------------------------------------------------------------------


def test_parse_timezone_knows_iana_names() -> None:
    assert dt.datetime(
        2026, 7, 1, tzinfo=parse_timezone("Europe/Berlin")
    ).utcoffset() == dt.timedelta(hours=2)


def test_parse_timezone_unknown_name_raises_with_hint() -> None:
    with pytest.raises(
        UnknownNameError, match=r"unknown time zone 'Mars/Olympus': expected an IANA name"
    ):
        parse_timezone("Mars/Olympus")


# -- epoch microseconds -----------------------------------------------------------------


def test_epoch_is_zero() -> None:
    assert to_epoch_us(EPOCH) == 0
    assert from_epoch_us(0) == EPOCH


def test_to_epoch_us_hand_computed() -> None:
    # 2026-05-02T07:30:00.000001Z: 20575 days after the epoch plus 7.5 hours.
    expected = (20575 * 86_400 + 7 * 3600 + 30 * 60) * 1_000_000 + 1

    assert to_epoch_us(utc(2026, 5, 2, 7, 30, 0, 1)) == expected


def test_to_epoch_us_before_epoch_is_negative() -> None:
    assert to_epoch_us(utc(1969, 12, 31, 23, 59, 59, 999999)) == -1


@given(instants(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)))
@settings(max_examples=100)
def test_epoch_microseconds_round_trip(moment: dt.datetime) -> None:
    assert from_epoch_us(to_epoch_us(moment)) == moment


@given(st.integers(min_value=-(10**15), max_value=10**17))
@settings(max_examples=100)
def test_epoch_microseconds_round_trip_from_integers(micros: int) -> None:
    assert to_epoch_us(from_epoch_us(micros)) == micros


@given(instants())
@settings(max_examples=50)
def test_iso_text_round_trip(moment: dt.datetime) -> None:
    assert parse_instant(moment.isoformat()) == moment


def test_default_tz_may_be_a_zone_name() -> None:
    # 09:00 in New York in January (UTC-5) is 14:00 UTC.
    moment = parse_instant("2026-01-15 09:00", default_tz="America/New_York")

    assert moment == dt.datetime(2026, 1, 15, 14, 0, tzinfo=dt.UTC)


def test_an_offset_of_a_whole_day_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"UTC offset outside -24:00 to \+24:00"):
        parse_instant("2025-01-01T00:00:00+24:00")

    assert parse_instant("2025-01-01T00:00:00+23:59") == dt.datetime(
        2024, 12, 31, 0, 1, tzinfo=dt.UTC
    )
