"""Health scores as a CS lead reads them: a table riskiest first, JSON, or CSV.

The table shows band, score, coverage and the top reasons of each account; JSON and CSV carry
everything (every contribution, every adjustment), so a pipeline can store or join them.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable
from typing import TextIO

from touchpoint_signals.scoring.base import Band, HealthScore, Scores

__all__ = ["band_counts", "scores_csv", "scores_json", "scores_table"]


def quantity(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` with ``noun`` in the singular for 1 and the plural (``nouns``, default
    ``noun + "s"``) otherwise, thousands separated: ``"1 account"``, ``"2,000 accounts"``."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def _score_text(score: float | None) -> str:
    return "-" if score is None else f"{score:.1f}"


#: The narrowest reasons column a wrapped table keeps, however narrow the terminal: below it
#: a reason would break every other word.
MIN_REASON_WIDTH = 30

#: What ends a reason cut short in a wrapped table.
ELLIPSIS = " ..."


def _wrapped(reason: str, width: int, max_lines: int) -> list[str]:
    """``reason`` in lines of at most ``width`` characters, at most ``max_lines`` of them.

    Lines after the first are indented by two spaces, so that a reader sees where one reason
    ends and the next begins; a reason that needs more lines is cut at a word and ends with
    :data:`ELLIPSIS` (the JSON and CSV outputs carry it whole).
    """
    lines = textwrap.wrap(reason, width, subsequent_indent="  ", break_on_hyphens=False) or [""]
    if len(lines) <= max_lines:
        return lines

    kept = lines[:max_lines]
    last = textwrap.wrap(
        kept[-1] + " " + lines[max_lines].strip(), width - len(ELLIPSIS), break_on_hyphens=False
    )[0]
    kept[-1] = (last if len(kept) == 1 else "  " + last.lstrip()) + ELLIPSIS
    return kept


def scores_table(
    scores: Scores,
    *,
    top: int | None = None,
    reasons: int = 3,
    width: int | None = None,
    reason_lines: int = 3,
) -> str:
    """A plain-text table of ``scores``, riskiest first, with up to ``reasons`` reasons each.

    Parameters
    ----------
    scores
        The health scores to list.
    top
        List only the riskiest ``top`` accounts; the last line then says how many were left
        out, so that a cut table is never mistaken for the whole portfolio.
    reasons
        Reasons shown per account, the costliest first.
    width
        Wrap the table to this many characters (a terminal's width): each reason is wrapped
        in the reasons column and cut after ``reason_lines`` lines. ``None`` (the default)
        or 0 writes each reason on one line, whatever its length, which suits a file or a
        pipe read by ``grep``.
    reason_lines
        Most lines a reason takes in a wrapped table.

    Examples
    --------
    >>> import datetime as dt
    >>> from touchpoint_signals.scoring.base import Band, HealthScore
    >>> when = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    >>> acme = HealthScore("acme", when, 35.0, Band.RED, 1.0, (),
    ...                    ("attendance cost 40.00 points: 4 check-ins in a row missed",),
    ...                    "scorecard", "abc")
    >>> print(scores_table(Scores((acme,)), width=72), end="")
    account  band               score  coverage  reasons
    acme     red                 35.0      100%  attendance cost 40.00 points:
                                                   4 check-ins in a row missed
    """
    ranked = scores.riskiest_first()
    shown = ranked if top is None else ranked[:top]
    id_width = max([len("account"), *(len(s.account_id) for s in shown)]) if shown else 7
    lead = id_width + 2 + 17 + 2 + 5 + 2 + 8 + 2
    reason_width = max(MIN_REASON_WIDTH, width - lead) if width else None

    def lines_of(reason: str) -> list[str]:
        if reason_width is None:
            return [reason]
        return _wrapped(reason, reason_width, reason_lines)

    blank = " " * lead
    lines = [f"{'account':<{id_width}}  {'band':<17}  {'score':>5}  {'coverage':>8}  reasons"]
    for item in shown:
        texts = [line for reason in item.reasons[:reasons] for line in lines_of(reason)]
        first, *rest = texts or [""]
        lines.append(
            f"{item.account_id:<{id_width}}  {item.band.value:<17}  "
            f"{_score_text(item.score):>5}  {item.coverage:>8.0%}  {first}".rstrip()
        )
        lines.extend((blank + more).rstrip() for more in rest)
    if len(shown) < len(ranked):
        left = len(ranked) - len(shown)
        lines.append(f"... {left} more account{'' if left == 1 else 's'} not shown")
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
