"""Appointment systems: one row per booked appointment, attended or missed, with SMS reminders.

The layout is the one of the public "Medical Appointment No Shows" data set (Vitória, Brazil,
2016): a CSV with the patient, the appointment id, when the booking was made
(``ScheduledDay``), the day of the appointment (``AppointmentDay``), whether an SMS reminder was
received (``SMS_received``) and whether the patient stayed away (``No-show`` is ``"Yes"`` for a
missed appointment). A patient is the account; the clinic is the vendor. The shape is that of
any booking system's export (customer, booking time, meeting day, reminder flag, attendance),
which is why a CS team can use it to test attendance signals on real behaviour.

Mapping
-------
Each appointment becomes one touchpoint of the configured ``kind`` (``check_in`` by default)
on the ``in_person`` channel, with trigger ``scheduled`` and direction ``outbound``: a meeting
is neither party speaking to the other, and outbound is read here as "organised by the vendor",
which a booked slot at a clinic is. Its status is ``no_show`` when ``No-show`` is ``"Yes"`` and
``completed`` otherwise. A row with ``SMS_received == 1`` adds a second touchpoint of kind
``automated`` on the ``sms`` channel, with id ``"<AppointmentID>:sms"`` and the same row number.
One account record is derived per patient with the segment given by an option.

Times and the point-in-time contract
------------------------------------
* ``occurred_at`` is midnight at the start of ``AppointmentDay`` in ``timezone``. The column
  holds a date (always ``T00:00:00Z``); the hour of the appointment is not in the data, so
  midnight is a label for the day, not a time of day. For a booking made on the day itself the
  booking instant is therefore later than ``occurred_at``.
* ``recorded_at`` is midnight at the end of ``AppointmentDay`` (the start of the next day) in
  ``timezone``. The record holds the attendance outcome, which is known only once the day is
  over; a signal computed as of an earlier instant must not see it. The booking instant is
  never later than that, since bookings made after the appointment day are rejected, so this
  is also ``max(ScheduledDay, end of AppointmentDay)``.
* The **SMS reminder's time is not in the data**; only the fact that one was received is. The
  adapter assumes it was sent at the start of the day ``sms_days_before`` days before the
  appointment day (2 by default, because in this data set no appointment booked less than 3
  days ahead received one), and never before the booking: if the booking is later, the
  reminder is placed at the booking instant. Signals that read reminder times read this
  assumption. Its ``recorded_at`` is left empty (written when sent).

Quirks and how they are treated
-------------------------------
* **``ScheduledDay`` carries a ``Z`` (UTC) marker, but its hours are local clinic time.** The
  bookings run from 06:00 to 21:00 with a peak at 07:00-08:00 and a lunch dip at 12:00 when
  read as written; read as UTC they would peak at 04:00 in Vitória (UTC-3). By default the
  marker is ignored and the wall-clock reading is taken in ``timezone``; ``trust_utc_marker``
  restores the literal reading. Explicit numeric offsets are always honoured.
* **Bookings dated after their appointment day** (5 rows). A booking cannot follow the day it
  books; the row is rejected with field ``ScheduledDay`` and the reason "booked after the
  appointment day". The dates are compared in ``timezone``.
* **Patient ids written in scientific notation** (5 rows, e.g. ``9377952927E-5``). The
  original export held a few non-integer patient ids (``93779.52927``) and a spreadsheet
  rewrote them. Ids are read as exact decimals: integers and integral floats (``"123.0"``)
  become plain digits, fractional ids keep their exact plain-decimal spelling
  (``"93779.52927"``). A positive exponent (``9.3779e+13``) means digits were rounded away and
  different patients may now share an id; such rows are rejected with the reason "patient id
  rounded by a float export". None occur in this file.
* **A negative age** (1 row, ``-1``). Age is not read, so the row is kept unchanged.
* **Duplicate ``AppointmentID``**: later rows are rejected ("duplicate appointment id"); none
  occur in this file.
* **Several appointments of one patient on one day** (7,481 patient-days) are kept as separate
  touchpoints: they have distinct appointment ids, and the data does not say whether they were
  one visit.
* **Malformed rows**: a row with a different number of fields than the header, an empty id,
  an unreadable date, or a ``No-show`` or ``SMS_received`` value other than ``Yes``/``No`` and
  ``0``/``1`` is rejected with a reason naming the source column. Blank lines are not
  records: they are skipped and do not count in ``row``.

The columns ``Gender``, ``Age``, ``Neighbourhood``, ``Scholarship``, ``Hipertension``,
``Diabetes``, ``Alcoholism`` and ``Handcap`` are personal attributes with no place in a
touchpoint or an account and are not read.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import ClassVar

import attrs
from dateutil import parser as dateutil_parser

from touchpoint_signals.errors import DataError
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import SourceRecords
from touchpoint_signals.timeparse import parse_instant, parse_timezone

__all__ = ["AppointmentsAdapter"]

logger = logging.getLogger(__name__)

_PATIENT = "PatientId"
_APPOINTMENT = "AppointmentID"
_BOOKED = "ScheduledDay"
_DAY = "AppointmentDay"
_SMS = "SMS_received"
_NO_SHOW = "No-show"
_COLUMNS = (_PATIENT, _APPOINTMENT, _BOOKED, _DAY, _SMS, _NO_SHOW)

_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise DataError(f"{type(instance).__name__}.{attribute.name} must not be empty")


def _known_zone(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    parse_timezone(value)


def _not_negative(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise DataError(f"{type(instance).__name__}.{attribute.name} must be >= 0, got {value}")


def _read_id(text: str) -> tuple[str | None, str]:
    """An id as exact text, or ``None`` and the reason it cannot be trusted.

    Numbers are read as exact decimals: ``"123"`` and ``"123.0"`` give ``"123"``,
    ``"9377952927E-5"`` gives ``"93779.52927"``; anything else that is not empty is kept as an
    opaque id.
    """
    value = text.strip()
    if not value:
        return None, "empty"

    if value.isascii() and value.isdigit():
        return value, ""

    try:
        number = Decimal(value)
    except InvalidOperation:
        return value, ""

    if not number.is_finite():
        return value, ""

    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return None, "rounded by a float export"

    if number == number.to_integral_value():
        return str(int(number)), ""

    return format(number, "f"), ""


@attrs.frozen
class AppointmentsAdapter:
    """Read an appointment export (the no-show data set's layout) as touchpoints and accounts.

    Parameters
    ----------
    kind
        Kind of the appointment touchpoints; a meeting kind, ``"check_in"`` by default.
    segment
        Segment of every patient account; ``"tech_touch"`` by default, as patients of a public
        clinic are served by one process, not by a named person.
    timezone
        IANA zone the file's dates and booking times were written in. The data comes from
        Vitória (Espírito Santo, Brazil), which keeps São Paulo time, hence
        ``"America/Sao_Paulo"``.
    trust_utc_marker
        Read a ``ScheduledDay`` ending in ``Z`` as UTC. Off by default, because the hours of
        this file follow the clinic's local day (see the module docstring).
    sms_days_before
        Assumed days between an SMS reminder and the appointment day; the data does not give
        the time of the reminder.
    encoding
        Text encoding of the file.

    Examples
    --------
    >>> adapter = AppointmentsAdapter(sms_days_before=1)
    >>> adapter.name, adapter.timezone, adapter.kind
    ('appointments', 'America/Sao_Paulo', 'check_in')
    """

    name: ClassVar[str] = "appointments"

    kind: str = attrs.field(default="check_in", converter=str, validator=_non_empty)
    segment: str = attrs.field(default="tech_touch", converter=str, validator=_non_empty)
    timezone: str = attrs.field(
        default="America/Sao_Paulo", converter=str, validator=_known_zone
    )
    trust_utc_marker: bool = attrs.field(default=False, converter=bool)
    sms_days_before: int = attrs.field(default=2, converter=int, validator=_not_negative)
    encoding: str = attrs.field(default="utf-8", converter=str, validator=_non_empty)

    def read(self, source: str | os.PathLike[str]) -> SourceRecords:
        """Return lazy touchpoint and account records of the appointment file ``source``.

        The accounts are the patients of the accepted appointments. When the touchpoints have
        been read to the end first (as the loader does), the accounts come from what they saw;
        otherwise the accounts make their own pass over the file.
        """
        path = os.fspath(source)
        patients: list[dict[str, int]] = []
        return SourceRecords(
            touchpoints=self._touchpoints(path, patients),
            accounts=self._accounts(path, patients),
        )

    def _touchpoints(
        self, path: str, patients_out: list[dict[str, int]]
    ) -> Iterator[RawRecord | Rejection]:
        """Stream the records of every row; at the end, hand the patients seen to the caller."""
        zone = parse_timezone(self.timezone)
        days: dict[dt.date, tuple[dt.datetime, dt.datetime]] = {}
        patients: dict[str, int] = {}
        appointments: set[str] = set()
        tally: Counter[str] = Counter()

        with open(path, encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                patients_out.append(patients)
                return
            at = self._positions(path, header)
            width = len(header)

            row = 0
            for fields in reader:
                if not fields:
                    continue
                row += 1

                if len(fields) != width:
                    tally["rejected"] += 1
                    yield Rejection(
                        path,
                        row,
                        None,
                        fields,
                        f"{width} fields as in the header",
                        f"row has {len(fields)} fields",
                    )
                    continue

                result = self._row(path, row, [fields[i] for i in at], zone, days, appointments)
                if isinstance(result, Rejection):
                    tally["rejected"] += 1
                    yield result
                    continue

                for record in result:
                    tally[str(record.values["kind"])] += 1
                    yield record
                patients.setdefault(str(result[0].values["account_id"]), row)

        logger.info("%s: %s; %d patients", path, dict(sorted(tally.items())), len(patients))
        patients_out.append(patients)

    def _positions(self, path: str, header: list[str]) -> list[int]:
        """Positions of the columns the adapter reads, or raise naming the missing one."""
        missing = [column for column in _COLUMNS if column not in header]
        if missing:
            raise DataError(
                f"{path}: the header has no column {missing[0]!r}; it has {header!r}. The "
                f"appointments format needs {', '.join(_COLUMNS)}"
            )

        return [header.index(column) for column in _COLUMNS]

    def _row(
        self,
        path: str,
        row: int,
        fields: list[str],
        zone: dt.tzinfo,
        days: dict[dt.date, tuple[dt.datetime, dt.datetime]],
        appointments: set[str],
    ) -> list[RawRecord] | Rejection:
        """The touchpoint records of one row (appointment, then reminder), or its rejection."""
        raw_patient, raw_appointment, raw_booked, raw_day, raw_sms, raw_no_show = fields

        patient, problem = _read_id(raw_patient)
        if patient is None:
            return Rejection(
                path, row, _PATIENT, raw_patient, "a patient id", f"patient id {problem}"
            )

        appointment, problem = _read_id(raw_appointment)
        if appointment is None:
            return Rejection(
                path,
                row,
                _APPOINTMENT,
                raw_appointment,
                "an appointment id",
                f"appointment id {problem}",
            )
        if appointment in appointments:
            return Rejection(
                path,
                row,
                _APPOINTMENT,
                raw_appointment,
                "an id not used by an earlier row",
                "duplicate appointment id",
            )

        day = _read_date(raw_day)
        if day is None:
            return Rejection(path, row, _DAY, raw_day, "a date", "unreadable date")

        booked = self._read_booking(raw_booked)
        if booked is None:
            return Rejection(
                path, row, _BOOKED, raw_booked, "a date-time", "unreadable date-time"
            )
        if _local_date(booked, zone) > day:
            return Rejection(
                path,
                row,
                _BOOKED,
                raw_booked,
                f"a booking on or before {day.isoformat()}",
                "booked after the appointment day",
            )

        no_show = raw_no_show.strip().lower()
        if no_show not in _YES and no_show not in _NO:
            return Rejection(path, row, _NO_SHOW, raw_no_show, "Yes or No", "not Yes or No")

        sms = raw_sms.strip().lower()
        if sms not in _YES and sms not in _NO:
            return Rejection(path, row, _SMS, raw_sms, "0 or 1", "not 0 or 1")

        appointments.add(appointment)
        start, end = _day_bounds(day, zone, days)
        records = [
            RawRecord(
                path,
                row,
                self._values(
                    appointment,
                    patient,
                    self.kind,
                    start,
                    end,
                    "in_person",
                    "no_show" if no_show in _YES else "completed",
                    None,
                ),
            )
        ]

        if sms in _YES:
            reminder_day = day - dt.timedelta(days=self.sms_days_before)
            sent, _ = _day_bounds(reminder_day, zone, days)
            if _local_date(booked, zone) >= reminder_day:
                sent = max(sent, parse_instant(booked, default_tz=zone))
            records.append(
                RawRecord(
                    path,
                    row,
                    self._values(
                        f"{appointment}:sms",
                        patient,
                        "automated",
                        sent,
                        None,
                        "sms",
                        "completed",
                        "appointment reminder",
                    ),
                )
            )

        return records

    def _read_booking(self, raw: str) -> dt.datetime | None:
        """The booking time as written: aware if it has an offset (or a trusted ``Z``), else
        the naive wall-clock reading in ``timezone``; ``None`` if it cannot be read.

        Placing a naive reading in the zone costs far more than parsing it, and only a
        reminder booked late needs the exact instant, so the zone is applied by the caller
        when needed.
        """
        text = raw.strip()
        if not self.trust_utc_marker and text.endswith(("Z", "z")):
            text = text[:-1]

        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass

        try:
            return dateutil_parser.parse(text)
        except (ValueError, OverflowError):
            return None

    def _values(
        self,
        touchpoint_id: str,
        patient: str,
        kind: str,
        occurred_at: dt.datetime,
        recorded_at: dt.datetime | None,
        channel: str,
        status: str,
        purpose: str | None,
    ) -> dict[str, object]:
        """The canonical fields of one touchpoint; everything the data lacks is ``None``."""
        return {
            "id": touchpoint_id,
            "account_id": patient,
            "kind": kind,
            "occurred_at": occurred_at,
            "status": status,
            "channel": channel,
            "direction": "outbound",
            "contact_id": None,
            "in_reply_to": None,
            "trigger": "scheduled",
            "text": None,
            "quoted_text": None,
            "purpose": purpose,
            "outcome": None,
            "recorded_at": recorded_at,
            "csat": None,
            "attendees": None,
        }

    def _accounts(
        self, path: str, patients: list[dict[str, int]]
    ) -> Iterator[RawRecord | Rejection]:
        """One account per patient, at the row of the patient's first accepted appointment."""
        if not patients:
            for _ in self._touchpoints(path, patients):
                pass

        for patient, row in patients[0].items():
            yield RawRecord(
                path,
                row,
                {
                    "id": patient,
                    "segment": self.segment,
                    "name": None,
                    "annual_revenue": None,
                    "owner": None,
                    "lifecycle_stage": None,
                    "started_at": None,
                    "renews_at": None,
                    "churned_at": None,
                },
            )


def _read_date(raw: str) -> dt.date | None:
    """The calendar date of ``raw`` (``2016-04-29T00:00:00Z``, ``2016-04-29``) or ``None``."""
    try:
        return dt.datetime.fromisoformat(raw.strip()).date()
    except ValueError:
        return None


def _local_date(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The calendar date of ``moment`` in ``zone``; a naive reading is already local."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()


def _day_bounds(
    day: dt.date, zone: dt.tzinfo, cache: dict[dt.date, tuple[dt.datetime, dt.datetime]]
) -> tuple[dt.datetime, dt.datetime]:
    """Midnight at the start and at the end of ``day`` in ``zone``, as UTC instants."""
    bounds = cache.get(day)
    if bounds is None:
        start = parse_instant(day, default_tz=zone)
        end = parse_instant(day + dt.timedelta(days=1), default_tz=zone)
        bounds = cache[day] = (start, end)
    return bounds
