"""Score one account per call, for services that answer one request at a time.

:func:`score_account` runs the same extractors and the same scorer as the batch path
(:meth:`TouchpointLog.from_touchpoints`, :meth:`SignalSet.from_log`, ``scorer.score``) on a
log that holds a single account. What a batch run would compute once for many accounts is
not repeated per call where it need not be: the default extractors and the default scorecard
are built once, when this module is imported (they are frozen attrs objects, so sharing them
changes nothing), and the tone lexicon is loaded once per process by
:mod:`touchpoint_signals.tone`.

Alone or in a portfolio
-----------------------
Most signals read an account's own touchpoints only, and score the same alone as in a
portfolio. Three of the default extractors also read the rest of the log, and can read an
account differently alone (``docs/service.md`` lists them with an example each):

* :class:`~touchpoint_signals.signals.attendance.Attendance` shrinks the account's rates
  toward the pooled rate of the *other* accounts of its segment; alone there are none, so
  the prior is ``fallback_prior_rate``. Fix it with ``Attendance(prior_rate=...)``, or take
  the account's portfolio prior from a batch run with :func:`portfolio_extractors`.
* :class:`~touchpoint_signals.signals.cadence.CadenceAdherence` skips kinds of which the log
  holds no touchpoint (``skip_kinds_absent_from_log``); alone, "the log" is the account.
* :class:`~touchpoint_signals.signals.purpose.PurposeOutcome` does not judge a purpose or an
  outcome no human-led touchpoint of the log records (``ignore_unrecorded_fields``).

A reply to a touchpoint of another account cannot be resolved alone (the touchpoint it
answers is not given), so the vendor-latency rule that skips a customer's reply to another
customer cannot see it either.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import DataError, ProtocolError, UnknownNameError
from touchpoint_signals.log import (
    CHANNELS,
    DIRECTIONS,
    ID,
    STATUSES,
    TEXT,
    TRIGGERS,
    TouchpointLog,
)
from touchpoint_signals.model import DEFAULT_CATALOG, Account, Touchpoint, TouchpointKind
from touchpoint_signals.scoring.base import HealthScore, Scorer, SignalSet
from touchpoint_signals.scoring.scorecard import Scorecard, default_scorecard
from touchpoint_signals.signals.attendance import Attendance
from touchpoint_signals.signals.base import Extractor
from touchpoint_signals.signals.extract import default_extractors
from touchpoint_signals.timeparse import EPOCH

__all__ = ["portfolio_extractors", "score_account"]

logger = logging.getLogger(__name__)

# Built once: both are immutable (frozen attrs, tuples), so every call can share them.
_DEFAULT_EXTRACTORS: tuple[Extractor, ...] = default_extractors()
_DEFAULT_SCORECARD: Scorecard = default_scorecard()

# Code tables of the log as dictionaries (``None``, an unset value, has the code -1), so
# that encoding a touchpoint is one lookup per field instead of a scan of a tuple.
_KIND_CODES: dict[TouchpointKind, int] = {k: i for i, k in enumerate(DEFAULT_CATALOG.kinds)}
# Touchpoints built from a kind's name share the catalog's kind objects, and an identity
# lookup skips hashing the attrs object; a kind equal to one of them but not the same object
# falls back to the hashed lookup.
_KIND_CODES_BY_IDENTITY: dict[int, int] = {id(k): i for k, i in _KIND_CODES.items()}
_STATUS_CODES: dict[object, int] = {member: code for code, member in enumerate(STATUSES)}
_CHANNEL_CODES: dict[object, int] = {None: -1, **{m: c for c, m in enumerate(CHANNELS)}}
_DIRECTION_CODES: dict[object, int] = {None: -1, **{m: c for c, m in enumerate(DIRECTIONS)}}
_TRIGGER_CODES: dict[object, int] = {None: -1, **{m: c for c, m in enumerate(TRIGGERS)}}
_US = dt.timedelta(microseconds=1)


def score_account(
    touchpoints: Sequence[Touchpoint],
    account: Account,
    as_of: dt.datetime,
    *,
    scorer: Scorer | None = None,
    extractors: Sequence[Extractor] | None = None,
) -> HealthScore:
    """The health score of one account at ``as_of``, through the batch path's code.

    Parameters
    ----------
    touchpoints
        The account's touchpoints, in any order. Those that occurred or were recorded after
        ``as_of`` are ignored, as in a batch run.
    account
        The account's record; every touchpoint must belong to it.
    as_of
        The instant the score is for, a timezone-aware datetime.
    scorer
        Any :class:`~touchpoint_signals.scoring.base.Scorer`; the default scorecard when
        ``None``.
    extractors
        The extractors to run; the seven built-ins with their default parameters when
        ``None``. They must produce every signal the scorer reads.

    Returns
    -------
    HealthScore
        What ``scorer.score`` returns for this account in a log that holds it alone.

    Raises
    ------
    DataError
        When a touchpoint belongs to another account (the message names it).
    ProtocolError
        When ``scorer`` is not a scorer.

    Notes
    -----
    The score equals the account's score in a batch run over many accounts for every signal
    that reads only the account's own touchpoints. The portfolio-relative readings (the
    module docstring lists them) are the exception; ``docs/service.md`` says how to make
    them equal too.

    Examples
    --------
    >>> import datetime as dt
    >>> from touchpoint_signals.model import Account, Touchpoint
    >>> acme = Account("acme", "high_touch")
    >>> missed = [
    ...     Touchpoint(f"c{i}", "acme", "check_in", f"2026-05-0{i}T15:00Z", "no_show")
    ...     for i in range(1, 7)
    ... ]
    >>> health = score_account(missed, acme, dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    >>> health.account_id, health.contributions[0].signal, health.contributions[0].severity
    ('acme', 'attendance', 1.0)
    """
    chosen_scorer = _DEFAULT_SCORECARD if scorer is None else scorer
    if type(chosen_scorer) is not Scorecard and not isinstance(chosen_scorer, Scorer):
        raise ProtocolError(
            f"scorer is a {type(chosen_scorer).__name__}, which lacks a name, a config() and "
            "a score(signals, prior=None) method"
        )

    log = _one_account_log(touchpoints, account)
    signals = SignalSet.from_log(
        log, as_of, _DEFAULT_EXTRACTORS if extractors is None else extractors
    )
    scores = chosen_scorer.score(signals)

    if len(scores) != 1:
        raise ProtocolError(
            f"scorer {chosen_scorer.name!r} returned {len(scores)} scores for one account"
        )
    return scores.items[0]


def portfolio_extractors(
    signals: SignalSet,
    account_id: str,
    extractors: Sequence[Extractor] | None = None,
) -> tuple[Extractor, ...]:
    """``extractors`` with the attendance prior pinned to the one a batch run gave an account.

    ``signals`` is the signal set of a batch run (for example last night's, over the whole
    portfolio). Every :class:`~touchpoint_signals.signals.attendance.Attendance` among
    ``extractors`` (the defaults when ``None``) whose prior is learned from the other
    accounts is replaced by a copy whose ``prior_rate`` is the prior that run used for
    ``account_id`` (its ``prior_rate`` detail). Passed to :func:`score_account` with the same
    ``as_of``, such a copy reads the account alone exactly as the batch run read it among the
    others. The prior leaves the account itself out, so it stays exact when only the
    account's own touchpoints have changed since the batch run; read at a later ``as_of``,
    it is the segment as that run saw it.

    Raises
    ------
    UnknownNameError
        When ``account_id`` or an Attendance signal is not in ``signals``.
    """
    chosen = _DEFAULT_EXTRACTORS if extractors is None else tuple(extractors)
    pinned: list[Extractor] = []
    for extractor in chosen:
        if isinstance(extractor, Attendance) and extractor.prior_rate is None:
            frame = signals.frame(extractor.name)
            prior = float(frame.details["prior_rate"][_code(signals, account_id)])
            if not math.isfinite(prior):
                raise DataError(f"signal {extractor.name!r} has no prior for {account_id!r}")
            extractor = attrs.evolve(extractor, prior_rate=prior)
        pinned.append(extractor)
    return tuple(pinned)


def _code(signals: SignalSet, account_id: str) -> int:
    for code, known in enumerate(signals.account_ids.tolist()):
        if known == account_id:
            return code
    raise UnknownNameError(f"account {account_id!r} is not in this signal set")


def _one_account_log(touchpoints: Sequence[Touchpoint], account: Account) -> TouchpointLog:
    """The log ``TouchpointLog.from_touchpoints(touchpoints, accounts=(account,))`` builds.

    That builder is made for many accounts and millions of rows: it factorises account and
    contact ids, sorts with numpy and resolves replies by a search over sorted ids, about
    twenty numpy calls and a scan of the kinds per touchpoint. For one account of a few
    hundred touchpoints those fixed costs are most of the time, so this builds the same
    columns in one pass of Python dictionaries and sorts (the log sorts by time, then id),
    and numpy only to hold the result. ``tests/test_service.py`` checks, field by field on
    generated touchpoints, that both builders give the same log. Duplicate ids are left to
    the batch builder, which raises its error for them.
    """
    items = list(touchpoints)
    for touchpoint in items:
        if touchpoint.account_id != account.id:
            raise DataError(
                f"touchpoint {touchpoint.id!r} belongs to account {touchpoint.account_id!r}, "
                f"not to {account.id!r}, the account being scored"
            )
    if len({t.id for t in items}) != len(items):
        return TouchpointLog.from_touchpoints(items, accounts=(account,))

    kind_of = [_KIND_CODES_BY_IDENTITY.get(id(t.kind), -1) for t in items]
    kinds = DEFAULT_CATALOG.kinds
    if -1 in kind_of:
        kind_codes = dict(_KIND_CODES)
        for touchpoint in items:
            kind_codes.setdefault(touchpoint.kind, len(kind_codes))
        kind_of = [kind_codes[t.kind] for t in items]
        kinds = tuple(kind_codes)

    occurred_at = [(t.occurred_at - EPOCH) // _US for t in items]
    if len(set(occurred_at)) == len(items):
        order = sorted(range(len(items)), key=occurred_at.__getitem__)
    else:
        order = sorted(range(len(items)), key=lambda i: (occurred_at[i], items[i].id))
    items = [items[i] for i in order]
    occurred_at = [occurred_at[i] for i in order]
    kind_of = [kind_of[i] for i in order]
    ids = [t.id for t in items]

    row_of = {touchpoint_id: row for row, touchpoint_id in enumerate(ids)}
    reply_to = [-1] * len(items)
    unresolved_rows: list[int] = []
    unresolved_ids: list[str] = []
    for row, touchpoint in enumerate(items):
        target_id = touchpoint.in_reply_to
        if target_id is None:
            continue
        target = row_of.get(target_id)
        if target is None or occurred_at[target] > occurred_at[row]:
            unresolved_rows.append(row)
            unresolved_ids.append(target_id)
        else:
            reply_to[row] = target

    contacts = [t.contact_id for t in items]
    contact_ids = sorted({c for c in contacts if c is not None})
    contact_codes: dict[str | None, int] = {None: -1}
    contact_codes.update((c, code) for code, c in enumerate(contact_ids))

    return TouchpointLog(
        id=np.array(ids, dtype=ID),
        account=np.zeros(len(items), dtype=np.int32),
        occurred_at=np.array(occurred_at, dtype=np.int64),
        recorded_at=np.array(
            [
                occurred if t.recorded_at is t.occurred_at else (t.recorded_at - EPOCH) // _US
                for occurred, t in zip(occurred_at, items, strict=True)
            ],
            dtype=np.int64,
        ),
        kind=np.array(kind_of, dtype=np.uint8),
        status=np.array([_STATUS_CODES[t.status] for t in items], dtype=np.uint8),
        channel=np.array([_CHANNEL_CODES[t.channel] for t in items], dtype=np.int8),
        direction=np.array([_DIRECTION_CODES[t.direction] for t in items], dtype=np.int8),
        trigger=np.array([_TRIGGER_CODES[t.trigger] for t in items], dtype=np.int8),
        contact=np.array([contact_codes[c] for c in contacts], dtype=np.int32),
        reply_to=np.array(reply_to, dtype=np.int32),
        csat=np.array([t.csat or 0 for t in items], dtype=np.int8),
        attendees=np.array(
            [-1 if t.attendees is None else t.attendees for t in items], dtype=np.int32
        ),
        text=_text([t.text for t in items]),
        quoted_text=_text([t.quoted_text for t in items]),
        purpose=_text([t.purpose for t in items]),
        outcome=_text([t.outcome for t in items]),
        account_ids=np.array([account.id], dtype=ID),
        contact_ids=np.array(contact_ids, dtype=ID),
        offsets=np.array([0, len(items)], dtype=np.int64),
        kinds=kinds,
        accounts=(account,),
        unresolved_reply_rows=np.array(unresolved_rows, dtype=np.int64),
        unresolved_reply_ids=np.array(unresolved_ids, dtype=ID),
    )


def _text(values: list[str | None]) -> npt.NDArray[Any]:
    """An optional text column: NaN where a touchpoint has no value."""
    return np.array([np.nan if v is None else v for v in values], dtype=TEXT)
