"""Health scores as a CS lead reads them: a table riskiest first, JSON, or CSV.

The table shows band, score, coverage and the top reasons of each account; JSON and CSV carry
everything (every contribution, every adjustment), so a pipeline can store or join them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import TextIO

from touchpoint_signals.scoring.base import Band, HealthScore, Scores

__all__ = ["band_counts", "scores_csv", "scores_json", "scores_table"]


def _score_text(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


def scores_table(scores: Scores, *, top: int | None = None, reasons: int = 3) -> str:
    """A plain-text table of ``scores``, riskiest first, with up to ``reasons`` reasons each.

    ``top`` limits the table to the riskiest accounts; the last line says how many were left
    out, so that a cut table is never mistaken for the whole portfolio.
    """
    ranked = scores.riskiest_first()
    shown = ranked if top is None else ranked[:top]
    width = max([len("account"), *(len(s.account_id) for s in shown)]) if shown else 7

    lines = [f"{'account':<{width}}  {'band':<17}  {'score':>5}  {'coverage':>8}  reasons"]
    for item in shown:
        first, *rest = item.reasons[:reasons] or ("",)
        lines.append(
            f"{item.account_id:<{width}}  {item.band.value:<17}  {_score_text(item.score):>5}"
            f"  {item.coverage:>8.0%}  {first}"
        )
        lines.extend(f"{'':<{width}}  {'':<17}  {'':>5}  {'':>8}  {more}" for more in rest)
    if len(shown) < len(ranked):
        lines.append(f"... {len(ranked) - len(shown)} more accounts not shown")
    return "\n".join(lines) + "\n"


def band_counts(scores: Scores) -> str:
    """Accounts per band, riskiest band first: ``"red 2, yellow 157, ..."``."""
    counts = dict.fromkeys(sorted(Band, key=lambda b: b.risk), 0)
    for item in scores:
        counts[item.band] += 1
    return ", ".join(f"{band.value} {count}" for band, count in counts.items())


def scores_json(scores: Scores) -> str:
    """Every health score as JSON (a list, riskiest first), in the documented schema."""
    return json.dumps([s.to_dict() for s in scores.riskiest_first()], indent=2) + "\n"


def _signal_names(items: Iterable[HealthScore]) -> list[str]:
    names: dict[str, None] = {}
    for item in items:
        for contribution in item.contributions:
            names.setdefault(contribution.signal, None)
    return list(names)


def scores_csv(scores: Scores, handle: TextIO | None = None) -> str:
    """One row per account, riskiest first: the score, then per signal its severity, points
    and handling, then the reasons and adjustments joined with ``" | "``.

    Writes to ``handle`` when given and returns the text either way.
    """
    ranked = scores.riskiest_first()
    signals = _signal_names(ranked)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    header = ["account_id", "band", "score", "coverage", "segment", "as_of", "scorer"]
    header += ["config_hash"]
    for name in signals:
        header += [f"{name}.severity", f"{name}.points", f"{name}.handling"]
    header += ["reasons", "adjustments"]
    writer.writerow(header)

    for item in ranked:
        by_signal = {c.signal: c for c in item.contributions}
        row: list[object] = [
            item.account_id,
            item.band.value,
            "" if item.score is None else f"{item.score:.2f}",
            f"{item.coverage:.4f}",
            item.segment or "",
            item.as_of.isoformat(),
            item.scorer,
            item.config_hash,
        ]
        for name in signals:
            contribution = by_signal.get(name)
            if contribution is None:
                row += ["", "", ""]
                continue
            severity = contribution.severity
            row += [
                "" if severity is None else f"{severity:.4f}",
                f"{contribution.points:.2f}",
                contribution.handling,
            ]
        row += [
            " | ".join(item.reasons),
            " | ".join(f"{a.kind} {a.source}: {a.description}" for a in item.adjustments),
        ]
        writer.writerow(row)

    text = buffer.getvalue()
    if handle is not None:
        handle.write(text)
    return text
