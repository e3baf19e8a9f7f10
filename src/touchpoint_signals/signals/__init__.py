"""Signal extractors: what the touchpoints of each account say about its health."""

from touchpoint_signals.signals.base import Extractor, Signal, SignalFrame, SignalStatus

__all__ = ["Extractor", "Signal", "SignalFrame", "SignalStatus"]
