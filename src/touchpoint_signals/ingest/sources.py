"""The adapter protocol: how a real-world format hands its records to the loader.

An adapter reads one source (a file or a folder) in a format CS data actually arrives in and
yields canonical :class:`~touchpoint_signals.ingest.records.RawRecord` objects for touchpoints
and accounts. It does not validate values; the loader does that once for every format, so a
bad date in an mbox is reported exactly like a bad date in a CSV. What an adapter cannot turn
into a record at all it yields as a :class:`~touchpoint_signals.ingest.records.Rejection`
with the reason, so that nothing read is ever lost from the report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import attrs

from touchpoint_signals.ingest.records import RawRecord, Rejection

__all__ = ["Adapter", "SourceRecords"]


@attrs.frozen
class SourceRecords:
    """The records an adapter read from one source.

    The loader consumes ``touchpoints`` first and ``accounts`` second, so an adapter that
    derives its accounts from the touchpoints it has seen (one account per mailing-list user,
    say) can compute them lazily in a generator and never hold the source twice. ``None``
    means the format has no account records: touchpoints are then not checked against an
    accounts table, while an empty iterable means "no accounts" and rejects every touchpoint.
    """

    touchpoints: Iterable[RawRecord | Rejection]
    accounts: Iterable[RawRecord | Rejection] | None = None


@runtime_checkable
class Adapter(Protocol):
    """Anything with a ``name`` and a ``read`` method that yields canonical records.

    Adapters are plain frozen attrs classes whose attributes are the format's options (the
    vendor's addresses for an mbox, the plan-tier-to-segment table for a ticket export), so a
    configured adapter can be passed around, compared and rebuilt with ``attrs.evolve``.
    """

    @property
    def name(self) -> str:
        """The short name the CLI's ``--format`` option uses for this adapter."""
        ...

    def read(self, source: str | os.PathLike[str]) -> SourceRecords:
        """Open ``source`` and return its touchpoint and account records."""
        ...
