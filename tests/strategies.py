"""Shared hypothesis strategies: touchpoints, accounts, canonical records and garbage rows.

The valid strategies build only what the domain model accepts; the garbage strategies mix
valid records with junk values, missing fields, wrong types and reader rejections, for the
loader's bookkeeping properties.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.model import (
    BUILTIN_KINDS,
    BUILTIN_SEGMENTS,
    Account,
    Channel,
    Direction,
    LifecycleStage,
    Status,
    Touchpoint,
    Trigger,
)

#: Ids are short so that collisions (shared accounts, contacts) are common.
ID_ALPHABET = "abcxyz019-_.é"

KIND_NAMES = tuple(k.name for k in BUILTIN_KINDS)
SEGMENT_NAMES = tuple(s.name for s in BUILTIN_SEGMENTS)


def ids(max_size: int = 6) -> st.SearchStrategy[str]:
    """Non-blank identifiers, including non-ASCII ones."""
    return st.text(ID_ALPHABET, min_size=1, max_size=max_size)


def instants(
    min_value: dt.datetime = dt.datetime(1971, 1, 1),
    max_value: dt.datetime = dt.datetime(2100, 1, 1),
) -> st.SearchStrategy[dt.datetime]:
    """Aware UTC instants with microsecond resolution."""
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=st.just(dt.UTC))


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def touchpoints(
    draw: st.DrawFn,
    *,
    id: st.SearchStrategy[str] | None = None,
    account_id: st.SearchStrategy[str] | None = None,
    in_reply_to: st.SearchStrategy[str | None] | None = None,
) -> Touchpoint:
    """One valid touchpoint with every optional field sometimes set."""
    touchpoint_id = draw(id if id is not None else ids())
    reply = draw(in_reply_to if in_reply_to is not None else st.none())
    occurred = draw(instants())
    return Touchpoint(
        id=touchpoint_id,
        account_id=draw(account_id if account_id is not None else ids(2)),
        kind=draw(st.sampled_from(BUILTIN_KINDS)),
        occurred_at=occurred,
        status=draw(st.sampled_from(Status)),
        channel=draw(_optional(st.sampled_from(Channel))),
        direction=draw(_optional(st.sampled_from(Direction))),
        contact_id=draw(_optional(ids(2))),
        in_reply_to=None if reply == touchpoint_id else reply,
        trigger=draw(_optional(st.sampled_from(Trigger))),
        text=draw(_optional(st.text(max_size=20))),
        quoted_text=draw(_optional(st.text(max_size=20))),
        purpose=draw(_optional(st.text(max_size=5))),
        outcome=draw(_optional(st.text(max_size=5))),
        recorded_at=draw(_optional(st.just(occurred) | instants())),
        csat=draw(_optional(st.integers(1, 5))),
        attendees=draw(_optional(st.integers(0, 2**31 - 1))),
    )


@st.composite
def touchpoint_lists(
    draw: st.DrawFn, *, min_size: int = 0, max_size: int = 12
) -> list[Touchpoint]:
    """Touchpoints with unique ids; replies point at earlier, later or unknown ids."""
    unique_ids = draw(st.lists(ids(), min_size=min_size, max_size=max_size, unique=True))
    replies = (
        st.none() | st.sampled_from(unique_ids) | st.just("missing!")
        if unique_ids
        else st.none()
    )
    return [
        draw(touchpoints(id=st.just(touchpoint_id), in_reply_to=replies))
        for touchpoint_id in unique_ids
    ]


@st.composite
def accounts(draw: st.DrawFn, *, id: st.SearchStrategy[str] | None = None) -> Account:
    """One valid account."""
    return Account(
        id=draw(id if id is not None else ids(2)),
        segment=draw(st.sampled_from(BUILTIN_SEGMENTS)),
        name=draw(_optional(st.text(max_size=10))),
        annual_revenue=draw(_optional(st.floats(0, 1e9))),
        owner=draw(_optional(ids())),
        lifecycle_stage=draw(_optional(st.sampled_from(LifecycleStage))),
        started_at=draw(_optional(instants())),
        renews_at=draw(_optional(instants())),
        churned_at=draw(_optional(instants())),
    )


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


@st.composite
def touchpoint_records(
    draw: st.DrawFn, *, id: st.SearchStrategy[str] | None = None
) -> dict[str, object]:
    """A valid canonical touchpoint record with string values, as a CSV reader yields."""
    occurred = draw(instants())
    record: dict[str, object] = {
        "id": draw(id if id is not None else ids()),
        "account_id": draw(ids(2)),
        "kind": draw(st.sampled_from(KIND_NAMES)),
        "occurred_at": _iso(occurred),
        "status": draw(st.sampled_from([s.value for s in Status])),
    }
    optional = {
        "channel": st.sampled_from([c.value for c in Channel]),
        "direction": st.sampled_from([d.value for d in Direction]),
        "trigger": st.sampled_from([t.value for t in Trigger]),
        "contact_id": ids(2),
        "text": st.text(max_size=10),
        "csat": st.integers(1, 5).map(str),
        "attendees": st.integers(0, 50),
        "recorded_at": instants().map(_iso),
    }
    for field, strategy in optional.items():
        if draw(st.booleans()):
            record[field] = draw(strategy)
    return record


#: Junk of every type a reader or a hand-built mapping might hand over.
junk_values: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**310),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.text("0123456789-:TZ+ ", max_size=25),
    st.sampled_from(
        [
            "",
            " ",
            "nan",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:00-05:00",
            "2026-01-01 10:00",
            "2026-01-01 10:00 EST",
            "\ud800",
            "no-show",
        ]
    ),
    st.datetimes(),
    st.dates(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)

_FIELDS = (
    "id",
    "account_id",
    "kind",
    "occurred_at",
    "status",
    "channel",
    "direction",
    "contact_id",
    "in_reply_to",
    "trigger",
    "text",
    "recorded_at",
    "csat",
    "attendees",
)


@st.composite
def garbage_records(
    draw: st.DrawFn, *, id: st.SearchStrategy[str] | None = None
) -> dict[str, object]:
    """A touchpoint record with some fields dropped or replaced by junk (or left valid)."""
    record = draw(touchpoint_records(id=id))
    for field in draw(st.lists(st.sampled_from(_FIELDS), max_size=3, unique=True)):
        if draw(st.booleans()):
            record.pop(field, None)
        else:
            record[field] = draw(junk_values)
    return record


@st.composite
def garbage_rows(draw: st.DrawFn, *, max_size: int = 30) -> list[object]:
    """A stream as a reader or adapter yields it: raw records, plain mappings, rejections.

    Ids come from a small pool so that duplicates and resolvable replies both occur.
    """
    pool = st.sampled_from(
        ["t1", "t2", "t3", "t4", "t5", "t6", "<t7-long-message-id@example.com>"]
    )
    rows: list[object] = []
    n = draw(st.integers(0, max_size))
    for number in range(1, n + 1):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            rows.append(
                Rejection("<reader>", number, None, draw(junk_values), "a record", "junk")
            )
            continue
        record = draw(touchpoint_records(id=pool) if choice < 4 else garbage_records(id=pool))
        if draw(st.booleans()):
            record["in_reply_to"] = draw(pool)
        rows.append(RawRecord("<reader>", number, record) if choice % 2 else record)
    return rows
