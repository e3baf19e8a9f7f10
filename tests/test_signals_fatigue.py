"""TouchpointFatigue: hand-computed readings, properties, RavenStack tickets and the CRM."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError, UnknownNameError
from touchpoint_signals.ingest import load
from touchpoint_signals.ingest.formats import make_adapter
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Account, CadencePolicy, Segment, Touchpoint
from touchpoint_signals.signals import Extractor, SignalFrame, SignalStatus
from touchpoint_signals.signals.fatigue import TouchpointFatigue

AS_OF = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)


def _tp(
    tid: str, account: str, kind: str, day: str, status: str = "completed", **extra: object
) -> Touchpoint:
    return Touchpoint(tid, account, kind, f"{day}T09:00Z", status, **extra)  # type: ignore[arg-type]


# Hand-made fixture. Survey window (2026-03-31, 2026-06-30]; touch window (2026-05-31, ...].
TOUCHPOINTS = [
    # acme (high_touch: 2 surveys a quarter, 16 touches per 30 days)
    _tp("s09", "acme", "survey", "2026-03-20"),  # before the survey window
    _tp("s12", "acme", "survey", "2026-04-03"),
    _tp("s15", "acme", "survey", "2026-05-10"),
    _tp("s19", "acme", "survey", "2026-06-20"),  # also acme's one touch in the touch window
    _tp("s20", "acme", "survey", "2026-06-25", "cancelled"),  # never sent: not counted
    # beta (tech_touch: 8 touches per 30 days): 10 outbound messages on June 1-10 ...
    *[
        _tp(f"b{d:02d}", "beta", "outreach", f"2026-06-{d:02d}", direction="outbound")
        for d in range(1, 11)
    ],
    # ... a scheduled check-in the customer missed (an invitation all the same) ...
    _tp("b15", "beta", "check_in", "2026-06-15", "no_show", trigger="scheduled"),
    # ... and what does not count: a cancelled one, two customer-raised tickets.
    _tp("b16", "beta", "check_in", "2026-06-16", "cancelled", trigger="scheduled"),
    _tp("b17", "beta", "support", "2026-06-17", direction="inbound", trigger="customer_raised"),
    _tp("b18", "beta", "support", "2026-06-18", trigger="customer_raised"),
    # gamma (mid_touch: 2 surveys, 10 touches): well within both.
    _tp("g1", "gamma", "survey", "2026-06-01"),
    _tp("g2", "gamma", "outreach", "2026-06-02", direction="outbound"),
    _tp("g3", "gamma", "automated", "2026-06-03", trigger="behaviour_triggered"),
    # delta has no account record.
    _tp("d1", "delta", "survey", "2026-06-01"),
]
ACCOUNTS = [
    Account("acme", "high_touch"),
    Account("beta", "tech_touch"),
    Account("gamma", "mid_touch"),
    Account("eps", "mid_touch"),  # no touchpoints at all
]
LOG = TouchpointLog.from_touchpoints(TOUCHPOINTS, accounts=ACCOUNTS)


def test_is_an_extractor_with_a_configurable_name() -> None:
    assert isinstance(TouchpointFatigue(), Extractor)
    assert TouchpointFatigue().name == "fatigue"
    assert TouchpointFatigue(name="fatigue_strict", survey_cap=1).name == "fatigue_strict"


def test_a_broken_survey_cap_names_the_surveys() -> None:
    acme = TouchpointFatigue().extract(LOG, AS_OF).signal("acme")

    # 3 surveys against a cap of 2: ratio 1.5, severity (1.5 - 1) / (2 - 1) = 0.5.
    assert acme.value == 1.0  # max(3 - 2, 1 - 16)
    assert acme.severity == 0.5
    assert acme.samples == {"surveys": 3, "touches": 1}
    assert acme.details["survey_severity"] == 0.5
    assert acme.details["touch_severity"] == 0.0
    assert acme.evidence == ("s12", "s15", "s19")
    assert acme.reason == (
        "3 surveys in the 91 days to 2026-06-30 (cap 2): "
        "s12 on 2026-04-03, s15 on 2026-05-10, s19 on 2026-06-20"
    )


def test_a_broken_touch_norm_lists_the_first_touches_and_counts_the_rest() -> None:
    beta = TouchpointFatigue().extract(LOG, AS_OF).signal("beta")

    # 10 outbound + 1 missed scheduled check-in = 11 against 8: ratio 1.375, severity 0.375.
    assert beta.value == 3.0
    assert beta.severity == pytest.approx(0.375)
    assert beta.samples == {"surveys": 0, "touches": 11}
    assert beta.evidence == (*(f"b{d:02d}" for d in range(1, 11)), "b15")
    assert beta.reason == (
        "11 touches in the 30 days to 2026-06-30 (norm 8): b01 on 2026-06-01, "
        "b02 on 2026-06-02, b03 on 2026-06-03, b04 on 2026-06-04, b05 on 2026-06-05 "
        "and 6 more"
    )


def test_within_caps_reports_the_headroom() -> None:
    gamma = TouchpointFatigue().extract(LOG, AS_OF).signal("gamma")

    # 1 survey (cap 2); touches: the survey, the outbound message, the triggered e-mail = 3.
    assert gamma.value == -1.0  # max(1 - 2, 3 - 10)
    assert gamma.severity == 0.0
    assert gamma.reason == (
        "within caps: 1 survey in the 91 days to 2026-06-30 (cap 2); "
        "3 touches in the 30 days to 2026-06-30 (norm 10)"
    )


def test_insufficient_data_says_why() -> None:
    frame = TouchpointFatigue().extract(LOG, AS_OF)

    delta, eps = frame.signal("delta"), frame.signal("eps")
    assert delta.status is SignalStatus.INSUFFICIENT_DATA
    assert delta.reason == (
        "no account record, so the segment's survey cap and touch norm are unknown"
    )
    assert eps.status is SignalStatus.INSUFFICIENT_DATA
    assert eps.severity is None
    assert eps.reason == "no touchpoints on record by 2026-06-30"


def test_explicit_caps_replace_the_segment_and_a_zero_cap_is_the_worst() -> None:
    frame = TouchpointFatigue(survey_cap=0, touch_cap=20).extract(LOG, AS_OF)

    delta = frame.signal("delta")  # no record, but the caps are now known
    assert delta.status is SignalStatus.OK
    assert delta.severity == 1.0
    assert delta.details["survey_cap"] == 0.0
    assert frame.signal("beta").severity == 0.0  # 11 touches under 20


def test_a_segment_without_a_touch_norm_checks_surveys_only() -> None:
    quiet = Segment("quiet", CadencePolicy(survey_cap=1))
    log = TouchpointLog.from_touchpoints(
        [_tp("q1", "q", "outreach", "2026-06-01", direction="outbound")],
        accounts=[Account("q", quiet)],
    )

    q = TouchpointFatigue().extract(log, AS_OF).signal("q")

    assert q.value == -1.0
    assert math.isnan(q.details["touch_cap"])
    assert q.reason == (
        "within caps: 0 surveys in the 91 days to 2026-06-30 (cap 1); "
        "1 touch in the 30 days to 2026-06-30 (no norm)"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"survey_window_days": 0},
            r"TouchpointFatigue\.survey_window_days must be a finite number of days > 0, got 0",
        ),
        (
            {"survey_window_days": math.inf},
            r"TouchpointFatigue\.survey_window_days must be a finite",
        ),
        (
            {"touch_window_days": -1.0},
            r"TouchpointFatigue\.touch_window_days must be a finite number of days > 0",
        ),
        (
            {"survey_cap": -1},
            r"TouchpointFatigue\.survey_cap must be a whole number >= 0, got -1",
        ),
        ({"touch_cap": 2.5}, r"TouchpointFatigue\.touch_cap must be a whole number"),
        (
            {"full_severity_ratio": 1},
            r"TouchpointFatigue\.full_severity_ratio must be a finite number > 1",
        ),
        ({"max_listed": 0}, r"TouchpointFatigue\.max_listed must be a whole number >= 1"),
        (
            {"survey_kinds": "survey"},
            r"TouchpointFatigue\.survey_kinds must be a tuple of kind names",
        ),
    ],
)
def test_parameters_are_checked_when_built(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TouchpointFatigue(**arguments)  # type: ignore[arg-type]


def test_an_unknown_survey_kind_is_refused_at_extract_time() -> None:
    fatigue = TouchpointFatigue(survey_kinds=("nps",))
    with pytest.raises(
        UnknownNameError, match=r"TouchpointFatigue\.survey_kinds names 'nps'"
    ) as info:
        fatigue.extract(LOG, AS_OF)
    assert "the log's kinds are: onboarding, check_in" in str(info.value)


def test_reasons_are_one_line_even_when_a_touchpoint_id_holds_a_line_break() -> None:
    # Hand-made: three surveys against a cap of 2; one id has a line break in it.
    log = TouchpointLog.from_touchpoints(
        [
            _tp("s1\nfirst", "acme", "survey", "2026-05-01"),
            _tp("s2", "acme", "survey", "2026-06-01"),
            _tp("s3", "acme", "survey", "2026-06-20"),
        ],
        accounts=[Account("acme", "high_touch")],
    )
    reason = TouchpointFatigue().extract(log, AS_OF).signal("acme").reason
    assert reason == (
        "3 surveys in the 91 days to 2026-06-30 (cap 2): s1 first on 2026-05-01, "
        "s2 on 2026-06-01, s3 on 2026-06-20"
    )


# -- properties -----------------------------------------------------------------------------

ACCOUNT_IDS = ("a", "b", "c")
WINDOW_START = AS_OF - dt.timedelta(days=120)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Touchpoint], list[Account]]:
    """Touchpoints of three accounts in the 120 days up to AS_OF; records are optional."""
    accounts = [
        Account(account_id, draw(st.sampled_from(["high_touch", "mid_touch", "tech_touch"])))
        for account_id in ACCOUNT_IDS
        if draw(st.booleans())
    ]
    touchpoints = [
        Touchpoint(
            f"t{i}",
            draw(st.sampled_from(ACCOUNT_IDS)),
            draw(st.sampled_from(["survey", "outreach", "check_in", "support"])),
            WINDOW_START + dt.timedelta(hours=draw(st.integers(0, 120 * 24))),
            draw(st.sampled_from(["completed", "completed", "no_show", "cancelled"])),
            direction=draw(st.sampled_from([None, "outbound", "inbound"])),
            trigger=draw(st.sampled_from([None, "scheduled", "customer_raised"])),
        )
        for i in range(draw(st.integers(0, 40)))
    ]
    return touchpoints, accounts


def _same(left: SignalFrame, right: SignalFrame) -> None:
    assert left.account_ids.tolist() == right.account_ids.tolist()
    np.testing.assert_array_equal(left.value, right.value)
    np.testing.assert_array_equal(left.severity, right.severity)
    np.testing.assert_array_equal(left.status, right.status)
    assert left.reasons == right.reasons
    assert left.evidence_ids.tolist() == right.evidence_ids.tolist()
    np.testing.assert_array_equal(left.evidence_offsets, right.evidence_offsets)
    for key in left.samples.keys() | right.samples.keys():
        np.testing.assert_array_equal(left.samples[key], right.samples[key])
    for key in left.details.keys() | right.details.keys():
        np.testing.assert_array_equal(left.details[key], right.details[key])


PROPERTY = settings(max_examples=30, deadline=None)


@PROPERTY
@given(histories(), st.integers(1, 300))
def test_touchpoints_after_as_of_change_nothing(
    history: tuple[list[Touchpoint], list[Account]], late_days: int
) -> None:
    touchpoints, accounts = history
    present = sorted({t.account_id for t in touchpoints} | {a.id for a in accounts})
    assume(present)
    late = [
        Touchpoint(
            "late1", present[0], "survey", AS_OF + dt.timedelta(days=late_days), "completed"
        ),
        Touchpoint(
            "late2", present[-1], "survey", AS_OF - dt.timedelta(days=1), "completed",
            recorded_at=AS_OF + dt.timedelta(days=late_days),
        ),
    ]  # fmt: skip
    extractor = TouchpointFatigue()

    before = extractor.extract(
        TouchpointLog.from_touchpoints(touchpoints, accounts=accounts), AS_OF
    )
    after = extractor.extract(
        TouchpointLog.from_touchpoints(touchpoints + late, accounts=accounts), AS_OF
    )

    _same(before, after)


@PROPERTY
@given(histories(), st.randoms(use_true_random=False))
def test_input_order_changes_nothing(
    history: tuple[list[Touchpoint], list[Account]], rng: random.Random
) -> None:
    touchpoints, accounts = history
    shuffled = touchpoints[:]
    rng.shuffle(shuffled)
    extractor = TouchpointFatigue()

    one = extractor.extract(
        TouchpointLog.from_touchpoints(touchpoints, accounts=accounts), AS_OF
    )
    two = extractor.extract(
        TouchpointLog.from_touchpoints(shuffled, accounts=accounts[::-1]), AS_OF
    )

    _same(one, two)


@PROPERTY
@given(histories(), st.data(), st.sampled_from(["survey", "touch"]), st.integers(0, 29 * 24))
def test_one_more_survey_or_touch_never_lowers_severity(
    history: tuple[list[Touchpoint], list[Account]], data: st.DataObject, what: str, hours: int
) -> None:
    touchpoints, accounts = history
    present = sorted({t.account_id for t in touchpoints} | {a.id for a in accounts})
    assume(present)
    account = data.draw(st.sampled_from(present))
    when = AS_OF - dt.timedelta(hours=hours)  # inside both windows
    extra = (
        Touchpoint("extra", account, "survey", when, "completed")
        if what == "survey"
        else Touchpoint("extra", account, "outreach", when, "completed", direction="outbound")
    )
    extractor = TouchpointFatigue()

    base = extractor.extract(
        TouchpointLog.from_touchpoints(touchpoints, accounts=accounts), AS_OF
    )
    more = extractor.extract(
        TouchpointLog.from_touchpoints([*touchpoints, extra], accounts=accounts), AS_OF
    )

    both = base.sufficient & more.sufficient
    assert (more.severity[both] >= base.severity[both]).all()
    assert (more.value[both] >= base.value[both]).all()
    assert (more.sufficient >= base.sufficient).all()


@PROPERTY
@given(histories())
def test_severity_stays_in_bounds_and_thin_history_is_insufficient(
    history: tuple[list[Touchpoint], list[Account]],
) -> None:
    touchpoints, accounts = history
    log = TouchpointLog.from_touchpoints(touchpoints, accounts=accounts)

    frame = TouchpointFatigue().extract(log, AS_OF)

    ok = frame.sufficient
    assert ((frame.severity[ok] >= 0) & (frame.severity[ok] <= 1)).all()
    assert np.isnan(frame.severity[~ok]).all()
    recorded = {a.id for a in accounts}
    counts = log.counts()["account"]
    for signal in frame:
        if signal.account_id not in recorded or counts[signal.account_id] == 0:
            assert signal.status is SignalStatus.INSUFFICIENT_DATA


# -- real data ------------------------------------------------------------------------------


@pytest.mark.realdata
def test_fatigue_on_ravenstack_tickets(shared_data: Path) -> None:
    log = load(make_adapter("ravenstack").read(shared_data / "ravenstack"), mode="lenient").log

    frame = TouchpointFatigue().extract(log, dt.datetime(2024, 12, 31, tzinfo=dt.UTC))

    # No surveys in a ticket export; touches are the outbound first responses (the tickets
    # themselves are customer-raised). Tickets touch 492 of the 500 accounts; the other 8
    # have no touchpoints and are insufficient. Nobody is over a cap.
    ok = frame.sufficient
    assert int(ok.sum()) == 492
    assert frame.reasons.count("no touchpoints on record by 2024-12-31") == 8
    assert int((frame.severity[ok] > 0).sum()) == 0
    assert frame.samples["surveys"].sum() == 0
    assert np.bincount(frame.samples["touches"]).tolist() == [413, 77, 10]

    # By hand: ravenstack_support_tickets.csv has A-118d55 (Basic: tech_touch, norm 8) with
    # tickets on 2024-12-03 and 2024-12-09, first responses after 122 and 32 minutes; its
    # other three tickets are from 2023 and 2024-09-08.
    a = frame.signal("A-118d55")
    assert a.evidence == ("T-4ad95c:first-response", "T-0e3932:first-response")
    assert a.reason == (
        "within caps: 0 surveys in the 91 days to 2024-12-31 (cap 2); "
        "2 touches in the 30 days to 2024-12-31 (norm 8)"
    )


@pytest.mark.realdata
def test_fatigue_on_the_crm_pipeline(shared_data: Path) -> None:
    log = load(make_adapter("crm_pipeline").read(shared_data / "maven_crm"), mode="lenient").log

    frame = TouchpointFatigue().extract(log, dt.datetime(2017, 12, 31, tzinfo=dt.UTC))

    # Every engagement and every close is an outbound, scheduled record: December's closing
    # rush puts 16 of the 85 companies over their segment's touch norm.
    ok = frame.sufficient
    assert int(ok.sum()) == 85
    assert int((frame.severity[ok] > 0).sum()) == 16
    assert int((frame.severity[ok] >= 0.5).sum()) == 3

    # By hand: accounts.csv gives Condax 9 employees (tech_touch, norm 8); sales_pipeline.csv
    # has 18 of its opportunities closed (Won/Lost) from 2017-12-02 to 12-31 and none engaged
    # then: 18 touches, 18 / 8 = 2.25 times the norm.
    condax = frame.signal("Condax")
    assert condax.samples["touches"] == 18
    assert condax.severity == 1.0
    assert condax.reason.startswith("18 touches in the 30 days to 2017-12-31 (norm 8): ")
    assert condax.reason.endswith(" and 13 more")


def _reference_reason(
    signal: TouchpointFatigue,
    touchpoints: tuple[list[str], list[int]],
    end: str,
    has_history: bool,
    known_caps: bool,
    surveys: tuple[list[int], float],
    touches: tuple[list[int], float],
) -> str:
    """The reason of one account as the extractor wrote it before the column-wise version.

    ``surveys`` and ``touches`` are the account's counted rows and its cap.
    """

    def plural(count: int, noun: str) -> str:
        if count == 1:
            return f"1 {noun}"
        return f"{count} {noun}es" if noun.endswith("ch") else f"{count} {noun}s"

    def listing(rows: list[int]) -> str:
        ids, micros = touchpoints
        named = [
            f"{ids[r]} on {dt.datetime.fromtimestamp(micros[r] / 1e6, dt.UTC):%Y-%m-%d}"
            for r in rows[: signal.max_listed]
        ]
        more = len(rows) - len(named)
        return ", ".join(named) + (f" and {more} more" if more else "")

    if not has_history:
        return f"no touchpoints on record by {end}"
    if not known_caps:
        return "no account record, so the segment's survey cap and touch norm are unknown"

    parts = [
        (rows, cap, f"{plural(len(rows), noun)} {span} to {end}", word)
        for (rows, cap), noun, span, word in [
            (surveys, "survey", f"in the {signal.survey_window_days:g} days", "cap"),
            (touches, "touch", f"in the {signal.touch_window_days:g} days", "norm"),
        ]
    ]
    broken = [
        f"{counted} ({word} {cap:g}): " + listing(rows)
        for rows, cap, counted, word in parts
        if len(rows) > cap
    ]
    if broken:
        return " ".join("; ".join(broken).splitlines())

    within = [
        f"{counted} (no {word})" if math.isnan(cap) else f"{counted} ({word} {cap:g})"
        for _, cap, counted, word in parts
    ]
    return "within caps: " + "; ".join(within)


_CAPS = st.one_of(st.just(math.nan), st.integers(0, 4).map(float))


@given(
    st.lists(
        st.tuples(
            st.booleans(), st.booleans(), st.integers(0, 8), st.integers(0, 8), _CAPS, _CAPS
        ),
        max_size=20,
    ),
    st.integers(1, 4),
    st.sampled_from([91.0, 30.0, 7.5]),
    st.randoms(use_true_random=False),
)
def test_column_wise_reasons_equal_the_per_account_reference(
    accounts: list[tuple[bool, bool, int, int, float, float]],
    max_listed: int,
    window: float,
    rng: random.Random,
) -> None:
    signal = TouchpointFatigue(max_listed=max_listed, survey_window_days=window)
    n_rows = sum(ns + nt for _, _, ns, nt, _, _ in accounts)
    ids = [rng.choice(["t", "a\nb", "x y", "é"]) + str(r) for r in range(n_rows)]
    micros = [rng.randrange(0, 2_000_000_000) * 1_000_000 for _ in range(n_rows)]
    survey_rows: list[list[int]] = []
    touch_rows: list[list[int]] = []
    next_row = 0
    for _, _, ns, nt, _, _ in accounts:
        survey_rows.append(list(range(next_row, next_row + ns)))
        touch_rows.append(list(range(next_row + ns, next_row + ns + nt)))
        next_row += ns + nt

    def counted(per_account: list[list[int]], cap_column: int) -> tuple[Any, Any, Any, Any]:
        rows = np.array([r for rows in per_account for r in rows], dtype=np.int64)
        counts = np.array([len(rows) for rows in per_account], dtype=np.int64)
        bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        caps = np.array([a[cap_column] for a in accounts], dtype=np.float64)
        return rows, bounds, counts, caps

    history = np.array([a[0] for a in accounts], dtype=bool)
    known = np.array([a[1] for a in accounts], dtype=bool)
    reasons = signal._reasons(
        "2026-07-01",
        history & known,
        ~history,
        counted(survey_rows, 4),
        counted(touch_rows, 5),
        (
            np.array(ids, dtype=np.dtypes.StringDType()).__getitem__,
            np.array(micros, dtype=np.int64),
        ),
    )

    expected = [
        _reference_reason(
            signal, (ids, micros), "2026-07-01", h, k, (survey_rows[a], sc), (touch_rows[a], tc)
        )
        for a, (h, k, _, _, sc, tc) in enumerate(accounts)
    ]
    assert reasons == expected
