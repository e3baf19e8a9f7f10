"""Reading touchpoints and accounts: generic readers, format adapters, validation, reports.

The format adapters (``MboxAdapter``, ``SupportThreadsAdapter``, ``AppointmentsAdapter``,
``QaDumpAdapter``, ``TicketsAdapter``, ``CrmPipelineAdapter``) are importable from here but
loaded only on first use, so that importing the library does not pay for them.
"""

import importlib
from typing import Any

from touchpoint_signals.ingest.loader import (
    LoadResult,
    Mode,
    load,
    load_accounts,
    load_touchpoints,
    read_csv,
    read_jsonl,
)
from touchpoint_signals.ingest.mapping import ColumnMapping, MappingFile
from touchpoint_signals.ingest.readers import csv_records, jsonl_records, mapping_records
from touchpoint_signals.ingest.records import (
    ACCOUNT_FIELDS,
    TOUCHPOINT_FIELDS,
    LinkIssue,
    LoadReport,
    RawRecord,
    Rejection,
)
from touchpoint_signals.ingest.sources import Adapter, SourceRecords

_ADAPTERS = {
    "AppointmentsAdapter": "touchpoint_signals.ingest.appointments",
    "CrmPipelineAdapter": "touchpoint_signals.ingest.crm",
    "MboxAdapter": "touchpoint_signals.ingest.mbox",
    "QaDumpAdapter": "touchpoint_signals.ingest.qa",
    "SupportThreadsAdapter": "touchpoint_signals.ingest.threads",
    "TicketsAdapter": "touchpoint_signals.ingest.tickets",
}


def __getattr__(name: str) -> Any:
    if name in _ADAPTERS:
        return getattr(importlib.import_module(_ADAPTERS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ACCOUNT_FIELDS",
    "TOUCHPOINT_FIELDS",
    "Adapter",
    "AppointmentsAdapter",
    "ColumnMapping",
    "CrmPipelineAdapter",
    "LinkIssue",
    "LoadReport",
    "LoadResult",
    "MappingFile",
    "MboxAdapter",
    "Mode",
    "QaDumpAdapter",
    "RawRecord",
    "Rejection",
    "SourceRecords",
    "SupportThreadsAdapter",
    "TicketsAdapter",
    "csv_records",
    "jsonl_records",
    "load",
    "load_accounts",
    "load_touchpoints",
    "mapping_records",
    "read_csv",
    "read_jsonl",
]
