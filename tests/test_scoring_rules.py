"""Rules: hand-computed caps and sets, the action table, errors, never-greener properties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError, ProtocolError, UnknownNameError
from touchpoint_signals.log import ID
from touchpoint_signals.scoring.base import (
    Adjustment,
    Band,
    Contribution,
    HealthScore,
    Scores,
    SignalSet,
    config_hash,
)
from touchpoint_signals.scoring.rules import Rule, Rules, apply_band_action
from touchpoint_signals.signals.base import SignalFrame

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
NAN = float("nan")


# -- hand-made fixtures -----------------------------------------------------------------------


def _frame(
    name: str,
    ids: Sequence[str],
    value: Sequence[float],
    severity: Sequence[float],
    details: Mapping[str, Sequence[float]] | None = None,
) -> SignalFrame:
    """A hand-made frame; a NaN severity marks an insufficient_data reading."""
    sev = np.asarray(severity, dtype=np.float64)
    return SignalFrame(
        name=name,
        unit="meetings",
        as_of=AS_OF,
        account_ids=np.asarray(ids, dtype=ID),
        value=value,
        severity=sev,
        status=np.where(np.isnan(sev), 1, 0).astype(np.uint8),
        reasons=tuple(f"{name} of {a}" for a in ids),
        samples={},
        evidence_offsets=np.zeros(len(ids) + 1, dtype=np.int64),
        evidence_ids=np.asarray([], dtype=ID),
        details={k: np.asarray(v, dtype=np.float64) for k, v in (details or {}).items()},
    )


def _signals(ids: Sequence[str], *frames: SignalFrame) -> SignalSet:
    return SignalSet(
        AS_OF, np.asarray(ids, dtype=ID), (None,) * len(ids), {f.name: f for f in frames}
    )


def _prior(*rows: tuple[str, float | None, str]) -> Scores:
    """Hand-made prior health scores: (account, score, band), one contribution each."""
    return Scores(
        tuple(
            HealthScore(
                account_id=account,
                as_of=AS_OF,
                score=score,
                band=Band(band),
                coverage=1.0 if score is not None else 0.0,
                contributions=(
                    (Contribution("attendance", score, 1.0, 1.0, 0.0, "observed", "ok"),)
                    if score is not None
                    else ()
                ),
                reasons=(f"{account} scored",),
                scorer="card",
                config_hash="c0ffee",
            )
            for account, score, band in rows
        )
    )


IDS = ("acme", "beta", "gamma")
# Hand-made: acme missed 3 in a row, beta 2, gamma 5; severities are made up but valid.
ATTENDANCE = _frame(
    "attendance", IDS, [3.0, 2.0, 5.0], [0.7, 0.4, 0.9], {"streak": [3.0, 2.0, 5.0]}
)
STREAK = Rule(
    "missed_streak",
    "attendance",
    "streak",
    ">=",
    3,
    "cap_band",
    "yellow",
    "{value:.0f} meetings in a row missed",
)


# -- exact cases ------------------------------------------------------------------------------


def test_three_missed_meetings_cap_a_green_account_at_yellow() -> None:
    signals = _signals(IDS, ATTENDANCE)
    prior = _prior(("acme", 82.0, "green"), ("beta", 55.0, "yellow"), ("gamma", 30.0, "red"))

    scores = Rules([STREAK]).score(signals, prior)

    acme, beta, gamma = scores.items
    # acme: streak 3 >= 3 fires; green is greener than yellow, so capped. Score unchanged.
    assert acme.band is Band.YELLOW
    assert acme.score == 82.0
    assert acme.reasons == ("rule missed_streak: 3 meetings in a row missed", "acme scored")
    assert acme.adjustments == (
        Adjustment(
            kind="cap_band",
            source="missed_streak",
            description="rule missed_streak: 3 meetings in a row missed",
            band_before=Band.GREEN,
            band_after=Band.YELLOW,
            score_before=82.0,
            score_after=82.0,
        ),
    )
    # beta: streak 2 < 3, the rule does not fire.
    assert (beta.band, beta.adjustments, beta.reasons) == (Band.YELLOW, (), ("beta scored",))
    # gamma: fires (5 >= 3) but red is already riskier than yellow: nothing recorded.
    assert (gamma.band, gamma.adjustments, gamma.reasons) == (Band.RED, (), ("gamma scored",))


def test_results_carry_the_rules_name_and_a_hash_of_both_configurations() -> None:
    rules = Rules([STREAK], name="attendance_rules")
    scores = rules.score(_signals(IDS, ATTENDANCE), _prior(*((a, 50.0, "yellow") for a in IDS)))

    own = config_hash(rules.config())
    assert {s.scorer for s in scores} == {"attendance_rules"}
    assert {s.config_hash for s in scores} == {config_hash({"adjusted": "c0ffee", "by": own})}


def test_a_changed_threshold_changes_the_hash() -> None:
    other = Rules([attrs.evolve(STREAK, threshold=4)])

    assert config_hash(Rules([STREAK]).config()) != config_hash(other.config())


def test_set_band_gives_an_unread_account_a_band_but_cap_band_does_not() -> None:
    signals = _signals(IDS, ATTENDANCE)
    prior = _prior(
        ("acme", 65.0, "insufficient_data"),  # a score below min coverage
        ("beta", None, "insufficient_data"),
        ("gamma", None, "insufficient_data"),
    )
    cap = attrs.evolve(STREAK, threshold=2, band="red")
    set_red = attrs.evolve(cap, name="set_red", action="set_band")
    set_yellow = attrs.evolve(cap, name="set_yellow", action="set_band", band="yellow")

    capped = Rules([cap]).score(signals, prior)
    made_red = Rules([set_red]).score(signals, prior)
    made_yellow = Rules([set_yellow]).score(signals, prior)

    assert [s.band.value for s in capped] == ["insufficient_data"] * 3
    assert [s.band.value for s in made_red] == ["red"] * 3
    # yellow needs a score: acme has one, beta and gamma have none and keep their band.
    assert [s.band.value for s in made_yellow] == [
        "yellow",
        "insufficient_data",
        "insufficient_data",
    ]


def test_an_insufficient_reading_never_fires_a_rule() -> None:
    # Hand-made: acme's attendance could not be read, though its details say 9.
    frame = _frame("attendance", IDS, [NAN, 2.0, 0.0], [NAN, 0.4, 0.0], {"streak": [9, 2, 0]})
    prior = _prior(*((a, 90.0, "green") for a in IDS))

    scores = Rules([STREAK]).score(_signals(IDS, frame), prior)

    assert [s.band.value for s in scores] == ["green", "green", "green"]


@pytest.mark.parametrize(
    ("field", "op", "threshold", "fired"),
    [
        # values 3, 2, 5; severities 0.7, 0.4, 0.9
        ("value", ">", 2.0, ["acme", "gamma"]),
        ("value", "==", 2.0, ["beta"]),
        ("severity", "<", 0.5, ["beta"]),
        ("severity", "<=", 0.7, ["acme", "beta"]),
        ("streak", ">=", 5.0, ["gamma"]),
    ],
)
def test_each_field_and_comparison(
    field: str, op: Any, threshold: float, fired: list[str]
) -> None:
    rule = attrs.evolve(STREAK, field=field, op=op, threshold=threshold)

    mask = rule.fires(_signals(IDS, ATTENDANCE))

    assert [a for a, hit in zip(IDS, mask, strict=True) if hit] == fired


def test_the_default_reason_names_the_field_and_threshold() -> None:
    rule = Rule("deep_red", "attendance", "severity", ">", 0.8, "set_band", "red")

    assert rule.describe(0.9) == "rule deep_red: attendance severity is 0.9 (> 0.8)"


def test_rules_need_a_prior() -> None:
    with pytest.raises(ProtocolError, match="Rules adjusts health scores"):
        Rules([STREAK]).score(_signals(IDS, ATTENDANCE))


def test_a_prior_for_other_accounts_is_refused() -> None:
    with pytest.raises(
        ValueError, match="does not match the signal set: 1 health scores for 3 accounts"
    ):
        Rules([STREAK]).score(_signals(IDS, ATTENDANCE), _prior(("acme", 1.0, "red")))


def test_an_unknown_field_lists_the_fields_there_are() -> None:
    rule = attrs.evolve(STREAK, field="streaks")
    prior = _prior(*((a, 50.0, "yellow") for a in IDS))

    with pytest.raises(
        UnknownNameError,
        match="rule 'missed_streak': signal 'attendance' has no field 'streaks'; it has "
        "value, severity, streak",
    ):
        Rules([rule]).score(_signals(IDS, ATTENDANCE), prior)


def test_an_unknown_signal_lists_the_signals_there_are() -> None:
    rule = attrs.evolve(STREAK, signal="cadence")
    prior = _prior(*((a, 50.0, "yellow") for a in IDS))

    with pytest.raises(UnknownNameError, match="no signal 'cadence' in this set: it holds"):
        Rules([rule]).score(_signals(IDS, ATTENDANCE), prior)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"band": "green"}, "band must be yellow or red"),
        ({"band": "purple"}, "band must be yellow or red, got 'purple'"),
        ({"op": "!="}, "op must be one of >=, >, <=, <, ==, got '!='"),
        ({"action": "raise_band"}, "action must be one of cap_band, set_band"),
        ({"threshold": float("inf")}, "threshold must be a finite number"),
        (
            {"reason": "{streak} missed"},
            r"reason template '\{streak\} missed' cannot be filled",
        ),
        ({"name": " "}, "Rule.name must be a non-empty string"),
    ],
)
def test_a_bad_rule_is_refused_when_built(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        attrs.evolve(STREAK, **change)


def test_two_rules_with_one_name_are_refused() -> None:
    with pytest.raises(ConfigError, match="two rules are called 'missed_streak'"):
        Rules([STREAK, attrs.evolve(STREAK, threshold=5)])


def test_rules_must_be_rules() -> None:
    with pytest.raises(ConfigError, match=r"Rules.rules\[0\] is a dict, not a Rule"):
        Rules([{"name": "x"}])  # type: ignore[list-item]


# -- the action table, cell by cell (module docstring of scoring.rules) -----------------------

G, Y, R, N = Band.GREEN, Band.YELLOW, Band.RED, Band.INSUFFICIENT_DATA


@pytest.mark.parametrize(
    ("before", "cap_yellow", "cap_red", "set_yellow", "set_red"),
    [
        (G, Y, R, Y, R),
        (Y, Y, R, Y, R),
        (R, R, R, R, R),
        (N, N, N, Y, R),
    ],
)
def test_the_action_table(
    before: Band, cap_yellow: Band, cap_red: Band, set_yellow: Band, set_red: Band
) -> None:
    assert apply_band_action("cap_band", Y, before, True) is cap_yellow
    assert apply_band_action("cap_band", R, before, True) is cap_red
    assert apply_band_action("set_band", Y, before, True) is set_yellow
    assert apply_band_action("set_band", R, before, True) is set_red


# -- properties -------------------------------------------------------------------------------

_GREENNESS = {Band.RED: 0, Band.YELLOW: 1, Band.GREEN: 2}

rules_strategy = st.lists(
    st.builds(
        Rule,
        name=st.sampled_from("abcdefgh"),
        signal=st.just("attendance"),
        field=st.sampled_from(["value", "severity", "streak"]),
        op=st.sampled_from([">=", ">", "<=", "<", "=="]),
        threshold=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]),
        action=st.sampled_from(["cap_band", "set_band"]),
        band=st.sampled_from(["yellow", "red"]),
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda r: r.name,
)


@st.composite
def accounts_and_priors(draw: st.DrawFn) -> tuple[SignalSet, Scores]:
    n = draw(st.integers(1, 6))
    ids = [f"a{i}" for i in range(n)]
    streak = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    read = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    severity = [s / 4 if ok else NAN for s, ok in zip(streak, read, strict=True)]
    frame = _frame("attendance", ids, [float(s) for s in streak], severity, {"streak": streak})
    rows = []
    for account in ids:
        band = draw(st.sampled_from(list(Band)))
        no_score = band not in (Band.GREEN, Band.YELLOW) and draw(st.booleans())
        score = None if no_score else draw(st.floats(0, 100).map(lambda x: round(x, 2)))
        rows.append((account, score, band.value))
    return _signals(ids, frame), _prior(*rows)


@settings(max_examples=60, deadline=None)
@given(accounts_and_priors(), rules_strategy)
def test_a_rule_never_makes_a_band_greener(
    case: tuple[SignalSet, Scores], rules: list[Rule]
) -> None:
    signals, prior = case

    after = Rules(rules).score(signals, prior)

    for before, now in zip(prior, after, strict=True):
        assert now.score == before.score
        if now.band is Band.GREEN:
            assert before.band is Band.GREEN
        if before.band in _GREENNESS and now.band in _GREENNESS:
            assert _GREENNESS[now.band] <= _GREENNESS[before.band]
        if before.band is not Band.INSUFFICIENT_DATA:
            assert now.band is not Band.INSUFFICIENT_DATA
        assert len(now.adjustments) == len(now.reasons) - len(before.reasons)


@settings(max_examples=40, deadline=None)
@given(accounts_and_priors(), rules_strategy, st.randoms(use_true_random=False))
def test_the_order_of_the_rules_does_not_change_the_bands(
    case: tuple[SignalSet, Scores], rules: list[Rule], random: Any
) -> None:
    signals, prior = case
    shuffled = list(rules)
    random.shuffle(shuffled)

    first = Rules(rules).score(signals, prior)
    second = Rules(shuffled).score(signals, prior)

    assert [s.band for s in first] == [s.band for s in second]
