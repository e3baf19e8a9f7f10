"""Tests for touchpoint_signals.service: one account alone scores as it does among many."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies import touchpoint_lists
from touchpoint_signals.errors import (
    DataError,
    IntegrityError,
    NaiveDatetimeError,
    ProtocolError,
)
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import (
    BUILTIN_KINDS,
    BUILTIN_SEGMENTS,
    Account,
    Channel,
    Direction,
    LifecycleStage,
    Status,
    Touchpoint,
    TouchpointKind,
    Trigger,
)
from touchpoint_signals.scoring.base import Band, Scores, SignalSet
from touchpoint_signals.scoring.scorecard import default_scorecard
from touchpoint_signals.service import _one_account_log, portfolio_extractors, score_account
from touchpoint_signals.signals.attendance import Attendance
from touchpoint_signals.signals.base import Extractor
from touchpoint_signals.signals.cadence import CadenceAdherence
from touchpoint_signals.signals.extract import default_extractors
from touchpoint_signals.signals.purpose import PurposeOutcome

AS_OF = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)

#: Signals whose reading of an account also depends on the other accounts of the log.
PORTFOLIO_RELATIVE = frozenset({"attendance", "cadence", "purpose_outcome"})

#: A few texts with and without tone words, so that tone shift has something to read.
TEXTS = (
    "thanks so much, great call",
    "ok",
    "need this fixed now",
    "per the contract, cancel",
    "love the new feature, happy to help",
    "fine.",
    "urgent: escalate",
)

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _pinned(extractors: tuple[Extractor, ...]) -> tuple[Extractor, ...]:
    """The defaults with every portfolio-relative choice fixed by a parameter."""
    pinned: list[Extractor] = []
    for extractor in extractors:
        if isinstance(extractor, Attendance) and extractor.prior_rate is None:
            extractor = attrs.evolve(extractor, prior_rate=0.8)
        elif isinstance(extractor, CadenceAdherence):
            extractor = attrs.evolve(extractor, skip_kinds_absent_from_log=False)
        elif isinstance(extractor, PurposeOutcome):
            extractor = attrs.evolve(extractor, ignore_unrecorded_fields=False)
        pinned.append(extractor)
    return tuple(pinned)


FIXED_PRIORS = _pinned(default_extractors())


@st.composite
def portfolios(draw: st.DrawFn) -> tuple[list[Account], list[Touchpoint]]:
    """One to five accounts with up to 25 touchpoints each around ``AS_OF``.

    Touchpoints span 500 days before ``AS_OF`` to 30 days after it (some recorded late), so
    that windows, streaks, drift tests and the point-in-time cut all have work to do.
    Replies answer an earlier touchpoint of the same account.
    """
    ids = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=5, unique=True))
    accounts = [
        Account(
            account_id,
            draw(st.sampled_from(BUILTIN_SEGMENTS)),
            lifecycle_stage=draw(st.none() | st.sampled_from(LifecycleStage)),
            started_at=draw(
                st.none() | st.integers(0, 800).map(lambda d: AS_OF - dt.timedelta(days=d))
            ),
        )
        for account_id in ids
    ]

    touchpoints: list[Touchpoint] = []
    for account_id in ids:
        own: list[str] = []
        for i in range(draw(st.integers(0, 25))):
            occurred = AS_OF - dt.timedelta(minutes=draw(st.integers(-30 * 1440, 500 * 1440)))
            delay = draw(st.sampled_from([0, 0, 60, 40 * 1440]))
            reply = draw(st.none() | st.sampled_from(own)) if own else None
            touchpoints.append(
                Touchpoint(
                    f"{account_id}{i}",
                    account_id,
                    draw(st.sampled_from(BUILTIN_KINDS)),
                    occurred,
                    draw(st.sampled_from(Status)),
                    channel=draw(st.none() | st.sampled_from(Channel)),
                    direction=draw(st.none() | st.sampled_from(Direction)),
                    contact_id=draw(st.none() | st.sampled_from(["p", "q"])),
                    in_reply_to=reply,
                    trigger=draw(st.none() | st.sampled_from(Trigger)),
                    text=draw(st.none() | st.sampled_from(TEXTS)),
                    purpose=draw(st.none() | st.just("plan the rollout")),
                    outcome=draw(st.none() | st.just("agreed next steps")),
                    recorded_at=occurred + dt.timedelta(minutes=delay),
                )
            )
            own.append(f"{account_id}{i}")
    order = draw(st.permutations(range(len(touchpoints))))
    return accounts, [touchpoints[i] for i in order]


def _batch(
    accounts: list[Account],
    touchpoints: list[Touchpoint],
    extractors: tuple[Extractor, ...] | None = None,
) -> tuple[SignalSet, Scores]:
    log = TouchpointLog.from_touchpoints(touchpoints, accounts=accounts)
    signals = SignalSet.from_log(log, AS_OF, extractors)
    return signals, default_scorecard().score(signals)


def _own(touchpoints: list[Touchpoint], account: Account) -> list[Touchpoint]:
    return [t for t in touchpoints if t.account_id == account.id]


# -- equivalence -----------------------------------------------------------------------------


@SETTINGS
@given(portfolios())
def test_alone_equals_batch_when_portfolio_relative_choices_are_fixed(
    portfolio: tuple[list[Account], list[Touchpoint]],
) -> None:
    accounts, touchpoints = portfolio
    _, batch = _batch(accounts, touchpoints, FIXED_PRIORS)

    for account in accounts:
        alone = score_account(
            _own(touchpoints, account), account, AS_OF, extractors=FIXED_PRIORS
        )

        assert alone == batch.of(account.id)


@SETTINGS
@given(portfolios())
def test_with_the_defaults_only_portfolio_relative_signals_read_differently(
    portfolio: tuple[list[Account], list[Touchpoint]],
) -> None:
    # The other signals' readings (severity, reason, whether read) are identical; their
    # points may still differ, because a portfolio-relative signal that had data in one run
    # and not the other changes how the weights are renormalised.
    accounts, touchpoints = portfolio
    _, batch = _batch(accounts, touchpoints)

    for account in accounts:
        alone = score_account(_own(touchpoints, account), account, AS_OF)
        together = batch.of(account.id)

        for a, b in zip(alone.contributions, together.contributions, strict=True):
            if a.signal in PORTFOLIO_RELATIVE:
                continue
            assert (a.severity, a.reason, a.handling == "observed") == (
                b.severity,
                b.reason,
                b.handling == "observed",
            )


@SETTINGS
@given(portfolios())
def test_portfolio_extractors_carry_the_batch_attendance_prior_to_one_account(
    portfolio: tuple[list[Account], list[Touchpoint]],
) -> None:
    accounts, touchpoints = portfolio
    learned = tuple(
        e if isinstance(e, Attendance) else f
        for e, f in zip(default_extractors(), FIXED_PRIORS, strict=True)
    )
    signals, batch = _batch(accounts, touchpoints, learned)

    for account in accounts:
        extractors = portfolio_extractors(signals, account.id, learned)
        alone = score_account(_own(touchpoints, account), account, AS_OF, extractors=extractors)

        assert alone == batch.of(account.id)


def test_attendance_alone_falls_back_to_its_default_prior() -> None:
    # Hand-made: "a" attended 2 of 4 recent check-ins, "b" (same segment) attended all 6
    # baseline ones. In the batch, a's prior is b's pooled rate shrunk toward 0.5 with
    # strength 6: (6 + 6 * 0.5) / (6 + 6) = 0.75. Alone there is no other account, so the
    # prior is the fallback 0.5, and a's shrunk recent rate (2 + 6 * 0.5) / (4 + 6) = 0.5 is
    # not below it: severity 0. In the batch, (2 + 6 * 0.75) / 10 = 0.65, 13 % below 0.75.
    accounts = [Account("a", "mid_touch"), Account("b", "mid_touch")]
    day = dt.timedelta(days=1)
    statuses = ["completed", "no_show", "completed", "no_show"]
    touchpoints = [
        Touchpoint(f"a{i}", "a", "check_in", AS_OF - (10 + 10 * i) * day, status)
        for i, status in enumerate(statuses)
    ] + [
        Touchpoint(f"b{i}", "b", "check_in", AS_OF - (100 + 20 * i) * day, "completed")
        for i in range(6)
    ]
    signals, batch = _batch(accounts, touchpoints)

    alone = score_account(_own(touchpoints, accounts[0]), accounts[0], AS_OF)

    attendance = signals.frame("attendance")
    assert attendance.details["prior_rate"][0] == pytest.approx(0.75)
    assert batch.of("a").contributions[0].severity == pytest.approx(1 - 0.65 / 0.75)
    assert alone.contributions[0].severity == pytest.approx(0.0)
    pinned = portfolio_extractors(signals, "a")
    again = score_account(_own(touchpoints, accounts[0]), accounts[0], AS_OF, extractors=pinned)
    assert again.contributions[0] == batch.of("a").contributions[0]
    # The prior leaves "a" out, so a batch run that saw none of a's meetings pins it too.
    without_a, _ = _batch(accounts, _own(touchpoints, accounts[1]))
    assert portfolio_extractors(without_a, "a") == pinned


def test_a_reply_to_another_account_is_unresolved_alone() -> None:
    # Hand-made: customer "b" answers customer "a"'s request on a shared thread. In the batch
    # the vendor-latency rule sees a reply to another customer and does not wait for the
    # vendor to answer it; alone, the touchpoint it answers is not given, so it reads as a
    # request the vendor has left unanswered for 10 days.
    accounts = [Account("a", "mid_touch"), Account("b", "mid_touch")]

    def request(id_: str, account: str, days_ago: int, reply: str | None) -> Touchpoint:
        return Touchpoint(
            id_,
            account,
            "support",
            AS_OF - dt.timedelta(days=days_ago),
            "completed",
            channel="email",
            direction="inbound",
            trigger="customer_raised",
            in_reply_to=reply,
        )

    touchpoints = [request("m1", "a", 11, None), request("m2", "b", 10, "m1")]
    signals, _ = _batch(accounts, touchpoints)

    alone_log = TouchpointLog.from_touchpoints(touchpoints[1:], accounts=accounts[1:])
    alone = SignalSet.from_log(alone_log, AS_OF).frame("vendor_response_latency")

    batch_reading = signals.frame("vendor_response_latency").signal("b")
    assert batch_reading.evidence == ()
    assert alone.signal("b").evidence == ("m2",)


# -- the single-account path itself ----------------------------------------------------------


def _same_log(fast: TouchpointLog, batch: TouchpointLog) -> None:
    """Every field equal, arrays in value and dtype (NaN equal to NaN in text columns)."""
    mine_table, their_table = fast.account_columns(), batch.account_columns()
    assert mine_table.segments == their_table.segments
    for column in ("segment", "stage", "started_at"):
        np.testing.assert_array_equal(getattr(mine_table, column), getattr(their_table, column))
    for field in attrs.fields(TouchpointLog):
        if field.name == "_account_table":  # compared above, built on first use
            continue
        name = field.name.lstrip("_")  # lazily gathered columns are read through properties
        name = name if hasattr(TouchpointLog, name) else field.name
        mine, theirs = getattr(fast, name), getattr(batch, name)
        if isinstance(theirs, np.ndarray):
            assert mine.dtype == theirs.dtype, field.name
            assert mine.tolist() == theirs.tolist() or (
                mine.shape == theirs.shape
                and all(
                    a == b or (a != a and b != b)
                    for a, b in zip(mine.tolist(), theirs.tolist(), strict=True)
                )
            ), field.name
        else:
            assert mine == theirs, field.name


SHOUT = TouchpointKind("shout", human_led=False)


@SETTINGS
@given(
    touchpoint_lists(max_size=20),
    st.lists(st.sampled_from([*BUILTIN_KINDS, SHOUT]), min_size=20, max_size=20),
    st.lists(st.integers(-2, 2), min_size=20, max_size=20),
)
def test_the_one_account_log_is_the_batch_builders_log(
    touchpoints: list[Touchpoint], kinds: list[TouchpointKind], shifts: list[int]
) -> None:
    # Same account for all, a kind the catalog lacks, and instants bunched so that ties in
    # time (broken by id) and replies to later touchpoints occur.
    account = Account("acme", "mid_touch")
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    own = [
        attrs.evolve(
            t,
            account_id="acme",
            kind=kinds[i],
            occurred_at=base + dt.timedelta(hours=shifts[i]),
            recorded_at=base + dt.timedelta(hours=shifts[i] + (i % 3)),
        )
        for i, t in enumerate(touchpoints)
    ]

    _same_log(
        _one_account_log(own, account), TouchpointLog.from_touchpoints(own, accounts=[account])
    )


@SETTINGS
@given(touchpoint_lists(max_size=12))
def test_the_one_account_log_keeps_any_instants(touchpoints: list[Touchpoint]) -> None:
    account = Account("acme", "mid_touch")
    own = [attrs.evolve(t, account_id="acme") for t in touchpoints]

    _same_log(
        _one_account_log(own, account), TouchpointLog.from_touchpoints(own, accounts=[account])
    )


def test_duplicate_ids_alone_raise_the_batch_builders_error() -> None:
    twice = [Touchpoint("t1", "acme", "check_in", AS_OF, "completed")] * 2

    with pytest.raises(IntegrityError, match=r"duplicate touchpoint ids: \['t1'\]"):
        score_account(twice, Account("acme", "high_touch"), AS_OF)


def test_an_account_without_touchpoints_has_insufficient_data() -> None:
    health = score_account([], Account("quiet", "tech_touch"), AS_OF)

    assert (health.account_id, health.band, health.score) == (
        "quiet",
        Band.INSUFFICIENT_DATA,
        None,
    )


def test_touchpoints_after_as_of_change_nothing() -> None:
    account = Account("acme", "high_touch")
    day = dt.timedelta(days=1)
    before = [
        Touchpoint(f"c{i}", "acme", "check_in", AS_OF - (5 + 7 * i) * day, "no_show")
        for i in range(5)
    ]
    later = Touchpoint("late", "acme", "check_in", AS_OF + day, "completed")

    assert score_account([*before, later], account, AS_OF) == score_account(
        before, account, AS_OF
    )


def test_a_touchpoint_of_another_account_is_refused() -> None:
    stray = Touchpoint("t1", "globex", "check_in", AS_OF, "completed")

    with pytest.raises(DataError, match="'t1' belongs to account 'globex', not to 'acme'"):
        score_account([stray], Account("acme", "high_touch"), AS_OF)


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        score_account([], Account("acme", "high_touch"), dt.datetime(2026, 6, 30))


def test_something_that_is_not_a_scorer_is_refused() -> None:
    with pytest.raises(ProtocolError, match="scorer is a str"):
        score_account([], Account("acme", "high_touch"), AS_OF, scorer="default")  # type: ignore[arg-type]
