"""Response-latency drift: is a contact answering us, or are we answering them, more slowly?

Two extractors read the reply links of a log (``log.reply_to``) and measure latencies in
business time (:class:`~touchpoint_signals.calendar.BusinessCalendar`):

* :class:`CustomerReplyLatency`: how long the customer's contacts take to answer the vendor's
  outbound messages, per contact, compared with that contact's own baseline. A champion who
  used to answer within the day and now takes a week is an early sign of disengagement.
* :class:`VendorResponseLatency`: how long the vendor takes to answer the customer's inbound
  (by default customer-raised) messages, per account, compared with the account's baseline.
  Slower support is a cause of churn rather than a symptom.

Both hand their latencies to :func:`~touchpoint_signals.signals.drift.two_window_drift` on a
log scale: a recent window (default 30 days) against the baseline before it (default 180
days), flagged when the one-sided Mann-Whitney test is significant *and* the median latency
at least doubled, with minimum sample sizes in both windows.

How latencies are formed
------------------------
A *question* is a message of the asking side (outbound for customer latency, inbound for
vendor latency); its *answer* is the earliest message of the other side whose ``in_reply_to``
resolves to it (for customer latency, the earliest per replying contact). The latency is the
business time from question to answer, raised to ``min_latency_seconds`` (a reply written on a
weekend to a weekend message takes no business time at all, and a log scale needs positive
values). Each latency belongs to the window in which its *question* was sent, so that a slower
answer never moves an observation from one window to the other.

What counts as outreach. Only a message a person writes can await a reply: questions, and
the vendor's answers, are touchpoints whose kind is human-led and not a meeting
(``TouchpointKind.human_led and not TouchpointKind.meeting``: ``outreach``, ``support`` and a
team's own such kinds). Meetings, automated messages and surveys are never "unanswered" (a
weekly video check-in would otherwise fill the baseline with capped censored values and hide
a real slowdown of e-mail replies), an automated acknowledgement is not the vendor's answer,
and a customer's survey response is not a request.

Follow-up cap. Every latency is cut at ``max_latency_days`` business days (default 10, two
working weeks): past that, what matters is that there was no timely answer, not how long the
silence lasted. Without the cap, a question left unanswered in the baseline would carry its
whole age (months) and always outrank the recent window's unanswered questions, which can be
at most a month old, so a contact going silent would make the baseline look *worse*.

Censoring. A question that is still unanswered at ``as_of`` and is at least
``censor_min_age_days`` business days old enters the test as a latency equal to the business
time elapsed since it was sent, capped as above. That is a lower bound on the true latency,
so a contact who has gone silent raises the signal instead of dropping out of it. The rule is
the same in both windows, so a contact who often leaves messages unanswered has a slow
baseline, and only a change against it flags. Treating a lower bound as a value is an
approximation: Gehan's generalisation of the rank test (Gehan, *Biometrika* 52, 1965) would
leave a censored value and a larger one unordered, while here they are ranked as written; all
capped values tie, which :func:`~touchpoint_signals.stats.mann_whitney_greater` handles by
midranks (see its Notes). A recent question younger than the cap that is still unanswered
counts with less than the cap, which errs towards *not* flagging. Messages that need no answer
(a closing "thanks, fixed") are censored like any other, because the log cannot tell them
apart. Younger unanswered questions are left out: the contact has not yet had a fair chance to
reply.

Silence
-------
Two readings do not come from the rank test alone.

* *Going silent*: a group that answered none of its recent questions (all censored), while
  it answered at least half of its baseline ones and has now waited longer than its baseline
  median, flags like a drifted group (``details["drifted"]`` and ``details["going_silent"]``
  are 1, severity ``0.5 + 0.5 * min(1, log(ratio) / log(severity_saturation))``) even when
  the test or the ratio falls short: with latencies capped at ``max_latency_days``, a contact
  whose baseline was already a few days cannot double, yet no answer at all is the clearest
  change there is. The reason says "going silent" and gives the median wait as a lower bound
  ("10+ business days").
* *Never answered*: a group none of whose questions in either window was answered has no
  reply time to compare, so it is ``insufficient_data`` with the reason "never answered";
  for the customer signal the account then reads through its other contacts. That the
  account does not answer at all is a fact about its engagement, not a slowdown, and is left
  to other signals.

Units. Latencies are business time on the
:class:`~touchpoint_signals.calendar.BusinessCalendar`: a business day is 24 business hours
(one whole working day; the calendar does not model office hours). Reasons print durations
below 48 business hours in hours and longer ones in days; a median that is a lower bound
(at the cap, or of unanswered questions only) is printed with a plus: "10+ business days".

Replies across accounts
-----------------------
Only replies whose target belongs to the same account count
(:meth:`~touchpoint_signals.log.TouchpointLog.replies_within_account`). On a mailing list a
user B often answers a maintainer's message that the mbox adapter charged to user A's account
(A's thread). The log keeps that link, because it is real, but it says nothing about A's
responsiveness or B's: B's message does not answer A's question for A (A's message stays
unanswered, and is censored for A once old enough), and it is not a latency of B's, since the
message was not addressed to B. Likewise an outbound message charged to one account does not
answer another account's request, and an outbound message that replies to another account's
message is not taken as addressed to that message's writer. On linux-uvc-devel 172 of the 1,002
user replies to maintainer messages cross accounts in this way; the Twitter support data has
none (each thread is one customer's).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sys
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.calendar import BusinessCalendar
from touchpoint_signals.errors import ConfigError
from touchpoint_signals.log import DIRECTIONS, TRIGGERS, TouchpointLog
from touchpoint_signals.model import Direction, Trigger
from touchpoint_signals.signals import _params, _reasons
from touchpoint_signals.signals.base import SignalFrame
from touchpoint_signals.signals.drift import (
    DriftResult,
    DriftWindows,
    drift_severity,
    two_window_drift,
)
from touchpoint_signals.stats import factorize
from touchpoint_signals.timeparse import to_epoch_us

__all__ = ["CustomerReplyLatency", "VendorResponseLatency"]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_DAY_SECONDS = 86_400.0
_MAX = sys.float_info.max
_OUTBOUND = DIRECTIONS.index(Direction.OUTBOUND)
_INBOUND = DIRECTIONS.index(Direction.INBOUND)
_CUSTOMER_RAISED = TRIGGERS.index(Trigger.CUSTOMER_RAISED)


@attrs.frozen
class _Observations:
    """Latencies ready for the drift test, one per answered or censored question."""

    seconds: FloatArray
    asked_at: npt.NDArray[np.int64]
    group: IntArray
    row: IntArray  # the log row cited as evidence (the answer, or the unanswered question)
    censored: BoolArray


def _check_windows(instance: Any, attribute: attrs.Attribute[Any], value: DriftWindows) -> None:
    owner = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, DriftWindows):
        raise ConfigError(f"{owner} must be a DriftWindows, got {type(value).__name__}")
    if value.effect != "ratio" or value.min_effect <= 1:
        raise ConfigError(
            f"{owner} must compare median latencies as a ratio above 1 (effect='ratio', "
            f"min_effect > 1), got effect={value.effect!r}, min_effect={value.min_effect!r}"
        )


def _censor_age(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not (
        isinstance(value, int | float) and value >= 0 and not math.isnan(value)
    ):
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be a number of business days "
            f">= 0 (math.inf turns censoring off), got {value!r}"
        )


def _duration(seconds: float, *, at_least: bool = False) -> str:
    """Business time for a reason: hours below 48 business hours, days from there on.

    A business day is 24 business hours (the calendar counts whole working days, not office
    hours). ``at_least`` marks a lower bound (a capped or unanswered wait): ``"10+ business
    days"``.
    """
    hours = seconds / 3600.0
    if hours < 48.0:
        amount, unit = hours, "business hours"
    else:
        amount, unit = seconds / _DAY_SECONDS, "business days"
    if at_least:
        return f"{round(amount, 1):g}+ {unit}"
    if amount < 0.05:
        return f"under 0.1 {unit}"
    return f"{amount:.1f} {unit}"


def _duration_keys(marked: FloatArray) -> IntArray:
    """A key per duration such that durations with one key read alike in :func:`_duration`.

    ``marked`` holds seconds, negative for a lower bound (``at_least``). The text depends
    on the bound, the unit, whether the amount is under 0.05 and the amount rounded to a
    tenth, so medians that differ only in later digits share one call of
    :func:`_duration`: a portfolio's medians are nearly all distinct, their reasons are not.
    Python rounds the exact binary value, which a product by ten may not keep: an amount
    within a hair of a half tenth (or not below a million units) gets a key of its own.
    """
    seconds = np.abs(marked)
    hours = seconds / 3600.0
    in_days = ~(hours < 48.0)
    amount = np.where(in_days, seconds / _DAY_SECONDS, hours)
    tenths = amount * 10.0
    whole = np.floor(tenths)
    own = ~(amount < 1e6) | (np.abs(tenths - whole - 0.5) < 1e-6)
    nearest = np.where(own, 0.0, whole + (tenths - whole > 0.5)).astype(np.int64)
    keys = ((nearest * 2 + in_days) * 2 + (marked < 0)) * 2 + (amount < 0.05)
    keys[own] = -1 - np.flatnonzero(own)
    return keys


def _conversational(view: TouchpointLog) -> BoolArray:
    """Rows whose kind is a person's message: human-led and not a meeting (module docstring,
    "What counts as outreach")."""
    return _params.in_codes(
        view.kind, (code for code, k in enumerate(view.kinds) if k.human_led and not k.meeting)
    )


def _in_windows(view: TouchpointLog, windows: DriftWindows, as_of: dt.datetime) -> BoolArray:
    """Rows sent within the recent and baseline windows together: the only questions timed.

    A latency belongs to the window its question was sent in, so a question sent before
    the baseline window is no observation of either, whenever it was answered.
    """
    first = to_epoch_us(as_of) - windows.recent_us - windows.baseline_us
    result: BoolArray = view.occurred_at > first
    return result


def _contact_pairs(
    account: npt.NDArray[np.integer[Any]],
    contact: npt.NDArray[np.integer[Any]],
    n_accounts: int,
    n_contacts: int,
) -> tuple[IntArray, IntArray]:
    """The distinct (account, contact) pairs of the rows given, and each row's pair code.

    Equals ``factorize(account * (n_contacts + 1) + contact + 1)``: a pair's key holds its
    account, then its contact plus one (0 for a row without a contact). When every contact
    writes for one account only, as in a CRM, a contact is its own pair, and the pairs are
    numbered by two marks over the contacts and the accounts and a sort of the distinct
    pairs, instead of a sort of every row; a contact seen in two accounts takes the sort.
    """
    width = n_contacts + 1
    named = contact >= 0
    named_account = account[named].astype(np.int64)
    named_contact = contact[named]
    owner = np.full(n_contacts, -1, dtype=np.int64)
    owner[named_contact] = named_account
    if not np.array_equal(owner[named_contact], named_account):
        return factorize(account.astype(np.int64) * width + contact + 1)

    unnamed = np.zeros(n_accounts, dtype=bool)
    unnamed[account[~named]] = True
    unnamed_accounts = np.flatnonzero(unnamed)
    contacts = np.flatnonzero(owner >= 0)
    keys = np.concatenate([unnamed_accounts * width, owner[contacts] * width + contacts + 1])
    order = np.argsort(keys)
    code = np.empty(keys.size, dtype=np.int64)
    code[order] = np.arange(keys.size)

    # Lookup tables by contact and by account; a row reads the one its contact calls for.
    code_of_contact = np.zeros(n_contacts + 1, dtype=np.int64)
    code_of_contact[contacts] = code[unnamed_accounts.size :]
    code_of_unnamed = np.zeros(n_accounts, dtype=np.int64)
    code_of_unnamed[unnamed_accounts] = code[: unnamed_accounts.size]
    inverse = np.where(named, code_of_contact[contact], code_of_unnamed[account])
    return keys[order], inverse


def _first_per_key(keys: IntArray) -> BoolArray:
    """Which entries come first among those with the same key, in the order given.

    Entries are in log order, which is time order within an account, so the first entry
    of a key is its earliest row.
    """
    first = np.zeros(keys.size, dtype=bool)
    if keys.size == 0:
        return first
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    leads = np.ones(keys.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=leads[1:])
    first[order[leads]] = True
    return first


def _observations(
    view: TouchpointLog,
    *,
    ask: BoolArray,
    ask_rows: IntArray,
    answer: BoolArray,
    group_of_answer: npt.NDArray[np.integer[Any]] | None,
    group_of_question: IntArray,
    per_answer_key: npt.NDArray[Any] | None,
    as_of_us: int,
    calendar: BusinessCalendar,
    censor_min_age_seconds: float,
    floor_seconds: float,
    cap_seconds: float,
) -> _Observations:
    """Answered and censored latencies of the questions marked ``ask`` (rows ``ask_rows``).

    ``group_of_answer`` is the drift group of each log row when it answers (``-1`` for none),
    or ``None`` when groups are accounts and ``answer`` holds only replies within the account
    (each answer's group is then its own account, no column of groups needed);
    ``group_of_question`` holds, for each of ``ask_rows`` (``np.flatnonzero(ask)``), the
    group an unanswered question is censored in. ``per_answer_key`` (a column of the log)
    keeps the earliest answer per question and key instead of per question. Arrays that
    share a selection take it as positions (one ``flatnonzero``, then plain gathers, which
    cost less than a boolean mask applied to each).
    """
    reply_to = view.reply_to
    replies = np.flatnonzero(answer & (reply_to >= 0))
    questions_of = reply_to[replies]
    to_ask = np.flatnonzero(ask[questions_of])
    replies, questions_of = replies[to_ask], questions_of[to_ask]

    # One integer per (question, key): the row of the question, then the key's code.
    keys = questions_of.astype(np.int64)
    if per_answer_key is not None:
        extra = per_answer_key[replies].astype(np.int64) + 1
        keys = keys * (int(extra.max(initial=0)) + 1) + extra
    first = _first_per_key(keys)
    answer_group = (
        view.account[replies].astype(np.int64)
        if group_of_answer is None
        else group_of_answer[replies]
    )
    first &= answer_group >= 0
    chosen = np.flatnonzero(first)
    firsts, asked, firsts_group = replies[chosen], questions_of[chosen], answer_group[chosen]
    occurred_at = view.occurred_at
    asked_at = occurred_at[asked]
    answered_seconds = calendar.business_seconds(asked_at, occurred_at[firsts])

    answered = np.zeros(len(view), dtype=bool)
    answered[questions_of] = True
    pending = np.flatnonzero(~answered[ask_rows] & (group_of_question >= 0))
    waiting, waiting_group = ask_rows[pending], group_of_question[pending]
    waiting_at = occurred_at[waiting]
    elapsed = calendar.business_seconds(waiting_at, as_of_us)
    old_enough = np.flatnonzero(elapsed >= censor_min_age_seconds)
    waiting, waiting_group, waiting_at, elapsed = (
        waiting[old_enough],
        waiting_group[old_enough],
        waiting_at[old_enough],
        elapsed[old_enough],
    )

    raw = np.concatenate([answered_seconds, elapsed])
    seconds = np.clip(raw, floor_seconds, max(cap_seconds, floor_seconds))
    return _Observations(
        seconds=seconds,
        asked_at=np.concatenate([asked_at, waiting_at]),
        group=np.concatenate([firsts_group, waiting_group]),
        row=np.concatenate([firsts, waiting]),
        censored=np.concatenate([np.zeros(firsts.size, bool), np.ones(waiting.size, bool)]),
    )


@attrs.frozen
class _Groups:
    """Drift groups: each is one account, or one (account, contact) pair."""

    account: IntArray  # account code of each group
    contact: IntArray  # contact code of each group, -1 for an account-level group


def _pick_worst(
    groups: _Groups,
    drift: DriftResult,
    severity: FloatArray,
    n_accounts: int,
) -> IntArray:
    """Per account, the group whose reading stands for it (``-1`` if the account has none).

    Among sufficient groups the most severe (then the larger effect); an account with no
    sufficient group is represented by its best-covered group, for the reason only.
    """
    n_groups = groups.account.size
    chosen = np.full(n_accounts, -1, dtype=np.int64)
    if n_groups == 0:
        return chosen

    # Severity and effect rank sufficient groups only: among insufficient ones (all at -1
    # on both keys) coverage decides, so the reason quotes the best-covered group.
    coverage = drift.n_recent + drift.n_baseline
    ranked_severity = np.where(drift.sufficient, severity, -1.0)
    effect = np.where(drift.sufficient & ~np.isnan(drift.effect), drift.effect, -1.0)
    effect = np.clip(effect, -_MAX, _MAX)
    account = groups.account
    if (account[1:] < account[:-1]).any():
        order = np.lexsort((np.arange(n_groups), -coverage, -effect, -ranked_severity, account))
        first = np.ones(n_groups, dtype=bool)
        first[1:] = account[order][1:] != account[order][:-1]
        chosen[account[order][first]] = order[first]
        return chosen

    # Groups of an account are adjacent (as both extractors number them): the same choice
    # as that sort, by narrowing each account's candidates one key at a time (the largest
    # severity, then effect, then coverage; then the first group).
    starts = np.flatnonzero(np.concatenate([[True], account[1:] != account[:-1]]))
    segment = np.repeat(np.arange(starts.size), np.diff(np.append(starts, n_groups)))
    candidate = np.ones(n_groups, dtype=bool)
    for key, floor in ((ranked_severity, -np.inf), (effect, -np.inf), (coverage, -1)):
        masked = np.where(candidate, key, floor)
        candidate &= masked == np.maximum.reduceat(masked, starts)[segment]
    position = np.where(candidate, np.arange(n_groups), n_groups)
    chosen[account[starts]] = np.minimum.reduceat(position, starts)
    return chosen


def _texts(names: Any) -> _reasons.StrArray:
    """Names as an array of Python strings (lists are accepted), for gathers by group."""
    texts: _reasons.StrArray = np.asarray(names, dtype=_reasons.STRING)
    return texts


@attrs.frozen
class _Wording:
    """How one extractor's reasons speak.

    ``subjects[g]`` names group ``g`` as a sentence's subject (``"contact ann"``, ``"we"``)
    and ``holders[g]`` as the holder of counts (``"the account"``); ``verb`` is the
    subject's present tense (``"replies"``), ``asked`` what it answers (``("our",
    "message")``), ``unit_noun`` the noun the counts are given in (``"replies"``).
    """

    subjects: _reasons.StrArray = attrs.field(converter=_texts)
    holders: _reasons.StrArray = attrs.field(converter=_texts)
    verb: str
    asked: tuple[str, str]
    unit_noun: str

    def questions(self, count: int) -> str:
        """``"our 4 messages"``, ``"the 1 request"``."""
        owner, noun = self.asked
        return f"{owner} {count} {noun}" + ("" if count == 1 else "s")


def _latency_frame(
    *,
    name: str,
    view: TouchpointLog,
    as_of: dt.datetime,
    groups: _Groups,
    observations: _Observations,
    windows: DriftWindows,
    saturation: float,
    cap_seconds: float,
    wording: _Wording,
) -> SignalFrame:
    """Run the drift test per group and write one reading per account.

    A group none of whose questions was answered in either window is insufficient (there is
    no latency to compare); one that answered none of its recent questions but at least half
    of its baseline ones, and has waited longer than its baseline median, is *going silent*
    and flags like a drifted group (module docstring, "Silence").
    """
    as_of_us = to_epoch_us(as_of)
    n_groups = groups.account.size
    drift = two_window_drift(
        observations.seconds,
        observations.asked_at,
        observations.group,
        n_groups,
        as_of_us,
        windows,
        log_scale=True,
    )

    def per_group(mask: BoolArray) -> IntArray:
        counts: IntArray = np.bincount(observations.group[mask], minlength=n_groups)
        return counts.astype(np.int64)

    answered = ~observations.censored
    answered_recent = per_group(drift.in_recent & answered)
    answered_baseline = per_group(drift.in_baseline & answered)
    censored_recent = per_group(drift.in_recent & observations.censored)
    readable = drift.sufficient & (answered_recent + answered_baseline > 0)
    with np.errstate(invalid="ignore"):
        silent = (
            readable
            & (answered_recent == 0)
            & (2 * answered_baseline >= drift.n_baseline)
            & (drift.effect > 1.0)
        )
    flagged = drift.drifted | silent
    drift = attrs.evolve(drift, sufficient=readable, drifted=flagged & readable)
    severity = drift_severity(drift, windows, saturation=saturation)

    used = drift.in_recent | drift.in_baseline
    chosen = _pick_worst(groups, drift, severity, view.n_accounts)
    has = chosen >= 0
    pick = np.maximum(chosen, 0)

    def per_account(column: npt.NDArray[Any], fill: float) -> FloatArray:
        return np.where(has, column[pick] if n_groups else fill, fill)

    def per_account_int(column: IntArray) -> IntArray:
        return per_account(column.astype(float), 0.0).astype(np.int64)

    sufficient = has & per_account(drift.sufficient.astype(float), 0.0).astype(bool)
    account_severity = np.where(sufficient, per_account(severity, np.nan), np.nan)
    value = np.where(sufficient, per_account(drift.effect, np.nan), np.nan)
    n_recent = per_account_int(drift.n_recent)
    n_baseline = per_account_int(drift.n_baseline)
    n_censored = per_account_int(censored_recent)
    # An observation's row is in its group's account, so it is evidence when its group is
    # the one its account reads through.
    is_chosen = np.zeros(n_groups, dtype=bool)
    is_chosen[chosen[has]] = True
    evidence_rows = _params.sorted_rows(
        len(view), observations.row[used & is_chosen[observations.group]]
    )

    day = f"{as_of.astimezone(dt.UTC):%Y-%m-%d}"
    span = f"{windows.recent_days + windows.baseline_days:g} days to {day}"
    # Names are data and may hold a line break; everything else in a reason is ours.
    one_line = _params.has_line_break(wording.subjects) or (
        wording.holders is not wording.subjects and _params.has_line_break(wording.holders)
    )
    reasons = _reason_lines(
        chosen=chosen,
        drift=drift,
        answered=(answered_recent, answered_baseline),
        censored_recent=censored_recent,
        silent=silent,
        wording=wording,
        windows=windows,
        cap_seconds=cap_seconds,
        span=span,
    )
    if one_line:
        reasons = [_params.one_line(reason) for reason in reasons]

    logger.info(
        "%s: %d accounts, %d sufficient, %d flagged",
        name,
        view.n_accounts,
        int(sufficient.sum()),
        int((sufficient & per_account(drift.drifted.astype(float), 0.0).astype(bool)).sum()),
    )
    return SignalFrame.from_log_rows(
        name=name,
        unit="ratio",
        as_of=as_of,
        log=view,
        value=value,
        severity=account_severity,
        sufficient=sufficient,
        reasons=reasons,
        samples={"recent": n_recent, "baseline": n_baseline, "censored": n_censored},
        evidence_rows=evidence_rows,
        details={
            "median_recent_days": per_account(drift.median_recent, np.nan) / _DAY_SECONDS,
            "median_baseline_days": per_account(drift.median_baseline, np.nan) / _DAY_SECONDS,
            "p_value": per_account(drift.p_value, np.nan),
            "drifted": np.where(
                sufficient, per_account(drift.drifted.astype(float), 0.0), np.nan
            ),
            "going_silent": np.where(
                sufficient, per_account(silent.astype(float), 0.0), np.nan
            ),
            "answered_recent": per_account_int(answered_recent),
            "answered_baseline": per_account_int(answered_baseline),
        },
    )


def _reason_lines(
    *,
    chosen: IntArray,
    drift: DriftResult,
    answered: tuple[IntArray, IntArray],
    censored_recent: IntArray,
    silent: BoolArray,
    wording: _Wording,
    windows: DriftWindows,
    cap_seconds: float,
    span: str,
) -> list[str]:
    """One reason line per account, read through its chosen group ``chosen[a]``.

    Eight templates, in the order they are tried: no reply to time; too few replies; never
    answered; going silent; drifted; slower but by less than the threshold; slower but not
    significantly; no slowdown. Each is assembled for its accounts at once from string
    columns: counts, durations and p-values are written once per distinct value by the same
    f-strings a per-account loop would use, and names are taken from the wording's lists.
    """
    verb, noun = wording.verb, wording.unit_noun
    text: _reasons.StrArray = np.full(
        chosen.size, f"no {noun} to time in the {span}", dtype=_reasons.STRING
    )
    has = np.flatnonzero(chosen >= 0)
    g = chosen[has]
    n_recent, n_baseline = drift.n_recent[g], drift.n_baseline[g]
    timed = (n_recent + n_baseline) > 0
    has, g, n_recent, n_baseline = has[timed], g[timed], n_recent[timed], n_baseline[timed]
    if has.size == 0:
        return _reasons.to_list(text)

    subjects = wording.subjects[g]
    holders = wording.holders[g]
    censored = censored_recent[g]
    counts = _reasons.by_values(
        (n_recent, n_baseline, censored),
        lambda r, b, c: f"{r} v {b} {noun}" + (f", {c} still unanswered" if c else ""),
    )

    def fill(where: BoolArray, *parts: _reasons.StrArray | str) -> None:
        """Write the template ``parts`` (columns over ``has``) for the accounts ``where``."""
        if where.any():
            text[has[where]] = _reasons.concat(
                *(part if isinstance(part, str) else part[where] for part in parts)
            )

    too_few = (n_recent < windows.min_recent) | (n_baseline < windows.min_baseline)
    fill(
        too_few,
        f"too few {noun} to compare: ",
        holders,
        " has ",
        counts,
        f" (recent v baseline), needs {windows.min_recent} v {windows.min_baseline}",
    )
    never = ~too_few & ~drift.sufficient[g]
    if never.any():
        fill(
            never,
            "never answered: ",
            subjects,
            " answered none of ",
            _reasons.by_value(n_recent + n_baseline, wording.questions),
            f" in the {span} (",
            _reasons.by_values(
                (n_recent, n_baseline), lambda r, b: f"{r} recent, {b} baseline"
            ),
            "), so there is no reply time to compare",
        )

    # The rest have a median in both windows: the templates that quote them.
    read = ~too_few & ~never
    if not read.any():
        return _reasons.to_list(text)
    answered_recent, answered_baseline = answered[0][g], answered[1][g]

    def medians(values: FloatArray, n_answered: IntArray) -> _reasons.StrArray:
        # A median at the cap, or one of unanswered questions only, is a lower bound; the
        # sign carries that mark through one pass of distinct values (medians are > 0).
        at_least = (values >= cap_seconds * (1 - 1e-9)) | (n_answered == 0)
        marked = np.where(read, np.where(at_least, -values, values), 1.0)
        return _reasons.by_key(
            _duration_keys(marked), marked, lambda m: _duration(abs(m), at_least=m < 0)
        )

    now = medians(drift.median_recent[g], answered_recent)
    was = medians(drift.median_baseline[g], answered_baseline)
    unanswered = answered_baseline == 0
    if unanswered.any():
        was[unanswered] = _reasons.concat("unanswered (", was[unanswered], ")")
    p_value = drift.p_value[g]
    p = _reasons.by_value(np.where(read, p_value, 0.0), lambda v: f"p={v:.2g}")
    # The common tail, joined into each line with the rest of it (one join per line).
    tail = (", was ", was, " (median, ", counts)

    going_silent = read & silent[g]
    fill(
        going_silent,
        "going silent: ",
        subjects,
        " answered none of ",
        _reasons.by_value(np.where(going_silent, n_recent, 0), wording.questions),
        f" of the last {windows.recent_days:g} days (median wait ",
        now,
        ")",
        *tail,
        ")",
    )
    drifted = read & ~going_silent & drift.drifted[g]
    fill(drifted, subjects, f" now {verb} in ", now, *tail, ")")
    with np.errstate(invalid="ignore"):
        slower = (p_value <= windows.alpha) & (drift.effect[g] > 1)
    slower &= read & ~going_silent & ~drifted
    fill(
        slower,
        subjects,
        f" {verb} slower (",
        p,
        f") but by less than {windows.min_effect:g}x: in ",
        now,
        *tail,
        ")",
    )
    # Not significant: a slower median still costs a little severity (up to 0.4), so its
    # reason says "slower" rather than denying the slowdown the score charges for.
    steady = read & ~going_silent & ~drifted & ~slower
    with np.errstate(invalid="ignore"):
        up = drift.effect[g] > 1
    tail_p = (*tail, ", ", p, ")")
    fill(steady & up, "slower, not significant: ", subjects, f" {verb} in ", now, *tail_p)
    fill(steady & ~up, "no slowdown: ", subjects, f" {verb} in ", now, *tail_p)
    return _reasons.to_list(text)


@attrs.frozen
class CustomerReplyLatency:
    """Drift of how long each customer contact takes to answer the vendor's messages.

    Parameters
    ----------
    name
        Signal name (two configured copies can coexist under different names).
    windows
        Windows, minimum samples and thresholds of the drift test; the defaults compare the
        last 30 days with the 180 before, need 4 recent and 10 baseline latencies per
        contact, and flag at one-sided ``p <= 0.05`` with a median ratio of at least 2.
    calendar
        Business calendar the latencies are measured on (default Monday to Friday, UTC).
    censor_min_age_days
        Business days an unanswered message must have waited before it counts as a censored
        latency (module docstring). ``math.inf`` turns censoring off.
    min_latency_seconds
        Floor under every latency, so that a log scale applies and instant or weekend-only
        replies tie at the floor rather than at zero.
    max_latency_days
        Follow-up cap in business days: longer latencies, and older unanswered messages,
        count as this (module docstring).
    severity_saturation
        Median ratio at which the size term of the severity reaches 1 (see
        :func:`~touchpoint_signals.signals.drift.drift_severity`).

    Notes
    -----
    Who answers what. The latency of an outbound message belongs to the contact whose
    inbound reply resolves to it (the earliest reply per contact). An unanswered outbound
    message is addressed to the contact of the inbound message it answers; when it answers
    none, to the account's only contact if exactly one contact has ever written, and otherwise
    it is left out (the log does not say whom a cold message was sent to).

    The account reads as its *worst* contact: the sufficient contact with the highest severity
    (then the larger ratio). Pooling the contacts of an account was not chosen: contacts
    differ in habits, so a change in who writes would read as drift. An account with no
    sufficient contact is ``insufficient_data``, and its reason names the best-covered
    contact's counts. ``value`` is that contact's median ratio, recent over baseline.

    Defaults. ``censor_min_age_days=3``: three business days is longer than the median
    customer reply in the mailing-list data (9 wall-clock hours, SOURCE.md of
    linux-uvc-devel) by a wide margin, so a message that old without an answer is unusual.
    ``min_latency_seconds=60``: e-mail and chat timestamps are not more precise than that.
    ``max_latency_days=10``: two working weeks, the horizon after which a support or account
    team would treat a message as ignored rather than pending.
    ``severity_saturation=8``: a median eight times the baseline is as bad as this signal
    gets. Window and test defaults are explained in
    :class:`~touchpoint_signals.signals.drift.DriftWindows`; their false-alarm rate and power
    are measured in ``docs/validity/latency.md``.

    Monotonicity: a slower reply (same message, answered later but by ``as_of``) never lowers
    the severity, because the latency stays in its question's window and the test and the
    median ratio only move towards drift. A slower reply in the *baseline* makes the baseline
    slower, and so can lower it: that is what comparing with one's own past means.

    Examples
    --------
    A hand-made account whose contact answered within the hour for months and now takes four
    business days (labels: o = our message, r = their reply):

    >>> from touchpoint_signals.model import Touchpoint
    >>> day = dt.timedelta(days=1)
    >>> start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)  # a Monday
    >>> tps = []
    >>> for i in range(12):
    ...     sent = start + 7 * i * day
    ...     delay = dt.timedelta(hours=1) if i < 8 else 4 * day  # weeks 8-11: Mon -> Fri
    ...     tps.append(Touchpoint(f"o{i}", "acme", "outreach", sent, "completed",
    ...                           direction="outbound", contact_id="csm"))
    ...     tps.append(Touchpoint(f"r{i}", "acme", "outreach", sent + delay, "completed",
    ...                           direction="inbound", contact_id="ann", in_reply_to=f"o{i}"))
    >>> log = TouchpointLog.from_touchpoints(tps)
    >>> windows = DriftWindows(min_recent=4, min_baseline=8)
    >>> frame = CustomerReplyLatency(windows=windows).extract(log, start + 82 * day)
    >>> signal = frame.signal("acme")
    >>> print(signal.reason)  # doctest: +NORMALIZE_WHITESPACE
    contact ann now replies in 4.0 business days, was 1.0 business hours
    (median, 4 v 8 replies)
    >>> signal.value, signal.severity
    (96.0, 1.0)
    """

    name: str = attrs.field(default="customer_reply_latency", validator=_params.signal_name)
    windows: DriftWindows = attrs.field(factory=DriftWindows, validator=_check_windows)
    calendar: BusinessCalendar = attrs.field(
        factory=BusinessCalendar, validator=_params.calendar
    )
    censor_min_age_days: float = attrs.field(default=3.0, validator=_censor_age)
    min_latency_seconds: float = attrs.field(default=60.0, validator=_params.finite_above(0))
    max_latency_days: float = attrs.field(default=10.0, validator=_params.days)
    severity_saturation: float = attrs.field(default=8.0, validator=_params.finite_above(1))

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        view = log.as_of(as_of)
        n_contacts = len(view.contact_ids)
        inbound = view.direction == _INBOUND
        outbound = view.direction == _OUTBOUND
        asks = outbound & _conversational(view) & _in_windows(view, self.windows, as_of)
        within = view.replies_within_account()

        # Groups are the (account, contact) pairs that answered or were written to; only
        # replies within the account count (module docstring, "Replies across accounts").
        # Every addressee is a pair that has written (the writer of the message answered, or
        # the account's only writer), so the inbound pairs are all the groups there are.
        account = view.account
        contact = view.contact
        inbound_rows = np.flatnonzero(inbound)
        keys, inverse = _contact_pairs(
            account[inbound_rows], contact[inbound_rows], view.n_accounts, n_contacts
        )
        group_of_answer = np.full(len(view), -1, dtype=np.int32)
        group_of_answer[inbound_rows] = inverse
        key_account = keys // (n_contacts + 1)

        # A question is censored in the group of the inbound message it answers, else in
        # the group of its account's only writer (class Notes, "Who answers what").
        ask_rows = np.flatnonzero(asks)
        parent = np.maximum(view.reply_to[ask_rows], 0)
        parent_inbound = within[ask_rows] & inbound[parent]
        writers = np.bincount(key_account, minlength=view.n_accounts)
        only_writer = np.full(view.n_accounts, -1, dtype=np.int64)
        single = np.flatnonzero(writers[key_account] == 1)
        only_writer[key_account[single]] = single
        group_of_question = np.where(
            parent_inbound,
            group_of_answer[parent],
            only_writer[account[ask_rows]],
        )
        groups = _Groups(
            account=key_account.astype(np.int64),
            contact=(keys % (n_contacts + 1) - 1).astype(np.int64),
        )

        observations = _observations(
            view,
            ask=asks,
            ask_rows=ask_rows,
            answer=inbound & within,
            group_of_answer=group_of_answer,
            group_of_question=group_of_question,
            per_answer_key=view.contact,
            as_of_us=to_epoch_us(as_of),
            calendar=self.calendar,
            censor_min_age_seconds=self.censor_min_age_days * _DAY_SECONDS,
            floor_seconds=self.min_latency_seconds,
            cap_seconds=self.max_latency_days * _DAY_SECONDS,
        )
        # Each contact's name once, then one per group (contact -1 reads the last entry).
        per_contact = list(map("contact ".__add__, view.contact_ids.tolist()))
        named = np.array([*per_contact, "an unnamed contact"], dtype=_reasons.STRING)
        names = named[groups.contact]
        frame = _latency_frame(
            name=self.name,
            view=view,
            as_of=as_of,
            groups=groups,
            observations=observations,
            windows=self.windows,
            saturation=self.severity_saturation,
            cap_seconds=self.max_latency_days * _DAY_SECONDS,
            wording=_Wording(names, names, "replies", ("our", "message"), "replies"),
        )
        return frame


@attrs.frozen
class VendorResponseLatency:
    """Drift of how long the vendor takes to answer each account's customer-raised messages.

    Parameters
    ----------
    name
        Signal name.
    windows
        As for :class:`CustomerReplyLatency`, per account instead of per contact.
    calendar
        Business calendar the latencies are measured on.
    customer_raised_only
        Count only inbound messages whose trigger is ``customer_raised`` (a request the
        customer opened: a ticket, a new thread). ``False`` counts every inbound message that
        is answered, follow-ups included.
    skip_replies_to_customers
        Do not count an inbound message that replies to an inbound message of *another*
        account: on a mailing list that is a user helping another user, addressed to them and
        not to us, so it is no request of ours to answer (Notes).
    censor_min_age_days, min_latency_seconds, max_latency_days, severity_saturation
        As for :class:`CustomerReplyLatency`.

    Notes
    -----
    The latency of an inbound message is the business time to the earliest outbound message
    that answers it, whoever on the vendor's side wrote it; an unanswered inbound message at
    least ``censor_min_age_days`` old is censored at the elapsed time (module docstring).
    Groups are accounts, so the account reads directly; the evidence is the customer's
    messages that were measured. This is a measure of the vendor's service to the account, not
    of the account's engagement: a high severity says "we are letting them wait".

    ``customer_raised_only=True`` follows the adapters: ticket and thread-opening messages are
    customer-raised, while a follow-up answering our question is usually not (in the Twitter
    support data only thread openers are), so the default measures time to first response,
    the usual support metric (e.g. Zendesk's "first reply time").

    ``skip_replies_to_customers=True`` because the mbox adapter marks every list message
    ``customer_raised``: without it, a user who starts answering other users' questions piles
    up "requests" that the maintainer rightly leaves alone, and reads as a sudden slowdown of
    ours. On linux-uvc-devel (180 v 540 days, 3 v 5, quarterly dates 2007-2011) it removed 4
    of 11 flags, among them p0760's, whose recent "requests" all answered other users. A
    customer's follow-up to their own message, and a reply to a vendor message charged to
    another account, still count. Ticket and Twitter data have no inbound-to-inbound links
    across accounts, so the option changes nothing there.

    Examples
    --------
    >>> VendorResponseLatency().name, VendorResponseLatency().customer_raised_only
    ('vendor_response_latency', True)
    """

    name: str = attrs.field(default="vendor_response_latency", validator=_params.signal_name)
    windows: DriftWindows = attrs.field(factory=DriftWindows, validator=_check_windows)
    calendar: BusinessCalendar = attrs.field(
        factory=BusinessCalendar, validator=_params.calendar
    )
    customer_raised_only: bool = attrs.field(default=True, validator=_params.boolean)
    skip_replies_to_customers: bool = attrs.field(default=True, validator=_params.boolean)
    censor_min_age_days: float = attrs.field(default=3.0, validator=_censor_age)
    min_latency_seconds: float = attrs.field(default=60.0, validator=_params.finite_above(0))
    max_latency_days: float = attrs.field(default=10.0, validator=_params.days)
    severity_saturation: float = attrs.field(default=8.0, validator=_params.finite_above(1))

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        view = log.as_of(as_of)
        inbound = view.direction == _INBOUND
        if self.customer_raised_only:
            inbound &= view.trigger == _CUSTOMER_RAISED
        conversational = _conversational(view)
        inbound &= conversational & _in_windows(view, self.windows, as_of)
        outbound = (view.direction == _OUTBOUND) & conversational
        within = view.replies_within_account()
        if self.skip_replies_to_customers:
            parent = view.reply_to
            to_other_customer = np.zeros(len(view), dtype=bool)
            across = np.flatnonzero((parent >= 0) & ~within)
            to_other_customer[across] = view.direction[parent[across]] == _INBOUND
            inbound &= ~to_other_customer

        # One group per account; an answer counts only when it answers a message of its own
        # account (module docstring, "Replies across accounts").
        ask_rows = np.flatnonzero(inbound)
        groups = _Groups(
            account=np.arange(view.n_accounts, dtype=np.int64),
            contact=np.full(view.n_accounts, -1, dtype=np.int64),
        )

        observations = _observations(
            view,
            ask=inbound,
            ask_rows=ask_rows,
            answer=outbound & within,
            group_of_answer=None,
            group_of_question=view.account[ask_rows].astype(np.int64),
            per_answer_key=None,
            as_of_us=to_epoch_us(as_of),
            calendar=self.calendar,
            censor_min_age_seconds=self.censor_min_age_days * _DAY_SECONDS,
            floor_seconds=self.min_latency_seconds,
            cap_seconds=self.max_latency_days * _DAY_SECONDS,
        )
        # Evidence cites the customer's message (the question), which is in the account.
        answered = ~observations.censored
        rows = observations.row.copy()
        rows[answered] = view.reply_to[rows[answered]]
        observations = attrs.evolve(observations, row=rows)
        return _latency_frame(
            name=self.name,
            view=view,
            as_of=as_of,
            groups=groups,
            observations=observations,
            windows=self.windows,
            saturation=self.severity_saturation,
            cap_seconds=self.max_latency_days * _DAY_SECONDS,
            wording=_Wording(
                np.full(view.n_accounts, "we", dtype=_reasons.STRING),
                np.full(view.n_accounts, "the account", dtype=_reasons.STRING),
                "answer",
                ("the", "request"),
                "requests",
            ),
        )
