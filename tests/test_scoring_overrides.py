"""Overrides: a CSM's band or score, exact reason lines, expiry, and that overrides win."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError, ProtocolError
from touchpoint_signals.log import ID
from touchpoint_signals.scoring.base import (
    Adjustment,
    Band,
    Contribution,
    HealthScore,
    Scores,
    SignalSet,
)
from touchpoint_signals.scoring.overrides import OVERRIDE, Override, Overrides
from touchpoint_signals.scoring.scorecard import BandThresholds

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
JULY = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


# -- hand-made fixtures -----------------------------------------------------------------------


def _signals(ids: Sequence[str], as_of: dt.datetime = AS_OF) -> SignalSet:
    """A signal set with no frames: overrides read only the accounts and ``as_of``."""
    return SignalSet(as_of, np.asarray(ids, dtype=ID), (None,) * len(ids), {})


def _prior(*rows: tuple[str, float | None, str]) -> Scores:
    """Hand-made prior: (account, score, band); two contributions adding up to the score."""
    items = []
    for account, score, band in rows:
        contributions: tuple[Contribution, ...] = ()
        if score is not None:
            # points: 60% of the score to attendance, the rest to cadence (exact at 2 dp here)
            first = round(score * 0.6, 2)
            contributions = (
                Contribution("attendance", first, 0.6, 0.6, 0.2, "observed", "ok"),
                Contribution(
                    "cadence", round(score - first, 2), 0.4, 0.4, 0.1, "observed", "ok"
                ),
            )
        items.append(
            HealthScore(
                account_id=account,
                as_of=AS_OF,
                score=score,
                band=Band(band),
                coverage=1.0 if score is not None else 0.0,
                contributions=contributions,
                reasons=(f"{account} scored",),
                scorer="card",
                config_hash="c0ffee",
            )
        )
    return Scores(tuple(items))


ANA: dict[str, Any] = {
    "author": "ana@example.com",
    "reason": "renewal call went badly",
    "expires_at": JULY,
}
IDS = ("acme", "beta")
PRIOR = _prior(("acme", 82.0, "green"), ("beta", 35.0, "red"))


# -- exact cases ------------------------------------------------------------------------------


def test_a_band_override_replaces_the_band_and_keeps_the_score() -> None:
    overrides = Overrides([Override(account_id="acme", band="yellow", **ANA)])

    acme, beta = overrides.score(_signals(IDS), PRIOR).items

    line = (
        "override by ana@example.com: renewal call went badly (band yellow; until 2026-07-01)"
    )
    assert (acme.band, acme.score) == (Band.YELLOW, 82.0)
    assert acme.reasons == (line, "acme scored")
    assert acme.adjustments == (
        Adjustment("override", "ana@example.com", line, Band.GREEN, Band.YELLOW, 82.0, 82.0),
    )
    assert acme.contributions == PRIOR.items[0].contributions
    assert (beta.band, beta.reasons, beta.adjustments) == (Band.RED, ("beta scored",), ())
    assert {s.scorer for s in (acme, beta)} == {"overrides"}


def test_a_score_override_is_banded_and_its_difference_is_a_contribution() -> None:
    overrides = Overrides(
        [Override(account_id="beta", score=72.5, **ANA)],
        thresholds=BandThresholds(green_min=75.0, yellow_min=50.0),
    )

    beta = overrides.score(_signals(IDS), PRIOR).items[1]

    # 72.5 is below green_min 75 and above yellow_min 50: yellow.
    assert (beta.score, beta.band) == (72.5, Band.YELLOW)
    # beta earned 21.00 + 14.00 = 35.00; the override adds 72.50 - 35.00 = 37.50 points.
    assert [(c.signal, c.points) for c in beta.contributions] == [
        ("attendance", 21.0),
        ("cadence", 14.0),
        (OVERRIDE, 37.5),
    ]
    assert round(sum(c.points for c in beta.contributions), 2) == beta.score
    assert beta.reasons[0] == (
        "override by ana@example.com: renewal call went badly (score 72.50, band yellow; "
        "until 2026-07-01)"
    )
    assert beta.adjustments[0].score_before == 35.0


def test_a_lower_score_gives_a_negative_difference() -> None:
    overrides = Overrides([Override(account_id="acme", score=40.0, band="red", **ANA)])

    acme = overrides.score(_signals(IDS), PRIOR).items[0]

    # 82.00 earned (49.20 + 32.80); override at 40.00: -42.00 points.
    assert acme.contributions[-1].points == -42.0
    assert (acme.score, acme.band) == (40.0, Band.RED)


def test_an_expired_override_changes_nothing_but_the_hash() -> None:
    expired = Override(account_id="acme", band="red", **{**ANA, "expires_at": AS_OF})
    with_it = Overrides([expired]).score(_signals(IDS), PRIOR)
    without = Overrides([]).score(_signals(IDS), PRIOR)

    assert [attrs.evolve(s, config_hash="") for s in with_it] == [
        attrs.evolve(s, config_hash="") for s in without
    ]
    assert Overrides([expired]).expired(AS_OF) == (expired,)


def test_an_override_made_after_as_of_does_not_count_yet() -> None:
    later = Override(account_id="acme", band="red", created_at="2026-06-15T00:00Z", **ANA)

    before = Overrides([later]).score(_signals(IDS), PRIOR).items[0]
    after = Overrides([later]).score(
        _signals(IDS, dt.datetime(2026, 6, 20, tzinfo=dt.UTC)), PRIOR
    )

    assert before.band is Band.GREEN
    assert after.items[0].band is Band.RED


def test_a_yellow_band_without_a_score_is_not_applied_and_says_why() -> None:
    prior = _prior(("acme", None, "insufficient_data"))
    overrides = Overrides([Override(account_id="acme", band="yellow", **ANA)])

    acme = overrides.score(_signals(["acme"]), prior).items[0]

    assert acme.band is Band.INSUFFICIENT_DATA
    assert acme.adjustments == ()
    assert acme.reasons[0] == (
        "override by ana@example.com not applied: the account has no score, so a yellow band "
        "needs a score as well (until 2026-07-01)"
    )


def test_an_override_of_an_account_not_scored_is_ignored() -> None:
    overrides = Overrides([Override(account_id="zeta", band="red", **ANA)])

    scores = overrides.score(_signals(IDS), PRIOR)

    assert [s.band for s in scores] == [Band.GREEN, Band.RED]


def test_overrides_need_a_prior() -> None:
    with pytest.raises(ProtocolError, match="Overrides adjusts health scores"):
        Overrides([]).score(_signals(IDS))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"band": None}, "give a band, a score or both"),
        ({"band": "insufficient_data"}, "band must be green, yellow or red"),
        ({"band": "blue"}, "Override.band must be green, yellow or red, got 'blue'"),
        ({"score": 101.0}, "score must lie in \\[0, 100\\], got 101.0"),
        ({"author": ""}, "Override.author must be a non-empty string"),
        ({"expires_at": dt.datetime(2026, 7, 1)}, "expires_at must be an instant with a time"),
        ({"expires_at": "next week"}, "not an ISO 8601 instant: 'next week'"),
        ({"created_at": JULY}, "created_at 2026-07-01T00:00:00\\+00:00 is not before"),
    ],
)
def test_a_bad_override_is_refused_when_built(change: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"account_id": "acme", "band": "yellow", **ANA, **change}

    with pytest.raises(ConfigError, match=message):
        Override(**arguments)


def test_overlapping_overrides_of_one_account_are_refused() -> None:
    first = Override(account_id="acme", band="yellow", **ANA)
    second = Override(
        account_id="acme",
        band="red",
        author="bo@example.com",
        reason="escalation",
        created_at="2026-06-20T00:00Z",
        expires_at="2026-08-01T00:00Z",
    )
    after = attrs.evolve(second, created_at=JULY)

    with pytest.raises(ConfigError, match="two overrides of 'acme' overlap in time"):
        Overrides([first, second])
    assert len(Overrides([first, after]).overrides) == 2


def test_the_overrides_are_in_the_configuration() -> None:
    one = Overrides([Override(account_id="acme", band="yellow", **ANA)])
    other = Overrides([Override(account_id="acme", band="red", **ANA)])

    assert one.config()["overrides"][0]["expires_at"] == "2026-07-01T00:00:00+00:00"
    assert one.config() != other.config()


# -- properties -------------------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scores, list[Override], dt.datetime]:
    n = draw(st.integers(1, 5))
    rows = [
        (
            f"a{i}",
            draw(st.floats(0, 100).map(lambda x: round(x, 2))),
            draw(st.sampled_from("gyr")),
        )
        for i in range(n)
    ]
    prior = _prior(*((a, s, {"g": "green", "y": "yellow", "r": "red"}[b]) for a, s, b in rows))
    overrides = []
    for i in draw(st.sets(st.integers(0, n - 1))):
        score = draw(st.none() | st.floats(0, 100))
        band = draw(
            st.sampled_from([None, "green", "yellow", "red"])
            if score is not None
            else st.just("red")
        )
        expires = AS_OF + dt.timedelta(days=draw(st.integers(-30, 30)))
        overrides.append(
            Override(
                account_id=f"a{i}",
                band=band,
                score=score,
                author="ana@example.com",
                reason="said so",
                expires_at=expires,
            )
        )
    return prior, overrides, AS_OF


@settings(max_examples=60, deadline=None)
@given(cases())
def test_active_overrides_win_and_expired_ones_do_nothing(
    case: tuple[Scores, list[Override], dt.datetime],
) -> None:
    prior, overrides, as_of = case
    ids = [s.account_id for s in prior]

    scores = Overrides(overrides).score(_signals(ids, as_of), prior)

    by_account = {o.account_id: o for o in overrides}
    for before, after in zip(prior, scores, strict=True):
        override = by_account.get(before.account_id)
        if override is None or override.expires_at <= as_of:
            assert attrs.evolve(after, scorer="", config_hash="") == attrs.evolve(
                before, scorer="", config_hash=""
            )
            continue
        if override.band is not None:
            assert after.band is override.band
        if override.score is not None:
            assert after.score == round(override.score, 2)
        assert after.reasons[0].startswith("override by ana@example.com: said so")
        assert round(sum(c.points for c in after.contributions), 2) == after.score
