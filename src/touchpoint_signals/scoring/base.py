"""What a scorer is given, what it returns, and the protocol every scorer keeps.

A scorer turns the signals of many accounts at one ``as_of`` into :class:`HealthScore`
objects: a score from 0 to 100 (100 healthiest) or none, a :class:`Band`, the share of the
scorer's weight that had data (coverage), the contribution of each signal in points, and the
reasons in plain language. The same signals, configuration and ``as_of`` always give the same
health scores, and each score carries the scorer's name and a hash of its configuration so
that a stored score can be traced to what made it.

Scorers compose. :class:`Scorer.score` takes the scores of an earlier scorer as ``prior``: a
scorer that computes scores ignores it, while one that adjusts scores (rules that cap a band, a
CSM's overrides) requires it. A sequence of scorers feeds each one's output to the next.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import gc
import hashlib
import json
from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import DataError, ProtocolError, UnknownNameError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Account
from touchpoint_signals.signals.base import Extractor, SignalFrame
from touchpoint_signals.signals.extract import extract_signals

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


class Band(enum.StrEnum):
    """The traffic-light reading of a health score.

    ``insufficient_data`` is a band of its own: an account with too little data is never
    shown as green.
    """

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    INSUFFICIENT_DATA = "insufficient_data"

    @property
    def risk(self) -> int:
        """Order from riskiest (0) to healthiest.

        Known risk comes first (red, then yellow), then unknown risk (insufficient data),
        then green: a CS lead works the accounts the signals flag before the ones they cannot
        read, and never mistakes a silent account for a healthy one.
        """
        return _RISK[self]


#: :attr:`Band.risk` of each band, looked up once per score when a portfolio is sorted.
_RISK = {Band.RED: 0, Band.YELLOW: 1, Band.INSUFFICIENT_DATA: 2, Band.GREEN: 3}


def config_hash(config: Mapping[str, Any]) -> str:
    """A short, stable hash of a scorer's configuration (plain data, keys sorted)."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@attrs.frozen
class Contribution:
    """What one signal added to an account's score.

    ``points`` are on the score's 0-100 scale, and the points of all contributions add up to
    the score exactly (to the hundredth, the precision scores are kept at). ``weight`` is the
    configured weight, ``effective_weight`` the weight after missing signals were handled
    (renormalised, imputed or counted as worst); ``handling`` says which happened.
    """

    signal: str
    points: float
    weight: float
    effective_weight: float
    severity: float | None
    handling: str
    reason: str
    group: str | None = None


@attrs.frozen
class Adjustment:
    """A change made after the weighted score: a rule that capped the band, an override."""

    kind: str
    source: str
    description: str
    band_before: Band
    band_after: Band
    score_before: float | None = None
    score_after: float | None = None


@attrs.frozen
class HealthScore:
    """An account's health at one instant, and why.

    ``reasons`` are plain sentences, the riskiest first. ``contributions`` explain the score
    in points; ``adjustments`` list every rule or override that changed it afterwards.
    """

    account_id: str
    as_of: dt.datetime
    score: float | None
    band: Band
    coverage: float
    contributions: tuple[Contribution, ...]
    reasons: tuple[str, ...]
    scorer: str
    config_hash: str
    segment: str | None = None
    adjustments: tuple[Adjustment, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.score is not None and not 0.0 <= self.score <= 100.0:
            raise DataError(f"health score of {self.account_id!r} is {self.score}, not 0-100")
        if not 0.0 <= self.coverage <= 1.0:
            raise DataError(f"coverage of {self.account_id!r} is {self.coverage}, not 0-1")
        if self.score is None and self.band not in (Band.INSUFFICIENT_DATA, Band.RED):
            raise DataError(
                f"account {self.account_id!r} has no score but band {self.band.value}"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON types only), in the form of the documented JSON Schema.

        What ``attrs.asdict`` makes with datetimes and enums as text. Fields of the declared
        types are read directly (asdict inspects every value, a cost paid per account when
        a portfolio is written out); anything else goes through asdict itself.
        """
        try:
            return self._direct_dict()
        except _NotPlainError:
            data = attrs.asdict(self, recurse=True, value_serializer=_plain)
        for key in ("contributions", "reasons", "adjustments"):
            data[key] = list(data[key])
        return data

    def _direct_dict(self) -> dict[str, Any]:
        if type(self) is not HealthScore:
            raise _NotPlainError
        # Keys in the order of the fields, as asdict gives them; collections filled after.
        data = {
            name: None if name in _COLLECTIONS else _leaf(getattr(self, name))
            for name in _SCORE_FIELDS
        }
        data["contributions"] = [
            _fields_of(c, Contribution, _CONTRIBUTION_FIELDS)
            for c in _items(self.contributions)
        ]
        data["reasons"] = [_leaf(reason) for reason in _items(self.reasons)]
        data["adjustments"] = [
            _fields_of(a, Adjustment, _ADJUSTMENT_FIELDS) for a in _items(self.adjustments)
        ]
        return data

    def to_json(self) -> str:
        """The score as one line of JSON."""
        return json.dumps(self.to_dict(), sort_keys=True)

    def _repr_html_(self) -> str:
        """The score as an HTML card in a notebook (see :mod:`touchpoint_signals.display`).

        The display module is imported here, on first use, so that scoring never loads it.
        """
        from touchpoint_signals.display import health_score_html

        return health_score_html(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HealthScore:
        """Rebuild a score from :meth:`to_dict` output."""
        try:
            return cls(
                account_id=data["account_id"],
                as_of=dt.datetime.fromisoformat(data["as_of"]),
                score=data["score"],
                band=Band(data["band"]),
                coverage=data["coverage"],
                contributions=tuple(Contribution(**c) for c in data["contributions"]),
                reasons=tuple(data["reasons"]),
                scorer=data["scorer"],
                config_hash=data["config_hash"],
                segment=data.get("segment"),
                adjustments=tuple(
                    Adjustment(
                        **{
                            **a,
                            "band_before": Band(a["band_before"]),
                            "band_after": Band(a["band_after"]),
                        }
                    )
                    for a in data.get("adjustments", ())
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"not a health score: {exc}") from None


def _plain(instance: Any, attribute: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


class _NotPlainError(Exception):
    """A health score holds a value :meth:`HealthScore.to_dict` leaves to ``attrs.asdict``."""


_SCALARS = frozenset({str, float, int, bool, type(None)})
_NESTED = (list, tuple, set, frozenset, dict)
_COLLECTIONS = ("contributions", "reasons", "adjustments")
_SCORE_FIELDS = tuple(a.name for a in attrs.fields(HealthScore))
_CONTRIBUTION_FIELDS = tuple(a.name for a in attrs.fields(Contribution))
_ADJUSTMENT_FIELDS = tuple(a.name for a in attrs.fields(Adjustment))


def _leaf(value: Any) -> Any:
    """``value`` as ``attrs.asdict`` with :func:`_plain` gives a value that holds no other."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, _NESTED) or attrs.has(type(value)):
        raise _NotPlainError
    return _plain(None, None, value)


def _items(value: Any) -> Any:
    """A tuple or list field, or an error handing the score over to ``attrs.asdict``."""
    if type(value) not in (tuple, list):
        raise _NotPlainError
    return value


def _fields_of(value: Any, kind: type, names: tuple[str, ...]) -> dict[str, Any]:
    if type(value) is not kind:
        raise _NotPlainError
    return {name: _leaf(getattr(value, name)) for name in names}


@attrs.frozen(eq=False)
class SignalSet:
    """The signals of a set of accounts at one instant, with the accounts themselves.

    ``frames`` maps extractor names to frames whose rows line up with ``account_ids``;
    ``accounts[a]`` is the record of ``account_ids[a]`` or ``None`` when none was loaded.
    """

    as_of: dt.datetime
    account_ids: npt.NDArray[Any]
    accounts: tuple[Account | None, ...]
    frames: Mapping[str, SignalFrame]

    def __attrs_post_init__(self) -> None:
        n = len(self.account_ids)
        if len(self.accounts) != n:
            raise DataError(f"signal set has {len(self.accounts)} account records for {n} ids")
        for name, frame in self.frames.items():
            if frame.account_ids is self.account_ids:  # the frames of a log share its ids
                continue
            if len(frame) != n or not np.array_equal(frame.account_ids, self.account_ids):
                raise DataError(f"signal {name!r} does not cover the set's {n} accounts")

    @classmethod
    def from_log(
        cls,
        log: TouchpointLog,
        as_of: dt.datetime,
        extractors: Sequence[Extractor] | None = None,
    ) -> SignalSet:
        """Run ``extractors`` (the built-ins by default) over ``log`` at ``as_of``."""
        frames = extract_signals(log, as_of, extractors)
        return cls(as_of, log.account_ids, log.accounts, frames)

    def __len__(self) -> int:
        return len(self.account_ids)

    def frame(self, name: str) -> SignalFrame:
        """The frame of the signal called ``name``, or an error listing those present."""
        try:
            return self.frames[name]
        except KeyError:
            raise UnknownNameError(
                f"no signal {name!r} in this set: it holds {', '.join(self.frames) or 'none'}"
            ) from None


@attrs.frozen
class Scores:
    """Health scores of many accounts, in the order of the signal set they came from."""

    items: tuple[HealthScore, ...]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[HealthScore]:
        return iter(self.items)

    def riskiest_first(self) -> list[HealthScore]:
        """Red, yellow, insufficient data, then green; lower scores first within a band."""
        with paused_gc():  # one key tuple per score: the collector would rescan them all
            return sorted(
                self.items,
                key=lambda s: (
                    _RISK[s.band],
                    s.score if s.score is not None else -1.0,
                    s.account_id,
                ),
            )

    def riskiest(self, n: int) -> Scores:
        """The ``n`` riskiest accounts (all when there are fewer), riskiest first.

        Unlike a slice of :meth:`riskiest_first`, the result is a :class:`Scores`, so a
        notebook shows it as the portfolio table; its order is the ranking's, not the signal
        set's, so it is for reading and reporting, not for a composed scorer's ``prior``.

        Raises
        ------
        ValueError
            When ``n`` is negative.
        """
        if n < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        return Scores(tuple(self.riskiest_first()[:n]))

    def of(self, account_id: str) -> HealthScore:
        """The score of one account."""
        for item in self.items:
            if item.account_id == account_id:
                return item
        raise UnknownNameError(f"no health score for account {account_id!r}")

    def _repr_html_(self) -> str:
        """The portfolio as an HTML table in a notebook, riskiest first, cut at
        :data:`~touchpoint_signals.display.MAX_ROWS` accounts (see
        :func:`touchpoint_signals.display.scores_html`)."""
        from touchpoint_signals.display import scores_html

        return scores_html(self)


@contextlib.contextmanager
def paused_gc() -> Generator[None]:
    """Pause Python's cyclic garbage collector while a batch of health scores is built.

    The objects of a health score hold no reference cycles, so the collector finds nothing
    in them; yet every few hundred new objects it runs and, as they age, rescans them all
    (a third of the time of building 10,000 scores). It is switched back on afterwards if it
    was on. A known limit: another thread that switches it off meanwhile finds it on again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@runtime_checkable
class Scorer(Protocol):
    """Anything with a ``name``, a ``config()`` and a ``score(signals, prior=None)``.

    ``config()`` returns the scorer's configuration as plain data (what is hashed into every
    health score it makes). ``score`` returns one health score per account of ``signals``,
    in order. A scorer that adjusts scores rather than computing them raises
    :class:`~touchpoint_signals.errors.ProtocolError` when ``prior`` is ``None``.
    """

    @property
    def name(self) -> str:
        """The scorer's name, carried by every health score it makes."""
        ...

    def config(self) -> Mapping[str, Any]:
        """The configuration as plain data."""
        ...

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        """Health scores for every account of ``signals``."""
        ...


def require_prior(scorer: object, prior: Scores | None) -> Scores:
    """``prior``, or an error saying that ``scorer`` adjusts scores and needs some."""
    if prior is None:
        raise ProtocolError(
            f"{type(scorer).__name__} adjusts health scores made by another scorer; use it "
            "after one in a Sequence"
        )
    return prior
