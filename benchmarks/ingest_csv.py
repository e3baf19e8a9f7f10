"""CSV ingest of about 1M SIMULATED touchpoints: seconds, rows per second and peak memory.

The input is written by :func:`touchpoint_signals.simulate.write_csv` from
``simulate_portfolio(6000, seed=11)`` over 2025 (about 990,000 touchpoints, no real data),
the portfolio docs/performance.md measures. The read is timed exactly as the CSV stage of
benchmarks/signals_vs_pandas.py times it, ``ts.read_csv(touchpoints, accounts=accounts)`` in
strict mode, each run in a fresh process so that its peak resident memory is its own.

The baseline of the same run reads the same files through the text reader
(:func:`touchpoint_signals.ingest.readers.csv_blocks`, what ``read_csv`` split files with
before it split them in bytes); everything after the split is the same code in both. The
row-by-row reader of docs/performance.md (35.5 s, 27,899 rows/s) is printed for reference.
The project's target is 5 s (docs/performance.md). Both wall and CPU seconds are printed:
on a shared machine the wall time counts the time other jobs hold the core.

Run: .venv/bin/python benchmarks/ingest_csv.py [--accounts 6000] [--folder DIR] [--runs 3]
     [--no-baseline]
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

#: The row-by-row reader at 1M touchpoints (docs/performance.md, before the columnar reader).
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


def read_once(touchpoints: Path, accounts: Path, reader: str) -> dict[str, float]:
    """Time one strict ``read_csv`` in this process; wall and CPU seconds, rows, peak RSS.

    ``reader`` is ``bytes`` (``read_csv`` as it is) or ``text`` (its files split by
    ``csv_blocks`` instead, the baseline).
    """
    import touchpoint_signals as ts
    from touchpoint_signals.ingest import loader, readers

    if reader == "text":
        setattr(loader, "csv_field_blocks", readers.csv_blocks)  # noqa: B010

    wall, cpu = time.perf_counter(), time.process_time()
    result = ts.read_csv(touchpoints, accounts=accounts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": wall, "cpu": cpu, "rows": len(result.log), "peak_mib": peak}


def timed_runs(
    touchpoints: Path, accounts: Path, reader: str, runs: int
) -> list[dict[str, float]]:
    """``runs`` reads, each in a fresh process."""
    results = []
    for _ in range(runs):
        child = [sys.executable, __file__, "--child", reader, str(touchpoints), str(accounts)]
        output = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.splitlines()[-1]))
    return results


def summary(label: str, runs: list[dict[str, float]]) -> tuple[float, str]:
    """The median wall seconds of ``runs`` and a line of figures about them."""
    seconds = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    peak = max(r["peak_mib"] for r in runs)
    rows = int(runs[0]["rows"])
    each = ", ".join(f"{r['seconds']:.2f}/{r['cpu']:.2f}" for r in runs)
    line = (
        f"  {label:<12} {seconds:7.2f} s wall ({cpu:.2f} s CPU) {rows / seconds:>10,.0f} rows/s"
        f"  peak RSS {peak:,.0f} MiB  each (wall/CPU): {each}"
    )
    return seconds, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--folder", type=Path, default=None, help="reuse or keep the CSVs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="skip the text reader")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        reader, touchpoints_path, accounts_path = args.child
        figures = read_once(Path(touchpoints_path), Path(accounts_path), reader)
        sys.stdout.write(json.dumps(figures) + "\n")
        return

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        touchpoints, accounts = write_files(folder, args.accounts, args.seed)
        size = touchpoints.stat().st_size / 2**20
        byte_runs = timed_runs(touchpoints, accounts, "bytes", args.runs)
        text_runs = (
            [] if args.no_baseline else timed_runs(touchpoints, accounts, "text", args.runs)
        )

    rows = int(byte_runs[0]["rows"])
    seconds, line = summary("bytes split", byte_runs)
    verdict = "met" if seconds < TARGET_SECONDS else "missed"
    lines = [
        f"SIMULATED CSV: {rows:,} touchpoints, {size:,.0f} MiB, {args.accounts:,} accounts",
        f"read_csv (strict, with accounts), median of {args.runs} runs in fresh processes:",
        line,
    ]
    if text_runs:
        text_seconds, text_line = summary("text split", text_runs)
        lines += [text_line, f"  bytes split is {text_seconds / seconds:.1f}x the text split"]
    lines += [
        f"  row by row:  {OLD_SECONDS:7.2f} s wall (docs/performance.md)  "
        f"{OLD_ROWS / OLD_SECONDS:>10,.0f} rows/s; "
        f"{OLD_SECONDS / seconds * rows / OLD_ROWS:.1f}x",
        f"target {TARGET_SECONDS:.0f} s: {verdict} ({seconds:.2f} s wall)",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
