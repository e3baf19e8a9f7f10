"""Rules: conditions on signals that cap or set an account's band, each explained.

A :class:`Rule` is plain data: a signal, a field of its reading, a comparison, a threshold,
an action and a band, with a reason template. ``Rule("missed_streak", "attendance",
"streak", ">=", 3, "cap_band", "yellow", "{value:.0f} meetings in a row missed")`` says
*three missed meetings in a row cap the account at yellow*. :class:`Rules` applies a list of
them to the health scores of an earlier scorer (it needs a ``prior``; use it after one in a
:class:`~touchpoint_signals.scoring.compose.Sequence`).

What a rule does
----------------
Rules move bands toward risk only: no rule ever makes a band greener. The two actions differ
in what they do with an account whose band is ``insufficient_data``:

=====================  ==========  =======  ==========  =======
band before            cap yellow  cap red  set yellow  set red
=====================  ==========  =======  ==========  =======
green                  yellow      red      yellow      red
yellow                 yellow      red      yellow      red
red                    red         red      red         red
insufficient_data      unchanged   unchanged  yellow*   red
=====================  ==========  =======  ==========  =======

``cap_band`` bounds a band that was measured; it does not invent one for an account the
scorer could not read. ``set_band`` treats the rule's own signal as enough evidence to give
such an account a band. (*) A health score without a score can only be red or
``insufficient_data``, so ``set yellow`` leaves an account that has no score as it is.

The score is never changed: a capped account keeps the score its signals earned, and the
band no longer follows from the score's thresholds. The :class:`Adjustment` recorded on the
health score keeps both bands, and the reason line names the rule, so a reader sees why a
score of 82 is yellow.

A rule fires when its signal's reading for the account is ``ok`` and the comparison holds. A
reading with insufficient data never fires a rule, and neither does a NaN. A rule that fires
but leaves the band as it was (capping a red account at yellow) records nothing; a rule that
changes the band adds an :class:`Adjustment` and puts its reason line first among the
reasons. Rules are applied in the order given; since each only moves bands toward risk, the
final band does not depend on that order (the list of adjustments does).

Examples
--------
>>> rule = Rule("missed_streak", "attendance", "streak", ">=", 3, "cap_band", "yellow",
...             "{value:.0f} meetings in a row missed")
>>> rule.band.value, rule.holds(3.0), rule.holds(2.0)
('yellow', True, False)
"""

from __future__ import annotations

import logging
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError, UnknownNameError
from touchpoint_signals.scoring.base import (
    Adjustment,
    Band,
    HealthScore,
    Scores,
    SignalSet,
    config_hash,
    paused_gc,
    require_prior,
)
from touchpoint_signals.scoring.compose import aligned, restamp

__all__ = ["ACTIONS", "COMPARISONS", "READING_FIELDS", "Rule", "Rules", "apply_band_action"]

logger = logging.getLogger(__name__)

Comparison = Literal[">=", ">", "<=", "<", "=="]
Action = Literal["cap_band", "set_band"]

#: The comparisons a rule may use, with what they compute.
COMPARISONS: Mapping[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}

#: The actions a rule may take (see the module docstring for their table).
ACTIONS: tuple[Action, ...] = ("cap_band", "set_band")

#: Fields of a reading a rule may test besides the keys of its ``details``.
READING_FIELDS: tuple[str, ...] = ("value", "severity")

#: How green each traffic-light band is; ``insufficient_data`` is not on this scale.
_GREENNESS: Mapping[Band, int] = {Band.RED: 0, Band.YELLOW: 1, Band.GREEN: 2}

#: The names a reason template may use.
_TEMPLATE_FIELDS = ("rule", "signal", "field", "value", "op", "threshold", "band")


def _non_blank(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be a non-empty string, "
            f"got {value!r}"
        )


def _to_band(value: object) -> Band:
    try:
        return Band(str(value))
    except ValueError:
        raise ConfigError(f"a rule's band must be yellow or red, got {value!r}") from None


def _check_band(instance: Rule, attribute: attrs.Attribute[Band], value: Band) -> None:
    if value not in (Band.YELLOW, Band.RED):
        raise ConfigError(
            f"rule {instance.name!r}: band must be yellow or red (a rule never makes a band "
            f"greener, so {value.value} would change nothing), got {value.value!r}"
        )


def _check_op(instance: Rule, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in COMPARISONS:
        raise ConfigError(
            f"rule {instance.name!r}: op must be one of {', '.join(COMPARISONS)}, got {value!r}"
        )


def _check_action(instance: Rule, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in ACTIONS:
        raise ConfigError(
            f"rule {instance.name!r}: action must be one of {', '.join(ACTIONS)}, got {value!r}"
        )


def _check_threshold(instance: Rule, attribute: attrs.Attribute[float], value: object) -> None:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
    ):
        raise ConfigError(
            f"rule {instance.name!r}: threshold must be a finite number, got {value!r}"
        )


def _check_template(instance: Rule, attribute: attrs.Attribute[str], value: object) -> None:
    _non_blank(instance, attribute, value)
    try:
        str(value).format(**dict.fromkeys(_TEMPLATE_FIELDS, 1.0))
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"rule {instance.name!r}: reason template {value!r} cannot be filled ({exc!r}); "
            f"it may use {', '.join('{' + f + '}' for f in _TEMPLATE_FIELDS)}"
        ) from None


@attrs.frozen
class Rule:
    """A condition on one signal and what it does to the band when it holds.

    Parameters
    ----------
    name : str
        Names the rule in reasons and adjustments (``"missed_streak"``).
    signal : str
        The extractor name of the signal tested (``"attendance"``).
    field : str
        ``"value"``, ``"severity"``, or a key of the reading's ``details``
        (``"streak"``). A details key called ``value`` or ``severity`` cannot be tested.
    op : {">=", ">", "<=", "<", "=="}
        How the field is compared with ``threshold``: the rule holds when
        ``field op threshold``.
    threshold : float
        What the field is compared with.
    action : {"cap_band", "set_band"}
        What the rule does when it holds; see the module docstring.
    band : Band or str
        ``"yellow"`` or ``"red"``.
    reason : str
        The sentence a CSM reads, a :meth:`str.format` template that may use ``{rule}``,
        ``{signal}``, ``{field}``, ``{value}`` (the number tested), ``{op}``,
        ``{threshold}`` and ``{band}``. The line shown is ``"rule <name>: <reason>"``.
    """

    name: str = attrs.field(validator=_non_blank)
    signal: str = attrs.field(validator=_non_blank)
    field: str = attrs.field(validator=_non_blank)
    op: Comparison = attrs.field(validator=_check_op)
    threshold: float = attrs.field(validator=_check_threshold)
    action: Action = attrs.field(validator=_check_action)
    band: Band = attrs.field(converter=_to_band, validator=_check_band)
    reason: str = attrs.field(
        default="{signal} {field} is {value:g} ({op} {threshold:g})",
        validator=_check_template,
    )

    def holds(self, value: float) -> bool:
        """Whether the rule fires for a reading of ``value`` (never for NaN)."""
        return bool(COMPARISONS[self.op](value, self.threshold))

    def column(self, signals: SignalSet) -> npt.NDArray[np.float64]:
        """The tested field for every account of ``signals``; NaN where it was not read."""
        frame = signals.frame(self.signal)
        if self.field == "value":
            column = frame.value
        elif self.field == "severity":
            column = frame.severity
        elif self.field in frame.details:
            column = np.asarray(frame.details[self.field], dtype=np.float64)
        else:
            raise UnknownNameError(
                f"rule {self.name!r}: signal {self.signal!r} has no field {self.field!r}; "
                f"it has value, severity" + "".join(f", {key}" for key in frame.details)
            )
        return np.where(frame.sufficient, column, np.nan)

    def fires(self, signals: SignalSet) -> npt.NDArray[np.bool_]:
        """For every account of ``signals``, whether the rule holds."""
        column = self.column(signals)
        with np.errstate(invalid="ignore"):
            fired = COMPARISONS[self.op](column, self.threshold)
        return np.asarray(fired, dtype=bool) & ~np.isnan(column)

    def describe(self, value: float) -> str:
        """The reason line for a reading of ``value``."""
        text = self.reason.format(
            rule=self.name,
            signal=self.signal,
            field=self.field,
            value=value,
            op=self.op,
            threshold=self.threshold,
            band=self.band.value,
        )
        return f"rule {self.name}: {text}"

    def config(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "name": self.name,
            "signal": self.signal,
            "field": self.field,
            "op": self.op,
            "threshold": float(self.threshold),
            "action": self.action,
            "band": self.band.value,
            "reason": self.reason,
        }


def apply_band_action(action: Action, band: Band, before: Band, has_score: bool) -> Band:
    """The band after a rule with ``action`` and ``band`` fires on an account at ``before``.

    Implements the table of the module docstring; never returns a band greener than
    ``before``.

    Examples
    --------
    >>> apply_band_action("cap_band", Band.YELLOW, Band.GREEN, True).value
    'yellow'
    >>> apply_band_action("cap_band", Band.YELLOW, Band.RED, True).value
    'red'
    >>> apply_band_action("set_band", Band.RED, Band.INSUFFICIENT_DATA, False).value
    'red'
    """
    if before is Band.INSUFFICIENT_DATA:
        if action == "cap_band" or (band is Band.YELLOW and not has_score):
            return before
        return band
    return band if _GREENNESS[before] > _GREENNESS[band] else before


def _to_rules(value: Sequence[Rule]) -> tuple[Rule, ...]:
    return tuple(value)


def _check_rules(
    instance: Rules, attribute: attrs.Attribute[tuple[Rule, ...]], value: tuple[Rule, ...]
) -> None:
    seen: set[str] = set()
    for position, rule in enumerate(value):
        if not isinstance(rule, Rule):
            raise ConfigError(f"Rules.rules[{position}] is a {type(rule).__name__}, not a Rule")
        if rule.name in seen:
            raise ConfigError(f"Rules.rules: two rules are called {rule.name!r}")
        seen.add(rule.name)


@attrs.frozen
class Rules:
    """A scorer that applies :class:`Rule` objects to the scores of an earlier scorer.

    It adjusts scores rather than computing them, so :meth:`score` raises
    :class:`~touchpoint_signals.errors.ProtocolError` without a ``prior``. The health
    scores it returns carry its ``name`` and a hash of its configuration together with the
    prior score's hash.

    Examples
    --------
    >>> rules = Rules(rules=[Rule("missed_streak", "attendance", "streak", ">=", 3,
    ...                           "cap_band", "red")])
    >>> rules.name, [r["name"] for r in rules.config()["rules"]]
    ('rules', ['missed_streak'])
    """

    rules: tuple[Rule, ...] = attrs.field(converter=_to_rules, validator=_check_rules)
    name: str = attrs.field(default="rules", validator=_non_blank)

    def config(self) -> dict[str, Any]:
        """Plain data: the kind and every rule's configuration."""
        return {"kind": "rules", "rules": [rule.config() for rule in self.rules]}

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        """The prior's health scores with every rule that fires applied."""
        prior = aligned(self, signals, require_prior(self, prior))

        # Every set_band rule applies before any cap_band rule. Within each kind the result
        # is the reddest band, so the order in which rules are listed never matters; across
        # kinds it would (a cap cannot act on insufficient_data, a set can).
        ordered = sorted(self.rules, key=lambda rule: rule.action != "set_band")
        fired = [(rule, rule.fires(signals), rule.column(signals)) for rule in ordered]
        logger.debug(
            "%s: %s",
            self.name,
            ", ".join(f"{rule.name} fires for {int(mask.sum())}" for rule, mask, _ in fired),
        )

        # Only the accounts some rule fires for are visited rule by rule; the values are
        # read as Python floats once, not as numpy scalars per account.
        own_hash = config_hash(self.config())
        items = list(prior.items)
        hit = np.zeros(len(items), dtype=bool)
        for _, mask, _ in fired:
            hit |= mask
        with paused_gc():
            for code in np.flatnonzero(hit).tolist():
                for rule, mask, column in fired:
                    if mask[code]:
                        items[code] = _apply(rule, float(column[code]), items[code])
            return Scores(tuple(restamp(item, self.name, own_hash) for item in items))


def _apply(rule: Rule, value: float, score: HealthScore) -> HealthScore:
    band = apply_band_action(rule.action, rule.band, score.band, score.score is not None)
    if band is score.band:
        return score

    line = rule.describe(value)
    adjustment = Adjustment(
        kind=rule.action,
        source=rule.name,
        description=line,
        band_before=score.band,
        band_after=band,
        score_before=score.score,
        score_after=score.score,
    )
    return attrs.evolve(
        score,
        band=band,
        reasons=(line, *score.reasons),
        adjustments=(*score.adjustments, adjustment),
    )
