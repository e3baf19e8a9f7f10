"""Scorecards from plain data: a TOML file or a dict, validated on load.

A scorecard file says which signals count, how much, what to do when one is missing, where
the bands start, and how segments differ. Loading it executes no code: extractors and tone
models are referred to by the names they are registered under
(:mod:`touchpoint_signals.scoring.registry`), and their options are plain values. Every error
names the key path and what was expected there, for example
``scorecard.signals.attendance.weight: expected a number > 0, got -1``.

The file::

    name = "cs-health-v1"
    min_coverage = 0.5          # below this share of weight with data: insufficient_data
    top_reasons = 3

    [thresholds]
    green_min = 70
    yellow_min = 40

    [signals.attendance]
    weight = 3
    group = "engagement"
    missing = "exclude"         # exclude | neutral | worst | fail
    extractor = { params = { streak_threshold = 3 } }

    [signals.sentiment_shift]   # a second tone signal, scored by VADER
    weight = 1
    extractor = { name = "tone_shift", params = { model = "vader" } }

    [segments.high_touch]
    thresholds = { green_min = 75, yellow_min = 45 }
    weights = { attendance = 4 }

    [[rules]]                   # after the score; bands only ever move toward risk
    name = "missed_streak"
    signal = "attendance"
    field = "value"
    op = ">="
    threshold = 3
    action = "cap_band"
    band = "yellow"

    [[overrides]]               # a CSM's word, applied last, always with an expiry
    account_id = "acme"
    author = "dana@example.com"
    reason = "renewal signed; signals lag"
    band = "green"
    expires_at = 2026-09-30T00:00:00Z

A signal's key is its name in the scores. Its extractor is the one registered under that
name unless ``extractor.name`` names another, which is then built under the signal's name, so
one extractor can feed two signals with different options. The order of keys does not
matter: the signals of a ``[signals]`` table are kept sorted by name, so the same scorecard
written in another order has the same configuration hash. ``signals`` may also be an array of
tables each with a ``signal`` key, in the order wanted; that is the form
:meth:`~touchpoint_signals.scoring.scorecard.Scorecard.config` returns, so a scorecard's own
configuration loads back into an equal scorecard with the same hash. With ``[[rules]]`` or
``[[overrides]]`` (the fields of :class:`~touchpoint_signals.scoring.rules.Rule` and
:class:`~touchpoint_signals.scoring.overrides.Override`), :attr:`ScorecardConfig.scorer` is a
:class:`~touchpoint_signals.scoring.compose.Sequence` of the scorecard, the rules and the
overrides. Rules may test only the scorecard's own signals.

Examples
--------
>>> card = scorecard_from_mapping(
...     {"name": "demo", "signals": {"attendance": {"weight": 3}, "cadence": {"weight": 1}}}
... )
>>> [(s.signal, s.weight) for s in card.signals]
[('attendance', 3.0), ('cadence', 1.0)]
>>> scorecard_from_mapping({"signals": {"attendance": {"weight": -1}}})
Traceback (most recent call last):
...
touchpoint_signals.errors.ConfigError: scorecard.signals.attendance.weight: expected a number \
> 0, got -1
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import tomllib
from collections.abc import Mapping
from typing import Any

import attrs

from touchpoint_signals.errors import ConfigError, TouchpointSignalsError, UnknownNameError
from touchpoint_signals.model import DEFAULT_CATALOG, Catalog
from touchpoint_signals.scoring.base import Scorer, config_hash
from touchpoint_signals.scoring.compose import Sequence
from touchpoint_signals.scoring.registry import extractor_names, make_extractor, make_scorer
from touchpoint_signals.scoring.scorecard import (
    MISSING_POLICIES,
    BandThresholds,
    Scorecard,
    SegmentOverride,
    SignalWeight,
)
from touchpoint_signals.signals.base import Extractor

__all__ = [
    "ScorecardConfig",
    "extractors_for",
    "load_scorecard",
    "scorecard_from_mapping",
    "scorecard_from_toml",
]

logger = logging.getLogger(__name__)

_TOP_KEYS = (
    "kind",
    "name",
    "min_coverage",
    "top_reasons",
    "thresholds",
    "signals",
    "segments",
    "rules",
    "overrides",
)
_SIGNAL_KEYS = ("weight", "group", "missing", "neutral_severity", "extractor")
_THRESHOLD_KEYS = ("green_min", "yellow_min")
_SEGMENT_KEYS = ("weights", "thresholds")
_EXTRACTOR_KEYS = ("name", "params")


@attrs.frozen
class ScorecardConfig:
    """A loaded scorecard file: the scorer, the extractors it needs, and its plain data.

    Attributes
    ----------
    scorecard
        The :class:`~touchpoint_signals.scoring.scorecard.Scorecard`.
    extractors
        One configured extractor per signal of the scorecard, in its order, named after the
        signal: what to run to get the signals it scores.
    data
        The whole configuration as canonical plain data: the scorer's ``config()`` and, per
        signal, the registered extractor name and its options.
    scorer
        What to score with: the scorecard itself, or, when the file has ``[[rules]]`` or
        ``[[overrides]]``, a :class:`~touchpoint_signals.scoring.compose.Sequence` of the
        scorecard, then the rules, then the overrides, named after the scorecard.
    """

    scorecard: Scorecard
    extractors: tuple[Extractor, ...]
    data: Mapping[str, Any]
    scorer: Scorer

    @property
    def config_hash(self) -> str:
        """Hash of :attr:`data`: changes with the scorecard *and* with extractor options.

        The scorecard's own hash (carried by every health score) covers weights, policies,
        thresholds and segments; this one also covers what the signals were extracted with.
        """
        return config_hash(self.data)


# -- small checks --------------------------------------------------------------------------


def _table(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: expected a table, got {value!r}")
    return value


def _known_keys(table: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"{path}.{key}: unknown key, expected one of {', '.join(allowed)}"
            )


def _number(value: object, path: str, *, low: float, high: float, low_open: bool) -> float:
    """A finite number in ``(low, high]`` or ``[low, high]``; the error says which."""
    lower = f"> {low:g}" if low_open else f">= {low:g}"
    expected = f"a number {lower}" if math.isinf(high) else f"a number {lower} and <= {high:g}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: expected {expected}, got {value!r}")
    number = float(value)
    too_low = number <= low if low_open else number < low
    if not math.isfinite(number) or too_low or number > high:
        raise ConfigError(f"{path}: expected {expected}, got {value!r}")
    return number


def _name(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: expected a non-empty string, got {value!r}")
    return value


def _built(path: str, factory: Any, *args: Any, **kwargs: Any) -> Any:
    """``factory(...)``, its own validation errors prefixed with ``path``."""
    try:
        return factory(*args, **kwargs)
    except (TouchpointSignalsError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


# -- the parts -----------------------------------------------------------------------------


def _thresholds(value: object, path: str) -> BandThresholds:
    table = _table(value, path)
    _known_keys(table, _THRESHOLD_KEYS, path)
    bounds = {
        key: _number(table[key], f"{path}.{key}", low=0.0, high=100.0, low_open=False)
        for key in _THRESHOLD_KEYS
        if key in table
    }
    thresholds: BandThresholds = _built(path, BandThresholds, **bounds)
    return thresholds


def _signal_entries(value: object, path: str) -> list[tuple[str, str, Mapping[str, Any]]]:
    """``(signal, key path, settings)`` per signal, from the table or the array form.

    A table's signals are sorted by name, since the order of a table's keys must not change
    the scorecard; an array's keep the array's order, which is the scorecard's.
    """
    entries: list[tuple[str, str, Mapping[str, Any]]] = []
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            table = dict(_table(item, where))
            signal = _name(table.pop("signal", None), f"{where}.signal")
            entries.append((signal, where, table))
    elif isinstance(value, Mapping):
        for signal, item in sorted(value.items()):
            where = f"{path}.{signal}"
            entries.append((_name(signal, where), where, _table(item, where)))
    else:
        raise ConfigError(
            f"{path}: expected a table of signals ([signals.attendance] weight = 3, ...) "
            f"or an array of tables with a signal key, got {value!r}"
        )

    if not entries:
        raise ConfigError(f"{path}: expected at least one signal, got none")
    seen: dict[str, str] = {}
    for signal, where, _ in entries:
        if signal in seen:
            raise ConfigError(
                f"{where}.signal: {signal!r} is listed twice (also {seen[signal]})"
            )
        seen[signal] = where
    return entries


def _signal(signal: str, table: Mapping[str, Any], path: str) -> SignalWeight:
    _known_keys(table, _SIGNAL_KEYS, path)
    if "weight" not in table:
        raise ConfigError(f"{path}.weight: missing, expected a number > 0")
    settings: dict[str, Any] = {
        "weight": _number(
            table["weight"], f"{path}.weight", low=0.0, high=math.inf, low_open=True
        )
    }

    group = table.get("group")
    if group is not None:
        settings["group"] = _name(group, f"{path}.group")
    if "missing" in table:
        missing = table["missing"]
        if missing not in MISSING_POLICIES:
            expected = ", ".join(MISSING_POLICIES)
            raise ConfigError(f"{path}.missing: expected one of {expected}, got {missing!r}")
        settings["missing"] = missing
    if "neutral_severity" in table:
        settings["neutral_severity"] = _number(
            table["neutral_severity"],
            f"{path}.neutral_severity",
            low=0.0,
            high=1.0,
            low_open=False,
        )

    weight: SignalWeight = _built(path, SignalWeight, signal, **settings)
    return weight


def _extractor_spec(
    signal: str, table: Mapping[str, Any], path: str, *, required: bool
) -> tuple[str, Any] | None:
    """The registered name and the options of a signal's extractor.

    ``None`` for a signal that names no extractor and is no registered extractor's name,
    when extractors are not ``required`` (the caller runs its own).
    """
    where = f"{path}.extractor"
    spec = table.get("extractor", {})
    if isinstance(spec, str):
        spec = {"name": spec}
    spec = _table(spec, where)
    _known_keys(spec, _EXTRACTOR_KEYS, where)

    registered = spec.get("name", signal)
    known = extractor_names()
    if not isinstance(registered, str) or registered not in known:
        if "name" not in spec:
            if not required:
                return None
            raise ConfigError(
                f"{where}.name: no extractor is registered as {signal!r}, so name the one that "
                f"makes this signal, expected one of {', '.join(known)}"
            )
        raise ConfigError(
            f"{where}.name: expected a registered extractor name, one of {', '.join(known)}; "
            f"got {registered!r}"
        )
    params = _table(spec.get("params", {}), f"{where}.params")
    if "name" in params:
        raise ConfigError(
            f"{where}.params.name: unknown option here, expected none: the signal's name is "
            f"the key of its table ({signal!r})"
        )
    return registered, params


def _extractor(signal: str, registered: str, params: Mapping[str, Any], path: str) -> Extractor:
    where = f"{path}.extractor"
    try:
        extractor = make_extractor(registered, params, path=f"{where}.params")
    except UnknownNameError as exc:
        raise ConfigError(f"{where}.name: {exc}") from None

    if extractor.name != signal:
        cls: Any = type(extractor)
        if not (attrs.has(cls) and "name" in attrs.fields_dict(cls)):
            raise ConfigError(
                f"{where}.name: the {registered} extractor makes the signal "
                f"{extractor.name!r} and cannot be renamed {signal!r}; call the signal "
                f"{extractor.name!r}"
            )
        extractor = _built(where, attrs.evolve, extractor, name=signal)
    return extractor


def _segment(
    segment: str, value: object, signals: tuple[str, ...], path: str
) -> SegmentOverride:
    table = _table(value, path)
    _known_keys(table, _SEGMENT_KEYS, path)

    weights: dict[str, float] = {}
    for signal, weight in _table(table.get("weights", {}), f"{path}.weights").items():
        where = f"{path}.weights.{signal}"
        if signal not in signals:
            raise ConfigError(
                f"{where}: unknown signal, expected one of the scorecard's signals "
                f"({', '.join(signals)})"
            )
        weights[signal] = _number(weight, where, low=0.0, high=math.inf, low_open=False)

    thresholds = table.get("thresholds")
    override: SegmentOverride = _built(
        path,
        SegmentOverride,
        weights=dict(sorted(weights.items())),
        thresholds=None
        if thresholds is None
        else _thresholds(thresholds, f"{path}.thresholds"),
    )
    return override


# -- loading -------------------------------------------------------------------------------


def load_scorecard(
    source: Mapping[str, Any] | str | os.PathLike[str],
    *,
    path: str | None = None,
    catalog: Catalog | None = None,
) -> ScorecardConfig:
    """Validate a scorecard and build it with the extractors its signals need.

    Parameters
    ----------
    source
        The scorecard as plain data, in the form of the module docstring (what
        :func:`tomllib.load` returns for a scorecard file), or the path of a TOML file.
    path
        Key path of the scorecard in error messages: ``"scorecard"`` for plain data and the
        file's path for a file, by default.
    catalog
        The segments a ``[segments.NAME]`` table may name (the built-in catalog when
        ``None``), so that a misspelt segment is an error instead of a table no account
        ever reads.

    Raises
    ------
    ConfigError
        Anything malformed; the message names the key path and what was expected.
    """
    if isinstance(source, str | os.PathLike):
        return _load(
            _read_toml(source), os.fspath(source) if path is None else path, catalog=catalog
        )
    return _load(source, "scorecard" if path is None else path, catalog=catalog)


def _load(
    data: Mapping[str, Any],
    path: str,
    *,
    extractors: bool = True,
    catalog: Catalog | None = None,
) -> ScorecardConfig:
    data = _table(data, path)
    _known_keys(data, _TOP_KEYS, path)
    if "kind" in data and data["kind"] != "scorecard":
        raise ConfigError(f"{path}.kind: expected 'scorecard', got {data['kind']!r}")
    if "signals" not in data:
        raise ConfigError(
            f"{path}.signals: missing, expected a table of signals "
            "([signals.attendance] weight = 3, ...)"
        )

    entries = _signal_entries(data["signals"], f"{path}.signals")
    weights = tuple(_signal(signal, table, where) for signal, where, table in entries)
    specs = {
        signal: spec
        for signal, where, table in entries
        if (spec := _extractor_spec(signal, table, where, required=extractors)) is not None
    }
    built = tuple(
        _extractor(signal, *specs[signal], where)
        for signal, where, _ in entries
        if signal in specs
    )

    signal_names = tuple(signal for signal, _, _ in entries)
    known_segments = (DEFAULT_CATALOG if catalog is None else catalog).segment_names
    for segment in _table(data.get("segments", {}), f"{path}.segments"):
        if segment not in known_segments:
            raise ConfigError(
                f"{path}.segments.{segment}: unknown segment, expected one of "
                f"{', '.join(known_segments)} (a team's own segments are named in a catalog: "
                "pass catalog=, or --catalog on the command line)"
            )
    segments = {
        _name(segment, f"{path}.segments.{segment}"): _segment(
            segment, value, signal_names, f"{path}.segments.{segment}"
        )
        for segment, value in sorted(
            _table(data.get("segments", {}), f"{path}.segments").items()
        )
    }

    settings: dict[str, Any] = {"signals": weights, "segments": segments}
    if "name" in data:
        settings["name"] = _name(data["name"], f"{path}.name")
    if "thresholds" in data:
        settings["thresholds"] = _thresholds(data["thresholds"], f"{path}.thresholds")
    if "min_coverage" in data:
        settings["min_coverage"] = _number(
            data["min_coverage"], f"{path}.min_coverage", low=0.0, high=1.0, low_open=False
        )
    if "top_reasons" in data:
        top = data["top_reasons"]
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise ConfigError(f"{path}.top_reasons: expected an integer >= 1, got {top!r}")
        settings["top_reasons"] = top
    scorecard: Scorecard = _built(path, Scorecard, **settings)
    scorer = _with_adjusters(scorecard, data, signal_names, path)

    plain = {
        "scorer": scorer.config(),
        "extractors": {
            signal: {"name": registered, "params": _plain(params)}
            for signal, (registered, params) in specs.items()
        },
    }
    logger.debug("loaded scorecard %r: %d signals", scorecard.name, len(weights))
    return ScorecardConfig(scorecard, built, plain, scorer)


def _with_adjusters(
    scorecard: Scorecard, data: Mapping[str, Any], signals: tuple[str, ...], path: str
) -> Scorer:
    """The scorecard followed by the file's rules and overrides, if it has any."""
    parts: list[tuple[str, Scorer]] = [("scorecard", scorecard)]

    rules = data.get("rules", [])
    if not isinstance(rules, list | tuple):
        raise ConfigError(
            f"{path}.rules: expected an array of tables ([[rules]]), got {rules!r}"
        )
    if rules:
        built = make_scorer("rules", {"rules": rules}, path=path)
        for index, rule in enumerate(built.rules):  # type: ignore[attr-defined]
            if rule.signal not in signals:
                raise ConfigError(
                    f"{path}.rules[{index}].signal: unknown signal {rule.signal!r}, expected "
                    f"one of the scorecard's signals ({', '.join(signals)})"
                )
        parts.append(("rules", built))

    overrides = data.get("overrides", [])
    if not isinstance(overrides, list | tuple):
        raise ConfigError(
            f"{path}.overrides: expected an array of tables ([[overrides]]), got {overrides!r}"
        )
    if overrides:
        options = {"overrides": overrides, "thresholds": scorecard.thresholds}
        parts.append(("overrides", make_scorer("overrides", options, path=path)))

    if len(parts) == 1:
        return scorecard
    sequence: Scorer = _built(path, Sequence, parts=parts, name=scorecard.name)
    return sequence


def _plain(value: Any) -> Any:
    """Options as JSON data with tables sorted by key, so key order cannot change the hash."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def scorecard_from_mapping(
    data: Mapping[str, Any], path: str = "scorecard", *, catalog: Catalog | None = None
) -> Scorecard:
    """The :class:`~touchpoint_signals.scoring.scorecard.Scorecard` that ``data`` describes.

    Every key is validated, and so is every extractor table given. A signal that names no
    extractor and is not the name of a registered one is accepted here, since the caller may
    run an extractor of its own under that name (this is what lets
    ``scorecard_from_mapping(card.config(), catalog=...)`` rebuild any scorecard);
    :func:`load_scorecard` and :func:`extractors_for`, which must build an extractor for every
    signal, refuse it. Segments are checked against ``catalog`` as :func:`load_scorecard`
    checks them.
    """
    return _load(data, path, extractors=False, catalog=catalog).scorecard


def _read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{os.fspath(path)}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{os.fspath(path)}: cannot read the scorecard: {exc}") from None


def scorecard_from_toml(
    path: str | os.PathLike[str], *, catalog: Catalog | None = None
) -> Scorecard:
    """Read a scorecard file (see the module docstring for its form).

    Error messages start with the file's path in place of ``scorecard``. As with
    :func:`scorecard_from_mapping`, a signal may name no extractor; segments are checked
    against ``catalog``.
    """
    return _load(_read_toml(path), os.fspath(path), extractors=False, catalog=catalog).scorecard


def extractors_for(
    config: ScorecardConfig | Mapping[str, Any] | str | os.PathLike[str],
) -> tuple[Extractor, ...]:
    """The extractors to run for a scorecard, configured as its file says.

    ``config`` is a loaded :class:`ScorecardConfig`, a scorecard's plain data, or the path of
    a scorecard file. Each extractor is named after the signal it makes, in the scorecard's
    order.

    Examples
    --------
    >>> [e.name for e in extractors_for({"signals": {"tone_shift": {"weight": 1}}})]
    ['tone_shift']
    """
    if isinstance(config, ScorecardConfig):
        return config.extractors
    return load_scorecard(config).extractors
