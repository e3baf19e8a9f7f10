"""Explanations over time: why a score moved, who is cooling while green, and stable bands.

A health score explains itself at one instant (its contributions and reasons). The questions a
CSM asks next are about change:

* :func:`score_changes`: why did this account's score move between two ``as_of`` dates,
  signal by signal, and did its band or its adjustments (rules, overrides) change?
* :func:`green_but_cooling`: which accounts are still green while attendance or reply latency
  (or any signals chosen) get worse evaluation after evaluation? A weighted score averages a
  worsening signal with healthy ones, so these accounts stay green until late: the case a
  health score most often misses.
* :class:`BandHysteresis`: a band changes only when the new band holds for ``k``
  consecutive evaluations, so an account near a threshold does not flap between colours.

Everything here is a pure function of the health scores (or signal sets) it is given: nothing
is stored between calls.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

import attrs
import numpy as np

from touchpoint_signals.errors import ConfigError, DataError, ProtocolError
from touchpoint_signals.scoring.base import (
    Adjustment,
    Band,
    Contribution,
    HealthScore,
    Scorer,
    Scores,
    SignalSet,
)

__all__ = [
    "BandHysteresis",
    "CoolingAccount",
    "ScoreChange",
    "SignalChange",
    "SignalTrend",
    "green_but_cooling",
    "score_changes",
]

logger = logging.getLogger(__name__)

#: Signals :func:`green_but_cooling` watches unless told otherwise.
COOLING_SIGNALS: tuple[str, ...] = ("attendance", "customer_reply_latency")

#: ``Contribution.handling`` values that mean the severity was imputed, not read from data.
IMPUTED_HANDLING: frozenset[str] = frozenset(
    {"exclude", "excluded", "neutral", "worst", "unweighted", "missing", "fail", "imputed"}
)


# -- formatting ---------------------------------------------------------------------------


def _centi(points: float) -> int:
    """Points as whole hundredths, the precision scores are kept at."""
    return round(points * 100)


def _num(points: float) -> str:
    """A score or a number of points: two decimals, a trailing zero dropped ("72.0")."""
    text = f"{points + 0.0:.2f}"
    return text[:-1] if text.endswith("0") else text


def _signed(points: float) -> str:
    text = _num(points)
    return text if text.startswith("-") else f"+{text}"


def _day(instant: dt.datetime) -> str:
    return instant.date().isoformat()


# -- why a score moved --------------------------------------------------------------------


@attrs.frozen
class SignalChange:
    """How one signal's contribution to a score moved between two evaluations.

    ``points_before`` / ``points_after`` are ``None`` when the signal did not contribute on
    that side (another scorer, another configuration); ``delta`` counts a missing side as
    zero points, so the deltas of all signals add up to the change of the weighted score.
    """

    signal: str
    points_before: float | None
    points_after: float | None
    delta: float
    severity_before: float | None
    severity_after: float | None
    handling_before: str | None
    handling_after: str | None

    def describe(self) -> str:
        """``"attendance -12.0"``, the form the summary line uses."""
        return f"{self.signal} {_signed(self.delta)}"


@attrs.frozen
class ScoreChange:
    """Why one account's health score moved between two evaluations.

    ``signals`` lists every signal that contributed on either side, the largest move first
    (ties by name). ``adjusted_delta`` is the part of the score's move that no signal
    explains: rules or overrides that set the score on one side and not the other.
    ``adjustments_added`` / ``adjustments_removed`` are the adjustments (matched by kind and
    source) present on only one side. ``summary`` is one plain sentence.
    """

    account_id: str
    as_of_before: dt.datetime | None
    as_of_after: dt.datetime | None
    score_before: float | None
    score_after: float | None
    delta: float | None
    band_before: Band | None
    band_after: Band | None
    signals: tuple[SignalChange, ...]
    adjusted_delta: float
    adjustments_added: tuple[Adjustment, ...]
    adjustments_removed: tuple[Adjustment, ...]
    same_config: bool
    summary: str

    @property
    def band_changed(self) -> bool:
        """Whether the band differs (an account scored on one side only counts as changed)."""
        return self.band_before != self.band_after


def _contributions(score: HealthScore | None) -> dict[str, list[Contribution]]:
    by_signal: dict[str, list[Contribution]] = {}
    for contribution in score.contributions if score is not None else ():
        by_signal.setdefault(contribution.signal, []).append(contribution)
    return by_signal


def _signal_changes(
    before: HealthScore | None, after: HealthScore | None
) -> tuple[SignalChange, ...]:
    old, new = _contributions(before), _contributions(after)
    names = list(old) + [name for name in new if name not in old]

    changes = []
    for name in names:
        # a composite may report a signal more than once: its points add up
        was, now = old.get(name, []), new.get(name, [])
        centi_before = sum(_centi(c.points) for c in was)
        centi_after = sum(_centi(c.points) for c in now)
        changes.append(
            SignalChange(
                signal=name,
                points_before=centi_before / 100 if was else None,
                points_after=centi_after / 100 if now else None,
                delta=(centi_after - centi_before) / 100,
                severity_before=was[0].severity if was else None,
                severity_after=now[0].severity if now else None,
                handling_before=was[0].handling if was else None,
                handling_after=now[0].handling if now else None,
            )
        )
    changes.sort(key=lambda c: (-abs(_centi(c.delta)), c.signal))
    return tuple(changes)


def _adjustment_keys(score: HealthScore | None) -> dict[tuple[str, str], Adjustment]:
    keys: dict[tuple[str, str], Adjustment] = {}
    for adjustment in score.adjustments if score is not None else ():
        keys.setdefault((adjustment.kind, adjustment.source), adjustment)
    return keys


def _summary(change: ScoreChange, top: int) -> str:
    before, after = change.score_before, change.score_after
    if change.as_of_before is None:
        band = change.band_after.value if change.band_after is not None else "none"
        shown = _num(after) if after is not None else "none"
        return f"newly scored: {shown}, band {band}"
    if change.as_of_after is None:
        band = change.band_before.value if change.band_before is not None else "none"
        shown = _num(before) if before is not None else "none"
        return f"no longer scored (was {shown}, band {band})"

    if before is not None and after is not None:
        if change.delta == 0:
            head = f"score unchanged at {_num(after)}"
        else:
            verb = "fell" if after < before else "rose"
            moved = _num(abs(change.delta or 0.0))
            head = f"score {verb} {moved} points ({_num(before)} -> {_num(after)})"
    elif before is None and after is not None:
        head = f"score {_num(after)} (no score before)"
    elif before is not None:
        head = f"no score now (was {_num(before)})"
    else:
        head = "no score before or now"

    shifted = [c for c in change.signals if c.delta != 0]
    parts = [c.describe() for c in shifted[:top]]
    if len(shifted) > top:
        parts.append(f"{len(shifted) - top} more")
    if change.adjusted_delta != 0:
        parts.append(f"adjustments {_signed(change.adjusted_delta)}")
    text = head + (": " + ", ".join(parts) if parts else "")

    if change.band_changed and change.band_before is not None and change.band_after is not None:
        text += f"; band {change.band_before.value} -> {change.band_after.value}"
    for adjustment in change.adjustments_added:
        text += f"; new {adjustment.kind} {adjustment.source}: {adjustment.description}"
    for adjustment in change.adjustments_removed:
        text += f"; no longer {adjustment.kind} {adjustment.source}"
    if not change.same_config:
        text += "; the scorer or its configuration changed"
    return text


def _explain(before: HealthScore | None, after: HealthScore | None, top: int) -> ScoreChange:
    signals = _signal_changes(before, after)
    score_before = before.score if before is not None else None
    score_after = after.score if after is not None else None

    delta: float | None = None
    adjusted = 0
    if score_before is not None and score_after is not None:
        centi = _centi(score_after) - _centi(score_before)
        delta = centi / 100
        adjusted = centi - sum(_centi(c.delta) for c in signals)

    old, new = _adjustment_keys(before), _adjustment_keys(after)
    change = ScoreChange(
        account_id=(after if after is not None else before).account_id,  # type: ignore[union-attr]
        as_of_before=before.as_of if before is not None else None,
        as_of_after=after.as_of if after is not None else None,
        score_before=score_before,
        score_after=score_after,
        delta=delta,
        band_before=before.band if before is not None else None,
        band_after=after.band if after is not None else None,
        signals=signals,
        adjusted_delta=adjusted / 100,
        adjustments_added=tuple(a for key, a in new.items() if key not in old),
        adjustments_removed=tuple(a for key, a in old.items() if key not in new),
        same_config=(
            before is None
            or after is None
            or (before.scorer, before.config_hash) == (after.scorer, after.config_hash)
        ),
        summary="",
    )
    return attrs.evolve(change, summary=_summary(change, top))


def _by_account(scores: Iterable[HealthScore], label: str) -> dict[str, HealthScore]:
    found: dict[str, HealthScore] = {}
    for item in scores:
        if item.account_id in found:
            raise DataError(f"{label} holds two health scores for account {item.account_id!r}")
        found[item.account_id] = item
    return found


def score_changes(before: Scores, after: Scores, *, top: int = 3) -> tuple[ScoreChange, ...]:
    """Why each account's score moved from ``before`` to ``after``, signal by signal.

    Parameters
    ----------
    before, after
        Health scores of the same accounts at two evaluations, ``after`` no earlier than
        ``before`` (the same ``as_of`` is allowed: it compares two configurations).
    top
        How many signals the summary line names; the rest are counted ("2 more").

    Returns
    -------
    tuple of ScoreChange
        One per account, in the order of ``after``, then the accounts only ``before``
        scored, in its order.

    Raises
    ------
    DataError
        If either side scores an account twice, or an account's ``after`` score is earlier
        than its ``before`` score.

    Notes
    -----
    A signal's delta is the change of its contribution in points, a side where it did not
    contribute counting as zero. Contributions add up to the weighted score exactly, so the
    signal deltas add up to the score's delta unless an adjustment set the score on one side;
    that remainder is reported as ``adjusted_delta`` ("adjustments -5.0" in the summary).
    Adjustments are matched by kind and source: a rule that fired on both dates is not
    listed, one that fired on one date only is.

    Examples
    --------
    >>> import datetime as dt
    >>> from touchpoint_signals.scoring import Band, Contribution, HealthScore, Scores
    >>> def hs(day, score, band, attendance, latency):
    ...     contributions = (
    ...         Contribution("attendance", attendance, 0.5, 0.5, None, "observed", "-"),
    ...         Contribution(
    ...             "customer_reply_latency", latency, 0.5, 0.5, None, "observed", "-"
    ...         ),
    ...     )
    ...     return HealthScore("acme", dt.datetime(2026, 5, day, tzinfo=dt.UTC), score, band,
    ...                        1.0, contributions, ("-",), "fake", "0")
    >>> change, = score_changes(Scores((hs(1, 72.0, Band.GREEN, 40.0, 32.0),)),
    ...                         Scores((hs(8, 53.5, Band.YELLOW, 28.0, 25.5),)))
    >>> change.summary.split("; ")  # doctest: +NORMALIZE_WHITESPACE
    ['score fell 18.5 points (72.0 -> 53.5): attendance -12.0, customer_reply_latency -6.5',
     'band green -> yellow']
    """
    if top < 0:
        raise ConfigError(f"top must be 0 or more, got {top}")
    old = _by_account(before, "before")
    new = _by_account(after, "after")
    for account_id, item in new.items():
        earlier = old.get(account_id)
        if earlier is not None and item.as_of < earlier.as_of:
            raise DataError(
                f"account {account_id!r}: 'after' is as of {item.as_of.isoformat()}, earlier "
                f"than 'before' ({earlier.as_of.isoformat()}); pass the earlier scores first"
            )

    changes = [_explain(old.get(a), item, top) for a, item in new.items()]
    changes += [_explain(item, None, top) for a, item in old.items() if a not in new]
    logger.debug("score_changes: %d accounts compared", len(changes))
    return tuple(changes)


# -- green but cooling --------------------------------------------------------------------


@attrs.frozen
class SignalTrend:
    """One signal getting worse for one account: its readings over the worsening run.

    ``as_of``, ``severities`` and ``values`` line up; ``values`` are in ``unit`` when the
    history was of signal sets and ``None`` when it was of health scores (which keep
    severities only).
    """

    signal: str
    as_of: tuple[dt.datetime, ...]
    severities: tuple[float, ...]
    values: tuple[float | None, ...]
    unit: str | None

    @property
    def rise(self) -> float:
        """How much the severity rose over the run."""
        return self.severities[-1] - self.severities[0]

    def describe(self) -> str:
        """One line of evidence, such as ``attendance worsened over 3 evaluations ...``."""
        steps = " -> ".join(f"{s:.2f}" for s in self.severities)
        text = (
            f"{self.signal} worsened over {len(self.severities)} evaluations "
            f"({_day(self.as_of[0])} to {_day(self.as_of[-1])}): severity {steps}"
        )
        if all(v is not None for v in self.values):
            shown = " -> ".join(f"{v:.3g}" for v in self.values if v is not None)
            text += f", value {shown}" + (f" {self.unit}" if self.unit else "")
        return text


@attrs.frozen
class CoolingAccount:
    """An account that is green at the latest evaluation while some signals worsen."""

    account_id: str
    as_of: dt.datetime
    score: float | None
    trends: tuple[SignalTrend, ...]

    @property
    def evidence(self) -> tuple[str, ...]:
        """One line per worsening signal."""
        return tuple(trend.describe() for trend in self.trends)

    @property
    def summary(self) -> str:
        """A plain sentence: the account, its score and what is cooling."""
        score = f" (score {_num(self.score)})" if self.score is not None else ""
        return f"{self.account_id} is green{score} but " + "; ".join(
            trend.describe() for trend in self.trends
        )


_Reading = tuple[dt.datetime, float, float | None]


def _history_as_of(item: Scores | SignalSet, position: int) -> dt.datetime | None:
    if isinstance(item, SignalSet):
        return item.as_of
    instants = {score.as_of for score in item}
    if len(instants) > 1:
        raise DataError(f"history[{position}] mixes several as_of instants: {sorted(instants)}")
    return next(iter(instants), None)


def _check_order(history: Sequence[Scores | SignalSet]) -> None:
    previous: dt.datetime | None = None
    for position, item in enumerate(history):
        instant = _history_as_of(item, position)
        if instant is None:
            continue
        if previous is not None and instant <= previous:
            raise DataError(
                f"history[{position}] is as of {instant.isoformat()}, not after the one "
                f"before it ({previous.isoformat()}); give evaluations in as_of order"
            )
        previous = instant


def _readings_from_scores(
    history: Sequence[Scores], signals: Sequence[str]
) -> dict[tuple[str, str], list[_Reading]]:
    readings: dict[tuple[str, str], list[_Reading]] = {}
    for scores in history:
        for item in scores:
            for contribution in item.contributions:
                if (
                    contribution.signal in signals
                    and contribution.severity is not None
                    and contribution.handling not in IMPUTED_HANDLING
                ):
                    key = (item.account_id, contribution.signal)
                    readings.setdefault(key, []).append(
                        (item.as_of, contribution.severity, None)
                    )
    return readings


def _readings_from_signals(
    history: Sequence[SignalSet], signals: Sequence[str]
) -> tuple[dict[tuple[str, str], list[_Reading]], dict[str, str]]:
    readings: dict[tuple[str, str], list[_Reading]] = {}
    units: dict[str, str] = {}
    for signal_set in history:
        for name in signals:
            if name not in signal_set.frames:
                continue
            frame = signal_set.frames[name]
            units[name] = frame.unit
            for code in np.flatnonzero(frame.sufficient):
                value = float(frame.value[code])
                key = (str(frame.account_ids[code]), name)
                readings.setdefault(key, []).append(
                    (
                        signal_set.as_of,
                        float(frame.severity[code]),
                        None if np.isnan(value) else value,
                    )
                )
    return readings, units


def _worsening_run(readings: list[_Reading], min_readings: int, min_rise: float) -> int:
    """Length of the trailing run of readings whose severity never fell, if it qualifies."""
    start = len(readings) - 1
    while start > 0 and readings[start - 1][1] <= readings[start][1]:
        start -= 1
    run = len(readings) - start
    if run < min_readings or readings[-1][1] - readings[start][1] < min_rise:
        return 0
    return run


def green_but_cooling(
    history: Sequence[Scores] | Sequence[SignalSet],
    *,
    signals: Sequence[str] = COOLING_SIGNALS,
    scorer: Scorer | None = None,
    min_readings: int = 3,
    min_rise: float = 0.1,
) -> tuple[CoolingAccount, ...]:
    """Accounts that are green at the latest evaluation while chosen signals keep worsening.

    Parameters
    ----------
    history
        Evaluations of the same accounts in ``as_of`` order, oldest first: health scores
        (severities are read from their contributions) or signal sets (severities and values
        are read from the frames; ``scorer`` then gives the latest bands).
    signals
        The signals to watch; attendance and customer reply latency by default.
    scorer
        Required with a history of signal sets, refused with one of health scores: it scores
        the latest signal set to find the green accounts.
    min_readings
        How many readings in a row (evaluations where the signal was read) the worsening run
        must span, the latest included. The default 3 means two rises (or holds) in a row.
    min_rise
        How much the severity must have risen over the run, on its 0-1 scale.

    Returns
    -------
    tuple of CoolingAccount
        The green accounts with at least one worsening signal, the largest rise first (ties
        by account id); each lists its worsening signals, the largest rise first.

    Notes
    -----
    A signal is worsening for an account when its severity never fell over its last
    ``min_readings`` or more readings and rose by at least ``min_rise`` over them. Only
    readings count: an evaluation where the signal had too little data is skipped, and a
    severity a scorer imputed (``Contribution.handling`` in :data:`IMPUTED_HANDLING`) is not a
    reading. The run is the trailing one: a signal that improved once and then worsened for
    three evaluations is reported from the dip. A run of holds with one rise counts, so a
    signal that jumps once by ``min_rise`` and then holds is worsening; raise ``min_readings``
    to ask for a longer run.
    """
    if min_readings < 2:
        raise ConfigError(f"min_readings must be 2 or more, got {min_readings}")
    if not 0.0 < min_rise <= 1.0:
        raise ConfigError(f"min_rise must lie in (0, 1], got {min_rise}")
    if not history:
        return ()
    _check_order(history)

    units: dict[str, str] = {}
    if all(isinstance(item, SignalSet) for item in history):
        if scorer is None:
            raise ConfigError("a history of signal sets needs a scorer to find green accounts")
        sets = [item for item in history if isinstance(item, SignalSet)]
        readings, units = _readings_from_signals(sets, signals)
        latest = scorer.score(sets[-1])
    elif all(isinstance(item, Scores) for item in history):
        if scorer is not None:
            raise ConfigError("scorer is used only with a history of signal sets")
        scored = [item for item in history if isinstance(item, Scores)]
        readings = _readings_from_scores(scored, signals)
        latest = scored[-1]
    else:
        raise ProtocolError("history must hold only Scores or only SignalSets")

    found = []
    for item in latest:
        if item.band is not Band.GREEN:
            continue
        trends = []
        for name in signals:
            series = readings.get((item.account_id, name), [])
            if not series or series[-1][0] != item.as_of:
                continue  # not read at the latest evaluation
            run = _worsening_run(series, min_readings, min_rise)
            if run:
                tail = series[-run:]
                trends.append(
                    SignalTrend(
                        signal=name,
                        as_of=tuple(r[0] for r in tail),
                        severities=tuple(r[1] for r in tail),
                        values=tuple(r[2] for r in tail),
                        unit=units.get(name),
                    )
                )
        if trends:
            trends.sort(key=lambda t: (-t.rise, t.signal))
            found.append(CoolingAccount(item.account_id, item.as_of, item.score, tuple(trends)))

    found.sort(key=lambda c: (-c.trends[0].rise, c.account_id))
    logger.debug("green_but_cooling: %d of %d accounts", len(found), len(latest))
    return tuple(found)


# -- band hysteresis ----------------------------------------------------------------------


@attrs.frozen
class _Track:
    stable: Band
    candidate: Band | None = None
    held: int = 0


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"BandHysteresis.{attribute.name} must be a whole number >= 1")


@attrs.frozen
class BandHysteresis:
    """A band changes only when the new band holds for ``k`` consecutive evaluations.

    Parameters
    ----------
    k
        Evaluations in a row the new band must hold before it is shown. ``k = 1`` shows
        every band as scored.
    name
        Source named in the adjustments this adds.

    Notes
    -----
    Per account, the first evaluation's band is shown as scored. Afterwards a band different
    from the one shown is adopted when it has been the scored band for the last ``k``
    evaluations of that account; until then the shown band is kept, the score is left as
    scored, and an :class:`~touchpoint_signals.scoring.Adjustment` (kind ``"hysteresis"``)
    and a first reason say which band was held back and for how long it has held. A scored
    band that changes again before it has held ``k`` times starts its count afresh.

    Hysteresis never holds a band the data no longer support: a move into
    ``insufficient_data``, or to an account without a score, is shown at once. Leaving
    ``insufficient_data`` is held like any other move, so an account whose coverage hovers
    around the minimum does not flap into green.

    An account missing from an evaluation is skipped: its count runs over the evaluations
    that scored it. Scorer name and configuration hash are kept as scored; the adjustment
    names this object (``hysteresis(k=2)``).

    Examples
    --------
    >>> import datetime as dt
    >>> from touchpoint_signals.scoring import Band, HealthScore, Scores
    >>> def hs(day, band, score):
    ...     return HealthScore("acme", dt.datetime(2026, 5, day, tzinfo=dt.UTC), score, band,
    ...                        1.0, (), ("-",), "fake", "0")
    >>> raw = [(Band.GREEN, 72.0), (Band.YELLOW, 68.0), (Band.GREEN, 71.0),
    ...        (Band.YELLOW, 66.0), (Band.YELLOW, 64.0)]
    >>> history = [Scores((hs(day, band, score),)) for day, (band, score) in enumerate(raw, 1)]
    >>> [s.items[0].band.value for s in BandHysteresis(k=2).apply(history)]
    ['green', 'green', 'green', 'green', 'yellow']
    """

    k: int = attrs.field(default=2, validator=_positive)
    name: str = "hysteresis"

    @property
    def source(self) -> str:
        """How adjustments name this hysteresis."""
        return f"{self.name}(k={self.k})"

    def apply(self, history: Sequence[Scores]) -> tuple[Scores, ...]:
        """The history with stabilised bands, one :class:`Scores` per evaluation, in order.

        Raises
        ------
        DataError
            If the evaluations are not in ``as_of`` order, one mixes instants, or one scores
            an account twice.
        """
        _check_order(history)
        tracks: dict[str, _Track] = {}
        result = []
        for position, scores in enumerate(history):
            _by_account(scores, f"history[{position}]")
            items = []
            for item in scores:
                track, shown = self._step(tracks.get(item.account_id), item)
                tracks[item.account_id] = track
                items.append(shown)
            result.append(Scores(tuple(items)))
        return tuple(result)

    def stable_bands(self, history: Sequence[Scores]) -> list[dict[str, Band]]:
        """Only the bands :meth:`apply` shows: per evaluation, account id to band."""
        return [{item.account_id: item.band for item in s} for s in self.apply(history)]

    def _step(self, track: _Track | None, item: HealthScore) -> tuple[_Track, HealthScore]:
        scored = item.band
        immediate = scored is Band.INSUFFICIENT_DATA or item.score is None
        if track is None or immediate or scored is track.stable:
            return _Track(scored), item

        held = track.held + 1 if scored is track.candidate else 1
        if held >= self.k:
            return _Track(scored), item

        description = (
            f"band held at {track.stable.value}: scored {scored.value}, which must hold for "
            f"{self.k} evaluations in a row ({held} so far)"
        )
        adjustment = Adjustment(
            kind="hysteresis",
            source=self.source,
            description=description,
            band_before=scored,
            band_after=track.stable,
        )
        shown = attrs.evolve(
            item,
            band=track.stable,
            adjustments=(*item.adjustments, adjustment),
            reasons=(description, *item.reasons),
        )
        return _Track(track.stable, scored, held), shown
