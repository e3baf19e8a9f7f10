"""Explanations over time: hand-computed score changes, cooling accounts, band hysteresis."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.checks import ReferenceScorer
from touchpoint_signals.errors import ConfigError, DataError, ProtocolError
from touchpoint_signals.explain import (
    BandHysteresis,
    green_but_cooling,
    score_changes,
)
from touchpoint_signals.model import Account
from touchpoint_signals.scoring import (
    Adjustment,
    Band,
    Contribution,
    HealthScore,
    Scores,
    SignalSet,
)
from touchpoint_signals.signals import SignalFrame

G, Y, R, X = Band.GREEN, Band.YELLOW, Band.RED, Band.INSUFFICIENT_DATA
DAY0 = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def _at(day: int) -> dt.datetime:
    return DAY0 + dt.timedelta(days=day)


def hs(
    account: str,
    day: int,
    score: float | None,
    band: Band,
    points: Mapping[str, float | tuple[float, float | None, str]] | None = None,
    *,
    adjustments: Sequence[Adjustment] = (),
    scorer: str = "fake",
    config: str = "c0",
) -> HealthScore:
    """A hand-made health score; ``points`` maps a signal to points or (points, severity,
    handling)."""
    contributions = []
    for signal, spec in (points or {}).items():
        pts, severity, handling = spec if isinstance(spec, tuple) else (spec, None, "observed")
        contributions.append(
            Contribution(signal, pts, 0.5, 0.5, severity, handling, f"{signal} reason")
        )
    return HealthScore(
        account_id=account,
        as_of=_at(day),
        score=score,
        band=band,
        coverage=1.0 if score is not None else 0.0,
        contributions=tuple(contributions),
        reasons=("hand-made",),
        scorer=scorer,
        config_hash=config,
        adjustments=tuple(adjustments),
    )


# -- score_changes: exact cases ---------------------------------------------------------


def test_score_fell_signal_by_signal_with_band_change() -> None:
    # Hand-made: acme 72.0 = attendance 40.0 + latency 32.0, then 53.5 = 28.0 + 25.5.
    # attendance 28.0 - 40.0 = -12.0, latency 25.5 - 32.0 = -6.5, sum -18.5 = 53.5 - 72.0.
    before = Scores(
        (hs("acme", 0, 72.0, G, {"attendance": 40.0, "customer_reply_latency": 32.0}),)
    )
    after = Scores(
        (hs("acme", 7, 53.5, Y, {"attendance": 28.0, "customer_reply_latency": 25.5}),)
    )

    (change,) = score_changes(before, after)

    assert change.delta == -18.5
    assert [(c.signal, c.delta) for c in change.signals] == [
        ("attendance", -12.0),
        ("customer_reply_latency", -6.5),
    ]
    assert change.adjusted_delta == 0.0
    assert change.band_changed
    assert change.summary == (
        "score fell 18.5 points (72.0 -> 53.5): attendance -12.0, "
        "customer_reply_latency -6.5; band green -> yellow"
    )


def test_deltas_are_exact_in_hundredths_and_ties_sort_by_name() -> None:
    # Hand-made: 0.1 + 0.2 style floats must not leak. a: 10.1 -> 10.3 (+0.2),
    # b: 20.2 -> 20.0 (-0.2), c: 30.3 -> 30.3 (0). Score 60.6 -> 60.6: unchanged.
    before = Scores((hs("x", 0, 60.6, G, {"c": 30.3, "b": 20.2, "a": 10.1}),))
    after = Scores((hs("x", 1, 60.6, G, {"c": 30.3, "b": 20.0, "a": 10.3}),))

    (change,) = score_changes(before, after)

    assert [(c.signal, c.delta) for c in change.signals] == [
        ("a", 0.2),
        ("b", -0.2),
        ("c", 0.0),
    ]
    assert change.summary == "score unchanged at 60.6: a +0.2, b -0.2"


def test_top_limits_the_summary_and_counts_the_rest() -> None:
    # Hand-made: three signals each rise; top=1 names the largest (+5.25) and counts 2 more.
    before = Scores((hs("x", 0, 30.0, R, {"a": 10.0, "b": 10.0, "c": 10.0}),))
    after = Scores((hs("x", 1, 40.0, Y, {"a": 12.0, "b": 15.25, "c": 12.75}),))

    (change,) = score_changes(before, after, top=1)

    assert (
        change.summary
        == "score rose 10.0 points (30.0 -> 40.0): b +5.25, 2 more; band red -> yellow"
    )


def test_adjustments_added_removed_and_the_part_no_signal_explains() -> None:
    # Hand-made: before, an override (kind "override") held acme; it has expired after.
    # After, the weighted score is 50.0 + 10.0 = 60.0 and a rule capped it to 39.99:
    # score delta 39.99 - 72.0 = -32.01; signal deltas (50 - 40) + (10 - 32) = -12.0;
    # the remainder -20.01 is the adjustments'.
    override = Adjustment("override", "ana@example.com", "kept green", Y, G)
    cap = Adjustment("rule", "missed_streak", "capped at red", Y, R, 60.0, 39.99)
    before = Scores((hs("acme", 0, 72.0, G, {"a": 40.0, "b": 32.0}, adjustments=[override]),))
    after = Scores((hs("acme", 7, 39.99, R, {"a": 50.0, "b": 10.0}, adjustments=[cap]),))

    (change,) = score_changes(before, after)

    assert change.delta == -32.01
    assert change.adjusted_delta == -20.01
    assert change.adjustments_added == (cap,)
    assert change.adjustments_removed == (override,)
    assert change.summary == (
        "score fell 32.01 points (72.0 -> 39.99): b -22.0, a +10.0, adjustments -20.01; "
        "band green -> red; new rule missed_streak: capped at red; "
        "no longer override ana@example.com"
    )


def test_an_adjustment_on_both_dates_is_not_listed() -> None:
    # Same kind and source on both sides, different numbers: still "the same rule firing".
    first = Adjustment("rule", "missed_streak", "capped", Y, R, 50.0, 39.99)
    second = Adjustment("rule", "missed_streak", "capped", Y, R, 45.0, 39.99)
    before = Scores((hs("a", 0, 39.99, R, {"s": 50.0}, adjustments=[first]),))
    after = Scores((hs("a", 1, 39.99, R, {"s": 45.0}, adjustments=[second]),))

    (change,) = score_changes(before, after)

    assert change.adjustments_added == change.adjustments_removed == ()
    assert change.summary == "score unchanged at 39.99: s -5.0, adjustments +5.0"


def test_accounts_on_one_side_and_missing_scores() -> None:
    before = Scores(
        (
            hs("gone", 0, 55.0, Y, {"s": 55.0}),
            hs("thin", 0, None, X),
            hs("lost", 0, 80.0, G, {"s": 80.0}),
            hs("never", 0, None, X),
        )
    )
    after = Scores(
        (
            hs("thin", 5, 64.0, Y, {"s": 64.0}),
            hs("lost", 5, None, X, {"s": (0.0, None, "excluded")}),
            hs("never", 5, None, X),
            hs("new", 5, 91.5, G, {"s": 91.5}),
        )
    )

    changes = {c.account_id: c for c in score_changes(before, after)}

    assert [c.account_id for c in score_changes(before, after)] == [
        "thin", "lost", "never", "new", "gone",
    ]  # fmt: skip
    assert (
        changes["thin"].summary
        == "score 64.0 (no score before): s +64.0; band insufficient_data -> yellow"
    )
    assert changes["thin"].delta is None
    assert (
        changes["lost"].summary
        == "no score now (was 80.0): s -80.0; band green -> insufficient_data"
    )
    assert changes["never"].summary == "no score before or now"
    assert changes["new"].summary == "newly scored: 91.5, band green"
    assert changes["new"].band_before is None
    assert changes["new"].band_changed
    assert changes["gone"].summary == "no longer scored (was 55.0, band yellow)"


def test_a_signal_on_one_side_only_counts_as_zero_points_on_the_other() -> None:
    # Hand-made: tone_shift joins (0 -> 12.5), fatigue leaves (7.5 -> 0); attendance 50 -> 50.
    before = Scores((hs("a", 0, 57.5, Y, {"attendance": 50.0, "fatigue": 7.5}),))
    after = Scores((hs("a", 1, 62.5, Y, {"attendance": 50.0, "tone_shift": 12.5}),))

    (change,) = score_changes(before, after)

    by = {c.signal: c for c in change.signals}
    assert (by["tone_shift"].points_before, by["tone_shift"].points_after) == (None, 12.5)
    assert (by["fatigue"].points_before, by["fatigue"].points_after, by["fatigue"].delta) == (
        7.5,
        None,
        -7.5,
    )
    assert (
        change.summary == "score rose 5.0 points (57.5 -> 62.5): tone_shift +12.5, fatigue -7.5"
    )


def test_another_configuration_is_said() -> None:
    before = Scores((hs("a", 0, 50.0, Y, {"s": 50.0}, config="c0"),))
    after = Scores((hs("a", 0, 50.0, Y, {"s": 50.0}, config="c1"),))

    (change,) = score_changes(before, after)

    assert not change.same_config
    assert change.summary == "score unchanged at 50.0; the scorer or its configuration changed"


def test_arguments_in_the_wrong_order_or_duplicated_are_refused() -> None:
    early = Scores((hs("a", 0, 50.0, Y),))
    late = Scores((hs("a", 3, 50.0, Y),))
    with pytest.raises(DataError, match="earlier than 'before'"):
        score_changes(late, early)
    with pytest.raises(DataError, match="two health scores for account 'a'"):
        score_changes(Scores((*early.items, *early.items)), late)
    with pytest.raises(ConfigError, match="top must be 0 or more"):
        score_changes(early, late, top=-1)


# -- score_changes: properties ----------------------------------------------------------

centi_points = st.integers(0, 2500)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from("abcdef"), centi_points, min_size=1, max_size=4),
    st.dictionaries(st.sampled_from("abcdef"), centi_points, min_size=1, max_size=4),
)
def test_signal_deltas_add_up_to_the_score_delta(
    old: dict[str, int], new: dict[str, int]
) -> None:
    before = Scores(
        (hs("a", 0, sum(old.values()) / 100, Y, {k: v / 100 for k, v in old.items()}),)
    )
    after = Scores(
        (hs("a", 1, sum(new.values()) / 100, Y, {k: v / 100 for k, v in new.items()}),)
    )

    (change,) = score_changes(before, after)

    assert change.delta is not None
    assert round(sum(c.delta for c in change.signals) * 100) == round(change.delta * 100)
    assert change.adjusted_delta == 0.0
    assert {c.signal for c in change.signals} == set(old) | set(new)


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(st.sampled_from("abcd"), centi_points, min_size=1, max_size=4),
    st.dictionaries(st.sampled_from("abcd"), centi_points, min_size=1, max_size=4),
)
def test_swapping_sides_at_one_instant_negates_every_delta(
    old: dict[str, int], new: dict[str, int]
) -> None:
    one = Scores(
        (hs("a", 0, sum(old.values()) / 100, Y, {k: v / 100 for k, v in old.items()}),)
    )
    two = Scores(
        (hs("a", 0, sum(new.values()) / 100, Y, {k: v / 100 for k, v in new.items()}),)
    )

    (forth,) = score_changes(one, two)
    (back,) = score_changes(two, one)

    assert forth.delta == -(back.delta or 0.0)
    assert {c.signal: c.delta for c in forth.signals} == {
        c.signal: -c.delta + 0.0 for c in back.signals
    }


# -- green_but_cooling ------------------------------------------------------------------


def _sev(
    points: float, severity: float | None, handling: str = "observed"
) -> tuple[float, float | None, str]:
    return (points, severity, handling)


def _cooling_history() -> list[Scores]:
    # Hand-made history of three evaluations (days 0, 30, 60). Severities of attendance (A)
    # and customer_reply_latency (L); points do not matter here.
    #   acme     green throughout, A 0.10 -> 0.20 -> 0.40 (rise 0.30)      -> listed
    #   hooli    green,            L 0.00 -> 0.20 -> 0.20 (a hold counts)  -> listed (0.20)
    #   globex   green,            A 0.10 -> 0.30 -> 0.25 (fell last)      -> not listed
    #   umbrella green,            A 0.10 -> 0.12 -> 0.15 (rise 0.05)      -> not listed
    #   initech  yellow,           A 0.10 -> 0.50 -> 0.90                  -> not green
    #   wayne    green,            A 0.10 -> 0.30, then imputed (neutral) -> not read now
    series = {
        "acme": (G, {"attendance": [0.10, 0.20, 0.40], "customer_reply_latency": [0.1] * 3}),
        "hooli": (G, {"customer_reply_latency": [0.0, 0.2, 0.2]}),
        "globex": (G, {"attendance": [0.10, 0.30, 0.25]}),
        "umbrella": (G, {"attendance": [0.10, 0.12, 0.15]}),
        "initech": (Y, {"attendance": [0.10, 0.50, 0.90]}),
        "wayne": (G, {"attendance": [0.10, 0.30, 0.50]}),
    }
    history = []
    for step, day in enumerate((0, 30, 60)):
        items = []
        for account, (band, signals) in series.items():
            points = {}
            for name, severities in signals.items():
                imputed = account == "wayne" and step == 2
                points[name] = _sev(
                    10.0, severities[step], "neutral" if imputed else "observed"
                )
            items.append(hs(account, day, 80.0 if band is G else 55.0, band, points))
        history.append(Scores(tuple(items)))
    return history


def test_green_but_cooling_from_scores_by_hand() -> None:
    found = green_but_cooling(_cooling_history())

    assert [c.account_id for c in found] == ["acme", "hooli"]
    acme = found[0]
    assert [t.signal for t in acme.trends] == ["attendance"]
    assert acme.trends[0].severities == (0.10, 0.20, 0.40)
    assert acme.trends[0].rise == pytest.approx(0.30)
    assert acme.evidence == (
        "attendance worsened over 3 evaluations (2026-05-01 to 2026-06-30): "
        "severity 0.10 -> 0.20 -> 0.40",
    )
    assert acme.summary == (
        "acme is green (score 80.0) but attendance worsened over 3 evaluations "
        "(2026-05-01 to 2026-06-30): severity 0.10 -> 0.20 -> 0.40"
    )
    assert found[1].trends[0].severities == (0.0, 0.2, 0.2)


def test_cooling_parameters_change_who_is_listed() -> None:
    history = _cooling_history()
    # with min_rise 0.05 umbrella's 0.05 rise counts (0.15 - 0.10 = 0.05 up to float error)
    loose = green_but_cooling(history, min_rise=0.049)
    assert [c.account_id for c in loose] == ["acme", "hooli", "umbrella"]
    # two readings suffice with min_readings=2: globex's trailing run is still one reading
    assert "globex" not in [c.account_id for c in green_but_cooling(history, min_readings=2)]
    # watching latency only drops acme
    only = green_but_cooling(history, signals=["customer_reply_latency"])
    assert [c.account_id for c in only] == ["hooli"]
    # the last two evaluations alone are too short a run for the default min_readings
    assert green_but_cooling(history[1:]) == ()


def test_cooling_from_signal_sets_reports_values_and_uses_the_scorer() -> None:
    # Hand-made signal sets, severities per evaluation (value = 10 * severity days):
    #   acme   latency 0.1, 0.2, 0.3; attendance 0.0 throughout -> reference score
    #          100 * mean(1 - s) = 100 * (2 - 0.3) / 2 = 85.0 at the end: green, listed
    #   globex latency 0.5, 0.7, 0.9; attendance 0.9 throughout -> 100 * (0.1 + 0.1) / 2 =
    #          10.0 at the end: red, not listed
    severities = {
        "acme": {"customer_reply_latency": [0.1, 0.2, 0.3], "attendance": [0.0, 0.0, 0.0]},
        "globex": {"customer_reply_latency": [0.5, 0.7, 0.9], "attendance": [0.9, 0.9, 0.9]},
    }
    history = [
        _signal_set(
            _at(day), {a: {n: s[step] for n, s in sig.items()} for a, sig in severities.items()}
        )
        for step, day in enumerate((0, 14, 28))
    ]

    (found,) = green_but_cooling(history, scorer=ReferenceScorer())

    assert found.account_id == "acme"
    assert found.score == 85.0
    assert found.evidence == (
        "customer_reply_latency worsened over 3 evaluations (2026-05-01 to 2026-05-29): "
        "severity 0.10 -> 0.20 -> 0.30, value 1 -> 2 -> 3 days",
    )


def test_cooling_refuses_bad_histories_and_parameters() -> None:
    history = _cooling_history()
    with pytest.raises(DataError, match="not after the one before it"):
        green_but_cooling([history[1], history[0]])
    with pytest.raises(ConfigError, match="needs a scorer"):
        green_but_cooling([_signal_set(_at(0), {"a": {"attendance": 0.1}})])
    with pytest.raises(ConfigError, match="only with a history of signal sets"):
        green_but_cooling(history, scorer=ReferenceScorer())
    mixed_kinds: list[Any] = [history[0], _signal_set(_at(90), {"a": {"attendance": 0.1}})]
    with pytest.raises(ProtocolError, match="only Scores or only SignalSets"):
        green_but_cooling(mixed_kinds)
    with pytest.raises(ConfigError, match="min_readings"):
        green_but_cooling(history, min_readings=1)
    with pytest.raises(ConfigError, match="min_rise"):
        green_but_cooling(history, min_rise=0.0)
    mixed = Scores((hs("a", 0, 50.0, Y), hs("b", 1, 50.0, Y)))
    with pytest.raises(DataError, match="mixes several as_of"):
        green_but_cooling([mixed])
    assert green_but_cooling([]) == ()


def _signal_set(as_of: dt.datetime, severities: Mapping[str, Mapping[str, float]]) -> SignalSet:
    """A hand-made signal set; the value of a reading is 10 * severity, in days."""
    ids = np.array(sorted(severities), dtype=np.dtypes.StringDType())
    names = sorted({n for signals in severities.values() for n in signals})
    frames = {}
    for name in names:
        sev = np.array([severities[str(a)].get(name, math.nan) for a in ids])
        read = ~np.isnan(sev)
        frames[name] = SignalFrame(
            name=name,
            unit="days",
            as_of=as_of,
            account_ids=ids,
            value=10 * sev,
            severity=sev,
            status=np.where(read, 0, 1).astype(np.uint8),
            reasons=tuple("hand-made" for _ in ids),
            samples={},
            evidence_offsets=np.zeros(len(ids) + 1, dtype=np.int64),
            evidence_ids=np.array([], dtype=np.dtypes.StringDType()),
        )
    accounts = tuple(Account(str(a), "mid_touch") for a in ids)
    return SignalSet(as_of, ids, accounts, frames)


# -- band hysteresis --------------------------------------------------------------------


def _history(
    bands: Sequence[Band], scores: Sequence[float | None] | None = None
) -> list[Scores]:
    values = scores or [{G: 80.0, Y: 55.0, R: 20.0, X: 50.0}[b] for b in bands]
    return [
        Scores((hs("acme", day, s, b),))
        for day, (b, s) in enumerate(zip(bands, values, strict=True))
    ]


def _shown(history: Sequence[Scores], k: int) -> list[Band]:
    return [s.items[0].band for s in BandHysteresis(k=k).apply(history)]


def test_hysteresis_holds_a_band_until_the_new_one_holds_k_times() -> None:
    # k = 2. Scored: G Y G Y Y R Y Y
    #   0 G: first evaluation, shown G
    #   1 Y: Y held 1 of 2 -> G
    #   2 G: back to the shown band -> G, count reset
    #   3 Y: held 1 -> G;  4 Y: held 2 -> adopt Y
    #   5 R: held 1 -> Y;  6 Y: shown band again -> Y;  7 Y -> Y
    raw = [G, Y, G, Y, Y, R, Y, Y]
    assert _shown(_history(raw), 2) == [G, G, G, G, Y, Y, Y, Y]
    # k = 3: Y must hold 3 times; it never does before the end's Y Y (2 in a row after R)
    assert _shown(_history(raw), 3) == [G, G, G, G, G, G, G, G]
    assert _shown(_history(raw), 1) == raw


def test_a_held_band_is_explained_in_adjustments_and_reasons() -> None:
    history = _history([G, Y, Y], [80.0, 65.0, 60.0])
    stable = BandHysteresis(k=3).apply(history)

    held = stable[2].items[0]
    assert held.band is G
    assert held.score == 60.0
    (adjustment,) = held.adjustments
    assert adjustment == Adjustment(
        kind="hysteresis",
        source="hysteresis(k=3)",
        description=(
            "band held at green: scored yellow, which must hold for 3 evaluations in a row "
            "(2 so far)"
        ),
        band_before=Y,
        band_after=G,
    )
    assert held.reasons == (adjustment.description, "hand-made")
    assert stable[0].items[0] == history[0].items[0]


def test_a_new_candidate_restarts_the_count() -> None:
    # k = 2. G, Y (held 1), R (another band: held 1), R (held 2: adopt R)
    assert _shown(_history([G, Y, R, R]), 2) == [G, G, G, R]


def test_insufficient_data_and_missing_scores_are_never_held_back() -> None:
    # Into insufficient_data at once; out of it only after k evaluations.
    assert _shown(_history([G, X, G, G]), 2) == [G, X, X, G]
    # A red band without a score (a failed signal, say) is shown at once too.
    history = _history([G, R], [80.0, None])
    assert _shown(history, 3) == [G, R]


def test_accounts_are_tracked_separately_and_may_skip_evaluations() -> None:
    # acme is missing from evaluation 1: its count runs over evaluations 0, 2, 3.
    history = [
        Scores((hs("acme", 0, 80.0, G), hs("beta", 0, 20.0, R))),
        Scores((hs("beta", 1, 55.0, Y),)),
        Scores((hs("acme", 2, 55.0, Y), hs("beta", 2, 55.0, Y))),
        Scores((hs("beta", 3, 55.0, Y), hs("acme", 3, 55.0, Y))),
    ]
    bands = BandHysteresis(k=2).stable_bands(history)
    assert bands == [
        {"acme": G, "beta": R},
        {"beta": R},
        {"acme": G, "beta": Y},
        {"beta": Y, "acme": Y},
    ]


def test_hysteresis_validates_k_and_the_history() -> None:
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ConfigError, match=r"BandHysteresis\.k"):
            BandHysteresis(k=bad)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="as_of order"):
        BandHysteresis().apply(list(reversed(_history([G, Y]))))
    with pytest.raises(DataError, match="two health scores"):
        BandHysteresis().apply([Scores((hs("a", 0, 80.0, G), hs("a", 0, 80.0, G)))])


bands = st.lists(st.sampled_from([G, Y, R, X]), min_size=1, max_size=14)


@settings(max_examples=60, deadline=None)
@given(bands)
def test_k_one_is_the_identity(raw: list[Band]) -> None:
    history = _history(raw)
    assert BandHysteresis(k=1).apply(history) == tuple(history)


@settings(max_examples=80, deadline=None)
@given(bands, st.integers(1, 4))
def test_a_band_that_holds_k_times_is_adopted(raw: list[Band], k: int) -> None:
    shown = _shown(_history(raw), k)
    for t in range(k - 1, len(raw)):
        window = raw[t - k + 1 : t + 1]
        if len(set(window)) == 1:
            assert shown[t] is raw[t]


@settings(max_examples=80, deadline=None)
@given(bands, st.integers(1, 4))
def test_no_flapping_faster_than_k(raw: list[Band], k: int) -> None:
    shown = _shown(_history(raw), k)
    changes = [t for t in range(1, len(shown)) if shown[t] is not shown[t - 1]]
    for t in changes:
        if shown[t] is not X:
            # a change to a band with data: the scored band held it for the last k evaluations
            assert t >= k - 1
            assert set(raw[t - k + 1 : t + 1]) == {shown[t]}
    for first, second in itertools.pairwise(changes):
        if shown[second] is not X:
            assert second - first >= k
    # never shows a band the data no longer support
    assert all(s is X for s, r in zip(shown, raw, strict=True) if r is X)


@settings(max_examples=40, deadline=None)
@given(bands, st.integers(1, 4))
def test_hysteresis_changes_only_bands_adjustments_and_reasons(raw: list[Band], k: int) -> None:
    history = _history(raw)
    for before, after in zip(history, BandHysteresis(k=k).apply(history), strict=True):
        (b,), (a,) = before.items, after.items
        assert attrs.evolve(a, band=b.band, adjustments=b.adjustments, reasons=b.reasons) == b
        assert (a.band is b.band) == (a.adjustments == b.adjustments)
