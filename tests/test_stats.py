"""The shared statistics: rank test, shrinkage and the per-account kernels.

Exact values were computed by hand (small permutation counts) and, for the rank test, also
checked once against scipy.stats.mannwhitneyu outside this repository: scipy is not a
dependency, so the check is not repeated here.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals import stats
from touchpoint_signals.stats import (
    factorize,
    longest_run,
    mann_whitney_greater,
    mann_whitney_greater_grouped,
    midranks,
    order_by_group_value,
    per_account_count,
    per_account_last,
    per_account_sum,
    shrunk_rate,
    stable_argsort,
    trailing_run,
)


def test_midranks_share_tied_ranks() -> None:
    assert midranks([10.0, 20.0, 20.0, 5.0]).tolist() == [2.0, 3.5, 3.5, 1.0]


def test_complete_separation_of_three_and_three() -> None:
    # Only 1 of the C(6, 3) = 20 ways to split six ranks puts the top three in x.
    result = mann_whitney_greater([5.0, 6.0, 7.0], [1.0, 2.0, 3.0])

    assert result.u == 9.0
    assert result.p_value == pytest.approx(1 / 20)
    assert result.method == "exact"
    assert (result.n_x, result.n_y) == (3, 3)


def test_one_crossing_of_three_and_three() -> None:
    # x = {3, 5, 6}, y = {1, 2, 4}: rank sum of x is 3 + 5 + 6 = 14, U = 14 - 6 = 8.
    # Subsets of {1..6} of size 3 with sum >= 14: {4,5,6}=15, {3,5,6}=14: 2 of 20.
    result = mann_whitney_greater([3.0, 5.0, 6.0], [1.0, 2.0, 4.0])

    assert result.u == 8.0
    assert result.p_value == pytest.approx(2 / 20)


def test_ties_enter_through_midranks_against_the_untied_distribution() -> None:
    # x = {2, 2}, y = {1, 2}: midranks 3, 3 | 1, 3, so the rank sum of x is 6 and
    # U = 6 - 3 = 3. Pairs from the untied ranks {1, 2, 3, 4} with sum >= 6 are
    # {2, 4} = 6 and {3, 4} = 7: 2 of C(4, 2) = 6.
    result = mann_whitney_greater([2.0, 2.0], [1.0, 2.0])

    assert result.u == 3.0
    assert result.p_value == pytest.approx(2 / 6)


def test_large_samples_use_the_normal_approximation() -> None:
    x = np.arange(60, dtype=float) + 0.5
    y = np.arange(60, dtype=float)

    result = mann_whitney_greater(x, y)

    # U = sum over x_i of #y below it = 1 + 2 + ... + 60 = 1830; mean 1800;
    # variance 60 * 60 * 121 / 12 = 36300; z = (1830 - 1800 - 0.5) / sqrt(36300).
    z = 29.5 / math.sqrt(36300)
    assert result.method == "normal"
    assert result.u == 1830.0
    assert result.p_value == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))


def test_empty_or_nan_samples_are_refused() -> None:
    with pytest.raises(ValueError, match="both samples need values"):
        mann_whitney_greater([], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        mann_whitney_greater([np.nan], [1.0])


samples = st.lists(st.integers(0, 6).map(float), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(samples, samples)
def test_exact_p_value_matches_brute_force_enumeration(x: list[float], y: list[float]) -> None:
    observed = midranks(x + y)[: len(x)].sum()
    untied = np.arange(1, len(x) + len(y) + 1, dtype=float)
    splits = list(itertools.combinations(range(len(untied)), len(x)))
    at_least = sum(untied[list(c)].sum() >= observed - 1e-9 for c in splits)

    assert mann_whitney_greater(x, y).p_value == pytest.approx(at_least / len(splits))


@settings(max_examples=60, deadline=None)
@given(samples, samples, st.integers(0, 5))
def test_a_larger_value_in_x_never_raises_the_p_value(
    x: list[float], y: list[float], which: int
) -> None:
    bumped = list(x)
    bumped[which % len(x)] += 10.0

    assert mann_whitney_greater(bumped, y).p_value <= mann_whitney_greater(x, y).p_value + 1e-12


group_samples = st.lists(
    st.tuples(
        st.lists(st.integers(0, 40).map(float), min_size=0, max_size=70),
        st.lists(st.integers(0, 40).map(float), min_size=0, max_size=70),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=80, deadline=None)
@given(group_samples, st.integers(2, 120), st.randoms(use_true_random=False))
def test_grouped_rank_test_equals_one_test_per_group(
    groups: list[tuple[list[float], list[float]]], exact_max_total: int, shuffle: Any
) -> None:
    # Both regimes occur: small groups are exact, groups above exact_max_total normal.
    values, in_x, codes = [], [], []
    for g, (x, y) in enumerate(groups):
        values += x + y
        in_x += [True] * len(x) + [False] * len(y)
        codes += [g] * (len(x) + len(y))
    order = list(range(len(values)))
    shuffle.shuffle(order)

    p = mann_whitney_greater_grouped(
        np.array(values)[order],
        np.array(in_x, dtype=bool)[order],
        np.array(codes, dtype=np.int64)[order],
        len(groups),
        exact_max_total=exact_max_total,
    )

    by_group = np.lexsort((np.array(values), np.array(codes)))
    presorted = mann_whitney_greater_grouped(
        np.array(values)[by_group],
        np.array(in_x, dtype=bool)[by_group],
        np.array(codes, dtype=np.int64)[by_group],
        len(groups),
        exact_max_total=exact_max_total,
        presorted=True,
    )
    np.testing.assert_array_equal(presorted, p)

    for g, (x, y) in enumerate(groups):
        if not x or not y:
            assert np.isnan(p[g])
            continue
        expected = mann_whitney_greater(x, y, exact_max_total=exact_max_total).p_value
        # Bit for bit while the permutation counts are exact in float64, a rounding apart
        # beyond.
        if math.comb(len(x) + len(y), len(x)) < 2**53:
            assert p[g] == expected
        else:
            assert p[g] == pytest.approx(expected, rel=1e-12)


def test_grouped_rank_test_hand_made_groups() -> None:
    # Group 0 is the complete separation of three and three (1 / 20), group 1 the one
    # crossing (2 / 20), group 2 has no y and gets no p-value.
    values = [5.0, 6.0, 7.0, 1.0, 2.0, 3.0, 3.0, 5.0, 6.0, 1.0, 2.0, 4.0, 9.0]
    in_x = [True] * 3 + [False] * 3 + [True] * 3 + [False] * 3 + [True]
    codes = [0] * 6 + [1] * 6 + [2]

    p = mann_whitney_greater_grouped(values, in_x, codes, 3)

    assert p[:2].tolist() == pytest.approx([1 / 20, 2 / 20])
    assert np.isnan(p[2])


def test_shrunk_rate_pulls_small_samples_toward_the_prior() -> None:
    rates = shrunk_rate([1, 10, 0], [2, 20, 0], 0.9, 8.0)

    assert rates.tolist() == pytest.approx([(1 + 7.2) / 10, (10 + 7.2) / 28, 0.9])


def test_shrunk_rate_refuses_negative_strength() -> None:
    with pytest.raises(ValueError, match="prior_strength"):
        shrunk_rate(1, 2, 0.5, -1.0)


# Hand-made fixture: three accounts in log order; account 1 has no rows.
ACCOUNT = np.array([0, 0, 0, 0, 2, 2, 2])
FLAGS = np.array([True, True, False, True, True, True, True])


def test_per_account_count_sum_and_last() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])

    assert per_account_count(ACCOUNT, 3).tolist() == [4, 0, 3]
    assert per_account_count(ACCOUNT, 3, FLAGS).tolist() == [3, 0, 3]
    assert per_account_sum(values, ACCOUNT, 3, FLAGS).tolist() == [7.0, 0.0, 18.0]
    assert per_account_last(ACCOUNT, 3, ~FLAGS).tolist() == [2, -1, -1]


def test_longest_and_trailing_runs_stay_within_accounts() -> None:
    # Account 0 ends with a run of 1 (row 3); account 2's run of 3 starts at row 4 and
    # must not join account 0's trailing True.
    assert longest_run(FLAGS, ACCOUNT, 3).tolist() == [2, 0, 3]
    length, first = trailing_run(FLAGS, ACCOUNT, 3)
    assert length.tolist() == [1, 0, 3]
    assert first.tolist() == [3, -1, 4]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=30))
def test_runs_match_a_plain_loop(rows: list[tuple[int, bool]]) -> None:
    rows = sorted(rows, key=lambda r: r[0])
    account = np.array([r[0] for r in rows], dtype=np.int64)
    flags = np.array([r[1] for r in rows], dtype=bool)

    best = [0] * 4
    trailing = [0] * 4
    for code in range(4):
        run = 0
        for a, flag in rows:
            if a != code:
                continue
            run = run + 1 if flag else 0
            best[code] = max(best[code], run)
        trailing[code] = run

    assert longest_run(flags, account, 4).tolist() == best
    assert trailing_run(flags, account, 4)[0].tolist() == trailing


def test_exact_counts_are_built_once_and_kept_read_only() -> None:
    from touchpoint_signals import stats

    stats._TAILS.clear()
    first = stats._u_distributions(np.array([2, 3]), np.array([4, 4]))
    again = stats._u_distributions(np.array([3]), np.array([4]))

    # Hand count for sizes 2 and 4: of the C(6, 2) = 15 splits, U >= 8 only when the two
    # largest ranks are in the first sample (1 way), so the tail at u = 8 is 1 and at 0 is 15.
    assert first[(2, 4)][[0, 8]].tolist() == [15.0, 1.0]
    assert again[(3, 4)] is first[(3, 4)]
    assert set(stats._TAILS) == {(2, 4), (3, 4)}
    assert not first[(2, 4)].flags.writeable


# -- sorting kernels ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-(2**40), 2**40), max_size=60))
def test_factorize_equals_numpy_unique(keys: list[int]) -> None:
    distinct, codes = factorize(keys)
    expected, inverse = np.unique(np.array(keys, dtype=np.int64), return_inverse=True)

    assert distinct.tolist() == expected.tolist()
    assert codes.tolist() == inverse.tolist()


# Values that land on one grid step (tiny gaps next to a huge range), plain ones, and the
# non-finite ones that must take the exact path.
_tricky_values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.sampled_from([0.0, 1e-300, 2e-300, 3e-300, 1.0, 1.0 + 2**-52, 1e300, -1e300]),
    st.sampled_from([np.nan, np.inf, -np.inf]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-1, 40), _tricky_values), max_size=60),
    st.booleans(),
)
def test_order_by_group_value_is_the_lexsort_order(
    pairs: list[tuple[int, float]], large_codes: bool
) -> None:
    shift = 2**45 if large_codes else 0  # few bits left for the grid: more ties of values
    group = np.array([g + shift if g >= 0 else g for g, _ in pairs], dtype=np.int64)
    values = np.array([v for _, v in pairs], dtype=np.float64)

    order, sorted_group, sorted_values = order_by_group_value(group, values)

    expected = np.lexsort((values, group))
    assert order.tolist() == expected.tolist()
    assert sorted_group.tolist() == group[expected].tolist()
    assert np.array_equal(sorted_values, values[expected], equal_nan=True)


@pytest.fixture
def packed_from_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sort even tiny arrays by packing, the path large logs take."""
    monkeypatch.setattr(stats, "_PACK_FROM", 2)


def test_stable_argsort_hand_made_keys(packed_from_two: None) -> None:
    # Hand-made: ties keep input order; the two large keys share their high bits (only
    # 3 position bits are packed) and differ below them; negative keys sort first.
    keys = np.array([7, -(2**63), 2**62 + 1, 7, 2**62, -1, 0, 2**62 + 1], dtype=np.int64)
    assert stable_argsort(keys).tolist() == [1, 5, 6, 0, 3, 4, 2, 7]


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(
        st.one_of(
            st.integers(-(2**63), 2**63 - 1),
            st.integers(-3, 3),
            st.integers(2**62 - 3, 2**62 + 3),
        ),
        max_size=60,
    ),
    packed=st.booleans(),
)
def test_stable_argsort_is_numpys_stable_order(keys: list[int], packed: bool) -> None:
    array = np.array(keys, dtype=np.int64)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stats, "_PACK_FROM", 2 if packed else 2**15)
        order = stable_argsort(array)

    assert order.tolist() == np.argsort(array, kind="stable").tolist()
