"""Statistics the signals share: a rank test for drift, shrinkage, and per-account kernels.

Everything here works on numpy arrays and knows nothing of touchpoints. The per-account
kernels take a log's ``account`` column (codes sorted ascending) and return one value per
account, so a signal computes for every account at once.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "EXACT_MAX_TOTAL",
    "RankTest",
    "factorize",
    "longest_run",
    "mann_whitney_greater",
    "mann_whitney_greater_grouped",
    "midranks",
    "order_by_group_value",
    "per_account_count",
    "per_account_last",
    "per_account_sum",
    "shrunk_rate",
    "stable_argsort",
    "trailing_run",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Largest combined sample for which :func:`mann_whitney_greater` computes the exact
#: permutation distribution; beyond it the normal approximation is accurate to about 1e-3.
EXACT_MAX_TOTAL = 100


@attrs.frozen
class RankTest:
    """The outcome of a one-sided Mann-Whitney test that ``x`` tends to exceed ``y``.

    ``u`` is the Mann-Whitney statistic of ``x`` (the number of pairs in which the ``x``
    value is larger, ties counting one half); ``method`` says whether ``p_value`` comes from
    the exact permutation distribution or the normal approximation.
    """

    u: float
    p_value: float
    method: Literal["exact", "normal"]
    n_x: int
    n_y: int


def midranks(values: npt.ArrayLike) -> FloatArray:
    """Ranks from 1 with tied values sharing the mean of the ranks they span."""
    data = np.asarray(values, dtype=np.float64)
    _, inverse, counts = np.unique(data, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    mean_rank = upper - (counts - 1) / 2.0
    return mean_rank[inverse]


@functools.lru_cache(maxsize=256)
def _rank_sum_distribution(doubled_ranks: tuple[int, ...], m: int) -> tuple[FloatArray, float]:
    """Counts of each doubled rank sum over all ways to pick ``m`` of the ranks, and the total.

    Ranks are doubled so that midranks (halves) stay integers.

    A subset-sum count: adding only, so float64 keeps full relative precision.
    """
    top = sum(sorted(doubled_ranks)[-m:]) if m else 0
    ways = np.zeros((m + 1, top + 1))
    ways[0, 0] = 1.0
    for rank in doubled_ranks:
        for j in range(m, 0, -1):
            ways[j, rank:] += ways[j - 1, : top + 1 - rank]
    return ways[m], float(math.comb(len(doubled_ranks), m))


def mann_whitney_greater(
    x: npt.ArrayLike, y: npt.ArrayLike, *, exact_max_total: int = EXACT_MAX_TOTAL
) -> RankTest:
    """One-sided Mann-Whitney U test of "values in ``x`` tend to be larger than in ``y``".

    Parameters
    ----------
    x, y
        The two samples (for latency drift: the recent window and the baseline).
    exact_max_total
        Up to this combined size the p-value comes from the exact null distribution of the
        rank sum; above it from the normal approximation with tie correction and a
        continuity correction of one half.

    Notes
    -----
    The exact null distribution is that of untied ranks (Mann and Whitney, 1947), counted
    with a subset-sum recursion; tied values enter the observed statistic through their
    midranks, as in most implementations. Conditioning on the observed ties instead would be
    exact under ties too, but then making one value in ``x`` larger can raise the p-value
    (breaking a tie changes the reference distribution), and a drift signal must never ease
    when a reply gets slower. The normal approximation uses the tie-corrected variance
    ``m n / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))`` (Hollander, Wolfe and Chicken,
    *Nonparametric Statistical Methods*, 3rd ed., section 4.1); there, with ties, a larger
    value that breaks a tie can still move the p-value by a hair in either direction.

    Examples
    --------
    >>> result = mann_whitney_greater([5.0, 6.0, 7.0], [1.0, 2.0, 3.0])
    >>> result.u, round(result.p_value, 4), result.method
    (9.0, 0.05, 'exact')
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    m, n = len(xs), len(ys)
    if m == 0 or n == 0:
        raise ValueError(f"both samples need values, got {m} and {n}")
    if np.isnan(xs).any() or np.isnan(ys).any():
        raise ValueError("samples must not contain NaN")

    ranks = midranks(np.concatenate([xs, ys]))
    rank_sum = float(ranks[:m].sum())
    u = rank_sum - m * (m + 1) / 2.0
    total = m + n

    if total <= exact_max_total:
        counts, ways = _rank_sum_distribution(tuple(range(2, 2 * total + 1, 2)), m)
        observed = round(2 * rank_sum)
        p_value = float(counts[observed:].sum()) / ways
        return RankTest(u, min(1.0, p_value), "exact", m, n)

    _, tie_counts = np.unique(ranks, return_counts=True)
    tie_term = float((tie_counts**3 - tie_counts).sum()) / (total * (total - 1))
    variance = m * n / 12.0 * ((total + 1) - tie_term)
    if variance <= 0:
        return RankTest(u, 1.0, "normal", m, n)
    z = (u - m * n / 2.0 - 0.5) / math.sqrt(variance)
    return RankTest(u, 0.5 * math.erfc(z / math.sqrt(2.0)), "normal", m, n)


#: Tail counts of the untied U by (smaller, larger) sample size, built once per process.
_TAILS: dict[tuple[int, int], FloatArray] = {}


def _u_distributions(smaller: IntArray, larger: IntArray) -> dict[tuple[int, int], FloatArray]:
    """Tail counts of the untied Mann-Whitney ``U`` for every ``(smaller, larger)`` pair asked.

    Entry ``(s, l)`` holds, at index ``u``, the number of ways to split ``s + l`` untied
    ranks into samples of ``s`` and ``l`` with ``U >= u`` (``U`` of the sample of ``s``;
    the count is symmetric in the two sizes, so it is also that of the sample of ``l``).

    The counts ``c(s, l)`` obey ``c(s, l)(u) = c(s - 1, l)(u - l) + c(s, l - 1)(u)``
    (the largest rank is in the first sample and beats all ``l`` values of the second, or
    it is in the second and beats none), so ``c(s, .)`` is a cumulative sum over ``l`` of
    ``c(s - 1, .)`` shifted by ``l``: one numpy pass per ``s`` serves every ``l`` at once.
    Only additions are made, so float64 keeps full relative precision, as in
    :func:`_rank_sum_distribution`, and the counts agree with it exactly while they stay
    below 2**53.
    """
    asked = set(zip(smaller.tolist(), larger.tolist(), strict=True))
    wanted: dict[int, set[int]] = {}
    for s, big in asked - _TAILS.keys():
        wanted.setdefault(s, set()).add(big)
    if not wanted:
        return {pair: _TAILS[pair] for pair in asked}

    top = max(wanted)
    need = np.zeros(top + 2, dtype=np.int64)  # rows still needed at step s: max l for s' >= s
    for s, ls in wanted.items():
        need[s] = max(ls)
    need = np.maximum.accumulate(need[::-1])[::-1]

    tails: dict[tuple[int, int], FloatArray] = {}
    counts = np.ones((need[0] + 1, 1))  # c(0, l) = 1 at u = 0 for every l
    for s in range(top + 1):
        if s:
            rows = int(need[s]) + 1
            width = s * (rows - 1) + 1
            kept = (s - 1) * (rows - 1) + 1  # row l of c(s - 1, .) ends at u = (s - 1) l
            padded = np.zeros((rows, width + 1))
            padded[:, :kept] = counts[:rows, :kept]
            # Reading the padded rows with a row length one short shifts row l right by l.
            shifted = padded.ravel()[: rows * width].reshape(rows, width)
            counts = np.cumsum(shifted, axis=0)
        for big in sorted(wanted.get(s, ())):
            row = counts[big, : s * big + 1]
            tail = np.cumsum(row[::-1])[::-1]
            tail.setflags(write=False)
            tails[(s, big)] = tail

    # The counts depend on the two sizes alone: kept for the process, so that a service
    # scoring one account at a time builds each one once. Only sizes within the default
    # exact limit (EXACT_MAX_TOTAL observations) are kept, which bounds the cache at a few MB.
    _TAILS.update({pair: t for pair, t in tails.items() if sum(pair) <= EXACT_MAX_TOTAL})
    return {pair: tails[pair] if pair in tails else _TAILS[pair] for pair in asked}


def mann_whitney_greater_grouped(
    values: npt.ArrayLike,
    in_x: npt.ArrayLike,
    group: npt.ArrayLike,
    n_groups: int,
    *,
    exact_max_total: int = EXACT_MAX_TOTAL,
    presorted: bool = False,
) -> FloatArray:
    """:func:`mann_whitney_greater` for many groups at once: one p-value per group.

    Parameters
    ----------
    values
        The observations of every group, both samples, in any order; no NaN.
    in_x
        True where an observation belongs to the ``x`` sample of its group (the one tested
        for larger values), false where it belongs to ``y``.
    group
        Group code of each observation, in ``[0, n_groups)``.
    n_groups
        Number of groups; the result has this length.
    exact_max_total
        As for :func:`mann_whitney_greater`.
    presorted
        Declare that the observations are already sorted by group, then value (a caller
        that sorted them for its own use saves the sort here); not checked.

    Returns
    -------
    numpy.ndarray
        The one-sided p-value of each group, equal to what :func:`mann_whitney_greater`
        returns for that group's two samples (bit for bit while the permutation counts stay
        below 2**53, to float rounding beyond); NaN for a group with an empty sample.

    Notes
    -----
    Midranks come from one sort of all groups by value; the exact null counts are built
    once per call for every pair of sample sizes present (:func:`_u_distributions`), so the
    cost grows with the number of observations and of distinct sizes, not with one Python
    call per group.
    """
    data = np.asarray(values, dtype=np.float64)
    xs = np.asarray(in_x, dtype=bool)
    codes = np.asarray(group, dtype=np.int64)
    p_value = np.full(n_groups, np.nan)
    if data.size == 0:
        return p_value

    if presorted:
        sorted_codes, sorted_values, x_sorted = codes, data, xs
    else:
        order, sorted_codes, sorted_values = order_by_group_value(codes, data)
        x_sorted = xs[order]
    new_group = np.ones(data.size, dtype=bool)
    new_group[1:] = sorted_codes[1:] != sorted_codes[:-1]
    new_run = new_group.copy()
    new_run[1:] |= sorted_values[1:] != sorted_values[:-1]

    run_starts = np.flatnonzero(new_run)
    run_lengths = np.diff(np.append(run_starts, data.size))
    run_of = np.cumsum(new_run) - 1
    group_start = np.flatnonzero(new_group)[np.cumsum(new_group) - 1]
    ranks = (run_starts - group_start[run_starts]) + (run_lengths + 1) / 2.0
    rank = ranks[run_of]

    m = np.bincount(codes[xs], minlength=n_groups).astype(np.int64)
    n = np.bincount(codes[~xs], minlength=n_groups).astype(np.int64)
    rank_sum = np.bincount(sorted_codes[x_sorted], weights=rank[x_sorted], minlength=n_groups)
    u = rank_sum - m * (m + 1) / 2.0
    total = m + n
    tested = (m > 0) & (n > 0)

    exact = np.flatnonzero(tested & (total <= exact_max_total))
    if exact.size:
        smaller = np.minimum(m[exact], n[exact])
        larger = np.maximum(m[exact], n[exact])
        pairs, pair_of = np.unique(
            smaller * (exact_max_total + 1) + larger, return_inverse=True
        )
        pair_small, pair_large = pairs // (exact_max_total + 1), pairs % (exact_max_total + 1)
        tails = _u_distributions(pair_small, pair_large)
        flat = np.concatenate(
            [tails[key] for key in zip(pair_small.tolist(), pair_large.tolist(), strict=True)]
            + [np.zeros(1)]
        )
        widths = pair_small * pair_large + 1
        starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
        ways = np.array(
            [
                float(math.comb(a + b, a))
                for a, b in zip(pair_small.tolist(), pair_large.tolist(), strict=True)
            ]
        )

        # The untied null puts rank sums on whole numbers: P(R >= r) = P(R >= ceil(r)).
        observed = np.round(2.0 * rank_sum[exact]).astype(np.int64)
        threshold = (observed + 1) // 2 - m[exact] * (m[exact] + 1) // 2
        beyond = threshold >= widths[pair_of]
        at = np.where(beyond, flat.size - 1, starts[pair_of] + np.maximum(threshold, 0))
        p_value[exact] = np.minimum(1.0, flat[at] / ways[pair_of])

    normal = np.flatnonzero(tested & (total > exact_max_total))
    if normal.size:
        run_group = sorted_codes[run_starts]
        ties = run_lengths.astype(np.float64)
        tie_sum = np.bincount(run_group, weights=ties**3 - ties, minlength=n_groups)[normal]
        mg, ng, tg = m[normal], n[normal], total[normal]
        tie_term = tie_sum / (tg * (tg - 1))
        variance = mg * ng / 12.0 * ((tg + 1) - tie_term)
        positive = variance > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (u[normal] - mg * ng / 2.0 - 0.5) / np.sqrt(variance)
        erfc = np.frompyfunc(math.erfc, 1, 1)
        upper = 0.5 * np.asarray(erfc(z[positive] / math.sqrt(2.0)), dtype=np.float64)
        p_value[normal] = 1.0
        p_value[normal[positive]] = upper
    return p_value


def shrunk_rate(
    successes: npt.ArrayLike,
    trials: npt.ArrayLike,
    prior_rate: npt.ArrayLike,
    prior_strength: float,
) -> FloatArray:
    """A rate pulled toward a prior, so that 1 of 2 does not read as a collapse.

    ``(successes + k * prior) / (trials + k)``: the posterior mean of a beta-binomial model
    whose prior is worth ``k = prior_strength`` observations. With no trials it is the prior.

    Examples
    --------
    >>> float(shrunk_rate(1, 2, 0.9, 8.0)[()])
    0.82
    """
    s = np.asarray(successes, dtype=np.float64)
    t = np.asarray(trials, dtype=np.float64)
    prior = np.asarray(prior_rate, dtype=np.float64)
    if prior_strength < 0:
        raise ValueError(f"prior_strength must be >= 0, got {prior_strength}")
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = (s + prior_strength * prior) / (t + prior_strength)
    return result


def factorize(keys: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """The distinct integer ``keys`` in ascending order, and the code of each key.

    The result equals ``np.unique(keys, return_inverse=True)``. It is found with a stable
    sort, which runs several times faster than the sort ``np.unique`` makes when the keys
    arrive nearly in order, as keys led by a log's account code do.

    Examples
    --------
    >>> distinct, codes = factorize([7, 3, 7, 9, 3])
    >>> distinct.tolist(), codes.tolist()
    ([3, 7, 9], [1, 0, 1, 2, 0])
    """
    data = np.asarray(keys, dtype=np.int64).reshape(-1)
    codes = np.empty(data.size, dtype=np.int64)
    if data.size == 0:
        return data.copy(), codes

    order = np.argsort(data, kind="stable")
    ordered = data[order]
    new = np.empty(data.size, dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    codes[order] = np.cumsum(new) - 1
    return ordered[new], codes


#: Below this many keys :func:`stable_argsort` leaves the sort to ``np.argsort``: packing
#: the keys costs more than it saves on a small array.
_PACK_FROM = 1 << 15


def stable_argsort(keys: npt.NDArray[np.int64]) -> IntArray:
    """``np.argsort(keys, kind="stable")`` of 64-bit integer keys, found by sorting values.

    numpy sorts plain 64-bit values about ten times faster than it finds the stable order
    of their positions. Each key's high bits and its position are packed into one word, so
    that sorting the words sorts by key, with tied keys in input order. Keys that agree in
    those high bits but differ in the low bits left out (close instants, a rare pair of
    hashes) are then put in order among themselves. The result is exactly numpy's. It is
    no faster than numpy when most keys repeat and two distinct keys share their high
    bits: then the members of every shared run are read.

    Examples
    --------
    >>> stable_argsort(np.array([5, -1, 5, 0], dtype=np.int64)).tolist()
    [1, 3, 0, 2]
    """
    n = keys.size
    position_bits = max(1, (n - 1).bit_length())
    if n < _PACK_FROM or position_bits > 40:
        return np.argsort(keys, kind="stable").astype(np.int64, copy=False)

    # Signed order becomes unsigned order by flipping the sign bit. Every step reuses the
    # arrays it has: a large new array costs more in page faults than the step itself.
    sign = np.uint64(1 << 63)
    shift = np.uint64(position_bits)
    packed = np.arange(n, dtype=np.uint64)
    high = keys.astype(np.int64, copy=False).view(np.uint64) ^ sign
    high >>= shift
    high <<= shift
    packed |= high
    del high
    packed.sort()
    order = np.bitwise_and(packed, np.uint64((1 << position_bits) - 1)).view(np.int64)
    packed >>= shift

    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.not_equal(packed[1:], packed[:-1], out=new_run[1:])
    runs = int(np.count_nonzero(new_run))
    if runs == n:
        return order

    # Where runs of one high part are few, the keys of their members are read to find the
    # runs that mix keys. Where they hold most rows (repeated keys), the keys are counted
    # instead: runs are in key order when there are as many as distinct keys.
    shared = ~new_run
    shared[:-1] |= ~new_run[1:]
    if np.count_nonzero(shared) > n // 8:
        values = packed.view(np.int64)  # the high parts are read: the buffer is free
        values[:] = keys
        values.sort()
        if runs == 1 + int(np.count_nonzero(values[1:] != values[:-1])):
            return order
    del packed
    at = np.flatnonzero(shared)
    run = np.cumsum(new_run[at])
    rows = order[at]
    member_keys = keys[rows]
    mixes = np.zeros(runs + 1, dtype=bool)
    mixes[run[1:][(run[1:] == run[:-1]) & (member_keys[1:] != member_keys[:-1])]] = True
    fix = np.flatnonzero(mixes[run])
    rows, member_keys, run = rows[fix], member_keys[fix], run[fix]
    order[at[fix]] = rows[np.lexsort((rows, member_keys, run))]
    return order


#: Largest number of low bits :func:`order_by_group_value` gives a value's grid position
#: (a float64 holds every integer up to 2**53 exactly).
_VALUE_BITS = 52


def order_by_group_value(
    group: IntArray, values: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """The stable order by group, then value, with both columns in that order.

    Returns ``(order, group[order], values[order])`` where ``order`` is exactly
    ``np.lexsort((values, group))``. One 64-bit key is sorted instead of two columns: the
    group code in the high bits and, in the low bits, the value's position on an even grid
    over the values' range. A stable sort of such keys is several times faster than
    ``lexsort``, the more so when groups arrive in order. Values closer together than the
    grid's step can share a key; if that leaves any group out of order, ``lexsort`` is used
    after all, as it is for negative codes or non-finite values.

    Examples
    --------
    >>> order, group, values = order_by_group_value(np.array([1, 0, 1]), np.array([5., 2., 1.]))
    >>> order.tolist(), group.tolist(), values.tolist()
    ([1, 2, 0], [0, 1, 1], [2.0, 1.0, 5.0])
    """
    n = values.size
    if n == 0:
        order = np.empty(0, dtype=np.int64)
        return order, group[order], values[order]

    low, high = float(values.min()), float(values.max())
    group_bits = int(group.max()).bit_length()
    value_bits = min(_VALUE_BITS, 62 - group_bits)
    top = 2**value_bits - 1
    span = high - low
    scale = top / span if span > 0 else 0.0
    if not (math.isfinite(span) and math.isfinite(scale)) or group.min() < 0 or value_bits < 16:
        order = np.lexsort((values, group))
        return order, group[order], values[order]

    keys = np.minimum(((values - low) * scale).astype(np.int64), top)
    keys |= group.astype(np.int64) << value_bits
    order = np.argsort(keys, kind="stable")
    sorted_group, sorted_values = group[order], values[order]

    # Truncating onto the grid never reverses two values, but it can tie them; a tie of
    # different values keeps input order, which is only right if that order was sorted.
    same_group = sorted_group[1:] == sorted_group[:-1]
    if (same_group & (sorted_values[1:] < sorted_values[:-1])).any():
        order = np.lexsort((values, group))
        return order, group[order], values[order]
    return order, sorted_group, sorted_values


def per_account_count(
    account: npt.NDArray[Any], n_accounts: int, mask: npt.NDArray[np.bool_] | None = None
) -> IntArray:
    """Rows per account, counting only rows where ``mask`` is true."""
    codes = account if mask is None else account[mask]
    return np.bincount(codes, minlength=n_accounts).astype(np.int64)


def per_account_sum(
    values: npt.ArrayLike,
    account: npt.NDArray[Any],
    n_accounts: int,
    mask: npt.NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Sum of ``values`` per account over the rows where ``mask`` is true."""
    data = np.asarray(values, dtype=np.float64)
    if mask is not None:
        data, account = data[mask], account[mask]
    sums: FloatArray = np.bincount(account, weights=data, minlength=n_accounts).astype(
        np.float64
    )
    return sums


def per_account_last(
    account: npt.NDArray[Any], n_accounts: int, mask: npt.NDArray[np.bool_]
) -> IntArray:
    """The last row (in log order) of each account where ``mask`` is true, or ``-1``.

    In a log sorted by account then time this is each account's latest qualifying row.
    """
    last = np.full(n_accounts, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    last[account[rows]] = rows  # later rows overwrite earlier ones: assignment is in order
    return last


def _runs(flags: npt.NDArray[np.bool_], group: npt.NDArray[Any]) -> tuple[IntArray, IntArray]:
    """Start row and length of every run of true flags that stays within one group."""
    f = flags.astype(bool)
    if f.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    new_group = np.empty(f.size, dtype=bool)
    new_group[0] = True
    new_group[1:] = group[1:] != group[:-1]
    starts = f & (new_group | ~np.concatenate([[False], f[:-1]]))
    start_rows = np.flatnonzero(starts)
    run_id = np.cumsum(starts) - 1
    lengths = np.bincount(run_id[f], minlength=start_rows.size).astype(np.int64)
    return start_rows, lengths


def longest_run(
    flags: npt.NDArray[np.bool_], group: npt.NDArray[Any], n_groups: int
) -> IntArray:
    """Longest run of consecutive true ``flags`` within each group (rows sorted by group)."""
    start_rows, lengths = _runs(flags, group)
    best = np.zeros(n_groups, dtype=np.int64)
    np.maximum.at(best, group[start_rows], lengths)
    return best


def trailing_run(
    flags: npt.NDArray[np.bool_], group: npt.NDArray[Any], n_groups: int
) -> tuple[IntArray, IntArray]:
    """Length and first row of the run of true ``flags`` that ends each group's rows.

    Returns ``(length, start_row)``; a group whose last row is false has length 0 and
    start row ``-1``.
    """
    length = np.zeros(n_groups, dtype=np.int64)
    first = np.full(n_groups, -1, dtype=np.int64)
    start_rows, lengths = _runs(flags, group)
    if start_rows.size == 0:
        return length, first

    end_rows = start_rows + lengths - 1
    last_of_group = np.ones(group.size, dtype=bool)
    last_of_group[:-1] = group[1:] != group[:-1]
    trailing = last_of_group[end_rows]
    owners = group[start_rows[trailing]]
    length[owners] = lengths[trailing]
    first[owners] = start_rows[trailing]
    return length, first
