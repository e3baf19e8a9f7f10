"""Tests of the support-thread adapter on the TWCS head cut and on hand-made fixtures."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import DataError
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.threads import SupportThreadsAdapter

HEADER = (
    ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
)
WHEN = "Tue Oct 31 22:10:47 +0000 2017"


def _read(
    path: Path, adapter: SupportThreadsAdapter | None = None
) -> tuple[list[RawRecord], list[Rejection], list[RawRecord]]:
    records = (adapter or SupportThreadsAdapter()).read(path)
    touchpoints = list(records.touchpoints)
    accounts = list(records.accounts)
    kept = [r for r in touchpoints if isinstance(r, RawRecord)]
    refused = [r for r in touchpoints if isinstance(r, Rejection)]
    assert len(kept) + len(refused) == len(touchpoints)
    assert all(isinstance(a, RawRecord) for a in accounts)
    return kept, refused, [a for a in accounts if isinstance(a, RawRecord)]


def _write(tmp_path: Path, body: str, name: str = "threads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(body.encode("utf-8"))
    return path


def _by_id(records: list[RawRecord]) -> dict[str, RawRecord]:
    return {str(r.values["id"]): r for r in records}


# --- the public TWCS head cut ---


@pytest.fixture(scope="module")
def twcs(shared_data: Path) -> tuple[list[RawRecord], list[Rejection], list[RawRecord]]:
    return _read(shared_data / "twcs_head5000" / "twcs_head5000.csv")


@pytest.mark.realdata
def test_twcs_counts(twcs: tuple[list[RawRecord], list[Rejection], list[RawRecord]]) -> None:
    # Figures checked by hand with a separate csv/pickle script over the file (2,778 inbound and
    # 2,222 outbound tweets as SOURCE.md says; 19 brand broadcasts without a customer tweet or
    # a leading customer mention: 81, 409, 886, 1189, 1193, 1346, ...).
    kept, refused, _ = twcs

    assert len(kept) + len(refused) == 5000
    assert len(kept) == 4981
    assert Counter(r.reason for r in refused) == {
        "brand broadcast with no customer in its thread": 19
    }
    assert sorted(int(str(r.value)) for r in refused)[:6] == [81, 409, 886, 1189, 1193, 1346]

    assert Counter(r.values["direction"] for r in kept) == {"inbound": 2778, "outbound": 2203}
    assert Counter(r.values["trigger"] for r in kept) == {None: 3696, "customer_raised": 1285}
    assert {r.values["kind"] for r in kept} == {"outreach"}
    assert {r.values["channel"] for r in kept} == {"social"}
    assert {r.values["status"] for r in kept} == {"completed"}


@pytest.mark.realdata
def test_twcs_reply_links(
    twcs: tuple[list[RawRecord], list[Rejection], list[RawRecord]],
) -> None:
    # 3,694 tweets answer another: 3,366 links kept; 229 customer-to-other-customer and 61
    # customer-to-another-account's-brand-tweet links dropped, 31 replies to broadcasts and 6
    # replies to tweets outside the cut (counted by hand with an independent script).
    kept, _, _ = twcs
    ids = _by_id(kept)

    links = [r for r in kept if r.values["in_reply_to"] is not None]
    assert len(links) == 3366
    for record in links:
        target = ids[str(record.values["in_reply_to"])]
        assert target.values["account_id"] == record.values["account_id"]

    assert len(ids) == len(kept)


@pytest.mark.realdata
def test_twcs_accounts(twcs: tuple[list[RawRecord], list[Rejection], list[RawRecord]]) -> None:
    # 1,443 customers author tweets; 116051 is addressed by AzureSupport (tweets 1620, 1621)
    # but its own tweet is outside the cut, hence 1,444 accounts.
    kept, _, accounts = twcs

    assert len(accounts) == 1444
    assert {a.values["segment"] for a in accounts} == {"tech_touch"}
    assert {a.values["id"] for a in accounts} == {r.values["account_id"] for r in kept}
    assert "116051" in {a.values["id"] for a in accounts}


@pytest.mark.realdata
def test_twcs_records_field_by_field(
    twcs: tuple[list[RawRecord], list[Rejection], list[RawRecord]],
) -> None:
    # Each record below was compared by hand with its line in the file (grep -n '^0,1,' etc.).
    kept, _, _ = twcs
    ids = _by_id(kept)

    first = ids["1"]
    assert first.row == 1
    assert first.values == {
        "id": "1",
        "account_id": "115712",
        "kind": "outreach",
        "occurred_at": "Tue Oct 31 22:10:47 +0000 2017",
        "status": "completed",
        "channel": "social",
        "direction": "outbound",
        "contact_id": "sprintcare",
        "in_reply_to": "3",
        "trigger": None,
        "text": "@115712 I understand. I would like to assist you. We would need to get you "
        "into a private secured link to further assist.",
        "quoted_text": None,
        "purpose": None,
        "outcome": None,
        "recorded_at": None,
        "csat": None,
        "attendees": None,
    }

    # Index 2484: the text holds two bare CRs and is not quoted; it stays one record.
    cr = ids["3399"]
    assert cr.row == 2485
    assert cr.values["text"] == (
        "@AskPayPal \r\rI just love the start of email \U0001f601 https://t.co/8u1Pf5rJoN"
    )
    assert cr.values["direction"] == "inbound"
    assert cr.values["trigger"] == "customer_raised"
    assert cr.values["account_id"] == cr.values["contact_id"] == "116510"
    assert ids["3398"].values["in_reply_to"] == "3399"
    assert ids["3398"].values["account_id"] == "116510"

    # Index 996: BofA_Help answers nothing in the file but addresses @116036.
    mention = ids["1575"]
    assert (mention.row, mention.values["account_id"]) == (997, "116036")
    assert mention.values["contact_id"] == "BofA_Help"
    assert mention.values["in_reply_to"] is None

    # Index 39: customer 115721 answers customer 115722's tweet 46: own account, no link.
    other = ids["42"]
    assert (other.row, other.values["account_id"], other.values["in_reply_to"]) == (
        40,
        "115721",
        None,
    )

    # Index 77: customer 115735 follows up on their own tweet 156: the link is kept.
    assert (ids["155"].row, ids["155"].values["in_reply_to"]) == (78, "156")

    # Index 138: answers tweet 223, which is outside the cut.
    missing = ids["222"]
    assert (missing.row, missing.values["in_reply_to"], missing.values["trigger"]) == (
        139,
        None,
        None,
    )


# --- hand-made fixtures, one per quirk ---


def test_bare_cr_in_unquoted_text_stays_in_one_record(tmp_path: Path) -> None:
    # Hand-made: the second tweet's text holds bare CRs outside quotes, as in TWCS index 2484.
    path = _write(
        tmp_path,
        HEADER
        + f"0,1,brand,False,{WHEN},@7 hello,,2.0\n"
        + f"1,2,7,True,{WHEN},@brand \r\rline two,1,\n",
    )

    kept, refused, _ = _read(path)

    assert refused == []
    assert [r.row for r in kept] == [1, 2]
    assert kept[1].values["text"] == "@brand \r\rline two"


def test_crlf_line_ends_and_quoted_line_breaks(tmp_path: Path) -> None:
    # Hand-made: a file saved with CRLF ends and a quoted text spanning two lines.
    path = _write(
        tmp_path,
        HEADER.replace("\n", "\r\n")
        + f'0,1,7,True,{WHEN},"first\r\nsecond",,\r\n'
        + f"1,2,brand,False,{WHEN},@7 ok,,1\r\n",
    )

    kept, refused, accounts = _read(path)

    assert refused == []
    assert kept[0].values["text"] == "first\r\nsecond"
    assert kept[1].values["in_reply_to"] == "1"
    assert [a.values["id"] for a in accounts] == ["7"]


def test_float_reply_ids_link_and_rounded_ids_are_rejected(tmp_path: Path) -> None:
    # Hand-made: "1.0" names tweet 1; "1.5e+17" lost digits to a float export.
    path = _write(
        tmp_path,
        HEADER
        + f"0,1,7,True,{WHEN},@brand help,,\n"
        + f"1,2,brand,False,{WHEN},@7 sure,,1.0\n"
        + f"2,3,brand,False,{WHEN},@7 again,,1.5e+17\n",
    )

    kept, refused, _ = _read(path)

    assert kept[1].values["in_reply_to"] == "1"
    assert [(r.row, r.field, r.reason) for r in refused] == [
        (3, "in_response_to_tweet_id", "id rounded by a float export")
    ]


def test_brand_tweet_without_customer_in_thread(tmp_path: Path) -> None:
    # Hand-made: a brand answer to a tweet outside the file addressing @9, a broadcast, a brand
    # reply to the broadcast, and a customer reply to the broadcast.
    path = _write(
        tmp_path,
        HEADER
        + f"0,1,brand,False,{WHEN},@other_brand @9 we are on it,,50.0\n"
        + f"1,2,brand,False,{WHEN},Big news for everyone!,,\n"
        + f"2,3,brand,False,{WHEN},More news,,2.0\n"
        + f"3,4,8,True,{WHEN},@brand nice,,2.0\n"
        + f"4,5,other_brand,False,{WHEN},@8 thanks,,4.0\n",
    )

    kept, refused, accounts = _read(path)

    assert [(r.values["id"], r.values["account_id"]) for r in kept] == [
        ("1", "9"),
        ("4", "8"),
        ("5", "8"),
    ]
    assert [(r.row, r.field, r.reason) for r in refused] == [
        (2, None, "brand broadcast with no customer in its thread"),
        (3, None, "brand broadcast with no customer in its thread"),
    ]
    assert kept[1].values["in_reply_to"] is None
    assert kept[1].values["trigger"] is None
    assert [a.values["id"] for a in accounts] == ["9", "8"]

    _, strict, _ = _read(path, SupportThreadsAdapter(mention_fallback=False))
    assert [r.row for r in strict] == [1, 2, 3]


def test_customer_to_customer_replies(tmp_path: Path) -> None:
    # Hand-made: customer 7 follows up on their own tweet; customer 8 answers customer 7.
    path = _write(
        tmp_path,
        HEADER
        + f"0,1,7,True,{WHEN},@brand broken,,\n"
        + f"1,2,7,True,{WHEN},@brand still broken,,1\n"
        + f"2,3,8,True,{WHEN},@7 same here,,2\n"
        + f"3,4,brand,False,{WHEN},@8 sorry,,3\n",
    )

    kept, refused, accounts = _read(path)

    assert refused == []
    assert [(r.values["account_id"], r.values["in_reply_to"]) for r in kept] == [
        ("7", None),
        ("7", "1"),
        ("8", None),
        ("8", "3"),
    ]
    assert [r.values["trigger"] for r in kept] == ["customer_raised", None, None, None]
    assert [a.values["id"] for a in accounts] == ["7", "8"]


def test_brand_chain_walks_to_the_nearest_customer(tmp_path: Path) -> None:
    # Hand-made: two brand tweets in a row answer customer 7; rows are out of time order.
    path = _write(
        tmp_path,
        HEADER
        + f"0,3,brand,False,{WHEN},and one more thing,,2\n"
        + f"1,2,brand,False,{WHEN},@7 hi,,1\n"
        + f"2,1,7,True,{WHEN},@brand help,,\n",
    )

    kept, _, _ = _read(path)

    assert [(r.values["account_id"], r.values["in_reply_to"]) for r in kept] == [
        ("7", "2"),
        ("7", "1"),
        ("7", None),
    ]


def test_reply_cycle_ends(tmp_path: Path) -> None:
    # Hand-made: two brand tweets answering each other, with no customer anywhere.
    path = _write(
        tmp_path,
        HEADER + f"0,1,brand,False,{WHEN},loop,,2\n" + f"1,2,brand,False,{WHEN},loop,,1\n",
    )

    kept, refused, _ = _read(path)

    assert kept == []
    assert len(refused) == 2


def test_malformed_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    # Hand-made: a duplicate id, a short row, an unreadable flag, an empty author and id.
    path = _write(
        tmp_path,
        HEADER
        + f"0,1,7,True,{WHEN},@brand a,,\n"
        + f"1,1,7,True,{WHEN},@brand again,,\n"
        + f"2,2,7,True,{WHEN}\n"
        + f"3,3,7,maybe,{WHEN},@brand b,,\n"
        + f"4,4,,True,{WHEN},@brand c,,\n"
        + f"5,,7,True,{WHEN},@brand d,,\n",
    )

    kept, refused, _ = _read(path)

    assert [r.row for r in kept] == [1]
    assert [(r.row, r.field, r.reason) for r in refused] == [
        (2, "tweet_id", "duplicate tweet id"),
        (3, None, "row has 5 fields"),
        (4, "inbound", "not a boolean"),
        (5, "author_id", "empty author"),
        (6, "tweet_id", "empty tweet id"),
    ]
    assert "got '1', expected an id not used by an earlier row" in refused[0].describe()


def test_column_options_and_missing_column(tmp_path: Path) -> None:
    # Hand-made: an export with other column names.
    path = _write(
        tmp_path,
        "id,user,from_customer,time,body,parent\n"
        + f"10,7,true,{WHEN},help,\n"
        + f"11,acme,false,{WHEN},@7 hi,10\n",
    )
    adapter = SupportThreadsAdapter(
        tweet_id_column="id",
        author_column="user",
        inbound_column="from_customer",
        created_at_column="time",
        text_column="body",
        in_response_to_column="parent",
        segment="mid_touch",
    )

    kept, _, accounts = _read(path, adapter)

    assert [(r.values["id"], r.values["in_reply_to"]) for r in kept] == [
        ("10", None),
        ("11", "10"),
    ]
    assert accounts[0].values["segment"] == "mid_touch"

    with pytest.raises(DataError, match="no column 'tweet_id'"):
        _read(path)


def test_accounts_can_be_read_before_touchpoints(tmp_path: Path) -> None:
    # Hand-made: the loader reads touchpoints first, but the order must not matter.
    path = _write(tmp_path, HEADER + f"0,1,7,True,{WHEN},@brand a,,\n")

    records = SupportThreadsAdapter().read(path)

    assert [a.values["id"] for a in records.accounts if isinstance(a, RawRecord)] == ["7"]
    assert len(list(records.touchpoints)) == 1


def test_blank_lines_are_not_records(tmp_path: Path) -> None:
    # Hand-made: a blank line between two tweets and another at the end.
    path = _write(
        tmp_path,
        HEADER + f"0,1,7,True,{WHEN},@brand a,,\n\n" + f"1,2,brand,False,{WHEN},@7 b,,1\n\n",
    )

    kept, refused, _ = _read(path)

    assert refused == []
    assert [(r.row, r.values["id"]) for r in kept] == [(1, "1"), (2, "2")]


def test_empty_file(tmp_path: Path) -> None:
    kept, refused, accounts = _read(_write(tmp_path, ""))

    assert (kept, refused, accounts) == ([], [], [])


@st.composite
def _threads(draw: st.DrawFn) -> list[tuple[int, str, bool, int | None]]:
    """Random tweets (id, author, inbound, parent), parents possibly missing or cyclic."""
    count = draw(st.integers(min_value=1, max_value=25))
    tweets = []
    for tweet_id in range(1, count + 1):
        inbound = draw(st.booleans())
        author = draw(st.sampled_from(["7", "8", "9"])) if inbound else "brand"
        parent = draw(st.none() | st.integers(min_value=1, max_value=count + 3))
        tweets.append((tweet_id, author, inbound, parent))
    return tweets


@settings(max_examples=60, deadline=None)
@given(tweets=_threads(), mention=st.booleans())
def test_invariants_on_random_threads(
    tmp_path_factory: pytest.TempPathFactory,
    tweets: list[tuple[int, str, bool, int | None]],
    mention: bool,
) -> None:
    # Every row gives one record or one rejection; links stay inside an account and name a
    # record; every account used has an account record.
    lines = [HEADER]
    for index, (tweet_id, author, inbound, parent) in enumerate(tweets):
        text = "@8 hi" if mention and not inbound else "hello"
        lines.append(f"{index},{tweet_id},{author},{inbound},{WHEN},{text},,{parent or ''}\n")
    path = _write(tmp_path_factory.mktemp("threads"), "".join(lines))

    kept, refused, accounts = _read(path)

    assert len(kept) + len(refused) == len(tweets)
    assert sorted(r.row for r in kept + refused) == list(range(1, len(tweets) + 1))
    ids = _by_id(kept)
    for record in kept:
        reply = record.values["in_reply_to"]
        if reply is not None:
            assert ids[str(reply)].values["account_id"] == record.values["account_id"]
    assert {a.values["id"] for a in accounts} == {r.values["account_id"] for r in kept}
    assert all(r.reason == "brand broadcast with no customer in its thread" for r in refused)
