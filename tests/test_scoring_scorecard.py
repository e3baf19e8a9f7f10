"""Scorecard: hand-computed contributions, renormalisation, policies and bands; properties.

Signal sets are built straight from hand-made SignalFrames (``SignalFrame.from_log_rows`` on
a small log, or the constructor for the property tests), so these tests do not depend on what
the extractors read; one end-to-end test runs ``SignalSet.from_log`` on a hand-made log.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.checks import SCORER_CHECKS, check_scorer
from touchpoint_signals.errors import ConfigError, DataError, UnknownNameError
from touchpoint_signals.ingest import load
from touchpoint_signals.ingest.formats import make_adapter
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Account, Touchpoint
from touchpoint_signals.scoring.base import Band, HealthScore, Scorer, Scores, SignalSet
from touchpoint_signals.scoring.scorecard import (
    BandThresholds,
    Scorecard,
    SegmentOverride,
    SignalWeight,
    default_scorecard,
    points_by_group,
)
from touchpoint_signals.signals import SignalFrame

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "scoring" / "health_score.schema.json"

# Hand-made fixture: four accounts. "acme" is high-touch and "beta" tech-touch (records
# loaded, no touchpoints); "cora" and "dune" have one touchpoint each and no record, so no
# segment. The touchpoints do not matter: every signal below is made by hand.
LOG = TouchpointLog.from_touchpoints(
    [
        Touchpoint("c1", "cora", "check_in", "2026-05-01T09:00Z", "completed"),
        Touchpoint("d1", "dune", "check_in", "2026-05-02T09:00Z", "completed"),
    ],
    accounts=[Account("acme", "high_touch"), Account("beta", "tech_touch")],
)
LOG_IDS = ["acme", "beta", "cora", "dune"]
NAN = math.nan


def _frame(name: str, severity: Sequence[float]) -> SignalFrame:
    """A frame of ``LOG`` where NaN severity means insufficient data; reasons name both."""
    sev = np.asarray(severity, dtype=np.float64)
    ok = ~np.isnan(sev)
    reasons = [
        f"{name} of {a} at {s:.2f}" if k else f"{name}: too little history for {a}"
        for a, s, k in zip(LOG_IDS, sev, ok, strict=True)
    ]
    return SignalFrame.from_log_rows(
        name=name,
        unit="severity",
        as_of=AS_OF,
        log=LOG,
        value=sev,
        severity=np.nan_to_num(sev),
        sufficient=ok,
        reasons=reasons,
        samples={"n": ok.astype(int)},
        evidence_rows=[],
    )


def _signals(severities: Mapping[str, Sequence[float]]) -> SignalSet:
    frames = {name: _frame(name, sev) for name, sev in severities.items()}
    return SignalSet(AS_OF, LOG.account_ids, LOG.accounts, frames)


def _card(*items: SignalWeight, **options: Any) -> Scorecard:
    return Scorecard(items, **options)


def _centi(value: float) -> int:
    return round(value * 100)


# --- contributions, renormalisation and banding, computed by hand ------------------------


def test_contributions_are_weight_share_times_health() -> None:
    card = _card(SignalWeight("a", 2.0), SignalWeight("b", 1.0), SignalWeight("c", 1.0))
    signals = _signals({"a": [0.5] * 4, "b": [0.25] * 4, "c": [0.0] * 4})

    acme = card.score(signals).of("acme")

    # effective weights 2/4, 1/4, 1/4; points 100 * w * (1 - s):
    # a: 50 * 0.5 = 25.00, b: 25 * 0.75 = 18.75, c: 25 * 1 = 25.00; score 68.75 < 70: yellow
    assert [c.points for c in acme.contributions] == [25.0, 18.75, 25.0]
    assert [c.effective_weight for c in acme.contributions] == [0.5, 0.25, 0.25]
    assert [c.handling for c in acme.contributions] == ["observed"] * 3
    assert acme.score == 68.75
    assert acme.band is Band.YELLOW
    assert acme.coverage == 1.0


def test_points_are_rounded_by_largest_remainder() -> None:
    card = _card(SignalWeight("a", 1.0), SignalWeight("b", 1.0), SignalWeight("c", 1.0))
    signals = _signals({"a": [0.0] * 4, "b": [0.0] * 4, "c": [0.0] * 4})

    acme = card.score(signals).of("acme")

    # each exact share is 10000 / 3 = 3333.33 centi-points; the floors add to 9999 of the
    # 10000, and the one missing centi-point goes to the tie's first signal, "a"
    assert [c.points for c in acme.contributions] == [33.34, 33.33, 33.33]
    assert acme.score == 100.0
    assert acme.band is Band.GREEN


def test_remainders_go_to_the_largest_fractions() -> None:
    card = _card(SignalWeight("a", 2.0), SignalWeight("b", 1.0))
    signals = _signals({"a": [0.5] * 4, "b": [1 / 3] * 4})

    acme = card.score(signals).of("acme")

    # a: 10000 * 2/3 * 0.5 = 3333.33; b: 10000 * 1/3 * 2/3 = 2222.22; exact sum 5555.56
    # rounds to 5556; floors 3333 + 2222 = 5555, so the 1 left goes to a (.33 > .22)
    assert [c.points for c in acme.contributions] == [33.34, 22.22]
    assert acme.score == 55.56


def test_missing_signal_is_excluded_and_the_rest_renormalised() -> None:
    card = _card(SignalWeight("a", 2.0), SignalWeight("b", 1.0), SignalWeight("c", 1.0))
    signals = _signals({"a": [0.5] * 4, "b": [0.25] * 4, "c": [NAN] * 4})

    acme = card.score(signals).of("acme")

    # c is left out: D = 2 + 1 = 3; a: 10000 * 2/3 * 0.5 = 3333.33, b: 10000 * 1/3 * 0.75 =
    # 2500; total 5833.33 rounds to 5833 = 3333 + 2500. Coverage (2 + 1) / 4 = 0.75
    assert [c.points for c in acme.contributions] == [33.33, 25.0, 0.0]
    assert [c.effective_weight for c in acme.contributions] == [2 / 3, 1 / 3, 0.0]
    assert [c.handling for c in acme.contributions] == ["observed", "observed", "excluded"]
    assert acme.contributions[2].severity is None
    assert acme.contributions[2].reason == "c: too little history for acme"
    assert acme.score == 58.33
    assert acme.coverage == 0.75
    assert acme.band is Band.YELLOW


def test_neutral_policy_imputes_the_prior() -> None:
    card = _card(
        SignalWeight("a", 2.0),
        SignalWeight("b", 1.0),
        SignalWeight("c", 1.0, missing="neutral", neutral_severity=0.5),
    )
    signals = _signals({"a": [0.5] * 4, "b": [0.25] * 4, "c": [NAN] * 4})

    acme = card.score(signals).of("acme")

    # weights keep 2/4, 1/4, 1/4; c at severity 0.5: 25 * 0.5 = 12.50;
    # score 25 + 18.75 + 12.5 = 56.25; coverage still 3/4, since c had no data
    assert [c.points for c in acme.contributions] == [25.0, 18.75, 12.5]
    assert acme.contributions[2].handling == "neutral"
    assert acme.contributions[2].severity == 0.5
    assert acme.score == 56.25
    assert acme.coverage == 0.75


def test_worst_policy_counts_a_missing_signal_at_severity_one() -> None:
    card = _card(
        SignalWeight("a", 2.0), SignalWeight("b", 1.0), SignalWeight("c", 1.0, missing="worst")
    )
    signals = _signals({"a": [0.5] * 4, "b": [0.25] * 4, "c": [NAN] * 4})

    acme = card.score(signals).of("acme")

    # c: 25 * (1 - 1) = 0 points, costing all its 25; score 25 + 18.75 = 43.75: yellow
    assert [c.points for c in acme.contributions] == [25.0, 18.75, 0.0]
    assert acme.contributions[2].handling == "worst"
    assert acme.score == 43.75
    assert acme.band is Band.YELLOW
    # costs: c 25.00, a 50 * 0.5 = 25.00 (tie: a is listed first), b 25 * 0.25 = 6.25
    assert acme.reasons == (
        "a cost 25.00 points: a of acme at 0.50",
        "c cost 25.00 points (no reading, counted as worst): c: too little history for acme",
        "b cost 6.25 points: b of acme at 0.25",
    )


def test_fail_policy_names_the_account_and_the_signal() -> None:
    card = _card(SignalWeight("a", 1.0), SignalWeight("c", 1.0, missing="fail"))
    signals = _signals({"a": [0.5] * 4, "c": [0.1, 0.1, NAN, NAN]})

    with pytest.raises(
        DataError,
        match=r"account 'cora' has no reading of signal 'c', whose missing-data policy is "
        r"'fail' \(c: too little history for cora\); 2 account\(s\) in all",
    ):
        card.score(signals)


@pytest.mark.parametrize(
    ("score", "band"),
    [(100.0, "green"), (70.0, "green"), (69.99, "yellow"), (40.0, "yellow"), (39.99, "red")],
)
def test_band_thresholds_include_their_minimum(score: float, band: str) -> None:
    assert BandThresholds().band(score).value == band


def test_a_score_exactly_at_the_threshold_is_green() -> None:
    card = _card(SignalWeight("a", 1.0))

    scores = card.score(_signals({"a": [0.3, 0.31, 0.6, 0.61]}))

    # 100 * (1 - 0.3) = 70.00 -> green; 69.00 -> yellow; 40.00 -> yellow; 39.00 -> red
    assert [s.score for s in scores] == [70.0, 69.0, 40.0, 39.0]
    assert [s.band.value for s in scores] == ["green", "yellow", "yellow", "red"]


def test_below_min_coverage_the_band_is_insufficient_data_but_the_score_stays() -> None:
    card = _card(
        SignalWeight("a", 2.0), SignalWeight("b", 1.0), SignalWeight("c", 1.0), min_coverage=0.8
    )
    signals = _signals({"a": [0.5] * 4, "b": [0.25] * 4, "c": [NAN] * 4})

    acme = card.score(signals).of("acme")

    # as in the renormalisation test: 58.33 with coverage 0.75 < 0.8
    assert acme.score == 58.33
    assert acme.band is Band.INSUFFICIENT_DATA
    assert acme.reasons[0] == (
        "insufficient data: only 75% of the weight had data (at least 80% needed); "
        "no reading of c"
    )


@pytest.mark.parametrize("policy", ["exclude", "neutral", "worst"])
def test_an_account_without_data_has_no_score_and_is_never_green(policy: str) -> None:
    card = _card(
        SignalWeight("a", 1.0, missing=policy, neutral_severity=0.0),  # type: ignore[arg-type]
        SignalWeight("b", 1.0, missing=policy, neutral_severity=0.0),  # type: ignore[arg-type]
        min_coverage=0.0,
    )
    signals = _signals({"a": [0.0, NAN, 0.0, 0.0], "b": [0.0, NAN, 0.0, 0.0]})

    beta = card.score(signals).of("beta")

    # a neutral prior of 0 would make beta 100 points; with no data at all it has no score
    assert beta.score is None
    assert beta.band is Band.INSUFFICIENT_DATA
    assert beta.coverage == 0.0
    assert [c.points for c in beta.contributions] == [0.0, 0.0]
    assert beta.reasons == (
        "no signal had data: a: a: too little history for beta; b: b: too little history "
        "for beta",
    )


def test_segments_override_weights_and_thresholds() -> None:
    card = _card(
        SignalWeight("a", 2.0),
        SignalWeight("b", 1.0),
        SignalWeight("c", 1.0),
        segments={
            "high_touch": SegmentOverride({"a": 1.0, "c": 0.0}, BandThresholds(50.0, 20.0)),
            "tech_touch": SegmentOverride({"b": 3.0}),
        },
    )
    signals = _signals({"a": [0.5] * 4, "b": [0.5] * 4, "c": [NAN] * 4})

    scores = card.score(signals)
    acme, beta, cora = scores.of("acme"), scores.of("beta"), scores.of("cora")

    # acme (high_touch): weights 1, 1, 0; c leaves the segment, so coverage is 2/2 = 1;
    # points 50 * 0.5 = 25 each, score 50.00 >= the segment's green_min 50: green
    assert acme.segment == "high_touch"
    assert [c.weight for c in acme.contributions] == [1.0, 1.0, 0.0]
    assert [c.handling for c in acme.contributions] == ["observed", "observed", "unweighted"]
    assert (acme.score, acme.coverage, acme.band) == (50.0, 1.0, Band.GREEN)
    # beta (tech_touch): weights 2, 3, 1; c excluded, D = 5; 10000 * 2/5 * 0.5 = 2000 and
    # 10000 * 3/5 * 0.5 = 3000: score 50.00, yellow under the card's own thresholds;
    # coverage 5 / 6
    assert [c.points for c in beta.contributions] == [20.0, 30.0, 0.0]
    assert (beta.score, beta.band) == (50.0, Band.YELLOW)
    assert beta.coverage == pytest.approx(5 / 6, abs=0)
    # cora has no record, hence no segment: the card's weights 2, 1, 1
    assert cora.segment is None
    assert [c.weight for c in cora.contributions] == [2.0, 1.0, 1.0]
    assert cora.coverage == 0.75


def test_reasons_quote_the_costliest_signals_first() -> None:
    card = _card(
        SignalWeight("a", 1.0),
        SignalWeight("b", 1.0),
        SignalWeight("c", 1.0),
        SignalWeight("d", 1.0),
        top_reasons=2,
    )
    signals = _signals(
        {"a": [0.1] * 4, "b": [0.9] * 4, "c": [0.0] * 4, "d": [0.4, 0.0, 0.0, 0.0]}
    )

    scores = card.score(signals)

    # costs of acme: 25 * severity = 2.50, 22.50, 0, 10.00; the two largest, riskiest first
    assert scores.of("acme").reasons == (
        "b cost 22.50 points: b of acme at 0.90",
        "d cost 10.00 points: d of acme at 0.40",
    )
    assert scores.of("beta").reasons[0] == "b cost 22.50 points: b of beta at 0.90"


def test_a_healthy_account_still_gets_a_reason() -> None:
    card = _card(SignalWeight("a", 1.0), SignalWeight("b", 1.0))

    acme = card.score(_signals({"a": [0.0] * 4, "b": [NAN] * 4})).of("acme")

    assert acme.reasons == ("no signal cost points: all 1 signals read are healthy",)


def test_a_signal_absent_from_the_set_is_a_configuration_error() -> None:
    card = _card(SignalWeight("a", 1.0), SignalWeight("zz", 1.0))

    with pytest.raises(UnknownNameError, match="no signal 'zz' in this set: it holds a"):
        card.score(_signals({"a": [0.0] * 4}))


def test_points_by_group_are_exact() -> None:
    card = _card(
        SignalWeight("a", 1.0, group="engagement"),
        SignalWeight("b", 1.0, group="engagement"),
        SignalWeight("c", 1.0),
    )

    acme = card.score(_signals({"a": [0.0] * 4, "b": [0.0] * 4, "c": [0.0] * 4})).of("acme")

    # 33.34 + 33.33 = 66.67 engagement, 33.33 ungrouped: 100.00
    assert points_by_group(acme) == {"engagement": 66.67, None: 33.33}


# --- configuration, identity and serialisation -------------------------------------------


def test_config_is_plain_data_and_its_hash_is_carried() -> None:
    card = default_scorecard()
    config = card.config()

    assert json.loads(json.dumps(config)) == config
    assert config["kind"] == "scorecard"
    assert config["signals"][0] == {
        "signal": "attendance",
        "weight": 20.0,
        "group": "engagement",
        "missing": "exclude",
        "neutral_severity": 0.5,
    }
    assert isinstance(card, Scorer)


def test_the_same_configuration_gives_the_same_score() -> None:
    card = _card(SignalWeight("a", 2.0), SignalWeight("b", 1.0))
    copy = _card(SignalWeight("a", 2.0), SignalWeight("b", 1.0))
    heavier = attrs.evolve(card, signals=(SignalWeight("a", 3.0), SignalWeight("b", 1.0)))
    signals = _signals({"a": [0.5, 0.2, NAN, 0.0], "b": [0.1, NAN, NAN, 1.0]})

    first, second = card.score(signals), copy.score(signals)

    assert first == second
    assert {s.config_hash for s in first} == {second.items[0].config_hash}
    assert heavier.score(signals).items[0].config_hash != first.items[0].config_hash
    assert {s.scorer for s in first} == {"scorecard"}
    assert {s.as_of for s in first} == {AS_OF}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SignalWeight("a", 0.0), r"SignalWeight.weight must be a finite number > 0"),
        (lambda: SignalWeight("a", math.inf), r"weight must be a finite number > 0, got inf"),
        (lambda: SignalWeight("", 1.0), r"SignalWeight.signal must be a non-empty string"),
        (
            lambda: SignalWeight("a", 1.0, missing="skip"),  # type: ignore[arg-type]
            r"missing must be one of exclude, neutral, worst, fail, got 'skip'",
        ),
        (
            lambda: SignalWeight("a", 1.0, neutral_severity=1.5),
            r"neutral_severity must lie in \[0, 1\], got 1.5",
        ),
        (lambda: BandThresholds(40.0, 70.0), r"yellow_min \(70.0\) must not exceed green_min"),
        (lambda: BandThresholds(101.0), r"green_min must lie in \[0, 100\]"),
        (lambda: SegmentOverride({"a": -1.0}), r"weights\['a'\] must be a finite number >= 0"),
        (lambda: Scorecard(()), r"Scorecard.signals must list at least one SignalWeight"),
        (
            lambda: _card(SignalWeight("a", 1.0), SignalWeight("a", 2.0)),
            r"Scorecard.signals\[1\]: signal 'a' is listed twice",
        ),
        (
            lambda: _card(SignalWeight("a", 1.0), segments={"x": SegmentOverride({"b": 1.0})}),
            r"Scorecard.segments\['x'\].weights names signals the scorecard does not list: b",
        ),
        (
            lambda: _card(SignalWeight("a", 1.0), segments={"x": SegmentOverride({"a": 0.0})}),
            r"Scorecard.segments\['x'\].weights leave every signal at weight 0",
        ),
        (
            lambda: _card(SignalWeight("a", 1.0), min_coverage=1.2),
            r"Scorecard.min_coverage must lie in \[0, 1\]",
        ),
        (
            lambda: _card(SignalWeight("a", 1.0), top_reasons=0),
            r"Scorecard.top_reasons must be an integer >= 1, got 0",
        ),
    ],
)
def test_bad_configuration_is_refused_with_the_field_named(build: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build()


def test_evolve_validates_again_and_shares_nothing_mutable() -> None:
    weights = {"a": 1.0}
    override = SegmentOverride(weights)
    weights["a"] = 5.0

    assert override.weights["a"] == 1.0
    with pytest.raises(TypeError):
        override.weights["a"] = 2.0  # type: ignore[index]
    with pytest.raises(ConfigError, match="min_coverage"):
        attrs.evolve(default_scorecard(), min_coverage=-0.1)


def _check(value: Any, schema: Mapping[str, Any], defs: Mapping[str, Any], at: str) -> None:
    """A small JSON Schema checker: the keywords health_score.schema.json uses, no more."""
    if "$ref" in schema:
        _check(value, defs[schema["$ref"].rsplit("/", 1)[1]], defs, at)
        return
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        kinds = {
            "null": value is None,
            "string": isinstance(value, str),
            "boolean": isinstance(value, bool),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "array": isinstance(value, list),
            "object": isinstance(value, dict),
        }
        assert any(kinds[t] for t in allowed), f"{at}: {value!r} is not {allowed}"
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        assert value >= schema.get("minimum", -math.inf), f"{at}: {value} < minimum"
        assert value <= schema.get("maximum", math.inf), f"{at}: {value} > maximum"
    if isinstance(value, str):
        assert len(value) >= schema.get("minLength", 0), f"{at}: too short"
        if schema.get("format") == "date-time":
            assert dt.datetime.fromisoformat(value).tzinfo is not None, f"{at}: not aware"
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(item, schema["items"], defs, f"{at}[{i}]")
    if isinstance(value, dict):
        missing = set(schema.get("required", ())) - set(value)
        assert not missing, f"{at}: missing {sorted(missing)}"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(properties)
            assert not extra, f"{at}: unexpected {sorted(extra)}"
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], defs, f"{at}.{key}")


def _validate(data: Any) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    _check(data, schema, schema.get("$defs", {}), "$")


def test_to_dict_is_plain_json_and_follows_the_schema() -> None:
    card = _card(SignalWeight("a", 2.0, group="g"), SignalWeight("b", 1.0), min_coverage=0.9)
    signals = _signals({"a": [0.5, NAN, 0.2, 0.0], "b": [0.1, NAN, NAN, 1.0]})

    for score in card.score(signals):
        data = score.to_dict()
        assert isinstance(data["contributions"], list)
        assert isinstance(data["reasons"], list)
        assert json.loads(score.to_json()) == data
        _validate(data)
        assert HealthScore.from_dict(data) == score


def test_the_schema_checker_refuses_what_does_not_fit() -> None:
    card = _card(SignalWeight("a", 1.0))
    data = card.score(_signals({"a": [0.5] * 4})).items[0].to_dict()

    with pytest.raises(AssertionError, match=r"\$.band: 'blue' not in"):
        _validate({**data, "band": "blue"})
    with pytest.raises(AssertionError, match=r"\$.score: 101 > maximum"):
        _validate({**data, "score": 101})
    with pytest.raises(AssertionError, match=r"\$: unexpected \['colour'\]"):
        _validate({**data, "colour": "x"})
    contribution = {k: v for k, v in data["contributions"][0].items() if k != "points"}
    with pytest.raises(AssertionError, match=r"\$.contributions\[0\]: missing \['points'\]"):
        _validate({**data, "contributions": [contribution]})


# --- properties ---------------------------------------------------------------------------

SEGMENTS = ("high_touch", "tech_touch", None)


def _direct_frame(name: str, ids: Sequence[str], severity: npt.ArrayLike) -> SignalFrame:
    """A frame built with the constructor, so the accounts can come in any order."""
    sev = np.asarray(severity, dtype=np.float64)
    ok = ~np.isnan(sev)
    return SignalFrame(
        name=name,
        unit="severity",
        as_of=AS_OF,
        account_ids=np.asarray(ids),
        value=sev,
        severity=sev,
        status=np.where(ok, 0, 1).astype(np.uint8),
        reasons=tuple(f"{name} reading of {a}" for a in ids),
        samples={},
        evidence_offsets=np.zeros(len(ids) + 1, dtype=np.int64),
        evidence_ids=np.asarray([], dtype=str),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scorecard, SignalSet]:
    """A random scorecard and a signal set of up to 8 accounts, with gaps and segments."""
    k = draw(st.integers(1, 4))
    items = tuple(
        SignalWeight(
            f"s{i}",
            draw(st.floats(0.01, 100.0)),
            missing=draw(st.sampled_from(["exclude", "neutral", "worst"])),
            neutral_severity=draw(st.floats(0.0, 1.0)),
        )
        for i in range(k)
    )
    override = SegmentOverride(
        {
            item.signal: draw(st.sampled_from([0.0, 1.0, 7.5]))
            for item in items[: draw(st.integers(0, k - 1))]
        },
        draw(st.none() | st.just(BandThresholds(60.0, 20.0))),
    )
    card = Scorecard(
        items,
        segments={"high_touch": override},
        min_coverage=draw(st.floats(0.0, 1.0)),
        top_reasons=draw(st.integers(1, 4)),
    )

    n = draw(st.integers(1, 8))
    ids = [f"acct{i}" for i in range(n)]
    segments = draw(st.lists(st.sampled_from(SEGMENTS), min_size=n, max_size=n))
    accounts = tuple(
        None if seg is None else Account(a, seg) for a, seg in zip(ids, segments, strict=True)
    )
    severity = st.one_of(st.just(NAN), st.just(0.0), st.just(1.0), st.floats(0.0, 1.0))
    frames = {
        item.signal: _direct_frame(
            item.signal, ids, draw(st.lists(severity, min_size=n, max_size=n))
        )
        for item in items
    }
    return card, SignalSet(AS_OF, np.asarray(ids), accounts, frames)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_contributions_add_up_to_the_score_exactly(case: tuple[Scorecard, SignalSet]) -> None:
    card, signals = case

    for score in card.score(signals):
        points = [c.points for c in score.contributions]
        if score.score is None:
            assert points == [0.0] * len(points)
            continue
        assert round(sum(points), 2) == score.score
        assert sum(_centi(p) for p in points) == _centi(score.score)
        assert all(_centi(p) == p * 100 or abs(_centi(p) - p * 100) < 1e-6 for p in points)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_scores_coverage_and_weights_stay_in_range(case: tuple[Scorecard, SignalSet]) -> None:
    card, signals = case

    for score in card.score(signals):
        assert score.score is None or 0.0 <= score.score <= 100.0
        assert 0.0 <= score.coverage <= 1.0
        assert score.reasons
        assert all(r.strip() for r in score.reasons)
        effective = [c.effective_weight for c in score.contributions]
        if score.score is not None:
            assert math.isclose(sum(effective), 1.0)
        if score.coverage < card.min_coverage:
            assert score.band is Band.INSUFFICIENT_DATA


@settings(max_examples=60, deadline=None)
@given(cases())
def test_accounts_without_data_are_never_green(case: tuple[Scorecard, SignalSet]) -> None:
    card, signals = case
    without = ~np.column_stack([f.sufficient for f in signals.frames.values()]).any(axis=1)

    scores = card.score(signals)

    for a in np.flatnonzero(without):
        assert scores.items[a].band is Band.INSUFFICIENT_DATA
        assert scores.items[a].score is None


@settings(max_examples=60, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_permuting_accounts_permutes_results(
    case: tuple[Scorecard, SignalSet], random: Any
) -> None:
    card, signals = case
    order = list(range(len(signals)))
    random.shuffle(order)
    ids = signals.account_ids[order]
    frames = {
        name: _direct_frame(name, list(ids), frame.severity[order])
        for name, frame in signals.frames.items()
    }
    shuffled = SignalSet(AS_OF, ids, tuple(signals.accounts[a] for a in order), frames)

    before, after = card.score(signals), card.score(shuffled)

    assert after == Scores(tuple(before.items[a] for a in order))


# --- end to end ----------------------------------------------------------------------------


def test_end_to_end_on_a_hand_made_log() -> None:
    # Hand-made fixture: "acme" (high-touch) missed its last three monthly check-ins after
    # three it attended; "beta" (high-touch) attended all six; "solo" has one touchpoint.
    def meetings(account: str, statuses: str) -> list[Touchpoint]:
        return [
            Touchpoint(
                f"{account}{i}",
                account,
                "check_in",
                dt.datetime(2026, 1 + i // 2, 1 + 14 * (i % 2), 9, tzinfo=dt.UTC),
                "completed" if s == "c" else "no_show",
            )
            for i, s in enumerate(statuses)
        ]

    started = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    log = TouchpointLog.from_touchpoints(
        [
            *meetings("acme", "cccnnnnnn"),
            *meetings("beta", "ccccccccc"),
            Touchpoint("solo0", "solo", "check_in", "2026-05-20T09:00Z", "completed"),
        ],
        accounts=[
            Account("acme", "high_touch", started_at=started),
            Account("beta", "high_touch", started_at=started),
            Account("solo", "high_touch", started_at=started),
        ],
    )
    card = default_scorecard()

    signals = SignalSet.from_log(log, AS_OF)
    scores = card.score(signals)

    assert [s.account_id for s in scores] == ["acme", "beta", "solo"]
    acme, beta = scores.of("acme"), scores.of("beta")
    for score in scores:
        assert all(r.strip() for r in score.reasons)
        if score.score is not None:
            assert sum(_centi(c.points) for c in score.contributions) == _centi(score.score)
    # the six missed check-ins cost acme points beta did not lose, and are its first reason
    assert acme.score is not None
    assert beta.score is not None
    assert acme.score < beta.score
    attendance = next(c for c in acme.contributions if c.signal == "attendance")
    assert attendance.handling == "observed"
    assert attendance.severity is not None
    assert attendance.severity > 0
    assert any(r.startswith("attendance cost") for r in acme.reasons)
    # the score is what the formula gives from the frames themselves
    weights = {s.signal: s.weight for s in card.signals}
    read = {
        name: frame.severity[0] for name, frame in signals.frames.items() if frame.sufficient[0]
    }
    exact = (
        100 * sum(weights[n] * (1 - s) for n, s in read.items()) / sum(weights[n] for n in read)
    )
    assert acme.score == pytest.approx(exact, abs=0.005)
    assert acme.coverage == pytest.approx(sum(weights[n] for n in read) / 100.0)


# --- conformance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    [
        default_scorecard(),
        Scorecard(
            (
                SignalWeight("attendance", 1.0, missing="worst"),
                SignalWeight("tone_shift", 2.0, missing="neutral", neutral_severity=0.0),
                SignalWeight("cadence", 1.0, group="service"),
            ),
            segments={"high_touch": SegmentOverride({"cadence": 0.0}, BandThresholds(80, 50))},
            min_coverage=0.0,
        ),
    ],
    ids=["default", "imputing"],
)
def test_scorecards_pass_the_public_scorer_checks(card: Scorecard) -> None:
    assert check_scorer(card) == SCORER_CHECKS


# --- real data -------------------------------------------------------------------------------


def _real_signals(shared_data: Path, path: str, fmt: str, as_of: dt.datetime) -> SignalSet:
    log = load(make_adapter(fmt, {}).read(shared_data / path), mode="lenient").log
    return SignalSet.from_log(log, as_of)


@pytest.mark.realdata
def test_default_scorecard_on_the_maven_crm(shared_data: Path) -> None:
    signals = _real_signals(
        shared_data, "maven_crm", "crm_pipeline", dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
    )

    scores = default_scorecard().score(signals)
    lowered = attrs.evolve(default_scorecard(), min_coverage=0.4).score(signals)

    # The CRM pipeline gives attendance, fatigue and purpose_outcome for every account (20 +
    # 10 + 10 of 100 weight) and nothing else: 0.4 < 0.5, so no account gets a band.
    assert len(scores) == 85
    assert {s.coverage for s in scores} == {0.4}
    assert {s.band for s in scores} == {Band.INSUFFICIENT_DATA}
    assert all(s.reasons[0].startswith("insufficient data: only 40%") for s in scores)
    # With the minimum lowered to 0.4 every account is green; the lowest is Condax: attendance
    # 20/40 * 100 = 50.00 (all 47 meetings attended), fatigue 10/40 at severity 1 (17 touches
    # in 30 days, norm 8) = 0, purpose_outcome 25 * (1 - 0.1194) = 22.01 (20 of 67
    # touchpoints lack an outcome): 72.01, its first reason the 25.00 points fatigue cost.
    assert {s.band for s in lowered} == {Band.GREEN}
    condax = lowered.riskiest_first()[0]
    assert (condax.account_id, condax.score) == ("Condax", 72.01)
    assert [c.points for c in condax.contributions if c.handling == "observed"] == [
        50.0,
        0.0,
        22.01,
    ]
    assert condax.reasons[0].startswith("fatigue cost 25.00 points: 17 touches in the 30 days")


@pytest.mark.realdata
def test_default_scorecard_on_ravenstack_segments(shared_data: Path) -> None:
    signals = _real_signals(
        shared_data, "ravenstack", "ravenstack", dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )

    scores = default_scorecard().score(signals)

    # With the default extractors only service signals read these tickets: fatigue (10 of
    # the 100 weight) for 488 accounts, nothing for 8, and also purpose_outcome for 4 (20).
    # Cadence does not judge them: the export holds no touchpoint of the kinds the segments
    # expect (check-ins, QBRs, automated), so the default skips those kinds. Every account is
    # insufficient_data, which the default's minimum coverage of 0.5 (above the service
    # group's 45) is meant to ensure.
    assert len(scores) == 500
    assert {s.band for s in scores} == {Band.INSUFFICIENT_DATA}
    assert Counter(round(s.coverage, 2) for s in scores) == {0.1: 488, 0.0: 8, 0.2: 4}
    assert Counter(s.segment for s in scores) == {
        "mid_touch": 178,
        "tech_touch": 168,
        "high_touch": 154,
    }
    assert all(r.strip() for s in scores for r in s.reasons)


def _left_to_right(values: Sequence[float]) -> float:
    total = 0.0
    for value in values:
        total = total + value
    return total


def _reference(card: Scorecard, signals: SignalSet, a: int) -> tuple[Any, ...]:
    """One account's scorecard arithmetic, written out signal by signal in plain floats."""
    account = signals.accounts[a]
    weights = card.weights_for(None if account is None else account.segment.name)
    handling: list[str] = []
    severity: list[float] = []
    counted: list[bool] = []
    has: list[bool] = []
    for item, weight in zip(card.signals, weights, strict=True):
        frame = signals.frame(item.signal)
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
            value = item.neutral_severity
        else:
            value = 1.0 if how == "worst" else NAN
        handling.append(how)
        severity.append(value)
        counted.append(how in ("observed", "neutral", "worst"))
        has.append(read)

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
    total = int(min(max(math.floor(_left_to_right(exact) + 0.5), 0), 10_000))
    floors = [math.floor(x) for x in exact]
    by_fraction = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    extra = set(by_fraction[: total - sum(floors)])
    centi = [f + (i in extra) for i, f in enumerate(floors)]
    shown = [
        None if not (c or h) or math.isnan(s) else s
        for s, c, h in zip(severity, counted, has, strict=True)
    ]
    return (
        total / 100 if scored else None,
        coverage,
        [x / 100 for x in centi],
        effective,
        shown,
        handling,
    )


@settings(max_examples=80, deadline=None)
@given(cases())
def test_the_vectorised_arithmetic_equals_a_per_account_reference(
    case: tuple[Scorecard, SignalSet],
) -> None:
    card, signals = case

    for a, score in enumerate(card.score(signals)):
        assert (
            score.score,
            score.coverage,
            [c.points for c in score.contributions],
            [c.effective_weight for c in score.contributions],
            [c.severity for c in score.contributions],
            [c.handling for c in score.contributions],
        ) == _reference(card, signals, a)
