"""HTML of health scores and portfolios: what a notebook shows, escaped, riskiest first."""

from __future__ import annotations

import datetime as dt
import re

import attrs
import pytest

from touchpoint_signals.display import (
    BAND_COLOURS,
    MAX_ROWS,
    REASON_CHARS,
    health_score_html,
    scores_html,
)
from touchpoint_signals.scoring import Adjustment, Band, Contribution, HealthScore, Scores

AS_OF = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)


def _score(account: str, band: Band, score: float | None, **changes: object) -> HealthScore:
    base = HealthScore(
        account_id=account,
        as_of=AS_OF,
        score=score,
        band=band,
        coverage=0.8,
        contributions=(
            Contribution("attendance", 30.0, 50.0, 0.5, 0.4, "observed", "2 of 5 attended"),
            Contribution("cadence", 20.0, 30.0, 0.3, 0.3333, "observed", "QBR overdue"),
        ),
        reasons=("attendance cost 20.00 points: 2 of 5 attended", "cadence cost 10.00 points"),
        scorer="scorecard",
        config_hash="0a7221a039f60cf8",
        segment="mid_touch",
    )
    return attrs.evolve(base, **changes)


def test_a_health_score_card_shows_band_score_contributions_and_reasons() -> None:
    card = health_score_html(_score("acme", Band.YELLOW, 50.0))

    assert f"background: {BAND_COLOURS[Band.YELLOW]}" in card
    assert ">yellow</span>" in card
    assert "score <b>50.0</b>" in card
    assert "coverage 80%" in card
    assert "as of 2026-06-30T00:00:00+00:00" in card
    assert "scorecard <code>0a7221a0</code>" in card
    # Points given out of the points the weight could give; bars at 2 px a point.
    assert "30.00 of 50.00" in card
    assert "20.00 of 30.00" in card
    assert "width: 60px" in card  # attendance: 30 points given
    assert "width: 40px" in card  # attendance: 20 points cost
    assert card.index("<li>attendance cost 20.00 points") < card.index("<li>cadence cost")


def test_a_card_without_a_score_or_contributions_says_so() -> None:
    card = health_score_html(
        _score("acme", Band.INSUFFICIENT_DATA, None, contributions=(), reasons=())
    )

    assert "score <b>no score</b>" in card
    assert "<table" not in card
    assert "<ol" not in card


def test_adjustments_are_listed() -> None:
    capped = Adjustment("rule", "three misses", "capped at red", Band.YELLOW, Band.RED)

    card = health_score_html(_score("acme", Band.RED, 50.0, adjustments=(capped,)))

    assert "<li>rule three misses: capped at red (yellow to red)</li>" in card


def test_data_in_the_html_is_escaped() -> None:
    hostile = "<script>alert('x')</script>"
    score = _score(
        hostile,
        Band.RED,
        10.0,
        reasons=(f"reason {hostile}",),
        scorer="<b>card</b>",
        segment='seg" onmouseover="x',
        contributions=(Contribution("<i>sig</i>", 10.0, 1.0, 0.5, 0.8, "<u>", "r"),),
    )

    for html in (health_score_html(score), scores_html([score]), score._repr_html_()):
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
        assert "<b>card</b>" not in html
        assert "<i>sig</i>" not in html
        assert 'seg" onmouseover' not in html


def test_a_portfolio_is_counted_per_band_and_listed_riskiest_first() -> None:
    scores = Scores(
        (
            _score("green-1", Band.GREEN, 90.0),
            _score("red-1", Band.RED, 30.0),
            _score("none-1", Band.INSUFFICIENT_DATA, None),
            _score("yellow-1", Band.YELLOW, 60.0),
            _score("red-2", Band.RED, 20.0),
        )
    )

    html = scores._repr_html_()

    assert html == scores_html(scores)
    assert "<b>5 accounts</b>, riskiest first" in html
    counts = re.findall(r">(red|yellow|insufficient_data|green)</span> (\d+)", html)
    assert counts[:4] == [
        ("red", "2"),
        ("yellow", "1"),
        ("insufficient_data", "1"),
        ("green", "1"),
    ]
    order = re.findall(r'<td style="[^"]*">((?:red|yellow|green|none)-\d)</td>', html)
    assert order == ["red-2", "red-1", "yellow-1", "none-1", "green-1"]
    assert "(+1 more)" in html  # each has two reasons; the first is shown
    assert "not shown" not in html


def test_a_large_portfolio_is_cut_with_a_line_saying_how_many_are_left_out() -> None:
    many = Scores(tuple(_score(f"a{i:03d}", Band.GREEN, 50.0 + i / 10) for i in range(250)))

    html = scores_html(many)
    short = scores_html(many, max_rows=3)

    assert html.count("<tr><td") == MAX_ROWS
    assert f"... {250 - MAX_ROWS:,} more accounts not shown" in html
    assert short.count("<tr><td") == 3
    assert "... 247 more accounts not shown" in short
    assert re.findall(r'<td style="[^"]*">(a\d{3})</td>', short) == ["a000", "a001", "a002"]
    assert "... 1 more account not shown" in scores_html(many.items[:4], max_rows=3)
    with pytest.raises(ValueError, match="max_rows must be 0 or more"):
        scores_html(many, max_rows=-1)


def test_an_empty_portfolio() -> None:
    html = scores_html(Scores(()))

    assert "<b>0 accounts</b>" in html
    assert "<table" not in html


def test_a_long_first_reason_is_cut_in_the_table_and_whole_in_its_tooltip() -> None:
    long = "attendance cost 20.00 points: " + "missed again; " * 30

    html = scores_html([_score("acme", Band.RED, 20.0, reasons=(long,))])

    shown = re.search(r'<span title="([^"]*)">([^<]*)</span>', html)
    assert shown is not None
    assert shown.group(1) == long
    assert shown.group(2) == long[: REASON_CHARS - 1].rstrip() + "…"


def test_the_riskiest_few_are_scores_that_show_as_a_table() -> None:
    scores = Scores(
        (
            _score("green-1", Band.GREEN, 90.0),
            _score("red-1", Band.RED, 30.0),
            _score("yellow-1", Band.YELLOW, 60.0),
            _score("red-2", Band.RED, 20.0),
        )
    )

    top = scores.riskiest(3)

    assert isinstance(top, Scores)
    assert [s.account_id for s in top] == ["red-2", "red-1", "yellow-1"]
    assert "<b>3 accounts</b>, riskiest first" in top._repr_html_()
    assert [s.account_id for s in scores.riskiest(10)] == [
        "red-2",
        "red-1",
        "yellow-1",
        "green-1",
    ]
    assert len(scores.riskiest(0)) == 0
    with pytest.raises(ValueError, match="n must be 0 or more, got -1"):
        scores.riskiest(-1)
