"""Tests of the appointments adapter on the no-show data set and on hand-made fixtures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import DataError, UnknownNameError
from touchpoint_signals.ingest.appointments import AppointmentsAdapter
from touchpoint_signals.ingest.records import RawRecord, Rejection

HEADER = (
    "PatientId,AppointmentID,Gender,ScheduledDay,AppointmentDay,Age,Neighbourhood,Scholarship,"
    "Hipertension,Diabetes,Alcoholism,Handcap,SMS_received,No-show\n"
)
UTC = dt.UTC
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def _row(
    patient: str = "111",
    appointment: str = "5000001",
    booked: str = "2016-04-26T08:44:12Z",
    day: str = "2016-04-29T00:00:00Z",
    sms: str = "0",
    no_show: str = "No",
    age: str = "30",
) -> str:
    return f"{patient},{appointment},F,{booked},{day},{age},CENTRO,0,0,0,0,0,{sms},{no_show}\n"


def _write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "appointments.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def _read(
    path: Path, adapter: AppointmentsAdapter | None = None
) -> tuple[list[RawRecord], list[Rejection], list[RawRecord]]:
    records = (adapter or AppointmentsAdapter()).read(path)
    touchpoints = list(records.touchpoints)
    accounts = [a for a in records.accounts if isinstance(a, RawRecord)]
    kept = [r for r in touchpoints if isinstance(r, RawRecord)]
    refused = [r for r in touchpoints if isinstance(r, Rejection)]
    assert len(kept) + len(refused) == len(touchpoints)
    return kept, refused, accounts


# --- the public no-show data set ---


@pytest.fixture(scope="module")
def noshow(shared_data: Path) -> tuple[list[RawRecord], list[Rejection], list[RawRecord]]:
    return _read(shared_data / "noshow_appointments" / "KaggleV2-May-2016.csv")


@pytest.mark.realdata
def test_noshow_counts(
    noshow: tuple[list[RawRecord], list[Rejection], list[RawRecord]],
) -> None:
    # Checked by hand with csv.DictReader: 110,527 rows; the 5 rows whose ScheduledDay date is
    # after AppointmentDay are all no-shows without SMS, so 22,319 - 5 = 22,314 no-shows and
    # 35,482 SMS remain; their patients all have other appointments (62,299 patients).
    kept, refused, accounts = noshow

    assert len(kept) == 146_004
    assert Counter(r.reason for r in refused) == {"booked after the appointment day": 5}
    assert sorted((r.row, r.field, r.value) for r in refused) == [
        (27034, "ScheduledDay", "2016-05-10T10:51:53Z"),
        (55227, "ScheduledDay", "2016-05-18T14:50:41Z"),
        (64176, "ScheduledDay", "2016-05-05T13:43:58Z"),
        (71534, "ScheduledDay", "2016-05-11T13:49:20Z"),
        (72363, "ScheduledDay", "2016-05-04T06:50:57Z"),
    ]

    assert Counter((r.values["kind"], r.values["status"]) for r in kept) == {
        ("check_in", "completed"): 88_208,
        ("check_in", "no_show"): 22_314,
        ("automated", "completed"): 35_482,
    }
    assert Counter(r.values["channel"] for r in kept) == {"in_person": 110_522, "sms": 35_482}
    assert {r.values["direction"] for r in kept} == {"outbound"}
    assert {r.values["trigger"] for r in kept} == {"scheduled"}
    assert {r.values["in_reply_to"] for r in kept} == {None}
    assert len({r.values["id"] for r in kept}) == len(kept)

    assert len(accounts) == 62_299
    assert {a.values["segment"] for a in accounts} == {"tech_touch"}
    assert {a.values["id"] for a in accounts} == {r.values["account_id"] for r in kept}


@pytest.mark.realdata
def test_noshow_records_field_by_field(
    noshow: tuple[list[RawRecord], list[Rejection], list[RawRecord]],
) -> None:
    # Compared by hand with lines 2, 13, 3952 and 99834 of the file (row = line - 1).
    kept, _, accounts = noshow
    ids = {str(r.values["id"]): r for r in kept}

    # 29872499824296,5642903,F,2016-04-29T18:38:08Z,2016-04-29T00:00:00Z,62,...,0,No
    first = ids["5642903"]
    assert first.row == 1
    assert first.values == {
        "id": "5642903",
        "account_id": "29872499824296",
        "kind": "check_in",
        "occurred_at": dt.datetime(2016, 4, 29, 3, 0, tzinfo=UTC),
        "status": "completed",
        "channel": "in_person",
        "direction": "outbound",
        "contact_id": None,
        "in_reply_to": None,
        "trigger": "scheduled",
        "text": None,
        "quoted_text": None,
        "purpose": None,
        "outcome": None,
        "recorded_at": dt.datetime(2016, 4, 30, 3, 0, tzinfo=UTC),
        "csat": None,
        "attendees": None,
    }

    # 7542951368435,5620163,M,2016-04-26T08:44:12Z,2016-04-29T00:00:00Z,29,...,1,Yes
    missed, reminder = ids["5620163"], ids["5620163:sms"]
    assert (missed.row, reminder.row) == (12, 12)
    assert missed.values["status"] == "no_show"
    assert missed.values["account_id"] == reminder.values["account_id"] == "7542951368435"
    assert reminder.values["kind"] == "automated"
    assert reminder.values["channel"] == "sms"
    assert reminder.values["purpose"] == "appointment reminder"
    assert reminder.values["occurred_at"] == dt.datetime(2016, 4, 27, 3, 0, tzinfo=UTC)
    assert reminder.values["recorded_at"] is None

    # 9377952927E-5,5712759,F,...: the id is read as the exact decimal 93779.52927.
    assert (ids["5712759"].row, ids["5712759"].values["account_id"]) == (3951, "93779.52927")
    assert "93779.52927" in {a.values["id"] for a in accounts}

    # 465943158731293,5775010,F,2016-06-06T08:58:13Z,2016-06-06T00:00:00Z,-1,...: negative age,
    # kept because age is not read.
    assert ids["5775010"].row == 99833


# --- hand-made fixtures, one per quirk ---


def test_booking_after_the_appointment_day_is_rejected(tmp_path: Path) -> None:
    # Hand-made: booked on 2016-05-10 for 2016-05-09, as in five rows of the real file.
    path = _write(tmp_path, _row(booked="2016-05-10T10:51:53Z", day="2016-05-09T00:00:00Z"))

    kept, refused, accounts = _read(path)

    assert (kept, accounts) == ([], [])
    assert [(r.row, r.field, r.expected, r.reason) for r in refused] == [
        (
            1,
            "ScheduledDay",
            "a booking on or before 2016-05-09",
            "booked after the appointment day",
        )
    ]


def test_utc_marker_is_read_as_local_time_unless_trusted(tmp_path: Path) -> None:
    # Hand-made: 01:00Z on the 30th is 22:00 on the 29th in Sao Paulo (UTC-3).
    path = _write(tmp_path, _row(booked="2016-04-30T01:00:00Z", day="2016-04-29T00:00:00Z"))

    _, local, _ = _read(path)
    kept, trusted, _ = _read(path, AppointmentsAdapter(trust_utc_marker=True))

    assert [r.reason for r in local] == ["booked after the appointment day"]
    assert trusted == []
    assert [r.values["id"] for r in kept] == ["5000001"]


def test_patient_ids_in_float_notation(tmp_path: Path) -> None:
    # Hand-made: a fractional id in scientific notation, an integral float, and a rounded id.
    path = _write(
        tmp_path,
        _row(patient="9377952927E-5", appointment="1"),
        _row(patient="29872499824296.0", appointment="2"),
        _row(patient="29872499824296", appointment="3"),
        _row(patient="9.3779e+13", appointment="4"),
    )

    kept, refused, accounts = _read(path)

    assert [r.values["account_id"] for r in kept] == [
        "93779.52927",
        "29872499824296",
        "29872499824296",
    ]
    assert [a.values["id"] for a in accounts] == ["93779.52927", "29872499824296"]
    assert [a.row for a in accounts] == [1, 2]
    assert [(r.row, r.field, r.reason) for r in refused] == [
        (4, "PatientId", "patient id rounded by a float export")
    ]


def test_negative_age_is_kept(tmp_path: Path) -> None:
    # Hand-made: age -1, as in one row of the real file.
    kept, refused, _ = _read(_write(tmp_path, _row(age="-1")))

    assert refused == []
    assert len(kept) == 1


def test_duplicate_appointment_ids_are_rejected(tmp_path: Path) -> None:
    # Hand-made: the same appointment twice; the first row keeps the id.
    path = _write(tmp_path, _row(), _row(patient="222", no_show="Yes"))

    kept, refused, accounts = _read(path)

    assert [(r.row, r.values["account_id"]) for r in kept] == [(1, "111")]
    assert [(r.row, r.field, r.reason) for r in refused] == [
        (2, "AppointmentID", "duplicate appointment id")
    ]
    assert [a.values["id"] for a in accounts] == ["111"]


def test_sms_reminder_placement(tmp_path: Path) -> None:
    # Hand-made: a reminder for a booking 3 days ahead goes two days before the appointment at
    # local midnight; one booked the day before goes at the booking instant.
    path = _write(
        tmp_path,
        _row(appointment="1", booked="2016-04-26T08:44:12Z", sms="1"),
        _row(appointment="2", booked="2016-04-28T15:30:00Z", sms="1"),
    )

    kept, _, _ = _read(path)
    reminders = {r.values["id"]: r.values["occurred_at"] for r in kept}

    assert reminders["1:sms"] == dt.datetime(2016, 4, 27, 3, 0, tzinfo=UTC)
    assert reminders["2:sms"] == dt.datetime(2016, 4, 28, 18, 30, tzinfo=UTC)
    assert [r.values["kind"] for r in kept] == ["check_in", "automated"] * 2

    same_day, _, _ = _read(path, AppointmentsAdapter(sms_days_before=0))
    assert same_day[1].values["occurred_at"] == dt.datetime(2016, 4, 29, 3, 0, tzinfo=UTC)


def test_options_zone_kind_segment(tmp_path: Path) -> None:
    # Hand-made: the same row read as UTC, as a QBR, for a mid-touch segment.
    adapter = AppointmentsAdapter(timezone="UTC", kind="qbr", segment="mid_touch")

    kept, _, accounts = _read(_write(tmp_path, _row(no_show="Yes")), adapter)

    assert kept[0].values["kind"] == "qbr"
    assert kept[0].values["status"] == "no_show"
    assert kept[0].values["occurred_at"] == dt.datetime(2016, 4, 29, tzinfo=UTC)
    assert kept[0].values["recorded_at"] == dt.datetime(2016, 4, 30, tzinfo=UTC)
    assert accounts[0].values["segment"] == "mid_touch"


def test_bad_options_are_refused() -> None:
    with pytest.raises(UnknownNameError, match="Mars/Olympus"):
        AppointmentsAdapter(timezone="Mars/Olympus")
    with pytest.raises(DataError, match="sms_days_before must be >= 0"):
        AppointmentsAdapter(sms_days_before=-1)


def test_malformed_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    # Hand-made: one unusable value per row.
    path = _write(
        tmp_path,
        _row(appointment="1", day="someday"),
        _row(appointment="2", booked="yesterday-ish"),
        _row(appointment="3", no_show="Maybe"),
        _row(appointment="4", sms="2"),
        _row(appointment="5", patient=""),
        _row(appointment=""),
        "111,7,F,2016-04-26T08:44:12Z\n",
    )

    kept, refused, _ = _read(path)

    assert kept == []
    assert [(r.row, r.field, r.reason) for r in refused] == [
        (1, "AppointmentDay", "unreadable date"),
        (2, "ScheduledDay", "unreadable date-time"),
        (3, "No-show", "not Yes or No"),
        (4, "SMS_received", "not 0 or 1"),
        (5, "PatientId", "patient id empty"),
        (6, "AppointmentID", "appointment id empty"),
        (7, None, "row has 4 fields"),
    ]


def test_missing_column_and_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, header="PatientId,AppointmentID\n")
    with pytest.raises(DataError, match="no column 'ScheduledDay'"):
        _read(path)

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert _read(empty) == ([], [], [])


def test_blank_lines_are_not_records(tmp_path: Path) -> None:
    # Hand-made: a blank line between two appointments and another at the end.
    path = _write(tmp_path, _row(), "\n", _row(appointment="2"), "\n")

    kept, refused, _ = _read(path)

    assert refused == []
    assert [r.row for r in kept] == [1, 2]


def test_accounts_can_be_read_before_touchpoints(tmp_path: Path) -> None:
    # Hand-made: the accounts make their own pass when the touchpoints were not read first.
    records = AppointmentsAdapter().read(_write(tmp_path, _row(), _row(appointment="2")))

    assert [a.values["id"] for a in records.accounts if isinstance(a, RawRecord)] == ["111"]
    assert len(list(records.touchpoints)) == 2


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3"]),
            st.integers(min_value=0, max_value=40),
            st.integers(min_value=-3, max_value=20),
            st.booleans(),
            st.booleans(),
        ),
        max_size=20,
    )
)
def test_invariants_on_random_rows(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, int, int, bool, bool]],
) -> None:
    # Every row gives one rejection or one or two records with the row's number; an outcome is
    # recorded after its day; a reminder never precedes its booking; accounts match.
    lines = []
    bookings = {}
    for number, (patient, offset, lead, sms, missed) in enumerate(rows):
        day = dt.date(2016, 4, 1) + dt.timedelta(days=offset)
        booked = dt.datetime.combine(day, dt.time(9, 30)) - dt.timedelta(days=lead)
        bookings[f"{number}:sms"] = booked.replace(tzinfo=SAO_PAULO)
        lines.append(
            _row(
                patient=patient,
                appointment=str(number),
                booked=booked.isoformat() + "Z",
                day=f"{day.isoformat()}T00:00:00Z",
                sms="1" if sms else "0",
                no_show="Yes" if missed else "No",
            )
        )
    path = _write(tmp_path_factory.mktemp("appointments"), *lines)

    kept, refused, accounts = _read(path)

    rows_seen = Counter(r.row for r in kept) + Counter(r.row for r in refused)
    assert set(rows_seen) == set(range(1, len(rows) + 1))
    assert all(count in (1, 2) for count in rows_seen.values())
    assert len(refused) == sum(1 for row in rows if row[2] < 0)
    for record in kept:
        occurred = record.values["occurred_at"]
        assert isinstance(occurred, dt.datetime)
        if record.values["kind"] == "check_in":
            recorded = record.values["recorded_at"]
            assert isinstance(recorded, dt.datetime)
            assert recorded - occurred == dt.timedelta(days=1)
        else:
            assert occurred >= bookings[str(record.values["id"])]
    assert {a.values["id"] for a in accounts} == {r.values["account_id"] for r in kept}
