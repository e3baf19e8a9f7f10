"""Adapter for mailing-list archives in mbox form, as pipermail (Mailman 2) publishes them.

A pipermail archive is a folder of monthly mbox files named ``<YYYY>-<Month>.txt`` (for
example ``2006-January.txt``). Each message becomes one touchpoint of kind ``outreach`` on
channel ``email`` with status ``completed``: the support list is the vendor's inbox, the
vendor's people answer from a few known addresses, and every other sender is a customer. The
adapter follows the "users as accounts" model: each customer address is an account, and a
vendor message belongs to the account of the customer it answers.

The archive is read twice, one file at a time: a first pass over the headers builds a small
index (message id, sender, thread ancestors, date) from which the account of each vendor
message, the reply links and every rejection are decided; a second pass re-reads the bodies
and streams the touchpoint records. Neither pass holds more than one message's text.

Quirks and how they are treated
-------------------------------
* **Body lines beginning with "From ".** Pipermail does not escape them, so an mbox reader
  splits a message there and makes up a new "message" from the rest of its body. An entry is
  taken as a real message only when it has a ``Message-ID`` header, or a ``From:`` header and
  an envelope line in pipermail's own form (``From <addr>  <ctime date>``, two spaces). Any
  other entry is a fragment: its bytes, "From " line included, are re-attached to the message
  before it, so no text is lost and no message is invented. A fragment at the very start of
  a file has no message to join and is rejected with reason
  ``"text fragment with no message before it"``. In linux-uvc-devel 24 of the 7,184 entries
  are fragments (22 ordinary sentences such as "From the README file:" and 2 ``git
  format-patch`` headers "From unknown ... Mon Sep 17 00:00:00 2001" pasted into a body);
  in yajhfc-user 2 of 469.
* **Unparseable or missing Date headers.** A Date that :func:`email.utils.parsedate_to_datetime`
  cannot read is passed through as the raw string, so the loader rejects it naming source,
  row and ``occurred_at``. A message with no Date header at all is rejected here with reason
  ``"message has no Date header"``. ``-0000`` means UTC (RFC 5322); a date with no zone at
  all is read in the ``timezone`` option's zone. The "22 unparseable dates" that a plain mbox
  reader counts in linux-uvc-devel are the 22 sentence fragments above, which have no headers
  at all; once they are re-attached every message's Date parses.
* **Placeholder messages.** When pipermail rebuilt messages whose headers were lost it wrote
  them with envelope sender ``unknown``, subject ``No subject`` and the rebuild time as the
  date (19 in linux-uvc-devel ``2012-March.txt``, 1 in yajhfc-user ``2012-March.txt``, all on
  2012-03-14). Their sender and date are not the author's, so they are rejected with reason
  ``"placeholder"``.
* **Duplicate Message-IDs.** The same message was archived twice in a row 7 times in
  linux-uvc-devel (one pair differs only in a scrubbed attachment's URL). The first copy is
  kept; later copies are rejected on field ``id`` with reason ``"duplicate Message-ID"``.
* **Addresses written "name at domain".** Pipermail obfuscates addresses; they are normalised
  to ``name@domain`` and lower-cased everywhere (senders, ``vendor_addresses``, ``aliases``).
* **One person, two addresses.** The linux-uvc-devel maintainer writes from two addresses,
  and some users do too. ``aliases`` maps an address to the canonical one; the canonical
  address is the account id and contact id. Both vendor addresses must be listed in
  ``vendor_addresses`` (or one of them aliased to the other).
* **Vendor messages with no customer in their thread.** A vendor message belongs to the
  account of the nearest ancestor (In-Reply-To, then References from the nearest) written by
  a customer. Announcements started by the vendor, and vendor replies to messages that are
  not in the archive, have none; they are rejected with reason ``"vendor message with no
  customer in its thread"``. An account per thread was considered and not chosen: it would
  invent accounts with only outbound touchpoints, which read as unresponsive customers in
  every account-level signal, while the vendor-response latencies that matter (customer
  asks, vendor answers) never involve these messages. Customer replies to such a message
  keep their link; the loader then lists it as a reply to a touchpoint that was not loaded.
* **Reply headers.** In-Reply-To sometimes carries a comment (``<id> (Person's message of
  ...)``) or an id without angle brackets; the first bracketed id is used, else a bare
  ``local@domain`` token. A reply links to its In-Reply-To message when that is in the
  archive, else to the nearest References entry that is (option ``link_nearest_ancestor``;
  set it to false to link only to the direct parent, which avoids overstating reply latency
  when the direct parent was sent off the list). Replies whose ancestors are all outside the
  archive get ``in_reply_to=None`` and are counted in :class:`MboxFigures`.
* **Quoted history and signatures.** Lines starting with ``>``, attribution lines ending in
  "wrote:"/"writes:" that introduce quoted lines, and everything after an "Original Message"
  or Yahoo-style ``--- X wrote:`` marker that is not followed by ``>`` lines go to
  ``quoted_text``. Signatures (from a ``-- `` or ``--`` line to the next quoted block or the
  end) are dropped: they are neither new text nor quoted history. Pipermail's stubs for
  scrubbed attachments ("-------------- next part --------------") and webmail advertising
  footers stay in ``text``.
* **Legacy 8-bit encodings.** Bodies are read as bytes and decoded with the declared charset;
  without one they are tried as UTF-8 and fall back to latin-1, which never fails. (Both
  shared archives turned out to be plain ASCII after anonymisation.)

Known shortcomings: pipermail's quarterly and weekly archive layouts
(``2006q1.txt``, ``Week-of-Mon-...``) are not recognised in a folder, although such a file
can be read when named directly. Attribution lines in languages other than English and German
may be left in ``text``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.errors
import email.header
import email.message
import email.parser
import email.policy
import email.utils
import gzip
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, ClassVar, TypeAlias, cast

import attrs

from touchpoint_signals.errors import ConfigError, DataError
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import SourceRecords
from touchpoint_signals.timeparse import parse_instant, parse_timezone

__all__ = ["MboxAdapter", "MboxFigures", "normalise_address", "split_quoted"]

logger = logging.getLogger(__name__)


_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}

_MONTHLY_FILE = re.compile(r"^(\d{4})-([A-Za-z]+)\.txt(?:\.gz)?$")

_PIPERMAIL_ENVELOPE = re.compile(
    rb"^From \S+(?: at \S+)?  [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\s*$"
)

_PIPERMAIL_SENDER = re.compile(
    r"^\s*([^\s()<>\"]+) at ([^\s()<>\"]+)\s*(?:\((.*)\))?\s*$", re.S
)

_BRACKETED_ID = re.compile(r"<([^<>\s]+)>")

_BARE_ID = re.compile(r"([^\s<>()\",;]+@[^\s<>()\",;]+)")

_NO_ZONE_OFFSET = re.compile(r"-0000\s*(?:\(.*\))?\s*$")

# Text-splitting patterns (see split_quoted).
_QUOTE_LINE = re.compile(r"^[ \t]*>")
_ATTRIBUTION = re.compile(r"(?:\bwrote|\bwrites|\bschrieb\b.*|\ba écrit)\s*:\s*$", re.I)
_ATTRIBUTION_START = re.compile(r"^\s*(?:On|Am|Le|El|Il|Op|Quoting)\b|,\s*$")
_STRONG_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Urspr.ngliche Nachricht\s*-{2,}"
    r"|---\s.*\swrote:\s*$|_{10,}\s*$)",
    re.I,
)
_HEADER_AFTER_RULE = re.compile(r"^\s*From:\s", re.I)
_SIGNATURE = re.compile(r"^--[ \t]?$")
_ATTACHMENT_STUB = re.compile(r"^-{5,} next part -{5,}\s*$")


def normalise_address(value: str) -> str:
    """Return ``value`` as a plain lower-case ``local@domain`` address.

    Pipermail writes ``someone at example.org`` so that robots do not harvest addresses;
    the same person must get the same id whether the address came from a header or from the
    configuration, so both spellings are mapped to ``someone@example.org``.

    Examples
    --------
    >>> normalise_address("Vendor0014 at List.Example")
    'vendor0014@list.example'
    >>> normalise_address(" p1@x.org ")
    'p1@x.org'
    """
    text = value.strip().lower()
    return re.sub(r"\s+at\s+", "@", text)


def _address_set(values: Iterable[str]) -> frozenset[str]:
    """Convert the ``vendor_addresses`` option (a TOML list of strings) to a frozen set."""
    if isinstance(values, str):
        values = [values]
    return frozenset(normalise_address(v) for v in values)


def _alias_pairs(
    values: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    """Convert the ``aliases`` option (a TOML table) to sorted, normalised pairs.

    Pairs rather than a dict keep the adapter hashable, as a frozen attrs class must be.
    """
    items = values.items() if isinstance(values, Mapping) else values
    pairs = {normalise_address(alias): normalise_address(canon) for alias, canon in items}
    return tuple(sorted(pairs.items()))


def _check_segment(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Refuse an empty segment name; whether it is known is for the loader's catalog, which
    may hold a team's own segments."""
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"mbox option {attribute.name!r} must be a segment name, got {value!r}")


def _check_timezone(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Refuse a time-zone name the zone database does not know."""
    parse_timezone(value)


def _check_aliases(
    instance: object,
    attribute: attrs.Attribute[tuple[tuple[str, str], ...]],
    value: tuple[tuple[str, str], ...],
) -> None:
    """Refuse alias chains (a -> b -> c): the canonical address must not be an alias itself."""
    pairs = dict(value)
    chained = sorted(canon for canon in pairs.values() if canon in pairs)
    if chained:
        raise ConfigError(
            f"mbox option 'aliases': {', '.join(chained)} is used as a canonical address and "
            "is itself an alias; map every alias directly to the final address"
        )


@attrs.frozen
class MboxFigures:
    """What one archive holds, as counted by the adapter's first pass.

    ``entries`` counts what a plain mbox reader sees (every "From " line);
    ``fragments_reattached`` of them were body text and joined the message before them, so
    ``messages == entries - fragments_reattached`` (a fragment that had no message before it
    is rejected and counted as a message). Reply figures count touchpoint records only:
    ``replies`` have an In-Reply-To or References header, ``replies_linked`` got an
    ``in_reply_to``, of which ``replies_linked_to_ancestor`` point past a missing direct
    parent to an older message and ``replies_linked_to_rejected`` point to a message that
    this adapter rejected; ``replies_outside_archive`` name only messages that are not in the
    source and have no link.
    """

    files: int
    entries: int
    fragments_reattached: int
    messages: int
    touchpoints: int
    inbound: int
    outbound: int
    rejections: Mapping[str, int]
    replies: int
    replies_linked: int
    replies_linked_to_ancestor: int
    replies_linked_to_rejected: int
    replies_outside_archive: int
    accounts: int


@attrs.frozen
class _Entry:
    """One message as cut from an mbox file, with any body fragments re-attached."""

    source: str
    row: int
    envelope: bytes
    data: bytes
    head: email.message.Message
    is_message: bool
    fragments: int


@attrs.frozen
class _Header:
    """What the first pass keeps of one message: the facts decisions are made from."""

    source: str
    row: int
    message_id: str | None
    sender: str | None
    name: str | None
    date_raw: str | None
    occurred_at: dt.datetime | str | None
    subject: str | None
    parents: tuple[str, ...]
    placeholder: bool


_PersonFn: TypeAlias = Callable[[_Header], "str | None"]
_VendorFn: TypeAlias = Callable[[str], bool]
_AccountFn: TypeAlias = Callable[[str, frozenset[str]], "str | None"]


@attrs.frozen
class _Decision:
    """The first pass's verdict on one message: a record's header fields or a rejection."""

    source: str
    row: int
    message_id: str | None
    values: Mapping[str, object] | None
    rejection: Rejection | None
    link_kind: str


@attrs.frozen
class _Index:
    """Decisions in file order, the accounts they use, and the archive's figures."""

    decisions: tuple[_Decision, ...]
    accounts: tuple[RawRecord, ...]
    figures: MboxFigures


@attrs.frozen
class MboxAdapter:
    """Read a pipermail mbox archive (one monthly file or a folder of them) as touchpoints.

    Parameters
    ----------
    vendor_addresses
        Addresses of the vendor's people (``"x at y"`` or ``"x@y"``, any case). Their
        messages are outbound; everyone else's are inbound and make an account.
    aliases
        Maps an address to the canonical address of the same person, for people who write
        from two addresses. Empty by default.
    segment
        Segment of every derived account; ``"tech_touch"`` by default, since a mailing list is
        one-to-many support.
    timezone
        Zone in which Date headers written without any UTC offset are read (``-0000`` is UTC).
    link_nearest_ancestor
        When a reply's direct parent is not in the archive, link it to the nearest ancestor
        in its References that is (the default). False links only to the direct parent.

    Examples
    --------
    >>> adapter = MboxAdapter(vendor_addresses=["vendor0001 at list.example"])
    >>> sorted(adapter.vendor_addresses)
    ['vendor0001@list.example']
    """

    name: ClassVar[str] = "mbox"

    vendor_addresses: frozenset[str] = attrs.field(factory=frozenset, converter=_address_set)
    aliases: tuple[tuple[str, str], ...] = attrs.field(
        factory=tuple, converter=_alias_pairs, validator=_check_aliases
    )
    segment: str = attrs.field(default="tech_touch", validator=_check_segment)
    timezone: str = attrs.field(default="UTC", validator=_check_timezone)
    link_nearest_ancestor: bool = True

    def read(self, source: str | os.PathLike[str]) -> SourceRecords:
        """Open ``source`` (an mbox file or a folder of monthly files) and return its records.

        Nothing is read until the touchpoints are iterated; the accounts are derived from the
        same first pass, which runs once and is shared by both iterables.
        """
        files = _list_files(Path(source))
        cache: list[_Index] = []
        if not self.vendor_addresses:
            logger.warning(
                "%s: no vendor_addresses given, so every message reads as the customer's "
                "(inbound) and the vendor's own addresses become accounts",
                os.fspath(source),
            )

        def index() -> _Index:
            if not cache:
                cache.append(self._build_index(files))
            return cache[0]

        def touchpoints() -> Iterator[RawRecord | Rejection]:
            yield from self._touchpoints(files, index())

        def accounts() -> Iterator[RawRecord | Rejection]:
            yield from index().accounts

        return SourceRecords(touchpoints=touchpoints(), accounts=accounts())

    def figures(self, source: str | os.PathLike[str]) -> MboxFigures:
        """Count what ``source`` holds (entries, fragments, rejections, links, accounts)."""
        return self._build_index(_list_files(Path(source))).figures

    def _canonical(self, address: str) -> str:
        """The canonical address of ``address`` according to ``aliases``."""
        return dict(self.aliases).get(address, address)

    def _build_index(self, files: list[Path]) -> _Index:
        """First pass: read every header and decide each message's fate.

        Decisions need the whole archive because a vendor message's account comes from its
        thread and a reply's parent may sit in any file.
        """
        aliases = dict(self.aliases)
        zone = parse_timezone(self.timezone)
        headers: list[_Header] = []
        counts: Counter[str] = Counter()

        for path in files:
            for entry in _entries(path):
                counts["entries"] += 1 + entry.fragments
                counts["fragments"] += entry.fragments
                headers.append(_read_header(entry, zone))

        known: dict[str, _Header] = {}
        for header in headers:
            if header.message_id is not None and header.message_id not in known:
                known[header.message_id] = header

        def person(header: _Header) -> str | None:
            if header.sender is None or header.placeholder:
                return None
            return aliases.get(header.sender, header.sender)

        def is_vendor(address: str) -> bool:
            return address in self.vendor_addresses

        accounts_memo: dict[str, str | None] = {}

        def account_of(message_id: str, visiting: frozenset[str]) -> str | None:
            header = known[message_id]
            who = person(header)
            if who is None:
                return None
            if not is_vendor(who):
                return who
            if message_id in accounts_memo:
                return accounts_memo[message_id]
            found = None
            for parent in header.parents:
                if parent in known and parent not in visiting and parent != message_id:
                    found = account_of(parent, visiting | {message_id})
                    if found is not None:
                        break
            accounts_memo[message_id] = found
            return found

        decisions: list[_Decision] = []
        emitted: set[str] = set()
        first_seen: dict[str, dt.datetime | None] = {}
        names: dict[str, str | None] = {}
        rejected_ids: set[str] = set()
        for header in headers:
            decision = self._decide(header, known, person, is_vendor, account_of)
            decisions.append(decision)
            if decision.rejection is not None:
                if header.message_id is not None and header.message_id not in emitted:
                    rejected_ids.add(header.message_id)
                continue
            assert decision.values is not None
            assert header.message_id is not None
            emitted.add(header.message_id)
            account = str(decision.values["account_id"])
            when = header.occurred_at if isinstance(header.occurred_at, dt.datetime) else None
            earlier = first_seen.get(account)
            if account not in first_seen or (
                when is not None and (earlier is None or when < earlier)
            ):
                first_seen[account] = when
            if decision.values["direction"] == "inbound" and account not in names:
                names[account] = header.name

        decisions = [_relabel_rejected_link(d, rejected_ids) for d in decisions]
        accounts = tuple(
            RawRecord(
                source=str(files[0]) if len(files) == 1 else str(files[0].parent),
                row=number,
                values={
                    "id": account,
                    "segment": self.segment,
                    "name": names.get(account),
                    "annual_revenue": None,
                    "owner": None,
                    "lifecycle_stage": None,
                    "started_at": first_seen[account],
                    "renews_at": None,
                    "churned_at": None,
                },
            )
            for number, account in enumerate(first_seen, start=1)
        )
        figures = _figures(files, counts, decisions, len(accounts))
        logger.info(
            "mbox %s: %d entries, %d fragments re-attached, %d touchpoints, %d rejected, "
            "%d accounts",
            files[0].parent if len(files) > 1 else files[0],
            figures.entries,
            figures.fragments_reattached,
            figures.touchpoints,
            sum(figures.rejections.values()),
            figures.accounts,
        )
        return _Index(decisions=tuple(decisions), accounts=accounts, figures=figures)

    def _decide(
        self,
        header: _Header,
        known: Mapping[str, _Header],
        person: _PersonFn,
        is_vendor: _VendorFn,
        account_of: _AccountFn,
    ) -> _Decision:
        """Decide whether one message becomes a record, and with which header fields."""
        message_id = header.message_id

        def reject(field: str | None, value: object, expected: str, reason: str) -> _Decision:
            rejection = Rejection(header.source, header.row, field, value, expected, reason)
            return _Decision(header.source, header.row, message_id, None, rejection, "")

        if message_id is None:
            if header.sender is None and header.date_raw is None:
                return reject(
                    None,
                    header.subject,
                    "a message with headers",
                    "text fragment with no message before it",
                )
            return reject("id", None, "a Message-ID header", "message has no Message-ID")
        if header.placeholder:
            return reject(
                None, message_id, "a message with its own sender and date", "placeholder"
            )
        if known[message_id] is not header:
            return reject(
                "id",
                message_id,
                "a Message-ID not seen before in this source",
                "duplicate Message-ID",
            )
        who = person(header)
        if who is None:
            return reject("contact_id", None, "a From header with an address", "no sender")
        if header.occurred_at is None:
            return reject("occurred_at", None, "a Date header", "message has no Date header")

        outbound = is_vendor(who)
        account = account_of(message_id, frozenset())
        if account is None:
            return reject(
                None,
                message_id,
                "a vendor message answering a customer",
                "vendor message with no customer in its thread",
            )

        parent, link_kind = self._link(header, known)
        values = {
            "id": message_id,
            "account_id": account,
            "kind": "outreach",
            "occurred_at": header.occurred_at,
            "status": "completed",
            "channel": "email",
            "direction": "outbound" if outbound else "inbound",
            "contact_id": who,
            "in_reply_to": parent,
            "trigger": "customer_raised",
            "purpose": header.subject,
            "outcome": None,
            "recorded_at": None,
            "csat": None,
            "attendees": None,
        }
        return _Decision(header.source, header.row, message_id, values, None, link_kind)

    def _link(self, header: _Header, known: Mapping[str, _Header]) -> tuple[str | None, str]:
        """The message a reply answers, and how it was found.

        Returns ``(id, kind)`` with kind ``"none"`` (not a reply), ``"linked"`` (direct
        parent), ``"ancestor"`` (nearest References entry in the archive) or ``"outside"``.
        """
        candidates = [p for p in header.parents if p != header.message_id]
        if not candidates:
            return None, "none"

        if candidates[0] in known:
            return candidates[0], "linked"

        if self.link_nearest_ancestor:
            for ancestor in candidates[1:]:
                if ancestor in known:
                    return ancestor, "ancestor"

        return None, "outside"

    def _touchpoints(self, files: list[Path], index: _Index) -> Iterator[RawRecord | Rejection]:
        """Second pass: re-read the bodies and stream one record or rejection per message."""
        decisions = iter(index.decisions)
        for path in files:
            for entry in _entries(path):
                decision = next(decisions, None)
                if decision is None or (decision.source, decision.row) != (
                    entry.source,
                    entry.row,
                ):
                    raise DataError(f"{entry.source} changed while it was being read")
                if decision.rejection is not None:
                    yield decision.rejection
                    continue

                assert decision.values is not None
                text, quoted = split_quoted(_body_text(entry))
                yield RawRecord(
                    source=entry.source,
                    row=entry.row,
                    values={**decision.values, "text": text, "quoted_text": quoted},
                )


def _relabel_rejected_link(decision: _Decision, rejected: set[str]) -> _Decision:
    """Mark a link whose target this adapter rejected, for the figures only."""
    if decision.values is not None and decision.values["in_reply_to"] in rejected:
        return attrs.evolve(decision, link_kind="rejected")
    return decision


def _figures(
    files: list[Path], counts: Counter[str], decisions: list[_Decision], accounts: int
) -> MboxFigures:
    """Sum the first pass's decisions into :class:`MboxFigures`."""
    records = [d for d in decisions if d.values is not None]
    kinds = Counter(d.link_kind for d in records)
    rejections = Counter(d.rejection.reason for d in decisions if d.rejection is not None)
    inbound = sum(1 for d in records if d.values and d.values["direction"] == "inbound")
    return MboxFigures(
        files=len(files),
        entries=counts["entries"],
        fragments_reattached=counts["fragments"],
        messages=len(decisions),
        touchpoints=len(records),
        inbound=inbound,
        outbound=len(records) - inbound,
        rejections=dict(sorted(rejections.items())),
        replies=len(records) - kinds["none"],
        replies_linked=kinds["linked"] + kinds["ancestor"] + kinds["rejected"],
        replies_linked_to_ancestor=kinds["ancestor"],
        replies_linked_to_rejected=kinds["rejected"],
        replies_outside_archive=kinds["outside"],
        accounts=accounts,
    )


def _list_files(source: Path) -> list[Path]:
    """The mbox files of ``source`` in chronological order of their months.

    A file is read as it is. In a folder, only pipermail monthly files (``2006-January.txt``,
    optionally gzipped) are read, sorted by year and month rather than by name, which would
    put April before January.
    """
    if not source.exists():
        raise FileNotFoundError(f"mbox source not found: {source}")
    if source.is_file():
        return [source]

    monthly: list[tuple[int, int, str, Path]] = []
    for path in source.iterdir():
        match = _MONTHLY_FILE.match(path.name)
        month = _MONTHS.get(match.group(2).lower()) if match else None
        if match is None or month is None or not path.is_file():
            logger.debug("skipping %s: not a pipermail monthly archive file", path)
            continue
        monthly.append((int(match.group(1)), month, path.name, path))

    if not monthly:
        raise DataError(
            f"no pipermail monthly files (named like 2006-January.txt) in folder {source}"
        )
    return [path for *_, path in sorted(monthly)]


def _open(path: Path) -> IO[bytes]:
    """Open an mbox file for binary reading, through gzip when it is compressed."""
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _raw_entries(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """Cut ``path`` at every line starting with "From ", as a plain mbox reader does.

    Yields ``(envelope, data)``: the envelope line without its newline and the bytes after
    it. Bytes before the first "From " line (there should be none) are yielded with an empty
    envelope so that they are not lost.
    """
    envelope: bytes | None = None
    lines: list[bytes] = []
    with _open(path) as handle:
        for line in handle:
            if line.startswith(b"From "):
                if envelope is not None or any(x.strip() for x in lines):
                    yield envelope or b"", b"".join(lines)
                envelope = line.rstrip(b"\r\n")
                lines = []
            else:
                lines.append(line)
    if envelope is not None or any(x.strip() for x in lines):
        yield envelope or b"", b"".join(lines)


def _looks_like_message(envelope: bytes, parsed: email.message.Message) -> bool:
    """True when an mbox entry is a real message rather than a piece of a body.

    See the module's quirks: a Message-ID header, or a From header under an envelope line in
    pipermail's own form.
    """
    if parsed.get("Message-ID") is not None:
        return True
    return parsed.get("From") is not None and bool(_PIPERMAIL_ENVELOPE.match(envelope))


def _entries(path: Path) -> Iterator[_Entry]:
    """The messages of one mbox file, each with its body fragments re-attached.

    Holds one message back until the next real one is seen, since a fragment can only be
    recognised after it has been cut.
    """
    source = str(path)
    pending: _Entry | None = None
    row = 0
    for envelope, data in _raw_entries(path):
        head = _parse_head(data)
        is_message = _looks_like_message(envelope, head)
        if pending is not None and not is_message:
            joined = pending.data + envelope + b"\n" + data
            pending = attrs.evolve(pending, data=joined, fragments=pending.fragments + 1)
            continue

        if pending is not None:
            yield pending
        row += 1
        pending = _Entry(source, row, envelope, data, head, is_message, 0)

    if pending is not None:
        yield pending


def _parse_head(data: bytes) -> email.message.Message:
    """Parse the header block of a message's bytes.

    The block is decoded first (UTF-8, else latin-1) because raw 8-bit bytes in headers,
    which old clients wrote, come out of the byte parser as opaque ``Header`` objects.
    """
    head = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return email.parser.HeaderParser(policy=email.policy.compat32).parsestr(_decode(head, None))


def _header_text(message: email.message.Message, name: str) -> str | None:
    """A header as readable text: unfolded and with RFC 2047 encoded words decoded."""
    raw = message.get(name)
    if raw is None:
        return None
    text = str(raw)
    text = re.sub(r"\r?\n[ \t]+", " ", text)
    try:
        text = str(email.header.make_header(email.header.decode_header(text)))
    except (UnicodeError, LookupError, email.errors.HeaderParseError):
        logger.debug("kept undecodable header %s as written: %r", name, text)
    return text.strip()


def _sender(value: str | None) -> tuple[str | None, str | None]:
    """The normalised address and display name in a From header, or ``(None, None)``."""
    if value is None:
        return None, None

    match = _PIPERMAIL_SENDER.match(value)
    if match is not None:
        address = f"{match.group(1)}@{match.group(2)}".lower()
        return address, (match.group(3) or "").strip() or None

    name, address = email.utils.parseaddr(value)
    if "@" not in address:
        return None, None
    return address.lower(), name or None


def _ids(value: str | None) -> list[str]:
    """Message ids named in a Message-ID, In-Reply-To or References header, in order."""
    if value is None:
        return []
    found = _BRACKETED_ID.findall(value)
    return found if found else _BARE_ID.findall(value)


def _occurred_at(value: str | None, zone: dt.tzinfo) -> dt.datetime | str | None:
    """Read a Date header; the raw string when it cannot be read, so the loader rejects it."""
    if value is None:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return value
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC)
    if _NO_ZONE_OFFSET.search(value):
        return moment.replace(tzinfo=dt.UTC)
    return parse_instant(moment, default_tz=zone)


def _read_header(entry: _Entry, zone: dt.tzinfo) -> _Header:
    """The first pass's view of one message: ids, sender, date and thread ancestors."""
    message = entry.head if entry.is_message else email.message.Message()

    own_ids = _ids(_header_text(message, "Message-ID"))
    sender, name = _sender(_header_text(message, "From"))
    subject = _header_text(message, "Subject")
    reply_to = _ids(_header_text(message, "In-Reply-To"))[:1]
    references = _ids(_header_text(message, "References"))

    parents: list[str] = []
    for candidate in [*reply_to, *reversed(references)]:
        if candidate not in parents:
            parents.append(candidate)

    envelope_sender = entry.envelope[5:].split(b" ", 1)[0].lower()
    date_raw = _header_text(message, "Date")
    if not entry.is_message:
        subject = entry.data[:60].decode("latin-1").strip()
    return _Header(
        source=entry.source,
        row=entry.row,
        message_id=own_ids[0] if own_ids else None,
        sender=sender,
        name=name,
        date_raw=date_raw,
        occurred_at=_occurred_at(date_raw, zone),
        subject=subject,
        parents=tuple(parents),
        placeholder=envelope_sender == b"unknown" and subject == "No subject",
    )


def _decode(payload: bytes, charset: str | None) -> str:
    """Decode a body: the declared charset, else UTF-8, falling back to latin-1."""
    for candidate in (charset, "utf-8"):
        if candidate is None:
            continue
        try:
            return payload.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return payload.decode("latin-1")


def _body_text(entry: _Entry) -> str:
    """The plain-text body of a message, decoded.

    A plain message (no MIME structure, no transfer encoding, as pipermail stores nearly
    everything) is the bytes after the header block; anything else goes through the email
    parser and every text/plain part is decoded and joined.
    """
    head = entry.head
    encoding = str(head.get("Content-Transfer-Encoding", "")).strip().lower()
    if (
        not head.is_multipart()
        and head.get_content_maintype() in ("text", "")
        and (encoding in ("", "7bit", "8bit", "binary"))
    ):
        data = entry.data.replace(b"\r\n", b"\n")
        body = data.split(b"\n\n", 1)[1] if b"\n\n" in data else b""
        return _decode(body, head.get_content_charset())

    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(entry.data)
    parts = [p for p in message.walk() if not p.is_multipart()]
    texts: list[str] = []
    for part in parts:
        if part.get_content_maintype() != "text" or (
            len(parts) > 1 and part.get_content_subtype() != "plain"
        ):
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(_decode(payload, part.get_content_charset()))
    return "\n".join(texts).replace("\r\n", "\n")


def split_quoted(body: str) -> tuple[str, str | None]:
    """Split a message body into its new text and the quoted history it carries.

    Returns ``(text, quoted_text)``; ``quoted_text`` is ``None`` when nothing was quoted, and
    separate quoted blocks are joined with a blank line between them.
    Quoted lines (``>``), attribution lines that introduce them ("On ..., X wrote:",
    possibly wrapped over two lines) and everything after a forwarding marker that is not
    followed by ``>`` lines ("-----Original Message-----", Yahoo's "--- X wrote:", an
    Outlook rule followed by "From:") go to the quoted text. A signature (from a ``-- ``
    line to the next quoted block or the end) is dropped from both.

    Examples
    --------
    >>> split_quoted("Thanks, works.\\n\\nOn Mon, A wrote:\\n> does it?\\n-- \\nB")
    ('Thanks, works.', 'On Mon, A wrote:\\n> does it?')
    """
    lines = body.split("\n")
    kinds = ["new"] * len(lines)

    following_line: list[str | None] = [None] * len(lines)
    upcoming: str | None = None
    for number in range(len(lines) - 1, -1, -1):
        following_line[number] = upcoming
        if lines[number].strip():
            upcoming = lines[number]

    in_signature = False
    for number, line in enumerate(lines):
        following = following_line[number]
        quote_follows = following is not None and bool(_QUOTE_LINE.match(following))

        if _QUOTE_LINE.match(line):
            kinds[number] = "quote"
            in_signature = False
            continue

        if quote_follows and line.rstrip().endswith(":") and _ATTRIBUTION.search(line):
            kinds[number] = "quote"
            before = number - 1
            if (
                before >= 0
                and kinds[before] != "quote"
                and lines[before].strip()
                and _ATTRIBUTION_START.search(lines[before])
                and not _ATTRIBUTION_START.match(line)
            ):
                kinds[before] = "quote"
            in_signature = False
            continue

        strong = _STRONG_MARKER.match(line) if line.lstrip()[:1] in ("-", "_") else None
        if strong and line.lstrip().startswith("_"):
            strong = strong if following and _HEADER_AFTER_RULE.match(following) else None
        if strong:
            kinds[number] = "quote"
            if not quote_follows:
                kinds[number:] = ["quote"] * (len(lines) - number)
                break
            in_signature = False
            continue

        if _ATTACHMENT_STUB.match(line):
            in_signature = False
        elif _SIGNATURE.match(line):
            in_signature = True

        if in_signature:
            kinds[number] = "signature"

    text = "\n".join(line for line, kind in zip(lines, kinds, strict=True) if kind == "new")
    quoted_lines: list[str] = []
    for number, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind == "quote":
            if quoted_lines and kinds[number - 1] != "quote":
                quoted_lines.append("")
            quoted_lines.append(line)
    quoted = "\n".join(quoted_lines)
    return _tidy(text), _tidy(quoted) or None


def _tidy(text: str) -> str:
    """Strip trailing blanks from lines, blank lines from the ends, and runs of blank lines."""
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
