"""Parameter checks and reason helpers shared by the built-in extractors.

Every extractor validates its parameters when it is built, with one wording: the message
names ``ClassName.parameter``, says in words what was expected and quotes what arrived, so
``Attendance(recent_days=math.inf)`` fails with "Attendance.recent_days must be a finite
number of days > 0, got inf". The class name is read from the instance being built, so the
validators serve every class alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.calendar import BusinessCalendar
from touchpoint_signals.errors import ConfigError, UnknownNameError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.timeparse import from_epoch_us

__all__: list[str] = []


def _fail(instance: Any, attribute: attrs.Attribute[Any], expected: str, value: Any) -> None:
    raise ConfigError(
        f"{type(instance).__name__}.{attribute.name} must be {expected}, got {value!r}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def days(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A finite, positive number of days (a window length)."""
    if not (_is_number(value) and math.isfinite(value) and value > 0):
        _fail(instance, attribute, "a finite number of days > 0", value)


def finite_above(low: float, *, inclusive: bool = False) -> Any:
    """A finite number ``> low`` (``>= low`` when ``inclusive``)."""
    sign = ">=" if inclusive else ">"

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not (
            _is_number(value)
            and math.isfinite(value)
            and (value >= low if inclusive else value > low)
        ):
            _fail(instance, attribute, f"a finite number {sign} {low:g}", value)

    return check


def in_unit_interval(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A number in [0, 1]."""
    if not (_is_number(value) and 0.0 <= value <= 1.0):
        _fail(instance, attribute, "a number in [0, 1]", value)


def whole_at_least(low: int) -> Any:
    """An integer ``>= low`` (``True`` and ``False`` are not integers here)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            _fail(instance, attribute, f"a whole number >= {low}", value)

    return check


def boolean(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``True`` or ``False`` exactly: a string such as ``'no'`` would read as true."""
    if not isinstance(value, bool):
        _fail(instance, attribute, "True or False", value)


def calendar(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A :class:`~touchpoint_signals.calendar.BusinessCalendar`."""
    if not isinstance(value, BusinessCalendar):
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be a BusinessCalendar, "
            f"got {type(value).__name__} {value!r}"
        )


def signal_name(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A non-blank, one-line signal name."""
    if not isinstance(value, str) or not value.strip() or len(value.splitlines()) > 1:
        _fail(instance, attribute, "a non-empty one-line string", value)


def kind_names(value: Any, owner: str) -> tuple[str, ...]:
    """``value`` as a tuple of non-empty kind names; ``owner`` (``Class.parameter``) names
    it in the error."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"{owner} must be a tuple of kind names, got {value!r}")
    names = tuple(value)
    if not all(isinstance(k, str) and k.strip() for k in names):
        raise ConfigError(f"{owner} must be a tuple of kind names, got {value!r}")
    return names


def check_kinds(log: TouchpointLog, names: Iterable[str], owner: str) -> None:
    """Raise :class:`UnknownNameError` when a name in ``names`` is not a kind of ``log``.

    A kind name that matches nothing would silently switch a signal off, so it is refused at
    extract time, when the log's kinds are known.
    """
    known = [k.name for k in log.kinds]
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(repr(n) for n in unknown)
        raise UnknownNameError(
            f"{owner} names {listed}, not a kind of this log; the log's kinds are: "
            f"{', '.join(known)}"
        )


def one_line(text: str) -> str:
    """``text`` with every line break (ids may hold one) replaced by a space."""
    return " ".join(text.splitlines())


_US_PER_DAY = 86_400_000_000


def iso_days(micros: npt.NDArray[np.int64]) -> list[str]:
    """The UTC date of each instant as ``YYYY-MM-DD``, as a list for a reason loop.

    Instants of one day share one formatted string: a portfolio of many accounts has few
    distinct days, so the dates are formatted once per day rather than once per account.
    """
    days: dict[int, str] = {}
    result = []
    for day in np.floor_divide(np.asarray(micros, dtype=np.int64), _US_PER_DAY).tolist():
        label = days.get(day)
        if label is None:
            label = days[day] = from_epoch_us(day * _US_PER_DAY).date().isoformat()
        result.append(label)
    return result


def code_table(codes: Iterable[int]) -> npt.NDArray[np.bool_]:
    """A table of the 256 ``uint8`` codes, true at ``codes``: ``table[column]`` equals
    ``np.isin(column, codes)`` for a ``uint8`` column (status, kind) at a fraction of the
    cost, which matters on a one-account log."""
    table = np.zeros(256, dtype=bool)
    table[list(codes)] = True
    return table


def in_codes(column: npt.NDArray[Any], codes: Iterable[int]) -> npt.NDArray[np.bool_]:
    """``np.isin(column, codes)`` for a ``uint8`` code column (kind, status).

    A few codes are tested by comparisons, which numpy runs on the codes as they are; a
    lookup in :func:`code_table` first turns every code into a 64-bit index, which costs
    more than eight comparisons on a large log.
    """
    wanted = sorted(set(codes))
    if len(wanted) > 8:
        looked_up: npt.NDArray[np.bool_] = code_table(wanted)[column]
        return looked_up
    result = np.zeros(column.shape, dtype=bool)
    for code in wanted:
        result |= column == code
    return result


def has_line_break(texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` (names a reason quotes) holds a line break.

    A reason needs :func:`one_line` only then; checking the few names once is cheaper than
    splitting every account's reason.
    """
    # One split of all the names joined: a trailing sentinel keeps a break at the very
    # end from being dropped as the last line's end.
    return len((" ".join(texts) + " .").splitlines()) > 1


def sorted_rows(n_rows: int, *parts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct rows named in ``parts``, ascending: evidence in the form a frame keeps.

    A mask over the log's ``n_rows`` rows replaces a sort: one linear pass, however the
    parts overlap or are ordered.
    """
    mask = np.zeros(n_rows, dtype=bool)
    for part in parts:
        mask[part] = True
    rows: npt.NDArray[np.int64] = np.flatnonzero(mask)
    return rows


def after(times: npt.NDArray[np.int64], start: float) -> npt.NDArray[np.bool_]:
    """``times > start`` for instants in microseconds and a bound that may be fractional.

    Compared as integers (``times > floor(start)``), which gives the same answer as numpy's
    comparison through floats (instants are below 2**53, so exact as floats) without
    converting every instant: about half the cost on a large log.
    """
    result: npt.NDArray[np.bool_] = times > math.floor(start)
    return result
