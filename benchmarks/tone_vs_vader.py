"""The built-in tone model against VADER on the same SIMULATED messages, one core.

The texts are made as in ``benchmarks/signals_vs_pandas.py`` (``tone_texts``): messages of
two to four sentences drawn at random from the texts of a SIMULATED portfolio
(:func:`touchpoint_signals.simulate.simulate_portfolio`, 600 accounts, seed 11 by default),
so that nearly every message is distinct. No record describes a real customer. Both models
score each distinct text once and strip quoted replies first.

The script prints, for :class:`~touchpoint_signals.tone.LexiconToneModel` and for
:class:`~touchpoint_signals.tone_vader.VaderToneModel`, the median over ``--runs`` runs of
the wall-clock and CPU seconds to score all the messages (each run on a fresh model, after
one warm-up call), the texts per second, and the ratios of the medians. ``--save PATH``
writes the lexicon scores to a ``.npy`` file and ``--check PATH`` compares them bit for bit
with such a file, which is how a faster implementation is shown to score exactly as the old
one did.
``--profile`` prints the top of a cProfile of one lexicon run.

By default the process is pinned to one CPU (``--cores 0`` leaves it free). VADER is
optional (``pip install vaderSentiment``); without it only the lexicon model is timed.

Run: .venv/bin/python benchmarks/tone_vs_vader.py [--texts 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import logging
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from touchpoint_signals.simulate import simulate_portfolio
from touchpoint_signals.tone import LexiconToneModel, ToneModel

logger = logging.getLogger("benchmarks.tone_vs_vader")

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)


def tone_texts(accounts: int, n: int, seed: int) -> list[str]:
    """``n`` messages of 2-4 sentences drawn from a simulated portfolio's texts."""
    log = simulate_portfolio(accounts, seed=seed, start=START, end=END).log
    pool = np.array(sorted({t for t in log.text.tolist() if isinstance(t, str)}), dtype=object)

    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 5, n)
    picks = rng.integers(0, pool.size, int(lengths.sum()))

    texts, at = [], 0
    for k in lengths.tolist():
        texts.append(" ".join(pool[picks[at : at + k]].tolist()))
        at += k
    return texts


def median_seconds(
    make: Callable[[], ToneModel], texts: list[str], runs: int
) -> tuple[float, float, npt.NDArray[np.float64]]:
    """Median wall-clock and CPU seconds of ``make().score(texts)`` over ``runs`` runs, and
    the scores. On a shared machine the CPU time is the steadier of the two."""
    make().score(["warm up the model, please"])

    wall, cpu, scores = [], [], np.zeros(0)
    for _ in range(runs):
        model = make()
        start, start_cpu = time.perf_counter(), time.process_time()
        scores = model.score(texts)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), scores


def line(label: str, wall: float, cpu: float, n: int) -> None:
    print(
        f"  {label:24s} wall {wall:7.3f} s {n / wall:9,.0f} texts/s"
        f" | CPU {cpu:7.3f} s {n / cpu:9,.0f} texts/s"
    )


def profile(texts: list[str], lines: int = 12) -> None:
    """Print the top of a cProfile of one lexicon run, by own time."""
    profiler = cProfile.Profile()
    profiler.runcall(LexiconToneModel().score, texts)

    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(lines)
    body = out.getvalue().splitlines()
    first = next(i for i, line in enumerate(body) if line.lstrip().startswith("ncalls"))
    print(f"\nprofile of LexiconToneModel.score, top {lines} by own time:")
    for line in body[first : first + lines + 1]:
        print("  " + line.rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cores", type=int, default=1, help="pin to this many CPUs; 0: all")
    parser.add_argument("--save", help="write the lexicon scores to this .npy file")
    parser.add_argument("--check", help="compare the lexicon scores with this .npy file")
    parser.add_argument("--no-vader", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.cores])
    texts = tone_texts(args.accounts, args.texts, args.seed)
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    print(
        f"tone: {len(texts):,} SIMULATED messages ({len(set(texts)):,} distinct) from "
        f"{args.accounts} accounts, seed {args.seed}; CPUs used: {cpus}; "
        f"median of {args.runs} runs"
    )

    lexicon_s, lexicon_cpu, lexicon = median_seconds(LexiconToneModel, texts, args.runs)
    line("LexiconToneModel.score", lexicon_s, lexicon_cpu, len(texts))
    if args.save:
        np.save(args.save, lexicon)
    if args.check:
        expected = np.load(args.check)
        same = np.array_equal(lexicon, expected, equal_nan=True)
        print(f"  scores identical to {args.check}: {same}")
        if not same:
            sys.exit("the lexicon scores changed")

    if not args.no_vader:
        try:
            import vaderSentiment  # noqa: F401
        except ImportError:
            print("  VADER not installed")
        else:
            from touchpoint_signals.tone_vader import VaderToneModel

            vader_s, vader_cpu, _ = median_seconds(VaderToneModel, texts, args.runs)
            line("VaderToneModel.score", vader_s, vader_cpu, len(texts))
            print(
                f"  lexicon is {vader_s / lexicon_s:.1f}x faster than VADER by wall-clock "
                f"time, {vader_cpu / lexicon_cpu:.1f}x by CPU time (target: 3x)"
            )

    if args.profile:
        profile(texts)


if __name__ == "__main__":
    main()
