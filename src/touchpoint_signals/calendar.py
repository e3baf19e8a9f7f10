"""Business time: how much of an interval fell on working days.

A reply that takes from Friday evening to Monday morning is not a slow reply. Latency signals
therefore measure time on a :class:`BusinessCalendar`: whole working days count, weekends and
holidays do not, and partial days count for the part of the day inside the interval. Day
boundaries are local midnights in the calendar's time zone.

The calendar counts whole days, not office hours: Friday 17:00 to Monday 09:00 is 7 hours of
Friday plus 9 hours of Monday, 16 business hours. Office hours (say 09:00-17:00) are not
modelled; a message sent at 23:00 on a Tuesday and answered at 08:00 on Wednesday counts 9
hours although no office was open. For latencies compared with the same contact's own
baseline, as in :mod:`touchpoint_signals.signals.latency`, this bias largely cancels.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError, DataError
from touchpoint_signals.timeparse import EPOCH, parse_timezone, to_epoch_us

__all__ = ["BusinessCalendar"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

_US_PER_DAY = 86_400 * 1_000_000
_EPOCH_DATE = np.datetime64("1970-01-01", "D")


def _holidays(values: Iterable[dt.date | str]) -> tuple[dt.date, ...]:
    days: set[dt.date] = set()
    for value in values:
        if isinstance(value, dt.datetime):
            raise ConfigError(f"BusinessCalendar.holidays takes dates, got the instant {value}")
        if isinstance(value, dt.date):
            days.add(value)
        else:
            try:
                days.add(dt.date.fromisoformat(str(value)))
            except ValueError:
                raise ConfigError(
                    f"BusinessCalendar.holidays: {value!r} is not a date (expected YYYY-MM-DD)"
                ) from None
    return tuple(sorted(days))


def _timezone(value: dt.tzinfo | str) -> dt.tzinfo:
    return parse_timezone(value) if isinstance(value, str) else value


def _check_weekmask(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if value.strip("0") == "":
        raise ConfigError(f"BusinessCalendar.weekmask {value!r} has no working day")
    try:
        np.busdaycalendar(weekmask=value)
    except ValueError:
        raise ConfigError(
            f"BusinessCalendar.weekmask {value!r} is not a week mask: expected seven 0/1 "
            "characters from Monday (e.g. '1111100') or day names (e.g. 'Mon Tue Wed')"
        ) from None


@attrs.frozen(eq=False)
class _DayTables:
    """Local midnights, working days and working time before each day, from day ``first``.

    Day ``first + i`` starts at ``midnights[i]`` (UTC microseconds), is a working day when
    ``working[i]``, and ``before[i]`` microseconds of working time precede it within the
    range; the tables end with day ``last``.
    """

    first: int
    last: int
    midnights: npt.NDArray[np.int64]
    working: npt.NDArray[np.bool_]
    before: npt.NDArray[np.int64]


@attrs.frozen
class BusinessCalendar:
    """Working days in a time zone, for measuring latencies in business time.

    Parameters
    ----------
    weekmask
        Working days of the week, as :func:`numpy.busday_count` takes them: seven ``0``/``1``
        characters from Monday, or day names. Default Monday to Friday.
    holidays
        Dates that are not working days even when the week mask says so (ISO strings are
        accepted and converted).
    timezone
        The zone whose local midnights separate days (a :class:`datetime.tzinfo` or an IANA
        name). Default UTC.

    Notes
    -----
    Business time between two instants is ``B(end) - B(start)``, where ``B(t)`` is the
    length of working-day time from a fixed origin to ``t``: the real lengths of the working
    days before ``t``'s local day, plus the time since local midnight when that day is a
    working day. It is therefore additive over adjacent intervals, never negative for
    ``end >= start`` and never more than the wall-clock time; across a daylight-saving change
    a working day lasts 23 or 25 hours, as it does on the clock. Working days are decided by
    :func:`numpy.is_busday` and counted by cumulative sums over the days the inputs span, so
    the cost is one division per instant (a search of the local midnights in a zone with
    daylight saving) plus one step per calendar day of the range.

    Examples
    --------
    >>> cal = BusinessCalendar(holidays=("2026-12-25",))
    >>> us = lambda s: to_epoch_us(dt.datetime.fromisoformat(s))
    >>> friday_5pm, monday_9am = us("2026-05-01T17:00Z"), us("2026-05-04T09:00Z")
    >>> float(cal.business_seconds(np.array([friday_5pm]), np.array([monday_9am]))[0]) / 3600
    16.0
    """

    weekmask: str = attrs.field(default="1111100", validator=_check_weekmask)
    holidays: tuple[dt.date, ...] = attrs.field(default=(), converter=_holidays)
    timezone: dt.tzinfo = attrs.field(default=dt.UTC, converter=_timezone)
    #: The day tables of the widest range asked for so far: building them (a zone lookup
    #: and a working-day test per day) is the fixed cost of every call, which a service
    #: measuring one account's few replies per call would otherwise pay each time.
    _days: list[_DayTables] = attrs.field(
        factory=list, init=False, repr=False, eq=False, hash=False
    )

    def _offset_us(self) -> int | None:
        """The zone's UTC offset in microseconds when it never changes, else ``None``."""
        if isinstance(self.timezone, dt.timezone):
            fixed = self.timezone.utcoffset(None)
            return round(fixed.total_seconds() * 1_000_000)
        return None

    def _midnights(self, first: int, last: int) -> npt.NDArray[np.int64]:
        """UTC microseconds of the local midnights of days ``first..last + 1`` (epoch days)."""
        days = np.arange(first, last + 2, dtype=np.int64)
        offset = self._offset_us()
        if offset is not None:
            return days * _US_PER_DAY - offset

        # One zone lookup per calendar day of the range (not per instant): offsets change with
        # daylight saving, and only the zone knows when.
        midnights = np.empty(days.size, dtype=np.int64)
        for i, day in enumerate(days.tolist()):
            date = dt.date.fromordinal(EPOCH.date().toordinal() + day)
            local = dt.datetime(date.year, date.month, date.day, tzinfo=self.timezone)
            midnights[i] = to_epoch_us(local.astimezone(dt.UTC))
        return midnights

    def _day_tables(self, first: int, last: int) -> _DayTables:
        """Tables of the days ``first..last`` (epoch days) or of a wider range, kept.

        Business time is a difference of cumulative sums, so tables that start earlier give
        the same differences to the microsecond: a wider range kept is as good as the exact
        one.
        """
        if self._days:
            kept = self._days[0]
            if kept.first <= first and last <= kept.last:
                return kept
            first, last = min(first, kept.first), max(last, kept.last)

        midnights = self._midnights(first, last)
        dates = _EPOCH_DATE + np.arange(first, last + 1)
        working = np.is_busday(dates, weekmask=self.weekmask, holidays=list(self.holidays))
        before = np.zeros(dates.size + 1, dtype=np.int64)
        np.cumsum(np.where(working, np.diff(midnights), 0), out=before[1:])
        tables = _DayTables(first, last, midnights, working, before)
        self._days[:] = [tables]
        return tables

    def business_seconds(self, start_us: npt.ArrayLike, end_us: npt.ArrayLike) -> FloatArray:
        """Seconds of business time from each ``start_us`` to the matching ``end_us``.

        Both are int64 microseconds since the Unix epoch (UTC), broadcast together. The
        result is negative where ``end_us < start_us`` (it is ``B(end) - B(start)``, see the
        class Notes).
        """
        start = np.asarray(start_us, dtype=np.int64)
        end = np.asarray(end_us, dtype=np.int64)
        try:
            shape = np.broadcast_shapes(start.shape, end.shape)
        except ValueError:
            raise DataError(
                f"start_us and end_us must broadcast together, got shapes {start.shape} "
                f"and {end.shape}"
            ) from None
        if 0 in shape:
            return np.zeros(shape, dtype=np.float64)

        pad = 2  # local days can start up to a day before or after the UTC day
        days = self._day_tables(
            int(min(start.min(), end.min()) // _US_PER_DAY) - pad,
            int(max(start.max(), end.max()) // _US_PER_DAY) + pad,
        )
        first, midnights, working, before = (
            days.first,
            days.midnights,
            days.working,
            days.before,
        )
        offset = self._offset_us()

        # On a working day ``B(t)`` is ``before[d]`` plus the time since midnight, which for
        # days of equal length is ``t`` less a constant of the day: one table lookup and an
        # addition per instant, after the division that finds the day.
        if offset is not None:
            day_start = np.arange(before.size - 1, dtype=np.int64) * _US_PER_DAY
            into_base = np.where(working, before[:-1] - day_start, before[:-1])

        def cumulative(t: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
            # A zone without daylight saving has days of equal length: the day of an
            # instant (counted from the tables' first) is one division, not a search of
            # the midnights.
            if offset is not None:
                shifted = t + (offset - first * _US_PER_DAY)
                day = shifted // _US_PER_DAY
                result: npt.NDArray[np.int64] = into_base[day] + shifted * working[day]
                return result
            day = np.searchsorted(midnights, t, side="right") - 1
            into = t - midnights[day]
            searched: npt.NDArray[np.int64] = before[day] + np.where(working[day], into, 0)
            return searched

        # Each side is read at its own shape: a single end instant (``as_of``) is one
        # lookup, not one per start.
        seconds: FloatArray = np.asarray((cumulative(end) - cumulative(start)) / 1e6)
        return seconds
