"""TouchpointLog: sorting, offsets, reply resolution, point-in-time masks, round trips."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import ids, touchpoint_lists
from touchpoint_signals.errors import IntegrityError, NaiveDatetimeError, UnknownNameError
from touchpoint_signals.log import (
    CHANNELS,
    ID,
    ROW_COLUMNS,
    STAGES,
    STATUSES,
    TEXT,
    AccountColumns,
    ReplyLinks,
    ReplyProblem,
    TextTable,
    TouchpointColumns,
    TouchpointLog,
    _factorize,
    link_replies,
    resolve_replies,
)
from touchpoint_signals.model import (
    DEFAULT_CATALOG,
    Account,
    Channel,
    LifecycleStage,
    Segment,
    Status,
    Touchpoint,
    TouchpointKind,
)

US = 1_000_000


def tp(id: str, account: str, when: str, **extra: object) -> Touchpoint:
    """Hand-made touchpoint: an outreach message completed at ``when`` (UTC)."""
    values: dict[str, object] = {"kind": "outreach", "status": "completed"}
    return Touchpoint(id, account, occurred_at=f"2026-05-01T{when}Z", **{**values, **extra})  # type: ignore[arg-type]


@pytest.fixture
def small_log() -> TouchpointLog:
    """Hand-made: two accounts, given out of order; one reply of each kind of outcome."""
    return TouchpointLog.from_touchpoints(
        [
            tp("r2", "beta", "12:00", in_reply_to="m9"),  # unknown target
            tp("m1", "acme", "09:00", channel="email"),
            tp("r1", "acme", "15:30", in_reply_to="m1"),  # resolved, 6.5 hours
            tp("b1", "beta", "08:00", in_reply_to="b2"),  # target later
            tp("b2", "beta", "10:00", kind="qbr", status="no_show"),
            tp("a0", "acme", "09:00"),  # ties with m1 on time, sorts before it by id
        ]
    )


# -- sorting and offsets ----------------------------------------------------------------


def test_rows_sorted_by_account_then_time_then_id(small_log: TouchpointLog) -> None:
    assert small_log.id.tolist() == ["a0", "m1", "r1", "b1", "b2", "r2"]


def test_account_ids_are_sorted_distinct(small_log: TouchpointLog) -> None:
    assert small_log.account_ids.tolist() == ["acme", "beta"]
    assert small_log.account.tolist() == [0, 0, 0, 1, 1, 1]


def test_offsets_mark_account_boundaries(small_log: TouchpointLog) -> None:
    assert small_log.offsets.tolist() == [0, 3, 6]
    assert small_log.rows_of("beta") == slice(3, 6)


def test_occurred_at_is_epoch_microseconds(small_log: TouchpointLog) -> None:
    first = int(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC).timestamp()) * US

    assert small_log.occurred_at[:3].tolist() == [first, first, first + int(6.5 * 3600) * US]


def test_codes_index_the_code_tables(small_log: TouchpointLog) -> None:
    row = small_log.rows_of("beta").start + 1  # b2

    assert small_log.kinds[small_log.kind[row]].name == "qbr"
    assert STATUSES[small_log.status[row]] is Status.NO_SHOW
    assert CHANNELS[small_log.channel[1]] is Channel.EMAIL
    assert small_log.channel[0] == -1


def test_unknown_account_raises(small_log: TouchpointLog) -> None:
    with pytest.raises(UnknownNameError, match=r"account 'gamma' is not in this log"):
        small_log.rows_of("gamma")


def test_account_after_last_raises(small_log: TouchpointLog) -> None:
    with pytest.raises(UnknownNameError, match=r"account 'zzz' is not in this log"):
        small_log.account_code("zzz")


def test_kind_code_and_unknown_kind(small_log: TouchpointLog) -> None:
    assert small_log.kind_code("qbr") == DEFAULT_CATALOG.kind_names.index("qbr")
    with pytest.raises(
        UnknownNameError,
        match=r"unknown touchpoint kind 'webinar': expected one of onboarding, ",
    ):
        small_log.kind_code("webinar")


def test_accounts_without_touchpoints_get_empty_slices() -> None:
    log = TouchpointLog.from_touchpoints(
        [tp("m1", "beta", "09:00")],
        accounts=[
            Account("alpha", "high_touch"),
            Account("beta", "mid_touch"),
            Account("gamma", "tech_touch"),
        ],
    )

    assert log.account_ids.tolist() == ["alpha", "beta", "gamma"]
    assert log.offsets.tolist() == [0, 0, 1, 1]
    assert log.rows_of("alpha") == slice(0, 0)
    assert [a.segment.name for a in log.accounts] == ["high_touch", "mid_touch", "tech_touch"]  # type: ignore[union-attr]


def test_accounts_without_record_are_none() -> None:
    log = TouchpointLog.from_touchpoints(
        [tp("m1", "beta", "09:00")], accounts=[Account("alpha", "high_touch")]
    )

    assert log.accounts[0] is not None
    assert log.accounts[1] is None


def test_empty_log() -> None:
    log = TouchpointLog.from_touchpoints([])

    assert (len(log), log.n_accounts, log.offsets.tolist()) == (0, 0, [0])
    assert log.reply_latency_seconds().shape == (0,)


# -- replies ----------------------------------------------------------------------------


def test_resolved_reply_points_at_row(small_log: TouchpointLog) -> None:
    assert small_log.reply_to.tolist() == [-1, -1, 1, -1, -1, -1]


def test_reply_latency_seconds_exact(small_log: TouchpointLog) -> None:
    latency = small_log.reply_latency_seconds()

    assert latency[2] == 6.5 * 3600
    assert np.isnan(latency[[0, 1, 3, 4, 5]]).all()


def test_unresolved_reply_ids_are_preserved(small_log: TouchpointLog) -> None:
    assert small_log.unresolved_reply_rows.tolist() == [3, 5]
    assert small_log.unresolved_reply_ids.tolist() == ["b2", "m9"]


def test_unresolved_reply_survives_round_trip(small_log: TouchpointLog) -> None:
    assert small_log.touchpoint(5).in_reply_to == "m9"
    assert small_log.touchpoint(3).in_reply_to == "b2"
    assert small_log.touchpoint(2).in_reply_to == "m1"
    assert small_log.touchpoint(4).in_reply_to is None


def test_reply_at_same_instant_is_resolved() -> None:
    log = TouchpointLog.from_touchpoints(
        [tp("b", "x", "09:00", in_reply_to="a"), tp("a", "x", "09:00")]
    )

    assert log.reply_to.tolist() == [-1, 0]
    assert log.reply_latency_seconds()[1] == 0.0


def test_reply_across_accounts_is_resolved() -> None:
    log = TouchpointLog.from_touchpoints(
        [tp("q", "acme", "09:00"), tp("a", "beta", "09:00:01.5", in_reply_to="q")]
    )

    assert log.reply_latency_seconds().tolist()[1] == 1.5
    assert log.replies_within_account().tolist() == [False, False]
    assert np.isnan(log.reply_latency_seconds(within_account=True)).all()


def test_ids_longer_than_15_bytes_resolve() -> None:
    # Regression: numpy 2.4.6 searchsorted fails on StringDType arrays holding long strings.
    message = "<CAH+w=7a1b2c3d4e5f@mail.example.com>"
    log = TouchpointLog.from_touchpoints(
        [
            tp(message, "account-with-a-long-name", "09:00"),
            tp("r", "x", "09:10", in_reply_to=message),
        ]
    )

    assert log.reply_latency_seconds().tolist()[1] == 600.0
    assert log.rows_of("account-with-a-long-name") == slice(0, 1)


def test_resolve_replies_reports_each_problem() -> None:
    ids = np.array(["m", "r", "early", "orphan"], dtype=np.dtypes.StringDType())
    reply = np.array(["", "m", "r", "nope"], dtype=np.dtypes.StringDType())
    occurred = np.array([10, 20, 5, 30], dtype=np.int64)

    target, problem = resolve_replies(ids, reply, occurred)

    assert target.tolist() == [-1, 0, -1, -1]
    assert problem.tolist() == [0, 0, ReplyProblem.TARGET_LATER, ReplyProblem.UNKNOWN_TARGET]


def test_link_replies_refuses_duplicate_ids() -> None:
    ids = np.array(["m", "r", "m"], dtype=np.dtypes.StringDType())
    reply = np.array(["", "m", ""], dtype=np.dtypes.StringDType())

    with pytest.raises(IntegrityError, match=r"duplicate touchpoint ids: \['m'\]"):
        link_replies(ids, reply, np.array([1, 2, 3], dtype=np.int64))


@given(touchpoint_lists(min_size=1))
@settings(max_examples=40, deadline=None)
def test_links_handed_to_from_columns_give_the_same_log(items: list[Touchpoint]) -> None:
    kinds = list(DEFAULT_CATALOG.kinds)
    kinds += [k for k in dict.fromkeys(t.kind for t in items) if k not in kinds]
    columns = TouchpointColumns.from_touchpoints(items, kinds)
    links = link_replies(columns.id, columns.in_reply_to, columns.occurred_at)

    reused = TouchpointLog.from_columns(columns, kinds=kinds, links=links)
    fresh = TouchpointLog.from_columns(columns, kinds=kinds)

    assert reused.to_touchpoints() == fresh.to_touchpoints()
    assert reused.unresolved_reply_ids.tolist() == fresh.unresolved_reply_ids.tolist()


def test_links_of_other_columns_are_refused() -> None:
    columns = TouchpointColumns.from_touchpoints([tp("a", "x", "09:00")], DEFAULT_CATALOG.kinds)
    links = ReplyLinks(np.array([-1, -1]), np.zeros(2, dtype=np.int8))

    with pytest.raises(ValueError, match=r"one target and one problem per row \(1\)"):
        TouchpointLog.from_columns(columns, links=links)


def test_reply_problem_descriptions() -> None:
    assert ReplyProblem.UNKNOWN_TARGET.describe() == "no touchpoint with that id was loaded"
    assert (
        ReplyProblem.TARGET_LATER.describe()
        == "the touchpoint it answers occurred after the reply"
    )
    assert ReplyProblem.NONE.describe() == "resolved"


# -- counts, point in time, memory ------------------------------------------------------


def test_counts(small_log: TouchpointLog) -> None:
    counts = small_log.counts()

    assert counts["account"] == {"acme": 3, "beta": 3}
    assert counts["kind"]["outreach"] == 5
    assert counts["kind"]["qbr"] == 1
    assert sum(counts["kind"].values()) == 6
    assert counts["status"] == {
        "scheduled": 0,
        "completed": 5,
        "cancelled": 0,
        "no_show": 1,
        "rescheduled": 0,
    }


def test_known_at_masks_by_occurred_and_recorded() -> None:
    log = TouchpointLog.from_touchpoints(
        [
            tp("a", "x", "09:00"),
            tp("b", "x", "10:00", recorded_at="2026-05-03T00:00Z"),  # written up two days late
            tp("c", "x", "11:00"),
        ]
    )

    mask = log.known_at(dt.datetime(2026, 5, 1, 11, tzinfo=dt.UTC))

    assert mask.tolist() == [True, False, True]


def test_known_at_is_inclusive_and_excludes_future() -> None:
    log = TouchpointLog.from_touchpoints(
        [tp("a", "x", "09:00"), tp("b", "x", "09:00:00.000001")]
    )

    assert log.known_at(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)).tolist() == [True, False]


def test_known_at_accepts_other_zones() -> None:
    log = TouchpointLog.from_touchpoints([tp("a", "x", "09:00")])
    berlin = dt.timezone(dt.timedelta(hours=2))

    assert log.known_at(dt.datetime(2026, 5, 1, 10, 59, tzinfo=berlin)).tolist() == [False]
    assert log.known_at(dt.datetime(2026, 5, 1, 11, 0, tzinfo=berlin)).tolist() == [True]


def test_nbytes_per_column(small_log: TouchpointLog) -> None:
    sizes = small_log.nbytes()
    n = len(small_log)

    assert (sizes["occurred_at"], sizes["recorded_at"], sizes["account"]) == (
        8 * n,
        8 * n,
        4 * n,
    )
    assert (sizes["kind"], sizes["csat"], sizes["attendees"], sizes["id"]) == (
        n,
        n,
        4 * n,
        16 * n,
    )
    assert sizes["offsets"] == 8 * 3
    assert "kinds" not in sizes


def test_numeric_columns_cost_38_bytes_per_touchpoint(small_log: TouchpointLog) -> None:
    numeric = [
        "account",
        "occurred_at",
        "recorded_at",
        "kind",
        "status",
        "channel",
        "direction",
    ]
    numeric += ["trigger", "contact", "reply_to", "csat", "attendees"]
    sizes = small_log.nbytes()

    assert sum(sizes[name] for name in numeric) == 38 * len(small_log)


# -- building errors --------------------------------------------------------------------


def test_duplicate_ids_raise_integrity_error() -> None:
    with pytest.raises(IntegrityError, match=r"duplicate touchpoint ids: \['a'\]") as caught:
        TouchpointLog.from_touchpoints([tp("a", "x", "09:00"), tp("a", "y", "10:00")])

    assert (caught.value.field, caught.value.value) == ("id", "a")


def test_custom_kind_without_catalog_is_appended() -> None:
    webinar = TouchpointKind("webinar", meeting=True)

    log = TouchpointLog.from_touchpoints([tp("a", "x", "09:00", kind=webinar)])

    assert log.kinds[-1] is webinar
    assert log.kind_code("webinar") == len(DEFAULT_CATALOG.kinds)
    assert log.touchpoint(0).kind is webinar


def test_columns_with_kind_outside_kinds_raise() -> None:
    webinar = TouchpointKind("webinar")

    with pytest.raises(
        UnknownNameError,
        match=r"touchpoint kind 'webinar' is not in the log's kinds: onboarding",
    ):
        TouchpointColumns.from_touchpoints(
            [tp("a", "x", "09:00", kind=webinar)], DEFAULT_CATALOG.kinds
        )


def test_columns_concatenate_and_take() -> None:
    first = TouchpointColumns.from_touchpoints([tp("a", "x", "09:00")], DEFAULT_CATALOG.kinds)
    second = TouchpointColumns.from_touchpoints(
        [tp("b", "x", "10:00"), tp("c", "y", "11:00")], DEFAULT_CATALOG.kinds
    )

    joined = TouchpointColumns.concatenate([first, second])

    assert joined.id.tolist() == ["a", "b", "c"]
    assert joined.take(np.array([False, True, True])).account_id.tolist() == ["x", "y"]
    assert len(TouchpointColumns.concatenate([])) == 0


# -- properties -------------------------------------------------------------------------


def _key(touchpoint: Touchpoint) -> str:
    return touchpoint.id


@given(touchpoint_lists())
@settings(max_examples=40, deadline=None)
def test_objects_to_log_to_objects_is_identity(items: list[Touchpoint]) -> None:
    log = TouchpointLog.from_touchpoints(items)

    assert sorted(log.to_touchpoints(), key=_key) == sorted(items, key=_key)


@given(touchpoint_lists(min_size=1), st.randoms(use_true_random=False))
@settings(max_examples=40, deadline=None)
def test_input_order_does_not_change_the_log(items: list[Touchpoint], rng: object) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]

    first = TouchpointLog.from_touchpoints(items)
    second = TouchpointLog.from_touchpoints(shuffled)

    tables = ("account_ids", "contact_ids", "offsets", "kinds", "accounts")
    tables += ("unresolved_reply_rows", "unresolved_reply_ids")
    for name in (*ROW_COLUMNS, *tables):
        a, b = getattr(first, name), getattr(second, name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, name
            assert (
                np.array_equal(a, b, equal_nan=a.dtype.kind == "f") or a.tolist() == b.tolist()
            ), name
        else:
            assert a == b, name


@given(touchpoint_lists())
@settings(max_examples=40, deadline=None)
def test_log_is_sorted_and_offsets_partition_rows(items: list[Touchpoint]) -> None:
    log = TouchpointLog.from_touchpoints(items)
    keys = list(
        zip(log.account.tolist(), log.occurred_at.tolist(), log.id.tolist(), strict=True)
    )

    assert keys == sorted(keys)
    assert log.offsets[-1] == len(items)
    assert Counter(log.counts()["account"]) == Counter(Counter(t.account_id for t in items))


@given(touchpoint_lists(min_size=1), st.data())
@settings(max_examples=30, deadline=None)
def test_duplicate_ids_always_raise(items: list[Touchpoint], data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(items))
    copy = attrs.evolve(original, account_id="other", in_reply_to=None)

    with pytest.raises(IntegrityError, match=rf"duplicate touchpoint ids: \[{original.id!r}\]"):
        TouchpointLog.from_touchpoints([*items, copy])


@given(touchpoint_lists())
@settings(max_examples=30, deadline=None)
def test_reply_latencies_are_never_negative(items: list[Touchpoint]) -> None:
    latency = TouchpointLog.from_touchpoints(items).reply_latency_seconds()

    assert not (latency < 0).any()


@given(touchpoint_lists(), st.data())
@settings(max_examples=60, deadline=None)
def test_replies_within_account_compare_the_accounts_of_both_ends(
    items: list[Touchpoint], data: st.DataObject
) -> None:
    log = TouchpointLog.from_touchpoints(items)
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=len(log), max_size=len(log))))

    for each in (log, log.select(keep.astype(bool))):
        expected = [
            target >= 0 and each.account[target] == each.account[row]
            for row, target in enumerate(each.reply_to.tolist())
        ]
        assert each.replies_within_account().tolist() == expected
        assert each.replies_within_account() is each.replies_within_account()
        assert not each.replies_within_account().flags.writeable


# -- restricting a log ------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(touchpoint_lists(), st.data())
def test_select_keeps_exactly_the_chosen_touchpoints(
    tps: list[Touchpoint], data: st.DataObject
) -> None:
    log = TouchpointLog.from_touchpoints(tps)
    keep = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(log), max_size=len(log))), dtype=bool
    )

    view = log.select(keep)

    expected = [tp for tp, k in zip(log.to_touchpoints(), keep, strict=True) if k]
    assert view.to_touchpoints() == expected
    assert view.account_ids.tolist() == log.account_ids.tolist()
    assert np.diff(view.offsets).sum() == int(keep.sum())
    latency = view.reply_latency_seconds()
    assert (latency[view.reply_to >= 0] >= 0).all()


def test_as_of_drops_what_was_not_yet_known() -> None:
    # Hand-made fixture: the reply was written up two days late, the QBR is in the future.
    tps = [
        Touchpoint("m1", "acme", "outreach", "2026-05-01T09:00Z", "completed"),
        Touchpoint(
            "r1", "acme", "outreach", "2026-05-01T15:00Z", "completed",
            in_reply_to="m1", recorded_at="2026-05-03T09:00Z",
        ),
        Touchpoint("q1", "beta", "qbr", "2026-06-01T09:00Z", "scheduled"),
    ]  # fmt: skip
    log = TouchpointLog.from_touchpoints(tps)

    view = log.as_of(dt.datetime(2026, 5, 2, tzinfo=dt.UTC))

    assert view.id.tolist() == ["m1"]
    assert view.offsets.tolist() == [0, 1, 1]
    later = log.as_of(dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC))
    assert later.id.tolist() == ["m1", "r1"]
    assert later.reply_latency_seconds()[1] == 6 * 3600.0


def test_known_at_refuses_a_naive_as_of() -> None:
    log = TouchpointLog.from_touchpoints([tp("a", "x", "09:00")])

    with pytest.raises(NaiveDatetimeError, match="as_of 2026-05-02T00:00:00 has no time zone"):
        log.known_at(dt.datetime(2026, 5, 2))


def _eager_select(log: TouchpointLog, keep: np.ndarray) -> list[Touchpoint]:
    """The reference a view must match: the kept touchpoints as objects, in log order."""
    return [t for t, k in zip(log.to_touchpoints(), keep, strict=True) if k]


@settings(max_examples=60, deadline=None)
@given(touchpoint_lists(), st.data())
def test_a_view_of_a_view_is_the_view_of_both_masks(
    tps: list[Touchpoint], data: st.DataObject
) -> None:
    log = TouchpointLog.from_touchpoints(tps)
    first = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(log), max_size=len(log))), dtype=bool
    )
    view = log.select(first)
    second = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(view), max_size=len(view))), dtype=bool
    )
    both = first.copy()
    both[first] = second

    nested = view.select(second)

    assert nested.to_touchpoints() == _eager_select(log, both)
    assert nested.offsets.tolist() == log.select(both).offsets.tolist()
    assert nested.ids_at(np.arange(len(nested))).tolist() == nested.id.tolist()


@settings(max_examples=60, deadline=None)
@given(touchpoint_lists(), st.data())
def test_as_of_twice_is_the_earlier_cut(tps: list[Touchpoint], data: st.DataObject) -> None:
    log = TouchpointLog.from_touchpoints(tps)
    day = st.integers(min_value=0, max_value=40).map(
        lambda d: dt.datetime(2026, 4, 20, tzinfo=dt.UTC) + dt.timedelta(days=d, hours=d % 7)
    )
    early, late = sorted([data.draw(day), data.draw(day)])

    view = log.as_of(late)

    assert view.as_of(late) is view
    assert view.as_of(late + dt.timedelta(days=1)) is view
    assert view.as_of(early).to_touchpoints() == log.as_of(early).to_touchpoints()
    assert view.to_touchpoints() == _eager_select(log, log.known_at(late))


def test_ids_at_reads_only_the_rows_asked_for() -> None:
    # Hand-made fixture: three touchpoints, the middle one recorded late.
    log = TouchpointLog.from_touchpoints(
        [
            tp("a", "x", "09:00"),
            tp("b", "x", "10:00", recorded_at="2026-06-01T00:00Z"),
            tp("c", "x", "11:00"),
        ]
    )

    view = log.as_of(dt.datetime(2026, 5, 2, tzinfo=dt.UTC))

    assert view.ids_at(np.array([1])).tolist() == ["c"]
    before = view.nbytes()  # counted without copying the columns a view has not read
    view.columns()
    assert view.nbytes() == before
    assert view.take("occurred_at", slice(0, 1)).tolist() == log.occurred_at[:1].tolist()
    assert view.take("reply_to", np.array([True, False])).tolist() == [-1]
    with pytest.raises(UnknownNameError, match="no column 'texts': expected one of id, acc"):
        view.take("texts", np.array([0]))
    assert view.id.tolist() == ["a", "c"]
    assert list(view.columns()) == list(ROW_COLUMNS)


def _reference_rows(ids: list[str], wanted: list[str]) -> list[int]:
    """The row of each wanted id by a plain dict: what the hashed index must agree with."""
    row_of = {value: row for row, value in enumerate(ids)}
    return [row_of.get(w, -1) for w in wanted]


_ID_TEXT = st.text(alphabet="ab<>@.-", max_size=6)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(_ID_TEXT, unique=True, max_size=30),
    st.lists(_ID_TEXT, max_size=30),
    st.sampled_from([0, 3, 1]),
)
def test_id_index_finds_rows_even_when_hashes_collide(
    ids: list[str], wanted: list[str], buckets: int
) -> None:
    # buckets 0 keeps Python's hash; 3 and 1 make most or all ids share a hash.
    import touchpoint_signals.log as log_module

    column = np.array(ids, dtype=np.dtypes.StringDType())
    with pytest.MonkeyPatch.context() as patch:
        if buckets:
            patch.setattr(
                log_module,
                "_string_hashes",
                lambda v: np.array([len(x) % buckets for x in v.tolist()], dtype=np.int64),
            )
        index = log_module._IdIndex.build(column)
        found = index.find(np.array(wanted, dtype=np.dtypes.StringDType()))

    assert found.tolist() == _reference_rows(ids, wanted)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ID_TEXT, min_size=1, max_size=20), st.booleans())
def test_id_index_names_every_duplicate(ids: list[str], collide: bool) -> None:
    import touchpoint_signals.log as log_module

    doubled = sorted({i for i in ids if ids.count(i) > 1})
    column = np.array(ids, dtype=np.dtypes.StringDType())
    with pytest.MonkeyPatch.context() as patch:
        if collide:
            patch.setattr(
                log_module, "_string_hashes", lambda v: np.zeros(len(v), dtype=np.int64)
            )
        if not doubled:
            log_module._IdIndex.build(column)
            return
        with pytest.raises(IntegrityError) as raised:
            log_module._IdIndex.build(column)

    assert str(raised.value).startswith(f"duplicate touchpoint ids: {doubled[:5]}")


def test_a_view_that_drops_few_rows_copies_them_as_ranges() -> None:
    # SIMULATED portfolio of about 10,000 touchpoints; five rows dropped leave six ranges.
    from touchpoint_signals.simulate import simulate_portfolio

    log = simulate_portfolio(
        60, seed=3, start=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
    ).log  # fmt: skip
    keep = np.ones(len(log), dtype=bool)
    keep[np.random.default_rng(3).choice(len(log), 5, replace=False)] = False

    view = log.select(keep)

    runs = view._occurred_at.runs
    assert runs is not None
    assert len(runs) <= 6
    for name in ROW_COLUMNS:
        if name != "reply_to":
            assert getattr(view, name).tolist() == getattr(log, name)[keep].tolist(), name
    nested = view.select(np.arange(len(view)) != 7)
    assert nested.text.tolist() == np.delete(view.text, 7).tolist()


# -- columns already in log order, texts as a table, factorising ---------------------------

_TEXT_FIELDS = ("text", "quoted_text", "purpose", "outcome")


def _assert_same_log(first: TouchpointLog, second: TouchpointLog) -> None:
    """Every column and table of two logs equal, dtypes included."""
    tables = ("account_ids", "contact_ids", "offsets", "kinds", "accounts")
    tables += ("unresolved_reply_rows", "unresolved_reply_ids")
    for name in (*ROW_COLUMNS, *tables):
        a, b = getattr(first, name), getattr(second, name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, name
            assert a.tolist() == b.tolist() or np.array_equal(a, b, equal_nan=True), name
        else:
            assert a == b, name


def _text_table(columns: TouchpointColumns) -> TextTable:
    """The columns' four texts dictionary encoded, in plain Python (first seen, first row)."""
    rows = zip(*(getattr(columns, f).tolist() for f in _TEXT_FIELDS), strict=True)
    keys = [tuple(None if isinstance(v, float) else v for v in row) for row in rows]
    table = list(dict.fromkeys(keys))
    return TextTable(
        np.array([table.index(k) for k in keys], dtype=np.int64),
        *(
            np.array([np.nan if r[i] is None else r[i] for r in table], dtype=TEXT)
            for i in range(len(_TEXT_FIELDS))
        ),
    )


def _without_texts(columns: TouchpointColumns) -> TouchpointColumns:
    """The columns with every text missing: what from_columns must not read beside a table."""
    blank = np.full(len(columns), np.nan, dtype=TEXT)
    return attrs.evolve(columns, **dict.fromkeys(_TEXT_FIELDS, blank))


@given(touchpoint_lists())
@settings(max_examples=40, deadline=None)
def test_columns_in_log_order_are_kept_as_they_are(items: list[Touchpoint]) -> None:
    log = TouchpointLog.from_touchpoints(items)
    in_order = TouchpointColumns.from_touchpoints(log.to_touchpoints(), log.kinds)

    again = TouchpointLog.from_columns(in_order, kinds=log.kinds)

    _assert_same_log(log, again)
    # nothing sorted, nothing copied (an empty log has no memory to share)
    assert again.text is in_order.text
    if len(log):
        assert np.shares_memory(again.id, in_order.id)
        assert np.shares_memory(again.occurred_at, in_order.occurred_at)


def test_tied_rows_out_of_id_order_are_sorted_not_kept() -> None:
    # in order by account and time, but the tie at 09:00 has its ids the wrong way round
    items = [tp("m1", "acme", "09:00"), tp("a0", "acme", "09:00"), tp("z", "acme", "10:00")]
    columns = TouchpointColumns.from_touchpoints(items, DEFAULT_CATALOG.kinds)

    log = TouchpointLog.from_columns(columns)

    assert log.id.tolist() == ["a0", "m1", "z"]
    assert not np.shares_memory(log.occurred_at, columns.occurred_at)


@given(touchpoint_lists(), st.randoms(use_true_random=False), st.data())
@settings(max_examples=40, deadline=None)
def test_texts_given_as_a_table_give_the_same_log(
    items: list[Touchpoint], rng: object, data: st.DataObject
) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    columns = TouchpointColumns.from_touchpoints(shuffled, DEFAULT_CATALOG.kinds)
    keep = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(items), max_size=len(items)))
    )

    whole = TouchpointLog.from_columns(columns)
    tabled = TouchpointLog.from_columns(_without_texts(columns), texts=_text_table(columns))

    _assert_same_log(whole, tabled)
    view, tabled_view = whole.select(keep), tabled.select(keep)
    for name in _TEXT_FIELDS:
        rows = np.arange(len(view))[::2]
        assert tabled_view.take(name, rows).tolist() == view.take(name, rows).tolist() or (
            np.array_equal(tabled_view.take(name, rows), view.take(name, rows), equal_nan=True)
        )


def test_a_text_table_is_read_as_text_columns() -> None:
    items = [tp("b", "acme", "10:00"), tp("a", "acme", "09:00"), tp("c", "beta", "09:00")]
    columns = TouchpointColumns.from_touchpoints(items, DEFAULT_CATALOG.kinds)
    table = TextTable(
        codes=np.array([1, 0, 1]),  # b and c have row 1, a has row 0
        text=np.array(["Hi there", "Send the invoice."], dtype=TEXT),
        quoted_text=np.array([np.nan, np.nan], dtype=TEXT),
        purpose=np.array([np.nan, "renewal"], dtype=TEXT),
        outcome=np.array(["done", np.nan], dtype=TEXT),
    )

    log = TouchpointLog.from_columns(columns, texts=table)

    assert log.id.tolist() == ["a", "b", "c"]
    assert log.text.dtype == TEXT
    assert log.text.tolist() == ["Hi there", "Send the invoice.", "Send the invoice."]
    assert np.isnan(log.quoted_text).all()
    assert log.purpose[1:].tolist() == ["renewal", "renewal"]
    assert np.isnan(log.purpose[0])
    assert log.take("outcome", np.array([0])).tolist() == ["done"]
    assert log.touchpoint(0).outcome == "done"
    assert log.touchpoint(1).outcome is None


def test_a_text_table_of_other_columns_is_refused() -> None:
    columns = TouchpointColumns.from_touchpoints([tp("a", "x", "09:00")], DEFAULT_CATALOG.kinds)
    one_row = np.array([np.nan], dtype=TEXT)

    def table(codes: list[int], rows: np.ndarray = one_row) -> TextTable:
        return TextTable(np.array(codes), one_row, one_row, rows, one_row)

    with pytest.raises(ValueError, match=r"one code per row \(1\)"):
        TouchpointLog.from_columns(columns, texts=table([0, 0]))
    with pytest.raises(ValueError, match=r"table columns of one length"):
        TouchpointLog.from_columns(columns, texts=table([0], np.array(["a", "b"], dtype=TEXT)))
    with pytest.raises(ValueError, match=r"rows of its table, 0 to 0"):
        TouchpointLog.from_columns(columns, texts=table([1]))


@given(st.lists(st.none() | ids(3), max_size=40))
@settings(max_examples=80, deadline=None)
def test_factorize_gives_sorted_distinct_values_and_codes(values: list[str | None]) -> None:
    column = np.array([np.nan if v is None else v for v in values], dtype=TEXT)
    distinct = sorted({v for v in values if v is not None})

    table, codes = _factorize(column)

    assert table.dtype == ID
    assert table.tolist() == distinct
    assert codes.dtype == np.int32
    assert codes.tolist() == [-1 if v is None else distinct.index(v) for v in values]


def test_factorize_reads_many_blocks() -> None:
    # 200,003 rows: more than three blocks of rows read at a time; every seventh missing
    numbers = np.arange(200_003)
    column = np.strings.add("c", (numbers % 1_000).astype(ID)).astype(TEXT)
    column[numbers % 7 == 0] = np.nan

    table, codes = _factorize(column)
    also, also_codes = _factorize(column[numbers % 7 != 0].astype(ID))

    assert table.tolist() == sorted(f"c{k}" for k in range(1_000))
    assert (codes[numbers % 7 == 0] == -1).all()
    present = numbers[numbers % 7 != 0]
    assert (table[codes[present]] == np.strings.add("c", (present % 1_000).astype(ID))).all()
    assert also.tolist() == table.tolist()
    assert also_codes.tolist() == codes[present].tolist()


def test_account_columns_by_hand() -> None:
    # Hand-made records: two accounts share high_touch, one has none, one has a segment
    # of its own named like a built-in one but with another policy.
    own = Segment("high_touch", description="another policy under the same name")
    records = (
        Account("a", "high_touch", lifecycle_stage="renewal", started_at="2026-01-01T00:00Z"),
        None,
        Account("c", "tech_touch"),
        Account("d", "high_touch"),
        Account("e", own),
    )
    table = AccountColumns.of(records)

    assert [s.name for s in table.segments] == ["high_touch", "tech_touch", "high_touch"]
    assert table.segments[2] is own
    assert table.segment.tolist() == [0, -1, 1, 0, 2]
    assert table.stage.tolist() == [STAGES.index(LifecycleStage("renewal")), -1, -1, -1, -1]
    started = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * US
    assert table.started_at[0] == started
    assert np.isnan(table.started_at[1:]).all()
    codes, labels = table.segment_names("(no record)")
    assert labels == ["(no record)", "high_touch", "tech_touch"]
    assert codes.tolist() == [1, 0, 2, 1, 1]
    assert table.by_segment([2.0, 5.0, 7.0], float("nan")).tolist()[0::2] == [2.0, 5.0, 7.0]
    assert np.isnan(table.by_segment([2.0, 5.0, 7.0], float("nan"))[1])
    with pytest.raises(ValueError, match="one entry per segment"):
        table.by_segment([2.0], 0.0)


def test_views_share_the_account_columns_of_their_log() -> None:
    log = TouchpointLog.from_touchpoints(
        [tp("m1", "acme", "09:00"), tp("m2", "acme", "15:00")],
        accounts=[Account("acme", "mid_touch")],
    )
    view = log.as_of(dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC))
    assert len(view) == 1
    assert view.account_columns() is log.account_columns()
