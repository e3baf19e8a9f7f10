"""Health scores: scorers that turn signals into a score, a band and reasons."""

from touchpoint_signals.scoring.base import (
    Adjustment,
    Band,
    Contribution,
    HealthScore,
    Scorer,
    Scores,
    SignalSet,
    config_hash,
)

__all__ = [
    "Adjustment",
    "Band",
    "Contribution",
    "HealthScore",
    "Scorer",
    "Scores",
    "SignalSet",
    "config_hash",
]
