"""Tone shift: has the customer started writing to us in a more transactional way?

:class:`ToneShift` scores the text of every *inbound* touchpoint (the customer's own words)
with a :class:`~touchpoint_signals.tone.ToneModel`, by default the built-in
:class:`~touchpoint_signals.tone.LexiconToneModel` (collaborative +, transactional -), and
compares each account's recent window with its own baseline window through
:func:`~touchpoint_signals.signals.drift.two_window_drift`, the machinery reply latency uses.
The shift is a change *within* one account, because people write differently: a terse
engineer who never says "thanks" is not a risk, but a champion who used to write about "our
next phase" and now writes "per my last email" is.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.log import DIRECTIONS, ID, TouchpointLog
from touchpoint_signals.model import Direction
from touchpoint_signals.signals import _params
from touchpoint_signals.signals.base import SignalFrame
from touchpoint_signals.signals.drift import (
    DriftWindows,
    drift_severity,
    two_window_drift,
)
from touchpoint_signals.timeparse import to_epoch_us
from touchpoint_signals.tone import LexiconToneModel, ToneModel

__all__ = ["TONE_WINDOWS", "ToneShift", "tone_label"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

_INBOUND = DIRECTIONS.index(Direction.INBOUND)

#: Default windows and thresholds of the tone-shift test (see :class:`ToneShift`, Notes).
TONE_WINDOWS = DriftWindows(
    recent_days=30.0,
    baseline_days=180.0,
    min_recent=4,
    min_baseline=8,
    alpha=0.05,
    min_effect=0.3,
    effect="difference",
)

#: Median scores at or above this read "collaborative" in reasons, at or below its negative
#: "transactional", and "neutral" between.
LABEL_THRESHOLD = 0.2


def tone_label(score: float) -> str:
    """The word a reason uses for a median score.

    Examples
    --------
    >>> tone_label(0.42), tone_label(-0.35), tone_label(0.05)
    ('collaborative', 'transactional', 'neutral')
    """
    if score >= LABEL_THRESHOLD:
        return "collaborative"
    if score <= -LABEL_THRESHOLD:
        return "transactional"
    return "neutral"


def _check_model(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ToneModel):
        raise ConfigError(
            f"ToneShift.model must be a ToneModel (a name and score(texts)), got "
            f"{type(value).__name__}"
        )


def _check_windows(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, DriftWindows):
        raise ConfigError(
            f"ToneShift.windows must be a DriftWindows, got {type(value).__name__}"
        )
    if value.effect != "difference" or not value.min_effect > 0:
        raise ConfigError(
            f"ToneShift.windows must compare median scores as a difference above 0 "
            f"(effect='difference', min_effect > 0), got effect={value.effect!r}, "
            f"min_effect={value.min_effect!r}; DriftWindows() has latency's defaults, so "
            "start from TONE_WINDOWS instead: attrs.evolve(TONE_WINDOWS, recent_days=90)"
        )


def _signed(score: float) -> str:
    return f"{score:+.2f}"


@attrs.frozen
class ToneShift:
    """Drop in the tone of each account's inbound messages, recent window against baseline.

    Parameters
    ----------
    name
        Signal name (two configured copies can coexist under different names).
    model
        The :class:`~touchpoint_signals.tone.ToneModel` that scores each message; the
        built-in lexicon model by default. Its scale is the unit of ``value``.
    windows
        Windows, minimum samples and thresholds of the drift test, :data:`TONE_WINDOWS` by
        default: the last 30 days against the 180 before, at least 4 recent and 8 baseline
        scored messages, one-sided ``p <= 0.05``, and a drop of the median score of at least
        0.3. To change a window, start from :data:`TONE_WINDOWS` with
        :func:`attrs.evolve` (Examples): ``DriftWindows()`` holds latency's defaults (a
        ratio of 2), which a tone score cannot use, and is refused.
    severity_saturation
        Drop of the median score at which the size term of the severity reaches 1 (see
        :func:`~touchpoint_signals.signals.drift.drift_severity`); 1.0 by default.

    Notes
    -----
    What is read. Inbound touchpoints with a text; the text is the new words of a message
    (``quoted_text`` is never read) and the model strips quotes and signatures again. A
    message whose text scores NaN (nothing left once quotes are stripped) is not counted.
    Each message belongs to the window of its ``occurred_at``.

    The test. :func:`~touchpoint_signals.signals.drift.two_window_drift` with
    ``higher_is_worse=False``: the account has shifted when the one-sided Mann-Whitney test
    says its recent scores tend to be lower than its baseline scores at level ``alpha``
    *and* the median fell by at least ``min_effect``. ``value`` is that fall (baseline
    median minus recent median, positive when the tone got more transactional); the
    severity is :func:`~touchpoint_signals.signals.drift.drift_severity` of it, so every
    shifted account ranks above every account that has not shifted, and within each tier a
    larger drop ranks higher. A more transactional recent message can only lower the recent
    median and the p-value, so it never lowers the severity (exactly so in the exact regime
    of the test, up to 100 messages in the two windows; see
    :func:`~touchpoint_signals.stats.mann_whitney_greater` about ties beyond it).

    Defaults. The 30/180-day windows are those of reply latency (reasons in
    :class:`~touchpoint_signals.signals.drift.DriftWindows`), so the two signals speak of the
    same months. ``min_recent=4`` is the same smallest recent sample; ``min_baseline=8``
    rather than latency's 10, because an account writes fewer messages than it receives
    replies to and because tone scores, unlike latencies, are bounded, so eight baseline
    messages already pin a median (with 4 v 8 the smallest attainable one-sided p-value is
    1/495). ``min_effect=0.3``: with the built-in model one deadline phrase in an otherwise
    neutral message moves it by 0.6 and one "we" by 0.34, so 0.3 is about one strong cue per
    typical message. It is about half the interquartile range of single-message scores on
    the shared mailing list (0.63) and most of it on the Twitter threads (0.35)
    (docs/signals/tone.md), so a median of several messages is unlikely to move that far
    from message-to-message noise alone. ``severity_saturation=1.0``: a fall from clearly
    collaborative (+0.5) to clearly transactional (-0.5) is as bad as the
    signal gets. ``LABEL_THRESHOLD=0.2`` only words the reason.

    Caveats. The test treats messages as independent, while one heated thread can supply
    several recent messages; the effect threshold is the second guard. A change of *who*
    writes for the account (a new contact with a terser style) reads as a shift. The model
    reads English.

    Examples
    --------
    A hand-made account that wrote warmly about plans for months, then curtly:

    >>> from touchpoint_signals.model import Touchpoint
    >>> warm = "Thanks! Could we plan the next phase together?"
    >>> curt = "Still waiting. Send the report ASAP."
    >>> day = dt.timedelta(days=1)
    >>> start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    >>> tps = [Touchpoint(f"m{i}", "acme", "outreach", start + 7 * i * day, "completed",
    ...                   direction="inbound", text=warm if i < 10 else curt)
    ...        for i in range(14)]
    >>> log = TouchpointLog.from_touchpoints(tps)
    >>> signal = ToneShift().extract(log, start + 95 * day).signal("acme")
    >>> moved, counts = signal.reason.split(" over ")
    >>> moved
    'tone moved from collaborative (+0.99) to transactional (-0.97)'
    >>> counts
    '4 recent v 10 baseline messages'
    >>> round(signal.value, 2), signal.severity, signal.samples
    (1.96, 1.0, {'recent': 4, 'baseline': 10})

    A configured copy that compares the last quarter with the year before it:

    >>> quarterly = ToneShift(
    ...     name="tone_quarterly",
    ...     windows=attrs.evolve(TONE_WINDOWS, recent_days=90, baseline_days=365),
    ... )
    >>> quarterly.windows.recent_days, quarterly.windows.min_effect
    (90, 0.3)
    """

    name: str = attrs.field(default="tone_shift", validator=_params.signal_name)
    model: ToneModel = attrs.field(factory=LexiconToneModel, validator=_check_model)
    windows: DriftWindows = attrs.field(default=TONE_WINDOWS, validator=_check_windows)
    severity_saturation: float = attrs.field(default=1.0, validator=_params.finite_above(0))

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        view = log.as_of(as_of)
        as_of_us = to_epoch_us(as_of)
        windows = self.windows

        first_time = as_of_us - windows.recent_us - windows.baseline_us
        # Only the candidate rows' texts are read (a view copies no whole text column).
        candidates = np.flatnonzero(
            (view.direction == _INBOUND) & (view.occurred_at > first_time)
        )
        texts = view.take("text", candidates)
        present = ~np.isnan(texts)
        rows = candidates[present]
        scores = self.model.score(texts[present].astype(ID).tolist())
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != rows.shape:
            raise ConfigError(
                f"ToneShift.model {self.model.name!r} returned {scores.shape} scores for "
                f"{rows.size} texts"
            )

        drift = two_window_drift(
            scores,
            view.occurred_at[rows],
            view.account[rows],
            view.n_accounts,
            as_of_us,
            windows,
            higher_is_worse=False,
        )
        severity = drift_severity(drift, windows, saturation=self.severity_saturation)
        evidence_rows = rows[drift.in_recent | drift.in_baseline]

        # Plain lists: the reason loop reads no numpy scalar; no free text enters a reason.
        columns = zip(
            drift.n_recent.tolist(), drift.n_baseline.tolist(), drift.sufficient.tolist(),
            drift.drifted.tolist(), drift.median_recent.tolist(),
            drift.median_baseline.tolist(), drift.p_value.tolist(), strict=True,
        )  # fmt: skip
        reasons = [self._reason(*account) for account in columns]
        logger.info(
            "%s: %d accounts, %d messages scored, %d sufficient, %d shifted",
            self.name,
            view.n_accounts,
            rows.size,
            int(drift.sufficient.sum()),
            int(drift.drifted.sum()),
        )
        return SignalFrame.from_log_rows(
            name=self.name,
            unit="tone drop",
            as_of=as_of,
            log=view,
            value=np.where(drift.sufficient, drift.effect, np.nan),
            severity=severity,
            sufficient=drift.sufficient,
            reasons=reasons,
            samples={"recent": drift.n_recent, "baseline": drift.n_baseline},
            evidence_rows=evidence_rows,
            details={
                "median_recent": drift.median_recent,
                "median_baseline": drift.median_baseline,
                "p_value": drift.p_value,
                "drifted": np.where(drift.sufficient, drift.drifted, np.nan),
            },
        )

    def _reason(
        self,
        recent: int,
        baseline: int,
        sufficient: bool,
        drifted: bool,
        now: float,
        was: float,
        p_value: float,
    ) -> str:
        """The one-line reason for one account, from its row of the drift result."""
        windows = self.windows
        counts = f"{recent} recent v {baseline} baseline messages"
        if recent + baseline == 0:
            return (
                f"no customer messages with text in the last "
                f"{windows.recent_days + windows.baseline_days:g} days to read a tone from"
            )
        if not sufficient:
            return (
                f"too few customer messages to compare tone: {counts}, needs "
                f"{windows.min_recent} v {windows.min_baseline}"
            )

        if drifted and tone_label(was) == tone_label(now):
            return (
                f"tone cooled within {tone_label(now)} ({_signed(was)} to {_signed(now)}) "
                f"over {counts}"
            )
        if drifted:
            return (
                f"tone moved from {tone_label(was)} ({_signed(was)}) to {tone_label(now)} "
                f"({_signed(now)}) over {counts}"
            )
        return (
            f"no significant drop in tone: {tone_label(now)} ({_signed(now)}) now, "
            f"{tone_label(was)} ({_signed(was)}) before ({counts}, "
            f"p={p_value:.2g})"
        )
