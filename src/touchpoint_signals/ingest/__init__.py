"""Reading touchpoints and accounts: generic readers, format adapters, validation, reports."""

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

__all__ = [
    "ACCOUNT_FIELDS",
    "TOUCHPOINT_FIELDS",
    "Adapter",
    "ColumnMapping",
    "LinkIssue",
    "LoadReport",
    "LoadResult",
    "MappingFile",
    "Mode",
    "RawRecord",
    "Rejection",
    "SourceRecords",
    "csv_records",
    "jsonl_records",
    "load",
    "load_accounts",
    "load_touchpoints",
    "mapping_records",
    "read_csv",
    "read_jsonl",
]
