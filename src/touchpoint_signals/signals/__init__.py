"""Signal extractors: what the touchpoints of each account say about its health.

Each extractor reads a :class:`~touchpoint_signals.log.TouchpointLog` at an ``as_of`` instant
and returns a :class:`SignalFrame` with one reading per account; see
:mod:`touchpoint_signals.signals.base` for the contract every extractor keeps.
"""

from touchpoint_signals.signals.attendance import Attendance
from touchpoint_signals.signals.base import Extractor, Signal, SignalFrame, SignalStatus
from touchpoint_signals.signals.cadence import CadenceAdherence
from touchpoint_signals.signals.drift import (
    DriftResult,
    DriftWindows,
    drift_severity,
    two_window_drift,
)
from touchpoint_signals.signals.extract import default_extractors, extract_signals
from touchpoint_signals.signals.fatigue import TouchpointFatigue
from touchpoint_signals.signals.latency import CustomerReplyLatency, VendorResponseLatency
from touchpoint_signals.signals.purpose import PurposeOutcome
from touchpoint_signals.signals.satisfaction import Satisfaction
from touchpoint_signals.signals.tone import TONE_WINDOWS, ToneShift

__all__ = [
    "TONE_WINDOWS",
    "Attendance",
    "CadenceAdherence",
    "CustomerReplyLatency",
    "DriftResult",
    "DriftWindows",
    "Extractor",
    "PurposeOutcome",
    "Satisfaction",
    "Signal",
    "SignalFrame",
    "SignalStatus",
    "ToneShift",
    "TouchpointFatigue",
    "VendorResponseLatency",
    "default_extractors",
    "drift_severity",
    "extract_signals",
    "two_window_drift",
]
