"""Tests of the pipermail mbox adapter: the two shared archives and hand-made quirk fixtures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchpoint_signals.errors import ConfigError, DataError, UnknownNameError
from touchpoint_signals.ingest.mbox import MboxAdapter, normalise_address, split_quoted
from touchpoint_signals.ingest.records import TOUCHPOINT_FIELDS, RawRecord, Rejection

UVC_VENDORS = ["vendor0014 at list.example", "vendor0743 at list.example"]
YAJHFC_VENDORS = ["vendor0001 at list.example"]


def _read(
    adapter: MboxAdapter, source: Path
) -> tuple[list[RawRecord | Rejection], list[RawRecord]]:
    """All touchpoint items and account records of ``source``."""
    records = adapter.read(source)
    touchpoints = list(records.touchpoints)
    accounts = [a for a in records.accounts if isinstance(a, RawRecord)]
    return touchpoints, accounts


# ---------------------------------------------------------------------------------------------
# Real data: linux-uvc-devel
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def uvc(shared_data: Path) -> tuple[list[RawRecord | Rejection], list[RawRecord]]:
    return _read(MboxAdapter(vendor_addresses=UVC_VENDORS), shared_data / "linux_uvc_devel_ml")


@pytest.mark.realdata
def test_uvc_figures(shared_data: Path) -> None:
    # SOURCE.md cross-check: 7,184 entries is what a plain mbox reader counts; 24 of them are
    # body lines starting with "From " (22 sentences and 2 pasted git format-patch headers),
    # re-attached here, which leaves 7,160 messages. SOURCE.md's "22 with an unparseable Date"
    # are those 22 sentence fragments (no headers at all); every real message's Date parses.
    # SOURCE.md's 4,834 in-archive In-Reply-To compares the raw header string with the raw
    # Message-ID; we also read ids followed by a comment or without angle brackets, keep one
    # copy of each of the 7 duplicated messages and drop the 90 rejected vendor messages, and
    # fall back to References (187 links to an older ancestor), hence 5,133 links.
    figures = MboxAdapter(vendor_addresses=UVC_VENDORS).figures(
        shared_data / "linux_uvc_devel_ml"
    )

    assert figures.files == 74
    assert figures.entries == 7184
    assert figures.fragments_reattached == 24
    assert figures.messages == 7160
    assert figures.touchpoints == 7044
    assert figures.inbound == 5101
    assert figures.outbound == 1943
    assert figures.rejections == {
        "duplicate Message-ID": 7,
        "placeholder": 19,
        "vendor message with no customer in its thread": 90,
    }
    assert figures.replies == 5292
    assert figures.replies_linked == 5133
    assert figures.replies_linked_to_ancestor == 187
    assert figures.replies_linked_to_rejected == 35
    assert figures.replies_outside_archive == 159
    # 1,205 distinct sender addresses (as SOURCE.md says) minus the two vendor addresses.
    assert figures.accounts == 1203


@pytest.mark.realdata
def test_uvc_records_match_figures(
    uvc: tuple[list[RawRecord | Rejection], list[RawRecord]],
) -> None:
    touchpoints, accounts = uvc
    records = [t for t in touchpoints if isinstance(t, RawRecord)]
    rejections = [t for t in touchpoints if isinstance(t, Rejection)]
    ids = {r.values["id"] for r in records}

    assert len(touchpoints) == 7160
    assert len(records) == 7044
    assert Counter(r.reason for r in rejections) == {
        "duplicate Message-ID": 7,
        "placeholder": 19,
        "vendor message with no customer in its thread": 90,
    }
    assert Counter(r.values["direction"] for r in records) == {
        "inbound": 5101,
        "outbound": 1943,
    }
    assert len(ids) == len(records)
    links = [r.values["in_reply_to"] for r in records if r.values["in_reply_to"] is not None]
    assert len(links) == 5133
    assert sum(1 for link in links if link in ids) == 5133 - 35
    # Clock skew: 15 replies are dated before the message they answer (the loader reports it).
    by_id = {r.values["id"]: r.values["occurred_at"] for r in records}
    answered_later = [
        r
        for r in records
        if r.values["in_reply_to"] in by_id
        and by_id[r.values["in_reply_to"]] > r.values["occurred_at"]  # type: ignore[operator]
    ]
    assert len(answered_later) == 15
    assert len(accounts) == 1203
    assert {r.values["account_id"] for r in records} == {a.values["id"] for a in accounts}
    assert all(set(r.values) == set(TOUCHPOINT_FIELDS) for r in records)


@pytest.mark.realdata
def test_uvc_records_checked_by_hand(
    uvc: tuple[list[RawRecord | Rejection], list[RawRecord]],
) -> None:
    # Checked by hand against 2006-January.txt lines 1-5 and 254-260 (grep -n '^From ').
    touchpoints, accounts = uvc
    by_id = {t.values["id"]: t for t in touchpoints if isinstance(t, RawRecord)}

    first = by_id["17c9c5306f48b05640d6@msgid.example"]
    assert first.source.endswith("2006-January.txt")
    assert first.row == 1
    assert first.values["occurred_at"] == dt.datetime(2006, 1, 4, 11, 30, 51, tzinfo=dt.UTC)
    assert first.values["direction"] == "inbound"
    assert first.values["account_id"] == "p0102@list.example"
    assert first.values["contact_id"] == "p0102@list.example"
    assert first.values["in_reply_to"] is None
    assert first.values["purpose"] == "[Linux-uvc-devel] Comments about the driver"
    assert str(first.values["text"]).startswith("Some comments about the current driver.")
    assert str(first.values["quoted_text"]).startswith(">\n> /*")

    answer = by_id["d9aed268203c4cf0516d@msgid.example"]
    assert answer.row == 2
    assert answer.values["occurred_at"] == dt.datetime(2006, 1, 4, 12, 13, 16, tzinfo=dt.UTC)
    assert answer.values["direction"] == "outbound"
    assert answer.values["contact_id"] == "vendor0014@list.example"
    assert answer.values["account_id"] == "p0102@list.example"
    assert answer.values["in_reply_to"] == "17c9c5306f48b05640d6@msgid.example"

    # 2011-December.txt line 6685 "From the README file:" is body text of message 45
    # (p1092, 2011-12-28 21:11:47 +0100), not a message of its own.
    readme = by_id["26dc4b00c4d01c67354f@msgid.example"]
    assert (readme.row, readme.values["contact_id"]) == (45, "p1092@list.example")
    assert "\nFrom the README file:\n" in str(readme.values["text"])

    # The maintainer's patch mail in 2010-July.txt carries a pasted git header (line 269).
    patch = by_id["db6283c27762c2bbf962@msgid.example"]
    assert "From unknown at list.example Mon Sep 17 00:00:00 2001" in str(patch.values["text"])

    account = next(a for a in accounts if a.values["id"] == "p0102@list.example")
    assert account.values["segment"] == "tech_touch"
    assert account.values["name"] == "Person p0102"
    assert account.values["started_at"] == first.values["occurred_at"]


@pytest.mark.realdata
def test_uvc_rejections_checked_by_hand(
    uvc: tuple[list[RawRecord | Rejection], list[RawRecord]],
) -> None:
    # 2012-March.txt: 19 messages "From unknown", Subject "No subject", all 2012-03-14.
    # 2007-October.txt has the same message twice in a row (mbox entries 153 and 154, rows 152
    # and 153 once the fragment at entry 72 is re-attached).
    touchpoints, _ = uvc
    rejections = [t for t in touchpoints if isinstance(t, Rejection)]

    placeholders = [r for r in rejections if r.reason == "placeholder"]
    assert {Path(r.source).name for r in placeholders} == {"2012-March.txt"}
    assert [r.row for r in placeholders] == list(range(1, 20))

    duplicate = next(r for r in rejections if r.value == "e2e1d746f728644708bc@msgid.example")
    assert (Path(duplicate.source).name, duplicate.row, duplicate.field) == (
        "2007-October.txt",
        153,
        "id",
    )


# ---------------------------------------------------------------------------------------------
# Real data: yajhfc-user
# ---------------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_yajhfc_figures_and_records(shared_data: Path) -> None:
    # SOURCE.md: 469 messages (2 undated), the developer wrote 196. The 2 "undated" are body
    # fragments (re-attached), and 1 of the 467 real ones is a pipermail placeholder; of the
    # developer's 196, 42 start a thread or answer no customer (release announcements) and are
    # rejected, leaving 154 outbound. SOURCE.md's 54 senders count envelope lines, including
    # the 2 fragments and "unknown"; there are 52 From addresses, and without the developer
    # and the placeholder's address (which sent nothing else) 50 customer accounts remain.
    adapter = MboxAdapter(vendor_addresses=YAJHFC_VENDORS)
    source = shared_data / "yajhfc_user_ml"
    figures = adapter.figures(source)
    touchpoints, accounts = _read(adapter, source)
    records = [t for t in touchpoints if isinstance(t, RawRecord)]

    assert (figures.files, figures.entries, figures.fragments_reattached) == (49, 469, 2)
    assert (figures.messages, figures.touchpoints) == (467, 424)
    assert (figures.inbound, figures.outbound) == (270, 154)
    assert figures.rejections == {
        "placeholder": 1,
        "vendor message with no customer in its thread": 42,
    }
    assert figures.replies == 309
    assert figures.replies_linked == 298
    assert figures.replies_linked_to_ancestor == 7
    assert figures.replies_linked_to_rejected == 10
    assert figures.replies_outside_archive == 11
    assert figures.accounts == 50
    assert len(records) == 424
    assert len(touchpoints) == 467
    assert len(accounts) == 50

    # Checked by hand against 2007-April.txt lines 1-5, 34-42 and 67-75.
    by_id = {r.values["id"]: r for r in records}
    question = by_id["a52b9bdeadc68c49270d@msgid.example"]
    assert question.row == 2
    assert question.values["occurred_at"] == dt.datetime(2007, 4, 13, 9, 30, 13, tzinfo=dt.UTC)
    assert question.values["direction"] == "inbound"
    assert question.values["account_id"] == "p0002@list.example"
    # It answers the 0.3.3 release announcement (row 1), rejected as it answers no customer.
    assert question.values["in_reply_to"] == "45f917cbfd3329381cb2@msgid.example"
    assert str(question.values["quoted_text"]).startswith(
        "--- Person vendor0001 <vendor0001 at list.example> wrote:"
    )
    answer = by_id["4779e4b2d420b438ba33@msgid.example"]
    assert answer.values["occurred_at"] == dt.datetime(2007, 4, 13, 9, 55, 45, tzinfo=dt.UTC)
    assert answer.values["direction"] == "outbound"
    assert answer.values["account_id"] == "p0002@list.example"
    assert answer.values["contact_id"] == "vendor0001@list.example"
    assert str(answer.values["text"]).startswith("Maybe the following link helps:")
    assert str(answer.values["quoted_text"]).startswith(
        "Am Freitag, 13. April 2007 11:30 schrieb Person p0002:"
    )


# ---------------------------------------------------------------------------------------------
# Hand-made fixtures, one per quirk
# ---------------------------------------------------------------------------------------------


def _message(
    sender: str,
    date: str | None,
    message_id: str | None,
    body: str,
    *,
    envelope: str | None = None,
    subject: str = "[List] help",
    in_reply_to: str | None = None,
    references: str | None = None,
    extra: str = "",
) -> str:
    """One pipermail-style mbox entry (hand-made)."""
    lines = [envelope or f"From {sender}  Wed Jan  4 12:30:51 2006", f"From: {sender} (Person)"]
    if date is not None:
        lines.append(f"Date: {date}")
    lines.append(f"Subject: {subject}")
    if in_reply_to is not None:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references is not None:
        lines.append(f"References: {references}")
    if message_id is not None:
        lines.append(f"Message-ID: <{message_id}>")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n\n" + body + "\n\n"


DATE = "Wed, 4 Jan 2006 12:30:51 +0100"
LATER = "Wed, 4 Jan 2006 14:00:00 +0100"


def _write(tmp_path: Path, *entries: str, name: str = "2006-January.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join(entries), encoding="latin-1")
    return path


def _items(path: Path, **options: object) -> list[RawRecord | Rejection]:
    return list(MboxAdapter(**options).read(path).touchpoints)  # type: ignore[arg-type]


def test_body_line_starting_with_from_is_reattached(tmp_path: Path) -> None:
    # Hand-made: a body sentence and a pasted git header both start with "From ".
    body = "Hi,\n\nFrom the logs you sent me, the EOF bit is never set.\nBye"
    patch = "Patch below.\n\nFrom 0a1b Mon Sep 17 00:00:00 2001\nFrom: A <a@x>\nDate: x\n\nfix"
    path = _write(
        tmp_path,
        _message("p1 at x.example", DATE, "m1@x", body),
        _message("p2 at x.example", LATER, "m2@x", patch),
    )

    items = _items(path)
    figures = MboxAdapter().figures(path)

    assert [type(i) for i in items] == [RawRecord, RawRecord]
    assert "From the logs you sent me, the EOF bit is never set.\nBye" in str(
        items[0].values["text"]  # type: ignore[union-attr]
    )
    assert "From 0a1b Mon Sep 17 00:00:00 2001\nFrom: A <a@x>" in str(
        items[1].values["text"]  # type: ignore[union-attr]
    )
    assert (figures.entries, figures.fragments_reattached, figures.messages) == (4, 2, 2)


def test_fragment_with_nothing_before_it_is_rejected(tmp_path: Path) -> None:
    # Hand-made: a file that starts with a body fragment.
    path = _write(
        tmp_path,
        "From the README file:\nsome text\n\n",
        _message("p1 at x.example", DATE, "m1@x", "hello"),
    )

    items = _items(path)

    assert isinstance(items[0], Rejection)
    assert items[0].reason == "text fragment with no message before it"
    assert isinstance(items[1], RawRecord)
    assert items[1].row == 2


def test_dates_unparseable_missing_and_without_zone(tmp_path: Path) -> None:
    # Hand-made: a garbled Date, no Date, "-0000" and a Date with no zone at all.
    path = _write(
        tmp_path,
        _message("p1 at x.example", "sometime last week", "m1@x", "a"),
        _message("p1 at x.example", None, "m2@x", "b"),
        _message("p1 at x.example", "Wed, 4 Jan 2006 12:30:51 -0000", "m3@x", "c"),
        _message("p1 at x.example", "Wed, 4 Jan 2006 12:30:51", "m4@x", "d"),
    )

    items = _items(path, timezone="Europe/Berlin")

    assert isinstance(items[0], RawRecord)
    assert items[0].values["occurred_at"] == "sometime last week"
    assert isinstance(items[1], Rejection)
    assert (items[1].field, items[1].reason) == ("occurred_at", "message has no Date header")
    assert isinstance(items[2], RawRecord)
    assert items[2].values["occurred_at"] == dt.datetime(2006, 1, 4, 12, 30, 51, tzinfo=dt.UTC)
    assert isinstance(items[3], RawRecord)
    assert items[3].values["occurred_at"] == dt.datetime(2006, 1, 4, 11, 30, 51, tzinfo=dt.UTC)


def test_placeholder_is_rejected(tmp_path: Path) -> None:
    # Hand-made: pipermail's rebuilt message with envelope "unknown" and "No subject".
    placeholder = _message(
        "someone at elsewhere.example",
        "Wed, 14 Mar 2012 14:22:58 -0000",
        "m1@x",
        "have to use v4l2.",
        envelope="From unknown at list.example  Wed Mar 14 15:22:58 2012",
        subject="No subject",
    )
    path = _write(tmp_path, placeholder)

    (item,) = _items(path)

    assert isinstance(item, Rejection)
    assert (item.reason, item.value, item.field) == ("placeholder", "m1@x", None)


def test_duplicate_message_id_keeps_the_first_copy(tmp_path: Path) -> None:
    # Hand-made: the same message archived twice.
    entry = _message("p1 at x.example", DATE, "m1@x", "same")
    path = _write(tmp_path, entry, entry)

    first, second = _items(path)

    assert isinstance(first, RawRecord)
    assert isinstance(second, Rejection)
    assert (second.row, second.field, second.reason) == (2, "id", "duplicate Message-ID")


def test_aliases_merge_two_addresses(tmp_path: Path) -> None:
    # Hand-made: a user and the vendor each write from two addresses.
    path = _write(
        tmp_path,
        _message("old at x.example", DATE, "m1@x", "q"),
        _message("v2 at vendor.example", LATER, "m2@x", "a", in_reply_to="<m1@x>"),
        _message("new at x.example", LATER, "m3@x", "q2"),
    )
    adapter = MboxAdapter(
        vendor_addresses=["V1 at vendor.example"],
        aliases={
            "old at x.example": "new@x.example",
            "v2@vendor.example": "v1 at vendor.example",
        },
    )

    touchpoints, accounts = _read(adapter, path)

    values = [t.values for t in touchpoints if isinstance(t, RawRecord)]
    assert [v["account_id"] for v in values] == ["new@x.example"] * 3
    assert [v["contact_id"] for v in values] == [
        "new@x.example",
        "v1@vendor.example",
        "new@x.example",
    ]
    assert [v["direction"] for v in values] == ["inbound", "outbound", "inbound"]
    assert [a.values["id"] for a in accounts] == ["new@x.example"]


def test_vendor_messages_take_the_account_of_the_customer_they_answer(tmp_path: Path) -> None:
    # Hand-made: announcement (vendor, no customer) <- customer reply <- vendor <- vendor.
    path = _write(
        tmp_path,
        _message("v at vendor.example", DATE, "ann@x", "release 1.0"),
        _message("c at x.example", DATE, "c1@x", "thanks", in_reply_to="<ann@x>"),
        _message("v at vendor.example", LATER, "v1@x", "yw", in_reply_to="<c1@x>"),
        _message(
            "v at vendor.example", LATER, "v2@x", "ps", references="<ann@x> <c1@x> <v1@x>"
        ),
    )

    items = _items(path, vendor_addresses=["v@vendor.example"])

    assert isinstance(items[0], Rejection)
    assert items[0].reason == "vendor message with no customer in its thread"
    assert all(isinstance(i, RawRecord) for i in items[1:])
    values = [i.values for i in items[1:] if isinstance(i, RawRecord)]
    assert [v["account_id"] for v in values] == ["c@x.example"] * 3
    assert [v["in_reply_to"] for v in values] == ["ann@x", "c1@x", "v1@x"]


def test_reply_links_and_replies_outside_the_archive(tmp_path: Path) -> None:
    # Hand-made: a comment after the id, a bare id, a missing parent with an archived
    # grandparent in References, and a reply whose ancestors are all outside the archive.
    path = _write(
        tmp_path,
        _message("a at x.example", DATE, "m1@x", "q"),
        _message("b at x.example", DATE, "m2@x", "r", in_reply_to="<m1@x> (a's message of)"),
        _message("c at x.example", DATE, "m3@x", "r", in_reply_to="m2@x"),
        _message(
            "d at x.example", DATE, "m4@x", "r", in_reply_to="<gone@x>", references="<m1@x>"
        ),
        _message("e at x.example", DATE, "m5@x", "r", references="<elsewhere@x>"),
    )

    nearest = [i.values["in_reply_to"] for i in _items(path) if isinstance(i, RawRecord)]
    strict = [
        i.values["in_reply_to"]
        for i in _items(path, link_nearest_ancestor=False)
        if isinstance(i, RawRecord)
    ]
    figures = MboxAdapter().figures(path)

    assert nearest == [None, "m1@x", "m2@x", "m1@x", None]
    assert strict == [None, "m1@x", "m2@x", None, None]
    assert (figures.replies, figures.replies_linked) == (4, 3)
    assert (figures.replies_linked_to_ancestor, figures.replies_outside_archive) == (1, 1)


def test_legacy_encodings(tmp_path: Path) -> None:
    # Hand-made: a latin-1 body and subject without a declared charset, and a body in
    # ISO-8859-15 that says so (0xA4 is the euro sign there, the currency sign in latin-1).
    path = tmp_path / "2006-January.txt"
    path.write_bytes(
        _message(
            "a at x.example", DATE, "m1@x", "Gr\xfc\xdfe", subject="Implementa\xe7\xf5es"
        ).encode("latin-1")
        + _message(
            "b at x.example",
            DATE,
            "m2@x",
            "costs 5 \xa4",
            extra="Content-Type: text/plain; charset=iso-8859-15",
        ).encode("latin-1")
    )

    first, second = _items(path)

    assert isinstance(first, RawRecord)
    assert first.values["text"] == "Grüße"
    assert first.values["purpose"] == "Implementações"
    assert isinstance(second, RawRecord)
    assert second.values["text"] == "costs 5 €"


def test_folder_is_read_in_month_order(tmp_path: Path) -> None:
    # Hand-made: by name, April < February < January; by month it is the other way round.
    for name, message_id in [
        ("2006-April.txt", "apr@x"),
        ("2006-January.txt", "jan@x"),
        ("2006-February.txt", "feb@x"),
        ("2005-December.txt", "dec@x"),
    ]:
        _write(tmp_path, _message("a at x.example", DATE, message_id, "x"), name=name)
    (tmp_path / "SOURCE.md").write_text("not an mbox")

    ids = [i.values["id"] for i in _items(tmp_path) if isinstance(i, RawRecord)]

    assert ids == ["dec@x", "jan@x", "feb@x", "apr@x"]


def test_folder_without_monthly_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")

    with pytest.raises(DataError, match="no pipermail monthly files"):
        MboxAdapter().read(tmp_path)


def test_options_from_toml_values() -> None:
    adapter = MboxAdapter(
        vendor_addresses=["Dev AT Example.org"],
        aliases={"Other at example.org": "dev@example.org"},
        segment="mid_touch",
    )

    assert adapter.vendor_addresses == frozenset({"dev@example.org"})
    assert adapter.aliases == (("other@example.org", "dev@example.org"),)
    options: dict[str, object] = {
        "vendor_addresses": ["dev@example.org"],
        "aliases": {"other@example.org": "dev@example.org"},
        "segment": "mid_touch",
    }
    assert hash(adapter) == hash(MboxAdapter(**options))  # type: ignore[arg-type]
    # A team's own segment is allowed here; the loader's catalog decides if it is known.
    assert MboxAdapter(segment="community").segment == "community"
    with pytest.raises(DataError, match="must be a segment name"):
        MboxAdapter(segment=" ")
    with pytest.raises(UnknownNameError, match="unknown time zone"):
        MboxAdapter(timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="b@x is used as a canonical address"):
        MboxAdapter(aliases={"a@x": "b@x", "b@x": "c@x"})


def test_normalise_address() -> None:
    assert normalise_address("Vendor0014 at List.Example") == "vendor0014@list.example"


# ---------------------------------------------------------------------------------------------
# Quoted text and signatures
# ---------------------------------------------------------------------------------------------


def test_split_quoted_interleaved_reply_and_signature() -> None:
    # Hand-made: a two-line attribution, interleaved answers and a signature.
    body = (
        "Hi,\n\nOn Saturday 08 April 2006 17:39, Person p0002\nwrote:\n> does it work?\n"
        "\nYes.\n\n> and MJPEG?\n\nNo.\n\n-- \nPerson p0179\nDirector, Labs\n"
    )

    text, quoted = split_quoted(body)

    assert text == "Hi,\n\nYes.\n\nNo."
    assert quoted == (
        "On Saturday 08 April 2006 17:39, Person p0002\nwrote:\n> does it work?\n\n> and MJPEG?"
    )


def test_split_quoted_top_posting_markers() -> None:
    # Hand-made: Outlook's "Original Message" and Yahoo's "--- X wrote:" with unprefixed quotes.
    outlook = "Thanks!\n\n-----Original Message-----\nFrom: V\nSent: Monday\n\nTry this."
    yahoo = "Great!\n\n--- Person v <v at x> wrote:\n\nI am pleased to announce 0.3.3"

    assert split_quoted(outlook) == (
        "Thanks!",
        "-----Original Message-----\nFrom: V\nSent: Monday\n\nTry this.",
    )
    assert split_quoted(yahoo) == (
        "Great!",
        "--- Person v <v at x> wrote:\n\nI am pleased to announce 0.3.3",
    )


def test_split_quoted_leaves_plain_text_alone() -> None:
    assert split_quoted("Just a question.\nHe wrote: nothing.\n") == (
        "Just a question.\nHe wrote: nothing.",
        None,
    )


_LINES = st.sampled_from(
    ["hello", "> quoted", ">> deeper", "", "  indented", "On Mon, A wrote:", "x: y", "From a"]
)


@given(st.lists(_LINES, max_size=30))
def test_split_quoted_loses_no_line_without_a_signature(lines: list[str]) -> None:
    # Without signature or forwarding markers every non-blank line lands in exactly one part.
    text, quoted = split_quoted("\n".join(lines))

    parts = [line for part in (text, quoted or "") for line in part.split("\n")]
    assert Counter(x.rstrip() for x in parts if x.strip()) == Counter(
        x.rstrip() for x in lines if x.strip()
    )
