"""Satisfaction: do an account's recent satisfaction ratings fall short of its segment's?

Ticket exports, survey tools and meeting notes carry a satisfaction rating (``csat``, 1 to 5)
on some touchpoints. :class:`Satisfaction` reads the ratings of every account: the share
of its recent ratings that were satisfied (4 or 5 by default), shrunk toward what the other
accounts of its segment say, against that segment share; and, beside it, how the same share
stood in the account's own baseline window, so that a rule can flag a fall.

Ratings are sparse by nature (most customers never answer a satisfaction survey; 41 % of
the RavenStack tickets carry none), so the reading is built for few ratings per account: one
unsatisfied rating moves it, but not to the worst reading, and an account with no recent
rating is ``insufficient_data``, never satisfied by default.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.signals import _params, _reasons
from touchpoint_signals.signals.base import SignalFrame
from touchpoint_signals.stats import per_account_count, per_account_sum, shrunk_rate
from touchpoint_signals.timeparse import to_epoch_us

__all__ = ["Satisfaction"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_US_PER_DAY = 86_400 * 1_000_000

#: The top of the rating scale (``Touchpoint.csat`` runs from 1 to 5).
TOP_RATING = 5

#: Segment label of accounts that have no account record; they form one group.
NO_RECORD = "accounts without a record"


def _rating(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    _params.whole_at_least(1)(instance, attribute, value)
    if value > TOP_RATING:
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be a rating from 1 to "
            f"{TOP_RATING}, got {value!r}"
        )


def _optional_share(
    instance: object, attribute: attrs.Attribute[Any], value: float | None
) -> None:
    if value is not None:
        _params.in_unit_interval(instance, attribute, value)


@attrs.frozen
class Satisfaction:
    """The share of satisfied ratings of every account, against its segment's share.

    Parameters
    ----------
    name
        The signal's name (``"satisfaction"``); give a configured copy its own.
    recent_days
        Length of the recent window, ending at ``as_of``, 90 days by default.
    baseline_days
        Length of the baseline window that ends where the recent one starts, 270 days by
        default: the three quarters before the recent one.
    satisfied_min
        The lowest rating that counts as satisfied, 4 by default (4 and 5 on the 1-5 scale).
    min_ratings
        Ratings an account needs in the recent window to be read, 1 by default; fewer is
        ``insufficient_data``.
    prior_strength
        How many ratings the segment's share is worth when the account's share is shrunk
        toward it, 3 by default.
    prior_share
        A configured satisfied share to shrink toward and compare with, the same for every
        account; ``None`` (the default) learns it per segment from the other accounts'
        ratings in the recent and baseline windows.
    fallback_prior_share
        What the learned segment share is itself shrunk toward, with ``prior_strength``:
        0.5 by default, the mean of a uniform Beta(1, 1) prior. It is the prior outright
        for a segment whose other accounts have no rating in either window.

    Notes
    -----
    **What counts.** Every touchpoint with a ``csat`` known at ``as_of`` is a rating,
    whatever its kind or status: a ticket's, a survey's, a meeting's. A rating belongs to
    the window in which its touchpoint occurred; the recent window is ``(as_of -
    recent_days, as_of]``, the baseline the ``baseline_days`` before it.

    **Satisfied share.** A rating of ``satisfied_min`` or more is satisfied. Reporting the
    share of the top two boxes of a five-point scale is the usual way a CSAT survey is
    summarised (Hayes, *Measuring Customer Satisfaction and Loyalty*, 3rd ed., ASQ Quality
    Press, 2008, on top-box scores): a mean rating hides whether a 3.5 is everyone half
    pleased or half the contacts unhappy.

    **Shrinkage.** The recent and baseline shares are posterior means of a beta-binomial
    model, ``(satisfied + k * prior) / (rated + k)`` with ``k = prior_strength``
    (:func:`~touchpoint_signals.stats.shrunk_rate`), the prior being the segment's pooled
    share: empirical Bayes as in
    :class:`~touchpoint_signals.signals.attendance.Attendance`, whose Notes give the
    references. ``k = 3`` is our choice for sparse ratings: one unsatisfied
    rating at a segment share of 0.8 reads as 0.6 (severity 0.25), two as 0.48 (0.4), four
    as 0.34 (0.57); a single rating is one person's day, not the account's mood. The
    segment's share leaves the account itself out, so that the account's own poor ratings
    never lower the bar it is measured against (as for attendance). The segment of an
    account is its record's ``segment.name``; accounts without a record form one group.

    **Severity.** ``max(0, 1 - recent share / prior)``: how far, relatively, the account's
    shrunk recent share falls below its segment's. It lies in [0, 1] and never falls when
    one of the account's recent ratings gets worse or an unsatisfied rating is added: the
    shrunk share cannot rise then and the prior does not move. The value is the mean recent
    rating, the figure a CSAT dashboard shows.

    **Falling.** ``details["share_drop"]`` is the baseline shrunk share minus the recent
    one, quoted in the reason (``2 of 2 in the 270 days before``). It does not enter the
    severity, for the reason given for attendance's rate drop: a severity that grew with
    the drop would *fall* when a baseline rating got worse. A scorecard rule on
    ``share_drop`` flags a fall without that flaw (``examples/tickets_scorecard.toml``).
    Known consequence: an account that was always satisfied and now rates like its segment
    reads as healthy however far it fell; the reason and the detail still say so.

    **Caveats.** A rating is dated by its touchpoint, not by when it was given (most
    sources record no separate time). Whether customers who answer are representative of
    those who do not (non-response bias) is beyond what the log can tell.

    Examples
    --------
    >>> from touchpoint_signals.model import Account, Touchpoint
    >>> def ticket(tid, account, day, csat):
    ...     return Touchpoint(tid, account, "support", f"2026-{day}T09:00Z", "completed",
    ...                       direction="inbound", csat=csat)
    >>> log = TouchpointLog.from_touchpoints(
    ...     [ticket("a1", "acme", "02-10", 5), ticket("a2", "acme", "03-02", 4),
    ...      ticket("a3", "acme", "05-12", 3), ticket("a4", "acme", "06-20", 2),
    ...      ticket("b1", "beta", "05-20", 5), ticket("b2", "beta", "06-01", 4),
    ...      ticket("b3", "beta", "06-25", 3), ticket("b4", "beta", "06-26", 5)],
    ...     accounts=[Account("acme", "mid_touch"), Account("beta", "mid_touch")],
    ... )
    >>> frame = Satisfaction().extract(log, dt.datetime(2026, 6, 30, tzinfo=dt.UTC))
    >>> acme = frame.signal("acme")
    >>> acme.value, round(acme.severity, 3), round(acme.details["prior_share"], 3)
    (2.5, 0.4, 0.643)
    >>> recent, before = acme.reason.split("); ")
    >>> print(recent + ");")
    0 of 2 ratings at 4-5 in the 90 days to 2026-06-30 (mean 2.5; mid_touch 64%);
    >>> print(before)
    2 of 2 in the 270 days before

    Acme's segment share comes from beta alone: 3 of 4 satisfied, shrunk toward 0.5, is
    (3 + 3 * 0.5) / (4 + 3) = 0.643. Acme's recent share is (0 + 3 * 0.643) / (2 + 3) =
    0.386, 40 % below it. Its two ratings of February and March fall in the baseline.
    """

    name: str = attrs.field(default="satisfaction", validator=_params.signal_name)
    recent_days: float = attrs.field(default=90.0, validator=_params.days)
    baseline_days: float = attrs.field(default=270.0, validator=_params.days)
    satisfied_min: int = attrs.field(default=4, validator=_rating)
    min_ratings: int = attrs.field(default=1, validator=_params.whole_at_least(1))
    prior_strength: float = attrs.field(
        default=3.0, validator=_params.finite_above(0, inclusive=True)
    )
    prior_share: float | None = attrs.field(default=None, validator=_optional_share)
    fallback_prior_share: float = attrs.field(default=0.5, validator=_params.in_unit_interval)

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        view = log.as_of(as_of)
        n = view.n_accounts
        cutoff = to_epoch_us(as_of)

        rows = np.flatnonzero(view.csat > 0)
        group = view.account[rows]
        rating = view.csat[rows].astype(np.int64)
        times = view.occurred_at[rows]
        recent_start = cutoff - round(self.recent_days * _US_PER_DAY)
        baseline_start = recent_start - round(self.baseline_days * _US_PER_DAY)
        in_recent = times > recent_start
        in_baseline = (times > baseline_start) & ~in_recent
        satisfied = rating >= self.satisfied_min

        rated_recent = per_account_count(group, n, in_recent)
        satisfied_recent = per_account_count(group, n, in_recent & satisfied)
        sum_recent = per_account_sum(rating, group, n, in_recent)
        rated_baseline = per_account_count(group, n, in_baseline)
        satisfied_baseline = per_account_count(group, n, in_baseline & satisfied)
        sum_baseline = per_account_sum(rating, group, n, in_baseline)

        segment, labels = view.account_columns().segment_names(NO_RECORD)
        prior = self._prior(
            segment, rated_recent + rated_baseline, satisfied_recent + satisfied_baseline
        )
        recent_share = shrunk_rate(satisfied_recent, rated_recent, prior, self.prior_strength)
        baseline_share = shrunk_rate(
            satisfied_baseline, rated_baseline, prior, self.prior_strength
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            shortfall = np.where(prior > 0, 1.0 - recent_share / prior, 0.0)
            mean_recent = sum_recent / rated_recent
            mean_baseline = sum_baseline / rated_baseline
        severity = np.clip(shortfall, 0.0, 1.0)
        sufficient = rated_recent >= self.min_ratings

        reasons = self._reasons(
            as_of,
            sufficient,
            (rated_recent, satisfied_recent, sum_recent.astype(np.int64)),
            (rated_baseline, satisfied_baseline),
            np.rint(prior * 100).astype(np.int64),
            segment,
            labels,
        )
        logger.debug(
            "%s as of %s: %d ratings of %d accounts, %d read, %d below their segment",
            self.name,
            as_of,
            rows.size,
            n,
            int(sufficient.sum()),
            int((sufficient & (severity > 0)).sum()),
        )

        return SignalFrame.from_log_rows(
            name=self.name,
            unit="mean rating (1-5)",
            as_of=as_of,
            log=view,
            value=np.where(sufficient, mean_recent, math.nan),
            severity=severity,
            sufficient=sufficient,
            reasons=reasons,
            samples={"recent": rated_recent, "baseline": rated_baseline},
            evidence_rows=rows[in_recent | in_baseline],
            details={
                "rated_recent": rated_recent,
                "satisfied_recent": satisfied_recent,
                "mean_recent": mean_recent,
                "rated_baseline": rated_baseline,
                "satisfied_baseline": satisfied_baseline,
                "mean_baseline": mean_baseline,
                "recent_share": recent_share,
                "baseline_share": baseline_share,
                "prior_share": prior,
                "share_drop": baseline_share - recent_share,
            },
        )

    def _prior(self, segment: IntArray, rated: IntArray, satisfied: IntArray) -> FloatArray:
        """Each account's prior share: configured, or its segment's others' pooled share.

        ``rated`` and ``satisfied`` count each account's ratings in both windows. The
        others' counts are the segment's totals less the account's own; their share is
        shrunk toward ``fallback_prior_share`` with ``prior_strength``, so that a segment
        whose other accounts gave two ratings does not set a prior of 0 or 1.
        """
        if self.prior_share is not None:
            return np.full(segment.size, self.prior_share)

        segment_rated = np.bincount(segment, weights=rated)[segment] - rated
        segment_satisfied = np.bincount(segment, weights=satisfied)[segment] - satisfied

        # With prior_strength 0 and no ratings of the others, the shrunk share is 0 / 0: the
        # fallback is then the prior outright, as it is with any positive strength.
        pooled = shrunk_rate(
            segment_satisfied, segment_rated, self.fallback_prior_share, self.prior_strength
        )
        return np.where(segment_rated > 0, pooled, self.fallback_prior_share)

    def _reasons(
        self,
        as_of: dt.datetime,
        sufficient: BoolArray,
        recent: tuple[IntArray, IntArray, IntArray],
        baseline: tuple[IntArray, IntArray],
        prior_percent: IntArray,
        segment: IntArray,
        labels: list[str],
    ) -> list[str]:
        """One line per account, written once per distinct combination of its numbers.

        ``recent`` holds the counts of rated and satisfied ratings and the sum of the
        ratings in the recent window, ``baseline`` the two counts of the baseline window;
        ``labels`` names each segment code.
        """
        end = f"{as_of.astimezone(dt.UTC):%Y-%m-%d}"
        recent_span = f"in the {self.recent_days:g} days to {end}"
        baseline_span = f"in the {self.baseline_days:g} days before"
        box = "5" if self.satisfied_min == TOP_RATING else f"{self.satisfied_min}-5"
        learned = self.prior_share is None

        def write(
            read: int,
            rated: int,
            happy: int,
            total: int,
            before: int,
            happy_before: int,
            percent: int,
            code: int,
        ) -> str:
            if not read:
                if rated == 0:
                    earlier = f"; {before} {baseline_span}" if before else ""
                    return f"no satisfaction rating {recent_span}{earlier}"
                ratings = "rating" + "s" * (rated > 1)
                return (
                    f"only {rated} satisfaction {ratings} {recent_span}; "
                    f"{self.min_ratings} needed"
                )

            against = f"{labels[code]} {percent}%" if learned else f"prior {percent}%"
            ratings = "rating" + "s" * (rated > 1)
            earlier = (
                f"{happy_before} of {before} {baseline_span}"
                if before
                else f"none rated {baseline_span}"
            )
            return (
                f"{happy} of {rated} {ratings} at {box} {recent_span} "
                f"(mean {total / rated:.1f}; {against}); {earlier}"
            )

        reasons = _reasons.by_rows(
            (sufficient.astype(np.int64), *recent, *baseline, prior_percent, segment), write
        )
        if _params.has_line_break(labels):
            return [_params.one_line(r) for r in reasons]
        return reasons
