"""Tests of the RavenStack support-ticket adapter (``ravenstack``): real figures, quirks."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.errors import DataError, UnknownNameError
from touchpoint_signals.ingest import tickets
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import Adapter
from touchpoint_signals.ingest.tickets import TicketsAdapter

UTC = dt.UTC

Items = list[RawRecord | Rejection]


def _records(items: Items) -> dict[str, RawRecord]:
    return {str(i.values["id"]): i for i in items if isinstance(i, RawRecord)}


def _rejections(items: Items) -> list[Rejection]:
    return [i for i in items if isinstance(i, Rejection)]


# --- the RavenStack export --------------------------------------------------------------------


@pytest.fixture(scope="module")
def raven(shared_data: Path) -> tuple[Path, Items, Items]:
    folder = shared_data / "ravenstack"
    source = TicketsAdapter().read(folder)
    return folder, list(source.touchpoints), list(source.accounts)


@pytest.mark.realdata
def test_ravenstack_counts(raven: tuple[Path, Items, Items]) -> None:
    _, touchpoints, accounts = raven
    records = _records(touchpoints)

    # 2,000 tickets, every one with a first response: 4,000 records, nothing rejected.
    assert len(touchpoints) == 4_000
    assert _rejections(touchpoints) == []
    assert Counter(r.values["direction"] for r in records.values()) == {
        "inbound": 2_000,
        "outbound": 2_000,
    }
    replies = [r for r in records.values() if r.values["in_reply_to"] is not None]
    assert len(replies) == 2_000
    assert all(r.values["in_reply_to"] in records for r in replies)

    tickets_only = [r for r in records.values() if r.values["direction"] == "inbound"]
    assert Counter(r.values["csat"] for r in tickets_only) == {
        None: 825,
        4: 405,
        3: 396,
        5: 374,
    }
    outcomes = Counter(str(r.values["outcome"]).split(" in ")[0] for r in tickets_only)
    assert outcomes == {"resolved": 1_905, "escalated; resolved": 95}
    assert Counter(r.values["purpose"] for r in tickets_only) == {
        "support ticket, urgent priority": 514,
        "support ticket, high priority": 510,
        "support ticket, medium priority": 491,
        "support ticket, low priority": 485,
    }

    account_records = [a for a in accounts if isinstance(a, RawRecord)]
    assert len(accounts) == len(account_records) == 500
    assert Counter(a.values["segment"] for a in account_records) == {
        "high_touch": 154,  # Enterprise
        "mid_touch": 178,  # Pro
        "tech_touch": 168,  # Basic
    }
    # 110 flagged accounts: 75 have churn events and get a date, 35 have none.
    assert sum(a.values["churned_at"] is not None for a in account_records) == 75
    assert all(a.values["annual_revenue"] is None for a in account_records)
    ids = {a.values["id"] for a in account_records}
    assert len({r.values["account_id"] for r in records.values()}) == 492
    assert {r.values["account_id"] for r in records.values()} <= ids


@pytest.mark.realdata
def test_ravenstack_any_event_rule(raven: tuple[Path, Items, Items]) -> None:
    folder, _, _ = raven
    accounts = list(TicketsAdapter(churned_accounts="any_event").read(folder).accounts)

    # 600 churn events cover 352 distinct accounts.
    assert (
        sum(isinstance(a, RawRecord) and a.values["churned_at"] is not None for a in accounts)
        == 352
    )


@pytest.mark.realdata
def test_ravenstack_documented_oddities(raven: tuple[Path, Items, Items]) -> None:
    _, touchpoints, accounts = raven
    records = _records(touchpoints)
    by_id = {a.values["id"]: a.values for a in accounts if isinstance(a, RawRecord)}
    tickets_only = [r.values for r in records.values() if r.values["direction"] == "inbound"]

    def before_signup(t: dict[str, object]) -> bool:
        started = by_id[t["account_id"]]["started_at"]
        assert isinstance(started, dt.datetime)
        assert isinstance(t["occurred_at"], dt.datetime)
        return t["occurred_at"] < started

    def after_churn(t: dict[str, object]) -> bool:
        churned = by_id[t["account_id"]]["churned_at"]
        assert isinstance(t["occurred_at"], dt.datetime)
        return isinstance(churned, dt.datetime) and t["occurred_at"] > churned

    assert sum(before_signup(dict(t)) for t in tickets_only) == 1_077
    assert sum(after_churn(dict(t)) for t in tickets_only) == 54

    # First responses later than the close: minutes / 60 > resolution hours on 36 tickets.
    late = 0
    for ticket in tickets_only:
        reply = records[f"{ticket['id']}:first-response"].values
        hours = float(str(ticket["outcome"]).split(" in ")[1].removesuffix(" h"))
        assert isinstance(reply["occurred_at"], dt.datetime)
        assert isinstance(ticket["occurred_at"], dt.datetime)
        late += reply["occurred_at"] > ticket["occurred_at"] + dt.timedelta(hours=hours)
    assert late == 36


@pytest.mark.realdata
def test_ravenstack_rows_match_the_raw_files(raven: tuple[Path, Items, Items]) -> None:
    folder, touchpoints, accounts = raven
    records = _records(touchpoints)
    tickets_csv = str(folder / "ravenstack_support_tickets.csv")

    # Checked by hand with grep, file line 2 (data row 1):
    # T-0024de,A-712f1c,2023-07-27,2023-07-28 03:00:00,27.0,high,74,,False
    ticket = records["T-0024de"]
    assert (ticket.source, ticket.row) == (tickets_csv, 1)
    assert ticket.values == {
        "id": "T-0024de",
        "account_id": "A-712f1c",
        "kind": "support",
        "occurred_at": dt.datetime(2023, 7, 27, tzinfo=UTC),
        "status": "completed",
        "channel": "web",
        "direction": "inbound",
        "contact_id": None,
        "in_reply_to": None,
        "trigger": "customer_raised",
        "text": None,
        "quoted_text": None,
        "purpose": "support ticket, high priority",
        "outcome": "resolved in 27 h",
        "recorded_at": None,
        "csat": None,
        "attendees": None,
    }
    reply = records["T-0024de:first-response"]
    assert reply.row == 1
    assert reply.values["occurred_at"] == dt.datetime(2023, 7, 27, 1, 14, tzinfo=UTC)
    assert reply.values["direction"] == "outbound"
    assert reply.values["in_reply_to"] == "T-0024de"
    assert reply.values["kind"] == "support"

    # File line 9 (row 8): T-60242d,A-72799b,2024-01-29,2024-01-29 12:00:00,12.0,low,56,4.0,True
    escalated = records["T-60242d"]
    assert escalated.row == 8
    assert escalated.values["account_id"] == "A-72799b"
    assert escalated.values["csat"] == 4
    assert escalated.values["outcome"] == "escalated; resolved in 12 h"
    assert escalated.values["purpose"] == "support ticket, low priority"
    assert records["T-60242d:first-response"].values["occurred_at"] == dt.datetime(
        2024, 1, 29, 0, 56, tzinfo=UTC
    )

    by_id = {a.values["id"]: a for a in accounts if isinstance(a, RawRecord)}
    # Accounts line 2 (row 1): A-2e4581,Company_0,...,2024-10-16,partner,Basic,9,False,False;
    # it has churn events (2024-11-23, 2024-12-05) but is not flagged: not churned.
    first = by_id["A-2e4581"]
    assert first.row == 1
    assert first.values == {
        "id": "A-2e4581",
        "segment": "tech_touch",
        "name": "Company_0",
        "annual_revenue": None,
        "owner": None,
        "lifecycle_stage": None,
        "started_at": dt.datetime(2024, 10, 16, tzinfo=UTC),
        "renews_at": None,
        "churned_at": None,
    }
    # Row 2: A-43a9e3, Basic, flagged True, no churn event: churned, date unknown.
    assert by_id["A-43a9e3"].values["churned_at"] is None
    # Row 9: A-7dacce, Enterprise, flagged; events 2024-12-08, 2024-09-18, 2024-12-27.
    assert by_id["A-7dacce"].row == 9
    assert by_id["A-7dacce"].values["segment"] == "high_touch"
    assert by_id["A-7dacce"].values["churned_at"] == dt.datetime(2024, 12, 27, tzinfo=UTC)


# --- hand-made fixtures -----------------------------------------------------------------------

TICKET_HEADER = [
    "ticket_id",
    "account_id",
    "submitted_at",
    "closed_at",
    "resolution_time_hours",
    "priority",
    "first_response_time_minutes",
    "satisfaction_score",
    "escalation_flag",
]
ACCOUNT_HEADER = [
    "account_id",
    "account_name",
    "industry",
    "country",
    "signup_date",
    "referral_source",
    "plan_tier",
    "seats",
    "is_trial",
    "churn_flag",
]
CHURN_HEADER = ["churn_event_id", "account_id", "churn_date", "reason_code"]


def _write(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False) -> None:
    """Write a hand-made CSV with CRLF line endings, as the export has them."""
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle)  # the csv module ends lines with CRLF
        writer.writerow(header)
        writer.writerows(rows)


def _account(account_id: str, tier: str = "Pro", flag: str = "False") -> list[str]:
    # account_id, account_name, industry, country, signup_date, referral_source, plan_tier,
    # seats, is_trial, churn_flag
    head = [account_id, f"Co {account_id}", "EdTech", "US", "2023-01-02", "ads", tier]
    return [*head, "3", "False", flag]


def _export(
    folder: Path,
    ticket_rows: list[list[str]],
    account_rows: list[list[str]] | None = None,
    churn_rows: list[list[str]] | None = None,
) -> Path:
    _write(folder / tickets.TICKETS_FILE, TICKET_HEADER, ticket_rows)
    _write(folder / tickets.ACCOUNTS_FILE, ACCOUNT_HEADER, account_rows or [_account("A-1")])
    _write(folder / tickets.CHURN_FILE, CHURN_HEADER, churn_rows or [])
    return folder


def _ticket(ticket_id: str = "T-1", **fields: str) -> list[str]:
    row = {
        "ticket_id": ticket_id,
        "account_id": "A-1",
        "submitted_at": "2024-03-10",
        "closed_at": "2024-03-11 03:00:00",
        "resolution_time_hours": "27.0",
        "priority": "high",
        "first_response_time_minutes": "90",
        "satisfaction_score": "",
        "escalation_flag": "False",
    }
    row.update(fields)
    return [row[c] for c in TICKET_HEADER]


def test_handmade_outcomes(tmp_path: Path) -> None:
    # Hand-made: one ticket per way a ticket can end.
    _export(
        tmp_path,
        [
            _ticket("T-1"),
            _ticket("T-2", escalation_flag="True"),
            _ticket("T-3", closed_at="", resolution_time_hours=""),
            _ticket("T-4", closed_at="", escalation_flag="TRUE"),
            _ticket("T-5", closed_at="2024-03-09 10:00:00", resolution_time_hours="-14.0"),
            _ticket("T-6", closed_at="the day after", resolution_time_hours=""),
            _ticket("T-7", resolution_time_hours=""),  # hours from closed_at - submitted_at
            _ticket("T-8", closed_at="2024-03-10 01:30:00", resolution_time_hours="1.5"),
            _ticket("T-9", escalation_flag="maybe"),
        ],
    )
    records = _records(list(TicketsAdapter().read(tmp_path).touchpoints))

    assert {k: r.values["outcome"] for k, r in records.items() if ":" not in k} == {
        "T-1": "resolved in 27 h",
        "T-2": "escalated; resolved in 27 h",
        "T-3": "open",
        "T-4": "escalated; open",
        "T-5": "resolved, resolution time unknown (closed before submitted)",
        "T-6": "resolved, resolution time unknown",
        "T-7": "resolved in 27 h",
        "T-8": "resolved in 1.5 h",
        "T-9": "resolved in 27 h",  # an unreadable escalation flag counts as not escalated
    }


def test_handmade_csat_priority_and_first_response(tmp_path: Path) -> None:
    # Hand-made: scores as floats, a non-integral score, missing and bad response times.
    _export(
        tmp_path,
        [
            _ticket("T-1", satisfaction_score="5.0"),
            _ticket("T-2", satisfaction_score="4.5", priority=""),
            _ticket("T-3", first_response_time_minutes=""),
            _ticket("T-4", first_response_time_minutes="soon"),
            _ticket("T-5", first_response_time_minutes="-5"),
            _ticket("T-6", submitted_at="sometime in March"),
            _ticket("T-7", submitted_at=""),
        ],
    )
    items = list(TicketsAdapter().read(tmp_path).touchpoints)
    records = _records(items)

    assert records["T-1"].values["csat"] == 5
    assert records["T-2"].values["csat"] == "4.5"  # passed raw: the loader rejects it
    assert records["T-2"].values["purpose"] == "support ticket"
    assert records["T-3"].values["csat"] is None
    assert sorted(k for k in records if k.endswith(":first-response")) == [
        "T-1:first-response",
        "T-2:first-response",
    ]
    assert records["T-6"].values["occurred_at"] == "sometime in March"
    assert records["T-7"].values["occurred_at"] is None
    assert [(r.row, r.field, r.value, r.reason) for r in _rejections(items)] == [
        (4, "first_response_time_minutes", "soon", tickets.REASON_BAD_MINUTES),
        (5, "first_response_time_minutes", "-5", tickets.REASON_BAD_MINUTES),
        (6, "submitted_at", "sometime in March", tickets.REASON_UNPLACED_REPLY),
        (7, "submitted_at", "", tickets.REASON_UNPLACED_REPLY),
    ]


def test_handmade_ids_accounts_and_unknown_accounts(tmp_path: Path) -> None:
    # Hand-made: a ticket of an account not in the accounts file, and tickets without ids.
    _export(
        tmp_path,
        [_ticket("T-1", account_id="A-404"), _ticket(""), _ticket("T-3", account_id="")],
    )
    items = list(TicketsAdapter().read(tmp_path).touchpoints)

    assert _records(items)["T-1"].values["account_id"] == "A-404"  # the loader reports it
    assert [(r.row, r.field, r.reason) for r in _rejections(items)] == [
        (2, "ticket_id", tickets.REASON_NO_TICKET_ID),
        (3, "account_id", tickets.REASON_NO_ACCOUNT_ID),
    ]


def test_handmade_timezone_and_bom(tmp_path: Path) -> None:
    # Hand-made: the tickets file saved with a BOM; dates read as New York midnight (EST).
    _export(tmp_path, [])
    _write(tmp_path / tickets.TICKETS_FILE, TICKET_HEADER, [_ticket("T-1")], bom=True)
    records = _records(
        list(TicketsAdapter(timezone="America/New_York").read(tmp_path).touchpoints)
    )

    assert records["T-1"].values["occurred_at"] == dt.datetime(2024, 3, 10, 5, 0, tzinfo=UTC)
    # 90 minutes after midnight local; 02:00-03:00 is skipped that night but 01:30 exists.
    assert records["T-1:first-response"].values["occurred_at"] == dt.datetime(
        2024, 3, 10, 6, 30, tzinfo=UTC
    )


def test_handmade_account_rules(tmp_path: Path) -> None:
    # Hand-made: every churn case, an unknown tier, a missing id and a custom tier table.
    _export(
        tmp_path,
        [],
        account_rows=[
            _account("A-1", "Enterprise", "True"),  # flagged, two events: latest wins
            _account("A-2", "Basic", "True"),  # flagged, no event
            _account("A-3", "Pro", "False"),  # event, not flagged
            _account("A-4", "Gold", "False"),  # tier not in the table
            _account("", "Pro", "False"),
            _account("A-6", "Pro", "perhaps"),  # unreadable flag: not churned
            _account("A-7", "Pro", "1"),  # flagged; only event unreadable
        ],
        churn_rows=[
            ["C-1", "A-1", "2024-05-01", "budget"],
            ["C-2", "A-1", "2024-07-01", "budget"],
            ["C-3", "A-3", "2024-02-01", "budget"],
            ["C-4", "A-6", "2024-02-01", "budget"],
            ["C-5", "A-7", "not a date", "budget"],
            ["C-6", "A-999", "2024-02-01", "budget"],  # account not in the file: ignored
        ],
    )
    items = list(TicketsAdapter().read(tmp_path).accounts)
    accounts = _records(items)

    assert {k: (a.values["segment"], a.values["churned_at"]) for k, a in accounts.items()} == {
        "A-1": ("high_touch", dt.datetime(2024, 7, 1, tzinfo=UTC)),
        "A-2": ("tech_touch", None),
        "A-3": ("mid_touch", None),
        "A-6": ("mid_touch", None),
        "A-7": ("mid_touch", None),
    }
    assert [(r.row, r.field, r.value, r.reason) for r in _rejections(items)] == [
        (4, "plan_tier", "Gold", tickets.REASON_UNKNOWN_TIER),
        (5, "account_id", "", tickets.REASON_ACCOUNT_NO_ID),
    ]
    assert "Basic, Enterprise, Pro" in _rejections(items)[0].expected

    any_event = _records(
        list(TicketsAdapter(churned_accounts="any_event").read(tmp_path).accounts)
    )
    assert any_event["A-3"].values["churned_at"] == dt.datetime(2024, 2, 1, tzinfo=UTC)
    assert any_event["A-2"].values["churned_at"] is None

    gold = TicketsAdapter(plan_segments={"Gold": "strategic", "Pro": "high_touch"})
    custom = _records(list(gold.read(tmp_path).accounts))
    assert custom["A-4"].values["segment"] == "strategic"
    assert "A-1" not in custom  # "Enterprise" is no longer in the table


def test_options_are_checked_when_built() -> None:
    adapter = TicketsAdapter()
    assert isinstance(adapter, Adapter)
    assert adapter.name == "ravenstack"
    assert dict(adapter.plan_segments) == {
        "Enterprise": "high_touch",
        "Pro": "mid_touch",
        "Basic": "tech_touch",
    }
    assert hash(adapter) == hash(TicketsAdapter())
    assert attrs.evolve(adapter, plan_segments={"Pro": "x"}).plan_segments["Pro"] == "x"
    with pytest.raises(TypeError):
        adapter.plan_segments["Pro"] = "high_touch"  # type: ignore[index]
    with pytest.raises(ValueError, match="Pro"):
        TicketsAdapter(plan_segments={"Pro": ""})
    with pytest.raises(ValueError, match="churned_accounts"):
        TicketsAdapter(churned_accounts="sometimes")
    with pytest.raises(UnknownNameError, match="Atlantis"):
        TicketsAdapter(timezone="Atlantis/Capital")


def test_missing_file_and_column(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"ravenstack_support_tickets\.csv"):
        TicketsAdapter().read(tmp_path)

    # Hand-made: a tickets file without the priority column.
    _export(tmp_path, [])
    _write(tmp_path / tickets.TICKETS_FILE, ["ticket_id", "account_id"], [["T-1", "A-1"]])
    with pytest.raises(DataError, match="missing column"):
        list(TicketsAdapter().read(tmp_path).touchpoints)


# --- invariant: each row gives its ticket and, when answered, one reply -----------------------


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
            st.one_of(st.just(""), st.integers(0, 100_000).map(str)),
        ),
        max_size=15,
    )
)
def test_reply_follows_ticket_by_its_minutes(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[dt.date, str]]
) -> None:
    folder = tmp_path_factory.mktemp("export")
    _export(
        folder,
        [
            _ticket(f"T-{n}", submitted_at=day.isoformat(), first_response_time_minutes=minutes)
            for n, (day, minutes) in enumerate(rows)
        ],
    )
    items = list(TicketsAdapter(timezone="Europe/Berlin").read(folder).touchpoints)
    records = _records(items)

    assert len(items) == len(rows) + sum(1 for _, minutes in rows if minutes)
    for n, (_, minutes) in enumerate(rows):
        reply = records.get(f"T-{n}:first-response")
        assert (reply is None) == (minutes == "")
        if reply is not None:
            ticket = records[f"T-{n}"].values["occurred_at"]
            assert isinstance(ticket, dt.datetime)
            assert reply.values["in_reply_to"] == f"T-{n}"
            assert reply.values["occurred_at"] == ticket + dt.timedelta(minutes=int(minutes))
