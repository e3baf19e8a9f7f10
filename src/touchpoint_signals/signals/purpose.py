"""Purpose and outcome: are the team's touchpoints planned, written up, and proactive?

A touchpoint with no recorded purpose was not planned for anything in particular; one with no
recorded outcome left nothing the next person can build on. A team that only answers what the
customer raises is reacting, not managing the account. This signal reads the human-led
touchpoints of the last quarter for all three.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.log import STATUSES, TEXT, TRIGGERS, TouchpointLog
from touchpoint_signals.model import Status, Trigger
from touchpoint_signals.signals import _params, _reasons
from touchpoint_signals.signals.base import SignalFrame
from touchpoint_signals.stats import per_account_count
from touchpoint_signals.timeparse import to_epoch_us

__all__ = ["PurposeOutcome"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

_US_PER_DAY = 86_400_000_000
_COMPLETED = STATUSES.index(Status.COMPLETED)
_SCHEDULED = TRIGGERS.index(Trigger.SCHEDULED)
_BEHAVIOUR_TRIGGERED = TRIGGERS.index(Trigger.BEHAVIOUR_TRIGGERED)
_REACTIVE = TRIGGERS.index(Trigger.CUSTOMER_RAISED)


def _recorded(column: npt.NDArray[Any]) -> BoolArray:
    """Rows whose text is present and not blank (NaN marks a missing value).

    Blank means empty or made only of whitespace, as ``str.strip`` sees it (numpy's
    ``isspace`` counts the same characters). The column is read where it lies, so a slice
    of the log costs no copy of its strings.
    """
    missing = np.isnan(column) if column.dtype == TEXT else np.zeros(len(column), dtype=bool)
    blank = (column == "") | np.strings.isspace(column)
    result: BoolArray = ~missing & ~blank
    return result


def _recorded_anywhere(read: Callable[[slice], npt.NDArray[Any]], among: BoolArray) -> bool:
    """Whether any row where ``among`` holds has a recorded text, reading through ``read``.

    Read in blocks that grow fourfold, so a log whose first rows record the field answers
    after one small block instead of one pass over every string of the column (a view,
    through :meth:`~touchpoint_signals.log.TouchpointLog.take`, reads only those blocks).
    """
    start, size = 0, 1024
    while start < len(among):
        stop = min(len(among), start + size)
        if (_recorded(read(slice(start, stop))) & among[start:stop]).any():
            return True
        start, size = stop, size * 4
    return False


def _tolerance(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not (isinstance(value, int | float) and 0 <= value <= 0.99):
        raise ConfigError(
            f"PurposeOutcome.{attribute.name} must be a share from 0 to 0.99 (a share of 1 "
            f"would tolerate everything), got {value!r}"
        )


def _plural(count: int, noun: str) -> str:
    return f"1 {noun}" if count == 1 else f"{count} {noun}s"


@attrs.frozen
class PurposeOutcome:
    """Shares of recent human-led touchpoints with a recorded purpose, outcome and trigger.

    Over the human-led touchpoints
    (:attr:`TouchpointKind.human_led <touchpoint_signals.model.TouchpointKind>`) of the last
    ``window_days``, the signal counts those with a recorded purpose, those with a recorded
    outcome, and those that were proactive (trigger ``scheduled`` or ``behaviour_triggered``)
    or reactive (``customer_raised``); touchpoints with no trigger are counted apart as
    unknown. The value is the share with a recorded outcome.

    Parameters
    ----------
    name
        The signal's name (``"purpose_outcome"``).
    window_days
        How far back from ``as_of`` touchpoints are read.
    min_touchpoints
        Fewer counted touchpoints than this in the window is insufficient data.
    purpose_weight, outcome_weight, reactive_weight
        Weights of the three parts of the severity; they must add up to 1.
    reactive_tolerance
        Reactive share that is still healthy; the reactive part of the severity rises
        linearly from 0 at this share to 1 when every touchpoint was customer-raised.
    ignore_unrecorded_fields
        When no human-led touchpoint of the point-in-time log records a purpose (or an
        outcome), that part is not judged and its weight is shared among the remaining parts
        in proportion to their weights; when neither is recorded anywhere, every account is
        ``insufficient_data`` (Notes). ``False`` charges the missing records to every
        account, as a log whose source does record them but nobody filled them in.

    Notes
    -----
    Severity is ``purpose_weight * (1 - purpose share) + outcome_weight * (1 - outcome share)
    + reactive_weight * max(0, reactive share - reactive_tolerance) / (1 -
    reactive_tolerance)``, so it lies in [0, 1] and rises with every missing record. Shares
    are over all counted touchpoints, so a touchpoint with an unknown trigger is neither
    proactive nor reactive and does not raise the reactive part.

    Defaults and why: a 90-day window, one quarter, is the span over which CS teams review an
    account's engagement (the QBR cycle). The outcome weighs most (0.4) because a touchpoint
    whose result was never written down cannot inform the next one (Mehta, Steinman and
    Murphy, *Customer Success*, Wiley 2016, on running customer success from recorded data);
    purpose and reactivity weigh 0.3 each. A reactive share up to one half is tolerated:
    support-heavy accounts are normal, but an account served only through tickets has no
    proactive plan (CSM as proactive rather than reactive management: Hilton, Hajihashemi,
    Henderson and Palmatier, "Customer Success Management: the next evolution in customer
    management practice?", *Industrial Marketing Management* 90, 2020, pp. 360-369). The
    weights, the tolerance and ``min_touchpoints = 3`` are our choices.

    Fields a source never records. Some sources have no purpose or outcome column at all (the
    appointment records); charging every account for them would read the source's format as
    the team's negligence. With ``ignore_unrecorded_fields=True`` a part that no human-led
    touchpoint of the whole log as known at ``as_of`` records (any account, date, status) is
    left out: with no outcome recorded anywhere the severity is ``purpose_weight * (1 -
    purpose share) + reactive_weight * reactive part``, both divided by ``purpose_weight +
    reactive_weight``, the value (the outcome share) is NaN, and the reason ends "no
    human-led touchpoint in this log records an outcome; not judged". With neither recorded
    every account is ``insufficient_data``: "no human-led touchpoint in this log records a
    purpose or an outcome". Automated touchpoints are not asked, because their text is
    written by the system or the adapter (the appointments adapter labels every SMS reminder
    "appointment reminder") and says nothing about whether people record theirs. The
    trade-off: a team whose source does have the field but that never filled it in once is
    not told so; set the option to ``False`` for such a log. The test is on the whole log,
    not per account, so one account that records outcomes makes every other account's
    missing outcomes count.

    Only ``completed`` touchpoints are counted: a cancelled or missed meeting has no outcome to
    record. Replies (touchpoints that answer another one, whether or not the log holds it) are
    not counted: they belong to the conversation they answer, whose purpose and outcome are
    recorded on its first touchpoint. Blank text counts as missing. Automated kinds (surveys,
    automated e-mails) are out of scope: nobody writes their purpose or outcome by hand.

    Examples
    --------
    >>> from touchpoint_signals.model import Touchpoint
    >>> log = TouchpointLog.from_touchpoints([
    ...     Touchpoint("q1", "acme", "qbr", "2026-05-01T10:00Z", "completed",
    ...                trigger="scheduled", purpose="renewal plan", outcome="agreed"),
    ...     Touchpoint("s1", "acme", "support", "2026-05-10T10:00Z", "completed",
    ...                trigger="customer_raised", purpose="login fails"),
    ...     Touchpoint("s2", "acme", "support", "2026-06-10T10:00Z", "completed",
    ...                trigger="customer_raised"),
    ... ])
    >>> acme = PurposeOutcome().extract(log, dt.datetime(2026, 7, 1, tzinfo=dt.UTC)).at(0)
    >>> round(acme.value, 3), round(acme.severity, 3), acme.evidence
    (0.333, 0.467, ('s1', 's2'))
    >>> for part in acme.reason.split("; "):
    ...     print(part)
    of 3 human-led touchpoints in the last 90 days, 2 lack an outcome and 1 a purpose
    2 reactive, 1 proactive
    """

    name: str = attrs.field(default="purpose_outcome", validator=_params.signal_name)
    window_days: float = attrs.field(default=90.0, validator=_params.days)
    min_touchpoints: int = attrs.field(default=3, validator=_params.whole_at_least(1))
    purpose_weight: float = attrs.field(default=0.3, validator=_params.in_unit_interval)
    outcome_weight: float = attrs.field(default=0.4, validator=_params.in_unit_interval)
    reactive_weight: float = attrs.field(default=0.3, validator=_params.in_unit_interval)
    reactive_tolerance: float = attrs.field(default=0.5, validator=_tolerance)
    ignore_unrecorded_fields: bool = attrs.field(default=True, validator=_params.boolean)

    def __attrs_post_init__(self) -> None:
        total = self.purpose_weight + self.outcome_weight + self.reactive_weight
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ConfigError(
                "PurposeOutcome.purpose_weight + outcome_weight + reactive_weight must add "
                f"up to 1, got {total:g}"
            )

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        view = log.as_of(as_of)
        cutoff = to_epoch_us(as_of)
        n = view.n_accounts

        led = _params.in_codes(view.kind, (c for c, k in enumerate(view.kinds) if k.human_led))
        # Only rows of the window can count: the other columns are read at those alone (a
        # large log's rows are mostly older). A reply is one whose link resolved or not.
        start = cutoff - self.window_days * _US_PER_DAY
        window = np.flatnonzero(_params.after(view.occurred_at, start))
        unresolved_reply = np.zeros(len(view), dtype=bool)
        unresolved_reply[view.unresolved_reply_rows] = True
        is_reply = (view.reply_to[window] >= 0) | unresolved_reply[window]
        counted_rows = window[led[window] & (view.status[window] == _COMPLETED) & ~is_reply]
        account = view.account[counted_rows]
        trigger = view.trigger[counted_rows]
        judge_purpose = not self.ignore_unrecorded_fields or _recorded_anywhere(
            partial(view.take, "purpose"), led
        )
        judge_outcome = not self.ignore_unrecorded_fields or _recorded_anywhere(
            partial(view.take, "outcome"), led
        )
        # Only the counted rows' strings are read (a few percent of a large log), or only
        # the distinct strings when the log keeps its texts as a table. The masks below
        # are over the counted rows.
        no_purpose = np.zeros(counted_rows.size, dtype=bool)
        no_outcome = np.zeros(counted_rows.size, dtype=bool)
        if judge_purpose:
            no_purpose = ~view.take_mapped("purpose", counted_rows, _recorded)
        if judge_outcome:
            no_outcome = ~view.take_mapped("outcome", counted_rows, _recorded)
        reactive_row = trigger == _REACTIVE

        # A part no human-led touchpoint of the log records is not judged; its weight goes to
        # the others in proportion to theirs (class Notes, "Fields a source never records").
        weights = np.array(
            [
                self.purpose_weight * judge_purpose,
                self.outcome_weight * judge_outcome,
                self.reactive_weight,
            ]
        )
        if weights.sum() > 0:
            weights = weights / weights.sum()
        w_purpose, w_outcome, w_reactive = weights.tolist()

        total = per_account_count(account, n)
        missing_purpose = per_account_count(account, n, no_purpose)
        missing_outcome = per_account_count(account, n, no_outcome)
        proactive = per_account_count(
            account, n, (trigger == _SCHEDULED) | (trigger == _BEHAVIOUR_TRIGGERED)
        )
        reactive = per_account_count(account, n, reactive_row)
        unknown = total - proactive - reactive

        with np.errstate(divide="ignore", invalid="ignore"):
            purpose_share = 1.0 - missing_purpose / total
            outcome_share = 1.0 - missing_outcome / total
            reactive_share = reactive / total
            proactive_share = proactive / total
            unknown_share = unknown / total
        reactive_part = np.clip(
            (reactive_share - self.reactive_tolerance) / (1.0 - self.reactive_tolerance), 0, 1
        )
        severity = (
            w_purpose * (1.0 - purpose_share)
            + w_outcome * (1.0 - outcome_share)
            + w_reactive * reactive_part
        )
        sufficient = (total >= self.min_touchpoints) & (judge_purpose or judge_outcome)

        concern = no_purpose | no_outcome | (reactive_row & (reactive_part > 0)[account])
        reasons = self._reasons(
            total,
            missing_purpose,
            missing_outcome,
            (reactive, proactive, unknown),
            judged=(judge_purpose, judge_outcome),
        )

        logger.debug(
            "purpose_outcome as of %s: %d of %d accounts readable",
            as_of,
            int(sufficient.sum()),
            n,
        )
        return SignalFrame.from_log_rows(
            name=self.name,
            unit="share of human-led touchpoints with a recorded outcome",
            as_of=as_of,
            log=view,
            value=np.where(sufficient & judge_outcome, outcome_share, math.nan),
            severity=np.clip(severity, 0.0, 1.0),
            sufficient=sufficient,
            reasons=reasons,
            samples={"touchpoints": total},
            evidence_rows=counted_rows[concern & sufficient[account]],
            details={
                "purpose_share": purpose_share if judge_purpose else np.full(n, math.nan),
                "outcome_share": outcome_share if judge_outcome else np.full(n, math.nan),
                "proactive_share": proactive_share,
                "reactive_share": reactive_share,
                "unknown_trigger_share": unknown_share,
            },
        )

    def _reasons(
        self,
        total: IntArray,
        no_purpose: IntArray,
        no_outcome: IntArray,
        triggers: tuple[IntArray, IntArray, IntArray],
        *,
        judged: tuple[bool, bool],
    ) -> list[str]:
        """:meth:`_reason` for every account, written once per distinct row of counts.

        A line depends on the account's six counts alone, and accounts share them, so far
        fewer lines are written than there are accounts (100,000 accounts with random counts
        up to 12 take 14 ms instead of 0.5 s, one core).
        """
        return _reasons.by_rows(
            (total, no_purpose, no_outcome, *triggers),
            lambda t, p, o, r, pro, u: self._reason(t, p, o, (r, pro, u), judged=judged),
        )

    def _reason(
        self,
        total: int,
        no_purpose: int,
        no_outcome: int,
        triggers: tuple[int, int, int],
        *,
        judged: tuple[bool, bool],
    ) -> str:
        """One line: what is missing, then the reactive / proactive / unknown split.

        ``judged`` says whether the purpose and the outcome are judged at all (a field that
        no human-led touchpoint of the log records is not).
        """
        window = f"in the last {self.window_days:g} days"
        if not any(judged):
            return "no human-led touchpoint in this log records a purpose or an outcome"

        if total == 0:
            return f"no completed human-led touchpoints {window}"
        if total < self.min_touchpoints:
            return (
                f"only {_plural(total, 'completed human-led touchpoint')} {window} "
                f"(needs {self.min_touchpoints})"
            )

        gaps = []
        if no_outcome:
            gaps.append(f"{no_outcome} lack{'s' if no_outcome == 1 else ''} an outcome")
        if no_purpose:
            verb = "" if no_outcome else f" lack{'s' if no_purpose == 1 else ''}"
            gaps.append(f"{no_purpose}{verb} a purpose")
        head = f"of {_plural(total, 'human-led touchpoint')} {window}, "
        fields = " and ".join(
            name for name, on in zip(("a purpose", "an outcome"), judged, strict=True) if on
        )
        if gaps:
            head += " and ".join(gaps)
        else:
            head = f"all {total} human-led touchpoints {window} have {fields}"

        reactive, proactive, unknown = triggers
        split = [f"{reactive} reactive", f"{proactive} proactive"]
        if unknown:
            split.append(f"{unknown} with no trigger")
        parts = [head, ", ".join(split)]
        unrecorded = [
            n for n, on in zip(("a purpose", "an outcome"), judged, strict=True) if not on
        ]
        if unrecorded:
            parts.append(
                f"no human-led touchpoint in this log records {unrecorded[0]}; not judged"
            )
        return "; ".join(parts)
