"""Scorecard files: plain data validated on load, errors by key path, order-free hashes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Account, Catalog, Segment, Touchpoint
from touchpoint_signals.scoring.base import Band, SignalSet, config_hash
from touchpoint_signals.scoring.compose import Sequence
from touchpoint_signals.scoring.config import (
    ScorecardConfig,
    extractors_for,
    load_scorecard,
    scorecard_from_mapping,
    scorecard_from_toml,
)
from touchpoint_signals.scoring.registry import make_scorer
from touchpoint_signals.scoring.scorecard import (
    BandThresholds,
    Scorecard,
    SegmentOverride,
    SignalWeight,
    default_scorecard,
)
from touchpoint_signals.signals import Attendance, ToneShift, default_extractors
from touchpoint_signals.tone import LexiconToneModel

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "scorecard.toml"

# Hand-made fixture: a small scorecard with every kind of key.
FULL: dict[str, Any] = {
    "name": "cs-health-v1",
    "min_coverage": 0.6,
    "top_reasons": 2,
    "thresholds": {"green_min": 72, "yellow_min": 45},
    "signals": {
        "attendance": {
            "weight": 3,
            "group": "engagement",
            "missing": "worst",
            "extractor": {"params": {"streak_threshold": 4}},
        },
        "cadence": {"weight": 1.5, "missing": "neutral", "neutral_severity": 0.25},
        "tone_long": {
            "weight": 2,
            "group": "sentiment",
            "extractor": {"name": "tone_shift", "params": {"model": {"name": "lexicon"}}},
        },
    },
    "segments": {
        "high_touch": {
            "thresholds": {"green_min": 75, "yellow_min": 50},
            "weights": {"cadence": 3},
        },
        "tech_touch": {"weights": {"attendance": 0}},
    },
}


def test_a_full_scorecard_is_built_as_written() -> None:
    card = scorecard_from_mapping(FULL)

    assert card == Scorecard(
        name="cs-health-v1",
        min_coverage=0.6,
        top_reasons=2,
        thresholds=BandThresholds(72.0, 45.0),
        # a [signals] table is read in name order
        signals=(
            SignalWeight("attendance", 3.0, group="engagement", missing="worst"),
            SignalWeight("cadence", 1.5, missing="neutral", neutral_severity=0.25),
            SignalWeight("tone_long", 2.0, group="sentiment"),
        ),
        segments={
            "high_touch": SegmentOverride({"cadence": 3.0}, BandThresholds(75.0, 50.0)),
            "tech_touch": SegmentOverride({"attendance": 0.0}),
        },
    )


def test_extractors_follow_the_signals_with_their_options() -> None:
    extractors = extractors_for(FULL)

    assert [e.name for e in extractors] == ["attendance", "cadence", "tone_long"]
    assert extractors[0] == Attendance(streak_threshold=4)
    assert extractors[1] == default_extractors()[4]  # cadence with its defaults
    assert extractors[2] == ToneShift(name="tone_long", model=LexiconToneModel())


def test_extractors_for_takes_a_loaded_config_a_mapping_or_a_file() -> None:
    loaded = load_scorecard(EXAMPLE)

    assert extractors_for(loaded) is loaded.extractors
    assert extractors_for(EXAMPLE) == loaded.extractors
    assert extractors_for(str(EXAMPLE)) == loaded.extractors


def test_a_signal_without_options_uses_the_built_in_defaults() -> None:
    loaded = load_scorecard({"signals": {"tone_shift": {"weight": 1}}})

    assert loaded.extractors == (default_extractors()[3],)
    assert loaded.scorecard.signals == (SignalWeight("tone_shift", 1.0),)
    assert loaded.scorecard.thresholds == BandThresholds()


def test_the_extractor_may_be_given_by_name_alone() -> None:
    loaded = load_scorecard({"signals": {"mood": {"weight": 1, "extractor": "tone_shift"}}})

    assert loaded.extractors == (ToneShift(name="mood"),)


def test_the_scorecard_scorer_of_the_registry_is_the_same_scorecard() -> None:
    assert make_scorer("scorecard", FULL) == scorecard_from_mapping(FULL)


# -- round trips and hashes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    [default_scorecard(), scorecard_from_mapping(FULL), scorecard_from_toml(EXAMPLE)],
    ids=["default", "full", "example"],
)
def test_a_scorecards_config_loads_back_to_the_same_hash(card: Scorecard) -> None:
    again = scorecard_from_mapping(card.config())

    assert again == card
    assert config_hash(again.config()) == config_hash(card.config())


def _reversed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed(v) for k, v in reversed(list(value.items()))}
    return value


def test_key_order_does_not_change_either_hash() -> None:
    forward = load_scorecard(FULL)
    backward = load_scorecard(_reversed(FULL))

    assert list(_reversed(FULL)["signals"]) == ["tone_long", "cadence", "attendance"]
    assert config_hash(backward.scorecard.config()) == config_hash(forward.scorecard.config())
    assert backward.config_hash == forward.config_hash


def test_toml_files_written_in_another_order_have_the_same_hash(tmp_path: Path) -> None:
    one = tmp_path / "one.toml"
    two = tmp_path / "two.toml"
    one.write_text(
        'name = "a"\n[thresholds]\ngreen_min = 80\nyellow_min = 50\n'
        "[signals.cadence]\nweight = 1\n[signals.attendance]\nweight = 2\n"
        "extractor = { params = { recent_days = 60, streak_threshold = 2 } }\n",
        encoding="utf-8",
    )
    two.write_text(
        'name = "a"\n[signals.attendance]\n'
        "extractor = { params = { streak_threshold = 2, recent_days = 60 } }\n"
        "weight = 2\n[signals.cadence]\nweight = 1\n"
        "[thresholds]\nyellow_min = 50\ngreen_min = 80\n[segments]\n",
        encoding="utf-8",
    )
    first, second = load_scorecard(one), load_scorecard(two)

    assert second.scorecard.config() == first.scorecard.config()
    assert second.config_hash == first.config_hash


def test_the_file_hash_changes_with_extractor_options_and_the_scorecard_hash_does_not() -> None:
    base = load_scorecard({"signals": {"attendance": {"weight": 1}}})
    tuned = load_scorecard(
        {"signals": {"attendance": {"weight": 1, "extractor": {"params": {"recent_days": 60}}}}}
    )

    assert config_hash(tuned.scorecard.config()) == config_hash(base.scorecard.config())
    assert tuned.config_hash != base.config_hash


def test_the_plain_data_is_json_data() -> None:
    loaded = load_scorecard(EXAMPLE)

    calendar = loaded.data["extractors"]["customer_reply_latency"]["params"]["calendar"]
    assert calendar["holidays"] == ["2025-12-25", "2026-01-01"]
    assert list(calendar) == sorted(calendar)


_WEIGHTS = st.floats(min_value=0.01, max_value=100.0, allow_nan=False)
_SIGNALS = st.lists(
    st.sampled_from([e.name for e in default_extractors()]), min_size=1, unique=True
)


@settings(max_examples=40, deadline=None)
@given(
    _SIGNALS.flatmap(
        lambda names: st.tuples(
            st.just(names),
            st.lists(_WEIGHTS, min_size=len(names), max_size=len(names)),
            st.lists(
                st.sampled_from(["exclude", "neutral", "worst", "fail"]),
                min_size=len(names),
                max_size=len(names),
            ),
            st.lists(
                st.one_of(st.none(), st.sampled_from(["engagement", "service"])),
                min_size=len(names),
                max_size=len(names),
            ),
        )
    ),
    st.floats(min_value=0.0, max_value=1.0),
    st.tuples(st.floats(0.0, 100.0), st.floats(0.0, 100.0)).map(sorted),
)
def test_round_trip_keeps_the_hash_for_any_scorecard(
    parts: tuple[list[str], list[float], list[str], list[str | None]],
    min_coverage: float,
    bounds: list[float],
) -> None:
    names, weights, policies, groups = parts
    card = Scorecard(
        signals=tuple(
            SignalWeight(n, w, group=g, missing=p)  # type: ignore[arg-type]
            for n, w, p, g in zip(names, weights, policies, groups, strict=True)
        ),
        thresholds=BandThresholds(green_min=bounds[1], yellow_min=bounds[0]),
        segments={"high_touch": SegmentOverride({names[0]: 2.5})},
        min_coverage=min_coverage,
    )

    again = scorecard_from_mapping(card.config())

    assert config_hash(again.config()) == config_hash(card.config())
    assert [e.name for e in extractors_for(card.config())] == names


# -- the example file ----------------------------------------------------------------------


def test_the_example_scorecard_loads() -> None:
    loaded = load_scorecard(EXAMPLE)

    assert isinstance(loaded, ScorecardConfig)
    card = loaded.scorecard
    assert card.name == "cs-health-example"
    # The example keeps the default weights and groups; only the order (by name) differs.
    assert {s.signal: (s.weight, s.group) for s in card.signals} == {
        s.signal: (s.weight, s.group) for s in default_scorecard().signals
    }
    assert sorted(card.segments) == ["high_touch", "tech_touch"]
    assert card.thresholds_for("high_touch") == BandThresholds(75.0, 45.0)
    latency = {e.name: e for e in loaded.extractors}["customer_reply_latency"]
    assert latency.calendar.holidays == (  # type: ignore[attr-defined]
        dt.date(2025, 12, 25),
        dt.date(2026, 1, 1),
    )


def test_the_example_file_errors_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("weight = 20", "weight = -20", 1),
        encoding="utf-8",
    )

    with pytest.raises(ConfigError, match=rf"^{broken}\.signals\.attendance\.weight: expected"):
        scorecard_from_toml(broken)


def test_invalid_toml_and_missing_files_are_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        scorecard_from_toml(bad)
    with pytest.raises(ConfigError, match=r"absent\.toml: cannot read the scorecard"):
        scorecard_from_toml(tmp_path / "absent.toml")


# -- every error names its key path --------------------------------------------------------

_ONE = {"attendance": {"weight": 1}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"signals": {"attendance": {"weight": -1}}},
            r"^scorecard\.signals\.attendance\.weight: expected a number > 0, got -1$",
        ),
        (
            {"signals": {"attendance": {"weight": 0}}},
            r"^scorecard\.signals\.attendance\.weight: expected a number > 0, got 0$",
        ),
        (
            {"signals": {"attendance": {"weight": "3"}}},
            r"^scorecard\.signals\.attendance\.weight: expected a number > 0, got '3'$",
        ),
        (
            {"signals": {"attendance": {"weight": True}}},
            r"^scorecard\.signals\.attendance\.weight: expected a number > 0, got True$",
        ),
        (
            {"signals": {"attendance": {"weight": float("inf")}}},
            r"^scorecard\.signals\.attendance\.weight: expected a number > 0, got inf$",
        ),
        (
            {"signals": {"attendance": {}}},
            r"^scorecard\.signals\.attendance\.weight: missing, expected a number > 0$",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "wieght": 2}}},
            r"^scorecard\.signals\.attendance\.wieght: unknown key, expected one of weight, "
            r"group, missing, neutral_severity, extractor$",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "missing": "skip"}}},
            r"^scorecard\.signals\.attendance\.missing: expected one of exclude, neutral, "
            r"worst, fail, got 'skip'$",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "neutral_severity": 1.5}}},
            r"^scorecard\.signals\.attendance\.neutral_severity: expected a number >= 0 and "
            r"<= 1, got 1\.5$",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "group": ""}}},
            r"^scorecard\.signals\.attendance\.group: expected a non-empty string, got ''$",
        ),
        ({"signals": {"attendance": 3}}, r"^scorecard\.signals\.attendance: expected a table"),
        ({"signals": {}}, r"^scorecard\.signals: expected at least one signal, got none$"),
        ({"signals": "attendance"}, r"^scorecard\.signals: expected a table of signals"),
        ({}, r"^scorecard\.signals: missing, expected a table of signals"),
        (
            {"signals": [{"weight": 1}]},
            r"^scorecard\.signals\[0\]\.signal: expected a non-empty string, got None$",
        ),
        (
            {
                "signals": [
                    {"signal": "cadence", "weight": 1},
                    {"signal": "cadence", "weight": 2},
                ]
            },
            r"^scorecard\.signals\[1\]\.signal: 'cadence' is listed twice \(also "
            r"scorecard\.signals\[0\]\)$",
        ),
        (
            {"signals": [{"signal": "cadence", "weight": -2}]},
            r"^scorecard\.signals\[0\]\.weight: expected a number > 0, got -2$",
        ),
        (
            {"signals": {"nps": {"weight": 1}}},
            r"^scorecard\.signals\.nps\.extractor\.name: no extractor is registered as 'nps', "
            r"so name the one that makes this signal, expected one of attendance, ",
        ),
        (
            {"signals": {"nps": {"weight": 1, "extractor": "os:system"}}},
            r"^scorecard\.signals\.nps\.extractor\.name: expected a registered extractor name",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "extractor": 3}}},
            r"^scorecard\.signals\.attendance\.extractor: expected a table, got 3$",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "extractor": {"module": "x"}}}},
            r"^scorecard\.signals\.attendance\.extractor\.module: unknown key, expected one of "
            r"name, params$",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "extractor": {"params": []}}}},
            r"^scorecard\.signals\.attendance\.extractor\.params: expected a table, got \[\]$",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "extractor": {"params": {"name": "x"}}}}},
            r"^scorecard\.signals\.attendance\.extractor\.params\.name: unknown option here",
        ),
        (
            {"signals": {"attendance": {"weight": 1, "extractor": {"params": {"streak": 3}}}}},
            r"^scorecard\.signals\.attendance\.extractor\.params\.streak: unknown option of "
            r"the attendance extractor, expected one of name, streak_threshold",
        ),
        (
            {
                "signals": {
                    "attendance": {
                        "weight": 1,
                        "extractor": {"params": {"streak_threshold": 0}},
                    }
                }
            },
            r"^scorecard\.signals\.attendance\.extractor\.params\.streak_threshold: "
            r"Attendance\.streak_threshold must be .*got 0$",
        ),
        (
            {
                "signals": {
                    "mood": {
                        "weight": 1,
                        "extractor": {"name": "tone_shift", "params": {"model": "x"}},
                    }
                }
            },
            r"^scorecard\.signals\.mood\.extractor\.params\.model: unknown tone model 'x'",
        ),
        (
            {"signals": _ONE, "thresholds": {"green_min": 30, "yellow_min": 50}},
            r"^scorecard\.thresholds: BandThresholds\.yellow_min \(50\.0\) must not exceed "
            r"green_min \(30\.0\)$",
        ),
        (
            {"signals": _ONE, "thresholds": {"green_min": 130}},
            r"^scorecard\.thresholds\.green_min: expected a number >= 0 and <= 100, got 130$",
        ),
        (
            {"signals": _ONE, "thresholds": {"green": 70}},
            r"^scorecard\.thresholds\.green: unknown key, expected one of green_min, "
            r"yellow_min$",
        ),
        (
            {"signals": _ONE, "thresholds": 70},
            r"^scorecard\.thresholds: expected a table, got 70$",
        ),
        (
            {"signals": _ONE, "min_coverage": 1.5},
            r"^scorecard\.min_coverage: expected a number >= 0 and <= 1, got 1\.5$",
        ),
        (
            {"signals": _ONE, "top_reasons": 0},
            r"^scorecard\.top_reasons: expected an integer >= 1, got 0$",
        ),
        (
            {"signals": _ONE, "top_reasons": 2.0},
            r"^scorecard\.top_reasons: expected an integer >= 1, got 2\.0$",
        ),
        ({"signals": _ONE, "name": " "}, r"^scorecard\.name: expected a non-empty string"),
        ({"signals": _ONE, "kind": "rules"}, r"^scorecard\.kind: expected 'scorecard', got"),
        (
            {"signals": _ONE, "tresholds": {}},
            r"^scorecard\.tresholds: unknown key, expected one of kind, name, min_coverage, ",
        ),
        (
            {"signals": _ONE, "segments": {"high_touch": {"weights": {"cadence": 2}}}},
            r"^scorecard\.segments\.high_touch\.weights\.cadence: unknown signal, expected one "
            r"of the scorecard's signals \(attendance\)$",
        ),
        (
            {"signals": _ONE, "segments": {"high_touch": {"weights": {"attendance": -1}}}},
            r"^scorecard\.segments\.high_touch\.weights\.attendance: expected a number >= 0, "
            r"got -1$",
        ),
        (
            {"signals": _ONE, "segments": {"high_touch": {"thresholds": {"yellow_min": -5}}}},
            r"^scorecard\.segments\.high_touch\.thresholds\.yellow_min: expected a number >= 0",
        ),
        (
            {"signals": _ONE, "segments": {"high_touch": {"weight": {}}}},
            r"^scorecard\.segments\.high_touch\.weight: unknown key, expected one of weights, "
            r"thresholds$",
        ),
        (
            {"signals": _ONE, "segments": {"high_touch": []}},
            r"^scorecard\.segments\.high_touch: expected a table, got \[\]$",
        ),
        (
            {"signals": _ONE, "segments": []},
            r"^scorecard\.segments: expected a table, got \[\]$",
        ),
    ],
)
def test_every_error_names_its_key_path(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_scorecard(data)


def test_a_misspelt_segment_is_refused_and_a_catalogs_own_is_accepted() -> None:
    data = {"signals": _ONE, "segments": {"midtouch": {"weights": {"attendance": 2}}}}

    with pytest.raises(
        ConfigError,
        match=r"^scorecard\.segments\.midtouch: unknown segment, expected one of high_touch, "
        r"mid_touch, tech_touch \(a team's own segments are named in a catalog: pass "
        r"catalog=, or --catalog on the command line\)$",
    ):
        load_scorecard(data)
    with pytest.raises(ConfigError, match=r"^scorecard\.segments\.midtouch: unknown segment"):
        scorecard_from_mapping(data)

    own = Catalog(segments=(*Catalog().segments, Segment("midtouch")))
    card = load_scorecard(data, catalog=own).scorecard
    assert sorted(card.segments) == ["midtouch"]
    assert scorecard_from_mapping(card.config(), catalog=own) == card


def test_a_signal_of_the_callers_own_extractor_is_a_scorecard_but_not_a_loadable_file() -> None:
    data = {"signals": {"nps": {"weight": 1}}}

    assert scorecard_from_mapping(data).signals == (SignalWeight("nps", 1.0),)
    with pytest.raises(ConfigError, match=r"^scorecard\.signals\.nps\.extractor\.name: no "):
        extractors_for(data)


def test_a_custom_path_prefixes_every_message() -> None:
    with pytest.raises(ConfigError, match=r"^health\.card\.signals\.attendance\.weight: "):
        scorecard_from_mapping({"signals": {"attendance": {"weight": -1}}}, path="health.card")


def test_a_scorecard_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"^scorecard: expected a table, got \['attendance'\]"
    ):
        load_scorecard(["attendance"])  # type: ignore[arg-type]


# -- rules and overrides -------------------------------------------------------------------

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

# Hand-made fixture: acme missed its last three check-ins; quiet has no touchpoints at all.
LOG = TouchpointLog.from_touchpoints(
    [
        Touchpoint(f"c{i}", "acme", "check_in", f"2026-05-{i + 1:02d}T09:00Z", status)
        for i, status in enumerate(["completed", "no_show", "cancelled", "no_show"])
    ],
    accounts=[Account("acme", "high_touch"), Account("quiet", "tech_touch")],
)

STREAK_RULE = {
    "name": "missed_streak",
    "signal": "attendance",
    "field": "value",
    "op": ">=",
    "threshold": 3,
    "action": "set_band",
    "band": "red",
    "reason": "{value:.0f} meetings in a row missed",
}
QUIET_OVERRIDE = {
    "account_id": "quiet",
    "author": "dana@example.com",
    "reason": "known to be quiet",
    "band": "green",
    "expires_at": dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
}


def test_rules_and_overrides_follow_the_scorecard_in_a_sequence() -> None:
    loaded = load_scorecard(
        {
            "name": "mini",
            "signals": {"attendance": {"weight": 1}},
            "rules": [STREAK_RULE],
            "overrides": [QUIET_OVERRIDE],
        }
    )
    signals = SignalSet.from_log(LOG, AS_OF, loaded.extractors)

    plain = loaded.scorecard.score(signals).of("acme")
    final = loaded.scorer.score(signals)

    assert isinstance(loaded.scorer, Sequence)
    assert [part.name for part in loaded.scorer.parts] == ["scorecard", "rules", "overrides"]
    assert loaded.data["scorer"] == loaded.scorer.config()
    acme = final.of("acme")
    # The streak of 3 meets the rule (>= 3): set to red, the score left as it was.
    assert (acme.band, acme.score) == (Band.RED, plain.score)
    assert acme.reasons[0] == "rule missed_streak: 3 meetings in a row missed"
    assert {h.scorer for h in final} == {"mini"}


def test_without_rules_or_overrides_the_scorer_is_the_scorecard() -> None:
    loaded = load_scorecard({"signals": _ONE, "rules": [], "overrides": []})

    assert loaded.scorer is loaded.scorecard
    assert loaded.data["scorer"] == loaded.scorecard.config()


def test_the_example_has_the_streak_rule() -> None:
    loaded = load_scorecard(EXAMPLE)

    assert isinstance(loaded.scorer, Sequence)
    rules = loaded.scorer.parts[1].scorer
    assert [rule.name for rule in rules.rules] == ["missed_streak"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"rules": STREAK_RULE}, r"^scorecard\.rules: expected an array of tables"),
        (
            {"rules": [{**STREAK_RULE, "signal": "cadence"}]},
            r"^scorecard\.rules\[0\]\.signal: unknown signal 'cadence', expected one of the "
            r"scorecard's signals \(attendance\)$",
        ),
        (
            {"rules": [STREAK_RULE, {**STREAK_RULE, "op": "=>"}]},
            r"^scorecard\.rules\[1\]\.op: expected one of '>=', '>', '<=', '<', '==', "
            r"got '=>'$",
        ),
        (
            {"rules": [{k: v for k, v in STREAK_RULE.items() if k != "threshold"}]},
            r"^scorecard\.rules\[0\]\.threshold: missing, expected a value for Rule$",
        ),
        (
            {"rules": [{**STREAK_RULE, "colour": "red"}]},
            r"^scorecard\.rules\[0\]\.colour: unknown option of Rule, expected one of name, ",
        ),
        (
            {"rules": [{**STREAK_RULE, "threshold": "3"}]},
            r"^scorecard\.rules\[0\]\.threshold: expected a number, got '3'$",
        ),
        ({"overrides": {}}, r"^scorecard\.overrides: expected an array of tables"),
        (
            {"overrides": [{**QUIET_OVERRIDE, "score": 120}]},
            r"^scorecard\.overrides\[0\]\.score: .*score must lie in \[0, 100\], got 120",
        ),
        (
            {"overrides": [{k: v for k, v in QUIET_OVERRIDE.items() if k != "author"}]},
            r"^scorecard\.overrides\[0\]\.author: missing, expected a value for Override$",
        ),
        (
            {"overrides": [{**QUIET_OVERRIDE, "band": "purple"}]},
            r"^scorecard\.overrides\[0\]\.band: expected one of 'green', 'yellow', 'red'",
        ),
        (
            {"overrides": [{**QUIET_OVERRIDE, "expires_at": dt.datetime(2026, 9, 1)}]},
            r"^scorecard\.overrides\[0\]: .*expires_at must be an instant with a time zone",
        ),
    ],
)
def test_rule_and_override_errors_name_their_key_path(
    extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_scorecard({"signals": _ONE, **extra})
