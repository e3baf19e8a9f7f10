"""SignalFrame: the rules every extractor's output must keep, checked when it is built."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

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


def test_every_reason_must_say_something() -> None:
    with pytest.raises(DataError, match=r"empty reason for accounts \['beta'\]"):
        _frame(reasons=["fine", "  "])


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
