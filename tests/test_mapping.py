"""Column mappings and mapping files: applying them, and errors that name the key path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.ingest.mapping import ColumnMapping, MappingFile
from touchpoint_signals.ingest.records import ACCOUNT_FIELDS, TOUCHPOINT_FIELDS

TP_FIELDS = ", ".join(TOUCHPOINT_FIELDS)


# -- ColumnMapping.apply ----------------------------------------------------------------


def test_apply_renames_columns_and_reads_others_by_own_name() -> None:
    mapping = ColumnMapping(columns={"id": "ticket_id"})

    assert mapping.apply({"ticket_id": "T-1", "kind": "qbr"}, ("id", "kind", "status")) == {
        "id": "T-1",
        "kind": "qbr",
        "status": None,
    }


def test_apply_trims_and_turns_blank_into_none() -> None:
    assert ColumnMapping().apply({"id": "  t1 ", "text": "   "}, ("id", "text")) == {
        "id": "t1",
        "text": None,
    }


def test_apply_respells_values_and_passes_unknown_spellings_through() -> None:
    mapping = ColumnMapping(values={"status": {"closed": "completed", "1": "no_show"}})

    assert mapping.apply({"status": " closed "}, ("status",)) == {"status": "completed"}
    assert mapping.apply({"status": 1}, ("status",)) == {"status": "no_show"}
    assert mapping.apply({"status": "open"}, ("status",)) == {"status": "open"}


def test_apply_constants_override_columns() -> None:
    mapping = ColumnMapping(constants={"kind": "support"})

    assert mapping.apply({"kind": "qbr"}, ("kind",)) == {"kind": "support"}


def test_apply_leaves_non_strings_alone() -> None:
    assert ColumnMapping().apply({"csat": 4, "attendees": None}, ("csat", "attendees")) == {
        "csat": 4,
        "attendees": None,
    }


# -- MappingFile.from_mapping -----------------------------------------------------------


def test_from_mapping_reads_everything() -> None:
    mapping = MappingFile.from_mapping(
        {
            "default_tz": "Europe/Berlin",
            "touchpoints": {
                "columns": {"id": "ticket_id"},
                "values": {"status": {"closed": "completed"}},
                "constants": {"kind": "support"},
            },
            "accounts": {"columns": {"segment": "tier"}},
            "adapter": {"vendor_domains": ["example.com"]},
        }
    )

    assert mapping.touchpoints == ColumnMapping(
        {"id": "ticket_id"}, {"status": {"closed": "completed"}}, {"kind": "support"}
    )
    assert mapping.accounts.columns == {"segment": "tier"}
    assert mapping.adapter == {"vendor_domains": ["example.com"]}
    assert dt.datetime(2026, 7, 1, tzinfo=mapping.default_tz).utcoffset() == dt.timedelta(
        hours=2
    )


def test_empty_mapping_is_the_default() -> None:
    assert MappingFile.from_mapping({}) == MappingFile()


def test_unknown_top_level_key_lists_allowed_keys() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^mapping.touchpoint: unknown key, expected one of accounts, adapter, "
        r"default_tz, touchpoints$",
    ):
        MappingFile.from_mapping({"touchpoint": {}})


def test_unknown_field_names_key_path_and_lists_fields() -> None:
    with pytest.raises(
        ConfigError,
        match=rf"^mapping.touchpoints.columns.idd: unknown field, expected one of {TP_FIELDS}$",
    ):
        MappingFile.from_mapping({"touchpoints": {"columns": {"idd": "ticket_id"}}})


def test_unknown_account_field_lists_account_fields() -> None:
    with pytest.raises(
        ConfigError,
        match=rf"^mapping.accounts.constants.tier: unknown field, expected one of "
        rf"{', '.join(ACCOUNT_FIELDS)}$",
    ):
        MappingFile.from_mapping({"accounts": {"constants": {"tier": "gold"}}})


def test_unknown_section_key_lists_allowed_keys() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^mapping.touchpoints.renames: unknown key, expected one of columns, "
        r"constants, values$",
    ):
        MappingFile.from_mapping({"touchpoints": {"renames": {}}})


def test_column_must_be_a_string() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^mapping.touchpoints.columns.id: expected a column name \(string\), got 3$",
    ):
        MappingFile.from_mapping({"touchpoints": {"columns": {"id": 3}}})


def test_spellings_must_be_a_table() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^mapping.touchpoints.values.status: expected a table, got 'closed'$",
    ):
        MappingFile.from_mapping({"touchpoints": {"values": {"status": "closed"}}})


@pytest.mark.parametrize("section", ["touchpoints", "accounts", "adapter"])
def test_section_must_be_a_table(section: str) -> None:
    with pytest.raises(ConfigError, match=rf"^mapping.{section}: expected a table, got \[1\]$"):
        MappingFile.from_mapping({section: [1]})


def test_default_tz_must_be_a_string() -> None:
    with pytest.raises(ConfigError, match=r"^mapping.default_tz: expected a zone name, got 5$"):
        MappingFile.from_mapping({"default_tz": 5})


def test_unknown_default_tz_names_the_key_path() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^mapping.default_tz: unknown time zone 'Mars/Olympus': expected an IANA name",
    ):
        MappingFile.from_mapping({"default_tz": "Mars/Olympus"})


def test_path_prefix_is_used() -> None:
    with pytest.raises(ConfigError, match=r"^cfg.toml.touchpoints.columns.idd: unknown field"):
        MappingFile.from_mapping({"touchpoints": {"columns": {"idd": "x"}}}, path="cfg.toml")


# -- MappingFile.from_toml --------------------------------------------------------------


def test_from_toml_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('default_tz = "UTC"\n[touchpoints.values.status]\nclosed = "completed"\n')

    mapping = MappingFile.from_toml(path)

    assert mapping.touchpoints.values == {"status": {"closed": "completed"}}
    assert mapping.default_tz is not None


def test_from_toml_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('[touchpoints.columns]\nidd = "ticket_id"\n')

    with pytest.raises(
        ConfigError,
        match=rf"^{path}.touchpoints.columns.idd: unknown field, expected one of id, ",
    ):
        MappingFile.from_toml(path)


def test_bad_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text("[touchpoints\nid = \n")

    with pytest.raises(ConfigError, match=rf"^{path}: not valid TOML: "):
        MappingFile.from_toml(path)
