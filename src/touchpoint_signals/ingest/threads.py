"""Support threads on a social network: one tweet per row, replies linked by tweet id.

The layout is the one of the public "Customer Support on Twitter" (TWCS) data set: a CSV with
one row per tweet, the author's handle, an ``inbound`` flag that is true for tweets written by
customers, the creation time as Twitter prints it (``Tue Oct 31 22:10:47 +0000 2017``), the
text, and the id of the tweet a tweet answers. Brands (the vendors) answer customers in public
threads. Column names are options, so an export from another tool with the same shape reads
too.

Mapping
-------
Every tweet becomes one ``outreach`` touchpoint on the ``social`` channel with status
``completed`` (a tweet that exists was sent). A customer tweet is ``inbound`` and belongs to
the account of its author; a brand tweet is ``outbound`` and belongs to the account of the
customer it answers, found by walking up the reply chain to the nearest customer tweet. The
brand's handle is the brand tweet's ``contact_id``, the customer's id the customer tweet's.
A customer tweet that answers nothing opens a thread and has the trigger ``customer_raised``;
every other tweet has no trigger, because the data does not say why it was written.
``in_reply_to`` names the answered tweet only when that tweet is a record of this source in the
same account (see the quirks). One account record is derived per customer, with the segment
given by an option.

Quirks and how they are treated
-------------------------------
* **Bare carriage returns in unquoted texts.** The TWCS cut was written with ``\\n`` as the
  record end and without quoting texts that hold a bare ``\\r``. Python's ``csv`` module ends a
  record at any ``\\r`` outside quotes, even with ``newline=''``, which would split such a
  tweet in two. Lines are therefore split on ``\\n`` only and a bare ``\\r`` is handed to the
  parser masked as a Unicode noncharacter, then restored in the text: the text is kept exactly
  as written. A ``\\r\\n`` line end (a file re-saved on Windows) is left alone. If the source
  itself held the masking noncharacter U+FFFF, it would come back as ``\\r``; that character is
  not meant for interchange and does not occur in TWCS.
* **Leading unnamed index column** (a pandas index, ``0..4999``). It is ignored; ``row`` is the
  1-based record number after the header, which is the index plus one.
* **Reply ids written as floats** (``"3.0"``). Ids made only of digits, with or without a
  ``.0`` fraction, are read as integers, so ``"3.0"`` and ``"3"`` name the same tweet. An id
  written with an exponent or a non-zero fraction has lost digits to floating point and is
  rejected (field ``in_response_to_tweet_id`` or ``tweet_id``, reason "id rounded by a float
  export"). Other non-empty ids are kept as opaque strings.
* **Replies to tweets that are not in the file** (the file is a head cut of a larger set; 6
  tweets in TWCS head 5000). A customer tweet keeps its record with ``in_reply_to`` and
  ``trigger`` set to ``None``: whether it opened a thread is unknown. A brand tweet is treated
  like the next case.
* **Brand tweets whose thread holds no customer tweet in the file** (26 in TWCS head 5000).
  When ``mention_fallback`` is on (the default), the account is the first handle the tweet
  addresses with a leading ``@mention`` that is not a brand in the file: brand answers start
  with the customer's handle even when the customer's tweet was cut off (7 tweets). Tweets
  without such a mention are broadcasts to all followers (promotions, service notices; 19
  tweets) and belong to no single account: they are rejected with the reason "brand broadcast
  with no customer in its thread". Customers' replies to a broadcast keep their record without
  ``in_reply_to``.
* **Customer-to-customer replies** (395 in TWCS head 5000). A customer answering their own
  earlier tweet (166) is a follow-up in their own account and keeps the link. A customer
  answering another customer (229) is an inbound touchpoint of the replier's own account, and
  the link is dropped because it would cross accounts: reply latencies are measured inside an
  account's conversation with the vendor.
* **Replies across accounts in general.** The same rule drops any link whose target tweet was
  attributed to another account (a customer answering a brand tweet that was addressed to
  someone else). The counts of every dropped link are logged once per file at INFO.
* **Duplicate tweet ids**: the first row keeps the id; later rows are rejected with the reason
  "duplicate tweet id" (none in TWCS head 5000).
* **Malformed rows**: a row with a different number of fields than the header, an empty tweet
  id or author, or an ``inbound`` value that is not a boolean is rejected with a reason naming
  the field. Blank lines are not records: they are skipped and do not count in ``row``.

``created_at`` is passed through as written: Twitter times carry a ``+0000`` offset, so the
loader reads them as aware instants and rejects, with the field named, any it cannot read.
``recorded_at`` is left empty, which means "written when it happened": a tweet is public the
moment it is posted. Texts are kept whole, leading ``@mentions`` included; tweets quote no
history, so ``quoted_text`` is always ``None``.
"""

from __future__ import annotations

import csv
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import ClassVar

import attrs

from touchpoint_signals.errors import DataError
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import SourceRecords

__all__ = ["SupportThreadsAdapter"]

logger = logging.getLogger(__name__)

#: Stands in for a bare carriage return while the csv module parses a line (a noncharacter).
_CR_MASK = "\uffff"

_INTEGRAL_ID = re.compile(r"(\d+)(?:\.0*)?", re.ASCII)
_FLOAT_ID = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
_LEADING_MENTIONS = re.compile(r"\s*((?:@\w+\s*)+)")

_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})

_BROADCAST = "brand broadcast with no customer in its thread"


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise DataError(f"{type(instance).__name__}.{attribute.name} must not be empty")


def _lf_lines(path: str, encoding: str) -> Iterator[str]:
    r"""Yield the lines of ``path`` split on ``\n`` only, with every bare ``\r`` masked.

    A ``\r`` directly before the ``\n`` is a Windows line end and stays as it is.
    """
    with open(path, encoding=encoding, newline="\n") as handle:
        for line in handle:
            if "\r" not in line:
                yield line
                continue

            if line.endswith("\r\n"):
                yield line[:-2].replace("\r", _CR_MASK) + "\r\n"
            else:
                yield line.replace("\r", _CR_MASK)


def _csv_rows(path: str, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(record number, fields)`` for the records of ``path``; record 0 is the header.

    Blank lines are not records: they are skipped and take no number.
    """
    number = 0
    for fields in csv.reader(_lf_lines(path, encoding)):
        if not fields:
            continue
        yield number, [field.replace(_CR_MASK, "\r") for field in fields]
        number += 1


def _read_id(text: str) -> str | None:
    """The tweet id in ``text``: integers normalised, floats refused (``None``), else as is."""
    value = text.strip()
    whole = _INTEGRAL_ID.fullmatch(value)
    if whole is not None:
        return str(int(whole.group(1)))

    if _FLOAT_ID.fullmatch(value):
        return None

    return value


@attrs.frozen
class _Tweet:
    """One row of the file, read and checked, before its account is known."""

    row: int
    tweet_id: str
    author: str
    inbound: bool
    parent: str | None
    created_at: str
    text: str


@attrs.frozen
class _Node:
    """What account resolution needs to know of a tweet: no text, to keep the index small."""

    row: int
    author: str
    inbound: bool
    parent: str | None
    mentions: tuple[str, ...]


@attrs.define
class _ThreadIndex:
    """The reply graph of one file and the account each tweet belongs to."""

    nodes: dict[str, _Node] = attrs.field(factory=dict)
    account_of: dict[str, str | None] = attrs.field(factory=dict)
    accounts: dict[str, int] = attrs.field(factory=dict)
    how: Counter[str] = attrs.field(factory=Counter)


@attrs.frozen
class SupportThreadsAdapter:
    """Read a CSV of support tweets (the TWCS layout) as touchpoints and customer accounts.

    Parameters
    ----------
    tweet_id_column, author_column, inbound_column, created_at_column, text_column, \
in_response_to_column
        Names of the columns holding the tweet id, the author's handle, the flag that is true
        for customer tweets, the creation time, the text and the id of the answered tweet.
        The defaults are the TWCS names.
    segment
        Segment of every derived customer account. Social-media support is usually the
        tech-touch motion, hence ``"tech_touch"``.
    mention_fallback
        Attribute a brand tweet whose thread has no customer tweet in the file to the first
        non-brand handle it addresses with a leading ``@mention``. When off, such tweets are
        rejected like broadcasts.
    encoding
        Text encoding of the file.

    Notes
    -----
    The file is read twice: a first pass keeps only the reply graph (ids, authors, links and
    leading mentions, no texts) to attribute brand tweets to customers, a second pass streams
    the records. The module docstring lists the quirks of real exports and their treatment.

    Examples
    --------
    >>> adapter = SupportThreadsAdapter(segment="mid_touch")
    >>> adapter.name, adapter.in_response_to_column
    ('support_threads', 'in_response_to_tweet_id')
    """

    name: ClassVar[str] = "support_threads"

    tweet_id_column: str = attrs.field(default="tweet_id", converter=str, validator=_non_empty)
    author_column: str = attrs.field(default="author_id", converter=str, validator=_non_empty)
    inbound_column: str = attrs.field(default="inbound", converter=str, validator=_non_empty)
    created_at_column: str = attrs.field(
        default="created_at", converter=str, validator=_non_empty
    )
    text_column: str = attrs.field(default="text", converter=str, validator=_non_empty)
    in_response_to_column: str = attrs.field(
        default="in_response_to_tweet_id", converter=str, validator=_non_empty
    )
    segment: str = attrs.field(default="tech_touch", converter=str, validator=_non_empty)
    mention_fallback: bool = attrs.field(default=True, converter=bool)
    encoding: str = attrs.field(default="utf-8", converter=str, validator=_non_empty)

    def read(self, source: str | os.PathLike[str]) -> SourceRecords:
        """Return lazy touchpoint and account records of the thread file ``source``.

        Nothing is read until one of the iterables is iterated; the reply graph is built once
        and shared by both.
        """
        path = os.fspath(source)
        built: list[_ThreadIndex] = []

        def index() -> _ThreadIndex:
            if not built:
                built.append(self._build_index(path))
            return built[0]

        return SourceRecords(
            touchpoints=self._touchpoints(path, index), accounts=self._accounts(path, index)
        )

    def _tweets(self, path: str) -> Iterator[_Tweet | Rejection]:
        """Yield every record of the file as a checked :class:`_Tweet` or a rejection."""
        rows = _csv_rows(path, self.encoding)
        header = next(rows, None)
        if header is None:
            return

        columns = self._positions(path, header[1])
        width = len(header[1])

        for number, fields in rows:
            if len(fields) != width:
                yield Rejection(
                    path,
                    number,
                    None,
                    fields,
                    f"{width} fields as in the header",
                    f"row has {len(fields)} fields",
                )
                continue

            yield self._check(path, number, {key: fields[i] for key, i in columns.items()})

    def _positions(self, path: str, header: list[str]) -> dict[str, int]:
        """Map each role to its column position, or raise naming the missing column."""
        wanted = {
            "tweet_id": self.tweet_id_column,
            "author": self.author_column,
            "inbound": self.inbound_column,
            "created_at": self.created_at_column,
            "text": self.text_column,
            "parent": self.in_response_to_column,
        }

        missing = [column for column in wanted.values() if column not in header]
        if missing:
            raise DataError(
                f"{path}: the header has no column {missing[0]!r}; it has {header!r}. Set the "
                "adapter's column options to the names this file uses"
            )

        return {role: header.index(column) for role, column in wanted.items()}

    def _check(self, path: str, row: int, raw: dict[str, str]) -> _Tweet | Rejection:
        """Read one row's fields, or say which field makes the row unusable."""
        tweet_id = _read_id(raw["tweet_id"])
        if not tweet_id:
            reason = (
                "empty tweet id"
                if not raw["tweet_id"].strip()
                else "id rounded by a float export"
            )
            return Rejection(
                path, row, self.tweet_id_column, raw["tweet_id"], "an integer id", reason
            )

        author = raw["author"].strip()
        if not author:
            return Rejection(
                path, row, self.author_column, raw["author"], "a handle", "empty author"
            )

        flag = raw["inbound"].strip().lower()
        if flag not in _TRUE and flag not in _FALSE:
            return Rejection(
                path, row, self.inbound_column, raw["inbound"], "True or False", "not a boolean"
            )

        parent: str | None = None
        if raw["parent"].strip():
            parent = _read_id(raw["parent"])
            if parent is None:
                return Rejection(
                    path,
                    row,
                    self.in_response_to_column,
                    raw["parent"],
                    "an integer id",
                    "id rounded by a float export",
                )

        return _Tweet(
            row, tweet_id, author, flag in _TRUE, parent, raw["created_at"], raw["text"]
        )

    def _build_index(self, path: str) -> _ThreadIndex:
        """First pass: the reply graph, each tweet's account, and the accounts in file order."""
        index = _ThreadIndex()
        for tweet in self._tweets(path):
            if isinstance(tweet, _Tweet) and tweet.tweet_id not in index.nodes:
                mentions = () if tweet.inbound else _leading_mentions(tweet.text)
                index.nodes[tweet.tweet_id] = _Node(
                    tweet.row, tweet.author, tweet.inbound, tweet.parent, mentions
                )

        brands = frozenset(node.author for node in index.nodes.values() if not node.inbound)

        for tweet_id, node in index.nodes.items():
            account, how = self._resolve(index.nodes, node, brands)
            index.account_of[tweet_id] = account
            index.how[how] += 1
            if account is not None and account not in index.accounts:
                index.accounts[account] = node.row

        logger.info(
            "%s: %d tweets indexed; accounts attributed by %s",
            path,
            len(index.nodes),
            dict(sorted(index.how.items())),
        )
        return index

    def _resolve(
        self, nodes: dict[str, _Node], node: _Node, brands: frozenset[str]
    ) -> tuple[str | None, str]:
        """The account of ``node`` and how it was found (a key of the index's tally)."""
        if node.inbound:
            return node.author, "customer author"

        seen: set[str] = set()
        current = node
        while not current.inbound:
            parent = current.parent
            if parent is None or parent not in nodes or parent in seen:
                break
            seen.add(parent)
            current = nodes[parent]

        if current.inbound:
            return current.author, "nearest customer in thread"

        if self.mention_fallback:
            for handle in node.mentions:
                if handle not in brands:
                    return handle, "leading mention"

        return None, "broadcast"

    def _touchpoints(
        self, path: str, index: Callable[[], _ThreadIndex]
    ) -> Iterator[RawRecord | Rejection]:
        """Second pass: stream one record or rejection per row of the file."""
        graph = index()
        links: Counter[str] = Counter()

        for tweet in self._tweets(path):
            if isinstance(tweet, Rejection):
                yield tweet
                continue

            if graph.nodes[tweet.tweet_id].row != tweet.row:
                yield Rejection(
                    path,
                    tweet.row,
                    self.tweet_id_column,
                    tweet.tweet_id,
                    "an id not used by an earlier row",
                    "duplicate tweet id",
                )
                continue

            account = graph.account_of[tweet.tweet_id]
            if account is None:
                yield Rejection(
                    path,
                    tweet.row,
                    None,
                    tweet.tweet_id,
                    "a tweet in a customer's thread",
                    _BROADCAST,
                )
                continue

            in_reply_to, link = _link(graph, tweet, account)
            links[link] += 1
            yield RawRecord(path, tweet.row, self._values(tweet, account, in_reply_to))

        logger.info("%s: reply links %s", path, dict(sorted(links.items())))

    def _values(
        self, tweet: _Tweet, account: str, in_reply_to: str | None
    ) -> dict[str, object]:
        """The canonical touchpoint fields of one attributed tweet."""
        opens_thread = tweet.inbound and tweet.parent is None
        return {
            "id": tweet.tweet_id,
            "account_id": account,
            "kind": "outreach",
            "occurred_at": tweet.created_at,
            "status": "completed",
            "channel": "social",
            "direction": "inbound" if tweet.inbound else "outbound",
            "contact_id": tweet.author,
            "in_reply_to": in_reply_to,
            "trigger": "customer_raised" if opens_thread else None,
            "text": tweet.text or None,
            "quoted_text": None,
            "purpose": None,
            "outcome": None,
            "recorded_at": None,
            "csat": None,
            "attendees": None,
        }

    def _accounts(
        self, path: str, index: Callable[[], _ThreadIndex]
    ) -> Iterator[RawRecord | Rejection]:
        """One account per customer, at the row of the first tweet attributed to it."""
        for account, row in index().accounts.items():
            yield RawRecord(
                path,
                row,
                {
                    "id": account,
                    "segment": self.segment,
                    "name": None,
                    "annual_revenue": None,
                    "owner": None,
                    "lifecycle_stage": None,
                    "started_at": None,
                    "renews_at": None,
                    "churned_at": None,
                },
            )


def _leading_mentions(text: str) -> tuple[str, ...]:
    """The handles a tweet starts by addressing (``"@a @b hi"`` gives ``("a", "b")``)."""
    match = _LEADING_MENTIONS.match(text)
    if match is None:
        return ()
    return tuple(part.lstrip("@") for part in match.group(1).split())


def _link(graph: _ThreadIndex, tweet: _Tweet, account: str) -> tuple[str | None, str]:
    """The ``in_reply_to`` of ``tweet`` and the kind of link, for the per-file tally.

    A link is kept only when the answered tweet is a record of this source in the same account.
    """
    if tweet.parent is None:
        return None, "none (opens a thread)"

    if tweet.parent not in graph.nodes:
        return None, "dropped: answered tweet not in the file"

    target = graph.account_of[tweet.parent]
    if target is None:
        return None, "dropped: answers a broadcast"

    if target != account:
        return None, "dropped: answered tweet in another account"

    return tweet.parent, "kept"
