"""The error hierarchy: one root, leaves that are also the matching built-in exceptions."""

from __future__ import annotations

import pytest

from touchpoint_signals import errors
from touchpoint_signals.errors import (
    ConfigError,
    DataError,
    IntegrityError,
    NaiveDatetimeError,
    ProtocolError,
    RecordError,
    TouchpointSignalsError,
    UnknownNameError,
)

_RECORD_FACTS = {"source": "f.csv", "row": 3, "field": "csat", "value": "9", "expected": "1-5"}


def test_every_public_error_derives_from_the_root() -> None:
    public = [getattr(errors, name) for name in errors.__all__]

    assert all(issubclass(cls, TouchpointSignalsError) for cls in public)
    assert TouchpointSignalsError.__bases__ == (Exception,)


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (DataError, ValueError),
        (RecordError, ValueError),
        (IntegrityError, ValueError),
        (NaiveDatetimeError, ValueError),
        (ConfigError, ValueError),
        (ProtocolError, TypeError),
        (UnknownNameError, KeyError),
    ],
)
def test_leaf_is_also_the_matching_builtin(error: type[Exception], builtin: type) -> None:
    assert issubclass(error, builtin)
    assert issubclass(error, TouchpointSignalsError)


def test_integrity_error_is_a_record_error() -> None:
    assert issubclass(IntegrityError, RecordError)
    assert issubclass(RecordError, DataError)


def test_errors_are_not_crossed_with_other_builtins() -> None:
    assert not issubclass(ProtocolError, ValueError)
    assert not issubclass(UnknownNameError, ValueError)
    assert not issubclass(DataError, TypeError)


def test_unknown_name_error_str_is_unquoted() -> None:
    error = UnknownNameError("unknown kind 'x': expected one of a, b")

    assert str(error) == "unknown kind 'x': expected one of a, b"
    assert str(KeyError("unknown kind 'x'")) == "\"unknown kind 'x'\""


def test_unknown_name_error_without_message_is_empty() -> None:
    assert str(UnknownNameError()) == ""


def test_unknown_name_error_caught_as_key_error() -> None:
    with pytest.raises(KeyError, match=r"^unknown segment 'gold'$"):
        raise UnknownNameError("unknown segment 'gold'")


def test_record_error_keeps_its_facts() -> None:
    error = RecordError("bad csat", **_RECORD_FACTS)

    assert str(error) == "bad csat"
    facts = (error.source, error.row, error.field, error.value, error.expected)
    assert facts == ("f.csv", 3, "csat", "9", "1-5")


def test_integrity_error_keeps_its_facts() -> None:
    error = IntegrityError("duplicate", **{**_RECORD_FACTS, "field": None})

    assert (error.source, error.row, error.field) == ("f.csv", 3, None)


def test_record_error_requires_its_facts_by_keyword() -> None:
    with pytest.raises(TypeError, match="positional"):
        RecordError("bad", "f.csv", 3, "csat", "9", "1-5")  # type: ignore[misc]
