"""The scorecard: a weighted sum of signal severities, with segments and missing-data policies.

A :class:`Scorecard` lists signals (extractor names) with weights, optionally in named groups.
An account's score is ``100 * sum(effective_weight * (1 - severity))`` over its signals, where
the effective weights add up to one. Each signal says what happens when an account has no
reading for it (:attr:`SignalWeight.missing`):

``"exclude"``
    leave the signal out and share its weight among the signals that had data
    (renormalise); the coverage reports how much weight was left out.
``"neutral"``
    count the signal at :attr:`SignalWeight.neutral_severity` (a prior, 0.5 by default).
``"worst"``
    count the signal at severity 1: no news is bad news.
``"fail"``
    raise :class:`~touchpoint_signals.errors.DataError` naming the account and the signal.

Coverage is the share of the account's configured weight whose signals had data, whatever the
policy did with the rest. Below :attr:`Scorecard.min_coverage` the band is
``insufficient_data`` while the score, computed from what data there is, is still reported; an
account with no data at all (coverage 0) has no score and the band ``insufficient_data``, so
it is never green whatever the policies impute.

Segments (``Account.segment.name`` of the account record, when there is one) may override
weights and band thresholds (:class:`SegmentOverride`). Accounts without a record, or whose
segment has no override, use the scorecard's own weights and thresholds.

Scores and points are kept at two decimals. The points of the contributions are whole
hundredths of a point (centi-points) that add up exactly to the score: the exact shares are
rounded by the largest-remainder method, so ``round(sum(points), 2) == score`` for every
account. The band is read from that rounded score.
"""

from __future__ import annotations

import itertools
import logging
import math
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError, DataError
from touchpoint_signals.scoring.base import (
    Band,
    Contribution,
    HealthScore,
    Scores,
    SignalSet,
    config_hash,
    paused_gc,
)

__all__ = [
    "MISSING_POLICIES",
    "BandThresholds",
    "Scorecard",
    "SegmentOverride",
    "SignalWeight",
    "default_scorecard",
    "points_by_group",
]

logger = logging.getLogger(__name__)

MissingPolicy = Literal["exclude", "neutral", "worst", "fail"]

#: The missing-data policies a signal may have, in the order they are documented.
MISSING_POLICIES: tuple[MissingPolicy, ...] = ("exclude", "neutral", "worst", "fail")

#: ``Contribution.handling`` values: the signal had data, was left out and its weight shared
#: among the others, was imputed at the neutral prior or at the worst severity, or has weight
#: zero in the account's segment.
OBSERVED, EXCLUDED, NEUTRAL, WORST, UNWEIGHTED = (
    "observed",
    "excluded",
    "neutral",
    "worst",
    "unweighted",
)

#: ``Contribution.handling`` in the order of its integer code inside :func:`_compute`.
_HANDLINGS: tuple[str, ...] = (OBSERVED, EXCLUDED, NEUTRAL, WORST, UNWEIGHTED)
_HANDLING_NAMES = np.array(_HANDLINGS, dtype=object)
_OBSERVED, _EXCLUDED, _NEUTRAL, _WORST, _UNWEIGHTED = range(len(_HANDLINGS))
#: The handling a missing reading gets under each policy (``"fail"`` raises before).
_POLICY_HANDLING = {
    "exclude": _EXCLUDED,
    "neutral": _NEUTRAL,
    "worst": _WORST,
    "fail": _OBSERVED,
}

#: Scores are kept in hundredths of a point: 100 points are 10 000 centi-points.
_CENTI = 100
_FULL = 100 * _CENTI

#: The bands by the integer code :meth:`Scorecard._bands` gives them.
_BANDS = np.array([Band.GREEN, Band.YELLOW, Band.RED, Band.INSUFFICIENT_DATA], dtype=object)


def _finite(value: object) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def _check_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be a non-empty string, "
            f"got {value!r}"
        )


def _check_positive(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    if not _finite(value) or float(value) <= 0.0:  # type: ignore[arg-type]
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be a finite number > 0, "
            f"got {value!r}"
        )


def _check_unit(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    if not _finite(value) or not 0.0 <= float(value) <= 1.0:  # type: ignore[arg-type]
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must lie in [0, 1], got {value!r}"
        )


def _check_score(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    if not _finite(value) or not 0.0 <= float(value) <= 100.0:  # type: ignore[arg-type]
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must lie in [0, 100], got {value!r}"
        )


def _check_group(
    instance: object, attribute: attrs.Attribute[str | None], value: object
) -> None:
    if value is not None:
        _check_name(instance, attribute, value)  # type: ignore[arg-type]


def _check_policy(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in MISSING_POLICIES:
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be one of "
            f"{', '.join(MISSING_POLICIES)}, got {value!r}"
        )


@attrs.frozen
class SignalWeight:
    """One signal of a scorecard: its weight, its group and what to do when it is missing.

    Parameters
    ----------
    signal
        The extractor name of the signal (a key of :attr:`SignalSet.frames`).
    weight
        The signal's weight, > 0. Weights are relative: only their ratios matter.
    group
        An optional group name (``"engagement"``, ``"service"``...), carried by the
        signal's contribution so that points can be summed per group
        (:func:`points_by_group`).
    missing
        The missing-data policy: ``"exclude"`` (renormalise), ``"neutral"``, ``"worst"`` or
        ``"fail"``; see the module docstring.
    neutral_severity
        The severity counted for a missing reading under the ``"neutral"`` policy, in
        [0, 1]; ignored by the other policies.

    Examples
    --------
    >>> weight = SignalWeight("attendance", 20.0, group="engagement", missing="neutral")
    >>> weight.weight, weight.group, weight.missing, weight.neutral_severity
    (20.0, 'engagement', 'neutral', 0.5)
    """

    signal: str = attrs.field(validator=_check_name)
    weight: float = attrs.field(validator=_check_positive)
    group: str | None = attrs.field(default=None, validator=_check_group)
    missing: MissingPolicy = attrs.field(default="exclude", validator=_check_policy)
    neutral_severity: float = attrs.field(default=0.5, validator=_check_unit)

    def config(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "signal": self.signal,
            "weight": float(self.weight),
            "group": self.group,
            "missing": self.missing,
            "neutral_severity": float(self.neutral_severity),
        }


@attrs.frozen
class BandThresholds:
    """Where the bands start: green at ``green_min`` and above, yellow at ``yellow_min``.

    Scores below ``yellow_min`` are red. Both lie in [0, 100] with
    ``yellow_min <= green_min``.

    Examples
    --------
    >>> thresholds = BandThresholds(green_min=75.0, yellow_min=50.0)
    >>> [thresholds.band(s).value for s in (75.0, 74.99, 50.0, 49.99)]
    ['green', 'yellow', 'yellow', 'red']
    """

    green_min: float = attrs.field(default=70.0, validator=_check_score)
    yellow_min: float = attrs.field(default=40.0, validator=_check_score)

    def __attrs_post_init__(self) -> None:
        if self.yellow_min > self.green_min:
            raise ConfigError(
                f"BandThresholds.yellow_min ({self.yellow_min}) must not exceed green_min "
                f"({self.green_min})"
            )

    def band(self, score: float) -> Band:
        """The band of ``score``."""
        if score >= self.green_min:
            return Band.GREEN
        if score >= self.yellow_min:
            return Band.YELLOW
        return Band.RED

    def config(self) -> dict[str, Any]:
        """Plain data."""
        return {"green_min": float(self.green_min), "yellow_min": float(self.yellow_min)}


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping, got {type(value).__name__} {value!r}")
    return types.MappingProxyType(dict(value))


def _check_override_weights(
    instance: SegmentOverride, attribute: attrs.Attribute[Mapping[str, float]], value: object
) -> None:
    assert isinstance(value, Mapping)
    for signal, weight in value.items():
        if not isinstance(signal, str) or not signal.strip():
            raise ConfigError(
                f"SegmentOverride.weights: signal names must be non-empty strings, "
                f"got {signal!r}"
            )
        if not _finite(weight) or weight < 0:
            raise ConfigError(
                f"SegmentOverride.weights[{signal!r}] must be a finite number >= 0 "
                f"(0 leaves the signal out of the segment), got {weight!r}"
            )


@attrs.frozen
class SegmentOverride:
    """Weights and band thresholds of one segment, where they differ from the scorecard's.

    ``weights`` maps signal names to weights for accounts of the segment; a signal not
    listed keeps the scorecard's weight, and a weight of 0 leaves the signal out of the
    segment altogether (it neither counts nor lowers coverage). ``thresholds``, when given,
    replace the scorecard's band thresholds for the segment.

    Examples
    --------
    >>> tech = SegmentOverride({"attendance": 0.0}, BandThresholds(60.0, 30.0))
    >>> dict(tech.weights), tech.thresholds.green_min
    ({'attendance': 0.0}, 60.0)
    """

    weights: Mapping[str, float] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_check_override_weights
    )
    thresholds: BandThresholds | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(BandThresholds)),
    )

    def config(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "weights": {k: float(v) for k, v in sorted(self.weights.items())},
            "thresholds": None if self.thresholds is None else self.thresholds.config(),
        }


def _to_signals(value: Sequence[SignalWeight]) -> tuple[SignalWeight, ...]:
    return tuple(value)


def _check_signals(
    instance: Scorecard, attribute: attrs.Attribute[tuple[SignalWeight, ...]], value: object
) -> None:
    assert isinstance(value, tuple)
    if not value:
        raise ConfigError("Scorecard.signals must list at least one SignalWeight")
    seen: set[str] = set()
    for position, item in enumerate(value):
        if not isinstance(item, SignalWeight):
            raise ConfigError(
                f"Scorecard.signals[{position}] must be a SignalWeight, got "
                f"{type(item).__name__} {item!r}"
            )
        if item.signal in seen:
            raise ConfigError(
                f"Scorecard.signals[{position}]: signal {item.signal!r} is listed twice"
            )
        seen.add(item.signal)


def _check_segments(
    instance: Scorecard,
    attribute: attrs.Attribute[Mapping[str, SegmentOverride]],
    value: object,
) -> None:
    assert isinstance(value, Mapping)
    known = {s.signal for s in instance.signals}
    for segment, override in value.items():
        if not isinstance(segment, str) or not segment.strip():
            raise ConfigError(
                f"Scorecard.segments: segment names must be non-empty strings, got {segment!r}"
            )
        if not isinstance(override, SegmentOverride):
            raise ConfigError(
                f"Scorecard.segments[{segment!r}] must be a SegmentOverride, got "
                f"{type(override).__name__} {override!r}"
            )
        unknown = sorted(set(override.weights) - known)
        if unknown:
            raise ConfigError(
                f"Scorecard.segments[{segment!r}].weights names signals the scorecard does "
                f"not list: {', '.join(unknown)} (it lists {', '.join(sorted(known))})"
            )
        total = sum(override.weights.get(s.signal, s.weight) for s in instance.signals)
        if total <= 0:
            raise ConfigError(
                f"Scorecard.segments[{segment!r}].weights leave every signal at weight 0"
            )


def _check_top_reasons(
    instance: Scorecard, attribute: attrs.Attribute[int], value: object
) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"Scorecard.top_reasons must be an integer >= 1, got {value!r}")


@attrs.frozen
class Scorecard:
    """A weighted sum of signal severities, with segment overrides and missing-data policies.

    Parameters
    ----------
    signals
        The signals scored, each with its weight, group and missing-data policy; signal
        names are unique.
    name
        The scorer's name, carried by every health score it makes.
    thresholds
        The band thresholds of accounts whose segment has none of its own.
    segments
        Overrides by segment name (the ``Account.segment.name`` of the account record).
    min_coverage
        The share of weight that must have data for the account to get a band other than
        ``insufficient_data``, in [0, 1]. Whatever its value, an account without any data
        is ``insufficient_data``.
    top_reasons
        How many signals are quoted in the reasons, those that cost the most points first.

    Notes
    -----
    For account ``a`` with signals ``i`` of (segment) weight ``w_i > 0`` and severity
    ``s_i`` (imputed by the policy when missing), let ``D`` be the sum of the weights of the
    signals that are not excluded. Then ``effective_weight_i = w_i / D`` and the exact score
    is ``100 * sum(effective_weight_i * (1 - s_i))``. The shares
    ``10000 * effective_weight_i * (1 - s_i)`` are rounded to whole centi-points by the
    largest-remainder (Hamilton) method so that they add up to the total rounded to a whole
    centi-point; ties go to the signal listed first. Points and score are those centi-points
    divided by 100. Coverage is ``sum(w_i for signals with data) / sum(w_i)``.

    A signal the signal set does not hold at all is a configuration error (the extractor was
    not run), not missing data: :meth:`score` raises
    :class:`~touchpoint_signals.errors.UnknownNameError` listing the signals present.

    Examples
    --------
    >>> card = Scorecard(
    ...     (SignalWeight("attendance", 3.0), SignalWeight("tone_shift", 1.0)),
    ...     min_coverage=0.6,
    ... )
    >>> sorted(card.config()["signals"][0].items())  # doctest: +NORMALIZE_WHITESPACE
    [('group', None), ('missing', 'exclude'), ('neutral_severity', 0.5),
     ('signal', 'attendance'), ('weight', 3.0)]
    """

    signals: tuple[SignalWeight, ...] = attrs.field(
        converter=_to_signals, validator=_check_signals
    )
    name: str = attrs.field(default="scorecard", validator=_check_name)
    thresholds: BandThresholds = attrs.field(
        factory=BandThresholds, validator=attrs.validators.instance_of(BandThresholds)
    )
    segments: Mapping[str, SegmentOverride] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_check_segments
    )
    min_coverage: float = attrs.field(default=0.5, validator=_check_unit)
    top_reasons: int = attrs.field(default=3, validator=_check_top_reasons)
    # The hash of config(), computed once: every field is immutable, so it cannot change,
    # and hashing the configuration is a fixed cost a one-account call would pay each time.
    _config_hash: str = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_config_hash", config_hash(self.config()))

    def config(self) -> dict[str, Any]:
        """The configuration as plain JSON-able data (what :func:`config_hash` hashes)."""
        return {
            "kind": "scorecard",
            "name": self.name,
            "signals": [s.config() for s in self.signals],
            "thresholds": self.thresholds.config(),
            "segments": {k: v.config() for k, v in sorted(self.segments.items())},
            "min_coverage": float(self.min_coverage),
            "top_reasons": int(self.top_reasons),
        }

    def weights_for(self, segment: str | None) -> tuple[float, ...]:
        """The weight of each signal, in order, for accounts of ``segment``."""
        override = self.segments.get(segment) if segment is not None else None
        if override is None:
            return tuple(float(s.weight) for s in self.signals)
        return tuple(float(override.weights.get(s.signal, s.weight)) for s in self.signals)

    def thresholds_for(self, segment: str | None) -> BandThresholds:
        """The band thresholds for accounts of ``segment``."""
        override = self.segments.get(segment) if segment is not None else None
        if override is None or override.thresholds is None:
            return self.thresholds
        return override.thresholds

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        """Health scores for every account of ``signals``, in order; ``prior`` is ignored.

        The numbers, bands and reason lines are computed for all accounts at once; only the
        result objects are made one by one, each from values already in final form.

        Raises
        ------
        UnknownNameError
            When a signal of the scorecard is not in ``signals``.
        DataError
            When an account lacks a signal whose policy is ``"fail"``.
        """
        n, k = len(signals), len(self.signals)
        frames = [signals.frame(s.signal) for s in self.signals]
        segments = [None if acc is None else acc.segment.name for acc in signals.accounts]

        # One row of weights and thresholds per distinct segment, picked by each account's code.
        codes: dict[str | None, int] = {}
        segment_code = np.fromiter(
            (codes.setdefault(segment, len(codes)) for segment in segments), np.intp, n
        )
        by_segment = np.array([self.weights_for(s) for s in codes], dtype=np.float64)
        weights = by_segment.reshape(len(codes), k)[segment_code]
        limits = [self.thresholds_for(s) for s in codes]
        severity = np.stack([frame.severity for frame in frames], axis=1)
        has_data = np.stack([frame.sufficient for frame in frames], axis=1)

        self._fail_on_missing(signals, frames, weights, has_data)
        numbers = _compute(self.signals, weights, severity, has_data)

        # Reasons as an object matrix built without numpy ever converting the strings.
        reasons = np.empty((n, k), dtype=object)
        for i, frame in enumerate(frames):
            reasons[:, i] = np.fromiter(frame.reasons, dtype=object, count=n)
        scores = np.where(numbers.scored, numbers.total / _CENTI, 0.0).astype(object)
        scores[~numbers.scored] = None
        bands = self._bands(numbers, limits, segment_code)

        with paused_gc():
            items = self._health_scores(signals, numbers, reasons, scores, bands, segments)
        logger.debug("%s scored %d accounts on %d signals", self.name, n, k)
        return Scores(items)

    def _health_scores(
        self,
        signals: SignalSet,
        numbers: _Numbers,
        reasons: npt.NDArray[np.object_],
        scores: npt.NDArray[np.object_],
        bands: list[Band],
        segments: list[str | None],
    ) -> tuple[HealthScore, ...]:
        """The result objects, one per account, from values already in final form."""
        n = len(signals)
        return tuple(
            map(
                HealthScore,
                [str(a) for a in signals.account_ids.tolist()],
                itertools.repeat(signals.as_of, n),
                scores.tolist(),
                bands,
                numbers.coverage.tolist(),
                self._contributions(numbers, reasons),
                self._reasons(numbers, reasons),
                itertools.repeat(self.name, n),
                itertools.repeat(self._config_hash, n),
                segments,
            )
        )

    def _fail_on_missing(
        self,
        signals: SignalSet,
        frames: Sequence[Any],
        weights: npt.NDArray[np.float64],
        has_data: npt.NDArray[np.bool_],
    ) -> None:
        for i, item in enumerate(self.signals):
            if item.missing != "fail":
                continue
            missing = np.flatnonzero(~has_data[:, i] & (weights[:, i] > 0))
            if missing.size:
                a = int(missing[0])
                raise DataError(
                    f"account {str(signals.account_ids[a])!r} has no reading of signal "
                    f"{item.signal!r}, whose missing-data policy is 'fail' "
                    f"({frames[i].reasons[a]}); {missing.size} account(s) in all"
                )

    def _bands(
        self,
        numbers: _Numbers,
        limits: Sequence[BandThresholds],
        segment_code: npt.NDArray[np.intp],
    ) -> list[Band]:
        """Each account's band: by its segment's thresholds, or insufficient data.

        The rounded score is compared with the thresholds exactly as
        :meth:`BandThresholds.band` compares it (``>=`` on the same floats).
        """
        score = numbers.total / _CENTI
        green = np.array([t.green_min for t in limits], dtype=np.float64)[segment_code]
        yellow = np.array([t.yellow_min for t in limits], dtype=np.float64)[segment_code]

        code = np.where(score >= green, 0, np.where(score >= yellow, 1, 2))
        code[~numbers.scored | (numbers.coverage < self.min_coverage)] = 3
        return _BANDS[code].tolist()  # type: ignore[no-any-return]

    def _contributions(
        self, numbers: _Numbers, reasons: npt.NDArray[np.object_]
    ) -> list[tuple[Contribution, ...]]:
        """Every account's contributions, made in one pass over flat (account, signal) lists."""
        n, k = numbers.weights.shape
        severity = numbers.severity.astype(object)
        severity[np.isnan(numbers.severity)] = None

        made = map(
            Contribution,
            [item.signal for item in self.signals] * n,
            (numbers.centi / _CENTI).ravel().tolist(),
            numbers.weights.ravel().tolist(),
            numbers.effective.ravel().tolist(),
            severity.ravel().tolist(),
            _HANDLING_NAMES[numbers.handling].ravel().tolist(),
            reasons.ravel().tolist(),
            [item.group for item in self.signals] * n,
        )
        # The same iterator zipped k times hands out consecutive runs of k: one per account.
        return list(zip(*[made] * k, strict=True))

    def _reasons(
        self, numbers: _Numbers, reasons: npt.NDArray[np.object_]
    ) -> list[tuple[str, ...]]:
        """Every account's reason lines, the riskiest first.

        An account without a score gets one line naming every signal it lacks. Otherwise a
        coverage line comes first when coverage is below the minimum, then one line per
        signal that cost points (up to :attr:`top_reasons`, the costliest first, the signal
        listed first on a tie); a scored account with neither gets a line saying all is well.
        """
        n, k = numbers.weights.shape
        names = [item.signal for item in self.signals]
        observed = numbers.handling == _OBSERVED
        missing = ~observed & (numbers.weights > 0)
        scored = numbers.scored
        first: list[str | None] = [None] * n

        unscored = np.flatnonzero(~scored)
        _place(
            first,
            unscored,
            (
                "no signal had data: "
                + "; ".join(
                    f"{name}: {why}"
                    for name, why, m in zip(names, texts, lacks, strict=True)
                    if m
                )
                for texts, lacks in zip(
                    reasons[unscored].tolist(), missing[unscored].tolist(), strict=True
                )
            ),
        )

        short = np.flatnonzero(scored & (numbers.coverage < self.min_coverage))
        _place(
            first,
            short,
            (
                f"insufficient data: only {coverage:.0%} of the weight had data (at least "
                f"{self.min_coverage:.0%} needed); no reading of "
                + ", ".join(name for name, m in zip(names, lacks, strict=True) if m)
                for coverage, lacks in zip(
                    numbers.coverage[short].tolist(), missing[short].tolist(), strict=True
                )
            ),
        )

        # The costliest signals: a stable sort of -cost puts the signal listed first first on
        # a tie. Costs are sorted descending, so a rank that costs nothing ends the lines.
        top = min(self.top_reasons, k)
        order = np.argsort(-numbers.cost, axis=1, kind="stable")[:, :top]
        ranked_cost = np.take_along_axis(numbers.cost, order, axis=1)
        labels = np.array([_label(name) for name in names], dtype=object)
        columns = [first]
        for rank in range(top):
            rows = np.flatnonzero(scored & (ranked_cost[:, rank] > 0))
            which = order[rows, rank]
            column: list[str | None] = [None] * n
            _place(
                column,
                rows,
                (
                    f"{label} cost {cost:.2f} points: {why}"
                    if handling == OBSERVED
                    else f"{label} cost {cost:.2f} points (no reading, counted as "
                    f"{handling}): {why}"
                    for label, cost, handling, why in zip(
                        labels[which].tolist(),
                        ranked_cost[rows, rank].tolist(),
                        _HANDLING_NAMES[numbers.handling[rows, which]].tolist(),
                        reasons[rows, which].tolist(),
                        strict=True,
                    )
                ),
            )
            columns.append(column)

        # A scored account with enough coverage whose costliest signal cost nothing.
        healthy = np.flatnonzero(
            scored & (numbers.coverage >= self.min_coverage) & (ranked_cost[:, 0] <= 0)
        )
        _place(
            first,
            healthy,
            (
                f"no signal cost points: all {read} signals read are healthy"
                for read in observed[healthy].sum(axis=1).tolist()
            ),
        )
        return [tuple(filter(None, lines)) for lines in zip(*columns, strict=True)]


def _place(column: list[str | None], rows: npt.NDArray[np.intp], lines: Iterable[str]) -> None:
    """Put ``lines`` at ``rows`` of ``column`` (a list, so that strings stay as they are)."""
    for row, line in zip(rows.tolist(), lines, strict=True):
        column[row] = line


def _label(signal: str) -> str:
    return signal.replace("_", " ")


@attrs.frozen(eq=False)
class _Numbers:
    """The arithmetic of a scorecard over all accounts, as (accounts x signals) arrays."""

    weights: npt.NDArray[np.float64]
    severity: npt.NDArray[np.float64]
    handling: npt.NDArray[np.int8]
    effective: npt.NDArray[np.float64]
    centi: npt.NDArray[np.int64]
    cost: npt.NDArray[np.float64]
    total: npt.NDArray[np.int64]
    coverage: npt.NDArray[np.float64]
    scored: npt.NDArray[np.bool_]


def _row_sum(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Sum along the last axis left to right, so a row's sum never depends on other rows."""
    total = np.zeros(values.shape[:-1], dtype=np.float64)
    for column in range(values.shape[-1]):
        total = total + values[..., column]
    return total


def _imputed(item: SignalWeight) -> float:
    """The severity a missing reading of ``item`` is counted at (NaN: not counted)."""
    if item.missing == "neutral":
        return float(item.neutral_severity)
    return 1.0 if item.missing == "worst" else math.nan


def _compute(
    items: Sequence[SignalWeight],
    weights: npt.NDArray[np.float64],
    observed: npt.NDArray[np.float64],
    has_data: npt.NDArray[np.bool_],
) -> _Numbers:
    n = weights.shape[0]
    policy = np.array([_POLICY_HANDLING[s.missing] for s in items], dtype=np.int8)
    imputed = np.array([_imputed(s) for s in items], dtype=np.float64)
    weighted = weights > 0
    missing = weighted & ~has_data

    # Handling as small integer codes (named at the end): comparing strings costs more.
    handling = np.where(weighted, np.where(missing, policy, _OBSERVED), _UNWEIGHTED)
    severity = np.where(has_data, observed, np.where(missing, imputed, np.nan))
    counted = weighted & (handling != _EXCLUDED)

    # The three sums of weights in one left-to-right pass over the signals.
    sums = _row_sum(np.where(np.stack([weighted, weighted & has_data, counted]), weights, 0.0))
    configured, with_data, denominator = sums[0], sums[1], sums[2]
    coverage = np.clip(with_data / configured, 0.0, 1.0)
    scored = (denominator > 0) & (coverage > 0)

    safe = np.where(scored, denominator, 1.0).reshape(n, 1)
    effective = np.where(counted & scored.reshape(n, 1), weights / safe, 0.0)
    known = np.nan_to_num(severity)
    health = np.where(counted, 1.0 - known, 0.0)
    exact = _FULL * effective * health
    cost = 100.0 * effective * np.where(counted, known, 0.0)

    centi, total = _largest_remainder(exact)
    return _Numbers(
        weights=weights,
        severity=np.where(counted | has_data, severity, np.nan),
        handling=handling.astype(np.int8),
        effective=effective,
        centi=centi,
        cost=cost,
        total=total,
        coverage=coverage,
        scored=scored,
    )


def _largest_remainder(
    exact: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Round each row of ``exact`` to integers that add up to the row's rounded sum.

    Every entry is first rounded down; the shortfall is given, one each, to the entries with
    the largest fractional parts (the first listed wins a tie).
    """
    n = exact.shape[0]
    exact = np.clip(exact, 0.0, float(_FULL))
    total = np.clip(np.floor(_row_sum(exact) + 0.5), 0, _FULL).astype(np.int64)
    floors = np.floor(exact)
    shortfall = total - floors.sum(axis=1).astype(np.int64)

    order = np.argsort(-(exact - floors), axis=1, kind="stable")
    rank = np.argsort(order, axis=1)  # the inverse permutation: each entry's place in order
    centi = floors.astype(np.int64) + (rank < shortfall.reshape(n, 1))
    return centi, total


def points_by_group(score: HealthScore) -> dict[str | None, float]:
    """The points of ``score`` summed per signal group (``None`` for ungrouped signals).

    The sums are exact at two decimals: they add up to the score.
    """
    centi: dict[str | None, int] = {}
    for c in score.contributions:
        centi[c.group] = centi.get(c.group, 0) + round(c.points * _CENTI)
    return {group: value / _CENTI for group, value in centi.items()}


def default_scorecard() -> Scorecard:
    """Weights for the seven built-in signals; ``docs/scoring/scorecard.md`` says why.

    Two groups of 100 points in all: ``engagement``, what the customer does (attendance 20,
    customer reply latency 20, tone shift 15: 55), and ``service``, what the vendor does
    (vendor response latency 15, cadence 10, fatigue 10, purpose and outcome records 10: 45).
    Every signal is excluded and the rest renormalised when it has no reading; the minimum
    coverage of 0.5 is above the service group's 45, so an account read only on what the
    vendor did gets no band. Bands: green from 70, yellow from 40.

    Examples
    --------
    >>> card = default_scorecard()
    >>> [(s.signal, s.weight) for s in card.signals]  # doctest: +NORMALIZE_WHITESPACE
    [('attendance', 20.0), ('customer_reply_latency', 20.0), ('tone_shift', 15.0),
     ('vendor_response_latency', 15.0), ('cadence', 10.0), ('fatigue', 10.0),
     ('purpose_outcome', 10.0)]
    """
    return Scorecard(
        signals=(
            SignalWeight("attendance", 20.0, group="engagement"),
            SignalWeight("customer_reply_latency", 20.0, group="engagement"),
            SignalWeight("tone_shift", 15.0, group="engagement"),
            SignalWeight("vendor_response_latency", 15.0, group="service"),
            SignalWeight("cadence", 10.0, group="service"),
            SignalWeight("fatigue", 10.0, group="service"),
            SignalWeight("purpose_outcome", 10.0, group="service"),
        ),
        thresholds=BandThresholds(green_min=70.0, yellow_min=40.0),
        min_coverage=0.5,
        top_reasons=3,
    )
