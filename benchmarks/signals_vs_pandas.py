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
from touchpoint_signals.log import DIRECTIONS, ROW_COLUMNS, STATUSES, TouchpointLog
from touchpoint_signals.model import Direction, Status
from touchpoint_signals.scoring.base import SignalSet
from touchpoint_signals.scoring.scorecard import default_scorecard
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
TEXT_COLUMNS = ("text", "quoted_text", "purpose", "outcome")
US_PER_DAY = 86_400 * 1_000_000
ATTENDED = (STATUSES.index(Status.COMPLETED),)
MISSED = (STATUSES.index(Status.NO_SHOW), STATUSES.index(Status.CANCELLED))
INBOUND = DIRECTIONS.index(Direction.INBOUND)
OUTBOUND = DIRECTIONS.index(Direction.OUTBOUND)
#: Mostly tech-touch accounts (a common shape of a large book), about 108 touchpoints each a
#: year, so that 10M touchpoints are about 100,000 accounts.
SEGMENT_MIX = {"high_touch": 0.02, "mid_touch": 0.08, "tech_touch": 0.9}
TOUCHPOINTS_PER_ACCOUNT = 100
NUMERIC = (
    "attendance", "customer_reply_latency", "vendor_response_latency", "cadence", "fatigue",
    "purpose_outcome",
)  # fmt: skip


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
#
# What a pandas pipeline would write for the numbers behind the numeric signals: a groupby
# with rolling 90-day (or 91- and 30-day) windows, a groupby-apply for the missed-meeting
# streak, groupby medians for reply latencies in a recent and a baseline window. It computes
# the numbers only (no rank tests, shrinkage, severities or reasons), so it does less than the
# library; the ratio favours pandas. Reply links come resolved (the row answered), as the log
# holds them, so pandas is not charged for matching ids.


def pandas_frame(log: TouchpointLog) -> pd.DataFrame:
    """The columns the numeric signals read, as a DataFrame (not timed: the input)."""
    meeting_kind = np.array([k.meeting for k in log.kinds], dtype=bool)
    kind_names = np.array([k.name for k in log.kinds], dtype=object)
    return pd.DataFrame(
        {
            "account": log.account,
            "occurred_at": pd.to_datetime(log.occurred_at, unit="us"),  # UTC, naive
            "recorded_at": pd.to_datetime(log.recorded_at, unit="us"),
            "meeting": meeting_kind[log.kind],
            "kind": pd.Categorical(kind_names[log.kind]),
            "status": log.status,
            "direction": log.direction,
            "trigger": log.trigger,
            "reply_to": log.reply_to,
            "has_purpose": ~np.isnan(log.purpose),
            "has_outcome": ~np.isnan(log.outcome),
        }
    )


def utc_naive(instant: dt.datetime) -> pd.Timestamp:
    """``instant`` as a naive UTC timestamp, the form of the frame's time columns."""
    return pd.Timestamp(instant).tz_convert(None)


def trailing_misses(missed: pd.Series) -> int:
    """Missed meetings in a row at the end of one account's time-ordered history."""
    return int((~missed)[::-1].cumsum().eq(0).sum())


def last_rolling(frame: pd.DataFrame, column: str, days: int) -> pd.Series:
    """Per account, the rolling ``days`` sum of ``column`` at the account's last row."""
    rolled = frame.groupby("account").rolling(f"{days}D", on="occurred_at")[column].sum()
    return rolled.groupby(level="account").last()


def pandas_attendance(known: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    meetings = known[known["meeting"] & known["status"].isin(ATTENDED + MISSED)].sort_values(
        ["account", "occurred_at"], kind="stable"
    )
    meetings = meetings.assign(
        missed=meetings["status"].isin(MISSED),
        attended=meetings["status"].isin(ATTENDED).astype(np.int64),
        one=1,
    )
    streak = meetings.groupby("account")["missed"].apply(trailing_misses)
    # Meetings older than 90 days before the cutoff are dropped first, so the rolling window
    # at each account's last meeting holds exactly the last 90 days before the cutoff.
    recent = meetings[meetings["occurred_at"] > cutoff - pd.Timedelta(days=90)]
    return pd.DataFrame(
        {
            "streak": streak,
            "recent": last_rolling(recent, "one", 90),
            "recent_attended": last_rolling(recent, "attended", 90),
        }
    )


def pandas_latency(known: pd.DataFrame, cutoff: pd.Timestamp, replier: int) -> pd.DataFrame:
    """Median reply latency (hours) per account in the last 30 and the 180 days before."""
    replies = known[(known["reply_to"] >= 0) & (known["direction"] == replier)]
    answered = known.reindex(replies["reply_to"].to_numpy())
    replies = replies.assign(
        hours=(replies["occurred_at"].to_numpy() - answered["occurred_at"].to_numpy())
        / np.timedelta64(3_600_000_000, "us"),
        same=replies["account"].to_numpy() == answered["account"].to_numpy(),
    )
    replies = replies[replies["same"]]
    recent_start = cutoff - pd.Timedelta(days=30)
    baseline_start = recent_start - pd.Timedelta(days=180)
    recent = replies[replies["occurred_at"] > recent_start]
    baseline = replies[
        (replies["occurred_at"] > baseline_start) & (replies["occurred_at"] <= recent_start)
    ]
    return pd.DataFrame(
        {
            "recent_median": recent.groupby("account")["hours"].median(),
            "baseline_median": baseline.groupby("account")["hours"].median(),
            "recent_n": recent.groupby("account").size(),
        }
    )


def pandas_cadence(known: pd.DataFrame, cutoff: pd.Timestamp) -> pd.Series:
    """Days since the last completed touchpoint of each kind, per account and kind."""
    done = known[known["status"].isin(ATTENDED)]
    last = done.groupby(["account", "kind"], observed=True)["occurred_at"].max()
    return (cutoff - last) / pd.Timedelta(days=1)


def pandas_fatigue(known: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Surveys in the last 91 days and vendor-started touches in the last 30, per account."""
    frame = known.sort_values(["account", "occurred_at"], kind="stable").assign(
        survey=(known["kind"] == "survey").astype(np.int64),
        vendor=(known["direction"] == OUTBOUND).astype(np.int64),
    )
    return pd.DataFrame(
        {
            "surveys": last_rolling(
                frame[frame["occurred_at"] > cutoff - pd.Timedelta(days=91)], "survey", 91
            ),
            "touches": last_rolling(
                frame[frame["occurred_at"] > cutoff - pd.Timedelta(days=30)], "vendor", 30
            ),
        }
    )


def pandas_purpose(known: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Share of the last 90 days' meetings with a purpose and with an outcome."""
    recent = known[known["meeting"] & (known["occurred_at"] > cutoff - pd.Timedelta(days=90))]
    return recent.groupby("account")[["has_purpose", "has_outcome"]].mean()


def pandas_numeric(frame: pd.DataFrame, as_of: dt.datetime) -> dict[str, Any]:
    """Every numeric signal's numbers, pandas style, from the point-in-time filter on."""
    cutoff = utc_naive(as_of)
    known = frame[(frame["occurred_at"] <= cutoff) & (frame["recorded_at"] <= cutoff)]
    return {
        "attendance": pandas_attendance(known, cutoff),
        "customer_reply_latency": pandas_latency(known, cutoff, INBOUND),
        "vendor_response_latency": pandas_latency(known, cutoff, OUTBOUND),
        "cadence": pandas_cadence(known, cutoff),
        "fatigue": pandas_fatigue(known, cutoff),
        "purpose_outcome": pandas_purpose(known, cutoff),
    }


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
    n_accounts = max(1, rows // TOUCHPOINTS_PER_ACCOUNT)
    portfolio, gen_s = timed(
        lambda: simulate_portfolio(
            n_accounts, seed=args.seed, start=START, end=END, segment_mix=SEGMENT_MIX
        )
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
    numeric = sum(v for k, v in sizes.items() if k in ROW_COLUMNS and k not in TEXT_COLUMNS)
    numeric -= sizes["id"]
    print(
        f"  log bytes per touchpoint, text excluded: {numeric / n:.1f} numeric, "
        f"{(numeric + sizes['id']) / n:.1f} with the id"
    )

    # The library: the point-in-time view, then each extractor on it (what extract_signals
    # does), then the six numeric signals and all seven through extract_signals (with its
    # checks), then scoring.
    view, view_s = timed(lambda: log.as_of(END))
    kept = len(view)
    row("log.as_of(END): the point-in-time view", view_s, f"{n - kept:,} rows not yet known")
    extractors = {e.name: e for e in default_extractors()}
    alone: dict[str, float] = {}
    for name, extractor in extractors.items():
        fresh_view = log.as_of(END)  # each timing starts from an uncopied view
        _, alone[name] = timed(lambda e=extractor, v=fresh_view: e.extract(v, END))
        row(f"{name}.extract on the view", alone[name])
    numeric_extractors = [extractors[name] for name in NUMERIC]
    row("the six numeric signals, summed", sum(alone[name] for name in NUMERIC))
    _, numeric_s = timed(lambda: extract_signals(log, END, numeric_extractors))
    row("extract_signals: six numeric (view + checks)", numeric_s)
    frames, all_s = timed(lambda: extract_signals(log, END, list(extractors.values())))
    row("extract_signals: all seven", all_s)
    signals = SignalSet(END, log.account_ids, log.accounts, frames)
    _, score_s = timed(lambda: default_scorecard().score(signals))
    row("default_scorecard().score", score_s, f"{n_accounts / score_s:,.0f} accounts/s")
    library_peak = peak_rss_mib()
    print(f"  peak RSS so far (library stages): {library_peak:,.0f} MiB")

    # pandas: the same numbers from a DataFrame of the log's columns.
    frame = pandas_frame(log)
    theirs: dict[str, Any] = {}
    theirs_s: dict[str, float] = {}
    cutoff = utc_naive(END)
    _, known_s = timed(
        lambda: frame[(frame["occurred_at"] <= cutoff) & (frame["recorded_at"] <= cutoff)]
    )
    known = frame[(frame["occurred_at"] <= cutoff) & (frame["recorded_at"] <= cutoff)]
    for name, run in (
        ("attendance", lambda: pandas_attendance(known, cutoff)),
        ("customer_reply_latency", lambda: pandas_latency(known, cutoff, INBOUND)),
        ("vendor_response_latency", lambda: pandas_latency(known, cutoff, OUTBOUND)),
        ("cadence", lambda: pandas_cadence(known, cutoff)),
        ("fatigue", lambda: pandas_fatigue(known, cutoff)),
        ("purpose_outcome", lambda: pandas_purpose(known, cutoff)),
    ):
        theirs[name], theirs_s[name] = timed(run)
    row("pandas: point-in-time filter", known_s)
    for name in NUMERIC:
        row(
            f"pandas: {name}",
            theirs_s[name],
            f"library {theirs_s[name] / alone[name]:.1f}x faster",
        )
    pandas_total = known_s + sum(theirs_s.values())
    library_total = view_s + sum(alone[name] for name in NUMERIC)
    row("pandas: six numeric signals with the filter", pandas_total)
    row("library: six numeric signals with the view", library_total)
    print(
        f"  library is {pandas_total / library_total:.1f}x faster than pandas on the numeric "
        f"signals ({pandas_total / numeric_s:.1f}x counting extract_signals' checks); "
        "targets: 30x, and under 1.5 s at 10M"
    )
    check_agreement(frames, theirs, log.n_accounts)
    print(f"  peak RSS so far (with pandas): {peak_rss_mib():,.0f} MiB")

    if profile:
        print_profile(
            "extract_signals (six numeric)",
            lambda: extract_signals(log, END, numeric_extractors),
            args.profile_lines,
        )
    return log


def check_agreement(frames: dict[str, Any], theirs: dict[str, Any], n_accounts: int) -> None:
    """Account by account, the numbers both sides compute must be the same."""
    accounts = pd.RangeIndex(n_accounts)
    attendance = theirs["attendance"].reindex(accounts, fill_value=0).fillna(0).astype(np.int64)
    details = frames["attendance"].details
    streak = int((np.asarray(details["streak"]).astype(np.int64) == attendance["streak"]).sum())
    attended = np.asarray(details["recent_attended"]).astype(np.int64)
    recent = int((attended == attendance["recent_attended"]).sum())
    surveys = theirs["fatigue"]["surveys"].reindex(accounts, fill_value=0).fillna(0)
    ours_surveys = np.asarray(frames["fatigue"].samples["surveys"], dtype=np.int64)
    same_surveys = int((ours_surveys == surveys.astype(np.int64)).sum())
    print(
        f"  agreement over {n_accounts:,} accounts: attendance streak {streak:,}, recent "
        f"attended {recent:,}; fatigue surveys in the quarter {same_surveys:,}"
    )
    if streak != n_accounts or recent != n_accounts:
        sys.exit("the attendance numbers disagree; the comparison is void")


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
