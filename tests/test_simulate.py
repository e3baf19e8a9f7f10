"""Tests of the SIMULATED portfolio generator (touchpoint_signals.simulate).

Every portfolio here is simulated from a fixed seed; nothing describes a real customer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import touchpoint_signals as ts
from touchpoint_signals.errors import ConfigError
from touchpoint_signals.log import DIRECTIONS, STATUSES, TouchpointLog
from touchpoint_signals.model import MEETING_KINDS, Direction, Status
from touchpoint_signals.signals import Attendance, CustomerReplyLatency, ToneShift
from touchpoint_signals.simulate import (
    DETERIORATIONS,
    Portfolio,
    simulate_portfolio,
    write_csv,
)
from touchpoint_signals.timeparse import to_epoch_us

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def moderate() -> Portfolio:
    """400 simulated accounts over a year (about 65k touchpoints)."""
    return simulate_portfolio(400, seed=11, start=START, end=END)


def _log_columns(log: TouchpointLog) -> dict[str, np.ndarray]:
    return log.columns() | {"account_ids": log.account_ids, "offsets": log.offsets}


def _flag_rates(
    portfolio: Portfolio, frame: ts.SignalFrame, planted: str
) -> tuple[float, float]:
    """Share of planted and of clean accounts whose reading is flagged (severity >= 0.5)."""
    flagged = np.nan_to_num(frame.severity) >= 0.5
    return float(flagged[portfolio.planted(planted)].mean()), float(
        flagged[portfolio.clean].mean()
    )


def test_segment_counts_follow_the_mix_exactly() -> None:
    portfolio = simulate_portfolio(100, seed=1, start=START, end=END)
    other = simulate_portfolio(
        7, seed=1, start=START, end=END, segment_mix={"high_touch": 0.5, "tech_touch": 0.5}
    )

    names, counts = np.unique(portfolio.segments(), return_counts=True)
    other_names, other_counts = np.unique(other.segments(), return_counts=True)

    assert dict(zip(names.tolist(), counts.tolist(), strict=True)) == {
        "high_touch": 20,
        "mid_touch": 30,
        "tech_touch": 50,
    }
    # 7 * 0.5 = 3.5 each: largest remainder gives the tie to the first segment
    assert dict(zip(other_names.tolist(), other_counts.tolist(), strict=True)) == {
        "high_touch": 4,
        "tech_touch": 3,
    }


def test_deterioration_counts_are_apportioned_per_segment() -> None:
    portfolio = simulate_portfolio(
        200,
        seed=2,
        start=START,
        end=END,
        deterioration={"tone_shift": 0.25},
        base_churn_per_year=1e-9,
    )
    segments = portfolio.segments()

    # With churn all but switched off no planted deterioration is cleared: 25 % of 40, 60
    # and 100 accounts.
    for name, size in (("high_touch", 40), ("mid_touch", 60), ("tech_touch", 100)):
        assert int(portfolio.planted("tone_shift")[segments == name].sum()) == size // 4
    assert not portfolio.planted("latency_drift").any()


def test_attendance_decay_is_not_planted_where_there_are_no_meetings() -> None:
    portfolio = simulate_portfolio(
        60, seed=3, start=START, end=END, deterioration={"attendance_decay": 0.5}
    )

    assert not portfolio.planted("attendance_decay")[portfolio.segments() == "tech_touch"].any()


def test_same_seed_same_log_and_different_seed_different_log() -> None:
    first = simulate_portfolio(30, seed=5, start=START, end=END)
    again = simulate_portfolio(30, seed=5, start=START, end=END)
    other = simulate_portfolio(30, seed=6, start=START, end=END)

    a, b = _log_columns(first.log), _log_columns(again.log)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    np.testing.assert_array_equal(first.deterioration, again.deterioration)
    np.testing.assert_array_equal(first.churned_at, again.churned_at)
    assert len(other.log) != len(first.log) or not np.array_equal(
        other.log.occurred_at, first.log.occurred_at
    )


def test_every_reply_follows_its_message_in_the_same_account(moderate: Portfolio) -> None:
    log = moderate.log
    replies = np.flatnonzero(log.reply_to >= 0)
    targets = log.reply_to[replies]

    assert replies.size > 10_000
    assert log.unresolved_reply_rows.size == 0
    assert (log.occurred_at[replies] > log.occurred_at[targets]).all()
    assert (log.account[replies] == log.account[targets]).all()
    # a reply goes the other way from the message it answers
    assert (log.direction[replies] != log.direction[targets]).all()


def test_no_touchpoint_after_churn_or_end(moderate: Portfolio) -> None:
    log = moderate.log
    churn = moderate.churned_at.astype("datetime64[us]").astype(np.int64)
    churned = ~np.isnat(moderate.churned_at)
    stop = np.where(churned, np.minimum(churn, to_epoch_us(END)), to_epoch_us(END))

    assert (log.occurred_at < stop[log.account]).all()


def test_planted_accounts_churn_more_often(moderate: Portfolio) -> None:
    churned = ~np.isnat(moderate.churned_at)

    assert churned[moderate.planted()].mean() > 2 * churned[moderate.clean].mean()


def test_attendance_decay_raises_misses_after_onset(moderate: Portfolio) -> None:
    log = moderate.log
    meeting = np.isin(log.kind, [log.kind_code(k) for k in MEETING_KINDS])
    missed = np.isin(
        log.status, [STATUSES.index(Status.NO_SHOW), STATUSES.index(Status.CANCELLED)]
    )
    decayed = moderate.planted("attendance_decay")[log.account]
    onset = moderate.onset.astype("datetime64[us]").astype(np.int64)[log.account]
    after = log.occurred_at >= onset

    before_rate = missed[meeting & decayed & ~after].mean()
    after_rate = missed[meeting & decayed & after].mean()

    assert before_rate < 0.15
    assert after_rate > 0.5
    assert after_rate > 3 * before_rate


def test_texts_and_directions_are_filled(moderate: Portfolio) -> None:
    log = moderate.log
    inbound = log.direction == DIRECTIONS.index(Direction.INBOUND)

    assert not np.isnan(log.text[inbound]).any()
    assert all(a.name is not None and a.name.startswith("Simulated") for a in moderate.accounts)


@pytest.mark.parametrize(
    ("extractor", "planted"),
    [
        (Attendance(), "attendance_decay"),
        (CustomerReplyLatency(), "latency_drift"),
        (CustomerReplyLatency(), "going_silent"),
        (ToneShift(), "tone_shift"),
    ],
    ids=["attendance", "latency_drift", "going_silent", "tone"],
)
def test_builtin_extractors_flag_planted_accounts_far_more_than_clean(
    moderate: Portfolio, extractor: ts.Extractor, planted: str
) -> None:
    frame = extractor.extract(moderate.log, END)

    planted_rate, clean_rate = _flag_rates(moderate, frame, planted)

    assert planted_rate >= 0.1
    assert planted_rate >= 3 * clean_rate


def test_write_csv_reads_back_as_the_same_log(tmp_path: Path) -> None:
    portfolio = simulate_portfolio(
        12, seed=4, start=START, end=dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    )

    touchpoints, accounts, truth = write_csv(portfolio, tmp_path / "sim")
    result = ts.read_csv(touchpoints, accounts=accounts)

    original, loaded = _log_columns(portfolio.log), _log_columns(result.log)
    for name in original:
        np.testing.assert_array_equal(original[name], loaded[name], err_msg=name)
    assert result.log.accounts == portfolio.log.accounts
    assert truth.read_text(encoding="utf-8").splitlines()[0] == (
        "account_id,deterioration,onset,churned_at"
    )


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ConfigError, match="n_accounts"):
        simulate_portfolio(0, seed=1, start=START, end=END)
    with pytest.raises(ConfigError, match="end must be after start"):
        simulate_portfolio(3, seed=1, start=END, end=START)
    with pytest.raises(ConfigError, match="unknown names"):
        simulate_portfolio(3, seed=1, start=START, end=END, segment_mix={"vip": 1.0})
    with pytest.raises(ConfigError, match="add up to 1"):
        simulate_portfolio(3, seed=1, start=START, end=END, segment_mix={"high_touch": 0.5})
    with pytest.raises(ConfigError, match="at most 1"):
        simulate_portfolio(
            3, seed=1, start=START, end=END, deterioration=dict.fromkeys(DETERIORATIONS, 0.5)
        )


def test_planted_refuses_an_unknown_deterioration(moderate: Portfolio) -> None:
    with pytest.raises(ConfigError, match="expected one of attendance_decay"):
        moderate.planted("grumpy")
