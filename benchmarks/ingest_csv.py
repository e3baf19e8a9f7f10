"""CSV ingest of about 1M SIMULATED touchpoints: seconds, rows per second and peak memory.

The input is written by :func:`touchpoint_signals.simulate.write_csv` from
``simulate_portfolio(6000, seed=11)`` over 2025 (about 990,000 touchpoints, no real data),
the portfolio docs/performance.md measures. The read is timed exactly as the CSV stage of
benchmarks/signals_vs_pandas.py times it, ``ts.read_csv(touchpoints, accounts=accounts)`` in
strict mode, each run in a fresh process so that its peak resident memory is its own.

The figure is printed against the row-by-row reader this column-wise one replaced (35.5 s,
27,899 rows/s on the same portfolio; docs/performance.md). Issue 5's target is 5 s.

Run: .venv/bin/python benchmarks/ingest_csv.py [--accounts 6000] [--folder DIR] [--runs 3]
Pin it to one core with ``taskset -c 1`` on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

logger = logging.getLogger("benchmarks.ingest_csv")

#: The row-by-row reader at 1M touchpoints (docs/performance.md, before issue 5's change).
OLD_SECONDS = 35.50
OLD_ROWS = 990_488
TARGET_SECONDS = 5.0


def write_files(folder: Path, accounts: int, seed: int) -> tuple[Path, Path]:
    """Simulate a portfolio and write its CSV files into ``folder``, unless already there."""
    touchpoints, account_file = folder / "touchpoints.csv", folder / "accounts.csv"
    if touchpoints.exists() and account_file.exists():
        return touchpoints, account_file

    from touchpoint_signals.simulate import simulate_portfolio, write_csv

    portfolio = simulate_portfolio(
        accounts,
        seed=seed,
        start=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
    )
    paths = write_csv(portfolio, folder)
    return paths[0], paths[1]


def read_once(touchpoints: Path, accounts: Path) -> dict[str, float]:
    """Time one strict ``read_csv`` in this process; wall and CPU seconds, rows, peak RSS."""
    import touchpoint_signals as ts

    wall, cpu = time.perf_counter(), time.process_time()
    result = ts.read_csv(touchpoints, accounts=accounts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": wall, "cpu": cpu, "rows": len(result.log), "peak_mib": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--folder", type=Path, default=None, help="reuse or keep the CSVs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        sys.stdout.write(json.dumps(read_once(*args.child)) + "\n")
        return

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        touchpoints, accounts = write_files(folder, args.accounts, args.seed)
        size = touchpoints.stat().st_size / 2**20

        runs = []
        for _ in range(args.runs):
            child = [sys.executable, __file__, "--child", str(touchpoints), str(accounts)]
            output = subprocess.run(child, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(output.splitlines()[-1]))

    seconds = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    peak = max(r["peak_mib"] for r in runs)
    rows = int(runs[0]["rows"])
    verdict = "met" if seconds < TARGET_SECONDS else "missed"
    lines = [
        f"SIMULATED CSV: {rows:,} touchpoints, {size:,.0f} MiB, {args.accounts:,} accounts",
        f"read_csv (strict, with accounts), median of {args.runs} runs in fresh processes:",
        f"  column-wise: {seconds:7.2f} s wall ({cpu:.2f} s CPU)  "
        f"{rows / seconds:>10,.0f} rows/s   peak RSS {peak:,.0f} MiB",
        f"  row by row:  {OLD_SECONDS:7.2f} s wall (docs/performance.md)  "
        f"{OLD_ROWS / OLD_SECONDS:>10,.0f} rows/s",
        f"  speed-up {OLD_SECONDS / seconds * rows / OLD_ROWS:.1f}x; "
        f"issue 5 target {TARGET_SECONDS:.0f} s: {verdict}",
        "  each run: " + ", ".join(f"{r['seconds']:.2f} s" for r in runs),
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
