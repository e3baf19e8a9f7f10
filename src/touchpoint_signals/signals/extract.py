"""Run many extractors over one log at one instant: the built-in set, or your own.

Extractors are plain objects that keep the :class:`~touchpoint_signals.signals.base.Extractor`
protocol, so a team adds its own by passing it alongside the built-ins; nothing is registered
process-wide.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeGuard

import numpy as np

from touchpoint_signals.errors import ConfigError, NaiveDatetimeError, ProtocolError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.signals.attendance import Attendance
from touchpoint_signals.signals.base import Extractor, SignalFrame
from touchpoint_signals.signals.cadence import CadenceAdherence
from touchpoint_signals.signals.fatigue import TouchpointFatigue
from touchpoint_signals.signals.latency import CustomerReplyLatency, VendorResponseLatency
from touchpoint_signals.signals.purpose import PurposeOutcome
from touchpoint_signals.signals.satisfaction import Satisfaction
from touchpoint_signals.signals.tone import ToneShift

__all__ = ["default_extractors", "extract_signals"]

logger = logging.getLogger(__name__)


def default_extractors() -> tuple[Extractor, ...]:
    """One of each built-in extractor, with its documented default parameters."""
    return (
        Attendance(),
        CustomerReplyLatency(),
        VendorResponseLatency(),
        ToneShift(),
        CadenceAdherence(),
        TouchpointFatigue(),
        PurposeOutcome(),
    )


#: The built-in extractor classes keep the protocol by construction. A runtime protocol check
#: costs tens of microseconds (it looks up every member), a fixed cost that one account per
#: call pays seven times, so instances of exactly these classes skip it.
_BUILT_IN_TYPES: frozenset[type] = frozenset(
    {
        Attendance,
        CustomerReplyLatency,
        VendorResponseLatency,
        ToneShift,
        CadenceAdherence,
        TouchpointFatigue,
        PurposeOutcome,
        Satisfaction,
    }
)


def _keeps_protocol(extractor: object) -> TypeGuard[Extractor]:
    return type(extractor) in _BUILT_IN_TYPES or isinstance(extractor, Extractor)


def _checked(extractors: Iterable[object]) -> list[Extractor]:
    checked: list[Extractor] = []
    seen: dict[str, int] = {}
    for position, extractor in enumerate(extractors):
        if not _keeps_protocol(extractor):
            raise ProtocolError(
                f"extractor #{position} is a {type(extractor).__name__}, which lacks a name "
                "and an extract(log, as_of) method"
            )
        name = extractor.name
        if name in seen:
            raise ConfigError(
                f"extractors #{seen[name]} and #{position} are both named {name!r}; give one "
                "of them another name (attrs.evolve(extractor, name=...))"
            )
        seen[name] = position
        checked.append(extractor)
    return checked


def _check_frame(
    extractor: Extractor,
    frame: SignalFrame,
    log: TouchpointLog,
    as_of: dt.datetime,
    known: Callable[[], set[str]],
) -> None:
    """The parts of the contract a frame cannot check alone: it answers this call."""
    where = f"extractor {extractor.name!r} ({type(extractor).__name__})"
    if frame.name != extractor.name:
        raise ProtocolError(f"{where} returned a frame named {frame.name!r}")
    if frame.as_of != as_of:
        raise ProtocolError(f"{where} returned a frame for {frame.as_of}, not {as_of}")
    if frame.account_ids is not log.account_ids and (
        len(frame) != log.n_accounts or not np.array_equal(frame.account_ids, log.account_ids)
    ):
        raise ProtocolError(
            f"{where} returned {len(frame)} accounts for a log of {log.n_accounts}, or in "
            "another order"
        )

    # Every row of ``log`` is known at ``as_of`` (it is the point-in-time view), so evidence
    # that ``SignalFrame.from_log_rows`` took from rows of this very log is known; only other
    # frames have their ids looked up.
    if frame.n_evidence and not frame.cites_rows_of(log):
        known_ids = known()
        late = [i for i in frame.evidence_ids.tolist() if i not in known_ids]
        if late:
            raise ProtocolError(
                f"{where} cites touchpoints not known at {as_of.isoformat()} (or not in the "
                f"log) as evidence: {late[:5]}"
            )


def extract_signals(
    log: TouchpointLog,
    as_of: dt.datetime,
    extractors: Iterable[object] | None = None,
) -> dict[str, SignalFrame]:
    """Every extractor's frame for ``log`` at ``as_of``, keyed by the extractor's name.

    Parameters
    ----------
    log
        The touchpoints of the accounts to read.
    as_of
        The instant the readings are for; an aware datetime. Each extractor sees only what
        had occurred and been recorded by then.
    extractors
        The extractors to run, in order; :func:`default_extractors` when ``None``. Names
        must be unique.
    """
    if not isinstance(as_of, dt.datetime):
        raise TypeError(
            f"as_of must be a timezone-aware datetime, got {type(as_of).__name__} {as_of!r}; "
            "for a day, use for example dt.datetime(2024, 12, 31, tzinfo=dt.UTC)"
        )
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise NaiveDatetimeError(f"as_of {as_of.isoformat()} has no time zone")
    chosen = _checked(default_extractors() if extractors is None else extractors)

    # The point-in-time view is built once and handed to every extractor: each one still
    # calls ``as_of`` on what it is given (the contract), which costs nothing on a view that
    # holds only known rows, instead of copying every column once per extractor.
    log = log.as_of(as_of)
    cache: list[set[str]] = []

    def known_ids() -> set[str]:
        """Ids of the touchpoints known at ``as_of``, built once, on first need."""
        if not cache:
            cache.append(set(log.id[log.known_at(as_of)].tolist()))
        return cache[0]

    frames: dict[str, SignalFrame] = {}
    for extractor in chosen:
        start = time.perf_counter()
        frame = extractor.extract(log, as_of)
        if not isinstance(frame, SignalFrame):
            raise ProtocolError(
                f"extractor {extractor.name!r} ({type(extractor).__name__}) returned a "
                f"{type(frame).__name__}, not a SignalFrame"
            )
        _check_frame(extractor, frame, log, as_of, known_ids)
        frames[extractor.name] = frame
        logger.debug(
            "%s: %d accounts in %.3f s", extractor.name, len(frame), time.perf_counter() - start
        )
    return frames
