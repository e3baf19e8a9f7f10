"""VADER sentiment as a :class:`~touchpoint_signals.tone.ToneModel` (optional).

VADER (Hutto and Gilbert, 2014) scores *valence*: how pleasant or unpleasant the words feel.
That is not what the built-in :class:`~touchpoint_signals.tone.LexiconToneModel` scores, and
the two disagree on exactly the messages a CSM cares about. "Per my last email, please send
the invoice." is mildly *positive* to VADER (compound +0.32, from "please") and clearly
transactional to the lexicon model (-0.42); "This bug is terrible and our team is frustrated.
Could we set up a call to work through it together?" is *negative* to VADER (-0.76) and
strongly collaborative to the lexicon model (+0.96). Use this adapter when valence is what
you want to track, for example beside the built-in model, under another signal name:

    ToneShift(name="sentiment_shift", model=VaderToneModel())

It needs the ``vader`` extra (``pip install touchpoint-signals[vader]``, which installs
``vaderSentiment``); the package is imported the first time a text is scored, never by the
core.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.tone import strip_quoted

__all__ = ["VaderToneModel"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]


@functools.cache
def _analyzer() -> Any:
    """VADER's analyser, built once (it reads its lexicon file when built)."""
    try:
        module = importlib.import_module("vaderSentiment.vaderSentiment")
    except ImportError:
        raise ConfigError(
            "VaderToneModel needs the vaderSentiment package: "
            "pip install 'touchpoint-signals[vader]'"
        ) from None
    return module.SentimentIntensityAnalyzer()


@attrs.frozen
class VaderToneModel:
    """VADER's compound sentiment, in [-1, 1], per text: positive is pleasant.

    Parameters
    ----------
    name
        Name of the model in reasons and logs.

    Notes
    -----
    Quoted replies and signatures are stripped first, as the built-in model does
    (:func:`~touchpoint_signals.tone.strip_quoted`); a text with nothing left scores NaN.
    Each distinct text is scored once. VADER was tuned on social-media text; its compound
    score is a normalised sum of word valences (Hutto and Gilbert, "VADER: A Parsimonious
    Rule-based Model for Sentiment Analysis of Social Media Text", ICWSM 2014). It is a
    different construct from collaboration: see the module docstring for two sentences on
    which the models disagree in sign.
    """

    name: str = "vader"

    def score(self, texts: Sequence[str]) -> FloatArray:
        """VADER's compound score per text; NaN where no words are left."""
        texts = list(texts)
        if not texts:
            return np.zeros(0, dtype=np.float64)
        analyzer = _analyzer()

        index: dict[str, int] = {}
        inverse = np.fromiter(
            (index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts)
        )
        scores = np.full(len(index), np.nan)
        for i, text in enumerate(index):
            kept = strip_quoted(text)
            if kept.strip():
                scores[i] = float(analyzer.polarity_scores(kept)["compound"])
        logger.debug("scored %d texts (%d distinct) with %s", len(texts), len(index), self.name)

        result: FloatArray = scores[inverse]
        return result
