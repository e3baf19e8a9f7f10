"""Attendance: missed meetings in a row, and how often an account still turns up.

One extractor, :class:`Attendance`, reads the meetings of every account (touchpoints whose
kind has ``meeting=True`` in ``log.kinds``: by default onboarding, check-in, QBR, EBR,
training and renewal) and reports two things a CSM acts on:

* the **current streak** of consecutive missed meetings (``cancelled`` or ``no_show``),
  flagged at ``streak_threshold`` in a row (one miss is noise, three is data), with the
  longest streak beside it;
* the **attendance rate** of the last ``recent_days`` against the account's own
  ``baseline_days`` before, each shrunk toward the rate of the account's segment, and the
  change in the number of meetings attended against the previous window of the same length.

Both parts are one reading because the severity combines them; the value is the current
streak, in meetings. Splitting them into two extractors would give the streak flag and the
rate shortfall separate severities that a scorer would then have to re-combine in the same
way, so the combination lives here, once, where it is documented and tested.

How statuses count
------------------
``completed`` is attended; ``cancelled`` and ``no_show`` are missed. ``rescheduled`` is
neutral: the original slot of a moved meeting says nothing about attendance until the new
slot (its own touchpoint) happens, so it neither breaks nor extends a streak and is left out
of both rates. A meeting still ``scheduled`` at ``as_of`` (its outcome not recorded yet, or
in the future) is left out the same way. An account that reschedules every meeting therefore
never shows a streak; the number of rescheduled meetings in the recent window is reported in
``details["rescheduled_recent"]`` so that a scorer can read it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.log import STATUSES, TouchpointLog
from touchpoint_signals.model import Status, TouchpointKind
from touchpoint_signals.signals import _params, _reasons
from touchpoint_signals.signals.base import SignalFrame
from touchpoint_signals.stats import (
    longest_run,
    per_account_count,
    shrunk_rate,
    trailing_run,
)
from touchpoint_signals.timeparse import to_epoch_us

__all__ = ["Attendance"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_US_PER_DAY = 86_400 * 1_000_000

#: Segment name of accounts that have no account record.
UNKNOWN_SEGMENT = "unknown"

_ATTENDED = [STATUSES.index(Status.COMPLETED)]
_MISSED = [STATUSES.index(Status.CANCELLED), STATUSES.index(Status.NO_SHOW)]
_RESCHEDULED = STATUSES.index(Status.RESCHEDULED)
_NO_KIND = 2**63 - 1  # above every kind code: the start of a running minimum

#: How the built-in meeting kinds read in the plural, in a reason.
_PLURALS = {
    "onboarding": "onboarding sessions",
    "check_in": "check-ins",
    "qbr": "QBRs",
    "ebr": "EBRs",
    "training": "training sessions",
    "renewal": "renewal meetings",
}


def _plural(kind: TouchpointKind, count: int) -> str:
    """``"check-ins"`` for 2 or more, ``"check-in"`` for 1; a team's own kinds read as
    ``"<name> meetings"``."""
    plural = _PLURALS.get(kind.name, f"{kind.name.replace('_', ' ')} meetings")
    if count != 1:
        return plural
    return plural.removesuffix("s")


def _optional_rate(
    instance: object, attribute: attrs.Attribute[Any], value: float | None
) -> None:
    if value is not None:
        _params.in_unit_interval(instance, attribute, value)


@attrs.frozen
class Attendance:
    """Missed meetings in a row and the recent attendance rate of every account.

    Parameters
    ----------
    name
        The signal's name (``"attendance"``); give a configured copy its own.
    streak_threshold
        Consecutive missed meetings that raise the flag (``details["flagged"]``), 3 by
        default. The streak part of the severity is 0.5 at the threshold and 1 at twice it.
    min_meetings
        Meetings with an outcome (attended or missed) an account needs by ``as_of`` to be
        read at all, 3 by default; fewer is ``insufficient_data``.
    recent_days
        Length of the recent window, ending at ``as_of``, 90 days by default.
    baseline_days
        Length of the baseline window that ends where the recent window starts, 270 days by
        default: the three quarters before the recent one.
    prior_strength
        How many meetings the segment prior is worth when a rate is shrunk toward it, 6 by
        default: about one quarter of biweekly meetings, so a full recent window and the
        prior weigh about the same and 1 of 2 attended reads as 0.8 at a prior of 0.9, not
        as a collapse to 0.5.
    prior_rate
        A configured attendance rate to shrink toward, the same for every account; ``None``
        (the default) learns it from the data: the pooled attendance rate of the other
        accounts of the same segment in the baseline window, or over all their meetings up
        to ``as_of`` when they have none in the baseline window (a data set younger than
        the recent window, such as the appointments data).
    fallback_prior_rate
        What the learned segment prior is itself shrunk toward, with ``prior_strength``: 0.5
        by default, the mean of a uniform Beta(1, 1) prior. It is the prior outright for a
        segment whose other accounts have no meeting with an outcome, and keeps a segment
        whose others have had two meetings from setting a prior of 0 or 1.

    Notes
    -----
    **Streak.** Meetings with an outcome are taken in log order (time, then touchpoint id);
    the current streak is the run of missed meetings that ends the account's history at
    ``as_of``, the longest streak the longest such run ever. Under independent attendance
    with probability ``p`` the chance that the last three meetings were all missed is
    ``(1 - p) ** 3``, 0.34 % at ``p = 0.85``: benchmarks/attendance_streaks.py measures the
    false-alarm rate against this and the Markov-chain probability of ever seeing such a run
    within a year (Feller, *An Introduction to Probability Theory and Its Applications*,
    vol. 1, 3rd ed., 1968, ch. XIII.7, runs of successes).

    **Rates.** The recent and baseline attendance rates are posterior means of a
    beta-binomial model, ``(attended + k * prior) / (with_outcome + k)`` with ``k =
    prior_strength`` (:func:`~touchpoint_signals.stats.shrunk_rate`), the prior being the
    segment's pooled baseline rate: empirical Bayes in the sense of Efron and Morris,
    "Data analysis using Stein's estimator and its generalizations", *JASA* 70 (1975), and
    Gelman et al., *Bayesian Data Analysis*, 3rd ed., ch. 5 (where ``k`` is the prior's
    sample size ``alpha + beta``). ``k`` is fixed rather than estimated from the spread of
    the accounts' rates; with a few meetings per account the moment estimate of ``k`` is
    unstable. The segment of an account is its record's ``segment.name``, or ``"unknown"``
    for accounts without a record, which then form one group.

    The segment prior leaves the account itself out. With the account in, one more missed
    baseline meeting would lower the prior that the account's own recent rate is measured
    against, and the severity could ease when the account misses more.

    **Severity.** ``1 - (1 - s_streak) * (1 - s_rate)``, where ``s_streak = min(1, streak /
    (2 * streak_threshold))`` and ``s_rate = max(0, 1 - recent_rate / prior)`` is how far,
    relatively, the recent shrunk rate falls below the segment's. Neither part falls when the
    account misses one more meeting (a later one, or a completed one turned into a miss) and
    the combination rises with each part, so missing more never lowers the severity; a
    flagged account is at least 0.5.

    The drop against the account's own baseline (``details["rate_drop"]``, baseline rate
    minus recent rate) and the change in meetings attended against the previous window of
    ``recent_days`` (``details["attended_drop"]``, quoted in the reason) are reported but
    do not enter the severity. A severity that grows with that drop necessarily falls when
    a baseline meeting is missed (the baseline gets worse, the drop smaller), which would
    break the rule that missing more never reads as healthier. Known consequence: an
    account that attended everything and now attends as often as its segment gets no
    severity from the rate part, however steep its own drop; the reason still says it.

    **Caveats.** ``cancelled`` is counted as missed whoever cancelled; the data do not say
    whether the vendor did. Several meetings on the same instant (the appointments data
    has one day per appointment, no hour) are ordered by touchpoint id, so their order in a
    streak is arbitrary, and they count as several meetings.

    Examples
    --------
    >>> from touchpoint_signals.model import Touchpoint
    >>> log = TouchpointLog.from_touchpoints([
    ...     Touchpoint("m0", "acme", "qbr", "2026-02-06T15:00Z", "completed"),
    ...     Touchpoint("m0b", "acme", "check_in", "2026-02-20T15:00Z", "completed"),
    ...     Touchpoint("m1", "acme", "check_in", "2026-04-18T15:00Z", "completed"),
    ...     Touchpoint("m2", "acme", "check_in", "2026-05-02T15:00Z", "no_show"),
    ...     Touchpoint("m3", "acme", "check_in", "2026-05-16T15:00Z", "cancelled"),
    ...     Touchpoint("m4", "acme", "check_in", "2026-05-30T15:00Z", "no_show"),
    ... ])
    >>> reading = Attendance(prior_rate=0.9).extract(
    ...     log, dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    ... ).signal("acme")
    >>> reading.value, reading.details["flagged"], round(reading.severity, 3)
    (3.0, 1.0, 0.644)

    The streak part is 3 / 6 = 0.5; the recent rate (1 + 6 * 0.9) / (4 + 6) = 0.64 falls
    29 % below the prior 0.9; together 1 - 0.5 * 0.711 = 0.644. The two meetings in
    February fall in the previous 90 days (3 December to 3 March): 2 attended then, 1 now.

    >>> for part in reading.reason.split("; "):
    ...     print(part)
    3 check-ins in a row missed since 2026-05-02
    attended 1 of 4 meetings in the last 90 days, 1 fewer than in the previous 90 days
    """

    name: str = attrs.field(default="attendance", validator=_params.signal_name)
    streak_threshold: int = attrs.field(default=3, validator=_params.whole_at_least(1))
    min_meetings: int = attrs.field(default=3, validator=_params.whole_at_least(1))
    recent_days: float = attrs.field(default=90.0, validator=_params.days)
    baseline_days: float = attrs.field(default=270.0, validator=_params.days)
    prior_strength: float = attrs.field(
        default=6.0, validator=_params.finite_above(0, inclusive=True)
    )
    prior_rate: float | None = attrs.field(default=None, validator=_optional_rate)
    fallback_prior_rate: float = attrs.field(default=0.5, validator=_params.in_unit_interval)

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        view = log.as_of(as_of)
        n = view.n_accounts
        cutoff = to_epoch_us(as_of)

        meeting_kinds = [code for code, k in enumerate(view.kinds) if k.meeting]
        is_meeting = _params.in_codes(view.kind, meeting_kinds)
        attended_row = is_meeting & _params.in_codes(view.status, _ATTENDED)
        missed_row = is_meeting & _params.in_codes(view.status, _MISSED)
        rows = np.flatnonzero(attended_row | missed_row)
        group = view.account[rows]
        missed = missed_row[rows]
        times = view.occurred_at[rows]

        streak, first = trailing_run(missed, group, n)
        longest = longest_run(missed, group, n)
        meetings = per_account_count(group, n)
        flagged = streak >= self.streak_threshold

        recent_start = cutoff - round(self.recent_days * _US_PER_DAY)
        baseline_start = recent_start - round(self.baseline_days * _US_PER_DAY)
        previous_start = recent_start - round(self.recent_days * _US_PER_DAY)
        in_recent = times > recent_start
        in_baseline = (times > baseline_start) & ~in_recent
        in_previous = (times > previous_start) & ~in_recent
        attended = ~missed

        recent_n = per_account_count(group, n, in_recent)
        recent_att = per_account_count(group, n, in_recent & attended)
        baseline_n = per_account_count(group, n, in_baseline)
        baseline_att = per_account_count(group, n, in_baseline & attended)
        previous_n = per_account_count(group, n, in_previous)
        previous_att = per_account_count(group, n, in_previous & attended)
        rescheduled = per_account_count(
            view.account,
            n,
            is_meeting & (view.status == _RESCHEDULED) & (view.occurred_at > recent_start),
        )

        prior = self._prior(view, group, attended, in_baseline)
        recent_rate = shrunk_rate(recent_att, recent_n, prior, self.prior_strength)
        baseline_rate = shrunk_rate(baseline_att, baseline_n, prior, self.prior_strength)

        streak_severity = np.minimum(1.0, streak / (2.0 * self.streak_threshold))
        with np.errstate(divide="ignore", invalid="ignore"):
            shortfall = np.where(prior > 0, 1.0 - recent_rate / prior, 0.0)
        rate_severity = np.clip(np.where(np.isnan(shortfall), 0.0, shortfall), 0.0, 1.0)
        severity = 1.0 - (1.0 - streak_severity) * (1.0 - rate_severity)
        sufficient = meetings >= self.min_meetings

        position = np.arange(rows.size)
        owner_first = first[group] if rows.size else np.zeros(0, dtype=np.int64)
        in_streak = (owner_first >= 0) & (position >= owner_first)
        evidence = rows[in_streak | in_recent]

        reasons = self._reasons(
            view, as_of, rows, sufficient, meetings, streak, first, in_streak,
            recent_att, recent_n, previous_att, previous_n,
        )  # fmt: skip
        logger.debug(
            "%s as of %s: %d accounts, %d flagged, %d with insufficient data",
            self.name, as_of, n, int((flagged & sufficient).sum()), int((~sufficient).sum()),
        )  # fmt: skip

        return SignalFrame.from_log_rows(
            name=self.name,
            unit="meetings",
            as_of=as_of,
            log=view,
            value=np.where(sufficient, streak, np.nan),
            severity=severity,
            sufficient=sufficient,
            reasons=reasons,
            samples={"meetings": meetings, "recent": recent_n, "baseline": baseline_n},
            evidence_rows=evidence,
            details={
                "streak": streak,
                "longest_streak": longest,
                "flagged": flagged & sufficient,
                "recent_attended": recent_att,
                "recent_rate": recent_rate,
                "baseline_attended": baseline_att,
                "baseline_rate": baseline_rate,
                "prior_rate": prior,
                "rate_drop": baseline_rate - recent_rate,
                "previous_attended": previous_att,
                "attended_drop": previous_att - recent_att,
                "rescheduled_recent": rescheduled,
                "streak_severity": streak_severity,
                "rate_severity": rate_severity,
            },
        )

    def _prior(
        self,
        view: TouchpointLog,
        group: npt.NDArray[Any],
        attended: npt.NDArray[np.bool_],
        in_baseline: npt.NDArray[np.bool_],
    ) -> FloatArray:
        """Each account's prior rate: configured, or its segment's others' pooled rate.

        The others' baseline meetings are pooled; where they have none (a data set younger
        than the recent window), all their meetings up to ``as_of``. The pooled rate is
        shrunk toward ``fallback_prior_rate`` with ``prior_strength``, so that a segment
        whose other accounts have had two meetings does not set a prior of 0 or 1.
        """
        n = view.n_accounts
        if self.prior_rate is not None:
            return np.full(n, self.prior_rate)

        segment, _ = view.account_columns().segment_names(UNKNOWN_SEGMENT)

        def others(mask: npt.NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
            own_att = per_account_count(group, n, mask & attended)
            own_n = per_account_count(group, n, mask)
            segment_att = np.bincount(segment, weights=own_att)
            segment_n = np.bincount(segment, weights=own_n)
            return (
                np.asarray(segment_att[segment] - own_att, dtype=np.float64),
                np.asarray(segment_n[segment] - own_n, dtype=np.float64),
            )

        baseline_att, baseline_n = others(in_baseline)
        every_att, every_n = others(np.ones_like(in_baseline))
        use_baseline = baseline_n > 0
        pooled_att = np.where(use_baseline, baseline_att, every_att)
        pooled_n = np.where(use_baseline, baseline_n, every_n)
        return shrunk_rate(pooled_att, pooled_n, self.fallback_prior_rate, self.prior_strength)

    def _reasons(
        self,
        view: TouchpointLog,
        as_of: dt.datetime,
        rows: IntArray,
        sufficient: npt.NDArray[np.bool_],
        meetings: IntArray,
        streak: IntArray,
        first: IntArray,
        in_streak: npt.NDArray[np.bool_],
        recent_att: IntArray,
        recent_n: IntArray,
        previous_att: IntArray,
        previous_n: IntArray,
    ) -> list[str]:
        """One line per account: the streak (or the last meeting), then the recent window."""
        n = view.n_accounts
        kinds = view.kind[rows]
        lowest = np.full(n, _NO_KIND, dtype=np.int64)
        highest = np.full(n, -1, dtype=np.int64)
        np.minimum.at(lowest, view.account[rows[in_streak]], kinds[in_streak])
        np.maximum.at(highest, view.account[rows[in_streak]], kinds[in_streak])
        last_row = np.full(n, -1, dtype=np.int64)
        last_row[view.account[rows]] = rows

        window = f"{self.recent_days:g} days"
        cutoff_day = as_of.astimezone(dt.UTC).date().isoformat()
        plurals = {
            (code, many): _plural(kind, 2 if many else 1)
            for code, kind in enumerate(view.kinds)
            for many in (False, True)
        }

        # An account without enough meetings reads by its count alone: one line per distinct
        # count. The loop below writes the others, reading plain lists and per-day strings.
        def too_few(count: int) -> str:
            have = "no meeting" if count == 0 else f"only {count} meeting" + "s" * (count > 1)
            return f"{have} with an outcome by {cutoff_day}; {self.min_meetings} needed"

        lines = _reasons.by_value(meetings, too_few)
        read = np.flatnonzero(sufficient)
        streak_start = (
            np.where(first >= 0, rows[np.maximum(first, 0)], -1) if rows.size else first
        )
        since_days = _row_days(view, streak_start[read])
        last_days = _row_days(view, last_row[read])
        columns = zip(
            read.tolist(), streak[read].tolist(), lowest[read].tolist(),
            highest[read].tolist(), recent_att[read].tolist(), recent_n[read].tolist(),
            previous_att[read].tolist(), previous_n[read].tolist(), since_days, last_days,
            strict=True,
        )  # fmt: skip
        special: dict[int, str] = {}
        for (
            account,
            run,
            low,
            high,
            att,
            total,
            before,
            compared_n,
            since,
            last,
        ) in columns:
            if run:
                what = plurals[(low, run > 1)] if low == high else "meeting" + "s" * (run > 1)
                head = (
                    f"{run} {what} in a row missed since {since}"
                    if run > 1
                    else f"last {what} missed on {since}"
                )
            else:
                head = f"last meeting attended on {last}"

            change = before - att
            if compared_n == 0:
                # Not "none with an outcome": that reads as meetings that had no outcome.
                compared = f"no meetings in the previous {window} to compare with"
            elif change > 0:
                compared = f"{change} fewer than in the previous {window}"
            elif change < 0:
                compared = f"{-change} more than in the previous {window}"
            else:
                compared = f"as many as in the previous {window}"
            if total == 0:
                tail = f"no meeting with an outcome in the last {window}, {compared}"
            else:
                meeting = "meeting" + "s" * (total > 1)
                tail = f"attended {att} of {total} {meeting} in the last {window}, {compared}"
            special[account] = f"{head}; {tail}"
        reasons = _reasons.to_list(lines, special)
        if _params.has_line_break(k.name for k in view.kinds):
            return [_params.one_line(r) for r in reasons]
        return reasons


def _row_days(view: TouchpointLog, rows: IntArray) -> list[str]:
    """The UTC date of row ``rows[a]`` for each account ``a`` (``""`` where it is ``-1``)."""
    if not len(view):
        return [""] * len(rows)
    days = _params.iso_days(view.occurred_at[np.maximum(rows, 0)])
    return [day if row >= 0 else "" for day, row in zip(days, rows.tolist(), strict=True)]
