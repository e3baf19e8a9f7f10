"""An account's score and signals over time: the history is the batch scores, and the figure
plots exactly that history."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

import touchpoint_signals as ts
from touchpoint_signals.display import BAND_COLOURS
from touchpoint_signals.errors import DataError, MissingExtraError, UnknownNameError
from touchpoint_signals.plot import AccountHistory, account_history, plot_account, plot_history
from touchpoint_signals.simulate import simulate_portfolio

UTC = dt.UTC
START = dt.datetime(2025, 1, 1, tzinfo=UTC)
END = dt.datetime(2025, 12, 31, tzinfo=UTC)
DATES = [dt.datetime(2025, month, 1, tzinfo=UTC) for month in (6, 8, 10, 12)] + [END]


@pytest.fixture(scope="module")
def portfolio() -> Any:
    """A SIMULATED portfolio with planted deteriorations."""
    return simulate_portfolio(40, seed=11, start=START, end=END)


@pytest.fixture(scope="module")
def history(portfolio: Any) -> AccountHistory:
    account = str(portfolio.account_ids[np.flatnonzero(portfolio.planted())[0]])
    return account_history(portfolio.log, account, ts.default_scorecard(), DATES)


def test_the_history_is_what_batch_scoring_gives_at_each_date(
    portfolio: Any, history: AccountHistory
) -> None:
    card = ts.default_scorecard()
    code = portfolio.log.account_code(history.account_id)

    for position, instant in enumerate(DATES):
        signals = ts.SignalSet.from_log(portfolio.log, instant)
        assert history.scores[position] == card.score(signals).of(history.account_id)
        for name, frame in signals.frames.items():
            expected = frame.severity[code]
            got = history.severities[name][position]
            assert got == expected or (np.isnan(got) and np.isnan(expected))
    assert history.as_of == tuple(DATES)
    assert len({s.score for s in history.scores}) > 1  # the score moves over the year


def test_the_figure_plots_the_scores_and_severities(history: AccountHistory) -> None:
    matplotlib.use("Agg")

    figure = plot_history(history)

    assert isinstance(figure, Figure)
    score_axes, signal_axes = figure.axes
    (score_line,) = [line for line in score_axes.get_lines() if line.get_label() == "score"]
    expected = [np.nan if s.score is None else s.score for s in history.scores]
    np.testing.assert_array_equal(np.asarray(score_line.get_ydata(), dtype=float), expected)
    assert [matplotlib.dates.num2date(x) for x in score_line.get_xdata(orig=False)] == DATES

    drawn = {line.get_label(): line for line in signal_axes.get_lines()}
    read = [n for n, v in history.severities.items() if not np.isnan(v).all()]
    assert list(drawn) == read
    for name in read:
        np.testing.assert_array_equal(
            np.asarray(drawn[name].get_ydata(), dtype=float), history.severities[name]
        )

    regions = score_axes.patches
    assert len(regions) == len(DATES)
    colours = [matplotlib.colors.to_hex(r.get_facecolor()) for r in regions]
    assert colours == [BAND_COLOURS[b] for b in history.bands]
    figure.savefig(__import__("io").BytesIO(), format="png")  # it renders


def test_the_legends_sit_outside_the_axes_and_hide_no_line(history: AccountHistory) -> None:
    matplotlib.use("Agg")

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = plot_history(history)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # lays the figure out, so that extents are final

    renderer = canvas.get_renderer()
    for axes in figure.axes:
        legend = axes.get_legend()
        assert legend is not None
        box, frame = legend.get_window_extent(renderer), axes.get_window_extent(renderer)
        # Right of the plotting area, top-aligned with it, and inside the figure.
        assert box.x0 >= frame.x1
        assert box.y1 == pytest.approx(frame.y1, abs=1.0)
        assert box.x1 <= figure.bbox.x1
        assert not legend.get_frame_on()


def test_plot_account_scores_then_draws(portfolio: Any, history: AccountHistory) -> None:
    figure = plot_account(
        portfolio.log,
        history.account_id,
        ts.default_scorecard(),
        DATES,
        signals=["attendance", "cadence"],
    )

    signal_axes = figure.axes[1]
    assert [line.get_label() for line in signal_axes.get_lines()] == ["attendance", "cadence"]
    np.testing.assert_array_equal(
        np.asarray(signal_axes.get_lines()[1].get_ydata(), dtype=float),
        history.severities["cadence"],
    )


def test_a_history_from_stored_scores_leaves_imputed_severities_out(portfolio: Any) -> None:
    card = ts.default_scorecard()
    stored = [card.score(ts.SignalSet.from_log(portfolio.log, t)) for t in DATES[-2:]]
    account = stored[-1].items[0].account_id

    history = AccountHistory.from_scores(stored, account)

    for position, scores in enumerate(stored):
        for c in scores.of(account).contributions:
            got = history.severities[c.signal][position]
            if c.handling == "observed":
                assert got == c.severity
            else:
                assert np.isnan(got)


def test_bad_histories_are_refused(portfolio: Any, history: AccountHistory) -> None:
    card = ts.default_scorecard()

    with pytest.raises(DataError, match=r"as_of\[1\] .* is not after"):
        account_history(portfolio.log, history.account_id, card, [END, START])
    with pytest.raises(DataError, match="at least one as_of"):
        account_history(portfolio.log, history.account_id, card, [])
    with pytest.raises(UnknownNameError, match="not in this log"):
        account_history(portfolio.log, "nobody", card, DATES)
    with pytest.raises(UnknownNameError, match="no signal 'nope'"):
        plot_history(history, signals=["nope"])


def test_without_matplotlib_the_plot_extra_is_named(
    monkeypatch: pytest.MonkeyPatch, history: AccountHistory
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)

    with pytest.raises(MissingExtraError, match=r"touchpoint-signals\[plot\]") as caught:
        plot_history(history)
    assert caught.value.extra == "plot"


def test_the_notebooks_page_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Path(__file__).resolve().parents[1] / "docs" / "notebooks.md"
    (block,) = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
    monkeypatch.chdir(tmp_path)

    exec(compile(block, "notebooks.md", "exec"), {"__name__": "docs"})

    assert (tmp_path / "acct07.png").read_bytes().startswith(b"\x89PNG")
