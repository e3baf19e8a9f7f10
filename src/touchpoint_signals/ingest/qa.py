"""Adapter for a Stack Exchange data dump: a Q&A community read as a support desk.

A Stack Exchange site publishes its history as XML files with one ``<row .../>`` element per
record. This adapter reads three of them from a dump folder: ``Posts.xml`` (questions,
answers and a few site-maintenance posts), ``Comments.xml`` and ``Users.xml``.

Mapping
-------
The community plays the vendor and every asker is an account. A question, its answers and
every comment on the question or on one of its answers belong to the account of the user who
asked the question.

* **Question** (``PostTypeId`` 1): ``kind="support"``, inbound, ``trigger="customer_raised"``,
  ``channel="web"``, ``contact_id`` the asker, ``purpose`` the title, ``text`` the body as
  plain text, ``outcome="closed"`` when the dump records a ``ClosedDate``.
* **Answer** (``PostTypeId`` 2): outbound (written by the community), ``in_reply_to`` the
  question, ``contact_id`` the answerer, ``outcome="accepted"`` for the accepted answer.
* **Comment**: inbound when the asker wrote it, outbound otherwise; ``in_reply_to`` the post
  it is on, ``contact_id`` its author.

Every touchpoint is ``status="completed"`` (it was posted) and ``channel="web"``; the thread
was raised by the customer, so answers and comments also carry ``trigger="customer_raised"``.
Ids are ``"post:<Id>"`` and ``"comment:<Id>"``; user ids become ``"user:<Id>"`` both as
``contact_id`` and as ``account_id``.

One account record is derived per asker of an accepted question, with ``name`` the user's
``DisplayName``, ``started_at`` the user's ``CreationDate`` and ``segment`` from the
``segment`` option. The dump has no revenue, owner, lifecycle stage, renewal or churn date,
so those are ``None``.

Quirks and how they are treated
-------------------------------
* The files start with a UTF-8 byte-order mark. They are read as bytes by the XML parser,
  which skips the mark.
* Times (``CreationDate``) are naive; by the dump's convention they are UTC. They are placed
  in the ``timezone`` option (default ``"UTC"``). A time that cannot be read is passed through
  as its raw string so that the loader rejects it, naming the field.
* Tag-wiki posts (``PostTypeId`` 4 and 5) and the other site-maintenance posts (``PostTypeId``
  3, 6, 7 and 8: orphaned tag wikis, moderator nominations, wiki placeholders, privilege
  wikis) are not customer conversations: each is **rejected** with the reason "post is
  not a question or an answer".
* A question without ``OwnerUserId`` (its author deleted their account) has no asker and so
  no account: it is **rejected** ("question has no owner, so it has no account").
* An answer whose question is missing from the dump, or is not a question, is **rejected**
  ("answer's question is not in the dump"); an answer to a rejected question is **rejected**
  ("answer's question was rejected"). Comments are treated the same way, with the reasons
  "comment's post is not in the dump", "comment is on a post that is not a question or an
  answer" and "comment's question was rejected".
* An answer without ``OwnerUserId`` (deleted user) is **kept** with ``contact_id=None``: its
  direction does not depend on who wrote it unless that was the asker, and a deleted user
  cannot be the asker of a question that still has an owner.
* A comment without ``UserId`` (deleted user) is **rejected** ("comment has no author, so its
  direction is unknown"): whether it came from the customer or the community cannot be told.
  When a comment has both this problem and a rejected question, the question's reason is
  reported.
* An answer written by the asker of its own question (a self-answer) is taken as
  **inbound**: the customer wrote it, just as a comment by the asker is inbound. Counting it
  as the community's reply would credit the vendor with the customer's own work.
* ``Body`` of a post is HTML (the XML layer escapes it once). It is unescaped and its tags are
  stripped with :mod:`html.parser`; block elements (paragraphs, list items, headings, line
  breaks, quotes, code blocks) become line breaks, blank lines are dropped and runs of
  spaces collapse. Code blocks therefore lose their indentation. Block quotes on this kind of
  site quote outside sources rather than earlier messages, so they stay in ``text`` and
  ``quoted_text`` is ``None``.
* ``Text`` of a comment is **not** HTML: Stack Exchange stores comments as Markdown source,
  and the only escaping is the XML layer's. It is kept verbatim (trimmed). Stripping tags
  from it would delete the author's words, e.g. a literal ``<sigh>`` in the Beer dump.
* ``Users.LastAccessDate`` is a point-in-time "last seen" value taken when the dump was made;
  it is not an event and is not used. Users who never asked a question (answerers, voters,
  lurkers) are contacts of the vendor side or inactive, not accounts: ``Users.xml`` is used
  only as a lookup for askers and its other rows produce no records. An asker missing from
  ``Users.xml`` still gets an account, with ``name`` and ``started_at`` ``None``, whose
  ``source``/``row`` are those of the asker's first question.
* A post or comment without an ``Id`` cannot be referred to: it is **rejected** ("row has no
  Id"). There are none in the Beer dump.
* ``Votes.xml``, ``Badges.xml``, ``PostLinks.xml`` and ``Tags.xml`` are not read: they are
  not conversations between the customer and the vendor.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import attrs

from touchpoint_signals.errors import DataError
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import SourceRecords
from touchpoint_signals.timeparse import parse_instant, parse_timezone

__all__ = ["QaDumpAdapter"]

logger = logging.getLogger(__name__)

_QUESTION = "1"
_ANSWER = "2"

#: Elements after which the plain text of a post starts a new line.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "br",
        "li",
        "ul",
        "ol",
        "pre",
        "blockquote",
        "div",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
    }
)

_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")

# Reasons, kept as constants so that tests and reports count them by the same text.
REASON_NOT_QA = "post is not a question or an answer"
REASON_NO_OWNER = "question has no owner, so it has no account"
REASON_ANSWER_NO_QUESTION = "answer's question is not in the dump"
REASON_ANSWER_QUESTION_REJECTED = "answer's question was rejected"
REASON_COMMENT_NO_POST = "comment's post is not in the dump"
REASON_COMMENT_NOT_QA = "comment is on a post that is not a question or an answer"
REASON_COMMENT_QUESTION_REJECTED = "comment's question was rejected"
REASON_COMMENT_NO_AUTHOR = "comment has no author, so its direction is unknown"
REASON_NO_ID = "row has no Id"


def _check_timezone(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Refuse an unknown zone name when the adapter is built, not when the data is read."""
    parse_timezone(value)


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Refuse an empty segment name; whether it is known is for the loader's catalog."""
    if not value.strip():
        raise ValueError(f"{attribute.name} must be a segment name, got {value!r}")


@attrs.frozen
class _Post:
    """What the adapter remembers of a post between passes: ids only, never its text."""

    row: int
    type_id: str
    parent_id: str | None
    owner_id: str | None
    accepted_answer_id: str | None


class _PlainText(HTMLParser):
    """Collect the text of an HTML fragment, turning block elements into line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(fragment: str) -> str | None:
    """Return the plain text of an HTML fragment, or ``None`` if it holds no text.

    Character references are unescaped, tags removed, block elements become line breaks,
    blank lines are dropped and runs of spaces (including non-breaking ones) collapse.

    Examples
    --------
    >>> html_to_text("<p>Hops &amp; malt</p>\\n<ul><li>one</li><li>two</li></ul>")
    'Hops & malt\\none\\ntwo'
    """
    parser = _PlainText()
    parser.feed(fragment)
    parser.close()

    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line)
    return text or None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(1-based row number, attributes)`` for each ``<row>`` of a dump file.

    Elements are cleared once read so that memory stays flat however large the file.
    A file that is not well-formed XML raises :class:`DataError` naming the file.
    """
    row = 0
    root: ET.Element | None = None
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if root is None:
                root = element
            if event != "end" or element.tag != "row":
                continue

            row += 1
            yield row, dict(element.attrib)
            root.clear()
    except ET.ParseError as exc:
        raise DataError(f"{path}: not well-formed XML after row {row}: {exc}") from None


def _user_id(raw: str | None) -> str | None:
    """The canonical contact/account id of a dump user id, or ``None`` when absent."""
    if raw is None or not raw.strip():
        return None
    return f"user:{raw.strip()}"


@attrs.frozen
class QaDumpAdapter:
    """Read a Stack Exchange data dump folder as support conversations between askers and
    the community.

    Parameters
    ----------
    timezone
        The zone the dump's naive ``CreationDate`` values were written in. Stack Exchange
        writes UTC, hence the default.
    segment
        The segment given to every derived account: a built-in (``high_touch``,
        ``mid_touch``, ``tech_touch``) or one of the loader's catalog. A community serves its
        askers one-to-many, hence ``tech_touch``.

    Notes
    -----
    See the module docstring for the mapping and for every quirk of the format and its
    treatment. ``read`` opens nothing until its iterators are consumed; it only checks that
    the three files exist.
    """

    name: ClassVar[str] = "qa_dump"

    timezone: str = attrs.field(default="UTC", converter=str, validator=_check_timezone)
    segment: str = attrs.field(default="tech_touch", converter=str, validator=_check_name)

    def read(self, source: str | os.PathLike[str]) -> SourceRecords:
        """Return the touchpoints and accounts of the dump folder ``source``.

        Raises
        ------
        FileNotFoundError
            If ``source`` is not a folder holding ``Posts.xml``, ``Comments.xml`` and
            ``Users.xml``.
        """
        folder = Path(source)
        paths = {name: folder / f"{name}.xml" for name in ("Posts", "Comments", "Users")}

        for path in paths.values():
            if not path.is_file():
                raise FileNotFoundError(
                    f"{path} not found: a Stack Exchange dump folder holds Posts.xml, "
                    "Comments.xml and Users.xml"
                )

        return SourceRecords(
            touchpoints=self._touchpoints(paths["Posts"], paths["Comments"]),
            accounts=self._accounts(paths["Posts"], paths["Users"]),
        )

    def _instant(self, raw: str | None) -> dt.datetime | str | None:
        """An aware instant from a naive dump time, or the raw text if it cannot be read."""
        if raw is None:
            return None
        try:
            return parse_instant(raw, default_tz=parse_timezone(self.timezone))
        except DataError:
            return raw

    def _touchpoints(
        self, posts_path: Path, comments_path: Path
    ) -> Iterator[RawRecord | Rejection]:
        """Stream the posts, then the comments, as touchpoint records or rejections."""
        index = _index_posts(posts_path)
        counts: Counter[str] = Counter()

        for row, attributes in _rows(posts_path):
            item = self._post(str(posts_path), row, attributes, index)
            counts["post rejected" if isinstance(item, Rejection) else "post"] += 1
            yield item

        for row, attributes in _rows(comments_path):
            item = self._comment(str(comments_path), row, attributes, index)
            counts["comment rejected" if isinstance(item, Rejection) else "comment"] += 1
            yield item

        logger.info("read Stack Exchange dump %s: %s", posts_path.parent, dict(counts))

    def _post(
        self, source: str, row: int, attributes: dict[str, str], index: dict[str, _Post]
    ) -> RawRecord | Rejection:
        """Turn one ``Posts.xml`` row into a question or answer record, or a rejection."""
        post_id = attributes.get("Id", "").strip()
        type_id = attributes.get("PostTypeId")
        if not post_id:
            return Rejection(source, row, "Id", None, "the post's Id", REASON_NO_ID)

        if type_id == _QUESTION:
            owner = _user_id(attributes.get("OwnerUserId"))
            if owner is None:
                return Rejection(
                    source,
                    row,
                    "OwnerUserId",
                    None,
                    "the id of the user who asked",
                    REASON_NO_OWNER,
                )
            return RawRecord(
                source,
                row,
                self._values(
                    id=f"post:{post_id}",
                    account_id=owner,
                    occurred_at=attributes.get("CreationDate"),
                    direction="inbound",
                    contact_id=owner,
                    in_reply_to=None,
                    text=html_to_text(attributes.get("Body", "")),
                    purpose=attributes.get("Title"),
                    outcome="closed" if attributes.get("ClosedDate") else None,
                ),
            )

        if type_id == _ANSWER:
            parent_id = attributes.get("ParentId")
            question = index.get(parent_id) if parent_id is not None else None
            if question is None or question.type_id != _QUESTION:
                return Rejection(
                    source,
                    row,
                    "ParentId",
                    parent_id,
                    "the Id of a question in Posts.xml",
                    REASON_ANSWER_NO_QUESTION,
                )
            asker = _user_id(question.owner_id)
            if asker is None:
                return Rejection(
                    source,
                    row,
                    "ParentId",
                    parent_id,
                    "a question that has an owner",
                    REASON_ANSWER_QUESTION_REJECTED,
                )

            author = _user_id(attributes.get("OwnerUserId"))
            return RawRecord(
                source,
                row,
                self._values(
                    id=f"post:{post_id}",
                    account_id=asker,
                    occurred_at=attributes.get("CreationDate"),
                    direction="inbound" if author == asker else "outbound",
                    contact_id=author,
                    in_reply_to=f"post:{parent_id}",
                    text=html_to_text(attributes.get("Body", "")),
                    purpose=None,
                    outcome="accepted" if question.accepted_answer_id == post_id else None,
                ),
            )

        return Rejection(
            source, row, "PostTypeId", type_id, "1 (question) or 2 (answer)", REASON_NOT_QA
        )

    def _comment(
        self, source: str, row: int, attributes: dict[str, str], index: dict[str, _Post]
    ) -> RawRecord | Rejection:
        """Turn one ``Comments.xml`` row into a comment record, or a rejection."""
        comment_id = attributes.get("Id", "").strip()
        if not comment_id:
            return Rejection(source, row, "Id", None, "the comment's Id", REASON_NO_ID)

        post_id = attributes.get("PostId")
        post = index.get(post_id) if post_id is not None else None
        if post is None:
            return Rejection(
                source,
                row,
                "PostId",
                post_id,
                "the Id of a post in Posts.xml",
                REASON_COMMENT_NO_POST,
            )

        question: _Post | None = None
        if post.type_id == _QUESTION:
            question = post
        elif post.type_id == _ANSWER and post.parent_id is not None:
            question = index.get(post.parent_id)
        if question is None or question.type_id != _QUESTION:
            return Rejection(
                source,
                row,
                "PostId",
                post_id,
                "the Id of a question or an answer",
                REASON_COMMENT_NOT_QA,
            )

        asker = _user_id(question.owner_id)
        if asker is None:
            return Rejection(
                source,
                row,
                "PostId",
                post_id,
                "a post whose question has an owner",
                REASON_COMMENT_QUESTION_REJECTED,
            )

        author = _user_id(attributes.get("UserId"))
        if author is None:
            return Rejection(
                source,
                row,
                "UserId",
                None,
                "the id of the user who commented",
                REASON_COMMENT_NO_AUTHOR,
            )

        text = attributes.get("Text", "").strip()
        return RawRecord(
            source,
            row,
            self._values(
                id=f"comment:{comment_id}",
                account_id=asker,
                occurred_at=attributes.get("CreationDate"),
                direction="inbound" if author == asker else "outbound",
                contact_id=author,
                in_reply_to=f"post:{post_id}",
                text=text or None,
                purpose=None,
                outcome=None,
            ),
        )

    def _values(
        self,
        *,
        id: str,
        account_id: str,
        occurred_at: str | None,
        direction: str,
        contact_id: str | None,
        in_reply_to: str | None,
        text: str | None,
        purpose: str | None,
        outcome: str | None,
    ) -> dict[str, object]:
        """The canonical touchpoint values shared by questions, answers and comments."""
        return {
            "id": id,
            "account_id": account_id,
            "kind": "support",
            "occurred_at": self._instant(occurred_at),
            "status": "completed",
            "channel": "web",
            "direction": direction,
            "contact_id": contact_id,
            "in_reply_to": in_reply_to,
            "trigger": "customer_raised",
            "text": text,
            "quoted_text": None,
            "purpose": purpose,
            "outcome": outcome,
            "recorded_at": None,
            "csat": None,
            "attendees": None,
        }

    def _accounts(self, posts_path: Path, users_path: Path) -> Iterator[RawRecord | Rejection]:
        """Yield one account per asker of an accepted question, in ``Users.xml`` order."""
        first_question: dict[str, int] = {}
        for post in _index_posts(posts_path).values():
            if post.type_id == _QUESTION and post.owner_id is not None:
                first_question.setdefault(post.owner_id, post.row)

        for row, attributes in _rows(users_path):
            user_id = attributes.get("Id")
            if user_id is None or first_question.pop(user_id, None) is None:
                continue
            yield RawRecord(
                str(users_path),
                row,
                self._account(
                    user_id, attributes.get("DisplayName"), attributes.get("CreationDate")
                ),
            )

        if first_question:
            logger.warning(
                "%d askers are missing from %s; their accounts have no name or start",
                len(first_question),
                users_path,
            )
        for user_id, row in first_question.items():
            yield RawRecord(str(posts_path), row, self._account(user_id, None, None))

    def _account(
        self, user_id: str, name: str | None, created: str | None
    ) -> dict[str, object]:
        """The canonical account values of one asker."""
        return {
            "id": _user_id(user_id),
            "segment": self.segment,
            "name": name,
            "annual_revenue": None,
            "owner": None,
            "lifecycle_stage": None,
            "started_at": self._instant(created),
            "renews_at": None,
            "churned_at": None,
        }


def _index_posts(path: Path) -> dict[str, _Post]:
    """Read the ids, types, parents and owners of every post, without keeping any text.

    The index lets an answer or a comment find its question wherever it sits in the file.
    """
    index: dict[str, _Post] = {}
    for row, attributes in _rows(path):
        post_id = attributes.get("Id", "").strip()
        if not post_id:
            continue
        owner = attributes.get("OwnerUserId")
        index[post_id] = _Post(
            row=row,
            type_id=attributes.get("PostTypeId", ""),
            parent_id=attributes.get("ParentId"),
            owner_id=owner.strip() if owner is not None and owner.strip() else None,
            accepted_answer_id=attributes.get("AcceptedAnswerId"),
        )
    return index
