"""Health scores: scorers that turn signals into a score, a band and reasons.

:class:`Scorecard` weighs signals into a 0-100 score; :class:`Rules` cap or set bands on
conditions; :class:`Overrides` apply a CSM's judgement last; :class:`Blend`,
:class:`WorstOf` and :class:`Sequence` compose scorers by named parts. A scorecard is plain
data, loaded from TOML by :func:`load_scorecard`.
"""

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
from touchpoint_signals.scoring.compose import Blend, Sequence, WorstOf
from touchpoint_signals.scoring.config import (
    ScorecardConfig,
    extractors_for,
    load_scorecard,
    scorecard_from_mapping,
    scorecard_from_toml,
)
from touchpoint_signals.scoring.overrides import Override, Overrides
from touchpoint_signals.scoring.registry import (
    extractor_names,
    make_extractor,
    make_scorer,
    make_tone_model,
    scorer_names,
    tone_model_names,
)
from touchpoint_signals.scoring.rules import Rule, Rules
from touchpoint_signals.scoring.scorecard import (
    BandThresholds,
    Scorecard,
    SegmentOverride,
    SignalWeight,
    default_scorecard,
)

__all__ = [
    "Adjustment",
    "Band",
    "BandThresholds",
    "Blend",
    "Contribution",
    "HealthScore",
    "Override",
    "Overrides",
    "Rule",
    "Rules",
    "Scorecard",
    "ScorecardConfig",
    "Scorer",
    "Scores",
    "SegmentOverride",
    "Sequence",
    "SignalSet",
    "SignalWeight",
    "WorstOf",
    "config_hash",
    "default_scorecard",
    "extractor_names",
    "extractors_for",
    "load_scorecard",
    "make_extractor",
    "make_scorer",
    "make_tone_model",
    "scorecard_from_mapping",
    "scorecard_from_toml",
    "scorer_names",
    "tone_model_names",
]
