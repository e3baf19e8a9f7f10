"""One account with 200 touchpoints, scored alone and inside a 1,000-account batch.

The portfolio is SIMULATED (:func:`touchpoint_signals.simulate.simulate_portfolio`, seeded);
no record describes a real customer. One account is cut to its latest 200 touchpoints, in
the batch log too, so that both paths read exactly the same touchpoints. The script prints:

* the single-account path end to end (:func:`touchpoint_signals.service.score_account`:
  touchpoint objects in, health score out), median and 95th percentile over ``--runs`` runs
  after a warm-up;
* the median of each stage of that path (building the one-account log, with the batch
  builder beside it for comparison, each extractor alone, the seven one after another, the
  checks :func:`~touchpoint_signals.signals.extract.extract_signals` adds, the scorecard);
* the batch path over the whole log (signals and scorecard; the log is already built), its
  median over ``--batch-runs`` runs, and that time divided by the number of accounts;
* whether the account's health score is the same both ways, with the default extractors and
  with the attendance prior of the batch run carried over
  (:func:`touchpoint_signals.service.portfolio_extractors`);
* with ``--sweep``, the end-to-end median of the same account cut to its latest 5, 20, 50,
  100 and 200 touchpoints, which separates the path's fixed cost from its cost per touchpoint;
* with ``--profile``, how many Python and numpy calls one end-to-end call makes and the
  fifteen functions that take the most of its own time, per call (``--runs`` calls are
  profiled, since one is too short for the profiler's clock).

Run: .venv/bin/python benchmarks/single_account.py [--runs 200] [--accounts 1000] [--sweep]
     [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.scoring.base import SignalSet
from touchpoint_signals.scoring.scorecard import default_scorecard
from touchpoint_signals.service import _one_account_log, portfolio_extractors, score_account
from touchpoint_signals.signals.extract import default_extractors, extract_signals
from touchpoint_signals.simulate import simulate_portfolio

END = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
TOUCHPOINTS = 200
SWEEP = (5, 20, 50, 100, 200)


def timings(run: Callable[[], object], runs: int, warm_up: int = 20) -> list[float]:
    """Seconds per call of ``run``, ``runs`` times after ``warm_up`` untimed calls."""
    for _ in range(warm_up):
        run()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--batch-runs", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sweep", action="store_true", help="time 5 to 200 touchpoints")
    parser.add_argument("--profile", action="store_true", help="profile one end-to-end call")
    args = parser.parse_args()

    portfolio = simulate_portfolio(
        args.accounts, seed=args.seed, start=END - dt.timedelta(days=330), end=END
    )
    full = portfolio.log
    sizes = np.diff(full.offsets)
    code = int(np.flatnonzero(sizes >= TOUCHPOINTS)[0])
    first, stop = int(full.offsets[code]), int(full.offsets[code + 1])
    keep = np.ones(len(full), dtype=bool)
    keep[first : stop - TOUCHPOINTS] = False
    log = full.select(keep)

    rows = log.rows_of(str(log.account_ids[code]))
    touchpoints = [log.touchpoint(row) for row in range(rows.start, rows.stop)]
    account = portfolio.accounts[code]
    assert account.id == str(log.account_ids[code])
    assert len(touchpoints) == TOUCHPOINTS
    print(
        f"SIMULATED portfolio: {log.n_accounts} accounts, {len(log)} touchpoints; account "
        f"{account.id!r} ({account.segment.name}) with {len(touchpoints)} touchpoints, "
        f"as of {END.date()}"
    )

    alone = timings(lambda: score_account(touchpoints, account, END), args.runs)
    median, p95 = statistics.median(alone), float(np.percentile(alone, 95))
    print(
        f"\nsingle account, end to end ({args.runs} runs): median {ms(median)}, p95 {ms(p95)}"
    )

    extractors = default_extractors()
    scorecard = default_scorecard()
    one = _one_account_log(touchpoints, account)
    signals = SignalSet.from_log(one, END, extractors)
    stages: dict[str, Callable[[], object]] = {
        "log: the service's one-account builder": lambda: _one_account_log(
            touchpoints, account
        ),
        "  (TouchpointLog.from_touchpoints, for comparison)": (
            lambda: TouchpointLog.from_touchpoints(touchpoints, accounts=(account,))
        ),
        **{
            f"  {e.name}.extract": (lambda e=e: e.extract(one, END))  # type: ignore[misc]
            for e in extractors
        },
        "the seven extractors one after another": lambda: [
            e.extract(one, END) for e in extractors
        ],
        "extract_signals (the above and its checks)": lambda: extract_signals(
            one, END, extractors
        ),
        "SignalSet.from_log (extract_signals and the set)": lambda: SignalSet.from_log(
            one, END, extractors
        ),
        "Scorecard.score": lambda: scorecard.score(signals),
    }
    print("stages (median):")
    medians = {}
    for label, run in stages.items():
        medians[label] = statistics.median(timings(run, args.runs))
        print(f"  {label:<52} {ms(medians[label])}")
    # Each extractor timed alone runs on warm caches; in a row they evict one another's
    # data, which costs more than the checks do. Both differences are printed.
    own = sum(v for k, v in medians.items() if k.endswith(".extract"))
    in_a_row = medians["the seven extractors one after another"]
    checks = medians["extract_signals (the above and its checks)"] - in_a_row
    print(f"  {'one after another, minus the sum of each alone':<52} {ms(in_a_row - own)}")
    print(f"  {'extract_signals minus the seven in a row (checks)':<52} {ms(checks)}")

    def batch() -> object:
        return scorecard.score(SignalSet.from_log(log, END, extractors))

    together = timings(batch, args.batch_runs, warm_up=1)
    median = statistics.median(together)
    print(
        f"\nbatch, {log.n_accounts} accounts ({args.batch_runs} runs): median {ms(median)}; "
        f"per account {ms(median / log.n_accounts)}"
    )

    batch_signals = SignalSet.from_log(log, END, extractors)
    from_batch = scorecard.score(batch_signals).of(account.id)
    alone_defaults = score_account(touchpoints, account, END)
    same = alone_defaults == from_batch
    differ = [
        a.signal
        for a, b in zip(alone_defaults.contributions, from_batch.contributions, strict=True)
        if (a.severity, a.reason) != (b.severity, b.reason)
    ]
    pinned = portfolio_extractors(batch_signals, account.id)
    same_pinned = score_account(touchpoints, account, END, extractors=pinned) == from_batch
    print(
        f"\nsame health score alone and in the batch: default extractors {same} (signals "
        f"read differently: {', '.join(differ) or 'none'}); batch attendance prior carried "
        f"over {same_pinned}"
    )

    if args.sweep:
        print("\nend to end by the account's number of touchpoints (its latest ones), median:")
        for size in SWEEP:
            latest = touchpoints[-size:]
            seconds = timings(
                lambda latest=latest: score_account(latest, account, END), args.runs
            )
            print(f"  {size:>4} touchpoints {ms(statistics.median(seconds))}")

    if args.profile:
        # One call is too short for the profile's clock: profile ``--runs`` calls and give
        # the figures per call. The profiler's own overhead inflates every line alike.
        profiler = cProfile.Profile()
        for _ in range(args.runs):
            profiler.runcall(score_account, touchpoints, account, END)
        stats = pstats.Stats(profiler)
        per_call = stats.total_calls // args.runs
        print(
            f"\nprofile of {args.runs} end-to-end calls: {per_call} calls (Python and C) each"
        )
        print("  own time per call, the 15 dearest functions (under the profiler):")
        rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
        for (path, line, function), (_, calls, own, cumulative, _) in rows[:15]:
            where = f"{Path(path).name}:{line}({function})" if line else function
            print(
                f"  {own / args.runs * 1e6:8.1f} us own {cumulative / args.runs * 1e6:8.1f} us "
                f"with callees {calls // args.runs:5d} calls  {where}"
            )


if __name__ == "__main__":
    main()
