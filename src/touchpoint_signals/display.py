"""Health scores as HTML, for notebooks.

:meth:`HealthScore._repr_html_ <touchpoint_signals.scoring.HealthScore>` and
:meth:`Scores._repr_html_ <touchpoint_signals.scoring.Scores>` call the two builders here, so a
notebook shows a score as a card and a portfolio as a table, riskiest first, without the
scoring core carrying any presentation code. The builders need nothing beyond the standard
library.

* :func:`health_score_html`: the account, its band in the band's colour, score, coverage,
  ``as_of`` and scorer; a row per contribution with a bar of the points it gave and the
  points it cost; the reasons; any adjustments (rules, overrides).
* :func:`scores_html`: the count of accounts per band, then the riskiest ``max_rows``
  accounts with band, score, coverage and first reason (cut at :data:`REASON_CHARS`
  characters, the whole of it in a tooltip), and a last line saying how many were left out,
  so a cut table is never mistaken for the whole portfolio.

Everything that comes from data (account ids, reasons, scorer names) is HTML-escaped.
Styles are inline, so the output looks the same wherever a notebook is rendered and leaks
no style sheet into the page.

Examples
--------
>>> import datetime as dt
>>> from touchpoint_signals.scoring import Band, HealthScore
>>> score = HealthScore("<acme>", dt.datetime(2026, 6, 30, tzinfo=dt.UTC), None,
...                     Band.INSUFFICIENT_DATA, 0.0, (), ("no signal had data",), "card", "0")
>>> "&lt;acme&gt;" in health_score_html(score), "<acme>" in health_score_html(score)
(True, False)
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from touchpoint_signals.scoring.base import Band, Contribution, HealthScore, Scores

__all__ = ["BAND_COLOURS", "MAX_ROWS", "REASON_CHARS", "health_score_html", "scores_html"]

#: The colour of each band's badge and bars.
BAND_COLOURS: dict[Band, str] = {
    Band.GREEN: "#2e7d32",
    Band.YELLOW: "#f9a825",
    Band.RED: "#c62828",
    Band.INSUFFICIENT_DATA: "#757575",
}
#: Text on a badge: dark on yellow, where white would be hard to read, white elsewhere.
_BADGE_TEXT: dict[Band, str] = dict.fromkeys(Band, "#ffffff") | {Band.YELLOW: "#212121"}
#: Accounts a portfolio table shows unless told otherwise.
MAX_ROWS = 20

_GAINED = "#546e7a"
_COST = "#f4c7c3"
_FONT = "font-family: system-ui, sans-serif; font-size: 13px; line-height: 1.45"
_CELL = "padding: 2px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid #eee"
#: Pixels per point of a contribution bar: a full bar is the whole 0-100 scale.
_BAR_PX_PER_POINT = 2
#: Characters of a reason a portfolio row shows; the whole reason is in its tooltip.
REASON_CHARS = 160


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _score_text(score: float | None) -> str:
    return "no score" if score is None else f"{score:.1f}"


def _badge(band: Band) -> str:
    return (
        f'<span style="background: {BAND_COLOURS[band]}; color: {_BADGE_TEXT[band]}; '
        'border-radius: 3px; padding: 1px 6px; font-size: 12px; font-weight: 600">'
        f"{_e(band.value)}</span>"
    )


def _bar(contribution: Contribution) -> str:
    """Points given (dark) and points cost (light) of one contribution, on the 0-100 scale."""
    possible = max(contribution.effective_weight * 100.0, contribution.points, 0.0)
    given = max(contribution.points, 0.0)
    cost = possible - given
    return (
        '<span style="display: inline-block; white-space: nowrap">'
        f'<span style="display: inline-block; height: 10px; width: '
        f'{given * _BAR_PX_PER_POINT:.0f}px; background: {_GAINED}"></span>'
        f'<span style="display: inline-block; height: 10px; width: '
        f'{cost * _BAR_PX_PER_POINT:.0f}px; background: {_COST}"></span></span>'
    )


def _contribution_row(contribution: Contribution) -> str:
    severity = "-" if contribution.severity is None else f"{contribution.severity:.2f}"
    possible = contribution.effective_weight * 100.0
    return (
        f'<tr><td style="{_CELL}">{_e(contribution.signal)}</td>'
        f'<td style="{_CELL}">{severity}</td>'
        f'<td style="{_CELL}">{_e(contribution.handling)}</td>'
        f'<td style="{_CELL}; text-align: right">'
        f"{contribution.points:.2f} of {possible:.2f}</td>"
        f'<td style="{_CELL}">{_bar(contribution)}</td></tr>'
    )


def health_score_html(score: HealthScore) -> str:
    """One account's health score as an HTML card.

    The head line gives the account, its band (in :data:`BAND_COLOURS`), score, coverage,
    ``as_of``, segment and scorer with the start of its configuration hash. A table follows
    with a row per contribution: signal, severity, handling, the points it gave out of the
    points its weight could give, and a bar of both (dark: given, light: cost). Then the
    reasons, riskiest first, and the adjustments that changed the score, if any.
    """
    facts = [
        f"score <b>{_score_text(score.score)}</b>",
        f"coverage {score.coverage:.0%}",
        f"as of {_e(score.as_of.isoformat())}",
    ]
    if score.segment is not None:
        facts.append(f"segment {_e(score.segment)}")
    facts.append(f"{_e(score.scorer)} <code>{_e(score.config_hash[:8])}</code>")
    parts = [
        f'<div class="touchpoint-signals-health-score" style="{_FONT}">',
        f'<div style="margin-bottom: 6px"><b style="font-size: 15px">{_e(score.account_id)}'
        f"</b> {_badge(score.band)} {' · '.join(facts)}</div>",
    ]

    if score.contributions:
        head = "".join(
            f'<th style="{_CELL}">{name}</th>'
            for name in ("signal", "severity", "handling", "points", "")
        )
        rows = "".join(_contribution_row(c) for c in score.contributions)
        parts.append(
            f'<table style="border-collapse: collapse"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    if score.reasons:
        items = "".join(f"<li>{_e(reason)}</li>" for reason in score.reasons)
        parts.append(f'<ol style="margin: 6px 0; padding-left: 20px">{items}</ol>')
    if score.adjustments:
        items = "".join(
            f"<li>{_e(a.kind)} {_e(a.source)}: {_e(a.description)} "
            f"({_e(a.band_before.value)} to {_e(a.band_after.value)})</li>"
            for a in score.adjustments
        )
        parts.append(f'<div>adjusted by</div><ul style="margin: 2px 0">{items}</ul>')
    parts.append("</div>")
    return "".join(parts)


def _score_cell(score: HealthScore) -> str:
    if score.score is None:
        return "-"
    width = score.score * 0.6
    return (
        f'<span style="display: inline-block; width: 60px"><span style="display: '
        f"inline-block; height: 8px; width: {width:.0f}px; background: "
        f'{BAND_COLOURS[score.band]}"></span></span> {score.score:.1f}'
    )


def _reason_cell(reason: str) -> str:
    """A reason cut to :data:`REASON_CHARS` characters, the whole of it in the tooltip."""
    if len(reason) <= REASON_CHARS:
        return _e(reason)
    return f'<span title="{_e(reason)}">{_e(reason[: REASON_CHARS - 1].rstrip())}…</span>'


def _portfolio_row(rank: int, score: HealthScore) -> str:
    first = _reason_cell(score.reasons[0]) if score.reasons else ""
    more = len(score.reasons) - 1
    if more > 0:
        first += f' <span style="color: #757575">(+{more} more)</span>'
    return (
        f'<tr><td style="{_CELL}; color: #757575">{rank}</td>'
        f'<td style="{_CELL}; white-space: nowrap">{_e(score.account_id)}</td>'
        f'<td style="{_CELL}">{_badge(score.band)}</td>'
        f'<td style="{_CELL}; white-space: nowrap">{_score_cell(score)}</td>'
        f'<td style="{_CELL}; text-align: right">{score.coverage:.0%}</td>'
        f'<td style="{_CELL}">{first}</td></tr>'
    )


def scores_html(scores: Iterable[HealthScore], *, max_rows: int = MAX_ROWS) -> str:
    """A portfolio's health scores as an HTML table, riskiest first, cut at ``max_rows``.

    The first line counts the accounts per band, riskiest band first; each row gives the
    rank, account, band, score (with a bar in the band's colour), coverage and the first
    reason. When accounts are left out a last line says how many.
    """
    if max_rows < 0:
        raise ValueError(f"max_rows must be 0 or more, got {max_rows}")
    items = scores if isinstance(scores, Scores) else Scores(tuple(scores))
    ranked = items.riskiest_first()

    counts = dict.fromkeys(sorted(Band, key=lambda band: band.risk), 0)
    for score in ranked:
        counts[score.band] += 1
    chips = " ".join(f"{_badge(band)} {count:,}" for band, count in counts.items())
    noun = "account" if len(ranked) == 1 else "accounts"
    parts = [
        f'<div class="touchpoint-signals-scores" style="{_FONT}">',
        f'<div style="margin-bottom: 6px"><b>{len(ranked):,} {noun}</b>, riskiest first: '
        f"{chips}</div>",
    ]

    shown = ranked[:max_rows]
    if shown:
        head = "".join(
            f'<th style="{_CELL}">{name}</th>'
            for name in ("#", "account", "band", "score", "coverage", "first reason")
        )
        rows = "".join(_portfolio_row(rank, s) for rank, s in enumerate(shown, start=1))
        parts.append(
            f'<table style="border-collapse: collapse"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    left_out = len(ranked) - len(shown)
    if left_out:
        parts.append(
            f'<div style="color: #757575; margin-top: 4px">... {left_out:,} more '
            f"{'account' if left_out == 1 else 'accounts'} not shown</div>"
        )
    parts.append("</div>")
    return "".join(parts)
