"""Cadence adherence: is each account getting the touchpoints its segment promises, on time?

A segment's :class:`~touchpoint_signals.model.CadencePolicy` says how often it expects each
kind of touchpoint (a check-in every 28-31 days, a QBR every 84-98 days). This signal measures,
per account and expected kind, the days since the last completed touchpoint of that kind
against the longest interval the segment allows. The value is the most overdue kind's ratio;
the reason names every overdue kind, most overdue first.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.log import STAGES, STATUSES, AccountColumns, TouchpointLog
from touchpoint_signals.model import Account, LifecycleStage, Status
from touchpoint_signals.signals import _params, _reasons
from touchpoint_signals.signals.base import SignalFrame
from touchpoint_signals.timeparse import to_epoch_us

__all__ = ["CadenceAdherence"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_US_PER_DAY = 86_400_000_000
_COMPLETED = STATUSES.index(Status.COMPLETED)
_LABELS = {"qbr": "QBR", "ebr": "EBR"}


def _label(kind: str) -> str:
    """A kind's name as a CSM writes it: ``check_in`` -> ``check-in``, ``qbr`` -> ``QBR``."""
    return _LABELS.get(kind, kind.replace("_", "-"))


def _days(n: float) -> str:
    whole = math.floor(n)
    return f"{whole} day" if whole == 1 else f"{whole} days"


def _interval(low: float, high: float) -> str:
    span = f"{high:g}" if low == high else f"{low:g}-{high:g}"
    return f"expected every {span} days"


def _expected_count(count: float) -> str:
    """How many touchpoints a span should hold, as a reader says it: ``"about 3"``, ``"1"``,
    ``"under 1"`` (not ``"2.9"``: a count of touchpoints is a whole number)."""
    if count < 1:
        return "under 1"
    whole = round(count)
    return f"{whole}" if math.isclose(count, whole, abs_tol=1e-9) else f"about {whole}"


def _started_at(account: Account | None) -> dt.datetime:
    """The start of an account read without any touchpoint of a kind (so it has one)."""
    assert account is not None  # a readable kind means a record
    assert account.started_at is not None  # and no touchpoint of it, a start date
    return account.started_at


def _listed(names: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _to_kind_names(value: Any) -> tuple[str, ...]:
    return _params.kind_names(value, "CadenceAdherence.kinds")


class _AccountCadence(NamedTuple):
    """One account's row of the cadence arrays, as plain Python numbers (one per kind)."""

    has_record: bool
    account: Account | None
    min_days: list[float]
    max_days: list[float]
    ratios: list[float]
    days_since: list[float]
    recent: list[int]
    last_rows: list[int]
    worst: int  # the most overdue kind, -1 when no kind can be read


@attrs.frozen
class _Expectations:
    """Per account, what each expected kind's interval is (NaN where it is not expected)."""

    kinds: tuple[str, ...]
    min_days: dict[str, FloatArray]
    max_days: dict[str, FloatArray]
    has_record: npt.NDArray[np.bool_]
    started_us: FloatArray
    segment_names: tuple[str, ...]


def _expectations(table: AccountColumns, only: tuple[str, ...]) -> _Expectations:
    """Map every account to its segment's intervals, one array per kind.

    Accounts sharing a segment and stage share one lookup in the policy, so the policies
    are read once per distinct pair, never once per account.
    """
    n_stages = len(STAGES) + 1  # stage codes run from -1 (none) to len(STAGES) - 1
    has_record = table.segment >= 0
    pair_key = table.segment * n_stages + (table.stage + 1)
    distinct, inverse = np.unique(pair_key[has_record], return_inverse=True)
    codes = np.full(len(pair_key), -1, dtype=np.int64)
    codes[has_record] = inverse.reshape(-1)
    stage_of: tuple[LifecycleStage | None, ...] = (None, *STAGES)
    pairs = [
        (table.segments[key // n_stages], stage_of[key % n_stages]) for key in distinct.tolist()
    ]

    named = sorted({e.kind for segment, _ in pairs for e in segment.cadence.expectations})
    kinds = tuple(k for k in named if not only or k in only)

    min_days: dict[str, FloatArray] = {}
    max_days: dict[str, FloatArray] = {}
    for kind in kinds:
        low = np.full(len(pairs) + 1, math.nan)  # the extra last slot serves code -1
        high = np.full(len(pairs) + 1, math.nan)
        for code, (segment, stage) in enumerate(pairs):
            expectation = segment.cadence.expected(kind, stage)
            if expectation is not None:
                low[code], high[code] = expectation.min_days, expectation.max_days
        min_days[kind], max_days[kind] = low[codes], high[codes]

    names = tuple(sorted({segment.name for segment, _ in pairs}))
    return _Expectations(kinds, min_days, max_days, has_record, table.started_at, names)


@attrs.frozen
class CadenceAdherence:
    """How overdue each account is on the touchpoints its segment expects.

    For every kind the account's segment expects in its lifecycle stage
    (:meth:`CadencePolicy.expected <touchpoint_signals.model.CadencePolicy.expected>`), the
    signal takes the days since the last *completed* touchpoint of that kind and divides them
    by the longest interval the segment allows (``max_days``): the overdue ratio. The value is
    the worst ratio over the expected kinds; 1 means due today.

    Parameters
    ----------
    name
        The signal's name (``"cadence"``).
    period_days
        Window for the count of recent touchpoints, reported next to the gap: over
        ``period_days`` an account should have ``period_days / max_days`` of each kind.
    full_severity_ratio
        Overdue ratio at which severity reaches 1. Severity is 0 up to a ratio of 1 (the
        interval has not run out) and rises linearly to 1 at this ratio.
    kinds
        Kind names to check; empty (the default) checks every kind a segment expects. A
        name that is not a kind of the log raises
        :class:`~touchpoint_signals.errors.UnknownNameError` at extract time (a misspelt
        name would otherwise switch the signal off in silence).
    skip_kinds_absent_from_log
        Do not judge a kind of which the whole log, as known at ``as_of``, holds no
        touchpoint at all (any account, status or date): the reason says "no automated
        touchpoints in this log; not judged", and an account whose every expected kind is
        absent is ``insufficient_data`` (Notes, "Kinds the log never holds").

    Notes
    -----
    Defaults and why:

    * the intervals themselves come from each segment's policy; the built-in ones follow the
      common high-, mid- and tech-touch service models (monthly check-ins, quarterly business
      reviews; Mehta, Steinman and Murphy, *Customer Success*, Wiley 2016);
    * ``period_days = 90``: one quarter, the span of a QBR cycle, so every built-in kind but
      the EBR is expected at least once in it;
    * ``full_severity_ratio = 3``: three full intervals without the touchpoint. By then two
      planned touchpoints in a row have not happened, the pattern the "missed two check-ins"
      rule of thumb in CS playbooks treats as a relationship at risk. This is our choice, not
      a published threshold.

    Only ``completed`` touchpoints reset the clock: a cancelled or missed check-in is not a
    check-in. The count over ``period_days`` is context for the reader and does not enter the
    severity: a burst of check-ins followed by silence already shows as a long gap, and a
    recent touchpoint after a thin quarter means the account is back on cadence.

    Kinds the log never holds. A source that never records a kind (a mailing list has no
    automated campaigns, a ticket export no check-ins) would otherwise charge every account
    for its whole life: a tech-touch list user read "automated overdue: none on record, 2119
    days". With ``skip_kinds_absent_from_log=True`` (the default) a kind of which the
    point-in-time log holds no touchpoint is not judged. The trade-off: a portfolio that truly
    never had a single touchpoint of that kind, in any account, looks the same as a source that
    does not record it, and is then not flagged; a log that records even one touchpoint of
    the kind (cancelled or missed ones count) is judged as before. Set the option to
    ``False`` when the log is known to cover the kind.

    An account that has never had an expected kind is measured from its start
    (``Account.started_at``); without a start date, or with one after ``as_of``, that kind
    cannot be read and the reading rests on the other kinds. An account without a record has
    no known segment and gets ``insufficient_data``, as does one whose segment expects no
    kind (in its stage) among those checked. A segment's ``min_days`` is shown in the reason
    but not checked: touchpoints that come too often are the fatigue signal's concern.

    Examples
    --------
    >>> from touchpoint_signals.model import Account, Touchpoint
    >>> log = TouchpointLog.from_touchpoints(
    ...     [Touchpoint("c1", "acme", "check_in", "2026-05-15T00:00Z", "completed")],
    ...     accounts=[Account("acme", "high_touch"), Account("beta", "tech_touch")],
    ... )
    >>> cadence = CadenceAdherence(kinds=("check_in",))
    >>> frame = cadence.extract(log, dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    >>> acme = frame.signal("acme")
    >>> round(acme.value, 2), round(acme.severity, 2), acme.evidence
    (1.52, 0.26, ('c1',))
    >>> for part in acme.reason.split("; "):
    ...     print(part)
    check-in overdue: 47 days since the last (expected every 28-31 days)
    1 in the last 90 days, about 3 expected
    >>> frame.signal("beta").reason
    'segment tech_touch expects no cadence among the kinds checked'
    """

    name: str = attrs.field(default="cadence", validator=_params.signal_name)
    period_days: float = attrs.field(default=90.0, validator=_params.days)
    full_severity_ratio: float = attrs.field(default=3.0, validator=_params.finite_above(1))
    kinds: tuple[str, ...] = attrs.field(default=(), converter=_to_kind_names)
    skip_kinds_absent_from_log: bool = attrs.field(default=True, validator=_params.boolean)

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        _params.check_kinds(log, self.kinds, "CadenceAdherence.kinds")
        view = log.as_of(as_of)
        cutoff = to_epoch_us(as_of)
        n = view.n_accounts
        plan = _expectations(view.account_columns(), self.kinds)
        codes = {k.name: c for c, k in enumerate(view.kinds)}
        period_start = cutoff - self.period_days * _US_PER_DAY
        started = np.where(plan.started_us <= cutoff, plan.started_us, math.nan)
        absent = frozenset(
            kind
            for kind in plan.kinds
            if self.skip_kinds_absent_from_log
            and not (kind in codes and (view.kind == codes[kind]).any())
        )

        # The completed rows of the plan's kinds once, each tagged with its kind's place in
        # the plan: the latest row per (kind, account) is one scattered maximum into a table
        # of both and the period's counts one bincount, instead of a pass over the completed
        # rows per kind. (A plain scatter would keep the last row written to a slot, which
        # numpy does not promise; the maximum is the latest row by definition.)
        k = len(plan.kinds)
        place = np.full(256, -1, dtype=np.intp)
        for i, kind in enumerate(plan.kinds):
            if kind in codes:
                place[codes[kind]] = i
        completed = np.flatnonzero(view.status == _COMPLETED)
        tagged = place[view.kind[completed]]
        of_plan = np.flatnonzero(tagged >= 0)
        done = completed[of_plan]
        slot = tagged[of_plan] * n + view.account[done]
        latest = np.full(k * n, -1, dtype=np.int64)
        np.maximum.at(latest, slot, done)
        last_rows = latest.reshape(k, n)

        max_days = np.array([plan.max_days[kind] for kind in plan.kinds]).reshape(k, n)
        judged = np.array([kind not in absent for kind in plan.kinds], dtype=bool)
        expected = ~np.isnan(max_days) & judged[:, np.newaxis]
        has_last = last_rows >= 0
        anchor = np.repeat(started[np.newaxis, :], k, axis=0)
        anchor[has_last] = view.occurred_at[last_rows[has_last]]
        days_since = np.where(expected, (cutoff - anchor) / _US_PER_DAY, math.nan)
        ratios = days_since / max_days
        in_period = _params.after(view.occurred_at[done], period_start)
        in_period &= expected.reshape(-1)[slot]
        recent = np.bincount(slot[in_period], minlength=k * n).astype(np.int64).reshape(k, n)
        last_rows = np.where(expected, last_rows, -1)
        evidence = [done[in_period], last_rows[last_rows >= 0]]

        readable = ~np.isnan(ratios)
        sufficient = readable.any(axis=0)
        worst_kind = (
            np.argmax(np.where(readable, ratios, -np.inf), axis=0)
            if plan.kinds
            else np.zeros(n, dtype=np.int64)
        )
        worst = np.where(sufficient, ratios.max(axis=0, initial=-np.inf, where=readable), 0.0)
        value = np.where(sufficient, worst, math.nan)
        severity = np.clip((worst - 1.0) / (self.full_severity_ratio - 1.0), 0.0, 1.0)

        day = f"{as_of.astimezone(dt.UTC):%Y-%m-%d}"
        reasons = self._reasons(
            plan,
            view.accounts,
            (ratios, days_since, recent, last_rows),
            np.where(sufficient, worst_kind, -1),
            day,
            absent,
        )
        if _params.has_line_break(plan.kinds + plan.segment_names):
            reasons = [_params.one_line(r) for r in reasons]

        details: dict[str, FloatArray] = {}
        for i, kind in enumerate(plan.kinds):
            details[f"days_since[{kind}]"] = days_since[i]
            details[f"overdue_ratio[{kind}]"] = ratios[i]
            unread = np.isnan(plan.max_days[kind]) | (kind in absent)
            details[f"recent[{kind}]"] = np.where(unread, math.nan, recent[i])
            details[f"expected_recent[{kind}]"] = np.where(
                unread, math.nan, self.period_days / plan.max_days[kind]
            )

        logger.debug(
            "cadence as of %s: %d of %d accounts readable, %d overdue",
            as_of,
            int(sufficient.sum()),
            n,
            int((sufficient & (worst > 1)).sum()),
        )
        return SignalFrame.from_log_rows(
            name=self.name,
            unit="overdue ratio (days since the last / longest expected interval)",
            as_of=as_of,
            log=view,
            value=value,
            severity=severity,
            sufficient=sufficient,
            reasons=reasons,
            samples={"kinds": readable.sum(axis=0), "recent": recent.sum(axis=0)},
            evidence_rows=_params.sorted_rows(len(view), *evidence),
            details=details,
        )

    def _reasons(
        self,
        plan: _Expectations,
        accounts: Sequence[Account | None],
        per_kind: tuple[FloatArray, FloatArray, IntArray, IntArray],
        worst: IntArray,
        day: str,
        absent: frozenset[str],
    ) -> list[str]:
        """One line per account: its overdue kinds, most overdue first (or the kind closest
        to due), or why it cannot be read.

        ``per_kind`` holds the overdue ratios, days since the last, recent counts and last
        rows, one row per kind of ``plan``; ``worst`` is each account's most overdue kind
        (-1 when none can be read), ``day`` ``as_of``'s date and ``absent`` the kinds the log
        holds no touchpoint of (not judged). The common line (the worst kind's gap, interval
        and recent count) is built column-wise; the accounts with more to say (other kinds
        overdue or unreadable, no record, no touchpoint of the worst kind yet) get the rest
        of their line, or all of it, from :meth:`_unusual_reason`.
        """
        ratios, days_since, recent, last_rows = per_kind
        kinds = plan.kinds
        n = len(accounts)
        lows = np.array([plan.min_days[k] for k in kinds]).reshape(len(kinds), n)
        highs = np.array([plan.max_days[k] for k in kinds]).reshape(len(kinds), n)

        # What each account still has to say beyond the common line.
        expected = ~np.isnan(highs)
        skipped = np.array([k in absent for k in kinds], dtype=bool)[:, np.newaxis]
        judged = expected & ~skipped
        at = np.maximum(worst, 0)[np.newaxis, :]
        readable = worst >= 0

        def worst_of(table: npt.NDArray[Any], fill: float) -> npt.NDArray[Any]:
            if not kinds:
                return np.full(n, fill)
            return np.where(readable, np.take_along_axis(table, at, axis=0)[0], fill)

        others = judged & (ratios > 1) & (np.arange(len(kinds))[:, np.newaxis] != at)
        first_due = worst_of(last_rows, 0) < 0
        unusual = (
            ~plan.has_record
            | (worst < 0)
            | (expected & skipped).any(axis=0)
            | (judged & np.isnan(days_since)).any(axis=0)
            | others.any(axis=0)
            | first_due
        )

        # The common line, for every account with a readable kind (the others get a
        # placeholder of plain numbers, never used).
        low, high, gap = worst_of(lows, 1.0), worst_of(highs, 1.0), worst_of(days_since, 0.0)
        # Each part is written once per distinct value with its fixed words, so the line
        # is one join of five parts: the head (overdue, or on cadence) per kind, the gap
        # (_days writes whole days, so gaps floored first share one call per day), the
        # interval, the recent count and the expected count.
        labels = [_label(k) for k in kinds] or [""]
        heads = np.array(
            [
                [f"on cadence; closest to due: {label}, " for label in labels],
                [f"{label} overdue: " for label in labels],
            ],
            dtype=_reasons.STRING,
        )
        head = heads[(gap > high).astype(np.intp), at[0]]
        since = _reasons.by_value(np.floor(gap), lambda d: f"{_days(d)} since the last")
        started = np.flatnonzero(first_due & readable)
        if len(started):
            since[started] = [
                f"none on record, {_days(float(gap[a]))} since the account started on "
                f"{_started_at(accounts[a]):%Y-%m-%d}"
                for a in started.tolist()
            ]
        window = f" in the last {self.period_days:g} days, "
        common = _reasons.concat(
            head,
            since,
            _reasons.by_values((low, high), lambda a, b: f" ({_interval(a, b)}); "),
            _reasons.by_value(worst_of(recent, 0), lambda count: f"{count}{window}"),
            _reasons.by_value(
                self.period_days / high, lambda count: f"{_expected_count(count)} expected"
            ),
        )

        special = {}
        for a in np.flatnonzero(unusual).tolist():
            special[a] = self._unusual_reason(
                _AccountCadence(
                    bool(plan.has_record[a]), accounts[a], lows[:, a].tolist(),
                    highs[:, a].tolist(), ratios[:, a].tolist(), days_since[:, a].tolist(),
                    recent[:, a].tolist(), last_rows[:, a].tolist(), int(worst[a]),
                ),
                kinds,
                day,
                absent,
                str(common[a]),
            )  # fmt: skip
        return _reasons.to_list(common, special)

    def _unusual_reason(
        self,
        row: _AccountCadence,
        kinds: tuple[str, ...],
        day: str,
        absent: frozenset[str],
        common: str,
    ) -> str:
        """One account's line when it has more to say than ``common``, the column-wise line
        of its most overdue kind: why it cannot be read, or ``common`` followed by its other
        overdue kinds, most overdue first, then the kinds it has no reading of."""
        if not row.has_record:
            return "no account record, so the segment and its cadence are unknown"
        highs, ratios, days_since = row.max_days, row.ratios, row.days_since
        expected = [i for i in range(len(kinds)) if not math.isnan(highs[i])]
        account = row.account
        assert account is not None  # has_record
        if not expected:
            stage = account.lifecycle_stage
            where = f" in stage {stage.value}" if stage is not None else ""
            checked = " among the kinds checked" if self.kinds else ""
            return f"segment {account.segment.name} expects no cadence{where}{checked}"

        missing = [_label(kinds[i]) for i in expected if kinds[i] in absent]
        absent_text = (
            f"no {_listed(missing)} touchpoints in this log; not judged" if missing else ""
        )
        expected = [i for i in expected if kinds[i] not in absent]
        if not expected:
            return absent_text

        blind = [_label(kinds[i]) for i in expected if math.isnan(days_since[i])]
        if account.started_at is None:
            blind_text = f"no {', '.join(blind)} on record and no account start date"
        else:
            blind_text = (
                f"no {', '.join(blind)} on record and the account starts on "
                f"{account.started_at:%Y-%m-%d}, after {day}"
            )
        worst = row.worst
        if worst < 0:
            return f"{blind_text}; {absent_text}" if missing else blind_text

        parts = [common]

        # Every other overdue kind, most overdue first (ties in plan order).
        others = [i for i in expected if i != worst and ratios[i] > 1]
        for i in sorted(others, key=lambda i: -ratios[i]):
            other = kinds[i]
            span = _interval(row.min_days[i], highs[i])
            span = span.removesuffix(" days")
            if row.last_rows[i] >= 0:
                parts.append(f"{_label(other)} overdue: {_days(days_since[i])} ({span})")
            else:
                parts.append(
                    f"{_label(other)} overdue: none in the {_days(days_since[i])} since the "
                    f"start ({span})"
                )
        if blind:
            parts.append(blind_text)
        if missing:
            parts.append(absent_text)
        return "; ".join(parts)
