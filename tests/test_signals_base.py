"""SignalFrame: the rules every extractor's output must keep, checked when it is built."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import touchpoint_lists
from touchpoint_signals.errors import DataError, UnknownNameError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Touchpoint
from touchpoint_signals.signals import Extractor, SignalFrame, SignalStatus

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

# Hand-made fixture: acme missed two check-ins, beta attended one.
LOG = TouchpointLog.from_touchpoints(
    [
        Touchpoint("a1", "acme", "check_in", "2026-05-01T09:00Z", "no_show"),
        Touchpoint("a2", "acme", "check_in", "2026-05-08T09:00Z", "no_show"),
        Touchpoint("b1", "beta", "check_in", "2026-05-02T09:00Z", "completed"),
    ],
    accounts=[],
)


def _frame(**overrides: object) -> SignalFrame:
    arguments: dict[str, object] = {
        "name": "misses",
        "unit": "meetings",
        "as_of": AS_OF,
        "log": LOG,
        "value": [2.0, 0.0],
        "severity": [0.7, 0.0],
        "sufficient": np.array([True, True]),
        "reasons": ["2 check-ins in a row missed since 2026-05-01", "no missed meetings"],
        "samples": {"meetings": [2, 1]},
        "evidence_rows": [1, 0],
    }
    arguments.update(overrides)
    return SignalFrame.from_log_rows(**arguments)  # type: ignore[arg-type]


def test_a_frame_reads_back_per_account() -> None:
    frame = _frame(details={"longest": [2, 0]})

    acme = frame.signal("acme")
    assert acme.value == 2.0
    assert acme.severity == 0.7
    assert acme.status is SignalStatus.OK
    assert acme.samples == {"meetings": 2}
    assert acme.evidence == ("a1", "a2")
    assert acme.details == {"longest": 2.0}
    assert frame.signal("beta").evidence == ()
    assert [s.account_id for s in frame] == ["acme", "beta"]


def test_insufficient_accounts_lose_their_severity() -> None:
    frame = _frame(sufficient=np.array([True, False]), reasons=["x", "only 1 meeting"])

    beta = frame.signal("beta")
    assert beta.status is SignalStatus.INSUFFICIENT_DATA
    assert beta.severity is None
    assert frame.sufficient.tolist() == [True, False]


@pytest.mark.parametrize("bad", [1.5, -0.1, np.nan])
def test_severity_of_an_ok_reading_must_lie_in_the_unit_interval(bad: float) -> None:
    with pytest.raises(DataError, match=r"severity of an ok reading must lie in \[0, 1\]"):
        _frame(severity=[bad, 0.0])


@pytest.mark.parametrize("blank", ["", "  ", "\t", "\u2003"])
def test_every_reason_must_say_something(blank: str) -> None:
    with pytest.raises(DataError, match=r"empty reason for accounts \['beta'\]"):
        _frame(reasons=["fine", blank])


def test_columns_must_cover_every_account() -> None:
    with pytest.raises(
        DataError, match="column samples\\[meetings\\] has 1 rows for 2 accounts"
    ):
        _frame(samples={"meetings": [2]})


def test_unknown_account_is_named() -> None:
    with pytest.raises(UnknownNameError, match="account 'zeta' is not in signal 'misses'"):
        _frame().signal("zeta")


def test_any_object_with_name_and_extract_is_an_extractor() -> None:
    class Constant:
        name = "constant"

        def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
            return _frame()

    assert isinstance(Constant(), Extractor)
    assert not isinstance(object(), Extractor)


def test_evidence_must_be_one_flat_array_of_rows() -> None:
    with pytest.raises(DataError, match="one flat array of log row numbers"):
        _frame(evidence_rows=[[0, 1], [2]])


def test_evidence_rows_must_be_rows_of_the_log() -> None:
    with pytest.raises(DataError, match="evidence row 7 is not a row of the log, which has 3"):
        _frame(evidence_rows=[0, 7])


def test_a_reason_is_one_line() -> None:
    with pytest.raises(DataError, match="a reason is one line"):
        _frame(reasons=["missed\nagain", "fine"])


def test_values_are_finite_or_missing() -> None:
    with pytest.raises(DataError, match="value must be finite or NaN"):
        _frame(value=[np.inf, 0.0])


@settings(max_examples=60, deadline=None)
@given(touchpoint_lists(min_size=1, max_size=12), st.data())
def test_evidence_is_grouped_by_account_like_a_per_account_reference(
    touchpoints: list[Touchpoint], data: st.DataObject
) -> None:
    log = TouchpointLog.from_touchpoints(touchpoints)
    rows = data.draw(st.lists(st.integers(0, len(log) - 1), max_size=20))
    n = log.n_accounts

    frame = SignalFrame.from_log_rows(
        name="x",
        unit="x",
        as_of=AS_OF,
        log=log,
        value=np.zeros(n),
        severity=np.zeros(n),
        sufficient=np.ones(n, dtype=bool),
        reasons=["fine"] * n,
        samples={},
        evidence_rows=np.array(rows, dtype=np.int64),
    )

    for code in range(n):
        expected = [
            str(log.id[row])
            for row in sorted(set(rows))
            if log.offsets[code] <= row < log.offsets[code + 1]
        ]
        assert list(frame.at(code).evidence) == expected
    assert frame.evidence_offsets.dtype == np.int64


def _severity_rule_broken(status: list[int], severity: list[float]) -> str | None:
    """Which severity rule a frame breaks first, read row by row (``None``: neither)."""
    if any(code == 0 and not 0.0 <= s <= 1.0 for code, s in zip(status, severity, strict=True)):
        return "severity of an ok reading must lie in"
    if any(code != 0 and not math.isnan(s) for code, s in zip(status, severity, strict=True)):
        return "an insufficient_data reading must have no severity"
    return None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0, 1]),
            st.sampled_from([math.nan, 0.0, 1.0, 0.5, -0.1, 1.5, math.inf, -0.0]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_the_severity_checks_equal_the_rules_read_row_by_row(
    rows: list[tuple[int, float]],
) -> None:
    status = [code for code, _ in rows]
    severity = [s for _, s in rows]
    n = len(rows)
    arguments: dict[str, Any] = {
        "name": "x",
        "unit": "x",
        "as_of": AS_OF,
        "account_ids": np.array([f"a{i}" for i in range(n)]),
        "value": np.zeros(n),
        "severity": np.array(severity),
        "status": np.array(status, dtype=np.uint8),
        "reasons": ("fine",) * n,
        "samples": {},
        "evidence_offsets": np.zeros(n + 1, dtype=np.int64),
        "evidence_ids": np.array([], dtype=str),
    }

    broken = _severity_rule_broken(status, severity)

    if broken is None:
        SignalFrame(**arguments)
    else:
        with pytest.raises(DataError, match=broken):
            SignalFrame(**arguments)


def test_a_frame_knows_the_log_its_evidence_rows_came_from() -> None:
    frame = _frame()
    other = TouchpointLog.from_touchpoints(LOG.to_touchpoints())

    assert frame.cites_rows_of(LOG)
    assert not frame.cites_rows_of(other)
    assert not attrs.evolve(frame, reasons=("a", "b")).cites_rows_of(LOG)
    assert not frame.evidence_ids.flags.writeable


def test_evidence_of_a_view_is_read_from_the_log_only_when_asked_for() -> None:
    # A view's id column is not copied yet, so the frame keeps positions into the log's.
    view = LOG.as_of(dt.datetime(2026, 5, 5, tzinfo=dt.UTC))  # drops a2
    frame = _frame(
        log=view,
        sufficient=np.array([True, True]),
        evidence_rows=[0, 1],
        reasons=["1 missed", "fine"],
    )
    del view

    assert frame.n_evidence == 2
    assert frame.signal("acme").evidence == ("a1",)
    assert frame.signal("beta").evidence == ("b1",)
    assert frame.evidence_ids.tolist() == ["a1", "b1"]
    assert not frame.evidence_ids.flags.writeable
    assert frame.signal("beta").evidence == ("b1",)
