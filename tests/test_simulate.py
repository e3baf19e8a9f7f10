"""Tests of the SIMULATED portfolio generator (touchpoint_signals.simulate).

Every portfolio here is simulated from a fixed seed; nothing describes a real customer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import touchpoint_signals as ts
from touchpoint_signals.errors import ConfigError
from touchpoint_signals.log import DIRECTIONS, ROW_COLUMNS, STATUSES, TouchpointLog
from touchpoint_signals.model import MEETING_KINDS, Direction, Status
from touchpoint_signals.signals import Attendance, CustomerReplyLatency, ToneShift
from touchpoint_signals.simulate import (
    DEFAULT_PROFILES,
    DETERIORATIONS,
    Portfolio,
    SegmentProfile,
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


# -- the content of a seeded portfolio is pinned ---------------------------------------------
#
# Digests of every column of the log, its per-account tables, the accounts and the ground
# truth, taken from the generator as it was before it was changed to build the log account
# block by block in log order (commit 246f1e6). Any change to the draws, their order or the
# way rows become columns changes a digest; a change that only saves memory or time does not.

#: Benchmark-shaped mix: mostly tech-touch (benchmarks/signals_vs_pandas.py).
_BENCH_MIX = {"high_touch": 0.02, "mid_touch": 0.08, "tech_touch": 0.9}

PINNED_CASES: dict[str, dict[str, Any]] = {
    "one_account": {"n_accounts": 1, "seed": 3},
    "default_mix_37": {
        "n_accounts": 37,
        "seed": 5,
        "end": dt.datetime(2025, 7, 15, 12, 30, tzinfo=dt.UTC),
        "deterioration": {"tone_shift": 0.3, "going_silent": 0.2, "attendance_decay": 0.2},
    },
    "chatty_profiles_120": {
        "n_accounts": 120,
        "seed": 8,
        "profiles": {
            **DEFAULT_PROFILES,
            "mid_touch": SegmentProfile(
                outreach_days=(1.0, 2.0), support_days=(3.0, 6.0), contacts=(3, 4)
            ),
        },
        "latency_factor": 3.0,
        "base_churn_per_year": 0.5,
    },
    "bench_mix_2000": {"n_accounts": 2_000, "seed": 11, "segment_mix": _BENCH_MIX},
}


def simulate_case(kwargs: dict[str, Any]) -> Portfolio:
    """The portfolio of one pinned case (start and end default to 2025)."""
    return simulate_portfolio(**({"start": START, "end": END} | kwargs))


def _digest(values: Any) -> str:
    if isinstance(values, np.ndarray) and values.dtype.kind == "T":
        listed = [v if isinstance(v, str) else None for v in values.tolist()]
        payload = (repr(values.dtype) + json.dumps(listed)).encode()
    elif isinstance(values, np.ndarray):
        payload = values.dtype.str.encode() + np.ascontiguousarray(values).tobytes()
    else:
        payload = repr(values).encode()
    return hashlib.sha256(payload).hexdigest()[:16]


def portfolio_digest(portfolio: Portfolio) -> dict[str, str]:
    """A digest of every column and table of the log, the accounts and the ground truth."""
    log = portfolio.log
    tables = ("account_ids", "contact_ids", "offsets", "unresolved_reply_rows")
    truth = ("deterioration", "onset", "churned_at")
    parts: dict[str, Any] = {name: getattr(log, name) for name in (*ROW_COLUMNS, *tables)}
    parts["unresolved_reply_ids"] = log.unresolved_reply_ids
    parts["kinds"] = [k.name for k in log.kinds]
    parts |= {name: getattr(portfolio, name) for name in truth}
    parts["accounts"] = [
        (a.id, a.segment.name, a.name, a.owner, a.lifecycle_stage, a.churned_at)
        for a in portfolio.accounts
    ]
    parts["log_accounts"] = log.accounts == portfolio.accounts
    return {name: _digest(value) for name, value in parts.items()}


PINNED_DIGESTS: dict[str, dict[str, str]] = {
    "one_account": {
        "id": "93e8aca21bd81504",
        "account": "c66004a5ae9ba324",
        "occurred_at": "e2a13374d148002e",
        "recorded_at": "e2a13374d148002e",
        "kind": "64a24c171c2740b2",
        "status": "e3d1f77faed84517",
        "channel": "251a88da636c6cf9",
        "direction": "1d47206bf8dff370",
        "trigger": "bd7d1d2970583a34",
        "contact": "fc23f0cb4598c49c",
        "reply_to": "2b59b32cf1458554",
        "csat": "7f8b0dd97c11a532",
        "attendees": "86c48c5cc6cf0f47",
        "text": "d9c3f92fc18fe737",
        "quoted_text": "22c4845fb832d690",
        "purpose": "9f1efe7bbed3bb34",
        "outcome": "22c4845fb832d690",
        "account_ids": "9e8a32dfccca75e7",
        "contact_ids": "d2d8525ed0fd0ff3",
        "offsets": "99bbac0f74d69b3b",
        "unresolved_reply_rows": "6539f7fbe75f7b9c",
        "unresolved_reply_ids": "831b3c16c67b7108",
        "kinds": "9f90aea3052d2b5e",
        "deterioration": "d473a5619b3c10a7",
        "onset": "f5b85feea2e7d0d9",
        "churned_at": "f5b85feea2e7d0d9",
        "accounts": "96fec2657e1569c5",
        "log_accounts": "3cbc87c7681f34db",
    },
    "default_mix_37": {
        "id": "f4407d6268c5f58c",
        "account": "685f811137b6f1a5",
        "occurred_at": "1e020d2ef3361397",
        "recorded_at": "5478deb1a2ed7126",
        "kind": "516c19ed709d6ada",
        "status": "779c08dbeaba6f63",
        "channel": "b9d8bc5b2da557fc",
        "direction": "a7baaf30f459abe9",
        "trigger": "8b7a39584ba781c5",
        "contact": "aab509e01df86073",
        "reply_to": "66d6cae8672e986d",
        "csat": "8451386a2268bc30",
        "attendees": "d8d433bc03dfadf3",
        "text": "ba4ae4bcd4e5367d",
        "quoted_text": "fd423ecd280a6dd0",
        "purpose": "25584b4e3a2e20c7",
        "outcome": "3772216228fbe4f7",
        "account_ids": "572ac158be1695b4",
        "contact_ids": "7782c8ff1a50d049",
        "offsets": "b1eb7680692fc032",
        "unresolved_reply_rows": "6539f7fbe75f7b9c",
        "unresolved_reply_ids": "831b3c16c67b7108",
        "kinds": "9f90aea3052d2b5e",
        "deterioration": "734459769ee4b399",
        "onset": "10c9ae9632ff9a5c",
        "churned_at": "38d07da1d10240d8",
        "accounts": "d368a85808f5ef18",
        "log_accounts": "3cbc87c7681f34db",
    },
    "chatty_profiles_120": {
        "id": "44a6145c4ed29012",
        "account": "89225dbdacb545fa",
        "occurred_at": "67ba66c1b1468679",
        "recorded_at": "691976ca520f1b4c",
        "kind": "c01cd252e617a974",
        "status": "6d51d6df9541446c",
        "channel": "35479ed50715ceb7",
        "direction": "fd2b7a16456f0983",
        "trigger": "498e8cc3312988a8",
        "contact": "daa4a8540bfd9a2a",
        "reply_to": "e1b91a1c09de0e44",
        "csat": "27ef2af9a5f217d2",
        "attendees": "23eff07573a88b46",
        "text": "08d47756b1419016",
        "quoted_text": "09afa12f17eb68ea",
        "purpose": "218634457a34eeee",
        "outcome": "2c8a11106de2f88f",
        "account_ids": "656a964a3f7047f2",
        "contact_ids": "b00be63b29cbdc91",
        "offsets": "3ea28765d3283ead",
        "unresolved_reply_rows": "6539f7fbe75f7b9c",
        "unresolved_reply_ids": "831b3c16c67b7108",
        "kinds": "9f90aea3052d2b5e",
        "deterioration": "3590330ba8b3ab80",
        "onset": "e623efa55c6261e0",
        "churned_at": "0b617da1c3dee43c",
        "accounts": "075805b5398a802e",
        "log_accounts": "3cbc87c7681f34db",
    },
    "bench_mix_2000": {
        "id": "c14036aec37d25b1",
        "account": "f3aba5e8ccaa27bf",
        "occurred_at": "70ff14e5c2e4eb74",
        "recorded_at": "18d34813ed8a5c24",
        "kind": "150174ef7347ba45",
        "status": "dce400a50fd72988",
        "channel": "37d86b54c38d45a7",
        "direction": "e6bbb258487d7268",
        "trigger": "3f235af114ae6b02",
        "contact": "a24cd68cbf2ef5f6",
        "reply_to": "c572bca2f9a3f155",
        "csat": "5cb870cf49352d12",
        "attendees": "895bc25c6137be24",
        "text": "5f0bd50ff69c8b9a",
        "quoted_text": "ea7099c23496ef6d",
        "purpose": "29120afa5628da40",
        "outcome": "82ff4fa8cd4bc186",
        "account_ids": "1bbcba7942c85a06",
        "contact_ids": "1a611efee612ade3",
        "offsets": "00d37177622434f8",
        "unresolved_reply_rows": "6539f7fbe75f7b9c",
        "unresolved_reply_ids": "831b3c16c67b7108",
        "kinds": "9f90aea3052d2b5e",
        "deterioration": "e6f4a52b90d46d39",
        "onset": "aa1a2889907fad08",
        "churned_at": "99e8e51afade37dc",
        "accounts": "5ba80047373011b4",
        "log_accounts": "3cbc87c7681f34db",
    },
}


@pytest.mark.parametrize("case", list(PINNED_CASES))
def test_seeded_portfolio_content_is_unchanged(case: str) -> None:
    portfolio = simulate_case(PINNED_CASES[case])

    assert portfolio_digest(portfolio) == PINNED_DIGESTS[case]


#: SHA-256 (first 16 hex digits) of touchpoints.csv, accounts.csv and truth.csv as written
#: for two pinned cases before write_csv wrote a block of rows at a time (commit 246f1e6).
PINNED_CSV: dict[str, tuple[str, str, str]] = {
    "default_mix_37": ("bcfb512f1814b88d", "efff2d491ec73d10", "4fdce6068cbcccb6"),
    "bench_mix_2000": ("beb1441e9ca6c9a5", "371768b58aea8a80", "4098a7617c0210d3"),
}


@pytest.mark.parametrize("case", list(PINNED_CSV))
def test_write_csv_writes_the_same_bytes(case: str, tmp_path: Path) -> None:
    portfolio = simulate_case(PINNED_CASES[case])

    paths = write_csv(portfolio, tmp_path)

    digests = tuple(hashlib.sha256(path.read_bytes()).hexdigest()[:16] for path in paths)
    assert digests == PINNED_CSV[case]
