"""SIMULATED customer-success portfolios with planted deteriorations and known churn.

Everything this module makes is SIMULATED: no record describes a real customer, meeting or
message. A simulated portfolio exists to feed the benchmarks, to measure how often the
signals catch a change that is known to be there (and how often they flag accounts that are
clean), and to give a demo something to show. Wherever its output appears it must be
labelled simulated.

:func:`simulate_portfolio` draws, from one seed:

* accounts in the built-in segments (``high_touch``, ``mid_touch``, ``tech_touch``) in the
  proportions asked for, each with a lifecycle stage, a CSM and one to four contacts;
* meetings at the cadences the built-in segments expect (check-ins, QBRs, EBRs, read from
  each segment's :class:`~touchpoint_signals.model.CadencePolicy`), automated messages where
  the segment expects them, surveys, outreach e-mails from the CSM with the customer's replies
  (linked by ``in_reply_to``), and customer-raised support requests with the vendor's answers;
  message texts come from small hand-written pools of collaborative and transactional
  sentences;
* for some accounts, one planted deterioration from an onset instant on: attendance decay
  (meetings missed far more often), latency drift (replies several times slower), going
  silent (replies and requests mostly stop) or tone shift (the customer's messages turn
  transactional);
* a churn instant from a piecewise-constant hazard that is multiplied after the onset.

The log is built from numpy columns with no Python object per touchpoint: the streams keep
codes and numbers, the rows are put in log order once, each string column of the
:class:`~touchpoint_signals.log.TouchpointColumns` is made once, and the texts go to the log
as a :class:`~touchpoint_signals.log.TextTable`, so a portfolio of millions of touchpoints
takes seconds and no more memory than a few times its log. :func:`write_csv` writes it out in
the format :func:`touchpoint_signals.read_csv` reads, for benchmarks of the ingest path.

The simulation is deliberately simple: each behaviour is a fixed rate or an interval drawn
uniformly, contacts do not change over time, a lifecycle stage does not advance, and the
vendor's own answers never slow down (no vendor-side deterioration is planted).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import logging
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.ingest.records import ACCOUNT_FIELDS, TOUCHPOINT_FIELDS
from touchpoint_signals.log import (
    CHANNELS,
    DIRECTIONS,
    ID,
    STATUSES,
    TEXT,
    TRIGGERS,
    ReplyLinks,
    ReplyProblem,
    TextTable,
    TouchpointColumns,
    TouchpointLog,
)
from touchpoint_signals.model import (
    BUILTIN_KINDS,
    BUILTIN_SEGMENTS,
    Account,
    Channel,
    Direction,
    LifecycleStage,
    Status,
    Trigger,
)
from touchpoint_signals.timeparse import to_epoch_us

__all__ = [
    "DEFAULT_DETERIORATION",
    "DEFAULT_PROFILES",
    "DEFAULT_SEGMENT_MIX",
    "DETERIORATIONS",
    "Portfolio",
    "SegmentProfile",
    "simulate_portfolio",
    "write_csv",
]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_SECOND_US = 1_000_000
_HOUR_US = 3_600 * _SECOND_US
_DAY_US = 24 * _HOUR_US
_YEAR_DAYS = 365.25

#: The deteriorations that can be planted, in the order of their codes.
DETERIORATIONS: tuple[str, ...] = (
    "attendance_decay",
    "latency_drift",
    "going_silent",
    "tone_shift",
)

#: Share of accounts per built-in segment when none is given.
DEFAULT_SEGMENT_MIX: Mapping[str, float] = {
    "high_touch": 0.2,
    "mid_touch": 0.3,
    "tech_touch": 0.5,
}

#: Share of accounts that get each deterioration when none is given (the rest stay clean).
DEFAULT_DETERIORATION: Mapping[str, float] = {
    "attendance_decay": 0.1,
    "latency_drift": 0.1,
    "going_silent": 0.05,
    "tone_shift": 0.1,
}

#: Lifecycle stages drawn for accounts, with their shares; a stage does not advance.
_STAGE_SHARES: tuple[tuple[LifecycleStage, float], ...] = (
    (LifecycleStage.ONBOARDING, 0.1),
    (LifecycleStage.ADOPTION, 0.4),
    (LifecycleStage.EXPANSION, 0.3),
    (LifecycleStage.RENEWAL, 0.2),
)

_MEETING_KIND_NAMES = frozenset(k.name for k in BUILTIN_KINDS if k.meeting)
_KIND_CODE = {k.name: code for code, k in enumerate(BUILTIN_KINDS)}


def _interval(
    instance: Any, attribute: attrs.Attribute[Any], value: tuple[float, float]
) -> None:
    low, high = value
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high):
        raise ConfigError(
            f"SegmentProfile.{attribute.name} must be (low, high) days with 0 < low <= high, "
            f"got {value!r}"
        )


def _probability(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not (isinstance(value, int | float) and 0 <= value <= 1):
        raise ConfigError(
            f"SegmentProfile.{attribute.name} must be a probability in [0, 1], got {value!r}"
        )


def _positive(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not (
        isinstance(value, int | float) and math.isfinite(value) and value > 0
    ):
        raise ConfigError(
            f"SegmentProfile.{attribute.name} must be a finite number > 0, got {value!r}"
        )


def _contacts(instance: Any, attribute: attrs.Attribute[Any], value: tuple[int, int]) -> None:
    low, high = value
    if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high):
        raise ConfigError(
            f"SegmentProfile.contacts must be (low, high) whole numbers with 1 <= low <= "
            f"high, got {value!r}"
        )


@attrs.frozen
class SegmentProfile:
    """How SIMULATED accounts of one segment behave when nothing is wrong.

    Meeting and automated cadences are not here: they come from the segment's own
    :class:`~touchpoint_signals.model.CadencePolicy`. Intervals are ``(low, high)`` days,
    each gap drawn uniformly between them.

    Parameters
    ----------
    outreach_days
        Gap between the CSM's outreach e-mails.
    support_days
        Gap between the customer's support requests.
    survey_days
        Gap between surveys (the built-in segments cap surveys at two a quarter).
    contacts
        Fewest and most customer contacts; contact 0 is the champion, who writes most replies.
    miss_rate
        Chance that a meeting is missed (no-show or cancelled).
    reply_rate
        Chance that an outreach e-mail is answered.
    reply_median_hours
        Median wall-clock hours to a customer reply (log-normal, ``reply_sigma`` on the log).
    answer_median_hours
        Median wall-clock hours to the vendor's answer to a support request.
    transactional_share
        Share of the customer's messages written in the transactional pool.
    """

    outreach_days: tuple[float, float] = attrs.field(validator=_interval)
    support_days: tuple[float, float] = attrs.field(validator=_interval)
    survey_days: tuple[float, float] = attrs.field(default=(75.0, 120.0), validator=_interval)
    contacts: tuple[int, int] = attrs.field(default=(1, 3), validator=_contacts)
    miss_rate: float = attrs.field(default=0.08, validator=_probability)
    reply_rate: float = attrs.field(default=0.85, validator=_probability)
    reply_median_hours: float = attrs.field(default=5.0, validator=_positive)
    answer_median_hours: float = attrs.field(default=3.0, validator=_positive)
    transactional_share: float = attrs.field(default=0.1, validator=_probability)


#: Behaviour of each built-in segment's SIMULATED accounts (see :class:`SegmentProfile`).
DEFAULT_PROFILES: Mapping[str, SegmentProfile] = {
    "high_touch": SegmentProfile(
        outreach_days=(2.0, 5.0), support_days=(10.0, 20.0), contacts=(2, 4), miss_rate=0.06
    ),
    "mid_touch": SegmentProfile(
        outreach_days=(3.0, 7.0), support_days=(10.0, 20.0), contacts=(1, 2), miss_rate=0.1
    ),
    "tech_touch": SegmentProfile(
        outreach_days=(10.0, 21.0), support_days=(14.0, 30.0), contacts=(1, 2), miss_rate=0.15
    ),
}

# -- hand-written sentence pools (SIMULATED messages) --------------------------------------

_COLLABORATIVE = (
    "Thanks for the notes, we are looking forward to planning the next phase together.",
    "Great session, our team is excited about the rollout and we will share the plan soon.",
    "Hi, could we walk through the roadmap next week? We would love your input.",
    "Thank you, this helps a lot. Let's align on the milestones for next quarter.",
    "We have shared the dashboard with our managers and they are keen to expand the pilot.",
    "Appreciate the quick help! We plan to bring two more teams on board together with you.",
    "Good morning, we reviewed the proposal and would like to discuss next steps with you.",
    "Thanks again, our users love the new reports. Could we plan a training for new hires?",
    "Hello, we are planning our goals for next quarter and would value your ideas.",
    "Many thanks for the follow-up, we will work on this with our admins this week.",
)
_TRANSACTIONAL = (
    "Send the invoice.",
    "Cancel the meeting.",
    "Per my last email, fix the export today.",
    "Just send the contract terms.",
    "Escalate this. It is still broken.",
    "Stop sending these reminders.",
    "Update the billing contact. Asap.",
    "Just close the ticket.",
)
_COLLABORATIVE_REQUESTS = (
    "Hi, we are seeing a slow export on our side, could you help us look into it?",
    "Hello, our team would like to set up single sign-on together, what do we need?",
    "Thanks in advance, we hit an error importing our data and would appreciate a hand.",
    "Could we get some guidance on the new permissions? We plan to roll them out soon.",
)
_TRANSACTIONAL_REQUESTS = (
    "Export broken again. Fix it.",
    "Reset my password.",
    "Refund the last invoice.",
    "Remove the extra seats today.",
)
_OUTREACH = (
    "Hi, following up on our last call: here is the summary and the proposed next steps.",
    "Hello, a quick check on how the rollout is going for your team this week.",
    "Hi, sharing the usage report for last month; happy to walk through it together.",
    "Hello, the new reporting feature is live; would it help your team to see a demo?",
    "Hi, checking whether the open items from our review are on track.",
)
_ANSWERS = (
    "Thanks for reporting this; we have found the cause and deployed a fix.",
    "Hi, this is done on our side; let us know if anything still looks wrong.",
    "Thanks for the details; the change is applied to your workspace now.",
)
_AUTOMATED = (
    "Your weekly usage summary is ready.",
    "New features are available in your workspace.",
    "Your team has unused seats this month.",
    "Reminder: complete your workspace setup.",
)
_PURPOSES = {
    "check_in": ("review open actions", "check adoption progress", "plan the next month"),
    "qbr": ("quarterly business review", "review goals and usage for the quarter"),
    "ebr": ("executive business review", "align on the yearly plan with the sponsor"),
    "outreach": ("follow up on actions", "share a usage report", "announce a feature"),
    "support": ("answer a support request",),
}
_OUTCOMES = (
    "next steps agreed",
    "action items assigned",
    "expansion discussed",
    "no change",
    "risks noted",
)


#: Every pool of phrases, in the order of their codes.
_POOLS: tuple[tuple[str, ...], ...] = (
    _COLLABORATIVE, _TRANSACTIONAL, _COLLABORATIVE_REQUESTS, _TRANSACTIONAL_REQUESTS,
    _OUTREACH, _ANSWERS, _AUTOMATED, *_PURPOSES.values(), _OUTCOMES,
)  # fmt: skip
#: The code of each pool's first phrase in :data:`_PHRASES`.
_POOL_START = dict(
    zip(_POOLS, itertools.accumulate((len(pool) for pool in _POOLS), initial=0), strict=False)
)
#: Every phrase a SIMULATED touchpoint can carry, pool after pool, then NaN for no text. The
#: streams draw codes into this table (one byte a row); the text columns are made from the
#: codes once, in log order.
_PHRASES = np.array([*itertools.chain.from_iterable(_POOLS), np.nan], dtype=TEXT)
_NO_PHRASE = len(_PHRASES) - 1


# -- the portfolio ---------------------------------------------------------------------------


@attrs.frozen(eq=False)
class Portfolio:
    """A SIMULATED portfolio: its touchpoint log, its accounts and the planted ground truth.

    Per-account arrays are in ``log.account_ids`` order, which is also the order of
    ``accounts``. ``deterioration`` holds the planted deterioration's name, or ``""`` for a
    clean account; ``onset`` when it began (``NaT`` for clean accounts); ``churned_at`` the
    simulated churn instant (``NaT`` when the account had not churned by ``end`` plus the
    churn horizon). The same churn instant is on each :class:`Account` record, as an outcome
    no signal reads.
    """

    log: TouchpointLog
    accounts: tuple[Account, ...]
    deterioration: npt.NDArray[Any]
    onset: npt.NDArray[np.datetime64]
    churned_at: npt.NDArray[np.datetime64]
    seed: int
    start: dt.datetime
    end: dt.datetime

    @property
    def account_ids(self) -> npt.NDArray[Any]:
        """Account ids, in the order of every per-account array."""
        return self.log.account_ids

    def planted(self, deterioration: str | None = None) -> BoolArray:
        """Accounts with a planted deterioration (any, or the one named)."""
        if deterioration is None:
            result: BoolArray = self.deterioration != ""
            return result
        if deterioration not in DETERIORATIONS:
            raise ConfigError(
                f"unknown deterioration {deterioration!r}: expected one of "
                f"{', '.join(DETERIORATIONS)}"
            )
        named: BoolArray = self.deterioration == deterioration
        return named

    @property
    def clean(self) -> BoolArray:
        """Accounts with no planted deterioration."""
        return ~self.planted()

    def segments(self) -> npt.NDArray[Any]:
        """The segment name of every account."""
        return np.array([a.segment.name for a in self.accounts], dtype=ID)


def _check_mix(mix: Mapping[str, float], valid: tuple[str, ...], what: str) -> dict[str, float]:
    unknown = sorted(set(mix) - set(valid))
    if unknown:
        raise ConfigError(
            f"{what}: unknown names {unknown}; expected some of {', '.join(valid)}"
        )
    shares = {name: float(mix.get(name, 0.0)) for name in valid}
    if any(not (math.isfinite(v) and v >= 0) for v in shares.values()):
        raise ConfigError(f"{what}: every share must be a finite number >= 0, got {dict(mix)}")
    return shares


def _allocate(rng: np.random.Generator, n: int, shares: list[float]) -> IntArray:
    """Exactly apportioned codes 0..k-1 (largest remainder) for ``n`` items, shuffled.

    Shares are fractions of ``n``; what they leave over gets code ``-1``.
    """
    quotas = np.asarray(shares, dtype=np.float64) * n
    counts = np.floor(quotas).astype(np.int64)
    total = min(n, round(float(quotas.sum())))
    remainders = quotas - counts
    for k in np.argsort(-remainders, kind="stable")[: max(0, total - int(counts.sum()))]:
        counts[k] += 1
    codes = np.full(n, -1, dtype=np.int64)
    codes[: int(counts.sum())] = np.repeat(np.arange(len(shares)), counts)
    shuffled: IntArray = rng.permutation(codes)
    return shuffled


def _renewals(
    rng: np.random.Generator,
    owners: IntArray,
    begin_us: int,
    stop_us: IntArray,
    low_days: float,
    high_days: float,
) -> tuple[IntArray, IntArray]:
    """Events every ``low``-``high`` days per owner, from a random phase until its stop.

    Returns the owner of each event and its instant, grouped by owner and in time order.
    """
    if owners.size == 0:
        return owners, np.zeros(0, dtype=np.int64)

    span_days = max(0.0, float(stop_us[owners].max() - begin_us) / _DAY_US)
    steps = math.ceil(span_days / low_days) + 1
    gaps = rng.uniform(low_days, high_days, (owners.size, steps))
    gaps[:, 0] = rng.uniform(0.0, high_days, owners.size)
    times = begin_us + (np.cumsum(gaps, axis=1) * _DAY_US).astype(np.int64)
    keep = times < stop_us[owners][:, None]
    return np.repeat(owners, keep.sum(axis=1)), times[keep]


def _weekday(times_us: IntArray) -> IntArray:
    """0 for Monday ... 6 for Sunday (1970-01-01 was a Thursday)."""
    result: IntArray = (times_us // _DAY_US + 3) % 7
    return result


def _off_weekend(times_us: IntArray) -> IntArray:
    """Instants on a Saturday or Sunday moved to the same time on the Monday after."""
    weekday = _weekday(times_us)
    shift = np.where(weekday >= 5, 7 - weekday, 0)
    result: IntArray = times_us + shift * _DAY_US
    return result


def _working_hours(rng: np.random.Generator, times_us: IntArray) -> IntArray:
    """The same day at a whole minute between 08:00 and 17:00 UTC, off the weekend."""
    days = times_us // _DAY_US * _DAY_US
    minutes = rng.integers(8 * 60, 17 * 60, times_us.size)
    return _off_weekend(days + minutes * 60 * _SECOND_US)


def _days_us(days: FloatArray) -> IntArray:
    """Days as whole seconds in microseconds, capped at 10**6 days so a near-zero hazard
    cannot overflow int64."""
    seconds = np.minimum(days, 1e6) * 86_400.0
    result: IntArray = seconds.astype(np.int64) * _SECOND_US
    return result


def _before_stop(
    owner: IntArray, times_us: IntArray, stop_us: IntArray
) -> tuple[IntArray, IntArray]:
    """The events that still fall before their owner's stop (after a move off a weekend)."""
    keep = times_us < stop_us[owner]
    return owner[keep], times_us[keep]


def _to_seconds(times_us: IntArray) -> IntArray:
    result: IntArray = times_us // _SECOND_US * _SECOND_US
    return result


_COMPLETED = STATUSES.index(Status.COMPLETED)
_NO_SHOW = STATUSES.index(Status.NO_SHOW)
_CANCELLED = STATUSES.index(Status.CANCELLED)
_RESCHEDULED = STATUSES.index(Status.RESCHEDULED)
_OUTBOUND = DIRECTIONS.index(Direction.OUTBOUND)
_INBOUND = DIRECTIONS.index(Direction.INBOUND)
_SCHEDULED = TRIGGERS.index(Trigger.SCHEDULED)
_BEHAVIOUR = TRIGGERS.index(Trigger.BEHAVIOUR_TRIGGERED)
_RAISED = TRIGGERS.index(Trigger.CUSTOMER_RAISED)
_EMAIL = CHANNELS.index(Channel.EMAIL)
_VIDEO = CHANNELS.index(Channel.VIDEO)
_IN_PERSON = CHANNELS.index(Channel.IN_PERSON)
_IN_APP = CHANNELS.index(Channel.IN_APP)
_CHAT = CHANNELS.index(Channel.CHAT)


#: Contact codes of the streams: the index of one of the account's contacts (0 is the
#: champion), the account's CSM, or no contact.
_CSM = -2
_NO_CONTACT = -1
#: Rows of the log order made into strings at a time, so that a string column is built with
#: transients of one block only.
_STRING_BLOCK = 1 << 18

PhraseCodes = npt.NDArray[np.uint8]
ContactCodes = npt.NDArray[np.int32]


@attrs.define
class _Rows:
    """SIMULATED touchpoints as compact column chunks, appended stream by stream.

    A chunk holds codes and numbers, no strings: the contact as a contact code (see
    :data:`_CSM`), texts as codes into :data:`_PHRASES`, and a value shared by a whole stream
    as one value. :meth:`columns` puts the rows in log order and makes each string column
    once, so the strings of a large portfolio never exist twice.
    """

    chunks: list[dict[str, npt.NDArray[Any]]] = attrs.field(factory=list)
    sizes: list[int] = attrs.field(factory=list)
    size: int = 0

    def add(
        self,
        account: IntArray,
        kind: str,
        occurred: IntArray,
        *,
        status: npt.ArrayLike = _COMPLETED,
        channel: npt.ArrayLike = -1,
        direction: npt.ArrayLike = -1,
        trigger: npt.ArrayLike = -1,
        contact: ContactCodes | None = None,
        reply_to: npt.ArrayLike = -1,
        text: PhraseCodes | None = None,
        purpose: PhraseCodes | None = None,
        outcome: PhraseCodes | None = None,
        recorded: IntArray | None = None,
        csat: npt.ArrayLike = 0,
        attendees: npt.ArrayLike = -1,
    ) -> int:
        """Append one stream of ``len(account)`` rows; return the position of its first row.

        ``reply_to`` is the position of the row answered, as this method returned it.
        """
        base = self.size
        self.chunks.append(
            {
                "account": account.astype(np.int32),
                "kind": np.asarray(_KIND_CODE[kind], dtype=np.uint8),
                "occurred_at": occurred,
                "recorded_at": occurred if recorded is None else recorded,
                "status": np.asarray(status, dtype=np.uint8),
                "channel": np.asarray(channel, dtype=np.int8),
                "direction": np.asarray(direction, dtype=np.int8),
                "trigger": np.asarray(trigger, dtype=np.int8),
                "contact": np.asarray(_NO_CONTACT if contact is None else contact, np.int32),
                "reply_to": np.asarray(reply_to, dtype=np.int64),
                "text": np.asarray(_NO_PHRASE if text is None else text, dtype=np.uint8),
                "purpose": np.asarray(_NO_PHRASE if purpose is None else purpose, np.uint8),
                "outcome": np.asarray(_NO_PHRASE if outcome is None else outcome, np.uint8),
                "csat": np.asarray(csat, dtype=np.int8),
                "attendees": np.asarray(attendees, dtype=np.int32),
            }
        )
        self.sizes.append(account.size)
        self.size += account.size
        return base

    def _placed(
        self, name: str, dtype: Any, position: npt.NDArray[np.int64] | None = None
    ) -> npt.NDArray[Any]:
        """Column ``name`` of every chunk, at ``position`` (log order) or end to end.

        Each chunk lets go of its part as it is written, so the column exists once.
        """
        column = np.empty(self.size, dtype=dtype)
        at = 0
        for chunk, size in zip(self.chunks, self.sizes, strict=True):
            where = slice(at, at + size) if position is None else position[at : at + size]
            column[where] = chunk.pop(name)
            at += size
        return column

    def columns(
        self,
        account_ids: npt.NDArray[Any],
        contact_suffix: npt.NDArray[Any],
        account_csm: npt.NDArray[Any],
    ) -> tuple[TouchpointColumns, ReplyLinks, TextTable]:
        """The rows in log order as :class:`TouchpointColumns`, their reply links and texts.

        Ids are ``tp`` and the zero-padded position of the row as added, so the id of a row
        does not depend on the order of the log. The log orders rows by account, then time,
        then id; a stable sort by account and time keeps tied rows in the order they were
        added, which is the order of their ids, so the columns come out in exactly the order
        :meth:`TouchpointLog.from_columns` would give them and it has nothing to sort. The
        reply links are known by construction, so they are handed over resolved rather than
        found again through the ids. The texts come as a :class:`TextTable` of the
        combinations of phrases that occur, so the log holds a code per row, not four
        strings; the text fields of the columns stand empty. ``account_csm`` is the CSM's
        name of each account.
        """
        n = self.size
        added_account = self._placed("account", np.int32)
        added_time = self._placed("occurred_at", np.int64)
        order = np.lexsort((added_time, added_account))
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        account = added_account[order]
        del added_account
        occurred_at = added_time[order]
        del added_time

        numbers = {
            name: self._placed(name, dtype, position)
            for name, dtype in (
                ("kind", np.uint8), ("status", np.uint8), ("channel", np.int8),
                ("direction", np.int8), ("trigger", np.int8), ("contact", np.int32),
                ("text", np.uint8), ("purpose", np.uint8), ("outcome", np.uint8),
                ("recorded_at", np.int64), ("csat", np.int8), ("attendees", np.int32),
            )
        }  # fmt: skip
        target = self._placed("reply_to", np.int64, position)
        self.chunks.clear()
        linked = np.flatnonzero(target >= 0)
        target[linked] = position[target[linked]]
        del position

        width = max(1, len(str(max(0, n - 1))))
        ids = np.empty(n, dtype=ID)
        for start in range(0, n, _STRING_BLOCK):
            added = order[start : start + _STRING_BLOCK].astype(ID)
            ids[start : start + added.size] = np.strings.add(
                "tp", np.strings.zfill(added, width)
            )
        del order
        in_reply_to = np.full(n, np.nan, dtype=TEXT)
        for start in range(0, linked.size, _STRING_BLOCK):
            rows = linked[start : start + _STRING_BLOCK]
            in_reply_to[rows] = ids[target[rows]]

        # A link to a touchpoint that occurred after its reply fails, as it would for a
        # loader; the streams never make one.
        later = np.zeros(n, dtype=bool)
        later[linked] = occurred_at[target[linked]] > occurred_at[linked]
        target[later] = -1
        problem = np.where(later, ReplyProblem.TARGET_LATER, ReplyProblem.NONE).astype(np.int8)

        contact = numbers.pop("contact")
        texts = _phrase_table(
            numbers.pop("text"), numbers.pop("purpose"), numbers.pop("outcome")
        )
        no_text = np.broadcast_to(np.array(np.nan, dtype=TEXT), (n,))
        columns = TouchpointColumns(
            id=ids,
            account_id=account_ids[account],
            kind=numbers["kind"],
            occurred_at=occurred_at,
            status=numbers["status"],
            channel=numbers["channel"],
            direction=numbers["direction"],
            trigger=numbers["trigger"],
            contact_id=_contact_names(
                account, contact, account_ids, contact_suffix, account_csm
            ),
            in_reply_to=in_reply_to,
            text=no_text,
            quoted_text=no_text,
            purpose=no_text,
            outcome=no_text,
            recorded_at=numbers["recorded_at"],
            csat=numbers["csat"],
            attendees=numbers["attendees"],
        )
        return columns, ReplyLinks(target, problem), texts


def _phrase_table(text: PhraseCodes, purpose: PhraseCodes, outcome: PhraseCodes) -> TextTable:
    """The texts of the rows as a table of the (text, purpose, outcome) phrases that occur.

    Each row's three phrase codes make one number below ``len(_PHRASES) ** 3``; the numbers
    that occur, in increasing order, are the table's rows. Quoted text is never filled.
    """
    size = len(_PHRASES)
    combined = (text.astype(np.int64) * size + purpose) * size + outcome
    occurs = np.bincount(combined, minlength=size**3) > 0
    row_of = np.cumsum(occurs) - 1
    codes = row_of[combined]
    del combined

    found = np.flatnonzero(occurs)
    return TextTable(
        codes=codes,
        text=_PHRASES[found // (size * size)],
        quoted_text=np.full(found.size, np.nan, dtype=TEXT),
        purpose=_PHRASES[found // size % size],
        outcome=_PHRASES[found % size],
    )


def _contact_names(
    account: npt.NDArray[np.int32],
    contact: ContactCodes,
    account_ids: npt.NDArray[Any],
    contact_suffix: npt.NDArray[Any],
    account_csm: npt.NDArray[Any],
) -> npt.NDArray[Any]:
    """The contact id of each row: ``<account id>-c<k>`` for the account's k-th contact,
    the CSM's name, or missing; a block of rows at a time."""
    names = np.full(account.size, np.nan, dtype=TEXT)
    for start in range(0, account.size, _STRING_BLOCK):
        block = slice(start, start + _STRING_BLOCK)
        owner, code = account[block], contact[block]
        part = names[block]
        customer = code >= 0
        part[customer] = np.strings.add(
            account_ids[owner[customer]], contact_suffix[code[customer]]
        )
        csm = code == _CSM
        part[csm] = account_csm[owner[csm]]
    return names


def _pick(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> PhraseCodes:
    """``n`` phrases of ``pool`` drawn uniformly, as codes into :data:`_PHRASES`."""
    drawn = rng.integers(0, len(pool), n)
    codes: PhraseCodes = (drawn + _POOL_START[pool]).astype(np.uint8)
    return codes


def _where_text(keep: BoolArray, codes: PhraseCodes) -> PhraseCodes:
    """``codes`` where ``keep`` holds, no text elsewhere."""
    result: PhraseCodes = np.where(keep, codes, _NO_PHRASE).astype(np.uint8)
    return result


def _tone_texts(
    rng: np.random.Generator,
    transactional_chance: FloatArray,
    collaborative: tuple[str, ...],
    transactional: tuple[str, ...],
) -> PhraseCodes:
    """One phrase per row, transactional with the row's chance, else collaborative."""
    n = transactional_chance.size
    curt = rng.random(n) < transactional_chance
    result: PhraseCodes = np.where(
        curt, _pick(rng, transactional, n), _pick(rng, collaborative, n)
    )
    return result


def simulate_portfolio(
    n_accounts: int,
    *,
    seed: int,
    start: dt.datetime,
    end: dt.datetime,
    segment_mix: Mapping[str, float] = DEFAULT_SEGMENT_MIX,
    deterioration: Mapping[str, float] = DEFAULT_DETERIORATION,
    profiles: Mapping[str, SegmentProfile] = DEFAULT_PROFILES,
    onset_days_before_end: tuple[float, float] = (30.0, 75.0),
    decay_miss_rate: float = 0.7,
    latency_factor: float = 8.0,
    silent_reply_rate: float = 0.05,
    tone_transactional_share: float = 0.85,
    base_churn_per_year: float = 0.1,
    churn_hazard_ratio: float = 8.0,
    churn_horizon_days: float = 180.0,
) -> Portfolio:
    """Draw a SIMULATED portfolio of ``n_accounts`` accounts from ``seed``.

    Parameters
    ----------
    n_accounts
        Number of accounts. Touchpoints per account per year are about 250 for
        ``high_touch``, 230 for ``mid_touch`` and 95 for ``tech_touch`` with the default
        profiles (fewer for accounts that churn).
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed and parameters give the same
        portfolio, column for column.
    start, end
        The simulated period (aware datetimes). Signals that compare a recent window with a
        baseline need about seven months before the instant they are read at.
    segment_mix
        Share of accounts per built-in segment, :data:`DEFAULT_SEGMENT_MIX` by default
        (0.2 high-touch, 0.3 mid-touch, 0.5 tech-touch). Counts are apportioned exactly
        (largest remainder), so 100 accounts at the default mix are 20, 30 and 50.
    deterioration
        Share of accounts of each segment that get each deterioration,
        :data:`DEFAULT_DETERIORATION` by default (attendance decay 0.1, latency drift 0.1,
        going silent 0.05, tone shift 0.1; the rest are clean). Counts are apportioned
        exactly per segment. Attendance decay is planted only in segments whose cadence
        has meetings (not in ``tech_touch``), whose share then stays clean.
    profiles
        Behaviour of a clean account per segment, :data:`DEFAULT_PROFILES` by default.
    onset_days_before_end
        The onset of a planted deterioration is drawn uniformly this many days before
        ``end``, (30, 75) by default, so that the 30-day recent windows of the latency and
        tone signals read at ``end`` lie wholly after it.
    decay_miss_rate
        Chance that a meeting after the onset of attendance decay is missed, 0.7 by default.
    latency_factor
        How many times slower replies to messages sent after the onset of latency drift are,
        8 by default.
    silent_reply_rate
        After the onset of going silent: the chance that an outreach e-mail is answered and
        that a support request is still raised, 0.05 by default.
    tone_transactional_share
        Share of transactional texts among the customer's messages after the onset of a tone
        shift, 0.85 by default (clean accounts: the profile's ``transactional_share``).
    base_churn_per_year
        Churn hazard of every account before any deterioration, per year, 0.1 by default.
    churn_hazard_ratio
        Factor on the hazard from the onset of a deterioration on, 8 by default.
    churn_horizon_days
        Churn is drawn until this many days after ``end`` (180 by default), so that signals
        read at ``end`` can be checked against churn that follows.

    Returns
    -------
    Portfolio
        The log (touchpoints of a churned account stop at its churn), the accounts and the
        planted ground truth.

    Notes
    -----
    **Cadence.** Meetings follow each segment's
    :class:`~touchpoint_signals.model.CadencePolicy` for the account's lifecycle stage
    (``policy.expected(kind, stage)``): each gap is drawn uniformly between ``min_days`` and
    ``max_days``, from a random phase at ``start``. Meetings and the CSM's messages fall on a
    weekday between 08:00 and 17:00 UTC; a customer's reply that would fall on a weekend
    moves to the Monday after. A meeting is recorded up to a day after it happened. A
    twentieth of attended meetings is instead rescheduled, and the new slot, two to nine
    days later, is a touchpoint of its own.

    **Churn.** The churn instant has hazard ``base_churn_per_year`` until the onset and
    ``base_churn_per_year * churn_hazard_ratio`` after it (a piecewise-exponential model; by
    memorylessness the time after the onset is a fresh exponential draw). An account that
    would churn before its drawn onset keeps no deterioration. With the defaults, over one
    year (seed 11, 1,000 accounts), 36 % of planted accounts churn by the end of the horizon
    against 16 % of clean ones.

    **Scale.** Each stream (one kind in one segment) is drawn as a matrix of gaps, one row
    per account, and kept as codes and numbers (about 30 bytes a touchpoint); the string
    columns are made once, in log order. 10.75M touchpoints (100,000 accounts, mostly
    tech-touch) peak at about 1,800 MiB and leave a log of about 1,000 MiB resident.

    Examples
    --------
    >>> p = simulate_portfolio(
    ...     20, seed=1, start=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    ...     end=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
    ... )
    >>> p.log.n_accounts, sorted(set(p.segments().tolist()))
    (20, ['high_touch', 'mid_touch', 'tech_touch'])
    >>> int(p.planted().sum()) + int(p.clean.sum())
    20
    """
    if isinstance(n_accounts, bool) or not isinstance(n_accounts, int) or n_accounts < 1:
        raise ConfigError(f"n_accounts must be a whole number >= 1, got {n_accounts!r}")
    start_us, end_us = to_epoch_us(start), to_epoch_us(end)
    if end_us <= start_us:
        raise ConfigError(f"end must be after start, got start={start}, end={end}")
    segment_names = tuple(s.name for s in BUILTIN_SEGMENTS)
    mix = _check_mix(segment_mix, segment_names, "segment_mix")
    if not math.isclose(sum(mix.values()), 1.0, abs_tol=1e-9):
        raise ConfigError(f"segment_mix shares must add up to 1, got {dict(segment_mix)}")
    planted_shares = _check_mix(deterioration, DETERIORATIONS, "deterioration")
    if sum(planted_shares.values()) > 1 + 1e-9:
        raise ConfigError(f"deterioration shares must add up to at most 1, got {deterioration}")
    missing_profiles = [name for name in segment_names if name not in profiles]
    if missing_profiles:
        raise ConfigError(f"profiles: no SegmentProfile for {missing_profiles}")
    low_onset, high_onset = onset_days_before_end
    if not 0 <= low_onset <= high_onset:
        raise ConfigError(
            f"onset_days_before_end must be (low, high) with 0 <= low <= high, got "
            f"{onset_days_before_end!r}"
        )

    rng = np.random.default_rng(seed)
    n = n_accounts
    width = len(str(n - 1))
    account_ids = np.strings.add("acct", np.strings.zfill(np.arange(n).astype(ID), width))

    # -- accounts: segment, stage, contacts, planted deterioration, churn ----------------
    segment = _allocate(rng, n, [mix[name] for name in segment_names])
    stage_code = rng.choice(len(_STAGE_SHARES), n, p=[share for _, share in _STAGE_SHARES])
    planted = np.full(n, -1, dtype=np.int64)
    for code, seg in enumerate(BUILTIN_SEGMENTS):
        members = np.flatnonzero(segment == code)
        has_meetings = any(e.kind in _MEETING_KIND_NAMES for e in seg.cadence.expectations)
        shares = [
            0.0 if (name == "attendance_decay" and not has_meetings) else planted_shares[name]
            for name in DETERIORATIONS
        ]
        planted[members] = _allocate(rng, members.size, shares)
    profile_of = [profiles[name] for name in segment_names]
    low_contacts = np.array([p.contacts[0] for p in profile_of])[segment]
    high_contacts = np.array([p.contacts[1] for p in profile_of])[segment]
    n_contacts = rng.integers(low_contacts, high_contacts + 1)
    csm = rng.integers(0, max(1, n // 40), n)

    onset_us = end_us - _days_us(rng.uniform(low_onset, high_onset, n))
    onset_us = np.maximum(onset_us, start_us)
    base_rate = base_churn_per_year / _YEAR_DAYS
    first_draw = start_us + _days_us(rng.exponential(1.0 / base_rate, n))
    later_draw = _days_us(rng.exponential(1.0 / (base_rate * churn_hazard_ratio), n))
    has_onset = planted >= 0
    planted[has_onset & (first_draw < onset_us)] = -1
    has_onset = planted >= 0
    churn_us = np.where(has_onset, onset_us + later_draw, first_draw)
    onset_us = np.where(has_onset, onset_us, np.iinfo(np.int64).max)
    stop_us = np.minimum(churn_us, end_us)
    churned = churn_us <= end_us + round(churn_horizon_days * _DAY_US)

    def after_onset(owner: IntArray, times: IntArray, kind: str) -> BoolArray:
        result: BoolArray = (planted[owner] == DETERIORATIONS.index(kind)) & (
            times >= onset_us[owner]
        )
        return result

    # -- SIMULATED touchpoints, one stream at a time --------------------------------------
    rows = _Rows()
    planting = _Planting(latency_factor, silent_reply_rate, tone_transactional_share)
    contact_suffix = np.array([f"-c{i}" for i in range(int(n_contacts.max()))], dtype=ID)
    csm_names = np.strings.add("csm", np.arange(int(csm.max()) + 1).astype(ID))
    miss_rate = np.array([p.miss_rate for p in profile_of])[segment]

    def customer(owner: IntArray, champion_share: float) -> ContactCodes:
        others = rng.integers(0, n_contacts[owner])
        which: ContactCodes = np.where(rng.random(owner.size) < champion_share, 0, others)
        return which.astype(np.int32)

    def vendor(owner: IntArray) -> ContactCodes:
        return np.full(owner.size, _CSM, dtype=np.int32)

    def meetings(owner: IntArray, times: IntArray, kind: str) -> None:
        owner, times = _before_stop(owner, _working_hours(rng, times), stop_us)
        chance = np.where(after_onset(owner, times, "attendance_decay"), decay_miss_rate, 0)
        chance = np.maximum(chance, miss_rate[owner])
        silent = after_onset(owner, times, "going_silent")
        chance = np.where(silent, np.maximum(chance, 0.4), chance)
        missed = rng.random(owner.size) < chance
        moved = ~missed & (rng.random(owner.size) < 0.05)
        status = np.where(
            missed,
            np.where(rng.random(owner.size) < 0.6, _NO_SHOW, _CANCELLED),
            np.where(moved, _RESCHEDULED, _COMPLETED),
        )
        meeting_rows(owner, times, kind, status)

        new_times = times[moved] + (rng.uniform(2, 9, int(moved.sum())) * _DAY_US).astype(
            np.int64
        )
        new_times = _off_weekend(_to_seconds(new_times))
        keep = new_times < stop_us[owner[moved]]
        new_owner = owner[moved][keep]
        new_missed = rng.random(new_owner.size) < chance[moved][keep]
        meeting_rows(
            new_owner, new_times[keep], kind, np.where(new_missed, _NO_SHOW, _COMPLETED)
        )

    def meeting_rows(owner: IntArray, times: IntArray, kind: str, status: IntArray) -> None:
        m = owner.size
        done = status == _COMPLETED
        channel: npt.ArrayLike = _VIDEO
        if kind == "ebr":
            channel = np.where(rng.random(m) < 0.5, _IN_PERSON, _VIDEO)
        rows.add(
            owner,
            kind,
            times,
            status=status,
            channel=channel,
            trigger=_SCHEDULED,
            contact=customer(owner, 0.9),
            purpose=_pick(rng, _PURPOSES[kind], m),
            outcome=_where_text(done, _pick(rng, _OUTCOMES, m)),
            recorded=_to_seconds(
                times + (rng.uniform(0.5, 24.0, m) * _HOUR_US).astype(np.int64)
            ),
            attendees=np.where(
                done, rng.integers(1, 5, m), np.where(status == _NO_SHOW, 0, -1)
            ),
        )

    for code, seg in enumerate(BUILTIN_SEGMENTS):
        profile = profile_of[code]
        for stage_index, (stage, _) in enumerate(_STAGE_SHARES):
            group = np.flatnonzero((segment == code) & (stage_code == stage_index))
            for kind in sorted({e.kind for e in seg.cadence.expectations}):
                expectation = seg.cadence.expected(kind, stage)
                if expectation is None:
                    continue
                owner, times = _renewals(
                    rng, group, start_us, stop_us, expectation.min_days, expectation.max_days
                )
                times = _to_seconds(times)
                if kind in _MEETING_KIND_NAMES:
                    meetings(owner, times, kind)
                elif kind == "automated":
                    behaviour = seg.name == "tech_touch"
                    rows.add(
                        owner,
                        "automated",
                        times,
                        channel=np.where(rng.random(owner.size) < 0.5, _EMAIL, _IN_APP),
                        direction=_OUTBOUND,
                        trigger=np.where(
                            behaviour & (rng.random(owner.size) < 0.5), _BEHAVIOUR, _SCHEDULED
                        ),
                        text=_pick(rng, _AUTOMATED, owner.size),
                    )

        members = np.flatnonzero(segment == code)
        _messages(
            rng,
            rows,
            profile,
            members,
            start_us,
            stop_us,
            customer,
            vendor,
            after_onset,
            planting,
        )
        owner, times = _renewals(rng, members, start_us, stop_us, *profile.survey_days)
        answered = rng.random(owner.size) < 0.35
        unhappy = planted[owner] >= 0
        unhappy &= _to_seconds(times) >= onset_us[owner]
        score = np.rint(rng.normal(4.3, 0.7, owner.size) - np.where(unhappy, 1.5, 0.0))
        rows.add(
            owner,
            "survey",
            _to_seconds(times),
            channel=_EMAIL,
            direction=_OUTBOUND,
            trigger=_SCHEDULED,
            csat=np.where(answered, np.clip(score, 1, 5), 0),
        )

    # -- assemble -------------------------------------------------------------------------
    timestamp = _us_to_datetime64
    accounts = tuple(
        Account(
            id=str(account_ids[a]),
            segment=BUILTIN_SEGMENTS[int(segment[a])],
            name=f"Simulated account {a}",
            owner=str(csm_names[csm[a]]),
            lifecycle_stage=_STAGE_SHARES[int(stage_code[a])][0],
            churned_at=_from_us(int(churn_us[a])) if churned[a] else None,
        )
        for a in range(n)
    )
    columns, links, texts = rows.columns(account_ids, contact_suffix, csm_names[csm])
    log = TouchpointLog.from_columns(columns, accounts=accounts, links=links, texts=texts)
    del columns, links, texts
    names = np.array(("", *DETERIORATIONS), dtype=ID)
    portfolio = Portfolio(
        log=log,
        accounts=accounts,
        deterioration=names[planted + 1],
        onset=np.where(has_onset, timestamp(onset_us), np.datetime64("NaT", "us")),
        churned_at=np.where(churned, timestamp(churn_us), np.datetime64("NaT", "us")),
        seed=seed,
        start=start,
        end=end,
    )

    logger.info(
        "simulated %d accounts, %d touchpoints, %d with a planted deterioration (seed %d)",
        n,
        len(log),
        int(has_onset.sum()),
        seed,
    )
    return portfolio


def _us_to_datetime64(times_us: IntArray) -> npt.NDArray[np.datetime64]:
    return times_us.astype("datetime64[us]")


def _from_us(micros: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)


def _messages(
    rng: np.random.Generator,
    rows: _Rows,
    profile: SegmentProfile,
    members: IntArray,
    start_us: int,
    stop_us: IntArray,
    customer: Callable[[IntArray, float], npt.NDArray[Any]],
    vendor: Callable[[IntArray], npt.NDArray[Any]],
    after_onset: Callable[[IntArray, IntArray, str], BoolArray],
    settings: _Planting,
) -> None:
    """Outreach e-mails with the customer's replies, and support requests with answers."""
    owner, sent = _renewals(rng, members, start_us, stop_us, *profile.outreach_days)
    owner, sent = _before_stop(owner, _working_hours(rng, sent), stop_us)
    silent = after_onset(owner, sent, "going_silent")
    answered = rng.random(owner.size) < np.where(
        silent, settings.silent_reply_rate, profile.reply_rate
    )
    slow = np.where(after_onset(owner, sent, "latency_drift"), settings.latency_factor, 1.0)
    hours = rng.lognormal(
        math.log(profile.reply_median_hours), settings.reply_sigma, owner.size
    )
    replied = _to_seconds(_off_weekend(sent + (hours * slow * _HOUR_US).astype(np.int64)))
    keep = answered & (replied < stop_us[owner])
    source = np.flatnonzero(keep)
    who = owner[keep]
    at = replied[keep]

    # Each e-mail after the first continues the thread: it answers the account's latest
    # reply before it, which is how the latency signal knows whom an unanswered one awaited.
    base = rows.size
    reply_key = _thread_key(who, at, start_us)
    by_key = np.argsort(reply_key, kind="stable")
    sent_key = _thread_key(owner, sent, start_us)
    before = np.searchsorted(reply_key[by_key], sent_key, side="left") - 1
    clipped = np.maximum(before, 0)
    threaded = (before >= 0) & (who[by_key][clipped] == owner) if who.size else before < -1
    thread_to = np.where(threaded, base + owner.size + by_key[clipped] if who.size else -1, -1)
    rows.add(
        owner,
        "outreach",
        sent,
        status=_COMPLETED,
        channel=_EMAIL,
        direction=_OUTBOUND,
        trigger=_SCHEDULED,
        contact=vendor(owner),
        reply_to=thread_to,
        text=_pick(rng, _OUTREACH, owner.size),
        purpose=_pick(rng, _PURPOSES["outreach"], owner.size),
    )

    curt = np.where(
        after_onset(who, at, "tone_shift"),
        settings.tone_transactional_share,
        profile.transactional_share,
    )
    rows.add(
        who,
        "outreach",
        at,
        status=_COMPLETED,
        channel=_EMAIL,
        direction=_INBOUND,
        contact=customer(who, 0.8),
        reply_to=base + source,
        text=_tone_texts(rng, curt, _COLLABORATIVE, _TRANSACTIONAL),
    )

    owner, raised = _renewals(rng, members, start_us, stop_us, *profile.support_days)
    owner, raised = _before_stop(owner, _to_seconds(_off_weekend(raised)), stop_us)
    still = rng.random(owner.size) < np.where(
        after_onset(owner, raised, "going_silent"), settings.silent_reply_rate, 1.0
    )
    owner, raised = owner[still], raised[still]
    curt = np.where(
        after_onset(owner, raised, "tone_shift"),
        settings.tone_transactional_share,
        profile.transactional_share,
    )
    base = rows.add(
        owner,
        "support",
        raised,
        status=_COMPLETED,
        channel=np.where(rng.random(owner.size) < 0.5, _EMAIL, _CHAT),
        direction=_INBOUND,
        trigger=_RAISED,
        contact=customer(owner, 0.6),
        text=_tone_texts(rng, curt, _COLLABORATIVE_REQUESTS, _TRANSACTIONAL_REQUESTS),
    )

    hours = rng.lognormal(
        math.log(profile.answer_median_hours), settings.reply_sigma, owner.size
    )
    answer = _to_seconds(raised + (hours * _HOUR_US).astype(np.int64))
    keep = answer < stop_us[owner]
    rows.add(
        owner[keep],
        "support",
        answer[keep],
        status=_COMPLETED,
        channel=_EMAIL,
        direction=_OUTBOUND,
        contact=vendor(owner[keep]),
        reply_to=base + np.flatnonzero(keep),
        text=_pick(rng, _ANSWERS, int(keep.sum())),
        purpose=_pick(rng, _PURPOSES["support"], int(keep.sum())),
    )


@attrs.frozen
class _Planting:
    """The effect sizes of planted deteriorations, passed to the message streams."""

    latency_factor: float
    silent_reply_rate: float
    tone_transactional_share: float
    reply_sigma: float = 0.6


def _thread_key(owner: IntArray, times_us: IntArray, start_us: int) -> IntArray:
    """One sortable int64 per event: the account in the high bits, seconds since start low."""
    seconds = (times_us - start_us) // _SECOND_US
    result: IntArray = (owner.astype(np.int64) << 32) | seconds
    return result


def _iso(times_us: IntArray) -> list[str]:
    text = np.datetime_as_string(times_us.astype("datetime64[us]"), unit="s")
    result: list[str] = np.strings.add(text.astype(ID), "Z").tolist()
    return result


def _optional_strings(column: npt.NDArray[Any]) -> list[str]:
    missing = np.isnan(column)
    filled = column.copy()
    filled[missing] = ""
    result: list[str] = filled.astype(ID).tolist()
    return result


def _codes(table: tuple[Any, ...], codes: npt.NDArray[Any]) -> list[str]:
    names = np.array([str(m) for m in table] + [""], dtype=ID)
    result: list[str] = names[np.where(codes < 0, len(table), codes)].tolist()
    return result


#: Rows of the log written to CSV at a time (see :func:`write_csv`).
_CSV_BLOCK = 1 << 16


def _csv_fields(
    log: TouchpointLog,
    rows: slice,
    kind_names: npt.NDArray[Any],
    contact_names: npt.NDArray[Any],
) -> dict[str, list[Any]]:
    """The touchpoint fields of ``rows`` of ``log`` as CSV strings, field by field.

    Columns are read with :meth:`TouchpointLog.take`, so a text column the log holds as a
    table of texts is turned into strings for these rows only.
    """
    reply_to = log.take("reply_to", rows)
    in_reply_to = np.full(reply_to.size, "", dtype=ID)
    linked = reply_to >= 0
    in_reply_to[linked] = log.ids_at(reply_to[linked])
    contact = log.take("contact", rows)
    csat = log.take("csat", rows)
    attendees = log.take("attendees", rows)

    return {
        "id": log.take("id", rows).tolist(),
        "account_id": log.account_ids[log.take("account", rows)].tolist(),
        "kind": kind_names[log.take("kind", rows)].tolist(),
        "occurred_at": _iso(log.take("occurred_at", rows)),
        "status": _codes(STATUSES, log.take("status", rows)),
        "channel": _codes(CHANNELS, log.take("channel", rows)),
        "direction": _codes(DIRECTIONS, log.take("direction", rows)),
        "contact_id": contact_names[np.where(contact < 0, -1, contact)].tolist(),
        "in_reply_to": in_reply_to.tolist(),
        "trigger": _codes(TRIGGERS, log.take("trigger", rows)),
        "text": _optional_strings(log.take("text", rows)),
        "quoted_text": _optional_strings(log.take("quoted_text", rows)),
        "purpose": _optional_strings(log.take("purpose", rows)),
        "outcome": _optional_strings(log.take("outcome", rows)),
        "recorded_at": _iso(log.take("recorded_at", rows)),
        "csat": [
            "" if v == "0" else v for v in np.where(csat > 0, csat, 0).astype(ID).tolist()
        ],
        "attendees": np.where(attendees >= 0, attendees.astype(ID), "").tolist(),
    }


def write_csv(
    portfolio: Portfolio, directory: str | os.PathLike[str]
) -> tuple[Path, Path, Path]:
    """Write a SIMULATED portfolio as CSV files that :func:`touchpoint_signals.read_csv` reads.

    Three files are written in ``directory`` (created if missing): ``touchpoints.csv`` with
    the columns of :data:`~touchpoint_signals.ingest.records.TOUCHPOINT_FIELDS`,
    ``accounts.csv`` with those of :data:`~touchpoint_signals.ingest.records.ACCOUNT_FIELDS`,
    and ``truth.csv`` with the planted ground truth (``account_id``, ``deterioration``,
    ``onset``, ``churned_at``), kept apart so that a loader never reads it as data. Instants
    are ISO 8601 in UTC, to the second. Returns the three paths in that order.

    Rows are written in log order, a block of :data:`_CSV_BLOCK` rows at a time: each field
    of a block is turned into Python strings at once, and only one block's strings exist at
    a time. Reading the files back gives the same log.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    log = portfolio.log
    touchpoints_path = folder / "touchpoints.csv"
    accounts_path = folder / "accounts.csv"
    truth_path = folder / "truth.csv"

    kind_names = np.array([k.name for k in log.kinds], dtype=ID)
    contact_names = np.concatenate([log.contact_ids.astype(ID), np.array([""], dtype=ID)])
    with touchpoints_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TOUCHPOINT_FIELDS)
        for start in range(0, len(log), _CSV_BLOCK):
            rows = slice(start, min(len(log), start + _CSV_BLOCK))
            fields = _csv_fields(log, rows, kind_names, contact_names)
            writer.writerows(zip(*(fields[name] for name in TOUCHPOINT_FIELDS), strict=True))

    with accounts_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACCOUNT_FIELDS)
        for account in portfolio.accounts:
            record = {
                "id": account.id,
                "segment": account.segment.name,
                "name": account.name or "",
                "annual_revenue": "",
                "owner": account.owner or "",
                "lifecycle_stage": account.lifecycle_stage or "",
                "started_at": "",
                "renews_at": "",
                "churned_at": _instant_text(account.churned_at),
            }
            writer.writerow([record[name] for name in ACCOUNT_FIELDS])

    with truth_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("account_id", "deterioration", "onset", "churned_at"))
        onset = np.datetime_as_string(portfolio.onset, unit="s")
        churn = np.datetime_as_string(portfolio.churned_at, unit="s")
        for a, account_id in enumerate(portfolio.account_ids.tolist()):
            writer.writerow(
                (
                    account_id,
                    str(portfolio.deterioration[a]),
                    "" if onset[a] == "NaT" else onset[a] + "Z",
                    "" if churn[a] == "NaT" else churn[a] + "Z",
                )
            )

    logger.info("wrote %d SIMULATED touchpoints to %s", len(log), touchpoints_path)
    return touchpoints_path, accounts_path, truth_path


def _instant_text(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
