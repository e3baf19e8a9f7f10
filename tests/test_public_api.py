"""The public namespace is pinned: adding or removing a name is a deliberate change."""

from __future__ import annotations

import subprocess
import sys

import touchpoint_signals

EXPECTED = [
    "BUILTIN_KINDS",
    "BUILTIN_SEGMENTS",
    "DEFAULT_CATALOG",
    "HIGH_TOUCH",
    "MID_TOUCH",
    "TECH_TOUCH",
    "TONE_WINDOWS",
    "Account",
    "Attendance",
    "Band",
    "BandHysteresis",
    "BandThresholds",
    "Blend",
    "BusinessCalendar",
    "CadenceAdherence",
    "CadenceExpectation",
    "CadencePolicy",
    "Catalog",
    "Channel",
    "ColumnMapping",
    "ConfigError",
    "ConformanceError",
    "CustomerReplyLatency",
    "DataError",
    "Direction",
    "DriftWindows",
    "Extractor",
    "HealthScore",
    "IntegrityError",
    "LexiconToneModel",
    "LifecycleStage",
    "LoadReport",
    "LoadResult",
    "MappingFile",
    "MissingExtraError",
    "NaiveDatetimeError",
    "Override",
    "Overrides",
    "ProtocolError",
    "PurposeOutcome",
    "RecordError",
    "Rejection",
    "Rule",
    "Rules",
    "Satisfaction",
    "Scorecard",
    "Scorer",
    "Scores",
    "Segment",
    "Signal",
    "SignalFrame",
    "SignalSet",
    "SignalStatus",
    "SignalWeight",
    "Status",
    "ToneModel",
    "ToneShift",
    "Touchpoint",
    "TouchpointFatigue",
    "TouchpointKind",
    "TouchpointLog",
    "TouchpointSignalsError",
    "Trigger",
    "UnknownNameError",
    "VendorResponseLatency",
    "WorstOf",
    "__version__",
    "check_extractor",
    "check_scorer",
    "default_extractors",
    "default_scorecard",
    "extract_signals",
    "green_but_cooling",
    "load",
    "load_accounts",
    "load_scorecard",
    "load_touchpoints",
    "parse_instant",
    "read_arrow",
    "read_csv",
    "read_jsonl",
    "read_pandas",
    "score_changes",
]


def _isort_key(name: str) -> tuple[int, str]:
    """Constants first, then classes, then functions, as ``ruff``'s isort style orders them."""
    group = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return group, name


def test_all_is_pinned() -> None:
    assert touchpoint_signals.__all__ == EXPECTED


def test_all_is_sorted_constants_classes_functions() -> None:
    assert sorted(touchpoint_signals.__all__, key=_isort_key) == touchpoint_signals.__all__


def test_every_public_name_resolves() -> None:
    missing = [name for name in EXPECTED if not hasattr(touchpoint_signals, name)]
    assert missing == []


def test_core_import_pulls_in_no_optional_dependency() -> None:
    code = (
        "import sys, touchpoint_signals; "
        "optional = ('pandas', 'pyarrow', 'matplotlib', 'scipy'); "
        "print(sorted(m for m in optional if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_core_import_does_not_load_format_adapters() -> None:
    code = (
        "import sys, touchpoint_signals; "
        "adapters = ('mbox', 'threads', 'appointments', 'qa', 'tickets', 'crm'); "
        "print(sorted(m for m in sys.modules if m.startswith('touchpoint_signals.ingest.') "
        "and m.rsplit('.', 1)[1] in adapters))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
