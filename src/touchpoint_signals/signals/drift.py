"""Two-window drift: has a group's recent behaviour moved away from its own baseline?

Several signals ask the same question of a per-observation measurement (a reply latency, a
tone score): for each group (a contact, an account), compare the observations of a *recent*
window that ends at ``as_of`` with those of a *baseline* window that ends where the recent one
begins. :func:`two_window_drift` answers it for every group at once: sample sizes and medians
are numpy over sorted columns, and so is the rank test of every group that has enough data
(:func:`touchpoint_signals.stats.mann_whitney_greater_grouped`).

A group has *drifted* when

* both windows hold enough observations (``min_recent`` and ``min_baseline``),
* the one-sided Mann-Whitney test (:func:`touchpoint_signals.stats.mann_whitney_greater`)
  says the recent values tend to be worse than the baseline ones at level ``alpha``, and
* the medians moved by at least ``min_effect`` (a ratio or a difference, in the worse
  direction).

The test alone flags tiny shifts once samples are large, and the effect size alone flags noise
when samples are small; requiring both is the usual guard (Wasserstein and Lazar, "The ASA
statement on p-values", *The American Statistician* 70(2), 2016, principle 5).
"""

from __future__ import annotations

import logging
import math
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError, DataError
from touchpoint_signals.signals import _params
from touchpoint_signals.stats import mann_whitney_greater_grouped, order_by_group_value

__all__ = ["DriftResult", "DriftWindows", "drift_severity", "two_window_drift"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_US_PER_DAY = 86_400 * 1_000_000


def _probability(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not (isinstance(value, int | float) and 0 < value < 1):
        raise ConfigError(
            f"DriftWindows.{attribute.name} must be a number strictly between 0 and 1, "
            f"got {value!r}"
        )


def _effect_kind(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in ("ratio", "difference"):
        raise ConfigError(
            f"DriftWindows.effect must be 'ratio' or 'difference' (a string), got {value!r}"
        )


@attrs.frozen
class DriftWindows:
    """The windows, sample sizes and thresholds of a two-window drift test.

    Parameters
    ----------
    recent_days
        Length of the recent window, which ends at ``as_of`` (inclusive).
    baseline_days
        Length of the baseline window: the ``baseline_days`` just before the recent window.
    min_recent, min_baseline
        Fewest observations each window needs before the group is tested; a group with fewer
        is *insufficient*, not healthy.
    alpha
        Level of the one-sided Mann-Whitney test.
    min_effect
        Smallest move of the medians that counts as drift: with ``effect="ratio"`` the worse
        median divided by the better one (so ``2.0`` means "twice as slow"); with
        ``effect="difference"`` the worse median minus the better one, in the values' unit.
    effect
        How the medians are compared: ``"ratio"`` (for positive, scale-like values such as
        latencies) or ``"difference"`` (for scores on a fixed scale such as tone).

    Notes
    -----
    Defaults are those of reply latency. A 30-day recent window against the 180 days before it
    follows the monthly review cadence of customer-success teams while keeping a half-year of
    the contact's own history as the yardstick (seasonal effects longer than that are not
    modelled). ``min_recent=4`` and ``min_baseline=10`` are the smallest design simulated in
    ``benchmarks/latency_drift_power.py`` (10 baseline v 4 recent replies): with fewer
    recent values the exact test cannot reach small p-values at all (3 v 10 has a smallest
    attainable p-value of 1/286, but a median of 3 is one reply away from changing) and the
    false-alarm rate of the median rule alone is high; ``docs/validity/latency.md`` has the
    figures. ``alpha=0.05`` is the conventional level (Fisher, *Statistical Methods for
    Research Workers*, 1925); it is per group, so across many contacts some false alarms are
    expected: the simulated false-alarm rate is in ``docs/validity/latency.md``.
    ``min_effect=2.0`` (a doubling of the median latency) is a practical-significance
    threshold chosen so that a day-to-day wobble does not flag; see the module docstring for
    why both the test and the effect are required.

    Examples
    --------
    >>> DriftWindows().recent_days, DriftWindows().min_effect
    (30.0, 2.0)
    >>> for bad in ({"alpha": 2.0}, {"recent_days": math.inf}):
    ...     try:
    ...         DriftWindows(**bad)
    ...     except ConfigError as error:
    ...         print(error)
    DriftWindows.alpha must be a number strictly between 0 and 1, got 2.0
    DriftWindows.recent_days must be a finite number of days > 0, got inf
    """

    recent_days: float = attrs.field(default=30.0, validator=_params.days)
    baseline_days: float = attrs.field(default=180.0, validator=_params.days)
    min_recent: int = attrs.field(default=4, validator=_params.whole_at_least(1))
    min_baseline: int = attrs.field(default=10, validator=_params.whole_at_least(1))
    alpha: float = attrs.field(default=0.05, validator=_probability)
    min_effect: float = attrs.field(default=2.0)
    effect: Literal["ratio", "difference"] = attrs.field(
        default="ratio", validator=_effect_kind
    )

    def __attrs_post_init__(self) -> None:
        value = self.min_effect
        if isinstance(value, bool) or not (
            isinstance(value, int | float) and math.isfinite(value)
        ):
            raise ConfigError(f"DriftWindows.min_effect must be a finite number, got {value!r}")
        if self.effect == "ratio" and value <= 0:
            raise ConfigError(
                f"DriftWindows.min_effect must be > 0 when effect='ratio', got {value!r}"
            )

    @property
    def recent_us(self) -> int:
        """Length of the recent window in microseconds."""
        return round(self.recent_days * _US_PER_DAY)

    @property
    def baseline_us(self) -> int:
        """Length of the baseline window in microseconds."""
        return round(self.baseline_days * _US_PER_DAY)


@attrs.frozen(eq=False)
class DriftResult:
    """Per-group outcome of :func:`two_window_drift`; row ``g`` of each array is group ``g``.

    ``effect`` is oriented so that larger is worse whatever the direction of the values: with
    ``higher_is_worse`` it is recent over baseline (or recent minus baseline), otherwise
    baseline over recent (or baseline minus recent). ``p_value`` is that of the one-sided test
    in the worse direction, NaN for groups that are not ``sufficient``; medians are NaN for an
    empty window, ``effect`` is NaN when either median is. ``in_recent`` and ``in_baseline``
    are per *observation*: which observations each group's windows used, so that a caller can
    cite them as evidence.
    """

    n_recent: IntArray
    n_baseline: IntArray
    median_recent: FloatArray
    median_baseline: FloatArray
    effect: FloatArray
    p_value: FloatArray
    drifted: BoolArray
    sufficient: BoolArray
    in_recent: BoolArray
    in_baseline: BoolArray


def _window_medians(
    sorted_values: FloatArray,
    in_window: BoolArray,
    counts: IntArray,
    log_scale: bool,
) -> FloatArray:
    """Median per group of the observations in one window (NaN where a group has none).

    ``sorted_values`` holds both windows' observations sorted by group, then value;
    ``in_window`` marks this window's and ``counts`` is its count per group. Within a group
    the window's values are in order, so its middle values are found by counting the
    window's observations: the ``k``-th of them all is at ``np.flatnonzero(in_window)[k]``
    (no sort of its own, and a gather rather than a search per group).
    """
    medians = np.full(counts.size, np.nan)
    present = np.flatnonzero(counts > 0)
    if present.size == 0:
        return medians

    where = np.flatnonzero(in_window)
    before = (np.cumsum(counts) - counts)[present]
    n = counts[present]
    low = sorted_values[where[before + (n - 1) // 2]]
    high = sorted_values[where[before + n // 2]]
    medians[present] = np.sqrt(low * high) if log_scale else (low + high) / 2.0
    return medians


def two_window_drift(
    values: npt.ArrayLike,
    times_us: npt.ArrayLike,
    group: npt.ArrayLike,
    n_groups: int,
    as_of_us: int,
    windows: DriftWindows,
    *,
    higher_is_worse: bool = True,
    log_scale: bool = False,
) -> DriftResult:
    """Test every group's recent window against its own baseline window.

    Parameters
    ----------
    values
        One float per observation (a latency in seconds, a tone score). NaN values are
        ignored.
    times_us
        When each observation belongs, in microseconds since the epoch; this decides its
        window. The recent window is ``(as_of - recent, as_of]``, the baseline
        ``(as_of - recent - baseline, as_of - recent]``; later observations are ignored.
    group
        Integer group code of each observation, in ``[0, n_groups)``, in any order; negative
        codes (no group) are ignored.
    n_groups
        Number of groups; every result array has this length.
    as_of_us
        The instant the test is made, in microseconds since the epoch.
    windows
        Window lengths, minimum sample sizes and thresholds.
    higher_is_worse
        ``True`` for latencies (larger is worse); ``False`` for scores where lower is worse.
    log_scale
        Compare the values on a log scale: they must then be positive. Ranks, and so the
        test, do not change; the median of an even-sized window becomes the geometric rather
        than the arithmetic mean of its two middle values, which suits skewed values such as
        latencies.

    Returns
    -------
    DriftResult
        Sample sizes, medians, effect, p-value, ``drifted`` and ``sufficient`` per group.

    Raises
    ------
    DataError
        When the arrays differ in length, a group code is ``>= n_groups``, or ``log_scale``
        is set and a value is zero or negative.

    Notes
    -----
    The p-value comes from :func:`touchpoint_signals.stats.mann_whitney_greater` (exact up
    to 100 observations in the two windows together, normal approximation above). Read its
    Notes about ties: tied values enter through midranks against the untied null
    distribution, which keeps the test monotone (a worse recent value never raises the
    p-value) but makes it approximate when many values tie, as with scores on a coarse scale
    or latencies clipped to a floor; in the normal regime a value that breaks a tie can move
    the p-value by a hair either way.

    The test treats the observations of a window as independent. Replies within one thread,
    or messages from one busy week, are not, so p-values are somewhat optimistic; the effect
    threshold is the second guard against that.

    Examples
    --------
    Group 0 replies in about an hour for months, then in about five hours (hand-made):

    >>> day = 86_400 * 1_000_000
    >>> base = [1.0, 1.2, 0.8, 1.1, 0.9, 1.0, 1.3, 0.7, 1.0, 1.1]
    >>> recent = [5.0, 4.5, 6.0, 5.5]
    >>> times = [day * (10 + 10 * i) for i in range(10)] + [day * (200 + i) for i in range(4)]
    >>> result = two_window_drift(base + recent, times, [0] * 14, 1, day * 210, DriftWindows())
    >>> int(result.n_recent[0]), int(result.n_baseline[0]), float(result.effect[0])
    (4, 10, 5.25)
    >>> bool(result.drifted[0]), round(float(result.p_value[0]), 4)
    (True, 0.001)
    """
    data = np.asarray(values, dtype=np.float64)
    times = np.asarray(times_us, dtype=np.int64)
    codes = np.asarray(group, dtype=np.int64)
    if not (data.shape == times.shape == codes.shape) or data.ndim != 1:
        raise DataError(
            f"values, times_us and group must be 1-d arrays of one length, got shapes "
            f"{data.shape}, {times.shape} and {codes.shape}"
        )
    if codes.size and codes.max() >= n_groups:
        raise DataError(f"group codes must be below n_groups={n_groups}, got {codes.max()}")
    if log_scale and (data <= 0).any():
        raise DataError("log_scale needs positive values; clip them to a floor first")

    recent_start = as_of_us - windows.recent_us
    baseline_start = recent_start - windows.baseline_us
    usable = (codes >= 0) & ~np.isnan(data) & (times <= as_of_us)
    in_recent = usable & (times > recent_start)
    in_baseline = usable & (times > baseline_start) & (times <= recent_start)

    # One sort of both windows by group, then value, serves the medians and the rank test.
    used = np.flatnonzero(in_recent | in_baseline)
    within, sorted_codes, sorted_values = order_by_group_value(codes[used], data[used])
    sorted_recent = in_recent[used[within]]
    n_recent = np.bincount(codes[in_recent], minlength=n_groups).astype(np.int64)
    n_baseline = np.bincount(codes[in_baseline], minlength=n_groups).astype(np.int64)
    median_recent = _window_medians(sorted_values, sorted_recent, n_recent, log_scale)
    median_baseline = _window_medians(sorted_values, ~sorted_recent, n_baseline, log_scale)

    worse, better = (
        (median_recent, median_baseline)
        if higher_is_worse
        else (median_baseline, median_recent)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        effect = worse / better if windows.effect == "ratio" else worse - better

    sufficient = (n_recent >= windows.min_recent) & (n_baseline >= windows.min_baseline)
    p_value = np.full(n_groups, np.nan)
    tested = sufficient[sorted_codes]
    if tested.any():
        # One rank test per sufficient group, all groups in one call; the "x" sample is the
        # window expected to hold the larger values.
        worse_window = sorted_recent if higher_is_worse else ~sorted_recent
        p_value = mann_whitney_greater_grouped(
            sorted_values[tested],
            worse_window[tested],
            sorted_codes[tested],
            n_groups,
            presorted=True,
        )

    with np.errstate(invalid="ignore"):
        drifted = sufficient & (p_value <= windows.alpha) & (effect >= windows.min_effect)
    logger.debug(
        "two-window drift: %d groups, %d sufficient, %d drifted",
        n_groups,
        int(sufficient.sum()),
        int(drifted.sum()),
    )
    return DriftResult(
        n_recent=n_recent,
        n_baseline=n_baseline,
        median_recent=median_recent,
        median_baseline=median_baseline,
        effect=effect,
        p_value=p_value,
        drifted=drifted,
        sufficient=sufficient,
        in_recent=in_recent,
        in_baseline=in_baseline,
    )


def drift_severity(
    result: DriftResult, windows: DriftWindows, *, saturation: float
) -> FloatArray:
    """A severity in [0, 1] per group from a drift result; NaN for insufficient groups.

    The size of the move is scaled to ``[0, 1]`` between "no change" and ``saturation``: for
    ``effect="ratio"`` as ``log(effect) / log(saturation)``, for ``"difference"`` as
    ``effect / saturation``. A drifted group then scores ``0.5 + 0.5 * scaled`` and any
    other sufficient group ``0.4 * scaled``, so every drifted group ranks above every group
    that is not, and within each tier a larger move ranks higher.

    The severity never falls when a recent value gets worse: the effect cannot shrink and the
    p-value cannot grow (see :func:`two_window_drift` on ties), so neither the tier nor the
    scaled move can drop.

    Examples
    --------
    >>> r = DriftResult(
    ...     n_recent=np.array([6, 6, 1]), n_baseline=np.array([20, 20, 1]),
    ...     median_recent=np.array([8.0, 2.0, 1.0]), median_baseline=np.array([1.0, 1.0, 1.0]),
    ...     effect=np.array([8.0, 2.0, 1.0]), p_value=np.array([0.001, 0.2, np.nan]),
    ...     drifted=np.array([True, False, False]), sufficient=np.array([True, True, False]),
    ...     in_recent=np.zeros(0, bool), in_baseline=np.zeros(0, bool))
    >>> drift_severity(r, DriftWindows(), saturation=8.0).round(3).tolist()
    [1.0, 0.133, nan]
    """
    if windows.effect == "ratio":
        if not saturation > 1:
            raise ConfigError(f"saturation must be > 1 for a ratio effect, got {saturation!r}")
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.log(result.effect) / math.log(saturation)
    else:
        if not saturation > 0:
            raise ConfigError(f"saturation must be > 0, got {saturation!r}")
        scaled = result.effect / saturation
    scaled = np.clip(np.where(np.isnan(scaled), 0.0, scaled), 0.0, 1.0)  # inf clips to 1
    severity = np.where(result.drifted, 0.5 + 0.5 * scaled, 0.4 * scaled)
    return np.where(result.sufficient, severity, np.nan)
