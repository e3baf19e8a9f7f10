"""Adapter for a CRM sales-pipeline export: the Maven Analytics "CRM + Sales" layout.

The source is a folder of CSV files (comma-separated, header row, CRLF line endings) as the
Maven Analytics Data Playground ships them. Two are read: ``sales_pipeline.csv`` (one row per
opportunity) and ``accounts.csv`` (one row per customer company). Both are streamed with
:mod:`csv`.

An approximation, stated plainly
--------------------------------
A sales pipeline is **pre-sale**: its companies are prospects being sold to, not customers
being served, and a lost deal is not a churned customer. The library's schema is about
customer success after the sale. This adapter maps the pipeline onto that schema anyway, as
a stand-in to exercise the schema, the loader and the signals on a realistic B2B shape
(many dated, agent-led touches per company, each with a won/lost result). Health scores
computed from it do not measure customer health.

Mapping
-------
Each opportunity that names an account gives:

* an **outreach** touchpoint at ``engage_date``: ``id`` the ``opportunity_id``,
  ``kind="outreach"``, outbound, ``trigger="scheduled"``, ``contact_id`` the
  ``sales_agent`` (the vendor person), ``purpose`` the ``product``;
* when the deal is closed (``deal_stage`` ``Won`` or ``Lost`` with a ``close_date``), a
  **renewal** touchpoint at ``close_date``: ``id`` ``"<opportunity_id>:close"``,
  ``kind="renewal"``, outbound, ``trigger="scheduled"``, the same contact and purpose,
  ``outcome`` ``"won"`` or ``"lost"``, ``in_reply_to=None`` (a close answers nothing the
  customer said).

Both are ``status="completed"`` and ``channel="other"`` (the export does not say how the
agent reached the company), and carry the opportunity row's number.

Accounts come from ``accounts.csv``: ``id`` and ``name`` the ``account`` (the pipeline names
accounts by company name), ``segment`` from ``employees`` by two thresholds (options
``high_touch_min_employees`` = 5,000 and ``mid_touch_min_employees`` = 1,000: 27, 40 and 18
of the 85 companies), ``annual_revenue`` ``revenue`` (millions of USD) times 1,000,000.
``owner``, ``lifecycle_stage``, ``started_at``, ``renews_at`` and ``churned_at`` are ``None``:
``year_established`` is when the company was founded, not when it became a customer, and the
data has no churn labels.

Quirks and how they are treated
-------------------------------
* 1,425 opportunities have an empty ``account`` (all of them Prospecting or Engaging). Each
  is **rejected** ("opportunity has no account").
* 163 Prospecting opportunities name an account but have no ``engage_date``: nobody has
  engaged yet, so there is no touchpoint to date. Each is **rejected** ("opportunity has no
  engage_date").
* A ``Won`` or ``Lost`` opportunity without a ``close_date`` keeps its outreach touchpoint;
  the missing close is **rejected** ("closed opportunity has no close_date"). There are none
  in the data. A ``close_date`` on an opportunity of another stage is ignored (logged).
  Stages are compared case-insensitively.
* An opportunity of an account that ``accounts.csv`` does not hold is passed through; the
  loader reports the unknown account. There are none in the data.
* Dates are naive and date-only: they are taken as midnight in the ``timezone`` option
  (default ``"UTC"``). An unreadable date is passed through raw so that the loader rejects
  it, naming the field.
* ``sector`` has the typo ``"technolgy"`` (12 accounts); ``sector`` is not mapped, so the
  typo is left alone.
* ``product`` is written ``"GTXPro"`` in the pipeline (1,480 rows) but ``"GTX Pro"`` in
  ``products.csv``. ``purpose`` is free text and keeps the pipeline's spelling.
* ``close_value`` (0 for every lost deal), ``subsidiary_of`` and ``office_location`` have no
  canonical field and are not mapped; ``sales_teams.csv`` and ``products.csv`` are not read.
* An account whose ``employees`` is not a whole number cannot be segmented: it is
  **rejected** ("employees is not a whole number"). An unreadable ``revenue`` is passed
  through raw for the loader to reject; an empty one gives ``annual_revenue=None``. An
  account with an empty name is **rejected** ("account has no name"); an opportunity with an
  empty ``opportunity_id`` is **rejected** ("opportunity has no opportunity_id").
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar

import attrs

from touchpoint_signals.errors import DataError
from touchpoint_signals.ingest.readers import csv_rows
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import SourceRecords
from touchpoint_signals.timeparse import parse_instant, parse_timezone

__all__ = ["CrmPipelineAdapter"]

logger = logging.getLogger(__name__)

PIPELINE_FILE = "sales_pipeline.csv"
ACCOUNTS_FILE = "accounts.csv"

_PIPELINE_COLUMNS = (
    "opportunity_id",
    "sales_agent",
    "product",
    "account",
    "deal_stage",
    "engage_date",
    "close_date",
)
_ACCOUNT_COLUMNS = ("account", "revenue", "employees")
_CLOSED_STAGES = {"won": "won", "lost": "lost"}
_MILLION = Decimal(1_000_000)

# Reasons, kept as constants so that tests and reports count them by the same text.
REASON_NO_ID = "opportunity has no opportunity_id"
REASON_NO_ACCOUNT = "opportunity has no account"
REASON_NO_ENGAGE_DATE = "opportunity has no engage_date"
REASON_NO_CLOSE_DATE = "closed opportunity has no close_date"
REASON_ACCOUNT_NO_NAME = "account has no name"
REASON_BAD_EMPLOYEES = "employees is not a whole number"


def _check_timezone(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Refuse an unknown zone name when the adapter is built, not when the data is read."""
    parse_timezone(value)


def _check_threshold(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    """Thresholds are head counts: not negative."""
    if value < 0:
        raise ValueError(f"{attribute.name} must be 0 or more, got {value}")


@attrs.frozen
class CrmPipelineAdapter:
    """Read a Maven-style CRM export folder: opportunities as outreach and closes.

    The mapping is an approximation (a pipeline is pre-sale); see the module docstring.

    Parameters
    ----------
    timezone
        The zone the export's dates were written in; dates are taken as midnight there.
    high_touch_min_employees
        Companies with at least this many employees are ``high_touch``.
    mid_touch_min_employees
        Companies with at least this many employees (and fewer than the high-touch
        threshold) are ``mid_touch``; smaller ones are ``tech_touch``.

    Examples
    --------
    >>> adapter = CrmPipelineAdapter()
    >>> [adapter.segment_for(n) for n in (999, 1_000, 5_000)]
    ['tech_touch', 'mid_touch', 'high_touch']
    """

    name: ClassVar[str] = "crm_pipeline"

    timezone: str = attrs.field(default="UTC", converter=str, validator=_check_timezone)
    high_touch_min_employees: int = attrs.field(
        default=5_000, converter=int, validator=_check_threshold
    )
    mid_touch_min_employees: int = attrs.field(
        default=1_000, converter=int, validator=_check_threshold
    )

    def __attrs_post_init__(self) -> None:
        if self.mid_touch_min_employees > self.high_touch_min_employees:
            raise ValueError(
                f"mid_touch_min_employees ({self.mid_touch_min_employees}) must not exceed "
                f"high_touch_min_employees ({self.high_touch_min_employees})"
            )

    def segment_for(self, employees: int) -> str:
        """The segment of a company with ``employees`` people, by the two thresholds."""
        if employees >= self.high_touch_min_employees:
            return "high_touch"
        if employees >= self.mid_touch_min_employees:
            return "mid_touch"
        return "tech_touch"

    def read(self, source: str | os.PathLike[str]) -> SourceRecords:
        """Return the touchpoints and accounts of the export folder ``source``.

        Nothing is read until the iterators are consumed; both files must exist.

        Raises
        ------
        FileNotFoundError
            If ``source`` lacks ``sales_pipeline.csv`` or ``accounts.csv``.
        """
        folder = Path(source)
        for name in (PIPELINE_FILE, ACCOUNTS_FILE):
            if not (folder / name).is_file():
                raise FileNotFoundError(
                    f"{folder / name} not found: a Maven CRM export folder holds "
                    f"{PIPELINE_FILE} and {ACCOUNTS_FILE}"
                )

        return SourceRecords(
            touchpoints=self._touchpoints(folder / PIPELINE_FILE),
            accounts=self._accounts(folder / ACCOUNTS_FILE),
        )

    def _instant(self, raw: str) -> dt.datetime | str:
        """An aware midnight from a naive date, or the raw text if it cannot be read."""
        try:
            return parse_instant(raw, default_tz=parse_timezone(self.timezone))
        except DataError:
            return raw

    def _touchpoints(self, path: Path) -> Iterator[RawRecord | Rejection]:
        """Stream each opportunity as its outreach and, when closed, its close."""
        source = str(path)
        counts: Counter[str] = Counter()

        for row, deal in csv_rows(path, _PIPELINE_COLUMNS):
            for item in self._opportunity(source, row, deal):
                counts[item.reason if isinstance(item, Rejection) else "record"] += 1
                yield item

        logger.info("read CRM pipeline %s: %s", path, dict(counts))

    def _opportunity(
        self, source: str, row: int, deal: dict[str, str]
    ) -> Iterator[RawRecord | Rejection]:
        """The outreach and close touchpoints of one opportunity, or the rejections."""
        deal_id = deal["opportunity_id"]
        if not deal_id:
            yield Rejection(
                source, row, "opportunity_id", "", "an opportunity id", REASON_NO_ID
            )
            return
        if not deal["account"]:
            yield Rejection(source, row, "account", "", "a company name", REASON_NO_ACCOUNT)
            return

        if deal["engage_date"]:
            yield RawRecord(
                source,
                row,
                self._values(deal, deal_id, "outreach", deal["engage_date"], outcome=None),
            )
        else:
            yield Rejection(
                source, row, "engage_date", "", "the date engaging began", REASON_NO_ENGAGE_DATE
            )

        outcome = _CLOSED_STAGES.get(deal["deal_stage"].lower())
        if outcome is None:
            if deal["close_date"]:
                logger.debug("%s: close_date of a %s deal ignored", deal_id, deal["deal_stage"])
            return
        if not deal["close_date"]:
            yield Rejection(
                source, row, "close_date", "", "the date the deal closed", REASON_NO_CLOSE_DATE
            )
            return

        yield RawRecord(
            source,
            row,
            self._values(
                deal, f"{deal_id}:close", "renewal", deal["close_date"], outcome=outcome
            ),
        )

    def _values(
        self,
        deal: dict[str, str],
        touchpoint_id: str,
        kind: str,
        date: str,
        outcome: str | None,
    ) -> dict[str, object]:
        """The canonical values of an outreach or close touchpoint of one opportunity."""
        return {
            "id": touchpoint_id,
            "account_id": deal["account"],
            "kind": kind,
            "occurred_at": self._instant(date),
            "status": "completed",
            "channel": "other",
            "direction": "outbound",
            "contact_id": deal["sales_agent"] or None,
            "in_reply_to": None,
            "trigger": "scheduled",
            "text": None,
            "quoted_text": None,
            "purpose": deal["product"] or None,
            "outcome": outcome,
            "recorded_at": None,
            "csat": None,
            "attendees": None,
        }

    def _accounts(self, path: Path) -> Iterator[RawRecord | Rejection]:
        """Stream the companies of ``accounts.csv`` as accounts."""
        source = str(path)

        for row, company in csv_rows(path, _ACCOUNT_COLUMNS):
            name = company["account"]
            if not name:
                yield Rejection(
                    source, row, "account", "", "a company name", REASON_ACCOUNT_NO_NAME
                )
                continue
            try:
                employees = int(company["employees"])
            except ValueError:
                yield Rejection(
                    source,
                    row,
                    "employees",
                    company["employees"],
                    "a whole number of employees",
                    REASON_BAD_EMPLOYEES,
                )
                continue

            yield RawRecord(
                source,
                row,
                {
                    "id": name,
                    "segment": self.segment_for(employees),
                    "name": name,
                    "annual_revenue": _revenue(company["revenue"]),
                    "owner": None,
                    "lifecycle_stage": None,
                    "started_at": None,
                    "renews_at": None,
                    "churned_at": None,
                },
            )


def _revenue(raw: str) -> float | str | None:
    """Revenue in USD from millions of USD (``"1100.04"`` gives 1,100,040,000.0).

    Decimal arithmetic keeps the cents exact before the one rounding to float. An empty value
    gives ``None``; an unreadable one is returned raw for the loader to reject.
    """
    if not raw:
        return None
    try:
        millions = Decimal(raw)
    except InvalidOperation:
        return raw
    if not millions.is_finite():
        return raw
    return float(millions * _MILLION)
