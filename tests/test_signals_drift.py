"""Tests for the shared two-window drift machinery (signals/drift.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError, DataError
from touchpoint_signals.signals.drift import DriftWindows, drift_severity, two_window_drift
from touchpoint_signals.stats import mann_whitney_greater

DAY = 86_400 * 1_000_000
AS_OF = 400 * DAY


def test_windows_are_half_open_and_later_values_ignored() -> None:
    # Hand-made: recent = (370d, 400d], baseline = (190d, 370d].
    times = np.array([190, 191, 370, 371, 400, 401]) * DAY
    result = two_window_drift(
        np.ones(6), times, np.zeros(6, dtype=np.int64), 1, AS_OF, DriftWindows()
    )
    assert result.in_baseline.tolist() == [False, True, True, False, False, False]
    assert result.in_recent.tolist() == [False, False, False, True, True, False]
    assert (int(result.n_recent[0]), int(result.n_baseline[0])) == (2, 2)
    assert not result.sufficient[0]
    assert math.isnan(result.p_value[0])


def test_medians_effect_and_exact_p_value() -> None:
    # Group 1: baseline 1..10 (median 5.5), recent 20, 30, 40, 50 (median 35): ratio 35/5.5.
    # Every recent value exceeds every baseline value: exact p = 1 / C(14, 4) = 1/1001.
    # Group 0 has a single value per window: insufficient. Group 2 is empty.
    values = np.array([*range(1, 11), 20, 30, 40, 50, 7, 9], dtype=float)
    times = np.array([200] * 10 + [380] * 4 + [200, 380]) * DAY
    group = np.array([1] * 14 + [0, 0])
    result = two_window_drift(values, times, group, 3, AS_OF, DriftWindows())
    assert result.median_baseline[1] == 5.5
    assert result.median_recent[1] == 35.0
    assert result.effect[1] == pytest.approx(35 / 5.5)
    assert result.p_value[1] == pytest.approx(1 / 1001)
    assert result.drifted.tolist() == [False, True, False]
    assert result.sufficient.tolist() == [False, True, False]
    assert (result.effect[0], result.n_recent[2]) == (pytest.approx(9 / 7), 0)
    assert math.isnan(result.median_recent[2])


def test_log_scale_uses_geometric_middle_and_needs_positive_values() -> None:
    # Even window [1, 4]: arithmetic middle 2.5, geometric middle 2.
    values = np.array([1.0, 4.0])
    times = np.array([380, 381]) * DAY
    plain = two_window_drift(values, times, np.zeros(2), 1, AS_OF, DriftWindows())
    logged = two_window_drift(
        values, times, np.zeros(2), 1, AS_OF, DriftWindows(), log_scale=True
    )
    assert (plain.median_recent[0], logged.median_recent[0]) == (2.5, 2.0)
    with pytest.raises(DataError, match="positive"):
        two_window_drift([0.0], [AS_OF], [0], 1, AS_OF, DriftWindows(), log_scale=True)


def test_lower_is_worse_with_difference_effect() -> None:
    # Tone-like scores fall from 0.8 to 0.2: effect = baseline - recent = 0.6.
    windows = DriftWindows(min_recent=4, min_baseline=10, min_effect=0.3, effect="difference")
    values = np.array([0.8] * 10 + [0.2] * 4) + np.linspace(0, 0.01, 14)
    times = np.array([200] * 10 + [390] * 4) * DAY
    result = two_window_drift(
        values, times, np.zeros(14), 1, AS_OF, windows, higher_is_worse=False
    )
    assert result.effect[0] == pytest.approx(0.6, abs=0.02)
    assert result.drifted[0]


def test_bad_inputs_and_parameters() -> None:
    with pytest.raises(DataError, match="one length"):
        two_window_drift([1.0], [1, 2], [0], 1, AS_OF, DriftWindows())
    with pytest.raises(DataError, match="n_groups"):
        two_window_drift([1.0], [1], [3], 2, AS_OF, DriftWindows())
    with pytest.raises(ConfigError, match="min_recent"):
        DriftWindows(min_recent=0)
    with pytest.raises(ConfigError, match="effect"):
        DriftWindows(effect="percent")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="min_effect"):
        DriftWindows(min_effect=0.0)
    with pytest.raises(ConfigError, match="recent_days"):
        DriftWindows(recent_days=-1.0)
    with pytest.raises(
        ConfigError, match=r"DriftWindows\.baseline_days must be a finite number of days > 0"
    ):
        DriftWindows(baseline_days=math.inf)
    with pytest.raises(ConfigError, match=r"DriftWindows\.min_recent must be a whole number"):
        DriftWindows(min_recent=True)
    with pytest.raises(ConfigError, match=r"DriftWindows\.alpha must be a number strictly"):
        DriftWindows(alpha=True)


def test_severity_tiers() -> None:
    # Ratio 8 drifted -> 0.5 + 0.5 * 1 = 1; ratio 2 not drifted -> 0.4 * log2/log8 = 0.1333.
    values = np.array([1.0] * 10 + [8.0] * 4 + [1.0] * 10 + [2.0, 2.0, 0.5, 3.0])
    times = np.array(([200] * 10 + [390] * 4) * 2) * DAY
    group = np.array([0] * 14 + [1] * 14)
    result = two_window_drift(values, times, group, 2, AS_OF, DriftWindows(), log_scale=True)
    severity = drift_severity(result, DriftWindows(), saturation=8.0)
    assert severity[0] == 1.0
    assert not result.drifted[1]
    assert severity[1] == pytest.approx(0.4 * math.log(2) / math.log(8))
    with pytest.raises(ConfigError, match="saturation"):
        drift_severity(result, DriftWindows(), saturation=1.0)


latencies = st.floats(min_value=0.01, max_value=1000.0, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(latencies, min_size=10, max_size=20),
    st.lists(latencies, min_size=4, max_size=8),
    st.data(),
)
def test_a_worse_recent_value_never_lowers_severity(
    baseline: list[float], recent: list[float], data: st.DataObject
) -> None:
    values = np.array(baseline + recent)
    times = np.array([200] * len(baseline) + [390] * len(recent)) * DAY
    group = np.zeros(values.size, dtype=np.int64)
    windows = DriftWindows()

    before = two_window_drift(values, times, group, 1, AS_OF, windows, log_scale=True)
    i = len(baseline) + data.draw(st.integers(0, len(recent) - 1))
    slower = values.copy()
    slower[i] *= data.draw(st.floats(min_value=1.0, max_value=50.0))
    after = two_window_drift(slower, times, group, 1, AS_OF, windows, log_scale=True)

    s0 = drift_severity(before, windows, saturation=8.0)[0]
    s1 = drift_severity(after, windows, saturation=8.0)[0]
    assert 0.0 <= s0 <= s1 <= 1.0
    assert after.p_value[0] <= before.p_value[0] + 1e-12


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(latencies, st.integers(150, 420), st.integers(0, 2)), max_size=40))
def test_order_of_observations_does_not_matter(rows: list[tuple[float, int, int]]) -> None:
    values = np.array([r[0] for r in rows])
    times = np.array([r[1] for r in rows], dtype=np.int64) * DAY
    group = np.array([r[2] for r in rows], dtype=np.int64)
    perm = np.random.default_rng(0).permutation(len(rows))
    a = two_window_drift(
        values, times, group, 3, AS_OF, DriftWindows(min_recent=2, min_baseline=2)
    )
    b = two_window_drift(
        values[perm],
        times[perm],
        group[perm],
        3,
        AS_OF,
        DriftWindows(min_recent=2, min_baseline=2),
    )
    np.testing.assert_array_equal(a.p_value, b.p_value)
    np.testing.assert_array_equal(a.median_recent, b.median_recent)
    np.testing.assert_array_equal(a.drifted, b.drifted)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(latencies, st.integers(150, 420), st.integers(-1, 3)), max_size=60),
    st.booleans(),
    st.booleans(),
)
def test_medians_and_p_values_equal_a_per_group_reference(
    rows: list[tuple[float, int, int]], log_scale: bool, higher_is_worse: bool
) -> None:
    # Reference: each group's windows sorted on their own and tested one group at a time.
    values = np.array([r[0] for r in rows], dtype=np.float64)
    times = np.array([r[1] for r in rows], dtype=np.int64) * DAY
    group = np.array([r[2] for r in rows], dtype=np.int64)
    windows = DriftWindows(min_recent=2, min_baseline=2)

    result = two_window_drift(
        values, times, group, 4, AS_OF, windows,
        higher_is_worse=higher_is_worse, log_scale=log_scale,
    )  # fmt: skip

    recent_start = AS_OF - windows.recent_us
    baseline_start = recent_start - windows.baseline_us
    for g in range(4):
        mine = group == g
        recent = np.sort(values[mine & (times > recent_start) & (times <= AS_OF)])
        baseline = np.sort(values[mine & (times > baseline_start) & (times <= recent_start)])
        for window, median in (
            (recent, result.median_recent),
            (baseline, result.median_baseline),
        ):
            if window.size == 0:
                assert np.isnan(median[g])
                continue
            low, high = window[(window.size - 1) // 2], window[window.size // 2]
            assert median[g] == (math.sqrt(low * high) if log_scale else (low + high) / 2.0)
        if recent.size >= 2 and baseline.size >= 2:
            x, y = (recent, baseline) if higher_is_worse else (baseline, recent)
            assert result.p_value[g] == mann_whitney_greater(x, y).p_value
        else:
            assert np.isnan(result.p_value[g])
