"""ToneShift: exact hand-made accounts, the extractor's invariants, and the shared data sets."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.ingest import load
from touchpoint_signals.ingest.formats import make_adapter
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Touchpoint
from touchpoint_signals.signals import Extractor, SignalFrame, SignalStatus
from touchpoint_signals.signals.drift import DriftWindows
from touchpoint_signals.signals.tone import TONE_WINDOWS, ToneShift, tone_label
from touchpoint_signals.timeparse import from_epoch_us

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@attrs.frozen
class NumberModel:
    """A tone model for tests: each text is its own score, written as a number."""

    name: str = "number"

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([float(t) if t.strip() else np.nan for t in texts], dtype=np.float64)


def _message(
    id: str,
    account: str,
    day: float,
    text: str | None,
    *,
    direction: str = "inbound",
    recorded_day: float | None = None,
) -> Touchpoint:
    return Touchpoint(
        id,
        account,
        "outreach",
        START + day * DAY,
        "completed",
        direction=direction,
        text=text,
        recorded_at=None if recorded_day is None else START + recorded_day * DAY,
    )


def _same(left: SignalFrame, right: SignalFrame) -> None:
    assert left.account_ids.tolist() == right.account_ids.tolist()
    np.testing.assert_array_equal(left.value, right.value)
    np.testing.assert_array_equal(left.severity, right.severity)
    np.testing.assert_array_equal(left.status, right.status)
    assert left.reasons == right.reasons
    for key in left.samples:
        np.testing.assert_array_equal(left.samples[key], right.samples[key])
    assert [s.evidence for s in left] == [s.evidence for s in right]


# -- hand-made accounts ----------------------------------------------------------------------

# acme: ten baseline messages scoring 0.1 .. 1.0 on days 10, 20, ..., 100, then four recent
# ones scoring -0.4 .. -0.1 on days 190, 195, 200, 205. As of day 210 the recent window is
# (180, 210] and the baseline (0, 180]. beta: two messages only. gamma: only our outbound
# messages and an inbound one with no text.
ACME_BASE = [round(0.1 * (i + 1), 1) for i in range(10)]
ACME_RECENT = [-0.4, -0.3, -0.2, -0.1]
HAND = [
    *(_message(f"a{i}", "acme", 10 * (i + 1), str(v)) for i, v in enumerate(ACME_BASE)),
    *(_message(f"r{i}", "acme", 190 + 5 * i, str(v)) for i, v in enumerate(ACME_RECENT)),
    _message("b1", "beta", 50, "0.5"),
    _message("b2", "beta", 200, "-0.9"),
    _message("g1", "gamma", 200, "-0.9", direction="outbound"),
    _message("g2", "gamma", 201, None),
]
AS_OF = START + 210 * DAY
SHIFT = ToneShift(model=NumberModel())


def test_a_clear_drop_is_flagged_with_exact_numbers() -> None:
    frame = SHIFT.extract(TouchpointLog.from_touchpoints(HAND), AS_OF)
    acme = frame.signal("acme")

    # medians: baseline (0.5 + 0.6) / 2 = 0.55, recent (-0.3 + -0.2) / 2 = -0.25; the drop
    # is 0.55 - (-0.25) = 0.8 >= 0.3. Every baseline score beats every recent one, so the
    # one-sided Mann-Whitney p-value is the exact 1 / C(14, 4) = 1 / 1001 <= 0.05.
    # severity = 0.5 + 0.5 * min(0.8 / 1.0, 1) = 0.9.
    assert acme.status is SignalStatus.OK
    assert acme.value == pytest.approx(0.8)
    assert acme.severity == pytest.approx(0.9)
    assert acme.samples == {"recent": 4, "baseline": 10}
    assert acme.details["p_value"] == pytest.approx(1 / 1001)
    assert acme.details["median_recent"] == pytest.approx(-0.25)
    assert acme.details["drifted"] == 1.0
    assert acme.reason == (
        "tone moved from collaborative (+0.55) to transactional (-0.25) over 4 recent v 10 "
        "baseline messages"
    )
    assert acme.unit == "tone drop"
    assert len(acme.evidence) == 14


def test_thin_and_empty_histories_are_insufficient_with_a_reason() -> None:
    frame = SHIFT.extract(TouchpointLog.from_touchpoints(HAND), AS_OF)

    beta, gamma = frame.signal("beta"), frame.signal("gamma")
    assert beta.status is gamma.status is SignalStatus.INSUFFICIENT_DATA
    assert beta.severity is None
    assert beta.value is None
    assert beta.reason == (
        "too few customer messages to compare tone: 1 recent v 1 baseline messages, needs 4 v 8"
    )
    # outbound words and a message with no text are not read
    assert gamma.reason == (
        "no customer messages with text in the last 210 days to read a tone from"
    )
    assert gamma.evidence == ()


def test_a_drop_that_is_not_significant_is_reported_but_not_flagged() -> None:
    # recent scores 0.45, 0.55, 0.65, 0.75 sit among the baseline's 0.1 .. 1.0: the medians
    # are 0.55 and 0.6, a drop of -0.05 (none), and the test is far from significant.
    # severity = 0.4 * clip(-0.05 / 1.0, 0, 1) = 0.
    recent = [0.45, 0.55, 0.65, 0.75]
    tps = [tp for tp in HAND if tp.id.startswith("a")]
    tps += [_message(f"r{i}", "acme", 190 + 5 * i, str(v)) for i, v in enumerate(recent)]
    acme = SHIFT.extract(TouchpointLog.from_touchpoints(tps), AS_OF).signal("acme")

    assert acme.status is SignalStatus.OK
    assert acme.severity == 0.0
    assert acme.value == pytest.approx(-0.05)
    assert acme.reason.startswith(
        "no significant drop in tone: collaborative (+0.60) now, collaborative (+0.55) before "
        "(4 recent v 10 baseline messages, p="
    )


def test_the_builtin_model_reads_a_souring_account() -> None:
    # Hand-made: warm planning messages for months, then deadline language.
    warm = [
        "Thanks for the call! Could we plan the next phase together?",
        "We're looking forward to the rollout, happy to help with testing.",
    ]
    cold = ["Still waiting on the fix. Send it ASAP.", "Per my last email, this is urgent."]
    tps = [_message(f"w{i}", "acme", 10 * (i + 1), warm[i % 2]) for i in range(10)]
    tps += [_message(f"c{i}", "acme", 190 + 5 * i, cold[i % 2]) for i in range(4)]

    acme = ToneShift().extract(TouchpointLog.from_touchpoints(tps), AS_OF).signal("acme")

    assert acme.details["drifted"] == 1.0
    assert acme.severity == 1.0
    assert acme.reason.startswith("tone moved from collaborative (+0.9")
    assert "to transactional (-0.9" in acme.reason


def test_tone_labels() -> None:
    assert [tone_label(s) for s in (0.2, 0.19, -0.19, -0.2)] == [
        "collaborative",
        "neutral",
        "neutral",
        "transactional",
    ]


def test_parameters_are_checked_when_built() -> None:
    assert isinstance(SHIFT, Extractor)
    with pytest.raises(ConfigError, match="as a difference above 0"):
        ToneShift(windows=DriftWindows())
    with pytest.raises(ConfigError, match="as a difference above 0"):
        ToneShift(windows=attrs.evolve(TONE_WINDOWS, min_effect=0.0))
    with pytest.raises(ConfigError, match="must be a ToneModel"):
        ToneShift(model="lexicon")  # type: ignore[arg-type]
    with pytest.raises(
        ConfigError, match=r"ToneShift\.severity_saturation must be a finite number > 0"
    ):
        ToneShift(severity_saturation=0.0)
    with pytest.raises(ConfigError, match="windows must be a DriftWindows"):
        ToneShift(windows=None)  # type: ignore[arg-type]


def test_latency_style_windows_are_refused_with_a_pointer_to_tone_windows() -> None:
    with pytest.raises(ConfigError, match=r"start from TONE_WINDOWS instead: attrs\.evolve"):
        ToneShift(windows=DriftWindows(recent_days=90, baseline_days=365))
    configured = ToneShift(
        windows=attrs.evolve(TONE_WINDOWS, recent_days=90, baseline_days=365)
    )
    assert (configured.windows.recent_days, configured.windows.min_effect) == (90, 0.3)
    with pytest.raises(ConfigError, match=r"ToneShift\.name must be a non-empty one-line"):
        ToneShift(name="")


def test_a_drop_within_one_label_is_worded_as_cooling() -> None:
    # Hand-made, scores written as numbers: 10 baseline messages at +0.96 (days 0-90), 4
    # recent ones at +0.24 (days 160-175, as_of day 180: recent window days 150-180). Both
    # medians read "collaborative" (>= 0.2); the drop 0.72 >= 0.3 and every recent score is
    # below every baseline one: exact p = 1 / C(14, 4) = 1/1001. Flagged, so the reason
    # must not say "from collaborative to collaborative".
    tps = [_message(f"b{i}", "acme", 10 * i, "0.96") for i in range(10)]
    tps += [_message(f"r{i}", "acme", 160 + 5 * i, "0.24") for i in range(4)]
    shift = ToneShift(model=NumberModel())
    signal = shift.extract(TouchpointLog.from_touchpoints(tps), START + 180 * DAY).signal(
        "acme"
    )
    assert signal.details["drifted"] == 1.0
    assert signal.value == pytest.approx(0.72)
    assert signal.reason == (
        "tone cooled within collaborative (+0.96 to +0.24) over 4 recent v 10 baseline messages"
    )


def test_a_model_that_returns_the_wrong_number_of_scores_is_refused() -> None:
    @attrs.frozen
    class Broken:
        name: str = "broken"

        def score(self, texts: Sequence[str]) -> np.ndarray:
            return np.zeros(1)

    with pytest.raises(ConfigError, match="returned"):
        ToneShift(model=Broken()).extract(TouchpointLog.from_touchpoints(HAND), AS_OF)


# -- properties ------------------------------------------------------------------------------

# Small windows so that short random histories reach the minimum sample sizes: recent
# (day 25, day 35], baseline (day 5, day 25].
SMALL = attrs.evolve(
    TONE_WINDOWS, recent_days=10.0, baseline_days=20.0, min_recent=3, min_baseline=4,
    min_effect=0.2,
)  # fmt: skip
SMALL_SHIFT = ToneShift(model=NumberModel(), windows=SMALL)
P_AS_OF = START + 35 * DAY
SCORES = st.integers(-10, 10).map(lambda k: f"{k / 10:.1f}")


@st.composite
def _messages(draw: st.DrawFn) -> list[tuple[str, int, str]]:
    """(account, hour, score) triples, most inside the windows; in about half the histories
    recent scores are drawn low and baseline scores high, so that shifts occur."""
    tilted = draw(st.booleans())
    result = []
    for _ in range(draw(st.integers(0, 40))):
        account = draw(st.sampled_from(["a", "b"]))
        hour = draw(st.integers(0, 35 * 24))
        low, high = (-10, 10)
        if tilted:
            low, high = (-10, 2) if hour > 25 * 24 else (-2, 10)
        result.append((account, hour, f"{draw(st.integers(low, high)) / 10:.1f}"))
    return result


MESSAGES = _messages()


def _log(
    messages: list[tuple[str, int, str]], extra: Sequence[Touchpoint] = ()
) -> TouchpointLog:
    tps = [_message(f"m{i}", a, hours / 24, s) for i, (a, hours, s) in enumerate(messages)]
    return TouchpointLog.from_touchpoints(
        [*tps, *extra, _message("anchor", "a", 0, "0.0"), _message("anchor2", "b", 0, "0.0")]
    )


@settings(max_examples=50, deadline=None)
@given(MESSAGES, st.lists(st.tuples(st.integers(0, 60 * 24), SCORES), max_size=6))
def test_touchpoints_after_as_of_change_nothing(
    messages: list[tuple[str, int, str]], late: list[tuple[int, str]]
) -> None:
    # late messages either occurred after as_of, or occurred before it but were recorded after
    extra = [
        _message(f"late{i}", "a", 35 + 1 + hours / 24, s) if i % 2 else
        _message(f"late{i}", "b", hours / 24 % 35, s, recorded_day=36 + hours / 24)
        for i, (hours, s) in enumerate(late)
    ]  # fmt: skip
    before = SMALL_SHIFT.extract(_log(messages), P_AS_OF)
    after = SMALL_SHIFT.extract(_log(messages, extra), P_AS_OF)

    _same(before, after)


@settings(max_examples=40, deadline=None)
@given(MESSAGES, st.randoms(use_true_random=False))
def test_input_order_changes_nothing(
    messages: list[tuple[str, int, str]], rng: random.Random
) -> None:
    tps = list(_log(messages).to_touchpoints())
    shuffled = tps[:]
    rng.shuffle(shuffled)

    _same(
        SMALL_SHIFT.extract(TouchpointLog.from_touchpoints(tps), P_AS_OF),
        SMALL_SHIFT.extract(TouchpointLog.from_touchpoints(shuffled), P_AS_OF),
    )


@settings(max_examples=50, deadline=None)
@given(MESSAGES)
def test_severity_is_bounded_and_thin_histories_are_insufficient(
    messages: list[tuple[str, int, str]],
) -> None:
    frame = SMALL_SHIFT.extract(_log(messages), P_AS_OF)

    ok = frame.sufficient
    assert ((frame.severity[ok] >= 0) & (frame.severity[ok] <= 1)).all()
    assert np.isnan(frame.severity[~ok]).all()
    for code, account in enumerate(frame.account_ids):
        recent = sum(1 for a, h, _ in messages if a == account and 25 * 24 < h <= 35 * 24)
        baseline = sum(1 for a, h, _ in messages if a == account and 5 * 24 < h <= 25 * 24)
        assert ok[code] == (recent >= 3 and baseline >= 4)


@settings(max_examples=50, deadline=None)
@given(MESSAGES, st.data())
def test_a_more_transactional_recent_message_never_lowers_severity(
    messages: list[tuple[str, int, str]], data: st.DataObject
) -> None:
    recent = [i for i, (_, h, _) in enumerate(messages) if 25 * 24 < h <= 35 * 24]
    assume(recent)
    i = data.draw(st.sampled_from(recent))
    account, hours, text = messages[i]
    lower = data.draw(st.integers(-10, round(float(text) * 10)).map(lambda k: f"{k / 10:.1f}"))
    changed = [*messages[:i], (account, hours, lower), *messages[i + 1 :]]

    before = SMALL_SHIFT.extract(_log(messages), P_AS_OF).signal(account)
    after = SMALL_SHIFT.extract(_log(changed), P_AS_OF).signal(account)

    assert before.status == after.status
    if before.severity is not None and after.severity is not None:
        assert after.severity >= before.severity


# -- the shared data sets --------------------------------------------------------------------

UVC_VENDORS = ["vendor0014 at list.example", "vendor0743 at list.example"]


@pytest.fixture(scope="module")
def uvc_log(shared_data: Path) -> TouchpointLog:
    adapter = make_adapter("mbox", {"vendor_addresses": UVC_VENDORS})
    return load(adapter.read(shared_data / "linux_uvc_devel_ml"), mode="lenient").log


@pytest.mark.realdata
def test_linux_uvc_devel_at_the_default_windows(uvc_log: TouchpointLog) -> None:
    # Users as accounts. As of 2011-06-30 only two users wrote 4 messages in June 2011 and
    # 8 in the 180 days before: p0517 (5 v 27, +0.60 then +0.64) and p0890 (24 v 42, +0.05
    # then +0.24, warmer); neither dropped. Of the 1201 insufficient users, 1094 wrote
    # nothing in those 210 days and 107 too little.
    frame = ToneShift().extract(uvc_log, dt.datetime(2011, 6, 30, tzinfo=dt.UTC))

    assert len(frame) == 1203
    assert int(frame.sufficient.sum()) == 2
    assert int(np.nansum(frame.details["drifted"])) == 0
    silent = sum(r.startswith("no customer messages") for r in frame.reasons)
    assert (silent, len(frame) - 2 - silent) == (1094, 107)


@pytest.mark.realdata
def test_linux_uvc_devel_over_a_quarter_flags_one_user(uvc_log: TouchpointLog) -> None:
    # A configured copy over longer windows (90 days against the year before), as of
    # 2011-09-28. Checked by hand: p1060's 19 baseline messages (June-July 2011) are a
    # bug hunt with the vendor: "Hi, ... What next? Thanks", "we're learning a little
    # here", questions in nearly every message. The 10 recent ones (August-September) answer
    # other users ("Hi p0187, ... If your camera shows no obvious problems without the
    # patch then you don't need it") with no questions, fewer thanks, and one "As I said a
    # long time ago - FID is broken". The shift is real in register (from asking with the
    # vendor to telling others), mild in temper: the signal reads what it is built to read,
    # and a CSM would read the messages before calling it a risk.
    windows = attrs.evolve(TONE_WINDOWS, recent_days=90.0, baseline_days=365.0)
    quarterly = ToneShift(name="tone_shift_quarterly", windows=windows)
    frame = quarterly.extract(uvc_log, dt.datetime(2011, 9, 28, tzinfo=dt.UTC))

    flagged = [s for s in frame if s.details.get("drifted") == 1.0]
    assert int(frame.sufficient.sum()) == 4
    assert [s.account_id for s in flagged] == ["p1060@list.example"]
    p1060 = flagged[0]
    assert p1060.samples == {"recent": 10, "baseline": 19}
    assert p1060.reason == (
        "tone moved from collaborative (+0.64) to neutral (+0.10) over 10 recent v 19 "
        "baseline messages"
    )


@pytest.mark.realdata
def test_twitter_threads_are_too_short_for_the_default_windows(shared_data: Path) -> None:
    # twcs_head5000: nine in ten customer tweets fall between 2017-10-30 and 2017-11-26 and
    # the busiest customer wrote 56 tweets; no account has 4 tweets in the last 30 days and
    # 8 in the 180 before, as of the last tweet. Every account is insufficient, none flagged;
    # 9 customers wrote nothing in the 210 days (their tweets date from 2011 to early 2017).
    # The signal needs months of a customer's own history; a social-support thread is hours.
    adapter = make_adapter("support_threads")
    log = load(
        adapter.read(shared_data / "twcs_head5000/twcs_head5000.csv"), mode="lenient"
    ).log
    as_of = from_epoch_us(int(log.occurred_at.max()))
    frame = ToneShift().extract(log, as_of)

    assert len(frame) == 1444
    assert int(frame.sufficient.sum()) == 0
    silent = sum(r.startswith("no customer messages") for r in frame.reasons)
    assert silent == 9
