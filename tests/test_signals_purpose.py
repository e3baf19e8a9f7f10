"""PurposeOutcome: hand-computed readings, properties, RavenStack tickets and the CRM."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.ingest import load
from touchpoint_signals.ingest.formats import make_adapter
from touchpoint_signals.log import TEXT, TouchpointLog
from touchpoint_signals.model import Touchpoint
from touchpoint_signals.signals import Extractor, SignalFrame, SignalStatus
from touchpoint_signals.signals.purpose import PurposeOutcome, _recorded, _recorded_anywhere

AS_OF = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def _tp(
    tid: str, account: str, kind: str, day: str, status: str = "completed", **extra: object
) -> Touchpoint:
    return Touchpoint(tid, account, kind, f"{day}T09:00Z", status, **extra)  # type: ignore[arg-type]


# Hand-made fixture. Window (2026-04-02, 2026-07-01].
TOUCHPOINTS = [
    # acme: four counted touchpoints ...
    _tp("q1", "acme", "qbr", "2026-05-01", trigger="scheduled", purpose="plan", outcome="ok"),
    _tp("s1", "acme", "support", "2026-05-10", trigger="customer_raised", purpose="login"),
    _tp("s2", "acme", "support", "2026-06-10", trigger="customer_raised", purpose="  ",
        outcome="fixed"),  # a blank purpose is no purpose
    _tp("o1", "acme", "outreach", "2026-06-12", purpose="intro", outcome="meeting booked"),
    # ... and five that are not: a reply, an automated e-mail, a cancelled QBR, an old ticket,
    # and a reply whose target the log does not hold.
    _tp("r1", "acme", "outreach", "2026-05-11", in_reply_to="s1"),
    _tp("a1", "acme", "automated", "2026-06-01", trigger="scheduled"),
    _tp("c1", "acme", "qbr", "2026-06-15", "cancelled", trigger="scheduled"),
    _tp("s0", "acme", "support", "2026-03-01", trigger="customer_raised"),
    _tp("r2", "acme", "outreach", "2026-06-20", in_reply_to="not-in-the-log"),
    # beta: three customer-raised tickets, fully recorded.
    *[
        _tp(f"b{i}", "beta", "support", f"2026-06-0{i}", trigger="customer_raised",
            purpose="bug", outcome="fixed")
        for i in (1, 2, 3)
    ],
    # gamma: only two.
    _tp("g1", "gamma", "check_in", "2026-06-01", trigger="scheduled"),
    _tp("g2", "gamma", "check_in", "2026-06-15", trigger="scheduled"),
    # delta: nothing within the window.
    _tp("d1", "delta", "check_in", "2026-01-15", trigger="scheduled"),
]  # fmt: skip
LOG = TouchpointLog.from_touchpoints(TOUCHPOINTS)


def test_is_an_extractor_with_a_configurable_name() -> None:
    assert isinstance(PurposeOutcome(), Extractor)
    assert PurposeOutcome().name == "purpose_outcome"
    assert PurposeOutcome(name="notes_30d", window_days=30).name == "notes_30d"


def test_missing_purpose_and_outcome_are_counted_over_human_led_touchpoints() -> None:
    acme = PurposeOutcome().extract(LOG, AS_OF).signal("acme")

    # Counted: q1, s1, s2, o1. No outcome: s1 (1 of 4); no purpose: s2 (1 of 4).
    # Reactive s1, s2 = 1/2, not above the tolerance of 1/2: reactive part 0.
    # Severity 0.3 * 1/4 + 0.4 * 1/4 + 0.3 * 0 = 0.175.
    assert acme.value == 0.75
    assert acme.severity == pytest.approx(0.175)
    assert acme.samples == {"touchpoints": 4}
    assert acme.details == {
        "purpose_share": 0.75,
        "outcome_share": 0.75,
        "proactive_share": 0.25,
        "reactive_share": 0.5,
        "unknown_trigger_share": 0.25,
    }
    assert acme.evidence == ("s1", "s2")
    assert acme.reason == (
        "of 4 human-led touchpoints in the last 90 days, 1 lacks an outcome and 1 a purpose; "
        "2 reactive, 1 proactive, 1 with no trigger"
    )


def test_an_all_reactive_account_is_flagged_even_when_fully_recorded() -> None:
    beta = PurposeOutcome().extract(LOG, AS_OF).signal("beta")

    # Reactive share 1: reactive part (1 - 0.5) / (1 - 0.5) = 1, times its weight 0.3.
    assert beta.value == 1.0
    assert beta.severity == pytest.approx(0.3)
    assert beta.evidence == ("b1", "b2", "b3")
    assert beta.reason == (
        "all 3 human-led touchpoints in the last 90 days have a purpose and an outcome; "
        "3 reactive, 0 proactive"
    )


def test_insufficient_data_says_why() -> None:
    frame = PurposeOutcome().extract(LOG, AS_OF)

    gamma, delta = frame.signal("gamma"), frame.signal("delta")
    assert gamma.status is SignalStatus.INSUFFICIENT_DATA
    assert gamma.value is None
    assert gamma.evidence == ()
    assert gamma.reason == (
        "only 2 completed human-led touchpoints in the last 90 days (needs 3)"
    )
    assert delta.reason == "no completed human-led touchpoints in the last 90 days"
    assert PurposeOutcome(min_touchpoints=2).extract(LOG, AS_OF).signal("gamma").severity == (
        pytest.approx(0.7)  # no purpose, no outcome, all proactive: 0.3 + 0.4
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"window_days": 0},
            r"PurposeOutcome\.window_days must be a finite number of days > 0",
        ),
        ({"window_days": math.inf}, r"PurposeOutcome\.window_days must be a finite number of"),
        (
            {"min_touchpoints": 0},
            r"PurposeOutcome\.min_touchpoints must be a whole number >= 1",
        ),
        (
            {"purpose_weight": 1.5},
            r"PurposeOutcome\.purpose_weight must be a number in \[0, 1\]",
        ),
        (
            {"reactive_tolerance": 1.0},
            r"PurposeOutcome\.reactive_tolerance must be a share from 0",
        ),
        ({"outcome_weight": 0.5}, r"must add up to 1, got 1.1"),
    ],
)
def test_parameters_are_checked_when_built(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        PurposeOutcome(**arguments)  # type: ignore[arg-type]


# -- properties -----------------------------------------------------------------------------

ACCOUNT_IDS = ("a", "b", "c")
START = AS_OF - dt.timedelta(days=120)
_TEXT = st.none() | st.sampled_from(["", " ", "plan", "done"])


@st.composite
def histories(draw: st.DrawFn) -> list[Touchpoint]:
    """Touchpoints of three accounts in the 120 days up to AS_OF, some of them replies."""
    count = draw(st.integers(0, 30))
    return [
        Touchpoint(
            f"t{i}",
            draw(st.sampled_from(ACCOUNT_IDS)),
            draw(st.sampled_from(["qbr", "support", "outreach", "automated", "check_in"])),
            START + dt.timedelta(hours=draw(st.integers(0, 120 * 24))),
            draw(st.sampled_from(["completed", "completed", "completed", "cancelled"])),
            trigger=draw(st.sampled_from([None, "scheduled", "customer_raised"])),
            purpose=draw(_TEXT),
            outcome=draw(_TEXT),
            in_reply_to=draw(st.none() | st.sampled_from(["t0", "elsewhere"]))
            if i > 0
            else None,
        )
        for i in range(count)
    ]


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
    touchpoints: list[Touchpoint], late: int
) -> None:
    assume(touchpoints)
    owner = touchpoints[0].account_id
    later = [
        Touchpoint("late1", owner, "qbr", AS_OF + dt.timedelta(days=late), "completed"),
        Touchpoint(
            "late2", owner, "support", AS_OF - dt.timedelta(days=1), "completed",
            recorded_at=AS_OF + dt.timedelta(days=late),
        ),
    ]  # fmt: skip
    extractor = PurposeOutcome()

    before = extractor.extract(TouchpointLog.from_touchpoints(touchpoints), AS_OF)
    after = extractor.extract(TouchpointLog.from_touchpoints(touchpoints + later), AS_OF)

    _same(before, after)


@PROPERTY
@given(histories(), st.randoms(use_true_random=False))
def test_input_order_changes_nothing(touchpoints: list[Touchpoint], rng: random.Random) -> None:
    shuffled = touchpoints[:]
    rng.shuffle(shuffled)
    extractor = PurposeOutcome()

    one = extractor.extract(TouchpointLog.from_touchpoints(touchpoints), AS_OF)
    two = extractor.extract(TouchpointLog.from_touchpoints(shuffled), AS_OF)

    _same(one, two)


@PROPERTY
@given(histories(), st.data())
def test_removing_a_recorded_outcome_never_lowers_severity(
    touchpoints: list[Touchpoint], data: st.DataObject
) -> None:
    with_outcome = [i for i, t in enumerate(touchpoints) if t.outcome and t.outcome.strip()]
    assume(with_outcome)
    index = data.draw(st.sampled_from(with_outcome))
    fewer = touchpoints[:]
    fewer[index] = attrs.evolve(fewer[index], outcome=None)
    # Removing the log's last recorded outcome of a human-led touchpoint makes the outcome an
    # unrecorded field, which is then not judged at all (ignore_unrecorded_fields): the
    # property holds for the default only while the field stays recorded somewhere, and
    # always with the option off.
    still_recorded = any(
        t.kind.human_led and t.outcome and t.outcome.strip() and t.recorded_at <= AS_OF
        for t in fewer
    )
    extractors = [PurposeOutcome(ignore_unrecorded_fields=False)]
    if still_recorded:
        extractors.append(PurposeOutcome())

    for extractor in extractors:
        base = extractor.extract(TouchpointLog.from_touchpoints(touchpoints), AS_OF)
        less = extractor.extract(TouchpointLog.from_touchpoints(fewer), AS_OF)

        np.testing.assert_array_equal(base.sufficient, less.sufficient)
        ok = base.sufficient
        assert (less.severity[ok] >= base.severity[ok] - 1e-12).all()
        assert (less.value[ok] <= base.value[ok]).all()


@PROPERTY
@given(histories())
def test_severity_stays_in_bounds_and_thin_history_is_insufficient(
    touchpoints: list[Touchpoint],
) -> None:
    frame = PurposeOutcome().extract(TouchpointLog.from_touchpoints(touchpoints), AS_OF)

    ok = frame.sufficient
    assert ((frame.severity[ok] >= 0) & (frame.severity[ok] <= 1)).all()
    assert np.isnan(frame.severity[~ok]).all()
    assert (frame.samples["touchpoints"][~ok] < 3).all()
    assert (frame.samples["touchpoints"][ok] >= 3).all()


# -- real data ------------------------------------------------------------------------------


@pytest.mark.realdata
def test_purpose_outcome_on_ravenstack_tickets(shared_data: Path) -> None:
    log = load(make_adapter("ravenstack").read(shared_data / "ravenstack"), mode="lenient").log

    frame = PurposeOutcome().extract(log, dt.datetime(2024, 12, 31, tzinfo=dt.UTC))

    # Every ticket has a purpose ("support ticket, <priority> priority") and an outcome and
    # is customer-raised; first responses are replies and not counted. Tickets are sparse:
    # only 4 accounts have 3 or more in the 90 days to 2024-12-31, each reads 0.3 (the whole
    # reactive part, nothing missing).
    ok = frame.sufficient
    assert int(ok.sum()) == 4
    assert frame.severity[ok].tolist() == pytest.approx([0.3] * 4)
    assert frame.reasons.count("no completed human-led touchpoints in the last 90 days") == 294
    assert sum(r.startswith("only 1 ") for r in frame.reasons) == 151
    assert sum(r.startswith("only 2 ") for r in frame.reasons) == 51

    # By hand: ravenstack_support_tickets.csv has four tickets of A-2789e3, submitted
    # 2024-01-06 (outside the window), 2024-10-09, 2024-11-10 and 2024-12-22, all medium
    # priority and resolved.
    a = frame.signal("A-2789e3")
    assert a.evidence == ("T-61208e", "T-b48c61", "T-73a01a")
    assert a.reason == (
        "all 3 human-led touchpoints in the last 90 days have a purpose and an outcome; "
        "3 reactive, 0 proactive"
    )


@pytest.mark.realdata
def test_purpose_outcome_on_the_crm_pipeline(shared_data: Path) -> None:
    log = load(make_adapter("crm_pipeline").read(shared_data / "maven_crm"), mode="lenient").log

    frame = PurposeOutcome().extract(log, dt.datetime(2017, 12, 31, tzinfo=dt.UTC))

    # Every record has a purpose (the product) and a scheduled trigger; only closes have an
    # outcome, so every company reads a little: the missing-outcome part alone, at most 0.18.
    ok = frame.sufficient
    assert int(ok.sum()) == 85
    assert int((frame.severity > 0).sum()) == 85
    assert float(frame.severity.max()) == pytest.approx(0.18, abs=0.005)
    assert (frame.details["purpose_share"] == 1).all()
    assert (frame.details["proactive_share"] == 1).all()

    # By hand: sales_pipeline.csv has Acme Corporation engaging 9 opportunities between
    # 2017-10-04 and 2017-11-24 and closing 15 from 2017-10-03 to 2017-12-31: 24 touchpoints,
    # the 9 engagements without an outcome. Severity 0.4 * 9 / 24 = 0.15.
    acme = frame.signal("Acme Corporation")
    assert acme.samples == {"touchpoints": 24}
    assert acme.value == pytest.approx(15 / 24)
    assert acme.severity == pytest.approx(0.15)
    assert len(acme.evidence) == 9


# -- fields a source never records ---------------------------------------------------------


def test_a_log_that_records_neither_purpose_nor_outcome_is_insufficient() -> None:
    # Hand-made fixture: two accounts, three scheduled check-ins each, no purpose or outcome
    # on any of them (like the appointment records), though an automated SMS reminder carries
    # a purpose its adapter wrote. Before the fix each read 0.7 (0.3 * 1 + 0.4 * 1: "3 lack an
    # outcome and 3 a purpose").
    log = TouchpointLog.from_touchpoints(
        [
            _tp(f"{a}{i}", a, "check_in", f"2026-06-0{i}", trigger="scheduled")
            for a in ("x", "y")
            for i in (1, 2, 3)
        ]
        + [_tp("sms", "x", "automated", "2026-05-31", purpose="appointment reminder")]
    )
    frame = PurposeOutcome().extract(log, AS_OF)
    assert not frame.sufficient.any()
    assert (
        list(frame.reasons)
        == ["no human-led touchpoint in this log records a purpose or an outcome"] * 2
    )

    # Turned off, the missing records are charged as before: 0.3 + 0.4 = 0.7.
    charged = PurposeOutcome(ignore_unrecorded_fields=False).extract(log, AS_OF)
    assert charged.severity.tolist() == pytest.approx([0.7, 0.7])


def test_an_unrecorded_outcome_is_not_judged_and_its_weight_is_shared() -> None:
    # Hand-made fixture: the log records purposes but never an outcome. x: 4 touchpoints, 1
    # without a purpose, 3 customer-raised (reactive share 0.75). Weights without the outcome:
    # purpose 0.3 / 0.6 = 0.5, reactive 0.3 / 0.6 = 0.5. Severity 0.5 * (1 / 4)
    # + 0.5 * (0.75 - 0.5) / (1 - 0.5) = 0.125 + 0.25 = 0.375. Before the fix:
    # 0.3 * 0.25 + 0.4 * 1 + 0.3 * 0.5 = 0.625.
    log = TouchpointLog.from_touchpoints(
        [
            _tp("x1", "x", "support", "2026-06-01", trigger="customer_raised", purpose="bug"),
            _tp("x2", "x", "support", "2026-06-02", trigger="customer_raised", purpose="bug"),
            _tp("x3", "x", "support", "2026-06-03", trigger="customer_raised"),
            _tp("x4", "x", "check_in", "2026-06-04", trigger="scheduled", purpose="plan"),
        ]
    )
    x = PurposeOutcome().extract(log, AS_OF).signal("x")
    assert x.severity == pytest.approx(0.375)
    assert x.value is None  # the outcome share is not a reading when no outcome is recorded
    assert x.reason == (
        "of 4 human-led touchpoints in the last 90 days, 1 lacks a purpose; 3 reactive, "
        "1 proactive; no human-led touchpoint in this log records an outcome; not judged"
    )
    # Turned off: 0.3 * 0.25 + 0.4 * 1 + 0.3 * 0.5 = 0.625.
    off = PurposeOutcome(ignore_unrecorded_fields=False).extract(log, AS_OF).signal("x")
    assert off.severity == pytest.approx(0.625)


def test_a_field_recorded_only_after_as_of_is_unrecorded_at_as_of() -> None:
    # Point-in-time: an outcome written on a touchpoint after as_of does not make the outcome
    # a recorded field at as_of.
    early = [
        _tp(f"x{i}", "x", "check_in", f"2026-06-0{i}", trigger="scheduled", purpose="p")
        for i in (1, 2, 3)
    ]
    late = _tp("z", "x", "check_in", "2026-07-15", trigger="scheduled", outcome="done")
    before = PurposeOutcome().extract(TouchpointLog.from_touchpoints(early), AS_OF)
    after = PurposeOutcome().extract(TouchpointLog.from_touchpoints([*early, late]), AS_OF)
    assert before.signal("x").reason == after.signal("x").reason
    assert before.signal("x").severity == after.signal("x").severity == 0.0


@pytest.mark.realdata
def test_purpose_outcome_on_the_appointments_data(shared_data: Path) -> None:
    path = shared_data / "noshow_appointments" / "KaggleV2-May-2016.csv"
    log = load(make_adapter("appointments").read(path), mode="lenient").log
    as_of = dt.datetime(2016, 6, 9, 3, tzinfo=dt.UTC)  # the end of the last appointment day

    frame = PurposeOutcome().extract(log, as_of)

    # docs/formats/appointments.md: appointments (check_in) carry no purpose and no outcome;
    # only the automated SMS reminders have a purpose ("appointment reminder"). Before the
    # fix the 7,181 patients with 3+ completed appointments read "... lack an outcome and ...
    # a purpose" (severity 0.7); now nothing is judged.
    assert int(frame.sufficient.sum()) == 0
    assert set(frame.reasons) == {
        "no human-led touchpoint in this log records a purpose or an outcome"
    }
    charged = PurposeOutcome(ignore_unrecorded_fields=False).extract(log, as_of)
    assert int(charged.sufficient.sum()) == 7181
    assert float(charged.severity[charged.sufficient].min()) == pytest.approx(0.7)


# Whitespace of every kind str.strip knows, letters, and text that only starts blank.
_TEXTS = st.one_of(
    st.none(),
    st.text(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u2028\u3000ab", max_size=5),
)


@PROPERTY
@given(st.lists(_TEXTS, max_size=40), st.integers(0, 3000))
def test_recorded_text_equals_the_strip_reference(texts: list[str | None], pad: int) -> None:
    # Reference: present and not empty once stripped, one Python string at a time. The
    # padding of missing values moves the texts across the blocks _recorded_anywhere reads.
    column = np.array([np.nan] * pad + [np.nan if t is None else t for t in texts], dtype=TEXT)
    expected = [False] * pad + [t is not None and bool(t.strip()) for t in texts]
    everywhere = np.ones(len(column), dtype=bool)

    assert _recorded(column).tolist() == expected
    assert _recorded_anywhere(column.__getitem__, everywhere) == any(expected)
    assert not _recorded_anywhere(column.__getitem__, np.zeros(len(column), dtype=bool))


def _reference_reason(
    signal: PurposeOutcome,
    total: int,
    no_purpose: int,
    no_outcome: int,
    triggers: tuple[int, int, int],
    judged: tuple[bool, bool],
) -> str:
    """The reason of one account as the extractor wrote it before the column-wise version."""

    def plural(count: int, noun: str) -> str:
        return f"1 {noun}" if count == 1 else f"{count} {noun}s"

    window = f"in the last {signal.window_days:g} days"
    if not any(judged):
        return "no human-led touchpoint in this log records a purpose or an outcome"

    if total == 0:
        return f"no completed human-led touchpoints {window}"
    if total < signal.min_touchpoints:
        return (
            f"only {plural(total, 'completed human-led touchpoint')} {window} "
            f"(needs {signal.min_touchpoints})"
        )

    gaps = []
    if no_outcome:
        gaps.append(f"{no_outcome} lack{'s' if no_outcome == 1 else ''} an outcome")
    if no_purpose:
        verb = "" if no_outcome else f" lack{'s' if no_purpose == 1 else ''}"
        gaps.append(f"{no_purpose}{verb} a purpose")
    head = f"of {plural(total, 'human-led touchpoint')} {window}, "
    fields = " and ".join(
        name for name, on in zip(("a purpose", "an outcome"), judged, strict=True) if on
    )
    if gaps:
        head += " and ".join(gaps)
    else:
        head = f"all {total} human-led touchpoints {window} have {fields}"

    reactive, proactive, unknown = triggers
    split = [f"{reactive} reactive", f"{proactive} proactive"]
    if unknown:
        split.append(f"{unknown} with no trigger")
    parts = [head, ", ".join(split)]
    unrecorded = [
        n for n, on in zip(("a purpose", "an outcome"), judged, strict=True) if not on
    ]
    if unrecorded:
        parts.append(f"no human-led touchpoint in this log records {unrecorded[0]}; not judged")
    return "; ".join(parts)


@st.composite
def _account_counts(draw: st.DrawFn) -> tuple[int, int, int, int, int, int]:
    total = draw(st.integers(0, 12))
    reactive = draw(st.integers(0, total))
    proactive = draw(st.integers(0, total - reactive))
    return (
        total,
        draw(st.integers(0, total)),
        draw(st.integers(0, total)),
        reactive,
        proactive,
        total - reactive - proactive,
    )


@given(
    st.lists(_account_counts(), max_size=30),
    st.tuples(st.booleans(), st.booleans()),
    st.sampled_from([90.0, 30.5, 7.0]),
    st.integers(1, 5),
)
def test_column_wise_reasons_equal_the_per_account_reference(
    counts: list[tuple[int, int, int, int, int, int]],
    judged: tuple[bool, bool],
    window_days: float,
    min_touchpoints: int,
) -> None:
    signal = PurposeOutcome(window_days=window_days, min_touchpoints=min_touchpoints)
    columns = np.array(counts, dtype=np.int64).reshape(-1, 6).T

    reasons = signal._reasons(
        columns[0], columns[1], columns[2], (columns[3], columns[4], columns[5]), judged=judged
    )

    expected = [
        _reference_reason(signal, t, p, o, (r, pro, u), judged) for t, p, o, r, pro, u in counts
    ]
    assert reasons == expected
