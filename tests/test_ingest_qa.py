"""Tests of the Stack Exchange dump adapter (``qa_dump``): real figures and hand-made quirks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import DataError, UnknownNameError
from touchpoint_signals.ingest import qa
from touchpoint_signals.ingest.qa import QaDumpAdapter, html_to_text
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import Adapter

UTC = dt.UTC


def _split(
    items: list[RawRecord | Rejection],
) -> tuple[dict[str, RawRecord], list[Rejection]]:
    """Records by id, and the rejections, of one iterator of adapter output."""
    records: dict[str, RawRecord] = {}
    rejections: list[Rejection] = []
    for item in items:
        if isinstance(item, Rejection):
            rejections.append(item)
        else:
            records[str(item.values["id"])] = item
    return records, rejections


# --- the Beer Stack Exchange dump -----------------------------------------------------------


@pytest.fixture(scope="module")
def beer(
    shared_data: Path,
) -> tuple[Path, list[RawRecord | Rejection], list[RawRecord | Rejection]]:
    folder = shared_data / "beer_se_2016"
    records = QaDumpAdapter().read(folder)
    return folder, list(records.touchpoints), list(records.accounts)


@pytest.mark.realdata
def test_beer_counts(
    beer: tuple[Path, list[RawRecord | Rejection], list[RawRecord | Rejection]],
) -> None:
    _, touchpoints, accounts = beer
    records, rejections = _split(touchpoints)

    # 2,106 posts + 1,860 comments were read; each is a record or a rejection.
    assert len(touchpoints) == 2_106 + 1_860
    assert len(records) == 3_791
    assert Counter(r.reason for r in rejections) == {
        qa.REASON_NOT_QA: 117,  # 57 + 57 tag-wiki posts and 3 wiki placeholders (type 7)
        qa.REASON_NO_OWNER: 3,  # questions 4693, 4900, 5071
        qa.REASON_ANSWER_QUESTION_REJECTED: 4,
        qa.REASON_COMMENT_QUESTION_REJECTED: 14,
        qa.REASON_COMMENT_NO_AUTHOR: 37,  # 39 comments lack UserId; 2 are on rejected questions
    }

    kinds = Counter(
        (
            rid.split(":")[0],
            "reply" if r.values["in_reply_to"] else "root",
            r.values["direction"],
        )
        for rid, r in records.items()
    )
    assert kinds == {
        ("post", "root", "inbound"): 588,  # questions
        ("post", "reply", "outbound"): 1_373,  # answers by the community
        ("post", "reply", "inbound"): 21,  # self-answers by the asker
        ("comment", "reply", "outbound"): 1_430,
        ("comment", "reply", "inbound"): 379,
    }

    replies = [r for r in records.values() if r.values["in_reply_to"] is not None]
    assert len(replies) == 3_203
    assert all(r.values["in_reply_to"] in records for r in replies)
    assert Counter(r.values["outcome"] for r in records.values()) == {
        None: 3_382,
        "accepted": 357,
        "closed": 52,
    }

    assert len(accounts) == 306
    assert all(isinstance(a, RawRecord) for a in accounts)
    account_ids = {a.values["id"] for a in accounts if isinstance(a, RawRecord)}
    assert {r.values["account_id"] for r in records.values()} == account_ids
    assert Counter(a.values["segment"] for a in accounts if isinstance(a, RawRecord)) == {
        "tech_touch": 306
    }


@pytest.mark.realdata
def test_beer_records_match_the_raw_files(
    beer: tuple[Path, list[RawRecord | Rejection], list[RawRecord | Rejection]],
) -> None:
    folder, touchpoints, accounts = beer
    records, rejections = _split(touchpoints)

    # Checked by hand with grep: Posts.xml line 3 (row 1) is question 1 by user 7, titled
    # "What is a citra hop, and how does it differ from other hops?", 2014-01-21T20:26:05.383.
    question = records["post:1"]
    assert (question.source, question.row) == (str(folder / "Posts.xml"), 1)
    assert question.values == {
        "id": "post:1",
        "account_id": "user:7",
        "kind": "support",
        "occurred_at": dt.datetime(2014, 1, 21, 20, 26, 5, 383_000, tzinfo=UTC),
        "status": "completed",
        "channel": "web",
        "direction": "inbound",
        "contact_id": "user:7",
        "in_reply_to": None,
        "trigger": "customer_raised",
        "text": (
            "I was offered a beer the other day that was reportedly made with citra hops. "
            "What are citra hops? Why should I care that my beer is made with them?"
        ),
        "quoted_text": None,
        "purpose": "What is a citra hop, and how does it differ from other hops?",
        "outcome": None,
        "recorded_at": None,
        "csat": None,
        "attendees": None,
    }

    # Posts.xml line 6 (row 4): answer 4 to question 1 by user 12, the accepted answer
    # (question 1 has AcceptedAnswerId="4"); two <p> and a link whose text is kept.
    answer = records["post:4"]
    assert answer.row == 4
    assert answer.values["account_id"] == "user:7"
    assert answer.values["contact_id"] == "user:12"
    assert answer.values["direction"] == "outbound"
    assert answer.values["in_reply_to"] == "post:1"
    assert answer.values["outcome"] == "accepted"
    assert answer.values["occurred_at"] == dt.datetime(
        2014, 1, 21, 20, 31, 18, 540_000, tzinfo=UTC
    )
    text = str(answer.values["text"])
    assert text.startswith("Citra is a registered trademark since 2007. Citra Brand hops")
    assert text.endswith(
        "\nFor more information, you can read the Wikipedia article on the Citra brand."
    )
    assert "  " not in text  # "and  imparts" in the raw body collapses to one space

    # Comments.xml line 3 (row 1): comment 1 by user 10 on question 5, which user 7 asked.
    comment = records["comment:1"]
    assert (comment.source, comment.row) == (str(folder / "Comments.xml"), 1)
    assert comment.values["account_id"] == "user:7"
    assert comment.values["contact_id"] == "user:10"
    assert comment.values["direction"] == "outbound"
    assert comment.values["in_reply_to"] == "post:5"
    assert comment.values["text"] == "This is a matter of taste I guess."
    assert comment.values["occurred_at"] == dt.datetime(
        2014, 1, 21, 20, 34, 28, 740_000, tzinfo=UTC
    )

    # Comment 15 (row 12) is by user 7 on answer 45 of user 7's question: inbound.
    assert records["comment:15"].values["direction"] == "inbound"
    assert records["comment:15"].values["in_reply_to"] == "post:45"

    # Answer 41 (row 39) is user 26's accepted answer to user 26's own question 40.
    assert records["post:41"].values["direction"] == "inbound"
    assert records["post:41"].values["contact_id"] == "user:26"

    # Answer 432 (Posts.xml line 416, row 414) has no OwnerUserId: kept, contact unknown.
    assert records["post:432"].row == 414
    assert records["post:432"].values["contact_id"] is None
    assert records["post:432"].values["account_id"] == "user:80"

    # Question 4693 (line 1495, row 1493) has no OwnerUserId.
    no_owner = [r.row for r in rejections if r.reason == qa.REASON_NO_OWNER]
    assert no_owner[0] == 1_493

    # The literal "<sigh>" of comment 16 (Comments.xml line 15) survives: not HTML.
    assert str(records["comment:16"].values["text"]).endswith("question.  <sigh>")

    # Users.xml line 10 (row 8): user 7, created 2014-01-21T20:24:14.577.
    user7 = next(a for a in accounts if isinstance(a, RawRecord) and a.values["id"] == "user:7")
    assert user7.row == 8
    assert user7.values["name"] == "user7"
    assert user7.values["started_at"] == dt.datetime(
        2014, 1, 21, 20, 24, 14, 577_000, tzinfo=UTC
    )
    assert user7.values["churned_at"] is None


# --- hand-made fixtures -----------------------------------------------------------------------


def _row(**attributes: str) -> str:
    return "  <row " + " ".join(f"{k}={quoteattr(v)}" for k, v in attributes.items()) + " />\n"


def _write_dump(
    folder: Path,
    posts: list[dict[str, str]],
    comments: list[dict[str, str]],
    users: list[dict[str, str]],
) -> Path:
    """Write a tiny hand-made dump, with the UTF-8 byte-order mark the real files carry."""
    for name, tag, rows in (
        ("Posts", "posts", posts),
        ("Comments", "comments", comments),
        ("Users", "users", users),
    ):
        body = "".join(_row(**row) for row in rows)
        text = f'\ufeff<?xml version="1.0" encoding="utf-8"?>\n<{tag}>\n{body}</{tag}>\n'
        (folder / f"{name}.xml").write_text(text, encoding="utf-8")
    return folder


T0 = "2016-03-27T01:30:00.000"


def _question(post_id: str, owner: str | None, **extra: str) -> dict[str, str]:
    row = {
        "Id": post_id,
        "PostTypeId": "1",
        "CreationDate": T0,
        "Body": "<p>Q?</p>",
        "Title": "T",
    }
    if owner is not None:
        row["OwnerUserId"] = owner
    row.update(extra)
    return row


def _answer(post_id: str, parent: str, owner: str | None) -> dict[str, str]:
    row = {
        "Id": post_id,
        "PostTypeId": "2",
        "ParentId": parent,
        "CreationDate": T0,
        "Body": "A",
    }
    if owner is not None:
        row["OwnerUserId"] = owner
    return row


def _comment(comment_id: str, post: str, user: str | None, text: str = "c") -> dict[str, str]:
    row = {"Id": comment_id, "PostId": post, "Text": text, "CreationDate": T0}
    if user is not None:
        row["UserId"] = user
    return row


def test_handmade_thread_directions_and_links(tmp_path: Path) -> None:
    # Hand-made: question by 1, an answer by 2, a self-answer by 1, comments by 1 and 2.
    _write_dump(
        tmp_path,
        posts=[
            _question("10", "1", AcceptedAnswerId="12"),
            _answer("11", "10", "2"),
            _answer("12", "10", "1"),
        ],
        comments=[_comment("1", "11", "1"), _comment("2", "10", "2")],
        users=[{"Id": "1", "CreationDate": "2015-01-01T00:00:00.000", "DisplayName": "user1"}],
    )
    records, rejections = _split(list(QaDumpAdapter().read(tmp_path).touchpoints))

    assert rejections == []
    assert {
        k: (r.values["direction"], r.values["in_reply_to"]) for k, r in records.items()
    } == {
        "post:10": ("inbound", None),
        "post:11": ("outbound", "post:10"),
        "post:12": ("inbound", "post:10"),
        "comment:1": ("inbound", "post:11"),
        "comment:2": ("outbound", "post:10"),
    }
    assert {r.values["account_id"] for r in records.values()} == {"user:1"}
    assert records["post:12"].values["outcome"] == "accepted"
    assert records["post:11"].values["outcome"] is None


def test_handmade_rejections_name_the_reason(tmp_path: Path) -> None:
    # Hand-made: one row per quirk that cannot become a touchpoint.
    _write_dump(
        tmp_path,
        posts=[
            {"Id": "1", "PostTypeId": "5", "CreationDate": T0, "Body": "", "OwnerUserId": "-1"},
            {"Id": "2", "PostTypeId": "4", "CreationDate": T0, "Body": "excerpt"},
            {"Id": "3", "PostTypeId": "7", "CreationDate": T0, "Body": "placeholder"},
            _question("4", None),  # deleted asker
            _answer("5", "4", "2"),  # answer to the rejected question
            _answer("6", "99", "2"),  # question not in the dump
            _answer("7", "1", "2"),  # "question" is a tag wiki
            {"PostTypeId": "1", "CreationDate": T0, "OwnerUserId": "3"},  # no Id
        ],
        comments=[
            _comment("1", "4", "2"),  # on the rejected question
            _comment("2", "5", "2"),  # on an answer of the rejected question
            _comment("3", "99", "2"),  # post not in the dump
            _comment("4", "1", "2"),  # on a tag wiki
            _comment("5", "4", None),  # no author and a rejected question: the question wins
        ],
        users=[],
    )
    records, rejections = _split(list(QaDumpAdapter().read(tmp_path).touchpoints))

    assert records == {}
    assert [(Path(r.source).name, r.row, r.field, r.reason) for r in rejections] == [
        ("Posts.xml", 1, "PostTypeId", qa.REASON_NOT_QA),
        ("Posts.xml", 2, "PostTypeId", qa.REASON_NOT_QA),
        ("Posts.xml", 3, "PostTypeId", qa.REASON_NOT_QA),
        ("Posts.xml", 4, "OwnerUserId", qa.REASON_NO_OWNER),
        ("Posts.xml", 5, "ParentId", qa.REASON_ANSWER_QUESTION_REJECTED),
        ("Posts.xml", 6, "ParentId", qa.REASON_ANSWER_NO_QUESTION),
        ("Posts.xml", 7, "ParentId", qa.REASON_ANSWER_NO_QUESTION),
        ("Posts.xml", 8, "Id", qa.REASON_NO_ID),
        ("Comments.xml", 1, "PostId", qa.REASON_COMMENT_QUESTION_REJECTED),
        ("Comments.xml", 2, "PostId", qa.REASON_COMMENT_QUESTION_REJECTED),
        ("Comments.xml", 3, "PostId", qa.REASON_COMMENT_NO_POST),
        ("Comments.xml", 4, "PostId", qa.REASON_COMMENT_NOT_QA),
        ("Comments.xml", 5, "PostId", qa.REASON_COMMENT_QUESTION_REJECTED),
    ]
    assert "PostTypeId" in rejections[0].describe()


def test_handmade_comment_without_author_is_rejected(tmp_path: Path) -> None:
    # Hand-made: a deleted user's comment on a kept question.
    _write_dump(
        tmp_path, posts=[_question("1", "1")], comments=[_comment("1", "1", None)], users=[]
    )
    records, rejections = _split(list(QaDumpAdapter().read(tmp_path).touchpoints))

    assert list(records) == ["post:1"]
    assert [(r.field, r.reason) for r in rejections] == [
        ("UserId", qa.REASON_COMMENT_NO_AUTHOR)
    ]


def test_handmade_answer_without_owner_is_kept(tmp_path: Path) -> None:
    # Hand-made: a deleted user's answer is still the community's reply.
    _write_dump(
        tmp_path, posts=[_question("1", "1"), _answer("2", "1", None)], comments=[], users=[]
    )
    records, _ = _split(list(QaDumpAdapter().read(tmp_path).touchpoints))

    assert records["post:2"].values["contact_id"] is None
    assert records["post:2"].values["direction"] == "outbound"


def test_handmade_text_html_stripped_comment_verbatim(tmp_path: Path) -> None:
    # Hand-made: an HTML body with entities, a list and a quote; a comment with "<sigh>".
    body = (
        "<p>Hops &amp; malt&nbsp; <em>matter</em>.</p>\n\n"
        "<ul>\n<li>one</li>\n</ul><blockquote><p>cited</p></blockquote>"
    )
    _write_dump(
        tmp_path,
        posts=[_question("1", "1", Body=body)],
        comments=[_comment("1", "1", "1", text="  dupe &amp; all <sigh> ")],
        users=[],
    )
    records, _ = _split(list(QaDumpAdapter().read(tmp_path).touchpoints))

    assert records["post:1"].values["text"] == "Hops & malt matter.\none\ncited"
    assert records["post:1"].values["quoted_text"] is None
    # The XML layer turned &amp;amp; into "&amp;"; comment text is not unescaped again.
    assert records["comment:1"].values["text"] == "dupe &amp; all <sigh>"


def test_html_to_text_empty() -> None:
    assert html_to_text("") is None
    assert html_to_text("<p> </p><br/>") is None


def test_handmade_timezone_option_and_unreadable_time(tmp_path: Path) -> None:
    # Hand-made: T0 is 01:30 on the night Europe/Berlin springs forward (02:00 -> 03:00):
    # 01:30 exists (CET, +01:00). A second question has an unreadable date.
    _write_dump(
        tmp_path,
        posts=[_question("1", "1"), _question("2", "1", CreationDate="yesterday-ish")],
        comments=[],
        users=[],
    )
    utc, _ = _split(list(QaDumpAdapter().read(tmp_path).touchpoints))
    berlin, _ = _split(list(QaDumpAdapter(timezone="Europe/Berlin").read(tmp_path).touchpoints))

    assert utc["post:1"].values["occurred_at"] == dt.datetime(2016, 3, 27, 1, 30, tzinfo=UTC)
    assert berlin["post:1"].values["occurred_at"] == dt.datetime(2016, 3, 27, 0, 30, tzinfo=UTC)
    assert utc["post:2"].values["occurred_at"] == "yesterday-ish"


def test_handmade_accounts_from_askers_only(tmp_path: Path) -> None:
    # Hand-made: askers 1 (in Users.xml) and 3 (missing from it); user 2 only answers.
    _write_dump(
        tmp_path,
        posts=[
            _question("1", "1"),
            _answer("2", "1", "2"),
            _question("3", "3"),
            _question("4", "3"),
        ],
        comments=[],
        users=[
            {"Id": "2", "CreationDate": "2014-01-01T00:00:00.000", "DisplayName": "user2"},
            {
                "Id": "1",
                "CreationDate": "2014-01-21T20:24:14.577",
                "DisplayName": "user1",
                "LastAccessDate": "2016-12-01T00:00:00.000",
            },
        ],
    )
    accounts = list(QaDumpAdapter(segment="mid_touch").read(tmp_path).accounts)

    assert [(Path(a.source).name, a.row) for a in accounts] == [
        ("Users.xml", 2),
        ("Posts.xml", 3),
    ]
    first, missing = (a.values for a in accounts if isinstance(a, RawRecord))
    assert first == {
        "id": "user:1",
        "segment": "mid_touch",
        "name": "user1",
        "annual_revenue": None,
        "owner": None,
        "lifecycle_stage": None,
        "started_at": dt.datetime(2014, 1, 21, 20, 24, 14, 577_000, tzinfo=UTC),
        "renews_at": None,
        "churned_at": None,
    }
    assert (missing["id"], missing["name"], missing["started_at"]) == ("user:3", None, None)


def test_options_are_checked_when_built() -> None:
    assert isinstance(QaDumpAdapter(), Adapter)
    assert QaDumpAdapter.name == "qa_dump"
    with pytest.raises(UnknownNameError, match="Mars/Olympus"):
        QaDumpAdapter(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="segment"):
        QaDumpAdapter(segment=" ")
    assert QaDumpAdapter(segment="strategic").segment == "strategic"  # a catalog's own segment


def test_missing_file_and_bad_xml(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"Posts\.xml"):
        QaDumpAdapter().read(tmp_path)

    # Hand-made: a Posts.xml cut off in the middle of a row.
    _write_dump(tmp_path, posts=[_question("1", "1")], comments=[], users=[])
    text = (tmp_path / "Posts.xml").read_text(encoding="utf-8")
    (tmp_path / "Posts.xml").write_text(text[: text.index("/>")], encoding="utf-8")
    with pytest.raises(DataError, match=r"Posts\.xml: not well-formed XML"):
        list(QaDumpAdapter().read(tmp_path).touchpoints)


# --- invariant: nothing read is lost, every link and account resolves -------------------------

_post_rows = st.lists(
    st.tuples(
        st.sampled_from(["1", "2", "5"]),
        st.one_of(st.none(), st.sampled_from(["1", "2", "3"])),
        st.integers(1, 12),
    ),
    max_size=12,
)
_comment_rows = st.lists(
    st.tuples(st.integers(1, 14), st.one_of(st.none(), st.sampled_from(["1", "2", "3"]))),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(posts=_post_rows, comments=_comment_rows)
def test_every_row_is_a_record_or_a_rejection(
    tmp_path_factory: pytest.TempPathFactory,
    posts: list[tuple[str, str | None, int]],
    comments: list[tuple[int, str | None]],
) -> None:
    folder = tmp_path_factory.mktemp("dump")
    post_rows = []
    for number, (type_id, owner, parent) in enumerate(posts, start=1):
        row = {"Id": str(number), "PostTypeId": type_id, "CreationDate": T0, "Body": "b"}
        if owner is not None:
            row["OwnerUserId"] = owner
        if type_id == "2":
            row["ParentId"] = str(parent)
        post_rows.append(row)
    comment_rows = [
        _comment(str(n), str(post), user) for n, (post, user) in enumerate(comments, 1)
    ]
    _write_dump(folder, post_rows, comment_rows, users=[{"Id": "1", "CreationDate": T0}])

    source = QaDumpAdapter().read(folder)
    items = list(source.touchpoints)
    records, rejections = _split(items)
    accounts = {a.values["id"] for a in source.accounts if isinstance(a, RawRecord)}

    assert len(items) == len(posts) + len(comments)
    assert len(records) + len(rejections) == len(items)
    assert all(r.reason for r in rejections)
    for record in records.values():
        assert record.values["account_id"] in accounts
        link = record.values["in_reply_to"]
        assert link is None or link in records
