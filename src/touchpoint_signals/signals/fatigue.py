"""Touchpoint fatigue: is an account being surveyed or contacted more than its segment allows?

Two caps from the account's :class:`~touchpoint_signals.model.CadencePolicy`: at most
``survey_cap`` surveys per quarter ("no survey more than twice a quarter") and at most
``max_touches_per_30_days`` vendor-initiated touches per 30 days. The signal says which cap
was broken and names the touchpoints that broke it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.log import DIRECTIONS, STATUSES, TRIGGERS, AccountColumns, TouchpointLog
from touchpoint_signals.model import Direction, Status, Trigger
from touchpoint_signals.signals import _params, _reasons
from touchpoint_signals.signals.base import SignalFrame
from touchpoint_signals.stats import per_account_count
from touchpoint_signals.timeparse import from_epoch_us, to_epoch_us

__all__ = ["TouchpointFatigue"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_US_PER_DAY = 86_400_000_000
_COUNTED_STATUSES = [STATUSES.index(Status.COMPLETED), STATUSES.index(Status.NO_SHOW)]
_OUTBOUND = DIRECTIONS.index(Direction.OUTBOUND)
_SCHEDULED = TRIGGERS.index(Trigger.SCHEDULED)
_BEHAVIOUR_TRIGGERED = TRIGGERS.index(Trigger.BEHAVIOUR_TRIGGERED)


def _optional_cap(
    instance: object, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None:
        _params.whole_at_least(0)(instance, attribute, value)


def _caps(
    table: AccountColumns, survey_cap: int | None, touch_cap: int | None
) -> tuple[FloatArray, FloatArray]:
    """Each account's survey cap and touch norm: the parameter if set, else its segment's."""
    n = len(table.segment)
    policies = [segment.cadence for segment in table.segments]
    if survey_cap is not None:
        surveys = np.full(n, float(survey_cap))
    else:
        surveys = table.by_segment([float(p.survey_cap) for p in policies], math.nan)
    if touch_cap is not None:
        touches = np.full(n, float(touch_cap))
    else:
        norms = [p.max_touches_per_30_days for p in policies]
        per_segment = [math.nan if t is None else float(t) for t in norms]
        touches = table.by_segment(per_segment, math.nan)
    return surveys, touches


def _date(micros: int) -> str:
    return f"{from_epoch_us(micros):%Y-%m-%d}"


def _to_kind_names(value: Any) -> tuple[str, ...]:
    return _params.kind_names(value, "TouchpointFatigue.survey_kinds")


@attrs.frozen
class TouchpointFatigue:
    """Surveys per quarter and touches per 30 days, against the account's segment caps.

    Parameters
    ----------
    name
        The signal's name (``"fatigue"``).
    survey_window_days
        The survey cap applies to the ``survey_window_days`` up to ``as_of`` (a rolling
        quarter).
    touch_window_days
        The touch norm applies to the ``touch_window_days`` up to ``as_of``.
    survey_cap
        Most surveys allowed in the survey window; ``None`` (the default) takes each account's
        ``segment.cadence.survey_cap``.
    touch_cap
        Most touches allowed in the touch window; ``None`` (the default) takes each account's
        ``segment.cadence.max_touches_per_30_days`` (a segment without a norm checks surveys
        only).
    survey_kinds
        Names of the kinds that are surveys. A name that is not a kind of the log raises
        :class:`~touchpoint_signals.errors.UnknownNameError` at extract time (a misspelt
        name would otherwise count no survey at all, in silence).
    full_severity_ratio
        Count over cap at which a cap's severity reaches 1; severity rises linearly from 0 at
        the cap itself.
    max_listed
        How many touchpoints the reason names per broken cap (the evidence holds all).

    Notes
    -----
    Windows are rolling, ``(as_of - window, as_of]``, not calendar quarters: two surveys on
    30 March and two on 2 April would pass a calendar-quarter rule while the customer got four
    in a week. ``survey_window_days = 91`` is a quarter of a year, rounded down
    (365.25 / 4 = 91.3). The 30-day touch window matches the unit of
    ``CadencePolicy.max_touches_per_30_days``; when ``touch_window_days`` is changed, set
    ``touch_cap`` too, since a segment's norm is not rescaled. The cap of two surveys a
    quarter is the built-in segments' default; repeated survey requests lower response rates
    (Porter, Whitcomb and Weitzer, "Multiple surveys of students and survey fatigue", *New
    Directions for Institutional Research* 121, 2004, pp. 63-73). ``full_severity_ratio = 2``
    (twice the cap is the worst reading) is our choice.

    What counts: only touchpoints that reached the customer, status ``completed`` or
    ``no_show`` (a missed meeting was still an invitation; cancelled and rescheduled slots
    and still-``scheduled`` records are not counted). A *survey* is a touchpoint of a kind in
    ``survey_kinds``. A *touch* is a touchpoint the vendor started: direction ``outbound``,
    or a trigger of ``scheduled`` or ``behaviour_triggered`` (meetings often leave the
    direction empty), or a survey. Customer-raised inbound messages are not touches.

    The severity is the larger of the two caps' severities; the value is the larger excess
    over a cap in touchpoints (negative when both counts are under their caps: the
    headroom). An account with no touchpoint at all known at ``as_of`` is reported as
    insufficient data (the log may not cover it), and so is one whose caps are unknown (no
    account record and no cap given). A count covers only what the log holds, so it is a
    lower bound when the log started within the window.

    Examples
    --------
    >>> from touchpoint_signals.model import Account, Touchpoint
    >>> log = TouchpointLog.from_touchpoints(
    ...     [
    ...         Touchpoint(f"s{d}", "acme", "survey", f"2026-0{m}-{d:02d}T09:00Z", "completed")
    ...         for m, d in [(4, 3), (5, 10), (6, 20)]
    ...     ],
    ...     accounts=[Account("acme", "high_touch")],
    ... )
    >>> frame = TouchpointFatigue().extract(log, dt.datetime(2026, 6, 30, tzinfo=dt.UTC))
    >>> acme = frame.signal("acme")
    >>> acme.value, acme.severity, acme.evidence
    (1.0, 0.5, ('s3', 's10', 's20'))
    >>> for part in acme.reason.split(": "):
    ...     print(part)
    3 surveys in the 91 days to 2026-06-30 (cap 2)
    s3 on 2026-04-03, s10 on 2026-05-10, s20 on 2026-06-20
    """

    name: str = attrs.field(default="fatigue", validator=_params.signal_name)
    survey_window_days: float = attrs.field(default=91.0, validator=_params.days)
    touch_window_days: float = attrs.field(default=30.0, validator=_params.days)
    survey_cap: int | None = attrs.field(default=None, validator=_optional_cap)
    touch_cap: int | None = attrs.field(default=None, validator=_optional_cap)
    survey_kinds: tuple[str, ...] = attrs.field(default=("survey",), converter=_to_kind_names)
    full_severity_ratio: float = attrs.field(default=2.0, validator=_params.finite_above(1))
    max_listed: int = attrs.field(default=5, validator=_params.whole_at_least(1))

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        _params.check_kinds(log, self.survey_kinds, "TouchpointFatigue.survey_kinds")
        view = log.as_of(as_of)
        cutoff = to_epoch_us(as_of)
        n = view.n_accounts
        survey_cap, touch_cap = _caps(view.account_columns(), self.survey_cap, self.touch_cap)

        # Only rows of the longer window can count: the columns are read at those alone
        # (both windows end at ``as_of``, and a large log's rows are mostly older).
        survey_start = cutoff - self.survey_window_days * _US_PER_DAY
        touch_start = cutoff - self.touch_window_days * _US_PER_DAY
        window = np.flatnonzero(_params.after(view.occurred_at, min(survey_start, touch_start)))
        at = view.occurred_at[window]
        counted = _params.in_codes(view.status[window], _COUNTED_STATUSES)
        survey_codes = [c for c, k in enumerate(view.kinds) if k.name in self.survey_kinds]
        is_survey = counted & _params.in_codes(view.kind[window], survey_codes)
        trigger = view.trigger[window]
        vendor_started = (
            (view.direction[window] == _OUTBOUND)
            | (trigger == _SCHEDULED)
            | (trigger == _BEHAVIOUR_TRIGGERED)
        )
        is_touch = (counted & vendor_started) | is_survey
        survey_rows = window[is_survey & _params.after(at, survey_start)]
        touch_rows = window[is_touch & _params.after(at, touch_start)]
        surveys = per_account_count(view.account[survey_rows], n)
        touches = per_account_count(view.account[touch_rows], n)

        survey_severity = self._severity(surveys, survey_cap)
        touch_severity = self._severity(touches, touch_cap)
        severity = np.maximum(survey_severity, touch_severity)
        value = np.fmax(surveys - survey_cap, touches - touch_cap)
        has_history = np.diff(view.offsets) > 0
        known_caps = ~np.isnan(survey_cap) | ~np.isnan(touch_cap)
        sufficient = has_history & known_caps

        survey_bounds = _bounds(view.account[survey_rows], n)
        touch_bounds = _bounds(view.account[touch_rows], n)
        end = f"{as_of.astimezone(dt.UTC):%Y-%m-%d}"
        reasons = self._reasons(
            end,
            has_history & known_caps,
            ~has_history,
            (survey_rows, survey_bounds, surveys, survey_cap),
            (touch_rows, touch_bounds, touches, touch_cap),
            (view.ids_at, view.occurred_at),
        )

        logger.debug(
            "fatigue as of %s: %d over the survey cap, %d over the touch norm, of %d accounts",
            as_of,
            int((sufficient & (surveys > survey_cap)).sum()),
            int((sufficient & (touches > touch_cap)).sum()),
            n,
        )
        return SignalFrame.from_log_rows(
            name=self.name,
            unit="touchpoints over the cap",
            as_of=as_of,
            log=view,
            value=np.where(sufficient, value, math.nan),
            severity=severity,
            sufficient=sufficient,
            reasons=reasons,
            samples={"surveys": surveys, "touches": touches},
            evidence_rows=_params.sorted_rows(len(view), survey_rows, touch_rows),
            details={
                "surveys": surveys,
                "survey_cap": survey_cap,
                "survey_severity": np.where(np.isnan(survey_cap), math.nan, survey_severity),
                "touches": touches,
                "touch_cap": touch_cap,
                "touch_severity": np.where(np.isnan(touch_cap), math.nan, touch_severity),
            },
        )

    def _severity(self, count: IntArray, cap: FloatArray) -> FloatArray:
        """0 up to the cap, then linear to 1 at ``full_severity_ratio`` times the cap.

        A cap of 0 makes any touchpoint the worst reading; an unknown cap (NaN) reads 0.
        """
        over = count > cap
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(over, count / cap, 1.0)
        result: FloatArray = np.clip((ratio - 1.0) / (self.full_severity_ratio - 1.0), 0.0, 1.0)
        return result

    def _reasons(
        self,
        end: str,
        readable: BoolArray,
        no_history: BoolArray,
        surveys: tuple[IntArray, IntArray, IntArray, FloatArray],
        touches: tuple[IntArray, IntArray, IntArray, FloatArray],
        touchpoints: tuple[Callable[[IntArray], npt.NDArray[Any]], IntArray],
    ) -> list[str]:
        """One line per account: which cap was broken and by which touchpoints, or the headroom.

        ``readable`` marks the accounts with history and a known cap, ``no_history`` those
        with no touchpoint at all. ``surveys`` and ``touches`` are each the counted rows of
        every account, where each account's start among them (with the end appended), the
        counts and the caps; ``touchpoints`` the log's ids and times, for the listings;
        ``end`` is ``as_of``'s date. The templates are written column-wise; only the
        accounts that break a cap, whose lines list touchpoints, are written one by one.
        """
        parts = [
            (
                _reasons.by_value(
                    count, functools.partial(_counted, noun=noun, tail=f" {span} to {end}")
                ),
                _reasons.by_value(cap, functools.partial(_cap_text, word=word)),
                count > cap,
            )
            for (_, _, count, cap), noun, span, word in [
                (surveys, "survey", f"in the {self.survey_window_days:g} days", "cap"),
                (touches, "touch", f"in the {self.touch_window_days:g} days", "norm"),
            ]
        ]
        within = _reasons.concat(
            "within caps: ", parts[0][0], " ", parts[0][1], "; ", parts[1][0], " ", parts[1][1]
        )
        texts = np.where(
            no_history,
            f"no touchpoints on record by {end}",
            np.where(
                readable,
                within,
                "no account record, so the segment's survey cap and touch norm are unknown",
            ),
        )

        # Accounts over a cap: their lines name the touchpoints, so they are written apart.
        # The touchpoints every such line lists are read in one pass, then joined per line.
        broken_caps = readable & (parts[0][2] | parts[1][2])
        broken = np.flatnonzero(broken_caps)
        lines: dict[int, list[str]] = {a: [] for a in broken.tolist()}
        for (counted, cap_text, over), (rows, bounds, _, _) in zip(
            parts, (surveys, touches), strict=True
        ):
            owners = broken[over[broken]]
            for a, listing in zip(
                owners.tolist(), self._listings(touchpoints, rows, bounds, owners), strict=True
            ):
                lines[a].append(f"{counted[a]} {cap_text[a]}: {listing}")
        # Only the listing quotes ids, which may hold a line break.
        special = {
            a: _params.one_line("; ".join(broken_lines)) for a, broken_lines in lines.items()
        }
        return _reasons.to_list(texts, special)

    def _listings(
        self,
        touchpoints: tuple[Callable[[IntArray], npt.NDArray[Any]], IntArray],
        rows: IntArray,
        bounds: IntArray,
        owners: IntArray,
    ) -> list[str]:
        """For each account in ``owners``, its first ``max_listed`` rows as "id on date".

        ``rows[bounds[a]:bounds[a + 1]]`` are account ``a``'s counted rows; ``touchpoints``
        reads the log's ids of some rows (without copying the id column of a view) and
        holds its times. A listing that stops short says how many more there are.
        """
        ids_at, occurred_at = touchpoints
        starts = bounds[owners]
        counts = bounds[owners + 1] - starts
        shown = np.minimum(counts, self.max_listed)
        ends = np.cumsum(shown)
        first = np.repeat(starts - (ends - shown), shown)
        picked = rows[first + np.arange(int(ends[-1]) if ends.size else 0)]

        ids = ids_at(picked).tolist()
        days: dict[int, str] = {}
        dates = []
        for micros in occurred_at[picked].tolist():
            day = micros // _US_PER_DAY
            if day not in days:
                days[day] = _date(micros)
            dates.append(days[day])

        listings = []
        at = 0
        for n_shown, more in zip(shown.tolist(), (counts - shown).tolist(), strict=True):
            named = [f"{ids[i]} on {dates[i]}" for i in range(at, at + n_shown)]
            listings.append(", ".join(named) + (f" and {more} more" if more else ""))
            at += n_shown
        return listings


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun}es" if noun.endswith("ch") else f"{count} {noun}s"


def _counted(count: int, noun: str, tail: str) -> str:
    """``"3 surveys"`` and what follows it, written once per distinct count."""
    return _plural(count, noun) + tail


def _cap_text(cap: float, word: str) -> str:
    return f"(no {word})" if math.isnan(cap) else f"({word} {cap:g})"


def _bounds(owners: npt.NDArray[Any], n: int) -> IntArray:
    """Where each account's entries start in ``owners`` (sorted codes), plus the end."""
    bounds: IntArray = np.searchsorted(owners, np.arange(n + 1)).astype(np.int64)
    return bounds
