"""The column-wise reason helpers against the per-account Python they stand for."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpoint_signals.signals import _params, _reasons

_numbers = st.one_of(
    st.integers(-3, 3), st.sampled_from([0.0, -0.5, 0.5, 1.25, 2.0, 1e-9, 3.0])
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), _numbers), max_size=40))
def test_by_values_writes_each_row_as_a_stacked_table_would_hold_it(
    rows: list[tuple[int, float]],
) -> None:
    counts = np.array([r[0] for r in rows], dtype=np.int64)
    amounts = np.array([float(r[1]) for r in rows], dtype=np.float64)
    calls: list[tuple[object, object]] = []

    def write(count: object, amount: object) -> str:
        calls.append((count, amount))
        return f"{count!r} of {amount!r}"

    lines = _reasons.by_values((counts, amounts), write)

    # One common dtype (float64 here): the count arrives as a float, as it did from a
    # stacked table; each distinct row is written once.
    pairs = list(zip(counts.tolist(), amounts.tolist(), strict=True))
    assert lines.tolist() == [f"{float(c)!r} of {a!r}" for c, a in pairs]
    if len(pairs) > _reasons._FEW:  # a few rows are written one by one
        assert len(calls) == len(set(pairs))
    assert all(type(c) is float and type(a) is float for c, a in calls)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=30))
def test_by_value_and_by_rows_equal_a_call_per_account(counts: list[int]) -> None:
    column = np.array(counts, dtype=np.int64)

    assert _reasons.by_value(column, lambda c: f"{c} meetings").tolist() == [
        f"{c} meetings" for c in counts
    ]
    assert _reasons.by_rows((column, column * 2), lambda a, b: f"{a} v {b}") == [
        f"{c} v {2 * c}" for c in counts
    ]


@given(st.lists(st.text(max_size=6), max_size=8))
def test_has_line_break_agrees_with_one_line(names: list[str]) -> None:
    assert _params.has_line_break(names) == any(n != _params.one_line(n) for n in names)


def test_joined_lines_are_plain_strings() -> None:
    names = np.array(["ann", "bo"], dtype=_reasons.STRING)

    lines = _reasons.to_list(_reasons.concat("contact ", names, " replies", " slower"))

    assert lines == ["contact ann replies slower", "contact bo replies slower"]
    assert {type(line) for line in lines} == {str}


@settings(max_examples=100, deadline=None)
@given(st.lists(_numbers, min_size=1, max_size=_reasons._FEW))
def test_a_few_values_read_as_they_do_among_many(values: list[float]) -> None:
    # Up to _FEW entries are written one by one; more go through the distinct values.
    few = np.array(values, dtype=np.float64)
    many = np.tile(few, _reasons._FEW + 1)

    def write(v: float) -> str:
        return f"{v!r}"

    assert _reasons.by_value(few, write).tolist() == (
        _reasons.by_value(many, write)[: few.size].tolist()
    )
    assert _reasons.by_values((few, few * 2), lambda a, b: f"{a}/{b}").tolist() == (
        _reasons.by_values((many, many * 2), lambda a, b: f"{a}/{b}")[: few.size].tolist()
    )
