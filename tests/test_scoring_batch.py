"""Batch scoring equals a per-account reference: whole health scores, field by field.

``Scorecard.score`` computes numbers, bands and reason lines for all accounts at once and
``Rules`` and ``Sequence`` restamp scores without ``attrs.evolve``. The references below are
the former per-account code, written out in plain Python: one account at a time, one
contribution at a time, ``attrs.evolve`` for every change. Every field of every
:class:`HealthScore` (and its JSON) must be equal, on random scorecards (segments, policies,
weights of zero, ties in cost) and random reason texts.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.log import ID
from touchpoint_signals.model import Account
from touchpoint_signals.scoring.base import (
    Adjustment,
    Band,
    Contribution,
    HealthScore,
    Scores,
    SignalSet,
    config_hash,
)
from touchpoint_signals.scoring.compose import Sequence as ScorerSequence
from touchpoint_signals.scoring.rules import Rule, Rules, apply_band_action
from touchpoint_signals.scoring.scorecard import (
    BandThresholds,
    Scorecard,
    SegmentOverride,
    SignalWeight,
)
from touchpoint_signals.signals.base import SignalFrame

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
NAN = math.nan
SEGMENTS = ("high_touch", "tech_touch", "mid_touch", None)

# Reason texts with what a conversion through numpy strings would lose or mangle: trailing
# NULs, non-ASCII, braces, very long lines.
REASONS = st.one_of(
    st.sampled_from(
        ["ok", "too little history", "latency {up}", "ünïcode ✓", "x\x00", "é" * 80]
    ),
    st.text(min_size=1, max_size=12).filter(lambda text: text.strip() and "\n" not in text),
)


# -- the former per-account scorecard, written out -------------------------------------------


def _left_to_right(values: Sequence[float]) -> float:
    total = 0.0
    for value in values:
        total = total + value
    return total


def _reference_score(card: Scorecard, signals: SignalSet, a: int) -> HealthScore:
    """One account's health score, computed signal by signal as the former code did."""
    account = signals.accounts[a]
    segment = None if account is None else account.segment.name
    weights = card.weights_for(segment)
    frames = [signals.frame(item.signal) for item in card.signals]

    handling, severity, has = [], [], []
    for item, weight, frame in zip(card.signals, weights, frames, strict=True):
        read = bool(frame.sufficient[a])
        if weight <= 0:
            how = "unweighted"
        elif read:
            how = "observed"
        else:
            how = {"exclude": "excluded", "neutral": "neutral", "worst": "worst"}[item.missing]
        if read:
            value = float(frame.severity[a])
        elif how == "neutral":
            value = float(item.neutral_severity)
        else:
            value = 1.0 if how == "worst" else NAN
        handling.append(how)
        severity.append(value)
        has.append(read)
    counted = [h in ("observed", "neutral", "worst") for h in handling]

    configured = _left_to_right([w if w > 0 else 0.0 for w in weights])
    with_data = _left_to_right(
        [w if w > 0 and h else 0.0 for w, h in zip(weights, has, strict=True)]
    )
    denominator = _left_to_right(
        [w if c else 0.0 for w, c in zip(weights, counted, strict=True)]
    )
    coverage = min(max(with_data / configured, 0.0), 1.0)
    scored = denominator > 0 and coverage > 0
    effective = [
        w / denominator if c and scored else 0.0 for w, c in zip(weights, counted, strict=True)
    ]
    known = [0.0 if math.isnan(s) else s for s in severity]
    exact = [
        min(max(10_000 * e * ((1.0 - s) if c else 0.0), 0.0), 10_000.0)
        for e, s, c in zip(effective, known, counted, strict=True)
    ]
    cost = [
        100.0 * e * (s if c else 0.0) for e, s, c in zip(effective, known, counted, strict=True)
    ]
    total = int(min(max(math.floor(_left_to_right(exact) + 0.5), 0), 10_000))
    floors = [math.floor(x) for x in exact]
    by_fraction = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    extra = set(by_fraction[: total - sum(floors)])
    centi = [f + (i in extra) for i, f in enumerate(floors)]

    score = total / 100 if scored else None
    if score is None or coverage < card.min_coverage:
        band = Band.INSUFFICIENT_DATA
    else:
        band = card.thresholds_for(segment).band(score)
    contributions = tuple(
        Contribution(
            signal=item.signal,
            points=centi[i] / 100,
            weight=weights[i],
            effective_weight=effective[i],
            severity=None
            if not (counted[i] or has[i]) or math.isnan(severity[i])
            else severity[i],
            handling=handling[i],
            reason=frames[i].reasons[a],
            group=item.group,
        )
        for i, item in enumerate(card.signals)
    )
    return HealthScore(
        account_id=str(signals.account_ids[a]),
        as_of=signals.as_of,
        score=score,
        band=band,
        coverage=coverage,
        contributions=contributions,
        reasons=_reference_reasons(card, contributions, cost, coverage, score),
        scorer=card.name,
        config_hash=config_hash(card.config()),
        segment=segment,
    )


def _reference_reasons(
    card: Scorecard,
    contributions: Sequence[Contribution],
    cost: Sequence[float],
    coverage: float,
    score: float | None,
) -> tuple[str, ...]:
    reasons: list[str] = []
    missing = [c for c in contributions if c.handling != "observed" and c.weight > 0]
    if score is None:
        return ("no signal had data: " + "; ".join(f"{c.signal}: {c.reason}" for c in missing),)
    if coverage < card.min_coverage:
        reasons.append(
            f"insufficient data: only {coverage:.0%} of the weight had data (at least "
            f"{card.min_coverage:.0%} needed); no reading of "
            + ", ".join(c.signal for c in missing)
        )
    order = sorted(range(len(contributions)), key=lambda i: (-cost[i], i))
    for i in order[: card.top_reasons]:
        if cost[i] <= 0:
            break
        c = contributions[i]
        label = c.signal.replace("_", " ")
        if c.handling == "observed":
            reasons.append(f"{label} cost {cost[i]:.2f} points: {c.reason}")
        else:
            reasons.append(
                f"{label} cost {cost[i]:.2f} points (no reading, counted as {c.handling}): "
                f"{c.reason}"
            )
    if not reasons:
        read = sum(c.handling == "observed" for c in contributions)
        reasons.append(f"no signal cost points: all {read} signals read are healthy")
    return tuple(reasons)


# -- the former rules and sequence, written out ----------------------------------------------


def _reference_rules(rules: Rules, signals: SignalSet, prior: Scores) -> Scores:
    ordered = sorted(rules.rules, key=lambda rule: rule.action != "set_band")
    own = config_hash(rules.config())
    items = []
    for a, before in enumerate(prior.items):
        after = before
        for rule in ordered:
            if not rule.fires(signals)[a]:
                continue
            value = float(rule.column(signals)[a])
            band = apply_band_action(
                rule.action, rule.band, after.band, after.score is not None
            )
            if band is after.band:
                continue
            line = rule.describe(value)
            adjustment = Adjustment(
                rule.action, rule.name, line, after.band, band, after.score, after.score
            )
            after = attrs.evolve(
                after,
                band=band,
                reasons=(line, *after.reasons),
                adjustments=(*after.adjustments, adjustment),
            )
        combined = config_hash({"adjusted": after.config_hash, "by": own})
        items.append(attrs.evolve(after, scorer=rules.name, config_hash=combined))
    return Scores(tuple(items))


# -- random inputs ---------------------------------------------------------------------------


def _frame(name: str, ids: Sequence[str], severity: Sequence[float], why: Sequence[str]) -> Any:
    sev = np.asarray(severity, dtype=np.float64)
    return SignalFrame(
        name=name,
        unit="severity",
        as_of=AS_OF,
        account_ids=np.asarray(ids, dtype=ID),
        value=sev * 10,
        severity=sev,
        status=np.where(np.isnan(sev), 1, 0).astype(np.uint8),
        reasons=tuple(why),
        samples={},
        evidence_offsets=np.zeros(len(ids) + 1, dtype=np.int64),
        evidence_ids=np.asarray([], dtype=ID),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scorecard, SignalSet]:
    """A random scorecard and up to 12 accounts, with gaps, segments and cost ties."""
    k = draw(st.integers(1, 6))
    items = tuple(
        SignalWeight(
            f"sig_{i}",
            draw(st.sampled_from([1.0, 2.0, 0.5]) | st.floats(0.01, 100.0)),
            group=draw(st.sampled_from([None, "engagement", "service"])),
            missing=draw(st.sampled_from(["exclude", "neutral", "worst"])),
            neutral_severity=draw(st.sampled_from([0.5, 0.0, 1.0]) | st.floats(0.0, 1.0)),
        )
        for i in range(k)
    )
    segments = {
        name: SegmentOverride(
            {
                item.signal: draw(st.sampled_from([0.0, 1.0, 7.5]))
                for item in items[: draw(st.integers(0, k - 1))]
            },
            draw(
                st.none()
                | st.just(BandThresholds(60.0, 20.0))
                | st.just(BandThresholds(75, 75))
            ),
        )
        for name in draw(st.lists(st.sampled_from(SEGMENTS[:3]), unique=True, max_size=2))
    }
    card = Scorecard(
        items,
        name=draw(st.sampled_from(["scorecard", "card"])),
        thresholds=draw(st.just(BandThresholds()) | st.just(BandThresholds(50.0, 50.0))),
        segments=segments,
        min_coverage=draw(st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0.0, 1.0)),
        top_reasons=draw(st.integers(1, 7)),
    )

    n = draw(st.integers(0, 12))
    ids = [f"acct{i}" for i in range(n)]
    accounts = tuple(
        None if seg is None else Account(a, seg)
        for a, seg in zip(
            ids, draw(st.lists(st.sampled_from(SEGMENTS), min_size=n, max_size=n)), strict=True
        )
    )
    severity = st.sampled_from([NAN, 0.0, 1.0, 0.25, 0.5]) | st.floats(0.0, 1.0)
    frames = {
        item.signal: _frame(
            item.signal,
            ids,
            draw(st.lists(severity, min_size=n, max_size=n)),
            draw(st.lists(REASONS, min_size=n, max_size=n)),
        )
        for item in items
    }
    return card, SignalSet(AS_OF, np.asarray(ids, dtype=ID), accounts, frames)


def _same(got: Scores, expected: Scores) -> None:
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == theirs
        assert repr(mine) == repr(theirs)
        assert mine.to_json() == theirs.to_json()
        for a, b in zip(mine.contributions, theirs.contributions, strict=True):
            assert type(a.points) is type(b.points) is float
            assert type(a.severity) is type(b.severity)
    assert [s.account_id for s in got.riskiest_first()] == [
        s.account_id for s in expected.riskiest_first()
    ]


# -- properties ------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(cases())
def test_batch_scorecard_equals_the_per_account_reference(
    case: tuple[Scorecard, SignalSet],
) -> None:
    card, signals = case

    expected = Scores(tuple(_reference_score(card, signals, a) for a in range(len(signals))))

    _same(card.score(signals), expected)


@settings(max_examples=80, deadline=None)
@given(cases(), st.data())
def test_rules_and_sequence_equal_the_per_account_reference(
    case: tuple[Scorecard, SignalSet], data: st.DataObject
) -> None:
    card, signals = case
    names = [item.signal for item in card.signals]
    rules = Rules(
        [
            Rule(
                f"rule{r}",
                data.draw(st.sampled_from(names)),
                data.draw(st.sampled_from(["value", "severity"])),
                data.draw(st.sampled_from([">=", ">", "<=", "<", "=="])),
                data.draw(st.sampled_from([0.0, 0.5, 2.5, 10.0])),
                data.draw(st.sampled_from(["cap_band", "set_band"])),
                data.draw(st.sampled_from(["yellow", "red"])),
            )
            for r in range(data.draw(st.integers(1, 4)))
        ]
    )

    prior = card.score(signals)
    expected = _reference_rules(rules, signals, prior)
    _same(rules.score(signals, prior), expected)

    sequence = ScorerSequence({"card": card, "rules": rules}, name="seq")
    own = config_hash(sequence.config())
    _same(
        sequence.score(signals),
        Scores(tuple(attrs.evolve(s, scorer="seq", config_hash=own) for s in expected.items)),
    )


# -- to_dict ---------------------------------------------------------------------------------


def _asdict_reference(score: HealthScore) -> dict[str, Any]:
    """The former ``HealthScore.to_dict``: ``attrs.asdict`` with datetimes and enums as text."""

    def plain(instance: Any, attribute: Any, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.isoformat()
        return value.value if isinstance(value, enum.Enum) else value

    data = attrs.asdict(score, recurse=True, value_serializer=plain)
    for key in ("contributions", "reasons", "adjustments"):
        data[key] = list(data[key])
    return data


class _Kind(enum.StrEnum):
    OBSERVED = "observed"


@settings(max_examples=80, deadline=None)
@given(cases(), st.data())
def test_to_dict_equals_attrs_asdict_key_for_key(
    case: tuple[Scorecard, SignalSet], data: st.DataObject
) -> None:
    card, signals = case
    rules = Rules(
        [Rule("any", card.signals[0].signal, "severity", ">=", 0.0, "set_band", "red")]
    )
    scores = list(rules.score(signals, card.score(signals)))
    odd = [
        # Values of other types than the declared ones go through asdict as before.
        lambda s: attrs.evolve(s, reasons=(*s.reasons, ("a", "tuple"))),
        lambda s: attrs.evolve(s, score=np.float64(s.score) if s.score is not None else None),
        lambda s: attrs.evolve(
            s,
            contributions=tuple(
                attrs.evolve(c, handling=_Kind.OBSERVED, points=np.float64(c.points))
                for c in s.contributions
            ),
        ),
        lambda s: attrs.evolve(s, contributions=list(s.contributions), reasons=list(s.reasons)),
        lambda s: attrs.evolve(s, segment={"nested": [1, 2]}),
    ]
    if scores:
        change = data.draw(st.sampled_from(odd))
        scores.append(change(scores[0]))

    for score in scores:
        mine, theirs = score.to_dict(), _asdict_reference(score)
        assert mine == theirs
        assert list(mine) == list(theirs)
        assert [list(c) for c in mine["contributions"]] == [
            list(c) for c in theirs["contributions"]
        ]
        assert repr(mine) == repr(theirs)
        assert score.to_json() == json.dumps(theirs, sort_keys=True)
