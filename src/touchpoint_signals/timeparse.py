"""Instants as the library keeps them: timezone-aware, in UTC, with microsecond resolution.

Every timestamp that enters the library passes through :func:`parse_instant`. ISO 8601 text
takes a fast path through :meth:`datetime.datetime.fromisoformat`; anything else goes to
:func:`dateutil.parser.parse`, which reads the other common spellings (RFC 2822 mail dates,
``Tue Oct 31 22:10:47 +0000 2017`` as Twitter writes it, ``2016-04-29 18:38``).

Naive values are refused unless the caller names the zone they were written in. A guessed
zone is the classic silent error of event data: a log written in New York and read as UTC
moves every touchpoint by five hours, and the week-boundaries of every signal with it.

DST policy
----------
When a naive local time is placed in a zone with daylight-saving changes, two wall-clock
readings need a rule, and the library applies one rule everywhere:

* an *ambiguous* time (it occurs twice when clocks go back) is read as its **first**
  occurrence, the one with the summer offset (``fold=0``);
* a *non-existent* time (skipped when clocks go forward) is moved **forward by the length of
  the gap**, so 02:30 on a spring-forward night in a zone that jumps from 02:00 to 03:00
  becomes 03:30 local. This keeps the order of events written during the gap.
"""

from __future__ import annotations

import datetime as dt
import logging

from dateutil import parser as dateutil_parser
from dateutil import tz as dateutil_tz

from touchpoint_signals.errors import DataError, NaiveDatetimeError, UnknownNameError

__all__ = [
    "EPOCH",
    "from_epoch_us",
    "localize",
    "parse_instant",
    "parse_timezone",
    "to_epoch_us",
]

logger = logging.getLogger(__name__)

#: The Unix epoch as an aware UTC instant; columnar instants count microseconds from it.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_US_PER_SECOND = 1_000_000


def parse_timezone(name: str) -> dt.tzinfo:
    """Return the time zone called ``name`` (an IANA name such as ``"Europe/Berlin"`` or
    ``"UTC"``), or raise :class:`UnknownNameError` if the zone database does not know it."""
    zone = dateutil_tz.gettz(name)
    if zone is None:
        raise UnknownNameError(
            f"unknown time zone {name!r}: expected an IANA name such as 'UTC' or "
            "'America/New_York'"
        )
    return zone


def localize(naive: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Attach ``zone`` to a naive wall-clock reading, following the module's DST policy.

    Returns an aware datetime in ``zone``; ambiguous readings take their first occurrence and
    readings inside a spring-forward gap move forward by the gap.
    """
    aware = naive.replace(tzinfo=zone, fold=0)

    if not dateutil_tz.datetime_exists(aware):
        shifted = dateutil_tz.resolve_imaginary(aware)
        logger.debug("moved non-existent local time %s forward to %s", aware, shifted)
        return shifted

    return aware


def _offset_only(name: str | None, offset: int | None) -> int | None:
    """Zone rule for dateutil: keep numeric offsets, refuse zone names it cannot place.

    Without it dateutil drops an unknown name such as ``EST`` with a warning and returns a
    naive value, which ``default_tz`` would then silently place in the wrong zone; and it reads
    the local machine's own zone abbreviation as the machine's zone.
    """
    if offset is not None:
        return offset
    if name is not None:
        raise ValueError(f"zone name {name!r} is not understood; write a numeric UTC offset")
    return None


def _coerce(value: object) -> dt.datetime:
    """Turn a str, datetime or date into a datetime, possibly naive; no zone handling yet."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise DataError(f"expected a date-time string or datetime, got {type(value).__name__}")

    text = value.strip()
    if not text:
        raise DataError("expected a date-time, got an empty string")

    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass

    try:
        return dateutil_parser.parse(text, tzinfos=_offset_only)
    except (ValueError, OverflowError) as exc:
        raise DataError(f"could not read {text!r} as a date-time: {exc}") from None


def parse_instant(value: object, *, default_tz: dt.tzinfo | str | None = None) -> dt.datetime:
    """Read ``value`` as an instant and return it as an aware datetime in UTC.

    Parameters
    ----------
    value
        An ISO 8601 string, another common date-time spelling, a ``datetime`` or a ``date``
        (taken as midnight).
    default_tz
        The zone in which naive values were written. Without it a naive value raises
        :class:`NaiveDatetimeError`; with it the module's DST policy applies.

    Examples
    --------
    >>> parse_instant("2026-05-02T09:30:00+02:00")
    datetime.datetime(2026, 5, 2, 7, 30, tzinfo=datetime.timezone.utc)
    >>> parse_instant("Tue Oct 31 22:10:47 +0000 2017")
    datetime.datetime(2017, 10, 31, 22, 10, 47, tzinfo=datetime.timezone.utc)
    """
    moment = _coerce(value)
    try:
        offset = None if moment.tzinfo is None else moment.utcoffset()
    except ValueError:  # an offset of 24 hours or more, which dateutil reads but cannot hold
        raise DataError(
            f"{value!s} has a UTC offset outside -24:00 to +24:00 (exclusive)"
        ) from None

    if offset is None:
        if isinstance(default_tz, str):
            default_tz = parse_timezone(default_tz)
        if default_tz is None:
            raise NaiveDatetimeError(
                f"{value!s} has no time zone; pass default_tz to say which zone it was "
                "written in"
            )
        moment = localize(moment.replace(tzinfo=None), default_tz)

    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise DataError(f"{value!s} is out of the range of UTC date-times") from None


def to_epoch_us(moment: dt.datetime) -> int:
    """Microseconds from the Unix epoch to the aware instant ``moment``."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US_PER_SECOND + delta.microseconds


def from_epoch_us(micros: int) -> dt.datetime:
    """The aware UTC instant ``micros`` microseconds after the Unix epoch."""
    return EPOCH + dt.timedelta(microseconds=int(micros))
