"""Satisfaction: hand-computed readings, properties, conformance and the RavenStack tickets."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.checks import EXTRACTOR_CHECKS, check_extractor
from touchpoint_signals.errors import ConfigError, DataError
from touchpoint_signals.ingest import load
from touchpoint_signals.ingest.formats import make_adapter
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Account, Segment, Touchpoint
from touchpoint_signals.scoring.registry import make_extractor
from touchpoint_signals.signals import Extractor, SignalFrame, SignalStatus
from touchpoint_signals.signals.satisfaction import Satisfaction

AS_OF = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
SHIPPED = Path(__file__).resolve().parents[1] / "examples" / "data" / "ravenstack"


def _rated(tid: str, account: str, day: str, csat: int | None, **extra: object) -> Touchpoint:
    return Touchpoint(tid, account, "support", f"{day}T09:00Z", "completed", csat=csat, **extra)  # type: ignore[arg-type]


# Hand-made fixture. With the defaults the recent window is (2026-04-01, 2026-06-30] and the
# baseline (2025-07-05, 2026-04-01].
TOUCHPOINTS = [
    # acme (mid_touch): satisfied in the baseline, not any more; one rating before both.
    _rated("a0", "acme", "2025-06-01", 1),  # before the baseline window: not read
    _rated("a1", "acme", "2026-02-10", 5),
    _rated("a2", "acme", "2026-03-02", 4),
    _rated("a3", "acme", "2026-05-12", 3),
    _rated("a4", "acme", "2026-06-20", 2),
    _rated("a5", "acme", "2026-06-21", None),  # no rating
    # beta (mid_touch): three satisfied of four, all recent; later ones not known yet.
    _rated("b1", "beta", "2026-05-20", 5),
    _rated("b2", "beta", "2026-06-01", 4),
    _rated("b3", "beta", "2026-06-25", 3),
    _rated("b4", "beta", "2026-06-26", 5),
    _rated("b5", "beta", "2026-07-02", 1),  # after as_of
    _rated("b6", "beta", "2026-06-27", 1, recorded_at="2026-07-01T00:00Z"),  # recorded after
    # gamma (high_touch, alone in its segment): one satisfied rating.
    _rated("g1", "gamma", "2026-06-02", 4),
    # delta (no account record): two poor ratings.
    _rated("d1", "delta", "2026-05-02", 1),
    _rated("d2", "delta", "2026-05-03", 2),
    # eps (mid_touch): a baseline rating only.
    _rated("e1", "eps", "2025-12-01", 5),
]
ACCOUNTS = [
    Account("acme", "mid_touch"),
    Account("beta", "mid_touch"),
    Account("gamma", "high_touch"),
    Account("eps", "mid_touch"),
    Account("zeta", "tech_touch"),  # no touchpoints at all
]
LOG = TouchpointLog.from_touchpoints(TOUCHPOINTS, accounts=ACCOUNTS)


def test_is_a_registered_extractor_with_a_configurable_name() -> None:
    assert isinstance(Satisfaction(), Extractor)
    assert Satisfaction().name == "satisfaction"
    assert make_extractor("satisfaction", {"recent_days": 182}) == Satisfaction(
        recent_days=182.0
    )
    assert Satisfaction(name="csat_year", recent_days=365).name == "csat_year"


def test_a_fall_below_the_segment_by_hand() -> None:
    acme = Satisfaction().extract(LOG, AS_OF).signal("acme")

    # The others of mid_touch: beta 3 of 4, eps 1 of 1, so 4 of 5, shrunk toward 0.5 with
    # k = 3: (4 + 1.5) / (5 + 3) = 0.6875. Acme's recent 0 of 2: (0 + 3 * 0.6875) / 5 =
    # 0.4125, 40 % below the prior; its baseline 2 of 2: (2 + 2.0625) / 5 = 0.8125.
    assert acme.status is SignalStatus.OK
    assert acme.value == 2.5
    assert acme.severity == pytest.approx(0.4)
    assert acme.details["prior_share"] == pytest.approx(0.6875)
    assert acme.details["recent_share"] == pytest.approx(0.4125)
    assert acme.details["baseline_share"] == pytest.approx(0.8125)
    assert acme.details["share_drop"] == pytest.approx(0.4)
    assert acme.details["mean_baseline"] == 4.5
    assert acme.samples == {"recent": 2, "baseline": 2}
    assert acme.evidence == ("a1", "a2", "a3", "a4")
    assert acme.reason == (
        "0 of 2 ratings at 4-5 in the 90 days to 2026-06-30 (mean 2.5; mid_touch 69%); "
        "2 of 2 in the 270 days before"
    )


def test_an_account_above_its_segment_reads_zero() -> None:
    beta = Satisfaction().extract(LOG, AS_OF).signal("beta")

    # Others: acme 2 of 4 (a0 is too old), eps 1 of 1: (3 + 1.5) / (5 + 3) = 0.5625. Beta:
    # (3 + 3 * 0.5625) / 7 = 0.6696, above it. b5 and b6 were not known at as_of.
    assert beta.severity == 0.0
    assert beta.value == 4.25
    assert beta.details["prior_share"] == pytest.approx(0.5625)
    assert beta.details["recent_share"] == pytest.approx(4.6875 / 7)
    assert math.isnan(beta.details["mean_baseline"])
    assert beta.evidence == ("b1", "b2", "b3", "b4")
    assert beta.reason == (
        "3 of 4 ratings at 4-5 in the 90 days to 2026-06-30 (mean 4.2; mid_touch 56%); "
        "none rated in the 270 days before"
    )


def test_a_segment_of_one_and_accounts_without_a_record_use_the_fallback() -> None:
    frame = Satisfaction().extract(LOG, AS_OF)
    gamma, delta = frame.signal("gamma"), frame.signal("delta")

    # gamma: (1 + 1.5) / 4 = 0.625 against 0.5; delta: (0 + 1.5) / 5 = 0.3 against 0.5.
    assert gamma.severity == 0.0
    assert gamma.details["prior_share"] == 0.5
    assert delta.severity == pytest.approx(0.4)
    assert delta.reason == (
        "0 of 2 ratings at 4-5 in the 90 days to 2026-06-30 (mean 1.5; accounts without a "
        "record 50%); none rated in the 270 days before"
    )


def test_no_recent_rating_is_insufficient_never_satisfied() -> None:
    frame = Satisfaction().extract(LOG, AS_OF)
    eps, zeta = frame.signal("eps"), frame.signal("zeta")

    assert eps.status is SignalStatus.INSUFFICIENT_DATA
    assert eps.severity is None
    assert eps.value is None
    assert eps.reason == (
        "no satisfaction rating in the 90 days to 2026-06-30; 1 in the 270 days before"
    )
    assert zeta.status is SignalStatus.INSUFFICIENT_DATA
    assert zeta.reason == "no satisfaction rating in the 90 days to 2026-06-30"
    assert zeta.evidence == ()


def test_min_ratings_satisfied_min_and_a_configured_prior_by_hand() -> None:
    strict = Satisfaction(min_ratings=3).extract(LOG, AS_OF).signal("acme")
    top_box = Satisfaction(satisfied_min=5, prior_share=0.8).extract(LOG, AS_OF)

    assert strict.status is SignalStatus.INSUFFICIENT_DATA
    assert strict.reason == (
        "only 2 satisfaction ratings in the 90 days to 2026-06-30; 3 needed"
    )
    # Beta has two 5s of four: (2 + 3 * 0.8) / 7 = 0.6286, 21.4 % below 0.8.
    beta = top_box.signal("beta")
    assert beta.severity == pytest.approx(1 - (4.4 / 7) / 0.8)
    assert beta.reason.startswith(
        "2 of 4 ratings at 5 in the 90 days to 2026-06-30 (mean 4.2; prior 80%); "
    )


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"recent_days": 0}, r"Satisfaction.recent_days must be a finite number of days > 0"),
        ({"satisfied_min": 6}, r"Satisfaction.satisfied_min must be a rating from 1 to 5"),
        ({"satisfied_min": 0}, r"Satisfaction.satisfied_min must be a whole number >= 1"),
        ({"min_ratings": 0}, r"Satisfaction.min_ratings must be a whole number >= 1"),
        ({"prior_share": 1.5}, r"Satisfaction.prior_share must be a number in \[0, 1\]"),
        ({"prior_strength": -1.0}, r"Satisfaction.prior_strength must be a finite number"),
        ({"name": " "}, r"Satisfaction.name must be a non-empty one-line string"),
    ],
)
def test_bad_parameters_are_refused_by_name(params: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Satisfaction(**params)  # type: ignore[arg-type]


def test_a_segment_name_cannot_carry_a_line_break_into_a_reason() -> None:
    # The reason quotes segment names; the model refuses a broken one at the source.
    with pytest.raises(DataError, match="lower-case identifier"):
        Segment("two\nlines")


@pytest.mark.parametrize("extractor", [Satisfaction(), Satisfaction(prior_share=0.7)])
def test_conformance_on_the_fixture_log_and_on_rated_tickets(extractor: Satisfaction) -> None:
    assert check_extractor(extractor) == EXTRACTOR_CHECKS
    assert check_extractor(extractor, LOG, AS_OF) == EXTRACTOR_CHECKS


# -- properties ----------------------------------------------------------------------------

SEGMENTED = [
    Account("a", "mid_touch"),
    Account("b", "mid_touch"),
    Account("c", "high_touch"),
]
NAMES = ["a", "b", "c", "d"]  # d has no account record


@st.composite
def rating_logs(draw: st.DrawFn) -> list[Touchpoint]:
    """Ratings (or none) of four accounts over the 400 days before AS_OF, in hours."""
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(NAMES),
                st.integers(0, 400 * 24),
                st.one_of(st.none(), st.integers(1, 5)),
            ),
            max_size=30,
        )
    )
    return [
        Touchpoint(
            f"t{i}",
            account,
            "support",
            AS_OF - dt.timedelta(hours=hours),
            "completed",
            csat=csat,
        )
        for i, (account, hours, csat) in enumerate(rows)
    ]


extractors = st.builds(
    Satisfaction,
    recent_days=st.sampled_from([30.0, 90.0, 182.0]),
    baseline_days=st.sampled_from([60.0, 270.0]),
    satisfied_min=st.integers(1, 5),
    min_ratings=st.integers(1, 3),
    prior_strength=st.sampled_from([0.0, 1.0, 3.0]),
    prior_share=st.sampled_from([None, None, 0.0, 0.8]),
    fallback_prior_share=st.sampled_from([0.0, 0.5, 1.0]),
)
PROPERTY = settings(max_examples=60, deadline=None)


def _extract(extractor: Satisfaction, touchpoints: Sequence[Touchpoint]) -> SignalFrame:
    log = TouchpointLog.from_touchpoints(touchpoints, accounts=SEGMENTED)
    return extractor.extract(log, AS_OF)


def _reference(
    extractor: Satisfaction, touchpoints: Sequence[Touchpoint], account: str
) -> dict[str, float]:
    """One account's reading the slow way: Python over its touchpoints, no numpy."""
    segment = {a.id: a.segment.name for a in SEGMENTED}
    recent_start = AS_OF - extractor.recent_days * DAY
    baseline_start = recent_start - extractor.baseline_days * DAY

    def window(of: str) -> tuple[list[int], list[int]]:
        ratings = [t for t in touchpoints if t.account_id == of and t.csat is not None]
        recent = [t.csat for t in ratings if recent_start < t.occurred_at <= AS_OF]
        baseline = [t.csat for t in ratings if baseline_start < t.occurred_at <= recent_start]
        return recent, baseline  # type: ignore[return-value]

    k = extractor.prior_strength
    if extractor.prior_share is not None:
        prior = extractor.prior_share
    else:
        others = [n for n in NAMES if n != account and segment.get(n) == segment.get(account)]
        pooled = [r for n in others for part in window(n) for r in part]
        happy = sum(r >= extractor.satisfied_min for r in pooled)
        total = len(pooled)
        fallback = extractor.fallback_prior_share
        prior = (happy + k * fallback) / (total + k) if total else fallback
    recent, _ = window(account)
    happy_recent = sum(r >= extractor.satisfied_min for r in recent)
    share = (happy_recent + k * prior) / (len(recent) + k) if len(recent) + k else math.nan
    severity = max(0.0, min(1.0, 1 - share / prior)) if prior > 0 else 0.0
    return {
        "rated": len(recent),
        "severity": severity,
        "value": sum(recent) / len(recent) if recent else math.nan,
    }


@PROPERTY
@given(rating_logs(), extractors)
def test_columns_equal_a_per_account_computation(
    touchpoints: list[Touchpoint], extractor: Satisfaction
) -> None:
    frame = _extract(extractor, touchpoints)

    for code, account in enumerate(frame.account_ids.tolist()):
        expected = _reference(extractor, touchpoints, account)
        sufficient = expected["rated"] >= extractor.min_ratings
        assert bool(frame.sufficient[code]) is sufficient
        assert frame.samples["recent"][code] == expected["rated"]
        if sufficient and not math.isnan(expected["severity"]):
            assert frame.severity[code] == pytest.approx(expected["severity"], abs=1e-12)
            assert frame.value[code] == pytest.approx(expected["value"])
        if not sufficient:
            assert math.isnan(frame.severity[code])
        assert frame.reasons[code].strip()


@PROPERTY
@given(rating_logs(), extractors, st.data())
def test_a_worse_rating_never_lowers_the_severity(
    touchpoints: list[Touchpoint], extractor: Satisfaction, data: st.DataObject
) -> None:
    rated = [i for i, t in enumerate(touchpoints) if t.csat is not None and t.csat > 1]
    if rated and data.draw(st.booleans()):
        # Lower one rating of the account, in either window.
        i = data.draw(st.sampled_from(rated))
        lower = data.draw(st.integers(1, touchpoints[i].csat - 1))  # type: ignore[operator]
        account = touchpoints[i].account_id
        changed = list(touchpoints)
        changed[i] = attrs.evolve(touchpoints[i], csat=lower)
    else:
        # Add an unsatisfied rating in the recent window.
        account = data.draw(st.sampled_from(NAMES))
        hours = data.draw(st.integers(0, int(extractor.recent_days * 24) - 1))
        low = data.draw(st.integers(1, max(1, extractor.satisfied_min - 1)))
        if low >= extractor.satisfied_min:
            return
        changed = [
            *touchpoints,
            Touchpoint(
                "new",
                account,
                "survey",
                AS_OF - dt.timedelta(hours=hours),
                "completed",
                csat=low,
            ),
        ]

    before = _extract(extractor, touchpoints)
    after = _extract(extractor, changed)

    code = list(after.account_ids).index(account)
    if account in before.account_ids and before.sufficient[code]:
        assert after.sufficient[code]
        assert after.severity[code] >= before.severity[code] - 1e-12


@PROPERTY
@given(rating_logs(), extractors)
def test_severity_lies_in_the_unit_interval_and_details_line_up(
    touchpoints: list[Touchpoint], extractor: Satisfaction
) -> None:
    frame = _extract(extractor, touchpoints)
    ok = frame.sufficient

    assert ((frame.severity[ok] >= 0) & (frame.severity[ok] <= 1)).all()
    assert np.isnan(frame.severity[~ok]).all()
    assert (frame.details["rated_recent"] == frame.samples["recent"]).all()
    assert (frame.details["satisfied_recent"] <= frame.details["rated_recent"]).all()
    np.testing.assert_allclose(
        frame.details["share_drop"],
        frame.details["baseline_share"] - frame.details["recent_share"],
    )


# -- real data: the shipped RavenStack tickets ----------------------------------------------


@pytest.fixture(scope="module")
def tickets() -> TouchpointLog:
    return load(make_adapter("ravenstack", {}).read(SHIPPED)).log


def test_ravenstack_ratings_over_the_last_half_year(tickets: TouchpointLog) -> None:
    # The window of examples/tickets_scorecard.toml: 182 days, and the 548 before them.
    as_of = dt.datetime(2024, 12, 31, 2, 29, tzinfo=dt.UTC)
    frame = Satisfaction(recent_days=182, baseline_days=548).extract(tickets, as_of)

    # 1,175 rated tickets; 234 accounts rated a ticket in the last half-year, 86 of them
    # below their segment's share. Ratings are only 3, 4 and 5 in this export.
    assert int(frame.sufficient.sum()) == 234
    assert int((frame.severity[frame.sufficient] > 0).sum()) == 86
    assert int(frame.details["rated_recent"].sum() + frame.details["rated_baseline"].sum()) == (
        1175
    )
    assert set(np.unique(tickets.csat).tolist()) == {0, 3, 4, 5}
    worst = frame.signal("A-34d880")
    assert worst.severity == pytest.approx(0.5)  # 3 of 3 unsatisfied: 3 / (3 + 3)
    assert worst.reason.startswith("0 of 3 ratings at 4-5 in the 182 days to 2024-12-31")
