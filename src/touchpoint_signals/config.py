"""Kinds and segments from plain data: a dict or a TOML file, validated on load.

Loading executes no code: a catalog file can only name kinds and segments and give them
settings. Errors name the key path (``catalog.segments.strategic.cadence[1].max_days``) and
what was expected there.

Example catalog file::

    [kinds.webinar]
    meeting = true
    description = "one-to-many training webinar"

    [segments.strategic]
    human_led = true
    survey_cap = 1
    max_touches_per_30_days = 20
    cadence = [
        { kind = "check_in", min_days = 7, max_days = 14 },
        { kind = "ebr", min_days = 150, max_days = 200 },
    ]

A kind or segment with a built-in's name replaces the built-in.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from typing import Any

from touchpoint_signals.errors import ConfigError, DataError, UnknownNameError
from touchpoint_signals.model import (
    DEFAULT_CATALOG,
    CadenceExpectation,
    CadencePolicy,
    Catalog,
    Segment,
    TouchpointKind,
)

__all__ = ["catalog_from_mapping", "catalog_from_toml"]

_KIND_KEYS = {"meeting": bool, "human_led": bool, "description": str}
_SEGMENT_KEYS = {
    "human_led": bool,
    "description": str,
    "survey_cap": int,
    "max_touches_per_30_days": int,
    "cadence": list,
}
_CADENCE_KEYS = {"kind": str, "min_days": (int, float), "max_days": (int, float), "stage": str}


def _table(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: expected a table, got {value!r}")
    return value


def _checked(table: Mapping[str, Any], allowed: Mapping[str, Any], path: str) -> None:
    for key, value in table.items():
        if key not in allowed:
            raise ConfigError(
                f"{path}.{key}: unknown key, expected one of {', '.join(sorted(allowed))}"
            )
        expected = allowed[key]
        if isinstance(value, bool) and expected is not bool:
            raise ConfigError(f"{path}.{key}: expected {_type_name(expected)}, got {value!r}")
        if not isinstance(value, expected):
            raise ConfigError(f"{path}.{key}: expected {_type_name(expected)}, got {value!r}")


def _type_name(expected: Any) -> str:
    names = {bool: "true or false", str: "a string", int: "an integer", list: "an array"}
    if isinstance(expected, tuple):
        return "a number"
    return names.get(expected, str(expected))


def _build(path: str, factory: Any, **kwargs: Any) -> Any:
    try:
        return factory(**kwargs)
    except (DataError, UnknownNameError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def catalog_from_mapping(
    data: Mapping[str, Any], *, base: Catalog = DEFAULT_CATALOG, path: str = "catalog"
) -> Catalog:
    """A catalog of ``base`` plus the kinds and segments that ``data`` defines."""
    for key in data:
        if key not in ("kinds", "segments"):
            raise ConfigError(f"{path}.{key}: unknown key, expected one of kinds, segments")

    kinds = []
    for name, settings in _table(data.get("kinds", {}), f"{path}.kinds").items():
        where = f"{path}.kinds.{name}"
        _checked(_table(settings, where), _KIND_KEYS, where)
        kinds.append(_build(where, TouchpointKind, name=name, **settings))
    catalog = base.with_kinds(*kinds)

    segments = []
    for name, settings in _table(data.get("segments", {}), f"{path}.segments").items():
        where = f"{path}.segments.{name}"
        _checked(_table(settings, where), _SEGMENT_KEYS, where)
        segments.append(_segment(name, dict(settings), catalog, where))
    return catalog.with_segments(*segments)


def _segment(name: str, settings: dict[str, Any], catalog: Catalog, path: str) -> Segment:
    expectations = []
    for index, entry in enumerate(settings.pop("cadence", [])):
        where = f"{path}.cadence[{index}]"
        _checked(_table(entry, where), _CADENCE_KEYS, where)
        for required in ("kind", "min_days", "max_days"):
            if required not in entry:
                raise ConfigError(f"{where}.{required}: missing, expected a value")
        if entry["kind"] not in catalog.kind_names:
            raise ConfigError(
                f"{where}.kind: unknown kind {entry['kind']!r}, expected one of "
                f"{', '.join(catalog.kind_names)}"
            )
        expectations.append(_build(where, CadenceExpectation, **entry))

    policy_keys = ("survey_cap", "max_touches_per_30_days")
    policy = {key: settings.pop(key) for key in policy_keys if key in settings}
    cadence = _build(path, CadencePolicy, expectations=tuple(expectations), **policy)
    segment: Segment = _build(path, Segment, name=name, cadence=cadence, **settings)
    return segment


def catalog_from_toml(
    path: str | os.PathLike[str], *, base: Catalog = DEFAULT_CATALOG
) -> Catalog:
    """Read a catalog file (see the module docstring for its form)."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{os.fspath(path)}: not valid TOML: {exc}") from None
    return catalog_from_mapping(data, base=base, path=os.fspath(path))
