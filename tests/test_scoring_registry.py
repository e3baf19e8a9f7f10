"""The registry: built-in and plugin scorers, extractors and tone models built from plain data.

Plugins are simulated by replacing ``importlib.metadata.entry_points`` with a function that
returns hand-made :class:`importlib.metadata.EntryPoint` objects whose values point at classes
defined in this module, which is what an installed package's entry point resolves to.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError, ProtocolError, UnknownNameError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.scoring import registry
from touchpoint_signals.scoring.base import Scores, SignalSet
from touchpoint_signals.scoring.registry import (
    EXTRACTOR_GROUP,
    SCORER_GROUP,
    TONE_MODEL_GROUP,
    extractor_names,
    make_extractor,
    make_scorer,
    make_tone_model,
    scorer_names,
    tone_model_names,
)
from touchpoint_signals.signals import SignalFrame, default_extractors
from touchpoint_signals.signals.drift import DriftWindows
from touchpoint_signals.tone import LexiconToneModel

BUILT_IN_EXTRACTORS = [
    "attendance",
    "customer_reply_latency",
    "vendor_response_latency",
    "tone_shift",
    "cadence",
    "fatigue",
    "purpose_outcome",
    "satisfaction",
]


# -- plugin classes, as a third-party package would define them ----------------------------


@attrs.frozen
class NpsTrend:
    """A plugin extractor with one option (its frames are never read in these tests)."""

    name: str = "nps_trend"
    window_days: float = 90.0

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        raise NotImplementedError


@attrs.frozen
class ShoutModel:
    """A plugin tone model: the share of upper-case letters, negated."""

    name: str = "shout"

    def score(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        return np.array([-sum(c.isupper() for c in t) / max(len(t), 1) for t in texts])


@attrs.frozen
class ConstantScorer:
    """A plugin scorer with one option."""

    level: float = 50.0
    name: str = "constant"

    def config(self) -> Mapping[str, Any]:
        return {"kind": "constant", "level": self.level}

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        raise NotImplementedError


@attrs.frozen
class Ranged:
    """A plugin extractor whose two options are checked against each other."""

    name: str = "ranged"
    low: int = 0
    high: int = 10

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            raise ConfigError(f"low {self.low} exceeds high {self.high}")

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        raise NotImplementedError


def plain_function_extractor(window_days: int = 30) -> NpsTrend:
    """A plugin registered as a function rather than a class."""
    return NpsTrend(window_days=float(window_days))


def anything_goes(**options: Any) -> NpsTrend:
    """A plugin factory taking any keyword options."""
    return NpsTrend(name=str(options.get("name", "nps_trend")))


class NotAnExtractor:
    """Registered as an extractor by mistake: it has no ``extract``."""

    name = "broken"


def _entry(name: str, target: str, group: str = EXTRACTOR_GROUP) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=f"{__name__}:{target}", group=group)


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> list[metadata.EntryPoint]:
    """Installed entry points, as a list the test fills in."""
    installed: list[metadata.EntryPoint] = []

    def entry_points(*, group: str) -> list[metadata.EntryPoint]:
        return [entry for entry in installed if entry.group == group]

    monkeypatch.setattr(registry.metadata, "entry_points", entry_points)
    return installed


# -- built-ins -----------------------------------------------------------------------------


def test_built_in_names_come_first_in_the_documented_order(
    plugins: list[metadata.EntryPoint],
) -> None:
    assert extractor_names() == BUILT_IN_EXTRACTORS
    assert tone_model_names() == ["lexicon", "vader"]
    assert scorer_names()[0] == "scorecard"


def test_extractor_names_match_default_extractors() -> None:
    assert extractor_names()[:7] == [e.name for e in default_extractors()]


@pytest.mark.parametrize("extractor", default_extractors(), ids=lambda e: e.name)
def test_each_built_in_extractor_without_options_is_the_default(extractor: Any) -> None:
    assert make_extractor(extractor.name, {}) == extractor


def test_options_are_checked_against_field_types_and_converted() -> None:
    built = make_extractor("attendance", {"streak_threshold": 4, "recent_days": 60})

    # An integer from TOML for a float field arrives as a float.
    assert built == attrs.evolve(default_extractors()[0], streak_threshold=4, recent_days=60.0)
    assert isinstance(built.recent_days, float)  # type: ignore[attr-defined]


def test_a_nested_table_keeps_the_defaults_of_the_field_it_sets() -> None:
    # ToneShift's windows default compares a *difference* of medians; a table that sets only
    # recent_days must keep that, not fall back to DriftWindows' own "ratio" default.
    built = make_extractor("tone_shift", {"windows": {"recent_days": 60}})

    windows = built.windows  # type: ignore[attr-defined]
    assert windows.recent_days == 60.0
    assert windows.effect == "difference"
    assert windows.min_effect == 0.3


def test_a_calendar_is_built_from_a_table() -> None:
    built = make_extractor(
        "customer_reply_latency",
        {"calendar": {"weekmask": "0111110", "holidays": [dt.date(2026, 1, 1), "2026-12-25"]}},
    )

    calendar = built.calendar  # type: ignore[attr-defined]
    assert calendar.weekmask == "0111110"
    assert calendar.holidays == (dt.date(2026, 1, 1), dt.date(2026, 12, 25))


def test_a_tone_model_option_takes_a_name_or_a_table() -> None:
    by_name = make_extractor("tone_shift", {"model": "lexicon"})
    by_table = make_extractor(
        "tone_shift", {"model": {"name": "lexicon", "params": {"max_chars": 500}}}
    )

    assert by_name == make_extractor("tone_shift", {})
    assert by_table.model == LexiconToneModel(max_chars=500)  # type: ignore[attr-defined]


def test_renaming_a_built_in_lets_two_copies_coexist() -> None:
    built = make_extractor("tone_shift", {"name": "tone_shift_long", "windows": {}})

    assert built.name == "tone_shift_long"


def test_vader_is_built_when_the_extra_is_installed() -> None:
    pytest.importorskip("vaderSentiment")

    model = make_tone_model("vader", {})

    assert model.name == "vader"
    assert type(model).__module__ == "touchpoint_signals.tone_vader"


def test_vader_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return None if name == "vaderSentiment" else real(name, package)

    monkeypatch.setattr(registry.importlib.util, "find_spec", find_spec)

    with pytest.raises(ConfigError, match=r"pip install 'touchpoint-signals\[vader\]'"):
        make_tone_model("vader", {})


def test_the_scorecard_scorer_takes_a_whole_scorecard_table() -> None:
    scorer = make_scorer(
        "scorecard", {"name": "mini", "signals": {"attendance": {"weight": 1}}}
    )

    assert scorer.name == "mini"
    assert scorer.config()["signals"][0]["signal"] == "attendance"


def test_scorecard_errors_carry_the_path_given() -> None:
    with pytest.raises(ConfigError, match=r"^scorers\.main\.signals: missing"):
        make_scorer("scorecard", {}, path="scorers.main")


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "word", "listed"),
    [
        (make_extractor, "extractor", "attendance, customer_reply_latency"),
        (make_tone_model, "tone model", "lexicon, vader"),
        (make_scorer, "scorer", "scorecard"),
    ],
)
def test_an_unknown_name_lists_the_registered_ones(make: Any, word: str, listed: str) -> None:
    with pytest.raises(
        UnknownNameError, match=rf"unknown {word} 'nope': expected one of {listed}"
    ):
        make("nope", {})


def test_a_dotted_import_path_is_not_a_name() -> None:
    # Loading executes no code: a configuration cannot reach an arbitrary object by path.
    with pytest.raises(UnknownNameError, match=r"unknown extractor 'os:system'"):
        make_extractor("os:system", {})


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        (
            "attendance",
            {"streak": 3},
            r"^x\.streak: unknown option of the attendance extractor, expected one of name, "
            r"streak_threshold, min_meetings",
        ),
        ("attendance", {"streak_threshold": 2.5}, r"^x\.streak_threshold: expected an integer"),
        (
            "attendance",
            {"streak_threshold": True},
            r"^x\.streak_threshold: expected an integer",
        ),
        (
            "attendance",
            {"streak_threshold": 0},
            r"^x\.streak_threshold: Attendance\.streak_threshold must be ",
        ),
        ("attendance", {"recent_days": "90"}, r"^x\.recent_days: expected a number, got '90'"),
        ("attendance", {"name": 3}, r"^x\.name: expected a string, got 3"),
        ("vendor_response_latency", {"customer_raised_only": 1}, r"^x\.customer_raised_only: "),
        ("cadence", {"kinds": "check_in"}, r"^x\.kinds: expected an array, got 'check_in'"),
        ("cadence", {"kinds": ["check_in", 3]}, r"^x\.kinds\[1\]: expected a string, got 3"),
        ("fatigue", {"survey_cap": 1.5}, r"^x\.survey_cap: expected an integer, got 1\.5"),
        ("tone_shift", {"windows": 30}, r"^x\.windows: expected a table of DriftWindows"),
        (
            "tone_shift",
            {"windows": {"recent": 30}},
            r"^x\.windows\.recent: unknown option of DriftWindows, expected one of recent_days",
        ),
        (
            "tone_shift",
            {"windows": {"effect": "log"}},
            r"^x\.windows\.effect: expected one of 'ratio', 'difference', got 'log'",
        ),
        ("tone_shift", {"windows": {"effect": "ratio"}}, r"^x\.windows: ToneShift\.windows"),
        ("tone_shift", {"model": "vadr"}, r"^x\.model: unknown tone model 'vadr'"),
        ("tone_shift", {"model": 3}, r"^x\.model: expected a tone model name \(lexicon, vader"),
        ("tone_shift", {"model": {"params": {}}}, r"^x\.model\.name: expected a tone model"),
        ("tone_shift", {"model": {"name": "lexicon", "x": 1}}, r"^x\.model\.x: unknown key"),
        (
            "tone_shift",
            {"model": {"name": "lexicon", "params": {"max_chars": "all"}}},
            r"^x\.model\.params\.max_chars: expected an integer",
        ),
        (
            "tone_shift",
            {"model": {"name": "lexicon", "params": {"lexicon": "/no/such/lexicon.toml"}}},
            r"^x\.model\.params\.lexicon: cannot read the lexicon '/no/such/lexicon\.toml'",
        ),
        (
            "customer_reply_latency",
            {"calendar": {"weekmask": "11"}},
            r"^x\.calendar\.weekmask: BusinessCalendar\.weekmask '11' is not a week mask",
        ),
        (
            "customer_reply_latency",
            {"calendar": {"holidays": ["Christmas"]}},
            r"^x\.calendar\.holidays: .*'Christmas' is not a date",
        ),
    ],
)
def test_a_bad_option_is_named_by_its_key_path(
    name: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_extractor(name, options, path="x")


def test_the_path_defaults_to_the_name() -> None:
    with pytest.raises(ConfigError, match=r"^attendance\.streak: unknown option"):
        make_extractor("attendance", {"streak": 3})


def test_an_option_that_fails_alone_is_named_rather_than_the_table() -> None:
    # 0.5 (given) + 0.4 (default outcome) + 0.3 (default reactive) = 1.2, not 1.
    with pytest.raises(ConfigError, match=r"^x\.purpose_weight: .*add up to 1, got 1\.2"):
        make_extractor("purpose_outcome", {"purpose_weight": 0.5}, path="x")


def test_options_that_fail_only_together_blame_the_table(
    plugins: list[metadata.EntryPoint],
) -> None:
    plugins.append(_entry("ranged", "Ranged"))

    # low=5 alone (5 < 10) and high=4 alone (0 < 4) are fine; together 5 > 4 is not.
    with pytest.raises(ConfigError, match=r"^x: bad options for the ranged extractor: low 5"):
        make_extractor("ranged", {"low": 5, "high": 4}, path="x")


# -- plugins -------------------------------------------------------------------------------


def test_a_plugin_extractor_is_listed_after_the_built_ins_and_built_with_options(
    plugins: list[metadata.EntryPoint],
) -> None:
    plugins.append(_entry("nps_trend", "NpsTrend"))

    assert extractor_names() == [*BUILT_IN_EXTRACTORS, "nps_trend"]
    assert make_extractor("nps_trend", {"window_days": 60}) == NpsTrend(window_days=60.0)


def test_plugin_options_are_checked_like_built_ins(plugins: list[metadata.EntryPoint]) -> None:
    plugins.append(_entry("nps_trend", "NpsTrend"))

    with pytest.raises(
        ConfigError, match=r"^nps_trend\.window: .*expected one of name, window"
    ):
        make_extractor("nps_trend", {"window": 60})
    with pytest.raises(ConfigError, match=r"^nps_trend\.window_days: expected a number"):
        make_extractor("nps_trend", {"window_days": "60"})


def test_a_plugin_tone_model_serves_the_tone_shift_extractor(
    plugins: list[metadata.EntryPoint],
) -> None:
    plugins.append(_entry("shout", "ShoutModel", TONE_MODEL_GROUP))

    built = make_extractor("tone_shift", {"name": "shouting", "model": "shout"})

    assert tone_model_names() == ["lexicon", "vader", "shout"]
    assert built.model == ShoutModel()  # type: ignore[attr-defined]


def test_a_plugin_scorer_is_built_with_options(plugins: list[metadata.EntryPoint]) -> None:
    plugins.append(_entry("constant", "ConstantScorer", SCORER_GROUP))

    assert "constant" in scorer_names()
    assert make_scorer("constant", {"level": 80}) == ConstantScorer(level=80.0)


def test_a_plugin_function_is_checked_against_its_signature(
    plugins: list[metadata.EntryPoint],
) -> None:
    plugins.append(_entry("nps_fn", "plain_function_extractor"))

    assert make_extractor("nps_fn", {"window_days": 14}) == NpsTrend(window_days=14.0)
    with pytest.raises(ConfigError, match=r"^nps_fn\.days: .*expected one of window_days$"):
        make_extractor("nps_fn", {"days": 14})


def test_a_plugin_taking_any_keywords_gets_them_all(
    plugins: list[metadata.EntryPoint],
) -> None:
    plugins.append(_entry("loose", "anything_goes"))

    assert make_extractor("loose", {"name": "x", "whatever": 1}) == NpsTrend(name="x")


def test_a_plugin_that_builds_the_wrong_thing_is_a_protocol_error(
    plugins: list[metadata.EntryPoint],
) -> None:
    plugins.append(_entry("broken", "NotAnExtractor"))

    with pytest.raises(ProtocolError, match=r"extractor 'broken' built a NotAnExtractor"):
        make_extractor("broken", {})


def test_a_plugin_that_cannot_be_imported_is_named(plugins: list[metadata.EntryPoint]) -> None:
    plugins.append(_entry("ghost", "NoSuchClass"))

    with pytest.raises(ConfigError, match=r"extractor 'ghost' \(.*:NoSuchClass.*could not be"):
        make_extractor("ghost", {})


def test_two_plugins_claiming_one_name_are_both_named(
    plugins: list[metadata.EntryPoint],
) -> None:
    plugins.extend([_entry("nps", "NpsTrend"), _entry("nps", "plain_function_extractor")])

    with pytest.raises(ConfigError, match=r"2 installed packages register the extractor 'nps'"):
        make_extractor("nps", {})


def test_a_plugin_cannot_replace_a_built_in(
    plugins: list[metadata.EntryPoint], caplog: pytest.LogCaptureFixture
) -> None:
    plugins.append(_entry("attendance", "NpsTrend"))

    with caplog.at_level(logging.WARNING, logger="touchpoint_signals.scoring.registry"):
        names = extractor_names()
        built = make_extractor("attendance", {})

    assert names == BUILT_IN_EXTRACTORS
    assert built == default_extractors()[0]
    assert "'attendance' is a built-in extractor" in caplog.text


# -- properties ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=50), st.floats(min_value=1.0, max_value=1000.0))
def test_valid_options_arrive_unchanged(streak: int, days: float) -> None:
    built = make_extractor("attendance", {"streak_threshold": streak, "baseline_days": days})

    assert built.streak_threshold == streak  # type: ignore[attr-defined]
    assert built.baseline_days == days  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_any_unknown_option_is_refused_by_name(key: str) -> None:
    valid = {f.name for f in attrs.fields(DriftWindows)}
    if key in valid:
        return

    with pytest.raises(ConfigError, match=rf"^x\.windows\.{key}: unknown option"):
        make_extractor("customer_reply_latency", {"windows": {key: 1}}, path="x")
