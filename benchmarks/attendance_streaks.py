"""False alarms of the missed-meetings-in-a-row flag on accounts that attend at random.

SIMULATED data, seeded: 10,000 accounts per attendance probability, a check-in every two
weeks for a year (26 meetings), each attended independently with probability ``p`` (a miss
is ``no_show`` or ``cancelled`` with equal chance). Nothing is wrong with these accounts, so
every flag is a false alarm. The :class:`~touchpoint_signals.signals.attendance.Attendance`
extractor reads the log after each meeting (26 ``as_of`` instants), and the shares it flags
are set beside the exact expectation:

* flagged at one ``as_of`` after meeting ``n >= t``: the last ``t`` meetings were all missed,
  ``q ** t`` with ``q = 1 - p``; averaged over the 26 instants, ``(26 - t + 1) / 26 * q ** t``;
* flagged at some point in the year: a run of ``t`` misses somewhere in 26 meetings, from a
  Markov chain on the current run length (states 0 .. t - 1, state t absorbing; Feller,
  *An Introduction to Probability Theory and Its Applications*, vol. 1, ch. XIII.7).

The extractor runs with ``min_meetings=1`` so that its flag is the bare streak rule the
expectations describe (with the default of 3, the first two meetings are insufficient data,
which changes nothing for ``t >= 3``).

Run: .venv/bin/python benchmarks/attendance_streaks.py [--accounts N] [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time

import numpy as np
import numpy.typing as npt

from touchpoint_signals.log import STATUSES, TEXT, TouchpointColumns, TouchpointLog
from touchpoint_signals.model import DEFAULT_CATALOG, Status
from touchpoint_signals.signals.attendance import Attendance
from touchpoint_signals.timeparse import to_epoch_us

MEETINGS = 26
EVERY = dt.timedelta(days=14)
START = dt.datetime(2025, 1, 6, 15, tzinfo=dt.UTC)
ATTENDANCE = (0.85, 0.90)
THRESHOLDS = (2, 3, 4)


def simulate_log(accounts: int, p: float, rng: np.random.Generator) -> TouchpointLog:
    """``accounts`` accounts with 26 biweekly check-ins, each attended with probability p."""
    n = accounts * MEETINGS
    account = np.repeat(np.arange(accounts), MEETINGS)
    slot = np.tile(np.arange(MEETINGS), accounts)
    attended = rng.random(n) < p
    no_show = rng.random(n) < 0.5
    status = np.where(
        attended,
        STATUSES.index(Status.COMPLETED),
        np.where(no_show, STATUSES.index(Status.NO_SHOW), STATUSES.index(Status.CANCELLED)),
    ).astype(np.uint8)
    when = to_epoch_us(START) + slot * int(EVERY / dt.timedelta(microseconds=1))
    missing = np.full(n, np.nan, dtype=object).astype(TEXT)

    columns = TouchpointColumns(
        id=np.char.add("m", np.arange(n).astype(str)).astype(np.dtypes.StringDType()),
        account_id=np.char.add("acct", account.astype(str)).astype(np.dtypes.StringDType()),
        kind=np.full(n, DEFAULT_CATALOG.kind_names.index("check_in"), dtype=np.uint8),
        occurred_at=when.astype(np.int64),
        status=status,
        channel=np.full(n, -1, dtype=np.int8),
        direction=np.full(n, -1, dtype=np.int8),
        trigger=np.full(n, -1, dtype=np.int8),
        contact_id=missing,
        in_reply_to=missing,
        text=missing,
        quoted_text=missing,
        purpose=missing,
        outcome=missing,
        recorded_at=when.astype(np.int64),
        csat=np.zeros(n, dtype=np.int8),
        attendees=np.full(n, -1, dtype=np.int32),
    )
    return TouchpointLog.from_columns(columns)


def ever_run_probability(q: float, run: int, trials: int) -> float:
    """Chance of ``run`` misses in a row somewhere in ``trials`` independent meetings."""
    chain = np.zeros((run + 1, run + 1))
    for state in range(run):
        chain[state, 0] = 1 - q
        chain[state, state + 1] = q
    chain[run, run] = 1.0
    start = np.zeros(run + 1)
    start[0] = 1.0
    return float((start @ np.linalg.matrix_power(chain, trials))[run])


def streaks_over_the_year(log: TouchpointLog) -> npt.NDArray[np.int64]:
    """Current streak of every account after each meeting: shape (meetings, accounts)."""
    extractor = Attendance(min_meetings=1)
    out = np.empty((MEETINGS, log.n_accounts), dtype=np.int64)
    for k in range(MEETINGS):
        as_of = START + k * EVERY + dt.timedelta(hours=1)
        out[k] = extractor.extract(log, as_of).details["streak"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    header = (
        "| attendance | flag at | flagged at year end | expected | mean over 26 as_of "
        "| expected | ever in the year | Markov chain |"
    )
    lines = [header, "|" + "---|" * 8]
    started = time.perf_counter()
    for p in ATTENDANCE:
        q = 1 - p
        streak = streaks_over_the_year(simulate_log(args.accounts, p, rng))
        for t in THRESHOLDS:
            flagged = streak >= t
            end, mean, ever = flagged[-1].mean(), flagged.mean(), flagged.any(axis=0).mean()
            se = math.sqrt(q**t * (1 - q**t) / args.accounts)
            lines.append(
                f"| {p:.0%} | {t} in a row | {end:.2%} (±{se:.2%}) | {q**t:.2%} "
                f"| {mean:.2%} | {(MEETINGS - t + 1) / MEETINGS * q**t:.2%} "
                f"| {ever:.2%} | {ever_run_probability(q, t, MEETINGS):.2%} |"
            )
    elapsed = time.perf_counter() - started

    print(f"{args.accounts:,} simulated accounts per attendance rate, seed {args.seed},")
    print(f"{MEETINGS} biweekly meetings; ± is one standard error of the year-end share.\n")
    print("\n".join(lines))
    print(
        f"\n{2 * MEETINGS} extractions, {args.accounts * MEETINGS:,} meetings each: "
        f"{elapsed:.1f} s"
    )


if __name__ == "__main__":
    main()
