"""Raw records, rejections and the load report: the vocabulary every reader and adapter shares.

A reader (CSV, JSON Lines, an iterable of mappings) or an adapter for a real-world format
(mbox, support threads, appointments, ...) turns its source into :class:`RawRecord` objects
whose keys are the canonical field names below. Anything it cannot even turn into a record
(an unreadable message, a placeholder) it yields as a :class:`Rejection` instead, with the
reason. The loader validates records, builds the columnar log, and keeps a
:class:`LoadReport` in which ``accepted + rejected == read`` always holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import attrs

__all__ = [
    "ACCOUNT_FIELDS",
    "TOUCHPOINT_FIELDS",
    "LinkIssue",
    "LoadReport",
    "RawRecord",
    "Rejection",
]

#: Canonical names of the fields of a touchpoint record, in the order of :class:`Touchpoint`.
TOUCHPOINT_FIELDS: tuple[str, ...] = (
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
    "quoted_text",
    "purpose",
    "outcome",
    "recorded_at",
    "csat",
    "attendees",
)

#: Canonical names of the fields of an account record, in the order of :class:`Account`.
ACCOUNT_FIELDS: tuple[str, ...] = (
    "id",
    "segment",
    "name",
    "annual_revenue",
    "owner",
    "lifecycle_stage",
    "started_at",
    "renews_at",
    "churned_at",
)


@attrs.frozen
class RawRecord:
    """One record as read from a source, before validation.

    ``source`` names the file (or ``"<records>"`` for in-memory input) and ``row`` is the
    1-based position of the record in it: the data line for CSV, the line for JSON Lines, the
    message number for an mbox. Together they let an error point a person at the record.
    """

    source: str
    row: int
    values: Mapping[str, object]


@attrs.frozen
class Rejection:
    """A record that was read but not accepted, and why.

    ``field`` is ``None`` when the record as a whole was refused (a placeholder message, a
    duplicate id). ``value`` is what arrived, ``expected`` what would have been accepted.
    """

    source: str
    row: int
    field: str | None
    value: object
    expected: str
    reason: str = ""

    def describe(self) -> str:
        """One line a person can act on: where, which field, what arrived, what was expected."""
        where = f"{self.source}, row {self.row}"
        what = f"field {self.field!r}" if self.field is not None else "record"
        text = f"{where}: {what}: got {self.value!r}, expected {self.expected}"
        if self.reason:
            text += f" ({self.reason})"
        return text


@attrs.frozen
class LinkIssue:
    """A reply link that was read but could not be used, kept for the report.

    The touchpoint itself is accepted; only its ``in_reply_to`` is left unresolved in the log,
    so that no reply latency is computed from a link the data does not support.
    """

    source: str
    row: int
    touchpoint_id: str
    in_reply_to: str
    problem: str

    def describe(self) -> str:
        """One line naming the touchpoint, its link and what is wrong with the link."""
        return (
            f"{self.source}, row {self.row}: touchpoint {self.touchpoint_id!r} replies to "
            f"{self.in_reply_to!r}: {self.problem}"
        )


@attrs.define
class LoadReport:
    """What a load read, accepted and rejected, record by record.

    ``read`` counts every record the source produced, including those an adapter refused
    before validation; ``accepted + len(rejected) == read`` is kept as an invariant.
    """

    source: str
    read: int = 0
    accepted: int = 0
    rejected: list[Rejection] = attrs.field(factory=list)
    link_issues: list[LinkIssue] = attrs.field(factory=list)

    def reasons(self) -> Counter[str]:
        """Count rejections by field and reason, for a summary line per kind of problem."""
        return Counter(
            f"{r.field or 'record'}: {r.reason or r.expected}" for r in self.rejected
        )

    def check(self) -> None:
        """Assert the bookkeeping invariant; raised as ``AssertionError`` if it is broken."""
        if self.accepted + len(self.rejected) != self.read:
            raise AssertionError(
                f"load report for {self.source} is inconsistent: "
                f"{self.accepted} accepted + {len(self.rejected)} rejected != {self.read} read"
            )
