"""The extractor protocol and what every extractor returns.

An extractor reads a :class:`~touchpoint_signals.log.TouchpointLog` at an ``as_of`` instant
and returns a :class:`SignalFrame`: one reading per account of the log, as columns. A frame
answers for every account; an account whose history is too thin gets the status
``insufficient_data`` and a reason, never a made-up healthy value.

The contract every extractor keeps:

* point in time: only touchpoints that occurred and were recorded at or before ``as_of``
  count (start from ``log.as_of(as_of)``);
* all accounts at once: numeric work is numpy over the columnar log; Python loops run per
  account at most (to write reasons), never per touchpoint;
* per account: a value in the signal's natural unit, a severity in [0, 1] (0 healthy, 1
  worst), a status, the sample sizes used, the ids of the touchpoints that are its evidence,
  and a one-line reason a CSM can read.

:func:`touchpoint_signals.checks.check_extractor` runs these rules against any extractor, a
third party's included; :class:`SignalFrame` enforces, when it is built, the ones that can be
seen in a single frame, and :func:`~touchpoint_signals.signals.extract.extract_signals` those
that need the call it answers (its name, its ``as_of``, evidence known by then).
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import DataError, UnknownNameError
from touchpoint_signals.log import ID, TouchpointLog

__all__ = ["Extractor", "Signal", "SignalFrame", "SignalStatus"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class SignalStatus(enum.StrEnum):
    """Whether a signal could be read for an account."""

    OK = "ok"
    INSUFFICIENT_DATA = "insufficient_data"


_STATUSES: tuple[SignalStatus, ...] = tuple(SignalStatus)
_OK = np.uint8(_STATUSES.index(SignalStatus.OK))
_INSUFFICIENT = np.uint8(_STATUSES.index(SignalStatus.INSUFFICIENT_DATA))


@attrs.frozen
class Signal:
    """One extractor's reading for one account at one instant.

    ``value`` is in ``unit`` (days, a rate, a ratio...) and may be ``None`` when the data are
    insufficient; ``severity`` is ``None`` exactly when ``status`` is ``insufficient_data``.
    ``samples`` names the sample sizes behind the reading (for example ``recent`` and
    ``baseline``), ``evidence`` the ids of the touchpoints it rests on, and ``details`` any
    further numbers the extractor reports (a longest streak, a p-value).
    """

    name: str
    account_id: str
    as_of: dt.datetime
    value: float | None
    unit: str
    severity: float | None
    status: SignalStatus
    reason: str
    samples: Mapping[str, int]
    evidence: tuple[str, ...]
    details: Mapping[str, float]


def _floats(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


@attrs.frozen(eq=False)
class _PendingIds:
    """Evidence ids not copied out of their log yet: ``source[positions]``.

    Most frames are scored and never asked for their evidence, and a large portfolio's
    evidence runs to millions of touchpoints, so :meth:`SignalFrame.from_log_rows` keeps
    integer positions into the log's id column and copies strings only when read.
    """

    source: npt.NDArray[Any]
    positions: IntArray

    def __len__(self) -> int:
        return len(self.positions)

    def read(self, part: slice = slice(None)) -> npt.NDArray[Any]:
        """The ids at ``positions[part]``, read-only, in the id dtype."""
        ids = self.source[self.positions[part]].astype(ID, copy=False)
        ids.flags.writeable = False
        return ids


@attrs.frozen(eq=False)
class SignalFrame:
    """One extractor's readings for every account of a log, as columns.

    Row ``a`` of every column belongs to ``account_ids[a]``, in the log's account order.
    Missing values are NaN in ``value`` and ``severity``; ``status`` holds codes into
    :class:`SignalStatus` order. Evidence is stored compactly: the ids of account ``a`` are
    ``evidence_ids[evidence_offsets[a]:evidence_offsets[a + 1]]``.

    Build one with :meth:`from_log_rows`, which takes evidence as log rows. Such a frame
    copies its evidence ids out of the log only when ``evidence_ids`` is first read (one
    account's evidence, through :meth:`at`, reads just that account's); until then it holds
    the log's id column, not the log.
    """

    name: str
    unit: str
    as_of: dt.datetime
    account_ids: npt.NDArray[Any]
    value: FloatArray = attrs.field(converter=_floats)
    severity: FloatArray = attrs.field(converter=_floats)
    status: npt.NDArray[np.uint8]
    reasons: tuple[str, ...]
    samples: Mapping[str, IntArray]
    evidence_offsets: IntArray
    _evidence_ids: npt.NDArray[Any] | _PendingIds
    details: Mapping[str, FloatArray] = attrs.field(factory=dict)

    # The log whose rows ``from_log_rows`` turned into this frame's evidence (a weak
    # reference, so a frame never keeps a log alive); ``None`` for a frame built otherwise.
    _evidence_log: weakref.ref[TouchpointLog] | None = attrs.field(
        default=None, init=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        n = len(self.account_ids)
        if not self._lengths_match(n):
            self._raise_length_error(n)
        if len(self.evidence_offsets) != n + 1:
            raise DataError(f"signal {self.name!r}: evidence_offsets needs {n + 1} entries")

        # One pass over severity checks both rules: an ok reading lies in [0, 1] (NaN fails
        # both comparisons), any other reading is NaN. The messages need the slower split.
        ok = self.status == _OK
        severity = self.severity
        valid = np.where(ok, (severity >= 0) & (severity <= 1), np.isnan(severity))
        if not valid.all():
            if not valid[ok].all():
                raise DataError(
                    f"signal {self.name!r}: severity of an ok reading must lie in [0, 1]"
                )
            raise DataError(
                f"signal {self.name!r}: an insufficient_data reading must have no severity"
            )

        # ``str.isspace`` is true of a non-empty all-whitespace string: with ``all`` (no empty
        # string) it finds the reasons that strip to nothing, without a call per reason.
        if not all(self.reasons) or any(map(str.isspace, self.reasons)):
            blank = [str(self.account_ids[a]) for a in range(n) if not self.reasons[a].strip()]
            raise DataError(f"signal {self.name!r}: empty reason for accounts {blank[:5]}")
        if "\n" in "".join(self.reasons):
            broken = [str(self.account_ids[a]) for a in range(n) if "\n" in self.reasons[a]]
            raise DataError(
                f"signal {self.name!r}: a reason is one line; accounts {broken[:5]} have more"
            )
        if np.isinf(self.value).any():
            raise DataError(f"signal {self.name!r}: value must be finite or NaN, not infinite")

    def _lengths_match(self, n: int) -> bool:
        """Whether every per-account column has ``n`` rows (checked without labels)."""
        lengths = {
            len(self.value),
            len(self.severity),
            len(self.status),
            len(self.reasons),
            *map(len, self.samples.values()),
            *map(len, self.details.values()),
        }
        return lengths == {n}

    def _raise_length_error(self, n: int) -> None:
        """Name the first column whose length is not ``n``, in the order columns are listed."""
        columns: dict[str, Any] = {
            "value": self.value,
            "severity": self.severity,
            "status": self.status,
            "reasons": self.reasons,
            **{f"samples[{k}]": v for k, v in self.samples.items()},
            **{f"details[{k}]": v for k, v in self.details.items()},
        }
        for label, column in columns.items():
            if len(column) != n:
                raise DataError(
                    f"signal {self.name!r}: column {label} has {len(column)} rows for "
                    f"{n} accounts"
                )

    @property
    def evidence_ids(self) -> npt.NDArray[Any]:
        """Every account's evidence ids end to end (see ``evidence_offsets``), read-only."""
        stored = self._evidence_ids
        if isinstance(stored, _PendingIds):
            stored = stored.read()
            object.__setattr__(self, "_evidence_ids", stored)
        return stored

    @property
    def n_evidence(self) -> int:
        """How many evidence ids the frame holds, without reading them."""
        return len(self._evidence_ids)

    def cites_rows_of(self, log: TouchpointLog) -> bool:
        """Whether :meth:`from_log_rows` built this frame's evidence from rows of ``log``.

        Then every evidence id is the id of a row of ``log`` (the rows were checked to lie
        in it, and ``evidence_ids`` is read-only), so a caller that knows every row of
        ``log`` to be known at ``as_of`` need not look the ids up one by one. ``False`` for
        any other frame, including one derived with :func:`attrs.evolve`.
        """
        return self._evidence_log is not None and self._evidence_log() is log

    @classmethod
    def from_log_rows(
        cls,
        *,
        name: str,
        unit: str,
        as_of: dt.datetime,
        log: TouchpointLog,
        value: npt.ArrayLike,
        severity: npt.ArrayLike,
        sufficient: npt.NDArray[np.bool_],
        reasons: Sequence[str],
        samples: Mapping[str, npt.ArrayLike],
        evidence_rows: npt.ArrayLike,
        details: Mapping[str, npt.ArrayLike] | None = None,
    ) -> SignalFrame:
        """Assemble a frame for ``log``'s accounts; evidence is given as rows of ``log``.

        Parameters
        ----------
        value, severity, sufficient, reasons
            One entry per account of ``log``, in ``log.account_ids`` order. ``severity`` is
            set to NaN wherever ``sufficient`` is false, so an extractor cannot leak a number
            for an account it could not read.
        samples, details
            Named columns of one entry per account (sample sizes, further numbers).
        evidence_rows
            One flat array of row numbers of ``log`` (not one list per account): the rows
            are grouped by their account here, and their ids become each account's evidence.
            Pass the point-in-time view the extractor read (``log.as_of(as_of)``), so that
            evidence never includes what was not yet known.
        """
        try:
            rows = np.asarray(evidence_rows, dtype=np.int64).reshape(-1)
        except (TypeError, ValueError):
            raise DataError(
                f"signal {name!r}: evidence_rows must be one flat array of log row numbers, "
                "not one list per account"
            ) from None
        if rows.size > 1 and not (rows[1:] > rows[:-1]).all():
            rows = np.unique(rows)
        if rows.size and (rows[0] < 0 or rows[-1] >= len(log)):
            raise DataError(
                f"signal {name!r}: evidence row {int(rows[0] if rows[0] < 0 else rows[-1])} "
                f"is not a row of the log, which has {len(log)} rows"
            )

        # Rows are sorted and the log's accounts are contiguous runs of rows, so the evidence
        # of account ``a`` starts where the first row at or after ``log.offsets[a]`` sits.
        offsets = np.searchsorted(rows, log.offsets).astype(np.int64, copy=False)
        evidence_ids = _PendingIds(*log.id_locations(rows))

        sufficient = np.asarray(sufficient, dtype=bool)
        frame = cls(
            name=name,
            unit=unit,
            as_of=as_of,
            account_ids=log.account_ids,
            value=value,
            severity=np.where(sufficient, _floats(severity), np.nan),
            status=np.where(sufficient, _OK, _INSUFFICIENT),
            reasons=tuple(reasons),
            samples={k: np.asarray(v, dtype=np.int64) for k, v in samples.items()},
            evidence_offsets=offsets,
            evidence_ids=evidence_ids,
            details={k: _floats(v) for k, v in (details or {}).items()},
        )
        object.__setattr__(frame, "_evidence_log", weakref.ref(log))
        return frame

    def __len__(self) -> int:
        return len(self.account_ids)

    def _code(self, account_id: str) -> int:
        matches = np.flatnonzero(self.account_ids == account_id)
        if matches.size == 0:
            raise UnknownNameError(f"account {account_id!r} is not in signal {self.name!r}")
        return int(matches[0])

    def signal(self, account_id: str) -> Signal:
        """The reading for one account."""
        return self.at(self._code(account_id))

    def at(self, code: int) -> Signal:
        """The reading for the account at position ``code``."""
        status = _STATUSES[int(self.status[code])]
        value = float(self.value[code])
        severity = float(self.severity[code])
        start, end = int(self.evidence_offsets[code]), int(self.evidence_offsets[code + 1])
        return Signal(
            name=self.name,
            account_id=str(self.account_ids[code]),
            as_of=self.as_of,
            value=None if math.isnan(value) else value,
            unit=self.unit,
            severity=None if math.isnan(severity) else severity,
            status=status,
            reason=self.reasons[code],
            samples={k: int(v[code]) for k, v in self.samples.items()},
            evidence=tuple(self._evidence_of(start, end)),
            details={k: float(v[code]) for k, v in self.details.items()},
        )

    def _evidence_of(self, start: int, end: int) -> list[str]:
        """Evidence ids ``start:end`` as strings, read from the log if not copied yet."""
        stored = self._evidence_ids
        if isinstance(stored, _PendingIds):
            ids = stored.read(slice(start, end))
        else:
            ids = stored[start:end]
        return [str(i) for i in ids.tolist()]

    def __iter__(self) -> Iterator[Signal]:
        return (self.at(code) for code in range(len(self)))

    @property
    def sufficient(self) -> npt.NDArray[np.bool_]:
        """Accounts whose reading is ``ok``."""
        result: npt.NDArray[np.bool_] = self.status == _OK
        return result


@runtime_checkable
class Extractor(Protocol):
    """Anything with a ``name`` and an ``extract(log, as_of)`` that returns a SignalFrame.

    Extractors are frozen attrs classes whose attributes are their parameters (windows,
    thresholds, minimum sample sizes), each with a documented default, so that a configured
    extractor is plain data that can be compared, hashed into a scorer's configuration and
    rebuilt with :func:`attrs.evolve`.
    """

    @property
    def name(self) -> str:
        """The signal's name, unique among the extractors a scorer uses."""
        ...

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> SignalFrame:
        """Read every account of ``log`` as known at ``as_of``."""
        ...
