"""Every stage at 100k-10M touchpoints; attendance against pandas; tone against VADER.

The portfolios are SIMULATED (:func:`touchpoint_signals.simulate.simulate_portfolio`, seeded,
one year, about 167 touchpoints per account); no record describes a real customer. For each
size in ``--sizes`` the script prints:

* generation (``simulate_portfolio``, which builds the log from numpy columns);
* CSV: ``write_csv`` and the ingest back with :func:`touchpoint_signals.read_csv` (sizes up to
  ``--csv-max``, 1M by default), checking that the ingested log has as many rows;
* bytes per touchpoint of the columnar log, numeric columns and with the touchpoint id (the
  four text columns left out);
* each built-in extractor, timed alone through
  :func:`~touchpoint_signals.signals.extract.extract_signals` (so with its checks), and all
  of them together;
* scoring the signals with :func:`~touchpoint_signals.scoring.scorecard.default_scorecard`;
* the attendance signal's numbers (current missed-meeting streak, meetings and attended
  meetings in the last 90 days) by :class:`~touchpoint_signals.signals.attendance.Attendance`
  and by an idiomatic pandas implementation (filter to what is known at ``as_of``, a groupby
  with the 90-day window, a groupby-apply for the streak), whether they agree account by
  account, and the ratio of the two times;
* peak resident memory of the process so far (``ru_maxrss``; sizes run smallest first, so
  each figure is the peak of that size or an earlier one).

Then it times the built-in tone model
(:class:`~touchpoint_signals.tone.LexiconToneModel`) against VADER
(:class:`~touchpoint_signals.tone_vader.VaderToneModel`) on the same texts: messages of two
to four sentences drawn from the simulated portfolio's texts, so that nearly every text is
distinct (both models score each distinct text once). ``--profile`` prints the top of a
cProfile of the slowest stages at the largest size.

By default the process is pinned to one CPU (``--cores 0`` leaves it free). pandas is
needed (``pip install 'touchpoint-signals[bench]'``); VADER is optional.

Run: .venv/bin/python benchmarks/signals_vs_pandas.py [--sizes 100k,1m] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import os
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

import touchpoint_signals as ts
from touchpoint_signals.log import STATUSES, TouchpointLog
from touchpoint_signals.model import Status
from touchpoint_signals.scoring.base import SignalSet
from touchpoint_signals.scoring.scorecard import default_scorecard
from touchpoint_signals.signals.attendance import Attendance
from touchpoint_signals.signals.extract import default_extractors, extract_signals
from touchpoint_signals.simulate import simulate_portfolio, write_csv
from touchpoint_signals.tone import LexiconToneModel

try:
    import pandas as pd
except ImportError:
    sys.exit(
        "benchmarks/signals_vs_pandas.py needs pandas for its baseline: "
        "pip install 'touchpoint-signals[bench]' (or pip install pandas vaderSentiment)"
    )

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
TOUCHPOINTS_PER_ACCOUNT = 1_000 / 6  # about 167 a year with the default profiles
TEXT_COLUMNS = ("text", "quoted_text", "purpose", "outcome")
US_PER_DAY = 86_400 * 1_000_000
ATTENDED = (STATUSES.index(Status.COMPLETED),)
MISSED = (STATUSES.index(Status.NO_SHOW), STATUSES.index(Status.CANCELLED))


def parse_size(text: str) -> int:
    """``100k``, ``1m``, ``10M`` or a plain number of touchpoints."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    gc.collect()
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def row(label: str, seconds: float, extra: str = "") -> None:
    print(f"  {label:<46} {seconds:9.3f} s  {extra}")


# -- the pandas baseline ---------------------------------------------------------------------


def pandas_frame(log: TouchpointLog) -> pd.DataFrame:
    """The columns the attendance signal reads, as a DataFrame (not timed: the input)."""
    meeting_kind = np.array([k.meeting for k in log.kinds], dtype=bool)
    return pd.DataFrame(
        {
            "account": log.account,
            "occurred_at": pd.to_datetime(log.occurred_at, unit="us", utc=True),
            "recorded_at": pd.to_datetime(log.recorded_at, unit="us", utc=True),
            "meeting": meeting_kind[log.kind],
            "status": log.status,
        }
    )


def trailing_misses(missed: pd.Series) -> int:
    """Missed meetings in a row at the end of one account's time-ordered history."""
    return int((~missed)[::-1].cumsum().eq(0).sum())


def pandas_attendance(frame: pd.DataFrame, as_of: dt.datetime, n_accounts: int) -> pd.DataFrame:
    """Streak and 90-day counts per account, the way a pandas pipeline would write them."""
    cutoff = pd.Timestamp(as_of)
    known = frame[(frame["occurred_at"] <= cutoff) & (frame["recorded_at"] <= cutoff)]
    meetings = known[known["meeting"] & known["status"].isin(ATTENDED + MISSED)].sort_values(
        ["account", "occurred_at"], kind="stable"
    )
    meetings = meetings.assign(
        missed=meetings["status"].isin(MISSED),
        recent=meetings["occurred_at"] > cutoff - pd.Timedelta(days=90),
    )
    streak = meetings.groupby("account")["missed"].apply(trailing_misses)
    recent = meetings[meetings["recent"]].groupby("account")
    out = pd.DataFrame(
        {
            "streak": streak,
            "recent": recent.size(),
            "recent_attended": recent["missed"].agg(lambda m: int((~m).sum())),
        }
    )
    return out.reindex(range(n_accounts), fill_value=0).fillna(0).astype(np.int64)


# -- tone ------------------------------------------------------------------------------------


def tone_texts(log: TouchpointLog, n: int, seed: int) -> list[str]:
    """``n`` messages of 2-4 sentences drawn from the log's texts (nearly all distinct)."""
    pool = np.array(sorted({t for t in log.text.tolist() if isinstance(t, str)}), dtype=object)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 5, n)
    picks = rng.integers(0, pool.size, int(lengths.sum()))
    texts, at = [], 0
    for k in lengths.tolist():
        texts.append(" ".join(pool[picks[at : at + k]].tolist()))
        at += k
    return texts


def compare_tone(log: TouchpointLog, n: int, seed: int) -> None:
    texts = tone_texts(log, n, seed)
    distinct = len(set(texts))
    print(f"\ntone: {len(texts):,} SIMULATED messages ({distinct:,} distinct), one core")
    lexicon, lexicon_s = timed(lambda: LexiconToneModel().score(texts))
    row("LexiconToneModel.score", lexicon_s, f"{len(texts) / lexicon_s:,.0f} texts/s")
    try:
        import vaderSentiment  # noqa: F401
    except ImportError:
        print("  VADER not installed")
        return
    from touchpoint_signals.tone_vader import VaderToneModel

    VaderToneModel().score(["warm up the analyser"])
    vader, vader_s = timed(lambda: VaderToneModel().score(texts))
    row(
        "VaderToneModel.score (vaderSentiment)", vader_s, f"{len(texts) / vader_s:,.0f} texts/s"
    )
    print(f"  lexicon is {vader_s / lexicon_s:.1f}x faster than VADER (target: 3x)")
    both = ~(np.isnan(lexicon) | np.isnan(vader))
    same_sign = np.mean(np.sign(lexicon[both]) == np.sign(vader[both]))
    print(f"  same sign on {same_sign:.0%} of the texts (they score different constructs)")


# -- one size --------------------------------------------------------------------------------


def run_size(rows: int, args: argparse.Namespace, profile: bool) -> TouchpointLog:
    n_accounts = max(1, round(rows / TOUCHPOINTS_PER_ACCOUNT))
    portfolio, gen_s = timed(
        lambda: simulate_portfolio(n_accounts, seed=args.seed, start=START, end=END)
    )
    log = portfolio.log
    n = len(log)
    print(f"\n== {rows:,} asked: {n:,} SIMULATED touchpoints, {n_accounts:,} accounts ==")
    row("simulate_portfolio (builds the log)", gen_s)

    if rows <= args.csv_max:
        with tempfile.TemporaryDirectory() as folder:
            (paths, write_s) = timed(lambda: write_csv(portfolio, folder))
            row("write_csv", write_s, f"{Path(paths[0]).stat().st_size / 2**20:,.0f} MiB")
            loaded, read_s = timed(lambda: ts.read_csv(paths[0], accounts=paths[1]))
            if len(loaded.log) != n or loaded.rejected:
                sys.exit("read_csv did not read back every simulated touchpoint")
            row("read_csv (touchpoints + accounts)", read_s, f"{n / read_s:,.0f} rows/s")
            del loaded
    else:
        print(f"  CSV skipped above --csv-max {args.csv_max:,}")

    sizes = log.nbytes()
    numeric = sum(v for k, v in sizes.items() if k not in (*TEXT_COLUMNS, "id"))
    per_account = sum(sizes[k] for k in ("account_ids", "offsets") if k in sizes)
    numeric -= per_account
    print(
        f"  log bytes per touchpoint, text excluded: {numeric / n:.1f} numeric, "
        f"{(numeric + sizes['id']) / n:.1f} with the id (per-account tables "
        f"{per_account / 2**10:,.0f} KiB extra)"
    )

    extractors = default_extractors()
    total = 0.0
    for extractor in extractors:
        _, seconds = timed(lambda e=extractor: extract_signals(log, END, [e]))
        total += seconds
        row(f"extract_signals: {extractor.name}", seconds)
    frames, all_s = timed(lambda: extract_signals(log, END, extractors))
    row("extract_signals: all seven at once", all_s)
    signals = SignalSet(END, log.account_ids, log.accounts, frames)
    _, score_s = timed(lambda: default_scorecard().score(signals))
    row("default_scorecard().score", score_s, f"{n_accounts / score_s:,.0f} accounts/s")

    attendance = Attendance()
    ours, ours_s = timed(lambda: attendance.extract(log, END))
    frame = pandas_frame(log)
    theirs, theirs_s = timed(lambda: pandas_attendance(frame, END, log.n_accounts))
    row("attendance: Attendance.extract", ours_s)
    row("attendance: pandas groupby + groupby-apply", theirs_s)
    details = ours.details
    agree = {
        name: int((np.asarray(details[column]).astype(np.int64) == theirs[name]).sum())
        for name, column in (
            ("streak", "streak"),
            ("recent_attended", "recent_attended"),
        )
    }
    print(
        f"  agreement over {log.n_accounts:,} accounts: streak {agree['streak']:,}, "
        f"recent attended {agree['recent_attended']:,}; "
        f"library is {theirs_s / ours_s:.1f}x faster than pandas (target: 30x at 10M)"
    )
    if agree["streak"] != log.n_accounts:
        sys.exit("the streaks disagree; the comparison is void")
    print(f"  peak RSS so far: {peak_rss_mib():,.0f} MiB")

    if profile:
        with tempfile.TemporaryDirectory() as folder:
            paths = write_csv(portfolio, folder) if rows <= args.csv_max else None
            stages: list[tuple[str, Callable[[], object]]] = [
                ("Attendance.extract", lambda: attendance.extract(log, END)),
                ("extract_signals (all)", lambda: extract_signals(log, END, extractors)),
            ]
            if paths:
                stages.append(("read_csv", lambda: ts.read_csv(paths[0], accounts=paths[1])))
            for label, run in stages:
                print_profile(label, run, args.profile_lines)
    return log


def print_profile(label: str, run: Callable[[], object], lines: int) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(run)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(lines)
    body = out.getvalue().splitlines()
    first = next(i for i, line in enumerate(body) if line.lstrip().startswith("ncalls"))
    print(f"\n  profile of {label}, top {lines} by own time:")
    for line in body[first : first + lines + 1]:
        print("   " + line.rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated, e.g. 100k,1m,10m")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--csv-max", type=parse_size, default=1_000_000)
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--cores", type=int, default=1, help="pin to this many CPUs; 0: all")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-lines", type=int, default=8)
    args = parser.parse_args()

    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])
    cpus: npt.ArrayLike = (
        sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    )
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    print(
        f"SIMULATED portfolios, seed {args.seed}, {START.date()} to {END.date()}, read at "
        f"{END.date()}; CPUs used: {cpus}; pandas {pd.__version__}; numpy {np.__version__}"
    )
    log = None
    for rows in sizes:
        log = run_size(rows, args, args.profile and rows == sizes[-1])
    assert log is not None
    compare_tone(log, args.texts, args.seed)
    print(f"\npeak RSS of the run: {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
