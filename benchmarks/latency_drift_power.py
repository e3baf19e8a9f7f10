"""False alarms and power of the latency drift rule, against a naive median rule.

Each simulated contact has lognormal reply latencies: ``log(latency in hours)`` is normal with
mean ``log(4)`` (a median reply of 4 business hours) and standard deviation ``SIGMA = 1.0``
(so a quarter of replies take over 8 hours and one in twenty over 20). The recent window's
latencies are multiplied by ``shift`` (1: no change; 3 and 7: a real slowdown). Every cell
runs ``N_SIM`` contacts through :func:`~touchpoint_signals.signals.drift.two_window_drift`
with the default :class:`~touchpoint_signals.signals.drift.DriftWindows` thresholds (one-sided
Mann-Whitney p <= 0.05 and median ratio >= 2), and through the naive rule "recent median >
2 x baseline median" with no test, on the same draws.

Run with ``.venv/bin/python benchmarks/latency_drift_power.py`` (seeded: the table is the same
on every run).
"""

from __future__ import annotations

import math

import numpy as np

from touchpoint_signals.signals.drift import DriftWindows, two_window_drift

SEED = 20261203
N_SIM = 2000
MEDIAN_HOURS = 4.0
SIGMA = 1.0
DESIGNS = ((10, 4), (20, 6))  # (baseline, recent) replies
SHIFTS = (1.0, 3.0, 7.0)
DAY_US = 86_400 * 1_000_000


def simulate(
    rng: np.random.Generator, n_baseline: int, n_recent: int, shift: float
) -> tuple[float, float, float]:
    """Share of contacts flagged by the drift rule, by the test alone, and by the naive rule."""
    windows = DriftWindows(min_recent=n_recent, min_baseline=n_baseline)
    per = n_baseline + n_recent
    mu = math.log(MEDIAN_HOURS * 3600)
    values = np.exp(rng.normal(mu, SIGMA, size=(N_SIM, per)))
    values[:, n_baseline:] *= shift
    as_of = 400 * DAY_US
    times = np.tile(
        np.concatenate([np.full(n_baseline, 300 * DAY_US), np.full(n_recent, 390 * DAY_US)]),
        N_SIM,
    )
    group = np.repeat(np.arange(N_SIM), per)

    result = two_window_drift(
        values.ravel(), times, group, N_SIM, as_of, windows, log_scale=True
    )
    naive = result.median_recent > 2.0 * result.median_baseline
    test_only = result.p_value <= windows.alpha
    return float(result.drifted.mean()), float(test_only.mean()), float(naive.mean())


def main() -> None:
    """Print the table copied into docs/validity/latency.md."""
    rng = np.random.default_rng(SEED)
    header = (
        "| baseline v recent | shift | drift rule (test and ratio >= 2) | test alone "
        "| naive median > 2x |"
    )
    print(header)
    print("|---|---|---|---|---|")
    for n_baseline, n_recent in DESIGNS:
        for shift in SHIFTS:
            drift, test_only, naive = simulate(rng, n_baseline, n_recent, shift)
            print(
                f"| {n_baseline} v {n_recent} | {shift:g}x | {drift:.3f} | {test_only:.3f} "
                f"| {naive:.3f} |"
            )
    print(f"\n{N_SIM} simulated contacts per row; seed {SEED}; lognormal sigma {SIGMA}.")


if __name__ == "__main__":
    main()
