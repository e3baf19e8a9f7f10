"""Running many extractors at once: the built-ins, a team's own, and what is refused."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest
from hypothesis import given, settings

from strategies import touchpoint_lists
from touchpoint_signals.errors import ConfigError, NaiveDatetimeError, ProtocolError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Account, Touchpoint
from touchpoint_signals.signals import (
    Attendance,
    SignalFrame,
    default_extractors,
    extract_signals,
)

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

# Hand-made fixture: a high-touch account that missed three check-ins in a row.
LOG = TouchpointLog.from_touchpoints(
    [
        Touchpoint(f"c{i}", "acme", "check_in", f"2026-05-{i + 1:02d}T09:00Z", status)
        for i, status in enumerate(["completed", "no_show", "cancelled", "no_show"])
    ],
    accounts=[Account("acme", "high_touch"), Account("quiet", "tech_touch")],
)


def test_every_built_in_reads_every_account() -> None:
    frames = extract_signals(LOG, AS_OF)

    assert list(frames) == [e.name for e in default_extractors()]
    assert list(frames) == [
        "attendance",
        "customer_reply_latency",
        "vendor_response_latency",
        "tone_shift",
        "cadence",
        "fatigue",
        "purpose_outcome",
    ]
    for frame in frames.values():
        assert frame.account_ids.tolist() == ["acme", "quiet"]
        assert all(s.reason for s in frame)
    attendance = frames["attendance"].signal("acme")
    assert attendance.value == 3.0
    assert set(attendance.evidence) >= {"c1", "c2", "c3"}


def test_a_teams_own_extractor_runs_beside_the_built_ins() -> None:
    @attrs.frozen
    class TouchCount:
        name: str = "touch_count"

        def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
            view = log.as_of(as_of)
            counts = np.diff(view.offsets)
            return SignalFrame.from_log_rows(
                name=self.name,
                unit="touchpoints",
                as_of=as_of,
                log=view,
                value=counts,
                severity=np.zeros(view.n_accounts),
                sufficient=counts > 0,
                reasons=[f"{n} touchpoints" if n else "no touchpoints" for n in counts],
                samples={"touchpoints": counts},
                evidence_rows=np.arange(len(view)),
            )

    frames = extract_signals(LOG, AS_OF, [Attendance(), TouchCount()])

    assert frames["touch_count"].signal("acme").value == 4.0
    assert frames["touch_count"].signal("quiet").reason == "no touchpoints"


def test_two_extractors_with_one_name_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"extractors #0 and #1 are both named 'attendance'"):
        extract_signals(LOG, AS_OF, [Attendance(), Attendance(streak_threshold=2)])

    renamed = attrs.evolve(Attendance(streak_threshold=2), name="attendance_strict")
    assert set(extract_signals(LOG, AS_OF, [Attendance(), renamed])) == {
        "attendance",
        "attendance_strict",
    }


def test_an_object_without_the_protocol_is_named() -> None:
    with pytest.raises(ProtocolError, match="extractor #1 is a str, which lacks a name"):
        extract_signals(LOG, AS_OF, [Attendance(), "attendance"])


def test_an_extractor_returning_the_wrong_thing_is_named() -> None:
    @attrs.frozen
    class Broken:
        name: str = "broken"

        def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
            return {}  # type: ignore[return-value]

    with pytest.raises(ProtocolError, match=r"extractor 'broken' .* returned a dict"):
        extract_signals(LOG, AS_OF, [Broken()])


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        extract_signals(LOG, dt.datetime(2026, 6, 1))


@settings(max_examples=25, deadline=None)
@given(touchpoint_lists(max_size=10))
def test_every_built_in_keeps_severity_in_bounds_and_explains_itself(
    tps: list[Touchpoint],
) -> None:
    log = TouchpointLog.from_touchpoints(tps)

    for frame in extract_signals(log, AS_OF).values():
        ok = frame.sufficient
        assert ((frame.severity[ok] >= 0) & (frame.severity[ok] <= 1)).all()
        assert np.isnan(frame.severity[~ok]).all()
        assert all(reason.strip() for reason in frame.reasons)


@attrs.frozen
class _Misbehaving:
    """A hand-made extractor that breaks one rule, chosen by ``fault``."""

    fault: str
    name: str = "misbehaving"

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        # "future_evidence": cites rows of a log it holds itself, not the one it was given.
        view = LOG if self.fault == "future_evidence" else log.as_of(as_of)
        n = view.n_accounts
        return SignalFrame.from_log_rows(
            name="other" if self.fault == "name" else self.name,
            unit="x",
            as_of=as_of - dt.timedelta(days=1) if self.fault == "as_of" else as_of,
            log=view,
            value=np.zeros(n),
            severity=np.zeros(n),
            sufficient=np.ones(n, dtype=bool),
            reasons=["fine"] * n,
            samples={},
            evidence_rows=np.arange(len(view)),
        )


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("name", "returned a frame named 'other'"),
        ("as_of", "returned a frame for 2026-05-02"),
        ("future_evidence", r"cites touchpoints not known at .* as evidence: \['c3'\]"),
    ],
)
def test_a_frame_must_answer_the_call_that_asked_for_it(fault: str, message: str) -> None:
    as_of = dt.datetime(2026, 5, 3, 12, tzinfo=dt.UTC)

    with pytest.raises(ProtocolError, match=message):
        extract_signals(LOG, as_of, [_Misbehaving(fault)])


def test_an_extractor_that_forgets_as_of_still_sees_only_the_known_past() -> None:
    @attrs.frozen
    class Forgetful:
        name: str = "forgetful"

        def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
            n = log.n_accounts
            return SignalFrame.from_log_rows(
                name=self.name,
                unit="touchpoints",
                as_of=as_of,
                log=log,
                value=np.diff(log.offsets),
                severity=np.zeros(n),
                sufficient=np.ones(n, dtype=bool),
                reasons=["fine"] * n,
                samples={},
                evidence_rows=np.arange(len(log)),
            )

    as_of = dt.datetime(2026, 5, 3, 12, tzinfo=dt.UTC)

    frame = extract_signals(LOG, as_of, [Forgetful()])["forgetful"]

    assert frame.signal("acme").evidence == ("c0", "c1", "c2")
    assert frame.signal("acme").value == 3.0


@pytest.mark.parametrize("as_of", ["2024-12-31", dt.date(2024, 12, 31)])
def test_as_of_must_be_a_datetime(as_of: object) -> None:
    with pytest.raises(TypeError, match="as_of must be a timezone-aware datetime"):
        extract_signals(LOG, as_of)  # type: ignore[arg-type]


def test_evidence_swapped_after_the_frame_was_built_is_looked_up() -> None:
    # A frame built from the view's rows is trusted without looking its ids up; one whose
    # evidence was replaced afterwards (attrs.evolve) loses that trust and is checked.
    @attrs.frozen
    class Swapping:
        name: str = "swapping"

        def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
            view = log.as_of(as_of)
            n = view.n_accounts
            frame = SignalFrame.from_log_rows(
                name=self.name,
                unit="x",
                as_of=as_of,
                log=view,
                value=np.zeros(n),
                severity=np.zeros(n),
                sufficient=np.ones(n, dtype=bool),
                reasons=["fine"] * n,
                samples={},
                evidence_rows=np.arange(len(view)),
            )
            ids = frame.evidence_ids.copy()
            ids[0] = "c3"
            return attrs.evolve(frame, evidence_ids=ids)

    as_of = dt.datetime(2026, 5, 3, 12, tzinfo=dt.UTC)

    with pytest.raises(ProtocolError, match=r"as evidence: \['c3'\]"):
        extract_signals(LOG, as_of, [Swapping()])
