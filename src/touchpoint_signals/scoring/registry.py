"""Scorers, extractors and tone models by name: the built-ins and those of installed plugins.

A scorecard file refers to the code it needs by registered name only, so that loading it
executes nothing but the constructors of registered classes. Another package adds a scorer,
an extractor or a tone model without forking by declaring an entry point in one of three
groups, whose object is a class (or any callable taking keyword options) that builds it:

========================================  ==========================================
group                                     what the object builds
========================================  ==========================================
``touchpoint_signals.scorers``            a :class:`~touchpoint_signals.scoring.Scorer`
``touchpoint_signals.extractors``         a :class:`~touchpoint_signals.signals.Extractor`
``touchpoint_signals.tone_models``        a :class:`~touchpoint_signals.tone.ToneModel`
========================================  ==========================================

For example, in the plugin's ``pyproject.toml``::

    [project.entry-points."touchpoint_signals.extractors"]
    nps_trend = "acme_signals.nps:NpsTrend"

``make_extractor("nps_trend", {"window_days": 60})`` then builds ``NpsTrend(window_days=60)``.
Built-ins are imported only when asked for, so importing the library stays cheap, and a
plugin that claims a built-in's name is ignored with a warning in the log: the built-in wins.

Options are plain data (what a TOML table holds). For an attrs class, each option is checked
against the type of the field it sets before the class is built, and a few library types are
built from plain data: a table for a :class:`~touchpoint_signals.signals.DriftWindows` or a
:class:`~touchpoint_signals.calendar.BusinessCalendar` (keys left out keep the field's
default), a registered name or a ``{name, params}`` table for a tone model, and a file path
for a :class:`~touchpoint_signals.tone.ToneLexicon`. Errors name the key path of the option
and what was expected there.

Examples
--------
>>> "attendance" in extractor_names()
True
>>> make_extractor("attendance", {"streak_threshold": 4}).streak_threshold
4
>>> make_extractor("attendance", {"streak": 4})
Traceback (most recent call last):
...
touchpoint_signals.errors.ConfigError: attendance.streak: unknown option of the attendance \
extractor, expected one of name, streak_threshold, min_meetings, recent_days, baseline_days, \
prior_strength, prior_rate, fallback_prior_rate
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import importlib.util
import inspect
import logging
import os
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import attrs

from touchpoint_signals.errors import (
    ConfigError,
    ProtocolError,
    TouchpointSignalsError,
    UnknownNameError,
)
from touchpoint_signals.signals.base import Extractor
from touchpoint_signals.tone import ToneModel

if typing.TYPE_CHECKING:
    from touchpoint_signals.scoring.base import Scorer

__all__ = [
    "EXTRACTOR_GROUP",
    "SCORER_GROUP",
    "TONE_MODEL_GROUP",
    "extractor_names",
    "make_extractor",
    "make_scorer",
    "make_tone_model",
    "scorer_names",
    "tone_model_names",
]

logger = logging.getLogger(__name__)

#: Entry-point group under which other packages register scorers.
SCORER_GROUP = "touchpoint_signals.scorers"
#: Entry-point group under which other packages register signal extractors.
EXTRACTOR_GROUP = "touchpoint_signals.extractors"
#: Entry-point group under which other packages register tone models.
TONE_MODEL_GROUP = "touchpoint_signals.tone_models"


@attrs.frozen
class _Builtin:
    """Where a built-in lives (``module:attribute``) and what it needs.

    ``whole_mapping`` marks a factory that takes the options as one mapping and a key path
    (the scorecard, whose options are a whole scorecard table); ``requires`` names an
    optional package that must be importable, with the extra that installs it.
    """

    target: str
    whole_mapping: bool = False
    requires: tuple[str, str] | None = None


_SCORERS: dict[str, _Builtin] = {
    "scorecard": _Builtin("touchpoint_signals.scoring.config:scorecard_from_mapping", True),
    "rules": _Builtin("touchpoint_signals.scoring.rules:Rules"),
    "overrides": _Builtin("touchpoint_signals.scoring.overrides:Overrides"),
}

_EXTRACTORS: dict[str, _Builtin] = {
    "attendance": _Builtin("touchpoint_signals.signals.attendance:Attendance"),
    "customer_reply_latency": _Builtin(
        "touchpoint_signals.signals.latency:CustomerReplyLatency"
    ),
    "vendor_response_latency": _Builtin(
        "touchpoint_signals.signals.latency:VendorResponseLatency"
    ),
    "tone_shift": _Builtin("touchpoint_signals.signals.tone:ToneShift"),
    "cadence": _Builtin("touchpoint_signals.signals.cadence:CadenceAdherence"),
    "fatigue": _Builtin("touchpoint_signals.signals.fatigue:TouchpointFatigue"),
    "purpose_outcome": _Builtin("touchpoint_signals.signals.purpose:PurposeOutcome"),
    "satisfaction": _Builtin("touchpoint_signals.signals.satisfaction:Satisfaction"),
}

_TONE_MODELS: dict[str, _Builtin] = {
    "lexicon": _Builtin("touchpoint_signals.tone:LexiconToneModel"),
    "vader": _Builtin(
        "touchpoint_signals.tone_vader:VaderToneModel",
        requires=("vaderSentiment", "vader"),
    ),
}


@attrs.frozen
class _Kind:
    """One of the three registries: its word in messages, group, built-ins and protocol."""

    word: str
    group: str
    builtins: Mapping[str, _Builtin]
    shape: str


_SCORER = _Kind("scorer", SCORER_GROUP, _SCORERS, "a name, config() and score()")
_EXTRACTOR = _Kind("extractor", EXTRACTOR_GROUP, _EXTRACTORS, "a name and extract(log, as_of)")
_TONE_MODEL = _Kind("tone model", TONE_MODEL_GROUP, _TONE_MODELS, "a name and score(texts)")


# -- finding -------------------------------------------------------------------------------


def _plugins(kind: _Kind) -> dict[str, list[metadata.EntryPoint]]:
    """Entry points of ``kind``'s group by name (a list: two packages may claim one name)."""
    found: dict[str, list[metadata.EntryPoint]] = {}
    for entry in metadata.entry_points(group=kind.group):
        if entry.name in kind.builtins:
            logger.warning(
                "ignoring the %s entry point %r = %r: %r is a built-in %s",
                kind.group,
                entry.name,
                entry.value,
                entry.name,
                kind.word,
            )
            continue
        found.setdefault(entry.name, []).append(entry)
    return found


def _names(kind: _Kind) -> list[str]:
    return [*kind.builtins, *sorted(_plugins(kind))]


def scorer_names() -> list[str]:
    """Names of every scorer that can be built: built-ins first, then plugins (sorted)."""
    return _names(_SCORER)


def extractor_names() -> list[str]:
    """Names of every extractor that can be built: built-ins first, then plugins (sorted)."""
    return _names(_EXTRACTOR)


def tone_model_names() -> list[str]:
    """Names of every tone model that can be built: built-ins first, then plugins (sorted)."""
    return _names(_TONE_MODEL)


def _import(target: str) -> Any:
    module, _, attribute = target.partition(":")
    obj = importlib.import_module(module)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return obj


def _factory(kind: _Kind, name: str) -> tuple[Any, _Builtin | None]:
    """The object registered as ``name``, and its built-in record if it is a built-in."""
    if name in kind.builtins:
        builtin = kind.builtins[name]
        if builtin.requires is not None:
            package, extra = builtin.requires
            if importlib.util.find_spec(package) is None:
                raise ConfigError(
                    f"the {name} {kind.word} needs the {package} package: "
                    f"pip install 'touchpoint-signals[{extra}]'"
                )
        return _import(builtin.target), builtin

    plugins = _plugins(kind)
    if name not in plugins:
        raise UnknownNameError(
            f"unknown {kind.word} {name!r}: expected one of {', '.join(_names(kind))}"
        )
    entries = plugins[name]
    if len(entries) > 1:
        claims = "; ".join(f"{e.value} ({_distribution(e)})" for e in entries)
        raise ConfigError(
            f"{len(entries)} installed packages register the {kind.word} {name!r}: {claims}; "
            "uninstall all but one"
        )
    try:
        return entries[0].load(), None
    except Exception as exc:
        raise ConfigError(
            f"the {kind.word} {name!r} ({entries[0].value}, from {_distribution(entries[0])}) "
            f"could not be imported: {type(exc).__name__}: {exc}"
        ) from exc


def _distribution(entry: metadata.EntryPoint) -> str:
    dist = entry.dist
    return "an unknown package" if dist is None else f"package {dist.name}"


# -- building ------------------------------------------------------------------------------


def make_scorer(
    name: str, options: Mapping[str, Any] | None = None, *, path: str | None = None
) -> Scorer:
    """Build the scorer registered as ``name`` from plain ``options``.

    Parameters
    ----------
    name
        A name from :func:`scorer_names`. ``"scorecard"`` takes a whole scorecard table
        (see :func:`~touchpoint_signals.scoring.config.scorecard_from_mapping`).
    options
        Keyword options of the scorer's class, as plain data.
    path
        Key path of ``options`` in the caller's configuration, used in error messages;
        ``name`` by default.

    Raises
    ------
    UnknownNameError
        ``name`` is not registered; the message lists the names that are.
    ConfigError
        An option is unknown (the message lists the valid ones) or has a bad value.
    ProtocolError
        The registered object built something that is not a scorer.
    """
    from touchpoint_signals.scoring.base import Scorer

    built = _make(_SCORER, name, options, path)
    if not isinstance(built, Scorer):
        raise ProtocolError(
            f"the scorer {name!r} built a {type(built).__name__}, which lacks {_SCORER.shape}"
        )
    return built


def make_extractor(
    name: str, options: Mapping[str, Any] | None = None, *, path: str | None = None
) -> Extractor:
    """Build the signal extractor registered as ``name`` from plain ``options``.

    Parameters
    ----------
    name
        A name from :func:`extractor_names`.
    options
        Keyword options of the extractor's class, as plain data. ``name`` is one of them for
        every built-in: it renames the signal, so two configured copies can run side by
        side.
    path
        Key path of ``options`` in the caller's configuration, used in error messages;
        ``name`` by default.

    Raises
    ------
    UnknownNameError
        ``name`` is not registered; the message lists the names that are.
    ConfigError
        An option is unknown (the message lists the valid ones) or has a bad value.
    ProtocolError
        The registered object built something that is not an extractor.
    """
    built = _make(_EXTRACTOR, name, options, path)
    if not isinstance(built, Extractor):
        raise ProtocolError(
            f"the extractor {name!r} built a {type(built).__name__}, which lacks "
            f"{_EXTRACTOR.shape}"
        )
    return built


def make_tone_model(
    name: str, options: Mapping[str, Any] | None = None, *, path: str | None = None
) -> ToneModel:
    """Build the tone model registered as ``name`` from plain ``options``.

    ``"vader"`` needs the ``vader`` extra; without it this raises a
    :class:`~touchpoint_signals.errors.ConfigError` that says what to install. See
    :func:`make_extractor` for the parameters and errors.
    """
    built = _make(_TONE_MODEL, name, options, path)
    if not isinstance(built, ToneModel):
        raise ProtocolError(
            f"the tone model {name!r} built a {type(built).__name__}, which lacks "
            f"{_TONE_MODEL.shape}"
        )
    return built


def _make(kind: _Kind, name: str, options: Mapping[str, Any] | None, path: str | None) -> Any:
    where = name if path is None else path
    given = dict(options or {})
    factory, builtin = _factory(kind, name)

    if builtin is not None and builtin.whole_mapping:
        return factory(given, path=where)

    parameters = _parameters(factory)
    if parameters is not None:
        unknown = [key for key in given if key not in parameters]
        if unknown:
            raise ConfigError(
                f"{where}.{unknown[0]}: unknown option of the {name} {kind.word}, expected "
                f"one of {', '.join(parameters) or 'none (it takes no options)'}"
            )
    hints = _hints(factory)
    defaults = _defaults(factory)
    kwargs = {
        key: _convert(value, hints.get(key), defaults.get(key, attrs.NOTHING), f"{where}.{key}")
        for key, value in given.items()
    }

    return _call(factory, kwargs, where, f"the {name} {kind.word}", _required(factory))


def _call(
    factory: Callable[..., Any],
    kwargs: dict[str, Any],
    where: str,
    what: str,
    required: Sequence[str] = (),
) -> Any:
    """``factory(**kwargs)``; a failure is blamed on one option when the evidence is clear.

    An option is blamed when it fails with only the required options beside it, or when it
    is the only option whose removal lets the rest build. Otherwise (options that fail only
    together) the message names the table.
    """
    for key in required:
        if key not in kwargs:
            raise ConfigError(f"{where}.{key}: missing, expected a value for {what}")
    try:
        return factory(**kwargs)
    except (TouchpointSignalsError, ValueError, TypeError) as exc:
        failure = exc
    optional = [key for key in kwargs if key not in required]

    base = {key: kwargs[key] for key in required}
    if _builds(factory, base):
        for key in optional:
            try:
                factory(**base, **{key: kwargs[key]})
            except (TouchpointSignalsError, ValueError, TypeError) as exc:
                raise ConfigError(f"{where}.{key}: {_message(exc)}") from None
    culprits = [
        key
        for key in optional
        if _builds(factory, {k: v for k, v in kwargs.items() if k != key})
    ]
    if len(culprits) == 1:
        raise ConfigError(f"{where}.{culprits[0]}: {_message(failure)}") from None
    raise ConfigError(f"{where}: bad options for {what}: {_message(failure)}") from None


def _builds(factory: Callable[..., Any], kwargs: dict[str, Any]) -> bool:
    try:
        factory(**kwargs)
    except (TouchpointSignalsError, ValueError, TypeError):
        return False
    return True


def _required(factory: Any) -> list[str]:
    """The options ``factory`` cannot be built without."""
    if attrs.has(factory):
        return [f.alias for f in attrs.fields(factory) if f.init and f.default is attrs.NOTHING]
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in signature.parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]


def _message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, TouchpointSignalsError) else f"{exc}"


def _parameters(factory: Any) -> list[str] | None:
    """The keyword options ``factory`` takes, or ``None`` when it takes any (``**kwargs``)."""
    if attrs.has(factory):
        return [f.alias for f in attrs.fields(factory) if f.init]
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return None
    names = []
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            names.append(parameter.name)
    return names


def _hints(factory: Any) -> dict[str, Any]:
    """Resolved annotations of ``factory``'s options; empty when they cannot be resolved."""
    target = factory if attrs.has(factory) or not inspect.isclass(factory) else factory.__init__
    try:
        hints = typing.get_type_hints(target)
    except Exception:
        return {}
    if attrs.has(factory):
        return {f.alias: hints[f.name] for f in attrs.fields(factory) if f.name in hints}
    return hints


def _defaults(factory: Any) -> dict[str, Any]:
    """Default values of an attrs class's fields (factories called), for nested tables."""
    if not attrs.has(factory):
        return {}
    defaults: dict[str, Any] = {}
    for field in attrs.fields(factory):
        default: Any = field.default
        if isinstance(default, _FACTORY):
            if default.takes_self:
                continue
            default = default.factory()
        defaults[field.alias] = default
    return defaults


#: The class of attrs' ``Factory`` defaults (``attrs.Factory`` is typed as a function).
_FACTORY: Any = type(attrs.Factory(list))


# -- plain data to typed values ------------------------------------------------------------

_NUMBER = "a number"


def _convert(value: Any, hint: Any, default: Any, path: str) -> Any:
    """``value`` checked against ``hint`` and built into the library type it stands for.

    Types this does not know are passed through for the class's own validators to judge.
    """
    if hint is None or hint is Any:
        return value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)

    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        rest = [a for a in args if a is not type(None)]
        return _convert(value, rest[0], default, path) if len(rest) == 1 else value
    if origin is Literal:
        if value not in args:
            raise ConfigError(
                f"{path}: expected one of {', '.join(repr(a) for a in args)}, got {value!r}"
            )
        return value
    if origin is tuple:
        return _sequence(value, args, path)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: expected an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{path}: expected {_NUMBER}, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected a string, got {value!r}")
        return value
    if inspect.isclass(hint):
        return _typed(value, hint, default, path)
    return value


def _sequence(value: Any, args: tuple[Any, ...], path: str) -> Any:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise ConfigError(f"{path}: expected an array, got {value!r}")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(
            _convert(item, args[0], attrs.NOTHING, f"{path}[{i}]")
            for i, item in enumerate(value)
        )
    return tuple(value)


def _typed(value: Any, hint: type, default: Any, path: str) -> Any:
    from touchpoint_signals.tone import ToneLexicon

    if isinstance(value, hint) and not isinstance(value, Mapping):
        return value
    if hint is ToneModel:
        return _tone_model(value, path)
    if hint is ToneLexicon:
        if not isinstance(value, str | os.PathLike):
            raise ConfigError(
                f"{path}: expected the path of a lexicon TOML file, got {value!r}"
            )
        try:
            return ToneLexicon.from_toml(Path(value))
        except (OSError, TouchpointSignalsError, ValueError, KeyError) as exc:
            raise ConfigError(f"{path}: cannot read the lexicon {value!r}: {exc}") from None
    if issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            valid = ", ".join(repr(m.value) for m in hint)
            raise ConfigError(f"{path}: expected one of {valid}, got {value!r}") from None
    if hint in (dt.date, dt.datetime, dt.tzinfo):
        return value
    if attrs.has(hint):
        return _attrs_table(value, hint, default, path)
    return value


def _attrs_table(value: Any, hint: type, default: Any, path: str) -> Any:
    """A nested attrs object from a table; keys left out keep the field's default."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: expected a table of {hint.__name__} options, got {value!r}")
    parameters = _parameters(hint) or []
    for key in value:
        if key not in parameters:
            raise ConfigError(
                f"{path}.{key}: unknown option of {hint.__name__}, expected one of "
                f"{', '.join(parameters)}"
            )
    hints = _hints(hint)
    defaults = _defaults(hint)
    kwargs = {
        key: _convert(item, hints.get(key), defaults.get(key, attrs.NOTHING), f"{path}.{key}")
        for key, item in value.items()
    }

    if isinstance(default, hint):
        base: Any = default

        def factory(**options: Any) -> Any:
            return attrs.evolve(base, **options)

        return _call(factory, kwargs, path, hint.__name__)
    return _call(hint, kwargs, path, hint.__name__, _required(hint))


def _tone_model(value: Any, path: str) -> ToneModel:
    """A tone model from its registered name or a ``{name = ..., params = {...}}`` table."""
    if isinstance(value, str):
        try:
            return make_tone_model(value, {}, path=path)
        except UnknownNameError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{path}: expected a tone model name ({', '.join(tone_model_names())}) or a table "
            f"with name and params, got {value!r}"
        )
    for key in value:
        if key not in ("name", "params"):
            raise ConfigError(f"{path}.{key}: unknown key, expected one of name, params")
    name = value.get("name")
    if not isinstance(name, str):
        raise ConfigError(
            f"{path}.name: expected a tone model name ({', '.join(tone_model_names())}), "
            f"got {name!r}"
        )
    params = value.get("params", {})
    if not isinstance(params, Mapping):
        raise ConfigError(f"{path}.params: expected a table of options, got {params!r}")
    try:
        return make_tone_model(name, params, path=f"{path}.params")
    except UnknownNameError as exc:
        raise ConfigError(f"{path}.name: {exc}") from None
