"""The errors that touchpoint_signals raises.

Every error derives from :class:`TouchpointSignalsError`, so a caller can catch everything the
library raises with one ``except``. Each leaf also derives from the built-in exception a Python
programmer would expect (``ValueError`` for bad values, ``TypeError`` for objects of the wrong
shape, ``KeyError`` for unknown names), so code written against the built-ins keeps working.

Messages are written for the data engineer who has to fix the input: they name the record
(source and row), the field, the value that arrived and what was expected.
"""

from __future__ import annotations

import importlib

__all__ = [
    "ConfigError",
    "DataError",
    "IntegrityError",
    "MissingExtraError",
    "NaiveDatetimeError",
    "ProtocolError",
    "RecordError",
    "TouchpointSignalsError",
    "UnknownNameError",
]


class TouchpointSignalsError(Exception):
    """Root of every error raised by touchpoint_signals."""


class DataError(TouchpointSignalsError, ValueError):
    """A value does not fit the domain model (a bad instant, an out-of-range csat, ...)."""


class RecordError(DataError):
    """One input record could not be read; says where it came from and which field failed.

    Attributes mirror :class:`touchpoint_signals.ingest.Rejection`, so strict and lenient
    modes describe a bad record with the same facts.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        row: int,
        field: str | None,
        value: object,
        expected: str,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.row = row
        self.field = field
        self.value = value
        self.expected = expected


class IntegrityError(RecordError):
    """Records that are each valid but contradict one another.

    Duplicate touchpoint ids, replies that point to unknown or later touchpoints, and
    touchpoints of accounts that the accounts table does not hold all raise this in strict
    mode.
    """


class NaiveDatetimeError(DataError):
    """An instant arrived without a time zone and no default zone was given."""


class UnknownNameError(TouchpointSignalsError, KeyError):
    """A kind, status, segment or other named value is not one of the known ones.

    The message lists the valid names. ``KeyError`` would wrap the message in quotes when
    printed, so ``__str__`` returns it as written.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ConfigError(TouchpointSignalsError, ValueError):
    """A configuration file or mapping is malformed; the message names the key path."""


class ProtocolError(TouchpointSignalsError, TypeError):
    """An object handed to the library does not have the shape a protocol requires."""


class MissingExtraError(TouchpointSignalsError, ImportError):
    """A function needs an optional dependency that is not installed.

    The message names the package and the extra that installs it
    (``pip install 'touchpoint-signals[pandas]'``); ``extra`` holds the extra's name. It is
    raised when the function is called, never when the library is imported: the core needs
    none of the extras.
    """

    def __init__(self, message: str, *, extra: str) -> None:
        super().__init__(message)
        self.extra = extra

    @classmethod
    def require(cls, package: str, *, extra: str, needed_by: str) -> None:
        """Raise this error, naming ``extra``, when ``package`` cannot be imported.

        A function that needs an optional package calls this first, then imports the
        package itself, so the import is checked and typed where it is used.
        """
        try:
            importlib.import_module(package)
        except ImportError as exc:
            raise cls(
                f"{needed_by} needs {package}, which is not installed: "
                f"pip install 'touchpoint-signals[{extra}]'",
                extra=extra,
            ) from exc
