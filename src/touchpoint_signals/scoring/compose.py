"""Composition: scorers built from named parts, each of which is itself a scorer.

Three composites, each a scorer in its own right:

:class:`Blend`
    a weighted mean of the parts' scores, with the parts' contributions scaled so that they
    still add up to the blended score exactly, the coverages combined, and the band read
    from the composite's own thresholds;
:class:`WorstOf`
    per account, the health score of the part with the riskiest band (the lowest score
    breaks a tie);
:class:`Sequence`
    each part gets the previous part's scores as ``prior``: a scorer, then
    :class:`~touchpoint_signals.scoring.rules.Rules`, then
    :class:`~touchpoint_signals.scoring.overrides.Overrides`.

Parts are named. A :class:`Blend` takes a mapping of name to ``(scorer, weight)`` or to a
scorer (weight 1), or a list of ``(name, scorer, weight)``; :class:`WorstOf` and
:class:`Sequence` take a mapping of name to scorer or a list of ``(name, scorer)``. A
composite checks its parts when it is built: a part that is not a scorer raises
:class:`~touchpoint_signals.errors.ProtocolError` naming the part and its type
(``part 'manual' of Blend is a str, not a Scorer``), a bad weight or name raises
:class:`~touchpoint_signals.errors.ConfigError`. When it scores, it checks that each part
returned one health score per account, in the signal set's order.

A composite's :meth:`config` nests the configuration of every part, so the configuration
hash stamped on its health scores changes whenever any part changes. Its health scores carry
the composite's name and that hash, whatever the parts stamped on theirs.

Order in a Sequence
-------------------
Order matters, and the rule is: put the CSM last. ``Sequence({"card": c, "rules": r,
"overrides": o})`` lets a rule cap the scorecard's band and then lets a CSM's override have
the final word; with ``"overrides"`` before ``"rules"``, a rule would cap an overridden band
again (both adjustments are recorded, so the result still explains itself).

Blend and bands
---------------
A :class:`Blend` reads its band from its own thresholds, so a band a part's rules capped does
not carry through a blend; apply rules to the blend, in a Sequence after it. Parts whose band
is ``insufficient_data`` or that have no score are left out of the mean and its weights
renormalised over the rest, and a reason line says so; the blended coverage is the
weight-average of every part's coverage, and below :attr:`Blend.min_coverage` the band is
``insufficient_data`` (the score, from the parts that had data, is still reported).

Examples
--------
>>> from touchpoint_signals.scoring.scorecard import Scorecard, SignalWeight
>>> card = Scorecard(signals=(SignalWeight("attendance", 1.0),))
>>> Blend({"card": (card, 3.0), "other": (card, 1.0)}).parts[0].weight
3.0
>>> Blend({"card": (card, 1.0), "manual": "ana says green"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
touchpoint_signals.errors.ProtocolError: part 'manual' of Blend is a str, not a Scorer ...
"""

from __future__ import annotations

import functools
import logging
import math
from collections import abc
from typing import Any

import attrs

from touchpoint_signals.errors import ConfigError, DataError, ProtocolError
from touchpoint_signals.scoring.base import (
    Band,
    Contribution,
    HealthScore,
    Scorer,
    Scores,
    SignalSet,
    config_hash,
    paused_gc,
)
from touchpoint_signals.scoring.scorecard import BandThresholds

__all__ = ["PART", "Blend", "Part", "Sequence", "WorstOf", "aligned", "restamp"]

logger = logging.getLogger(__name__)

#: ``Contribution.handling`` of a blend contribution that stands for a whole part, used when
#: the part's own contributions do not add up to its score.
PART = "part"

_GREENNESS = {Band.RED: 0, Band.YELLOW: 1, Band.GREEN: 2, Band.INSUFFICIENT_DATA: 3}


# --------------------------------------------------------------------------------------------
# helpers shared with rules.py and overrides.py


def aligned(scorer: object, signals: SignalSet, prior: Scores) -> Scores:
    """``prior``, checked to hold one score per account of ``signals``, in order."""
    ids = [str(a) for a in signals.account_ids.tolist()]
    got = [item.account_id for item in prior.items]
    if got != ids:
        what = (
            f"{len(got)} health scores for {len(ids)} accounts"
            if len(got) != len(ids)
            else "health scores in another order than the accounts"
        )
        raise DataError(
            f"{type(scorer).__name__} was given a prior that does not match the signal set: "
            f"{what}"
        )
    return prior


def restamp(score: HealthScore, name: str, own_hash: str) -> HealthScore:
    """``score`` stamped by the adjusting scorer ``name`` whose config hash is ``own_hash``.

    The new hash covers both the adjuster's configuration and the configuration that made
    the score it adjusted, so that a stored score still traces back to everything behind it.
    """
    return _stamped(score, name, _combined_hash(score.config_hash, own_hash))


@functools.lru_cache(maxsize=256)
def _combined_hash(adjusted: str, by: str) -> str:
    """The hash :func:`restamp` stamps; cached, as the scores of a batch share their hashes."""
    return config_hash({"adjusted": adjusted, "by": by})


def _stamped(score: HealthScore, name: str, hash_: str) -> HealthScore:
    """``score`` with the scorer ``name`` and the config hash ``hash_``, all else kept.

    What ``attrs.evolve(score, scorer=name, config_hash=hash_)`` makes, passing the fields
    straight to the constructor (evolve looks every field up by name, a cost paid once per
    account when a whole portfolio is restamped). A subclass goes through evolve.
    """
    if type(score) is not HealthScore:
        return attrs.evolve(score, scorer=name, config_hash=hash_)
    return HealthScore(
        score.account_id,
        score.as_of,
        score.score,
        score.band,
        score.coverage,
        score.contributions,
        score.reasons,
        name,
        hash_,
        score.segment,
        score.adjustments,
    )


# --------------------------------------------------------------------------------------------
# parts


@attrs.frozen
class Part:
    """One named part of a composite, with its weight (1 unless a Blend says otherwise)."""

    name: str
    scorer: Scorer
    weight: float = 1.0

    def config(self) -> dict[str, Any]:
        """Plain data: the part's name, weight, scorer type and the scorer's configuration."""
        return {
            "name": self.name,
            "weight": float(self.weight),
            "type": type(self.scorer).__qualname__,
            "scorer": self.scorer.name,
            "config": dict(self.scorer.config()),
        }


def _to_parts(value: object) -> tuple[Part, ...]:
    """Parts from a mapping or a list of tuples; the scorers are checked by the validator."""
    if isinstance(value, abc.Mapping):
        entries = [
            (name, *entry) if isinstance(entry, tuple) else (name, entry)
            for name, entry in value.items()
        ]
    elif isinstance(value, abc.Iterable) and not isinstance(value, str | bytes):
        entries = list(value)
    else:
        raise ConfigError(
            f"parts must be a mapping of name to scorer or a list of (name, scorer[, weight]),"
            f" got a {type(value).__name__}"
        )

    parts: list[Part] = []
    for position, entry in enumerate(entries):
        if isinstance(entry, Part):
            parts.append(entry)
        elif isinstance(entry, tuple) and len(entry) in (2, 3):
            parts.append(Part(*entry))
        else:
            raise ConfigError(
                f"part {position} must be (name, scorer) or (name, scorer, weight), "
                f"got {entry!r}"
            )
    return tuple(parts)


def _missing_members(candidate: object) -> list[str]:
    members = [("name", False), ("config", True), ("score", True)]
    return [
        f"{member}()" if call else member
        for member, call in members
        if not hasattr(candidate, member) or (call and not callable(getattr(candidate, member)))
    ]


def _check_parts(
    instance: object, attribute: attrs.Attribute[tuple[Part, ...]], value: tuple[Part, ...]
) -> None:
    kind = type(instance).__name__
    if not value:
        raise ConfigError(f"{kind} needs at least one part")

    seen: set[str] = set()
    for part in value:
        if not isinstance(part.name, str) or not part.name.strip():
            raise ConfigError(f"a part of {kind} has the name {part.name!r}; give it a name")
        if part.name in seen:
            raise ConfigError(f"{kind} has two parts called {part.name!r}")
        seen.add(part.name)

        missing = _missing_members(part.scorer)
        if missing or not isinstance(part.scorer, Scorer):
            raise ProtocolError(
                f"part {part.name!r} of {kind} is a {type(part.scorer).__name__}, not a "
                f"Scorer (it has no {', '.join(missing)})"
            )
        if not isinstance(part.scorer.name, str) or not part.scorer.name.strip():
            raise ProtocolError(
                f"part {part.name!r} of {kind}: its scorer's name is {part.scorer.name!r}, "
                "not a non-empty string"
            )

        weight = part.weight
        if (
            not isinstance(weight, int | float)
            or isinstance(weight, bool)
            or not math.isfinite(weight)
            or weight <= 0
        ):
            raise ConfigError(
                f"weight of part {part.name!r} of {kind} must be a finite number > 0, "
                f"got {weight!r}"
            )


def _check_unweighted(
    instance: object, attribute: attrs.Attribute[tuple[Part, ...]], value: tuple[Part, ...]
) -> None:
    _check_parts(instance, attribute, value)
    for part in value:
        if part.weight != 1.0:
            raise ConfigError(
                f"{type(instance).__name__} does not weigh its parts; part {part.name!r} has "
                f"weight {part.weight!r}"
            )


def _non_blank(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be a non-empty string, "
            f"got {value!r}"
        )


def _run(composite: object, part: Part, signals: SignalSet, prior: Scores | None) -> Scores:
    """The part's scores, checked to hold one per account of ``signals``, in order."""
    result = part.scorer.score(signals, prior)
    kind = type(composite).__name__
    if not isinstance(result, Scores):
        raise ProtocolError(
            f"part {part.name!r} of {kind} returned a {type(result).__name__}, not Scores"
        )
    ids = [str(a) for a in signals.account_ids.tolist()]
    got = [item.account_id for item in result.items]
    if got != ids:
        what = (
            f"{len(got)} health scores for {len(ids)} accounts"
            if len(got) != len(ids)
            else "health scores in another order than the signal set's accounts"
        )
        raise ProtocolError(f"part {part.name!r} of {kind} returned {what}")
    return result


def _parts_config(parts: tuple[Part, ...]) -> list[dict[str, Any]]:
    return [part.config() for part in parts]


def _prefixed(part: str, score: HealthScore) -> tuple[Any, ...]:
    """The adjustments of a part's score, their sources prefixed with the part's name."""
    return tuple(attrs.evolve(a, source=f"{part}/{a.source}") for a in score.adjustments)


# --------------------------------------------------------------------------------------------
# Blend


def _check_unit(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must lie in [0, 1], got {value!r}"
        )


def _check_count(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be an integer >= 1, got {value!r}"
        )


def _largest_remainder(raw: list[float], total: int) -> list[int]:
    """Whole numbers close to ``raw`` that add up to ``total`` (largest-remainder method).

    Examples
    --------
    >>> _largest_remainder([3333.33, 3333.33, 3333.34], 10000)
    [3333, 3333, 3334]
    """
    floors = [math.floor(r) for r in raw]
    short = total - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    if short < 0:
        order = order[::-1]
    for step in range(abs(short)):
        floors[order[step % len(order)]] += 1 if short > 0 else -1
    return floors


@attrs.frozen
class Blend:
    """A weighted mean of the parts' scores.

    Parameters
    ----------
    parts : mapping or list
        ``{name: (scorer, weight)}``, ``{name: scorer}`` (weight 1) or
        ``[(name, scorer, weight), ...]``. Weights are relative.
    name : str
        Stamped on every health score (``"blend"``).
    thresholds : BandThresholds
        Band the blended score.
    min_coverage : float
        Below this weight-averaged coverage the band is ``insufficient_data``.
    top_reasons : int
        How many of the parts' reasons to keep, taken in turn from the parts that cost the
        most points first.

    Notes
    -----
    For an account, let :math:`U` be the parts with a score and a band other than
    ``insufficient_data``, and :math:`w_i` their weights. The blended score is
    :math:`\\sum_{i \\in U} w_i s_i / \\sum_{i \\in U} w_i`, kept at two decimals. Each
    contribution of part :math:`i` is scaled by :math:`w_i / \\sum_{U} w`, renamed
    ``"<part>/<signal>"``, and the scaled points are rounded to hundredths by the
    largest-remainder method so that they add up to the blended score exactly. A part whose
    contributions do not add up to its own score is represented by one contribution named
    after the part (handling ``"part"``).
    """

    parts: tuple[Part, ...] = attrs.field(converter=_to_parts, validator=_check_parts)
    name: str = attrs.field(default="blend", validator=_non_blank)
    thresholds: BandThresholds = attrs.field(
        factory=BandThresholds, validator=attrs.validators.instance_of(BandThresholds)
    )
    min_coverage: float = attrs.field(default=0.5, validator=_check_unit)
    top_reasons: int = attrs.field(default=3, validator=_check_count)

    def config(self) -> dict[str, Any]:
        """Plain data, nesting every part's configuration."""
        return {
            "kind": "blend",
            "parts": _parts_config(self.parts),
            "thresholds": self.thresholds.config(),
            "min_coverage": float(self.min_coverage),
            "top_reasons": self.top_reasons,
        }

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        """Blend the parts' health scores; ``prior`` is handed to every part."""
        results = [_run(self, part, signals, prior) for part in self.parts]
        own_hash = config_hash(self.config())

        items = tuple(
            self._blend([result.items[code] for result in results], own_hash)
            for code in range(len(signals))
        )
        return Scores(items)

    def _blend(self, scores: list[HealthScore], own_hash: str) -> HealthScore:
        weights = [float(part.weight) for part in self.parts]
        usable = [
            i
            for i, s in enumerate(scores)
            if s.score is not None and s.band is not Band.INSUFFICIENT_DATA
        ]
        coverage = min(
            1.0,
            sum(w * s.coverage for w, s in zip(weights, scores, strict=True)) / sum(weights),
        )

        score: float | None = None
        contributions: tuple[Contribution, ...] = ()
        band = Band.INSUFFICIENT_DATA
        if usable:
            used = sum(weights[i] for i in usable)
            shares = {i: weights[i] / used for i in usable}
            exact = sum(shares[i] * (scores[i].score or 0.0) for i in usable)
            centi = round(exact * 100)
            score = centi / 100
            contributions = self._contributions(scores, shares, weights, centi)
            if coverage >= self.min_coverage:
                band = self.thresholds.band(score)

        first = scores[0]
        return HealthScore(
            account_id=first.account_id,
            as_of=first.as_of,
            score=score,
            band=band,
            coverage=coverage,
            contributions=contributions,
            reasons=self._reasons(scores, usable, weights, coverage, score),
            scorer=self.name,
            config_hash=own_hash,
            segment=next((s.segment for s in scores if s.segment is not None), None),
            adjustments=tuple(
                a
                for part, s in zip(self.parts, scores, strict=True)
                for a in _prefixed(part.name, s)
            ),
        )

    def _contributions(
        self,
        scores: list[HealthScore],
        shares: dict[int, float],
        weights: list[float],
        centi: int,
    ) -> tuple[Contribution, ...]:
        total_weight = sum(weights)
        pieces: list[tuple[Contribution, float]] = []
        for i, share in shares.items():
            part, own = self.parts[i], scores[i]
            own_score = own.score or 0.0
            if own.contributions and round(
                sum(c.points for c in own.contributions), 2
            ) == round(own_score, 2):
                for c in own.contributions:
                    scaled = attrs.evolve(
                        c,
                        signal=f"{part.name}/{c.signal}",
                        weight=c.weight * weights[i] / total_weight,
                        effective_weight=c.effective_weight * share,
                    )
                    pieces.append((scaled, c.points * share * 100))
            else:
                whole = Contribution(
                    signal=part.name,
                    points=0.0,
                    weight=weights[i] / total_weight,
                    effective_weight=share,
                    severity=None,
                    handling=PART,
                    reason=own.reasons[0] if own.reasons else f"{part.name} scored {own_score}",
                )
                pieces.append((whole, own_score * share * 100))

        rounded = _largest_remainder([raw for _, raw in pieces], centi)
        return tuple(
            attrs.evolve(c, points=points / 100)
            for (c, _), points in zip(pieces, rounded, strict=True)
        )

    def _reasons(
        self,
        scores: list[HealthScore],
        usable: list[int],
        weights: list[float],
        coverage: float,
        score: float | None,
    ) -> tuple[str, ...]:
        lost = sorted(
            usable, key=lambda i: (-weights[i] * (100.0 - (scores[i].score or 0.0)), i)
        )
        picked: list[str] = []
        depth = max((len(scores[i].reasons) for i in lost), default=0)
        for rank in range(depth):
            for i in lost:
                if rank < len(scores[i].reasons) and len(picked) < self.top_reasons:
                    picked.append(f"{self.parts[i].name}: {scores[i].reasons[rank]}")

        left_out = [
            f"part {self.parts[i].name} left out of the blend: "
            + ("insufficient data" if scores[i].band is Band.INSUFFICIENT_DATA else "no score")
            for i in range(len(scores))
            if i not in usable
        ]
        if score is None:
            summary = "no part of the blend could score this account"
        else:
            terms = ", ".join(
                f"{self.parts[i].name} {scores[i].score:.2f} (weight {weights[i]:g})"
                for i in usable
            )
            summary = f"blend of {terms} = {score:.2f}"
            if coverage < self.min_coverage:
                summary += f"; coverage {coverage:.0%} is below {self.min_coverage:.0%}"
        return (*picked, *left_out, summary)


# --------------------------------------------------------------------------------------------
# WorstOf


@attrs.frozen
class WorstOf:
    """Per account, the health score of the part with the riskiest band.

    Red is riskier than yellow, yellow than green; the lower score breaks a tie between
    parts of the same band, then the order of the parts. A part whose band is
    ``insufficient_data`` is chosen only when no part has a traffic-light band: a part
    without data must not hide another part's red.

    The chosen part's score, band, coverage and reasons are kept, its contributions and
    adjustments renamed ``"<part>/<signal>"`` and ``"<part>/<source>"``, and a last reason
    line names the part chosen and the others.
    """

    parts: tuple[Part, ...] = attrs.field(converter=_to_parts, validator=_check_unweighted)
    name: str = attrs.field(default="worst_of", validator=_non_blank)

    def config(self) -> dict[str, Any]:
        """Plain data, nesting every part's configuration."""
        return {"kind": "worst_of", "parts": _parts_config(self.parts)}

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        """The riskiest part's health score for every account; ``prior`` goes to every part."""
        results = [_run(self, part, signals, prior) for part in self.parts]
        own_hash = config_hash(self.config())

        items = []
        for code in range(len(signals)):
            scores = [result.items[code] for result in results]
            worst = min(
                range(len(scores)),
                key=lambda i: (
                    _GREENNESS[scores[i].band],
                    scores[i].score if scores[i].score is not None else -1.0,
                    i,
                ),
            )
            items.append(self._chosen(worst, scores, own_hash))
        return Scores(tuple(items))

    def _chosen(self, worst: int, scores: list[HealthScore], own_hash: str) -> HealthScore:
        chosen, part = scores[worst], self.parts[worst]
        others = ", ".join(
            f"{p.name} ({_label(s)})"
            for p, s in zip(self.parts, scores, strict=True)
            if p.name != part.name
        )
        line = f"worst of the parts: {part.name} ({_label(chosen)})" + (
            f" over {others}" if others else ""
        )
        return attrs.evolve(
            chosen,
            contributions=tuple(
                attrs.evolve(c, signal=f"{part.name}/{c.signal}") for c in chosen.contributions
            ),
            reasons=(*chosen.reasons, line),
            adjustments=_prefixed(part.name, chosen),
            scorer=self.name,
            config_hash=own_hash,
        )


def _label(score: HealthScore) -> str:
    if score.score is None:
        return score.band.value
    return f"{score.band.value} {score.score:.2f}"


# --------------------------------------------------------------------------------------------
# Sequence


@attrs.frozen
class Sequence:
    """Parts run in order, each given the previous part's health scores as ``prior``.

    The first part gets the ``prior`` given to :meth:`score` (usually none). The last
    part's health scores are returned, stamped with the sequence's name and configuration
    hash; the adjustments the parts recorded on the way are kept, so the result explains
    every step. See the module docstring for why order matters.
    """

    parts: tuple[Part, ...] = attrs.field(converter=_to_parts, validator=_check_unweighted)
    name: str = attrs.field(default="sequence", validator=_non_blank)

    def config(self) -> dict[str, Any]:
        """Plain data, nesting every part's configuration in order."""
        return {"kind": "sequence", "parts": _parts_config(self.parts)}

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        """Run the parts in order."""
        scores = _run(self, self.parts[0], signals, prior)
        for part in self.parts[1:]:
            scores = _run(self, part, signals, scores)
            logger.debug("%s: part %s scored %d accounts", self.name, part.name, len(scores))

        own_hash = config_hash(self.config())
        with paused_gc():
            return Scores(tuple(_stamped(item, self.name, own_hash) for item in scores.items))
