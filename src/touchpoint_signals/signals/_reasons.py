"""Build one reason line per account for every account at once, with numpy arrays of text.

An extractor reads 100,000 accounts in a few numpy passes; writing their reasons one
f-string call per account used to cost as much again. The reasons follow a handful of
templates whose variable parts take few distinct values (counts, caps, day numbers), so each
distinct value is written once by the same Python formatting as before and the parts are
joined column-wise. Only the rare, many-branched templates (an account that breaks a cap, or
is overdue on several kinds) are still written by a Python loop, over those accounts alone.

The arrays hold Python ``str`` objects (numpy's object dtype), not
:class:`numpy.dtypes.StringDType`: laying distinct lines out per account, joining and
turning the result into a list then move pointers, where a string dtype copies every
string into its own storage (several times slower per account for lines longer than 15
bytes, as reasons are).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "STRING",
    "StrArray",
    "by_key",
    "by_rows",
    "by_value",
    "by_values",
    "concat",
    "to_list",
]

STRING = np.dtypes.ObjectDType()
"""The dtype of every array this module builds: Python ``str`` objects, never missing."""

StrArray = npt.NDArray[np.object_]
"""An array of reason text (its dtype is :data:`STRING`)."""


#: Up to this many entries, ``write`` is called for each one: finding the distinct values
#: costs more than it saves on a few accounts (a service scoring one account per call).
_FEW = 16


def _unique(
    values: npt.NDArray[Any],
) -> tuple[npt.NDArray[Any], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """``np.unique(values, return_index=True, return_inverse=True)`` of a flat array.

    Whole numbers (counts, keys) that span a range no wider than a few times their number
    are numbered through a table over that range instead of a sort: the distinct values in
    ascending order, the first position of each, and each entry's code, as ``np.unique``
    gives them.
    """
    flat = values.reshape(-1)
    if flat.dtype.kind in "iu" and flat.size:
        low, high = int(flat.min()), int(flat.max())
        if low > -(2**62) and high < 2**62 and high - low < 4 * flat.size + 1024:
            shifted = flat.astype(np.intp) - low
            present = np.zeros(high - low + 1, dtype=bool)
            present[shifted] = True
            positions = np.flatnonzero(present)
            code = np.cumsum(present, dtype=np.intp) - 1
            # Assigned in reverse, the earliest position of each value is written last.
            first_at = np.empty(present.size, dtype=np.intp)
            first_at[shifted[::-1]] = np.arange(flat.size - 1, -1, -1, dtype=np.intp)
            distinct = (positions + low).astype(flat.dtype)
            return distinct, first_at[positions], code[shifted]
    distinct, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    return distinct, first, inverse.reshape(-1)


def by_value(values: npt.NDArray[Any], write: Callable[[Any], str]) -> StrArray:
    """``write(v)`` for each entry ``v`` of ``values``, called once per distinct value.

    ``write`` receives plain Python numbers (from ``tolist``), so the text is exactly what
    the same f-string gave when it ran per account. NaNs count as one value; ``-0.0`` and
    ``0.0`` count as one (``write`` sees one of them), which matters only to a template that
    writes the sign of a zero.
    """
    if np.size(values) <= _FEW:
        few = np.array([write(v) for v in np.ravel(values).tolist()], dtype=STRING)
        return few.reshape(np.shape(values))
    distinct, _, inverse = _unique(np.asarray(values))

    texts = np.array([write(v) for v in distinct.tolist()], dtype=STRING)

    result: StrArray = texts[inverse.reshape(np.shape(values))]
    return result


def by_key(
    keys: npt.NDArray[np.int64], values: npt.NDArray[Any], write: Callable[[Any], str]
) -> StrArray:
    """``write(v)`` for each entry ``v`` of ``values``, called once per distinct key.

    For a template whose text depends on less than the whole value (a duration printed to
    a tenth): the caller keys the values so that values sharing a key are written alike,
    and each key's text is written from its first value. ``write`` receives plain Python
    numbers, as from :func:`by_value`.
    """
    if np.size(keys) <= _FEW:
        return by_value(values, write)
    _, first, inverse = _unique(keys)
    texts = np.array([write(v) for v in values[first].tolist()], dtype=STRING)
    result: StrArray = texts[inverse.reshape(np.shape(keys))]
    return result


def by_values(columns: tuple[npt.NDArray[Any], ...], write: Callable[..., str]) -> StrArray:
    """``write(*row)`` for each row across ``columns``, called once per distinct row.

    As :func:`by_value`, for templates that read several numbers at once (an interval's two
    ends); the columns hold no NaN.
    """
    # Rows sorted by every column (a lexsort of the columns in one common dtype, as a
    # stacked table would hold them) and numbered where any column changes; rows of
    # counts are numbered by one key each instead (see _unique).
    common = np.result_type(*columns)
    table = [np.asarray(column, dtype=common).reshape(-1) for column in columns]
    if table[0].size <= _FEW:
        rows = zip(*(column.tolist() for column in table), strict=True)
        return np.array([write(*row) for row in rows], dtype=STRING)
    if common.kind in "iu" and all(int(column.min()) >= 0 for column in table):
        sizes = [int(column.max()) + 1 for column in table]
        if math.prod(sizes) < 2**62:
            keys = np.ravel_multi_index(tuple(table), sizes)
            _, first, inverse = _unique(np.asarray(keys))
            rows = zip(*(column[first].tolist() for column in table), strict=True)
            texts = np.array([write(*row) for row in rows], dtype=STRING)
            keyed: StrArray = texts[inverse]
            return keyed
    order = np.lexsort(table[::-1])
    ordered = [column[order] for column in table]
    new = np.zeros(order.size, dtype=bool)
    new[:1] = True
    for column in ordered:
        new[1:] |= column[1:] != column[:-1]
    codes = np.empty(order.size, dtype=np.int64)
    codes[order] = np.cumsum(new) - 1

    rows = zip(*(column[new].tolist() for column in ordered), strict=True)
    texts = np.array([write(*row) for row in rows], dtype=STRING)

    result: StrArray = texts[codes]
    return result


def by_rows(columns: tuple[npt.NDArray[np.int64], ...], write: Callable[..., str]) -> list[str]:
    """``write(*row)`` for each row across ``columns``, called once per distinct row.

    For a line that reads several counts (non-negative integers) and nothing else: the
    rows are keyed by one integer each (or compared whole when the counts are too large
    to key), and the distinct lines are laid out through an object array, whose take and
    ``tolist`` cost a few nanoseconds a row where a string array's cost over a hundred.
    """
    stacked = np.stack(columns).astype(np.int64).reshape(len(columns), -1)
    if stacked.shape[1] <= _FEW:
        return [write(*row) for row in stacked.T.tolist()]
    sizes = [int(size) + 1 for size in stacked.max(axis=1, initial=0).tolist()]

    if math.prod(sizes) < 2**62:
        keys = np.ravel_multi_index(tuple(stacked), sizes)
        _, first, inverse = _unique(np.asarray(keys))
        rows = stacked[:, first].T.tolist()
    else:
        distinct, inverse = np.unique(stacked.T, axis=0, return_inverse=True)
        rows = distinct.tolist()
    texts = np.array([write(*row) for row in rows] or [""], dtype=object)

    result: list[str] = texts[inverse.reshape(-1)].tolist()
    return result


def concat(*parts: StrArray | str) -> StrArray:
    """The parts joined end to end, element-wise (plain strings are repeated).

    The array parts are one-dimensional and of one length. Each line is one ``str.join``
    of its parts, which builds it once instead of once per part.
    """
    arrays = [part for part in parts if not isinstance(part, str)]
    if not arrays:
        return np.array("".join(str(part) for part in parts), dtype=STRING)
    n = len(arrays[0])
    columns = [
        itertools.repeat(part, n) if isinstance(part, str) else part.tolist() for part in parts
    ]
    result: StrArray = np.empty(n, dtype=STRING)
    result[:] = list(map("".join, zip(*columns, strict=True)))
    return result


def to_list(reasons: StrArray, special: dict[int, str] | None = None) -> list[str]:
    """The reasons as Python strings, with ``special[a]`` in place of account ``a``'s."""
    result: list[str] = reasons.tolist()
    for account, reason in (special or {}).items():
        result[account] = reason
    return result
