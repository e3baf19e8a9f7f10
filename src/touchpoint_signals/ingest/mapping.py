"""Column mappings: read a pipeline's own column names and value spellings as they are.

A :class:`ColumnMapping` says, for one kind of record (touchpoints or accounts), which source
column holds each canonical field, how the source spells values (``"Yes"`` in a ``No-show``
column meaning ``no_show``), and which fields take one constant value for the whole source
(``kind = "support"`` for a ticket export). A :class:`MappingFile` bundles the touchpoint and
account mappings, the zone of naive times, and options for a format adapter, and is read from
TOML without executing anything.

Example mapping file::

    default_tz = "Europe/Berlin"

    [touchpoints.columns]
    id = "ticket_id"
    account_id = "customer"
    occurred_at = "opened"

    [touchpoints.values.status]
    closed = "completed"

    [touchpoints.constants]
    kind = "support"
    direction = "inbound"
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError, UnknownNameError
from touchpoint_signals.ingest.records import ACCOUNT_FIELDS, TOUCHPOINT_FIELDS
from touchpoint_signals.timeparse import parse_timezone

__all__ = ["ColumnMapping", "FieldPlan", "MappingFile", "normalise", "strip_strings"]


def _frozen_table(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return dict(value)


def normalise(value: object, spellings: Mapping[str, object] | None) -> object:
    """One raw value as the mapping hands it to validation: trimmed, blank as ``None``,
    respelled.

    Strings lose surrounding blanks and an empty one becomes ``None``; a value that the
    ``spellings`` table lists (looked up by its text, so ``1`` finds the spelling ``"1"``) is
    replaced by its canonical value. Other values pass through unchanged.
    """
    if isinstance(value, str):
        value = value.strip() or None
    if spellings is not None and value is not None:
        value = spellings.get(str(value), value)
    return value


def strip_strings(
    strings: list[str], dtype: np.dtypes.StringDType[Any]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """:func:`normalise` without spellings for a whole column of strings at once.

    Returns the trimmed strings as an array of ``dtype`` and the mask of those that were
    blank, which :func:`normalise` would turn into ``None``. Trimming is :meth:`str.strip`
    itself, mapped over the column in C.
    """
    trimmed = np.asarray(list(map(str.strip, strings)), dtype=dtype)
    return trimmed, trimmed == ""


@attrs.frozen
class FieldPlan:
    """Where one canonical field comes from: a source column or a constant, and its
    spellings."""

    field: str
    column: str
    is_constant: bool
    constant: object
    spellings: Mapping[str, object] | None


@attrs.frozen
class ColumnMapping:
    """How one source's columns and spellings map onto canonical fields.

    ``columns`` maps canonical field to source column; fields it does not name are read from
    a column of their own name. ``values`` maps canonical field to a table of source
    spelling to canonical value; spellings it does not list pass through unchanged and are
    validated as usual. ``constants`` gives fields a value for every record.
    """

    columns: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_table)
    values: Mapping[str, Mapping[str, object]] = attrs.field(
        factory=dict, converter=_frozen_table
    )
    constants: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_table)

    def apply(self, raw: Mapping[str, object], fields: tuple[str, ...]) -> dict[str, object]:
        """The canonical ``fields`` of one raw record, renamed and respelled.

        Surrounding blanks are trimmed and an empty string becomes ``None``, because CSV has
        no other way to write a missing value.
        """
        return self.compile(fields)(raw)

    def plan(self, fields: tuple[str, ...]) -> list[FieldPlan]:
        """Where each of ``fields`` comes from and how it is respelled, decided once.

        The loader reads whole columns, so it asks once per source which column (or
        constant) feeds each canonical field rather than once per record.
        """
        return [
            FieldPlan(
                field,
                self.columns.get(field, field),
                field in self.constants,
                self.constants.get(field),
                self.values.get(field),
            )
            for field in fields
        ]

    def compile(
        self, fields: tuple[str, ...]
    ) -> Callable[[Mapping[str, object]], dict[str, object]]:
        """:meth:`apply` for ``fields`` as a function, with the lookups done once.

        The loader calls the result once per account record, so the per-field decisions
        (constant, which column, which spelling table) are made here rather than per record.
        """
        plan = self.plan(fields)

        def apply(raw: Mapping[str, object]) -> dict[str, object]:
            get = raw.get
            return {
                step.field: normalise(
                    step.constant if step.is_constant else get(step.column), step.spellings
                )
                for step in plan
            }

        return apply

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, fields: tuple[str, ...], path: str
    ) -> ColumnMapping:
        """Validate a plain mapping (as read from TOML); errors name the key path."""
        allowed = {"columns", "values", "constants"}
        for key in data:
            if key not in allowed:
                raise ConfigError(
                    f"{path}.{key}: unknown key, expected one of {', '.join(sorted(allowed))}"
                )

        columns = _table(data.get("columns", {}), f"{path}.columns")
        values = _table(data.get("values", {}), f"{path}.values")
        constants = _table(data.get("constants", {}), f"{path}.constants")

        for name, table in (("columns", columns), ("values", values), ("constants", constants)):
            for field in table:
                if field not in fields:
                    raise ConfigError(
                        f"{path}.{name}.{field}: unknown field, expected one of "
                        f"{', '.join(fields)}"
                    )
        for field, column in columns.items():
            if not isinstance(column, str):
                raise ConfigError(
                    f"{path}.columns.{field}: expected a column name (string), got {column!r}"
                )
        for field, spellings in values.items():
            _table(spellings, f"{path}.values.{field}")

        return cls(columns=columns, values=values, constants=constants)


def _table(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: expected a table, got {value!r}")
    return dict(value)


def _zone(name: str, path: str) -> dt.tzinfo:
    try:
        return parse_timezone(name)
    except UnknownNameError as exc:
        raise ConfigError(f"{path}: {exc}") from None


@attrs.frozen
class MappingFile:
    """Everything a ``--mapping`` file can say about a source.

    ``adapter`` holds options passed to a format adapter's constructor (for example the
    vendor addresses of an mbox archive); ``default_tz`` the zone that naive times were
    written in.
    """

    touchpoints: ColumnMapping = attrs.field(factory=ColumnMapping)
    accounts: ColumnMapping = attrs.field(factory=ColumnMapping)
    adapter: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_table)
    default_tz: dt.tzinfo | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: str = "mapping") -> MappingFile:
        """Validate a plain mapping; errors name the key path and what was expected."""
        allowed = {"touchpoints", "accounts", "adapter", "default_tz"}
        for key in data:
            if key not in allowed:
                raise ConfigError(
                    f"{path}.{key}: unknown key, expected one of {', '.join(sorted(allowed))}"
                )

        zone = data.get("default_tz")
        if zone is not None and not isinstance(zone, str):
            raise ConfigError(f"{path}.default_tz: expected a zone name, got {zone!r}")

        return cls(
            touchpoints=ColumnMapping.from_mapping(
                _table(data.get("touchpoints", {}), f"{path}.touchpoints"),
                fields=TOUCHPOINT_FIELDS,
                path=f"{path}.touchpoints",
            ),
            accounts=ColumnMapping.from_mapping(
                _table(data.get("accounts", {}), f"{path}.accounts"),
                fields=ACCOUNT_FIELDS,
                path=f"{path}.accounts",
            ),
            adapter=_table(data.get("adapter", {}), f"{path}.adapter"),
            default_tz=None if zone is None else _zone(zone, f"{path}.default_tz"),
        )

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> MappingFile:
        """Read and validate a TOML mapping file."""
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{os.fspath(path)}: not valid TOML: {exc}") from None
        return cls.from_mapping(data, path=os.fspath(path))
