"""Catalog files: extra kinds and segments, validated on load with key paths in errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchpoint_signals.config import catalog_from_mapping, catalog_from_toml
from touchpoint_signals.errors import ConfigError
from touchpoint_signals.model import DEFAULT_CATALOG, LifecycleStage


def test_a_kind_and_a_segment_are_added_to_the_built_ins() -> None:
    catalog = catalog_from_mapping(
        {
            "kinds": {"webinar": {"meeting": True, "description": "group training"}},
            "segments": {
                "strategic": {
                    "survey_cap": 1,
                    "max_touches_per_30_days": 20,
                    "cadence": [
                        {"kind": "webinar", "min_days": 30, "max_days": 45},
                        {
                            "kind": "check_in",
                            "min_days": 7,
                            "max_days": 7,
                            "stage": "onboarding",
                        },
                    ],
                }
            },
        }
    )

    assert catalog.kind("webinar").meeting is True
    assert catalog.kind_names[: len(DEFAULT_CATALOG.kinds)] == DEFAULT_CATALOG.kind_names
    strategic = catalog.segment("strategic")
    assert strategic.cadence.survey_cap == 1
    assert strategic.cadence.max_touches_per_30_days == 20
    assert strategic.cadence.expected("webinar").max_days == 45.0  # type: ignore[union-attr]
    onboarding = strategic.cadence.expected("check_in", LifecycleStage.ONBOARDING)
    assert onboarding is not None
    assert onboarding.min_days == 7.0
    assert strategic.cadence.expected("check_in", LifecycleStage.ADOPTION) is None


def test_a_segment_with_a_built_in_name_replaces_it() -> None:
    catalog = catalog_from_mapping({"segments": {"tech_touch": {"survey_cap": 0}}})

    assert catalog.segment("tech_touch").cadence.survey_cap == 0
    assert catalog.segment_names == ("high_touch", "mid_touch", "tech_touch")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kindz": {}}, r"catalog\.kindz: unknown key, expected one of kinds, segments"),
        ({"kinds": {"Web Inar": {}}}, r"catalog\.kinds\.Web Inar: .*lower-case identifier"),
        ({"kinds": {"webinar": {"meeting": "yes"}}}, r"catalog\.kinds\.webinar\.meeting"),
        (
            {"segments": {"s": {"cadence": [{"kind": "check_in", "min_days": 7}]}}},
            r"catalog\.segments\.s\.cadence\[0\]\.max_days: missing",
        ),
        (
            {"segments": {"s": {"cadence": [{"kind": "qbrr", "min_days": 1, "max_days": 2}]}}},
            r"catalog\.segments\.s\.cadence\[0\]\.kind: unknown kind 'qbrr'.*qbr",
        ),
        (
            {"segments": {"s": {"cadence": [{"kind": "qbr", "min_days": 9, "max_days": 2}]}}},
            r"catalog\.segments\.s\.cadence\[0\]: .*min_days <= max_days",
        ),
        ({"segments": {"s": {"survey_cap": 1.5}}}, r"catalog\.segments\.s\.survey_cap"),
    ],
)
def test_errors_name_the_key_path(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        catalog_from_mapping(data)


def test_toml_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(
        '[kinds.webinar]\nmeeting = true\ndescription = "group"\n', encoding="utf-8"
    )

    assert catalog_from_toml(path).kind("webinar").description == "group"


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text("[kinds\n", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"catalog\.toml: not valid TOML"):
        catalog_from_toml(path)
