"""Tests of the Maven CRM pipeline adapter (``crm_pipeline``): real figures and quirks."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchpoint_signals.errors import DataError, UnknownNameError
from touchpoint_signals.ingest import crm
from touchpoint_signals.ingest.crm import CrmPipelineAdapter
from touchpoint_signals.ingest.records import RawRecord, Rejection
from touchpoint_signals.ingest.sources import Adapter

UTC = dt.UTC

Items = list[RawRecord | Rejection]


def _records(items: Items) -> dict[str, RawRecord]:
    return {str(i.values["id"]): i for i in items if isinstance(i, RawRecord)}


def _rejections(items: Items) -> list[Rejection]:
    return [i for i in items if isinstance(i, Rejection)]


# --- the Maven export -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def maven(shared_data: Path) -> tuple[Path, Items, Items]:
    folder = shared_data / "maven_crm"
    source = CrmPipelineAdapter().read(folder)
    return folder, list(source.touchpoints), list(source.accounts)


@pytest.mark.realdata
def test_maven_counts(maven: tuple[Path, Items, Items]) -> None:
    _, touchpoints, accounts = maven
    records = _records(touchpoints)

    # 8,800 opportunities: 6,711 closed (two records each), 501 engaging with an account
    # (one), 163 prospecting with an account but no engage_date and 1,425 without account.
    assert len(touchpoints) == 6_711 * 2 + 501 + 163 + 1_425
    assert len(records) == 13_923
    assert Counter(r.reason for r in _rejections(touchpoints)) == {
        crm.REASON_NO_ACCOUNT: 1_425,
        crm.REASON_NO_ENGAGE_DATE: 163,
    }
    assert Counter((r.values["kind"], r.values["outcome"]) for r in records.values()) == {
        ("outreach", None): 7_212,
        ("renewal", "won"): 4_238,
        ("renewal", "lost"): 2_473,
    }
    assert {r.values["direction"] for r in records.values()} == {"outbound"}
    assert {r.values["trigger"] for r in records.values()} == {"scheduled"}
    assert all(r.values["in_reply_to"] is None for r in records.values())
    # "GTXPro" (never "GTX Pro") on 1,258 opportunities with an account: 1,224 engaged and
    # 1,147 closed, kept as spelled.
    assert sum(r.values["purpose"] == "GTXPro" for r in records.values()) == 1_224 + 1_147
    assert not any(r.values["purpose"] == "GTX Pro" for r in records.values())

    account_records = [a for a in accounts if isinstance(a, RawRecord)]
    assert len(accounts) == len(account_records) == 85
    assert Counter(a.values["segment"] for a in account_records) == {
        "high_touch": 27,
        "mid_touch": 40,
        "tech_touch": 18,
    }
    ids = {a.values["id"] for a in account_records}
    assert {r.values["account_id"] for r in records.values()} == ids


@pytest.mark.realdata
def test_maven_rows_match_the_raw_files(maven: tuple[Path, Items, Items]) -> None:
    folder, touchpoints, accounts = maven
    records = _records(touchpoints)
    pipeline = str(folder / "sales_pipeline.csv")

    # Checked by hand with grep, file line 2 (data row 1):
    # 1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054
    outreach = records["1C1I7A6R"]
    assert (outreach.source, outreach.row) == (pipeline, 1)
    assert outreach.values == {
        "id": "1C1I7A6R",
        "account_id": "Cancity",
        "kind": "outreach",
        "occurred_at": dt.datetime(2016, 10, 20, tzinfo=UTC),
        "status": "completed",
        "channel": "other",
        "direction": "outbound",
        "contact_id": "Moses Frase",
        "in_reply_to": None,
        "trigger": "scheduled",
        "text": None,
        "quoted_text": None,
        "purpose": "GTX Plus Basic",
        "outcome": None,
        "recorded_at": None,
        "csat": None,
        "attendees": None,
    }
    close = records["1C1I7A6R:close"]
    assert close.row == 1
    assert close.values == {
        **outreach.values,
        "id": "1C1I7A6R:close",
        "kind": "renewal",
        "occurred_at": dt.datetime(2017, 3, 1, tzinfo=UTC),
        "outcome": "won",
    }

    # Line 3 (row 2): Z063OYW0,Darcel Schlecht,GTXPro,Isdom,Won,... keeps the "GTXPro" spelling.
    assert records["Z063OYW0"].values["purpose"] == "GTXPro"
    # Line 13 (row 12): KWVA7VR1,Gladys Colclough,GTXPro,Genco Pura Olive Oil Company,Lost,
    # 2016-11-04,2017-03-18,0
    lost = records["KWVA7VR1:close"]
    assert lost.row == 12
    assert lost.values["account_id"] == "Genco Pura Olive Oil Company"
    assert lost.values["outcome"] == "lost"
    assert lost.values["occurred_at"] == dt.datetime(2017, 3, 18, tzinfo=UTC)
    # Line 27 (row 26): UP409DSB, Ganjaflex, Engaging, 2016-11-10, no close: outreach only.
    assert records["UP409DSB"].row == 26
    assert "UP409DSB:close" not in records
    # Line 11 (row 10): HAXMC4IX has no account; line 8302 (row 8301): 6CWZFOHJ, Green-Plus,
    # Prospecting, no engage_date.
    rejected = {r.row: (r.field, r.reason) for r in _rejections(touchpoints)}
    assert rejected[10] == ("account", crm.REASON_NO_ACCOUNT)
    assert rejected[8_301] == ("engage_date", crm.REASON_NO_ENGAGE_DATE)

    by_id = {a.values["id"]: a for a in accounts if isinstance(a, RawRecord)}
    # accounts.csv line 2 (row 1): Acme Corporation,technolgy,1996,1100.04,2822,United States,
    acme = by_id["Acme Corporation"]
    assert (acme.source, acme.row) == (str(folder / "accounts.csv"), 1)
    assert acme.values == {
        "id": "Acme Corporation",
        "segment": "mid_touch",
        "name": "Acme Corporation",
        "annual_revenue": 1_100_040_000.0,
        "owner": None,
        "lifecycle_stage": None,
        "started_at": None,
        "renews_at": None,
        "churned_at": None,
    }
    # Line 16 (row 15): dambase,marketing,1995,2173.98,2928 (lower-case name, as the
    # pipeline writes it); line 76 (row 75): Vehement Capital Partners, 646.1, 883 employees.
    assert by_id["dambase"].values["annual_revenue"] == 2_173_980_000.0
    assert by_id["Vehement Capital Partners"].values["segment"] == "tech_touch"
    assert by_id["Vehement Capital Partners"].values["annual_revenue"] == 646_100_000.0


# --- hand-made fixtures -----------------------------------------------------------------------

PIPELINE_HEADER = [
    "opportunity_id",
    "sales_agent",
    "product",
    "account",
    "deal_stage",
    "engage_date",
    "close_date",
    "close_value",
]
ACCOUNT_HEADER = [
    "account",
    "sector",
    "year_established",
    "revenue",
    "employees",
    "office_location",
    "subsidiary_of",
]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write a hand-made CSV with CRLF line endings (the csv module's default), as Maven's."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _export(
    folder: Path, deals: list[list[str]], companies: list[list[str]] | None = None
) -> Path:
    _write(folder / crm.PIPELINE_FILE, PIPELINE_HEADER, deals)
    _write(
        folder / crm.ACCOUNTS_FILE,
        ACCOUNT_HEADER,
        companies or [["Acme", "technolgy", "1996", "1100.04", "2822", "United States", ""]],
    )
    return folder


def _deal(deal_id: str, account: str = "Acme", stage: str = "Won", **dates: str) -> list[str]:
    engage = dates.get("engage", "2017-01-05")
    close = dates.get("close", "2017-02-01" if stage in ("Won", "Lost") else "")
    return [deal_id, "Moses Frase", "GTX Basic", account, stage, engage, close, "550"]


def test_handmade_stages(tmp_path: Path) -> None:
    # Hand-made: one opportunity per stage and per missing piece.
    _export(
        tmp_path,
        [
            _deal("D-1", stage="Won"),
            _deal("D-2", stage="lost", close="2017-02-01"),  # stage compared case-insensitively
            _deal("D-3", stage="Engaging"),
            _deal("D-4", stage="Prospecting", engage=""),
            _deal("D-5", account="", stage="Prospecting", engage=""),
            _deal("D-6", stage="Won", close=""),  # closed without a close date
            _deal("D-7", stage="Engaging", close="2017-03-01"),  # close date ignored
            _deal("D-8", account="Initrode"),  # not in accounts.csv: passed through
            _deal("", stage="Won"),
            _deal("D-10", stage="Won", engage="", close="2017-02-01"),
        ],
    )
    items = list(CrmPipelineAdapter().read(tmp_path).touchpoints)
    records = _records(items)

    assert {k: (r.row, r.values["kind"], r.values["outcome"]) for k, r in records.items()} == {
        "D-1": (1, "outreach", None),
        "D-1:close": (1, "renewal", "won"),
        "D-2": (2, "outreach", None),
        "D-2:close": (2, "renewal", "lost"),
        "D-3": (3, "outreach", None),
        "D-6": (6, "outreach", None),
        "D-7": (7, "outreach", None),
        "D-8": (8, "outreach", None),
        "D-8:close": (8, "renewal", "won"),
        "D-10:close": (10, "renewal", "won"),
    }
    assert records["D-8"].values["account_id"] == "Initrode"
    assert [(r.row, r.field, r.reason) for r in _rejections(items)] == [
        (4, "engage_date", crm.REASON_NO_ENGAGE_DATE),
        (5, "account", crm.REASON_NO_ACCOUNT),
        (6, "close_date", crm.REASON_NO_CLOSE_DATE),
        (9, "opportunity_id", crm.REASON_NO_ID),
        (10, "engage_date", crm.REASON_NO_ENGAGE_DATE),
    ]


def test_handmade_dates_and_timezone(tmp_path: Path) -> None:
    # Hand-made: a Tokyo export (UTC+9, no DST) and an unreadable close date.
    _export(tmp_path, [_deal("D-1"), _deal("D-2", close="Q1 2017")])
    tokyo = _records(list(CrmPipelineAdapter(timezone="Asia/Tokyo").read(tmp_path).touchpoints))

    assert tokyo["D-1"].values["occurred_at"] == dt.datetime(2017, 1, 4, 15, tzinfo=UTC)
    assert tokyo["D-1:close"].values["occurred_at"] == dt.datetime(2017, 1, 31, 15, tzinfo=UTC)
    assert tokyo["D-2:close"].values["occurred_at"] == "Q1 2017"  # the loader rejects it


def test_handmade_accounts(tmp_path: Path) -> None:
    # Hand-made: segment boundaries, revenue spellings, and rows that cannot be accounts.
    _export(
        tmp_path,
        [],
        companies=[
            ["Big", "retail", "1990", "11698.03", "5000", "US", ""],
            ["Mid", "retail", "1990", "4.54", "1000", "US", "Big"],
            ["Small", "technolgy", "1990", "", "999", "US", ""],
            ["Odd", "retail", "1990", "about 5", "10", "US", ""],
            ["", "retail", "1990", "1", "10", "US", ""],
            ["Fuzzy", "retail", "1990", "1", "many", "US", ""],
        ],
    )
    items = list(CrmPipelineAdapter().read(tmp_path).accounts)
    accounts = _records(items)

    assert {
        k: (a.values["segment"], a.values["annual_revenue"]) for k, a in accounts.items()
    } == {
        "Big": ("high_touch", 11_698_030_000.0),
        "Mid": ("mid_touch", 4_540_000.0),
        "Small": ("tech_touch", None),
        "Odd": ("tech_touch", "about 5"),  # passed raw: the loader rejects it
    }
    assert [(r.row, r.field, r.reason) for r in _rejections(items)] == [
        (5, "account", crm.REASON_ACCOUNT_NO_NAME),
        (6, "employees", crm.REASON_BAD_EMPLOYEES),
    ]

    wider = CrmPipelineAdapter(high_touch_min_employees="10000", mid_touch_min_employees=0)
    assert {
        k: a.values["segment"] for k, a in _records(list(wider.read(tmp_path).accounts)).items()
    } == {
        "Big": "mid_touch",
        "Mid": "mid_touch",
        "Small": "mid_touch",
        "Odd": "mid_touch",
    }


def test_options_are_checked_when_built() -> None:
    assert isinstance(CrmPipelineAdapter(), Adapter)
    assert CrmPipelineAdapter.name == "crm_pipeline"
    with pytest.raises(ValueError, match="must not exceed"):
        CrmPipelineAdapter(high_touch_min_employees=100, mid_touch_min_employees=1_000)
    with pytest.raises(ValueError, match="0 or more"):
        CrmPipelineAdapter(mid_touch_min_employees=-1)
    with pytest.raises(UnknownNameError, match="Nowhere"):
        CrmPipelineAdapter(timezone="Nowhere/Special")


def test_missing_file_and_column(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"sales_pipeline\.csv"):
        CrmPipelineAdapter().read(tmp_path)

    # Hand-made: a pipeline without the deal_stage column.
    _export(tmp_path, [])
    _write(tmp_path / crm.PIPELINE_FILE, ["opportunity_id", "account"], [["D-1", "Acme"]])
    with pytest.raises(DataError, match="deal_stage"):
        list(CrmPipelineAdapter().read(tmp_path).touchpoints)


# --- invariant: the segment only grows with the head count ------------------------------------


@given(
    low=st.integers(0, 20_000),
    gap=st.integers(0, 20_000),
    a=st.integers(0, 50_000),
    b=st.integers(0, 50_000),
)
def test_segment_is_monotone_in_employees(low: int, gap: int, a: int, b: int) -> None:
    adapter = CrmPipelineAdapter(
        mid_touch_min_employees=low, high_touch_min_employees=low + gap
    )
    rank = {"tech_touch": 0, "mid_touch": 1, "high_touch": 2}

    smaller, larger = sorted((a, b))
    assert rank[adapter.segment_for(smaller)] <= rank[adapter.segment_for(larger)]
