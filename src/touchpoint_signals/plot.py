"""An account's health score and signals over time, drawn with matplotlib (the ``plot`` extra).

:func:`account_history` scores a whole log at several ``as_of`` instants, with the
point-in-time views every extractor reads (:meth:`SignalSet.from_log
<touchpoint_signals.scoring.SignalSet.from_log>` then ``scorer.score``), and keeps one
account's health scores and signal severities; :meth:`AccountHistory.from_scores` takes them
from health scores already computed (the history :func:`~touchpoint_signals.green_but_cooling`
reads). :func:`plot_history` draws such a history, :func:`plot_account` does both.

The figure has two panels sharing the time axis: the score (0-100) over background regions
coloured by the band the account was in at each evaluation (a region reaches halfway to the
neighbouring evaluations), and below it one line per signal of its severity (0 healthy, 1
worst), broken where the signal could not be read. Bands are drawn as they were given, not
from a scorer's thresholds, so a band capped by a rule or set by an override shows as such.

Each evaluation scores the whole log, so that the score is the one the portfolio run gives
(some signals compare an account with the rest of its segment): the cost is one batch
scoring per date. matplotlib is imported when a figure is drawn, never by the core; the
figure is built without pyplot, so it opens no window and registers nothing globally.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.display import BAND_COLOURS
from touchpoint_signals.errors import DataError, MissingExtraError, UnknownNameError
from touchpoint_signals.explain import IMPUTED_HANDLING
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.scoring.base import Band, HealthScore, Scorer, Scores, SignalSet
from touchpoint_signals.signals.base import Extractor

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["AccountHistory", "account_history", "plot_account", "plot_history"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: Opacity of the band regions behind the score line.
BAND_ALPHA = 0.18


def _check_dates(as_of: Sequence[dt.datetime]) -> None:
    if not as_of:
        raise DataError("an account history needs at least one as_of instant")
    for position in range(1, len(as_of)):
        if as_of[position] <= as_of[position - 1]:
            raise DataError(
                f"as_of[{position}] ({as_of[position].isoformat()}) is not after the one "
                f"before it ({as_of[position - 1].isoformat()}); give instants in order"
            )


@attrs.frozen(eq=False)
class AccountHistory:
    """One account's health scores, and the severity of each signal, at several instants.

    ``severities`` maps a signal to one severity per instant of ``as_of``, NaN where the
    signal could not be read then. The instants are strictly increasing.
    """

    account_id: str
    as_of: tuple[dt.datetime, ...]
    scores: tuple[HealthScore, ...]
    severities: Mapping[str, FloatArray]

    def __attrs_post_init__(self) -> None:
        _check_dates(self.as_of)
        n = len(self.as_of)
        if len(self.scores) != n or any(len(v) != n for v in self.severities.values()):
            raise DataError(
                f"an account history needs one score and severity per instant ({n})"
            )

    @property
    def score_values(self) -> FloatArray:
        """The score at each instant, NaN where there was none."""
        return np.array([np.nan if s.score is None else s.score for s in self.scores])

    @property
    def bands(self) -> tuple[Band, ...]:
        """The band at each instant."""
        return tuple(s.band for s in self.scores)

    @classmethod
    def from_scores(cls, history: Sequence[Scores], account_id: str) -> AccountHistory:
        """The history of ``account_id`` in health scores made at successive instants.

        Severities are read from the contributions, as
        :func:`~touchpoint_signals.green_but_cooling` reads them: a severity a scorer
        imputed (a handling in :data:`~touchpoint_signals.explain.IMPUTED_HANDLING`) is not
        a reading and is left out (NaN).
        """
        picked = [scores.of(account_id) for scores in history]
        n = len(picked)
        severities: dict[str, FloatArray] = {}
        for position, score in enumerate(picked):
            for contribution in score.contributions:
                row = severities.setdefault(contribution.signal, np.full(n, np.nan))
                read = contribution.handling not in IMPUTED_HANDLING
                if read and contribution.severity is not None:
                    row[position] = contribution.severity
        return cls(account_id, tuple(s.as_of for s in picked), tuple(picked), severities)


def account_history(
    log: TouchpointLog,
    account_id: str,
    scorer: Scorer,
    as_of_dates: Iterable[dt.datetime],
    *,
    extractors: Sequence[Extractor] | None = None,
) -> AccountHistory:
    """Score ``log`` at each of ``as_of_dates`` and keep ``account_id``'s scores and signals.

    Parameters
    ----------
    log
        The whole log: each instant reads what was known then (``log.as_of``), and the
        account is scored beside the others, as in a portfolio run.
    account_id
        The account to follow; an account the log does not hold raises
        :class:`~touchpoint_signals.errors.UnknownNameError`.
    scorer
        Any scorer, such as ``default_scorecard()`` or ``load_scorecard(path).scorer``.
    as_of_dates
        Aware instants in increasing order.
    extractors
        The extractors to run (the built-ins by default); a scorecard file's are
        ``load_scorecard(path).extractors``.

    Returns
    -------
    AccountHistory
        The account's health score at each instant, and each signal's severity taken from
        the signal frames (NaN where the signal had too little data).
    """
    dates = tuple(as_of_dates)
    _check_dates(dates)
    code = log.account_code(account_id)

    scores: list[HealthScore] = []
    severities: dict[str, list[float]] = {}
    for position, instant in enumerate(dates):
        signals = SignalSet.from_log(log, instant, extractors)
        batch = scorer.score(signals)
        score = batch.items[code] if code < len(batch) else None
        if score is None or score.account_id != account_id:
            score = batch.of(account_id)
        scores.append(score)
        for name, frame in signals.frames.items():
            row = severities.setdefault(name, [np.nan] * position)
            row.append(float(frame.severity[code]))

    logger.debug("scored %d instants for account %s", len(dates), account_id)
    return AccountHistory(
        account_id,
        dates,
        tuple(scores),
        {name: np.array(values, dtype=np.float64) for name, values in severities.items()},
    )


def _band_edges(as_of: Sequence[dt.datetime]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Where each evaluation's band region starts and ends: halfway to its neighbours."""
    if len(as_of) == 1:
        half = dt.timedelta(days=1)
        return [(as_of[0] - half, as_of[0] + half)]
    middles = [a + (b - a) / 2 for a, b in itertools.pairwise(as_of)]
    starts = [as_of[0] - (middles[0] - as_of[0]), *middles]
    stops = [*middles, as_of[-1] + (as_of[-1] - middles[-1])]
    return list(zip(starts, stops, strict=True))


#: Where both legends go: outside their axes, to the right, top-aligned, so that no legend
#: hides a line or a band whatever the data (the constrained layout makes room for them).
_OUTSIDE: dict[str, Any] = {
    "loc": "upper left",
    "bbox_to_anchor": (1.01, 1.0),
    "borderaxespad": 0.0,
    "fontsize": "small",
    "frameon": False,
}


def plot_history(
    history: AccountHistory,
    *,
    signals: Sequence[str] | None = None,
    figsize: tuple[float, float] = (9.0, 5.5),
) -> Figure:
    """Draw an account's score over band regions, and its signals' severities below.

    Parameters
    ----------
    history
        From :func:`account_history` or :meth:`AccountHistory.from_scores`.
    signals
        The signals to draw, in order; by default every signal read at least once.
    figsize
        The figure's size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the first holds the score line (label ``"score"``), the second one line per
        signal, labelled with the signal's name; their y data are the history's values.
    """
    MissingExtraError.require("matplotlib", extra="plot", needed_by="plot_history")
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    if signals is None:
        names = [n for n, v in history.severities.items() if not np.isnan(v).all()]
    else:
        unknown = [n for n in signals if n not in history.severities]
        if unknown:
            held = ", ".join(history.severities) or "none"
            raise UnknownNameError(f"no signal {unknown[0]!r} in this history: it holds {held}")
        names = list(signals)
    dates = list(history.as_of)

    figure = Figure(figsize=figsize, layout="constrained")
    score_axes, signal_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    for (start, stop), band in zip(_band_edges(dates), history.bands, strict=True):
        score_axes.axvspan(start, stop, color=BAND_COLOURS[band], alpha=BAND_ALPHA, lw=0)
    score_axes.plot(dates, history.score_values, marker="o", color="#263238", label="score")
    score_axes.set_ylim(0, 100)
    score_axes.set_ylabel("health score")
    seen = list(dict.fromkeys(history.bands))
    score_axes.legend(
        handles=[
            Patch(color=BAND_COLOURS[b], alpha=BAND_ALPHA * 2, label=b.value) for b in seen
        ],
        **_OUTSIDE,
    )
    scorer = history.scores[-1].scorer
    score_axes.set_title(f"{history.account_id}: health score ({scorer}) and signals")

    for name in names:
        signal_axes.plot(dates, history.severities[name], marker=".", label=name)
    signal_axes.set_ylim(-0.02, 1.02)
    signal_axes.set_ylabel("severity (0 healthy)")
    if names:
        signal_axes.legend(**_OUTSIDE)
    else:
        signal_axes.text(
            0.5, 0.5, "no signal was read", ha="center", transform=signal_axes.transAxes
        )
    for label in signal_axes.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    return figure


def plot_account(
    log: TouchpointLog,
    account_id: str,
    scorer: Scorer,
    as_of_dates: Iterable[dt.datetime],
    *,
    extractors: Sequence[Extractor] | None = None,
    signals: Sequence[str] | None = None,
    figsize: tuple[float, float] = (9.0, 5.5),
) -> Figure:
    """Score ``log`` at each date and draw ``account_id``'s score and signals over time.

    :func:`account_history` then :func:`plot_history`; the parameters are theirs.
    """
    MissingExtraError.require("matplotlib", extra="plot", needed_by="plot_account")
    history = account_history(log, account_id, scorer, as_of_dates, extractors=extractors)
    return plot_history(history, signals=signals, figsize=figsize)
