"""The loader: field validation, strict and lenient modes, cross-record checks, chunking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings

from strategies import garbage_rows
from touchpoint_signals.errors import IntegrityError, RecordError
from touchpoint_signals.ingest import loader
from touchpoint_signals.ingest.loader import load, load_accounts, load_touchpoints
from touchpoint_signals.ingest.mapping import ColumnMapping
from touchpoint_signals.ingest.records import LinkIssue, RawRecord, Rejection
from touchpoint_signals.ingest.sources import SourceRecords
from touchpoint_signals.log import CHANNELS, STATUSES
from touchpoint_signals.model import (
    DEFAULT_CATALOG,
    Account,
    Channel,
    LifecycleStage,
    Segment,
    Status,
    TouchpointKind,
)
from touchpoint_signals.timeparse import parse_timezone

US = 1_000_000


def rec(id: str, **extra: object) -> dict[str, object]:
    """Hand-made canonical record: a completed check-in of account ``acme``."""
    values: dict[str, object] = {
        "id": id,
        "account_id": "acme",
        "kind": "check_in",
        "occurred_at": "2026-05-01T09:00:00Z",
        "status": "completed",
    }
    return {**values, **extra}


def epoch_us(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp()) * US  # type: ignore[misc]


# -- strict mode ------------------------------------------------------------------------


def test_strict_raises_record_error_with_facts() -> None:
    records = [
        RawRecord("tickets.csv", 1, rec("t1")),
        RawRecord("tickets.csv", 2, rec("t2", csat="9")),
    ]

    with pytest.raises(
        RecordError,
        match=r"^tickets.csv, row 2: field 'csat': got '9', expected an integer from 1 to 5$",
    ) as caught:
        load_touchpoints(records)

    error = caught.value
    assert (error.source, error.row, error.field, error.value) == (
        "tickets.csv",
        2,
        "csat",
        "9",
    )
    assert error.expected == "an integer from 1 to 5"


def test_strict_missing_required_field_names_it() -> None:
    record = rec("t1")
    del record["occurred_at"]

    with pytest.raises(
        RecordError,
        match=r"row 1: field 'occurred_at': got None, expected a column 'occurred_at' "
        r"\(or a mapping naming the column that holds 'occurred_at'\) "
        r"\(the record has no such column\)$",
    ):
        load_touchpoints([record])


def test_strict_unknown_status_lists_valid_values() -> None:
    with pytest.raises(
        RecordError,
        match=r"field 'status': got 'done', expected one of scheduled, completed, cancelled, "
        r"no_show, rescheduled$",
    ):
        load_touchpoints([rec("t1", status="done")])


def test_strict_unknown_kind_lists_catalog_kinds() -> None:
    with pytest.raises(
        RecordError, match=r"field 'kind': got 'webinar', expected one of onboarding, check_in,"
    ):
        load_touchpoints([rec("t1", kind="webinar")])


def test_strict_naive_time_explains_default_tz() -> None:
    with pytest.raises(RecordError) as caught:
        load_touchpoints([rec("t1", occurred_at="2026-05-01 09:00")])

    # Said once, with every way of naming the zone: Python, the command line, a mapping.
    assert str(caught.value) == (
        "<touchpoints>, row 1: field 'occurred_at': got '2026-05-01 09:00', expected a "
        "date-time with a time zone (it has none; give the zone it was written in, an IANA "
        "name such as 'Europe/Berlin': default_tz= in Python, --default-tz on the command "
        "line, or default_tz in the mapping file)"
    )
    assert caught.value.field == "occurred_at"


def test_strict_reader_rejection_is_raised() -> None:
    rejection = Rejection("x.jsonl", 4, None, "{oops", "a JSON object", "Expecting value")

    with pytest.raises(
        RecordError,
        match=r"^x.jsonl, row 4: record: got "
        r"'\{oops', expected a JSON object \(Expecting value\)$",
    ) as caught:
        load_touchpoints([rejection])

    assert (caught.value.row, caught.value.field) == (4, None)


def test_mode_must_be_known() -> None:
    with pytest.raises(ValueError, match=r"mode must be one of strict, lenient, got 'loose'"):
        load_touchpoints([], mode="loose")  # type: ignore[arg-type]


# -- lenient mode -----------------------------------------------------------------------


@pytest.fixture
def lenient_result() -> loader.LoadResult:
    """Hand-made: five records, three bad in different fields, plus one reader rejection."""
    records: list[object] = [
        rec("t1"),
        rec("t2", csat="9"),
        rec("t3", occurred_at="tomorrow-ish"),
        Rejection("<reader>", 4, None, "", "3 fields", "empty row"),
        rec("t5", channel="fax"),
        rec("t6", kind="qbr", status="No-Show"),
    ]
    return load_touchpoints(records, mode="lenient")  # type: ignore[arg-type]


def test_lenient_keeps_good_records(lenient_result: loader.LoadResult) -> None:
    assert lenient_result.log.id.tolist() == ["t1", "t6"]
    assert STATUSES[lenient_result.log.status[1]] is Status.NO_SHOW


def test_lenient_counts_add_up(lenient_result: loader.LoadResult) -> None:
    report = lenient_result.touchpoint_report

    assert (report.read, report.accepted, len(report.rejected)) == (6, 2, 4)


def test_lenient_reports_every_rejection_with_detail(lenient_result: loader.LoadResult) -> None:
    rejected = lenient_result.touchpoint_report.rejected

    assert [(r.source, r.row, r.field, r.value) for r in rejected] == [
        ("<touchpoints>", 2, "csat", "9"),
        ("<touchpoints>", 3, "occurred_at", "tomorrow-ish"),
        ("<reader>", 4, None, ""),
        ("<touchpoints>", 5, "channel", "fax"),
    ]
    assert rejected[3].describe() == (
        "<touchpoints>, row 5: field 'channel': got 'fax', expected one of "
        + ", ".join(c.value for c in CHANNELS)
    )


def test_lenient_rejection_matches_strict_error() -> None:
    bad = rec("t1", attendees="-3")

    rejection = load_touchpoints([bad], mode="lenient").touchpoint_report.rejected[0]
    with pytest.raises(RecordError) as caught:
        load_touchpoints([bad])

    assert str(caught.value) == rejection.describe()
    assert (caught.value.field, caught.value.value, caught.value.expected) == (
        rejection.field,
        rejection.value,
        rejection.expected,
    )


def test_report_reasons_group_by_field(lenient_result: loader.LoadResult) -> None:
    reasons = lenient_result.touchpoint_report.reasons()

    assert reasons["csat: an integer from 1 to 5"] == 1
    assert reasons["record: empty row"] == 1
    assert sum(reasons.values()) == 4


# -- field values -----------------------------------------------------------------------


def test_values_are_encoded_into_columns() -> None:
    record = rec(
        "t1",
        channel="In-App",
        direction="inbound",
        trigger="customer_raised",
        contact_id="c9",
        csat="4",
        attendees=3.0,
        text="  thanks  ",
        recorded_at="2026-05-02T00:00:00Z",
    )

    log = load_touchpoints([record]).log

    touchpoint = log.touchpoint(0)
    assert touchpoint.channel is Channel.IN_APP
    assert (touchpoint.csat, touchpoint.attendees, touchpoint.text) == (4, 3, "thanks")
    assert touchpoint.contact_id == "c9"
    assert int(log.recorded_at[0]) == epoch_us(2026, 5, 2)


def test_recorded_at_defaults_to_occurred_at() -> None:
    log = load_touchpoints([rec("t1")]).log

    assert int(log.recorded_at[0]) == int(log.occurred_at[0]) == epoch_us(2026, 5, 1, 9)


def test_empty_strings_are_missing_values() -> None:
    touchpoint = load_touchpoints([rec("t1", channel="", csat=" ", text="")]).log.touchpoint(0)

    assert (touchpoint.channel, touchpoint.csat, touchpoint.text) == (None, None, None)


def test_integer_ids_are_read_as_text() -> None:
    assert load_touchpoints([rec(17)]).log.id.tolist() == ["17"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("csat", True, "an integer from 1 to 5"),
        ("csat", 2.5, "an integer from 1 to 5"),
        ("csat", 10**400, "an integer from 1 to 5"),
        ("attendees", "many", "an integer from 0 to 2147483647"),
        ("id", 1.5, "a string"),
        ("account_id", ["acme"], "a string"),
        ("text", "\ud800", "valid Unicode text"),
        (
            "occurred_at",
            "0001-01-01T00:00:00+01:00",
            "a date-time such as 2026-05-01T09:00Z",
        ),
        ("occurred_at", 1714640000, "a date-time such as 2026-05-01T09:00Z"),
        ("occurred_at", "2026-13-01T10:00Z", "a date-time such as 2026-05-01T09:00Z"),
    ],
)
def test_bad_values_are_rejected(field: str, value: object, expected: str) -> None:
    report = load_touchpoints([{**rec("t1"), field: value}], mode="lenient").touchpoint_report

    assert [(r.field, r.value, r.expected) for r in report.rejected] == [
        (field, value, expected)
    ]


def test_self_reply_is_rejected() -> None:
    with pytest.raises(
        RecordError,
        match=r"field 'in_reply_to': got 't1', expected the id of another touchpoint "
        r"\(self-reply\)",
    ):
        load_touchpoints([rec("t1", in_reply_to="t1")])


def test_custom_kind_from_catalog() -> None:
    catalog = DEFAULT_CATALOG.with_kinds(TouchpointKind("webinar", meeting=True))

    log = load_touchpoints([rec("t1", kind="Webinar")], catalog=catalog).log

    assert log.kinds[log.kind[0]].name == "webinar"
    assert log.kinds == catalog.kinds


def test_default_tz_places_naive_times() -> None:
    log = load_touchpoints(
        [rec("t1", occurred_at="2026-03-08 02:30")],
        default_tz=parse_timezone("America/New_York"),
    ).log

    assert int(log.occurred_at[0]) == epoch_us(2026, 3, 8, 7, 30)


def test_default_tz_does_not_override_offsets() -> None:
    log = load_touchpoints([rec("t1")], default_tz=parse_timezone("Europe/Berlin")).log

    assert int(log.occurred_at[0]) == epoch_us(2026, 5, 1, 9)


# -- column mapping ---------------------------------------------------------------------


def test_column_mapping_renames_and_respells() -> None:
    mapping = ColumnMapping(
        columns={"id": "ticket_id", "account_id": "customer", "occurred_at": "opened"},
        values={"status": {"closed": "completed", "Yes": "no_show"}},
        constants={"kind": "support", "direction": "inbound"},
    )
    rows = [
        {
            "ticket_id": "T-1",
            "customer": "acme",
            "opened": "2026-05-01T09:00Z",
            "status": "closed",
        },
        {
            "ticket_id": "T-2",
            "customer": "acme",
            "opened": "2026-05-01T10:00Z",
            "status": "Yes",
            "kind": "qbr",
        },
    ]

    log = load_touchpoints(rows, mapping=mapping).log

    assert log.id.tolist() == ["T-1", "T-2"]
    assert [STATUSES[s].value for s in log.status] == ["completed", "no_show"]
    assert {log.kinds[k].name for k in log.kind} == {"support"}
    assert log.direction.tolist() == [1, 1]


def test_unmapped_spelling_passes_through_to_validation() -> None:
    mapping = ColumnMapping(values={"status": {"closed": "completed"}})

    with pytest.raises(RecordError, match=r"field 'status': got 'Closed', expected one of"):
        load_touchpoints([rec("t1", status="Closed")], mapping=mapping)


# -- cross-record checks ----------------------------------------------------------------


def test_duplicate_id_rejected_naming_first_row() -> None:
    records = [rec("t1"), rec("t2"), rec("t1", status="cancelled")]

    report = load_touchpoints(records, mode="lenient").touchpoint_report

    assert [(r.row, r.field, r.value, r.reason) for r in report.rejected] == [
        (3, "id", "t1", "duplicate of <touchpoints>, row 1")
    ]
    assert (report.read, report.accepted) == (3, 2)


def test_duplicate_keeps_the_first_occurrence() -> None:
    result = load_touchpoints([rec("t1"), rec("t1", status="cancelled")], mode="lenient")

    assert STATUSES[result.log.status[0]] is Status.COMPLETED


def test_duplicate_id_raises_integrity_error_in_strict_mode() -> None:
    records = [RawRecord("a.csv", 1, rec("t1")), RawRecord("b.csv", 7, rec("t1"))]

    with pytest.raises(
        IntegrityError,
        match=r"^b.csv, row 7: field 'id': got 't1', .*\(duplicate of a.csv, row 1\)$",
    ) as caught:
        load_touchpoints(records)

    assert (caught.value.source, caught.value.row, caught.value.field) == ("b.csv", 7, "id")


def test_unknown_account_is_rejected_when_accounts_given() -> None:
    accounts = [Account("acme", "high_touch")]

    result = load_touchpoints(
        [rec("t1"), rec("t2", account_id="ghost")], accounts=accounts, mode="lenient"
    )

    rejected = result.touchpoint_report.rejected
    assert [(r.row, r.field, r.value, r.reason) for r in rejected] == [
        (2, "account_id", "ghost", "unknown account")
    ]
    assert result.log.id.tolist() == ["t1"]


def test_unknown_account_raises_integrity_error_in_strict_mode() -> None:
    with pytest.raises(
        IntegrityError,
        match=r"row 1: field 'account_id': got 'ghost', expected the id of an account",
    ):
        load_touchpoints(
            [rec("t1", account_id="ghost")], accounts=[Account("acme", "high_touch")]
        )


def test_empty_accounts_table_rejects_every_touchpoint() -> None:
    result = load_touchpoints([rec("t1")], accounts=[], mode="lenient")

    assert [r.reason for r in result.touchpoint_report.rejected] == ["unknown account"]


def test_no_accounts_means_no_account_check() -> None:
    assert len(load_touchpoints([rec("t1", account_id="anyone")]).log) == 1


def test_given_accounts_appear_even_without_touchpoints() -> None:
    accounts = [Account("acme", "high_touch"), Account("quiet", "tech_touch")]

    result = load_touchpoints([rec("t1")], accounts=accounts)

    assert result.log.account_ids.tolist() == ["acme", "quiet"]
    assert result.log.offsets.tolist() == [0, 1, 1]
    assert result.accounts == tuple(accounts)


def test_dangling_reply_is_a_link_issue_in_lenient_mode() -> None:
    result = load_touchpoints([rec("t1", in_reply_to="ghost")], mode="lenient")

    assert result.touchpoint_report.link_issues == [
        LinkIssue("<touchpoints>", 1, "t1", "ghost", "no touchpoint with that id was loaded")
    ]
    assert result.touchpoint_report.accepted == 1
    assert result.log.unresolved_reply_ids.tolist() == ["ghost"]


def test_reply_before_its_message_is_a_link_issue() -> None:
    records = [
        rec("m1", occurred_at="2026-05-01T12:00Z"),
        rec("r1", occurred_at="2026-05-01T11:00Z", in_reply_to="m1"),
    ]

    result = load_touchpoints(records, mode="lenient")

    issue = result.touchpoint_report.link_issues[0]
    assert issue.describe() == (
        "<touchpoints>, row 2: touchpoint 'r1' replies to 'm1': "
        "the touchpoint it answers occurred after the reply"
    )
    assert np.isnan(result.log.reply_latency_seconds()).all()


def test_dangling_reply_raises_in_strict_mode() -> None:
    with pytest.raises(
        IntegrityError,
        match=r"^<touchpoints>, row 1: touchpoint 't1' replies to 'ghost': no touchpoint",
    ) as caught:
        load_touchpoints([rec("t1", in_reply_to="ghost")])

    assert (caught.value.field, caught.value.value) == ("in_reply_to", "ghost")


def test_reply_before_message_raises_in_strict_mode() -> None:
    records = [rec("m1", occurred_at="2026-05-01T12:00Z"), rec("r1", in_reply_to="m1")]

    with pytest.raises(
        IntegrityError,
        match=r"row 2: touchpoint 'r1' replies to 'm1': the touchpoint it answers "
        r"occurred after",
    ):
        load_touchpoints(records)


def test_resolved_reply_gives_latency() -> None:
    records = [rec("r1", occurred_at="2026-05-01T10:30Z", in_reply_to="m1"), rec("m1")]

    log = load_touchpoints(records).log

    assert log.reply_latency_seconds().tolist()[1] == 5400.0
    assert load_touchpoints(records).touchpoint_report.link_issues == []


def test_reply_to_a_rejected_record_is_a_link_issue() -> None:
    records = [
        rec("m1", csat="0"),
        rec("r1", occurred_at="2026-05-01T10:00Z", in_reply_to="m1"),
    ]

    report = load_touchpoints(records, mode="lenient").touchpoint_report

    assert [r.row for r in report.rejected] == [1]
    assert [i.touchpoint_id for i in report.link_issues] == ["r1"]


# -- chunking ---------------------------------------------------------------------------


def _columns(result: loader.LoadResult) -> dict[str, list[object]]:
    log = result.log
    return {
        name: getattr(log, name).tolist()
        for name in ("id", "account", "occurred_at", "status", "reply_to", "csat", "offsets")
    }


def test_chunking_gives_the_same_log(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [
        rec(
            f"t{i}",
            account_id=f"a{i % 3}",
            occurred_at=f"2026-05-01T{i:02d}:00Z",
            csat=str(1 + i % 5),
        )
        for i in range(10)
    ]
    records += [
        rec("r1", occurred_at="2026-05-01T12:00Z", in_reply_to="t3"),
        rec("t4", status="cancelled"),
    ]
    whole = load_touchpoints(records, mode="lenient")

    monkeypatch.setattr(loader, "CHUNK_ROWS", 3)
    chunked = load_touchpoints(records, mode="lenient")

    assert _columns(chunked) == _columns(whole)
    assert chunked.touchpoint_report == whole.touchpoint_report
    assert chunked.touchpoint_report.rejected[0].reason == "duplicate of <touchpoints>, row 5"


# -- accounts ---------------------------------------------------------------------------


def test_load_accounts_reads_fields() -> None:
    rows = [
        {
            "id": "acme",
            "segment": "High Touch",
            "annual_revenue": "1200.5",
            "lifecycle_stage": "renewal",
            "renews_at": "2027-01-01T00:00Z",
        }
    ]

    (account,), report = load_accounts(rows)

    assert account.segment.name == "high_touch"
    assert (account.annual_revenue, account.lifecycle_stage) == (1200.5, LifecycleStage.RENEWAL)
    assert account.renews_at == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert (report.read, report.accepted) == (1, 1)


def test_load_accounts_keeps_microseconds_at_the_end_of_time() -> None:
    rows = [{"id": "acme", "segment": "mid_touch", "churned_at": "9999-12-31T23:59:59.999999Z"}]

    (account,), _ = load_accounts(rows)

    assert account.churned_at == dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)


def test_load_accounts_duplicate_rejected_naming_first_row() -> None:
    rows = [
        {"id": "acme", "segment": "high_touch"},
        {"id": "beta", "segment": "mid_touch"},
        {"id": "acme", "segment": "tech_touch"},
    ]

    accounts, report = load_accounts(rows, mode="lenient", source="accounts.csv")

    assert [a.segment.name for a in accounts] == ["high_touch", "mid_touch"]
    assert [(r.row, r.field, r.value, r.reason) for r in report.rejected] == [
        (3, "id", "acme", "duplicate of accounts.csv, row 1")
    ]


def test_load_accounts_duplicate_raises_in_strict_mode() -> None:
    rows = [{"id": "acme", "segment": "high_touch"}, {"id": "acme", "segment": "high_touch"}]

    with pytest.raises(
        IntegrityError,
        match=r"row 2: field 'id': got 'acme', expected an account id not used before",
    ):
        load_accounts(rows)


def test_load_accounts_bad_segment_lists_segments() -> None:
    with pytest.raises(
        RecordError,
        match=r"row 1: field 'segment': got 'gold', expected one of high_touch, "
        r"mid_touch, tech_touch$",
    ):
        load_accounts([{"id": "acme", "segment": "gold"}])


def test_load_accounts_custom_segment_from_catalog() -> None:
    catalog = DEFAULT_CATALOG.with_segments(Segment("strategic"))

    (account,), _ = load_accounts([{"id": "acme", "segment": "strategic"}], catalog=catalog)

    assert account.segment is catalog.segment("strategic")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("segment", None, "one of high_touch, mid_touch, tech_touch"),
        ("annual_revenue", "-5", "a non-negative number"),
        ("annual_revenue", "lots", "a non-negative number"),
        ("lifecycle_stage", "churning", "one of onboarding, adoption, expansion, renewal"),
        ("started_at", "2026-01-01", "a date-time with a time zone"),
    ],
)
def test_load_accounts_rejects_bad_fields(field: str, value: object, expected: str) -> None:
    row = {"id": "acme", "segment": "high_touch", field: value}

    _, report = load_accounts([row], mode="lenient")

    assert [(r.field, r.value, r.expected) for r in report.rejected] == [
        (field, value, expected)
    ]


# -- load() with an adapter's records ---------------------------------------------------


def test_load_reads_lazy_accounts_after_touchpoints() -> None:
    seen: list[str] = []

    def touchpoints() -> Iterator[RawRecord]:
        for number, account in enumerate(["acme", "beta", "acme"], start=1):
            seen.append(account)
            yield RawRecord("feed", number, rec(f"t{number}", account_id=account))

    def accounts() -> Iterator[RawRecord]:
        for number, account in enumerate(dict.fromkeys(seen), start=1):
            yield RawRecord("feed", number, {"id": account, "segment": "tech_touch"})

    result = load(SourceRecords(touchpoints(), accounts()), source="feed")

    assert result.log.account_ids.tolist() == ["acme", "beta"]
    assert result.log.offsets.tolist() == [0, 2, 3]
    assert [a.id for a in result.accounts] == ["acme", "beta"]
    assert result.account_report is not None
    assert (result.account_report.read, result.account_report.accepted) == (2, 2)


def test_load_rejects_touchpoints_of_accounts_not_produced() -> None:
    records = SourceRecords(
        [rec("t1"), rec("t2", account_id="beta")], [{"id": "acme", "segment": "high_touch"}]
    )

    result = load(records, mode="lenient")

    assert [(r.field, r.value) for r in result.rejected] == [("account_id", "beta")]
    assert result.log.id.tolist() == ["t1"]


def test_load_without_account_records_skips_the_account_check() -> None:
    records = SourceRecords([rec("t1"), rec("t2", account_id="beta")])

    result = load(records)

    assert result.log.id.tolist() == ["t1", "t2"]
    assert result.log.account_ids.tolist() == ["acme", "beta"]
    assert result.accounts == ()
    assert result.account_report is None


def test_load_with_an_empty_accounts_table_rejects_every_touchpoint() -> None:
    records = SourceRecords([rec("t1")], [])

    result = load(records, mode="lenient")

    assert [(r.field, r.reason) for r in result.rejected] == [("account_id", "unknown account")]
    assert len(result.log) == 0


def test_an_item_that_is_not_a_mapping_is_rejected_not_crashed_on() -> None:
    result = load_touchpoints([rec("t1"), ["t2", "acme"]], mode="lenient")  # type: ignore[list-item]

    assert [(r.row, r.field, r.reason) for r in result.touchpoint_report.rejected] == [
        (2, None, "got a list")
    ]
    assert result.touchpoint_report.accepted == 1


def test_load_result_rejected_lists_accounts_first() -> None:
    records = SourceRecords([rec("t1", csat="7")], [{"id": "acme", "segment": "gold"}])

    result = load(records, mode="lenient")

    assert [r.field for r in result.rejected] == ["segment", "csat"]


# -- properties -------------------------------------------------------------------------


def _ids_read(rows: list[object]) -> set[str]:
    records = [
        r.values if isinstance(r, RawRecord) else r
        for r in rows
        if not isinstance(r, Rejection)
    ]
    return {str(record.get("id")).strip() for record in records}  # type: ignore[attr-defined]


@given(garbage_rows())
@settings(max_examples=80, deadline=None)
def test_lenient_bookkeeping_holds_for_garbage(rows: list[object]) -> None:
    result = load_touchpoints(rows, mode="lenient")  # type: ignore[arg-type]
    report = result.touchpoint_report

    assert report.read == len(rows)
    assert report.accepted + len(report.rejected) == report.read
    assert report.accepted == len(result.log)
    assert set(result.log.id.tolist()) <= _ids_read(rows)


@given(garbage_rows())
@settings(max_examples=50, deadline=None)
def test_strict_mode_either_loads_everything_or_raises_a_record_error(
    rows: list[object],
) -> None:
    lenient = load_touchpoints(rows, mode="lenient")  # type: ignore[arg-type]
    clean = not lenient.touchpoint_report.rejected and not lenient.touchpoint_report.link_issues

    if clean:
        assert load_touchpoints(rows).log.id.tolist() == lenient.log.id.tolist()  # type: ignore[arg-type]
    else:
        with pytest.raises(RecordError):
            load_touchpoints(rows)  # type: ignore[arg-type]
