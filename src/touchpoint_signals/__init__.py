"""touchpoint_signals: customer-success touchpoints in, account health signals out.

The public names are re-exported here; implementation modules are named after what they hold
(:mod:`~touchpoint_signals.model`, :mod:`~touchpoint_signals.log`,
:mod:`~touchpoint_signals.ingest`, ...).
"""

from touchpoint_signals.errors import (
    ConfigError,
    DataError,
    IntegrityError,
    NaiveDatetimeError,
    ProtocolError,
    RecordError,
    TouchpointSignalsError,
    UnknownNameError,
)
from touchpoint_signals.ingest import (
    ColumnMapping,
    LoadReport,
    LoadResult,
    MappingFile,
    Rejection,
    load,
    load_accounts,
    load_touchpoints,
    read_csv,
    read_jsonl,
)
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import (
    BUILTIN_KINDS,
    BUILTIN_SEGMENTS,
    DEFAULT_CATALOG,
    HIGH_TOUCH,
    MID_TOUCH,
    TECH_TOUCH,
    Account,
    CadenceExpectation,
    CadencePolicy,
    Catalog,
    Channel,
    Direction,
    LifecycleStage,
    Segment,
    Status,
    Touchpoint,
    TouchpointKind,
    Trigger,
)
from touchpoint_signals.timeparse import parse_instant

__all__ = [
    "BUILTIN_KINDS",
    "BUILTIN_SEGMENTS",
    "DEFAULT_CATALOG",
    "HIGH_TOUCH",
    "MID_TOUCH",
    "TECH_TOUCH",
    "Account",
    "CadenceExpectation",
    "CadencePolicy",
    "Catalog",
    "Channel",
    "ColumnMapping",
    "ConfigError",
    "DataError",
    "Direction",
    "IntegrityError",
    "LifecycleStage",
    "LoadReport",
    "LoadResult",
    "MappingFile",
    "NaiveDatetimeError",
    "ProtocolError",
    "RecordError",
    "Rejection",
    "Segment",
    "Status",
    "Touchpoint",
    "TouchpointKind",
    "TouchpointLog",
    "TouchpointSignalsError",
    "Trigger",
    "UnknownNameError",
    "__version__",
    "load",
    "load_accounts",
    "load_touchpoints",
    "parse_instant",
    "read_csv",
    "read_jsonl",
]

__version__ = "0.1.0.dev0"
