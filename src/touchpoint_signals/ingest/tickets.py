"""Adapter for a SaaS support-ticket export: the RavenStack multi-table CSV layout.

The source is a folder of CSV files (comma-separated, header row, CRLF line endings) as the
RavenStack synthetic SaaS data set ships them. Three are read:
``ravenstack_support_tickets.csv`` (the touchpoints), ``ravenstack_accounts.csv`` (the
accounts) and ``ravenstack_churn_events.csv`` (churn dates). The files are streamed with
:mod:`csv`; only the churn dates (one per churn event) are held in memory.

Mapping
-------
Each ticket row gives up to two touchpoints, both ``kind="support"``, ``channel="web"``,
``trigger="customer_raised"``, ``status="completed"``:

* the **ticket**: inbound, ``id`` the ``ticket_id``, ``occurred_at`` the ``submitted_at``
  date at midnight in the ``timezone`` option, ``csat`` the ``satisfaction_score``,
  ``purpose`` ``"support ticket, <priority> priority"`` and ``outcome`` what became of it
  (``"resolved in 27 h"``, ``"escalated; resolved in 27 h"``, ``"open"``, ...);
* the **first response**, when ``first_response_time_minutes`` is present: outbound,
  ``id`` ``"<ticket_id>:first-response"``, ``occurred_at`` the ticket's plus the minutes,
  ``in_reply_to`` the ticket. Splitting the row this way lets the library measure reply
  latency like for any other conversation. Both records carry the ticket row's number.

The export names no person on either side, so ``contact_id`` is ``None``.

Accounts come from ``ravenstack_accounts.csv``: ``id`` the ``account_id``, ``name`` the
``account_name``, ``segment`` from ``plan_tier`` through the ``plan_segments`` option,
``started_at`` the ``signup_date`` at midnight, ``churned_at`` from the churn events (see
below). ``owner``, ``lifecycle_stage`` and ``renews_at`` are ``None``: the export has no
owner, and ``is_trial`` is a state at export time rather than a dated stage.

Quirks and how they are treated
-------------------------------
* **Churn events contradict the churn flag.** 600 churn events cover 352 accounts, but only
  110 accounts have ``churn_flag=True``; 75 flagged accounts have events, 35 have none and 277
  accounts with events are not flagged. With the default ``churned_accounts="flagged"``, an
  account is churned only if its flag is true, and ``churned_at`` is the latest
  ``churn_date`` of its events; a flagged account without events gets ``churned_at=None``
  (churned, but the date is unknown) and the events of unflagged accounts are not used.
  ``churned_accounts="any_event"`` instead takes the latest event of every account with
  events, whatever its flag. ``is_reactivation`` is not used either way: the data does not
  say which churn a reactivation undid. A ``churn_date`` that cannot be read is skipped
  (logged); a churn event of an account not in the accounts file is ignored (logged).
* **annual_revenue is None.** The subscriptions table holds ten overlapping subscriptions
  per account on average, of mixed plan tiers and trials, most of them without an end date;
  no sum or pick of their ``arr_amount`` is a defensible annual revenue, so the table is not
  read.
* ``submitted_at`` is a date without a time of day; it is taken as midnight in
  ``timezone``. This matches the export's own arithmetic: ``closed_at`` is exactly
  ``submitted_at`` midnight plus ``resolution_time_hours`` on every row. The first response
  therefore lands at midnight plus its minutes.
* ``resolution_time_hours`` gives the hours in the outcome; when it is missing or unreadable
  the hours from ``submitted_at`` to ``closed_at`` are used. A ``closed_at`` earlier than
  ``submitted_at`` keeps the ticket with the outcome ``"resolved, resolution time unknown
  (closed before submitted)"``; an unreadable ``closed_at`` gives ``"resolved, resolution time
  unknown"``; an empty ``closed_at`` gives ``"open"``. ``escalation_flag`` true prefixes
  ``"escalated; "``.
* ``satisfaction_score`` is written as a float (``"4.0"``) and is missing on 41 % of the
  tickets. A whole number becomes an int, an empty value ``None``; anything else is passed
  through raw so that the loader rejects the ticket, naming the ``csat`` field.
* An empty ``first_response_time_minutes`` gives the ticket alone (no reply record). A value
  that is not a non-negative number of minutes is **rejected** ("first response time is not a
  number of minutes") in place of the reply record; so is a reply whose ticket has an
  unreadable ``submitted_at`` ("first response cannot be placed: submitted_at unreadable").
  The ticket itself passes the raw ``submitted_at`` on for the loader to reject.
* 36 first responses come later than the ticket was closed (the minutes exceed the
  resolution hours). They are kept as they are: the export says so.
* 1,077 tickets were submitted before their account's ``signup_date`` and 54 after its
  ``churned_at``; the synthetic generator did not tie tickets to the account's life. They are
  kept as they are.
* A ticket of an account that the accounts file does not hold is passed through; the loader
  reports it as a touchpoint of an unknown account. A ticket with an empty ``ticket_id`` or
  ``account_id`` is **rejected** ("ticket has no ticket_id", "ticket has no account_id").
  An empty ``priority`` gives the purpose ``"support ticket"``.
* An account whose ``plan_tier`` is not a key of ``plan_segments`` is **rejected** ("plan tier
  has no segment"); an account with an empty ``account_id`` is **rejected** ("account has no
  account_id"). An unreadable ``signup_date`` is passed through for the loader to reject.
* Booleans are written ``True``/``False``; ``true``/``1``/``yes`` and ``false``/``0``/``no``
  are also read. Any other escalation flag counts as not escalated; any other churn flag
  counts as not churned. Both are logged.
* ``ravenstack_feature_usage.csv`` and ``ravenstack_subscriptions.csv`` are not read: usage
  is product telemetry, not a touchpoint, and see above for revenue.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

import attrs

from touchpoint_signals.errors import DataError
from touchpoint_signals.ingest.readers import csv_rows
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import SourceRecords
from touchpoint_signals.timeparse import parse_instant, parse_timezone

__all__ = ["DEFAULT_PLAN_SEGMENTS", "TicketsAdapter"]

logger = logging.getLogger(__name__)

TICKETS_FILE = "ravenstack_support_tickets.csv"
ACCOUNTS_FILE = "ravenstack_accounts.csv"
CHURN_FILE = "ravenstack_churn_events.csv"

_TICKET_COLUMNS = (
    "ticket_id",
    "account_id",
    "submitted_at",
    "closed_at",
    "resolution_time_hours",
    "priority",
    "first_response_time_minutes",
    "satisfaction_score",
    "escalation_flag",
)
_ACCOUNT_COLUMNS = ("account_id", "account_name", "signup_date", "plan_tier", "churn_flag")
_CHURN_COLUMNS = ("account_id", "churn_date")

#: Plan tier to segment: the default of the ``plan_segments`` option.
DEFAULT_PLAN_SEGMENTS: Mapping[str, str] = MappingProxyType(
    {"Enterprise": "high_touch", "Pro": "mid_touch", "Basic": "tech_touch"}
)

_CHURN_RULES = ("flagged", "any_event")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})

# Reasons, kept as constants so that tests and reports count them by the same text.
REASON_NO_TICKET_ID = "ticket has no ticket_id"
REASON_NO_ACCOUNT_ID = "ticket has no account_id"
REASON_BAD_MINUTES = "first response time is not a number of minutes"
REASON_UNPLACED_REPLY = "first response cannot be placed: submitted_at unreadable"
REASON_ACCOUNT_NO_ID = "account has no account_id"
REASON_UNKNOWN_TIER = "plan tier has no segment"


def _plan_segments(value: Mapping[str, str]) -> MappingProxyType[str, str]:
    """A read-only copy of a plan-tier table (a TOML table), checked for empty names."""
    table = {str(tier): str(segment) for tier, segment in dict(value).items()}
    for tier, segment in table.items():
        if not segment.strip():
            raise ValueError(f"plan_segments: plan tier {tier!r} maps to an empty segment name")
    return MappingProxyType(table)


def _check_timezone(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Refuse an unknown zone name when the adapter is built, not when the data is read."""
    parse_timezone(value)


def _flag(raw: str | None) -> bool | None:
    """Read a CSV boolean; ``None`` when it is neither true nor false."""
    text = (raw or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _number(raw: str | None) -> float | None:
    """A non-negative finite number from CSV text, or ``None`` if there is none."""
    try:
        value = float((raw or "").strip())
    except ValueError:
        return None
    if not 0 <= value < float("inf"):
        return None
    return value


def _hours(value: float) -> str:
    """Hours as a person writes them: ``27`` rather than ``27.0``, ``1.5`` kept."""
    return f"{value:g}"


@attrs.frozen
class TicketsAdapter:
    """Read a RavenStack-style SaaS export folder: support tickets and their accounts.

    Parameters
    ----------
    timezone
        The zone the export's naive dates and times were written in. The export says
        nothing; ``"UTC"`` is the default.
    plan_segments
        Plan tier (``plan_tier`` of the accounts file) to segment name. The default maps
        ``Enterprise`` to ``high_touch``, ``Pro`` to ``mid_touch`` and ``Basic`` to
        ``tech_touch``. A TOML table replaces the whole table.
    churned_accounts
        Which accounts get a ``churned_at``: ``"flagged"`` (default) for those whose
        ``churn_flag`` is true, dated by their latest churn event; ``"any_event"`` for every
        account with a churn event, whatever its flag.

    Examples
    --------
    >>> adapter = TicketsAdapter(plan_segments={"Pro": "high_touch", "Basic": "tech_touch"})
    >>> adapter.name, adapter.plan_segments["Pro"]
    ('ravenstack', 'high_touch')
    """

    name: ClassVar[str] = "ravenstack"

    timezone: str = attrs.field(default="UTC", converter=str, validator=_check_timezone)
    plan_segments: MappingProxyType[str, str] = attrs.field(
        default=DEFAULT_PLAN_SEGMENTS, converter=_plan_segments, hash=False
    )
    churned_accounts: str = attrs.field(
        default="flagged", converter=str, validator=attrs.validators.in_(_CHURN_RULES)
    )

    def read(self, source: str | os.PathLike[str]) -> SourceRecords:
        """Return the touchpoints and accounts of the export folder ``source``.

        Nothing is read until the iterators are consumed; the three files must exist.

        Raises
        ------
        FileNotFoundError
            If ``source`` lacks one of the three CSV files.
        """
        folder = Path(source)
        for name in (TICKETS_FILE, ACCOUNTS_FILE, CHURN_FILE):
            if not (folder / name).is_file():
                raise FileNotFoundError(
                    f"{folder / name} not found: a RavenStack export folder holds "
                    f"{TICKETS_FILE}, {ACCOUNTS_FILE} and {CHURN_FILE}"
                )

        return SourceRecords(
            touchpoints=self._touchpoints(folder / TICKETS_FILE),
            accounts=self._accounts(folder / ACCOUNTS_FILE, folder / CHURN_FILE),
        )

    def _instant(self, raw: str) -> dt.datetime | str | None:
        """An aware instant from a naive date or time, the raw text if unreadable, or None."""
        if not raw:
            return None
        try:
            return parse_instant(raw, default_tz=parse_timezone(self.timezone))
        except DataError:
            return raw

    def _touchpoints(self, path: Path) -> Iterator[RawRecord | Rejection]:
        """Stream each ticket as its ticket record and, when answered, its reply record."""
        source = str(path)
        counts: Counter[str] = Counter()

        for row, ticket in csv_rows(path, _TICKET_COLUMNS):
            for item in self._ticket(source, row, ticket):
                counts[item.reason if isinstance(item, Rejection) else "record"] += 1
                yield item

        logger.info("read RavenStack tickets %s: %s", path, dict(counts))

    def _ticket(
        self, source: str, row: int, ticket: dict[str, str]
    ) -> Iterator[RawRecord | Rejection]:
        """The ticket touchpoint of one row and its first response, or the rejections."""
        ticket_id = ticket["ticket_id"]
        account_id = ticket["account_id"]
        if not ticket_id:
            yield Rejection(source, row, "ticket_id", "", "a ticket id", REASON_NO_TICKET_ID)
            return
        if not account_id:
            yield Rejection(
                source, row, "account_id", "", "an account id", REASON_NO_ACCOUNT_ID
            )
            return

        submitted = self._instant(ticket["submitted_at"])
        priority = ticket["priority"]
        yield RawRecord(
            source,
            row,
            {
                "id": ticket_id,
                "account_id": account_id,
                "kind": "support",
                "occurred_at": submitted,
                "status": "completed",
                "channel": "web",
                "direction": "inbound",
                "contact_id": None,
                "in_reply_to": None,
                "trigger": "customer_raised",
                "text": None,
                "quoted_text": None,
                "purpose": f"support ticket, {priority} priority"
                if priority
                else "support ticket",
                "outcome": self._outcome(ticket, submitted),
                "recorded_at": None,
                "csat": _csat(ticket["satisfaction_score"]),
                "attendees": None,
            },
        )

        raw_minutes = ticket["first_response_time_minutes"]
        if not raw_minutes:
            return
        minutes = _number(raw_minutes)
        if minutes is None:
            yield Rejection(
                source,
                row,
                "first_response_time_minutes",
                raw_minutes,
                "a non-negative number of minutes",
                REASON_BAD_MINUTES,
            )
            return
        if not isinstance(submitted, dt.datetime):
            yield Rejection(
                source,
                row,
                "submitted_at",
                ticket["submitted_at"],
                "a date",
                REASON_UNPLACED_REPLY,
            )
            return

        yield RawRecord(
            source,
            row,
            {
                "id": f"{ticket_id}:first-response",
                "account_id": account_id,
                "kind": "support",
                "occurred_at": submitted + dt.timedelta(minutes=minutes),
                "status": "completed",
                "channel": "web",
                "direction": "outbound",
                "contact_id": None,
                "in_reply_to": ticket_id,
                "trigger": "customer_raised",
                "text": None,
                "quoted_text": None,
                "purpose": None,
                "outcome": None,
                "recorded_at": None,
                "csat": None,
                "attendees": None,
            },
        )

    def _outcome(self, ticket: dict[str, str], submitted: dt.datetime | str | None) -> str:
        """What became of a ticket: escalated or not, open or resolved and in how long."""
        escalated = _flag(ticket["escalation_flag"])
        if escalated is None:
            logger.debug(
                "unreadable escalation_flag %r taken as false", ticket["escalation_flag"]
            )
        prefix = "escalated; " if escalated else ""

        closed = self._instant(ticket["closed_at"])
        if closed is None:
            return prefix + "open"
        if not isinstance(closed, dt.datetime):
            return prefix + "resolved, resolution time unknown"
        if isinstance(submitted, dt.datetime) and closed < submitted:
            return prefix + "resolved, resolution time unknown (closed before submitted)"

        hours = _number(ticket["resolution_time_hours"])
        if hours is None and isinstance(submitted, dt.datetime):
            hours = (closed - submitted).total_seconds() / 3600
        if hours is None:
            return prefix + "resolved, resolution time unknown"
        return f"{prefix}resolved in {_hours(hours)} h"

    def _accounts(
        self, accounts_path: Path, churn_path: Path
    ) -> Iterator[RawRecord | Rejection]:
        """Stream the accounts file, dating churn from the churn events."""
        latest_churn = self._latest_churn(churn_path)
        source = str(accounts_path)
        known: set[str] = set()

        for row, account in csv_rows(accounts_path, _ACCOUNT_COLUMNS):
            account_id = account["account_id"]
            tier = account["plan_tier"]
            if not account_id:
                yield Rejection(
                    source, row, "account_id", "", "an account id", REASON_ACCOUNT_NO_ID
                )
                continue
            known.add(account_id)
            if tier not in self.plan_segments:
                yield Rejection(
                    source,
                    row,
                    "plan_tier",
                    tier,
                    "a plan tier named in the plan_segments option "
                    f"({', '.join(sorted(self.plan_segments))})",
                    REASON_UNKNOWN_TIER,
                )
                continue

            yield RawRecord(
                source,
                row,
                {
                    "id": account_id,
                    "segment": self.plan_segments[tier],
                    "name": account["account_name"] or None,
                    "annual_revenue": None,
                    "owner": None,
                    "lifecycle_stage": None,
                    "started_at": self._instant(account["signup_date"]),
                    "renews_at": None,
                    "churned_at": self._churned_at(account, latest_churn),
                },
            )

        strays = set(latest_churn) - known
        if strays:
            logger.warning(
                "%s: churn events of %d accounts not in %s were ignored",
                churn_path,
                len(strays),
                accounts_path,
            )

    def _churned_at(
        self, account: dict[str, str], latest_churn: dict[str, dt.datetime]
    ) -> dt.datetime | None:
        """The account's churn instant under the ``churned_accounts`` rule, or None."""
        latest = latest_churn.get(account["account_id"])
        if self.churned_accounts == "any_event":
            return latest

        flag = _flag(account["churn_flag"])
        if flag is None:
            logger.warning(
                "account %s: unreadable churn_flag %r taken as false",
                account["account_id"],
                account["churn_flag"],
            )
        return latest if flag else None

    def _latest_churn(self, path: Path) -> dict[str, dt.datetime]:
        """The latest readable ``churn_date`` of each account with churn events."""
        latest: dict[str, dt.datetime] = {}
        unreadable = 0

        for _, event in csv_rows(path, _CHURN_COLUMNS):
            moment = self._instant(event["churn_date"])
            if not isinstance(moment, dt.datetime):
                unreadable += 1
                continue
            account_id = event["account_id"]
            if account_id not in latest or moment > latest[account_id]:
                latest[account_id] = moment

        if unreadable:
            logger.warning(
                "%s: %d churn events without a readable churn_date", path, unreadable
            )
        return latest


def _csat(raw: str) -> int | str | None:
    """A satisfaction score as an int (``"4.0"`` gives 4), None if empty, else the raw text."""
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return raw
    return int(value) if value.is_integer() else raw
