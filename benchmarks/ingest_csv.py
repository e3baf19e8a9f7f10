"""Streaming CSV ingest: time, peak memory and bytes per touchpoint against a naive baseline.

The input is a SIMULATED touchpoint CSV written by this script from a seeded generator (no
real data); it exists only to measure the reader. The baseline is the obvious approach a
pipeline might take first: read every row into a list of dicts, then load. The streaming
reader should need far less peak memory for the same log, because it turns records into numpy
columns chunk by chunk.

Run: .venv/bin/python benchmarks/ingest_csv.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

import touchpoint_signals as ts
from touchpoint_signals.ingest import csv_records

KINDS = ("check_in", "qbr", "support", "outreach", "automated", "survey")
STATUSES = ("completed", "completed", "completed", "cancelled", "no_show")


def write_simulated_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` simulated touchpoints over 1,000 accounts, a third of them replies."""
    rng = np.random.default_rng(seed)
    accounts = rng.integers(0, 1_000, rows)
    seconds = np.sort(rng.integers(1_700_000_000, 1_760_000_000, rows))
    kinds = rng.integers(0, len(KINDS), rows)
    statuses = rng.integers(0, len(STATUSES), rows)
    replies = rng.random(rows) < 0.3

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "account_id", "kind", "occurred_at", "status", "in_reply_to"])
        for i in range(rows):
            stamp = np.datetime64(int(seconds[i]), "s").astype(str) + "Z"
            parent = f"t{i - 1}" if replies[i] and i > 0 else ""
            writer.writerow(
                [
                    f"t{i}",
                    f"a{accounts[i]}",
                    KINDS[kinds[i]],
                    stamp,
                    STATUSES[statuses[i]],
                    parent,
                ]
            )


def measure(label: str, run: Callable[[], ts.LoadResult]) -> ts.LoadResult:
    """Run ``run`` once under tracemalloc and print seconds and peak traced memory."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<28} {seconds:8.2f} s   peak {peak / 2**20:8.1f} MiB")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "touchpoints.csv"
        write_simulated_csv(path, args.rows)
        size = path.stat().st_size
        print(f"simulated CSV: {args.rows:,} rows, {size / 2**20:.1f} MiB on disk\n")

        streamed = measure("streaming read_csv", lambda: ts.read_csv(path, mode="lenient"))
        measure(
            "baseline: list, then load",
            lambda: ts.load_touchpoints(list(csv_records(path)), mode="lenient"),
        )

    log = streamed.log
    sizes = log.nbytes()
    text_columns = ("text", "quoted_text", "purpose", "outcome")
    per_account = ("account_ids", "contact_ids", "offsets")
    unresolved = ("unresolved_reply_rows", "unresolved_reply_ids")
    numeric = sum(
        n
        for name, n in sizes.items()
        if name not in {"id", *text_columns, *per_account, *unresolved}
    )
    text = sum(sizes[name] for name in text_columns)
    report = streamed.touchpoint_report

    print(f"\nlog: {len(log):,} touchpoints, {log.n_accounts:,} accounts")
    print(f"numeric columns: {numeric / len(log):.1f} bytes per touchpoint")
    print(f"id column:       {sizes['id'] / len(log):.1f} bytes per touchpoint (inline part)")
    print(f"text columns:    {text / len(log):.1f} bytes per touchpoint (inline part)")
    print(
        f"accepted {report.accepted:,}, rejected {len(report.rejected):,}, "
        f"link issues {len(report.link_issues):,}"
    )


if __name__ == "__main__":
    main()
