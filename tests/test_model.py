"""The domain model: vocabulary lookups, custom kinds and segments, validation, evolve."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings

from strategies import touchpoints
from touchpoint_signals.errors import DataError, NaiveDatetimeError, UnknownNameError
from touchpoint_signals.model import (
    BUILTIN_KINDS,
    DEFAULT_CATALOG,
    HIGH_TOUCH,
    MEETING_KINDS,
    MID_TOUCH,
    TECH_TOUCH,
    Account,
    CadenceExpectation,
    CadencePolicy,
    Catalog,
    Channel,
    Direction,
    LifecycleStage,
    Segment,
    Status,
    Touchpoint,
    TouchpointKind,
    Trigger,
    parse_choice,
)

WHEN = "2026-05-02T15:00:00Z"
WHEN_UTC = dt.datetime(2026, 5, 2, 15, tzinfo=dt.UTC)


def make(**overrides: object) -> Touchpoint:
    """A hand-made valid touchpoint with ``overrides`` applied."""
    values: dict[str, object] = {
        "id": "t1",
        "account_id": "acme",
        "kind": "check_in",
        "occurred_at": WHEN,
        "status": "completed",
    }
    return Touchpoint(**{**values, **overrides})  # type: ignore[arg-type]


# -- parse_choice and the enums ----------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "member"),
    [
        ("no_show", Status.NO_SHOW),
        ("No-Show", Status.NO_SHOW),
        (" NO SHOW ", Status.NO_SHOW),
        (Status.CANCELLED, Status.CANCELLED),
    ],
)
def test_parse_choice_normalises_spelling(spelling: object, member: Status) -> None:
    assert parse_choice(Status, spelling, what="status") is member


def test_unknown_status_lists_valid_values() -> None:
    with pytest.raises(
        UnknownNameError,
        match=r"^unknown status 'done': expected one of scheduled, completed, cancelled, "
        r"no_show, rescheduled$",
    ):
        make(status="done")


def test_unknown_kind_lists_builtin_kinds() -> None:
    names = ", ".join(k.name for k in BUILTIN_KINDS)

    with pytest.raises(
        UnknownNameError, match=rf"unknown touchpoint kind 'webinar': expected one of {names}$"
    ):
        make(kind="webinar")


@pytest.mark.parametrize(
    ("field", "value", "listing"),
    [
        (
            "channel",
            "fax",
            "email, chat, phone, video, in_person, in_app, sms, social, web, other",
        ),
        ("direction", "sideways", "outbound, inbound"),
        ("trigger", "whim", "scheduled, behaviour_triggered, customer_raised"),
    ],
)
def test_unknown_optional_choice_lists_valid_values(
    field: str, value: str, listing: str
) -> None:
    with pytest.raises(
        UnknownNameError, match=rf"unknown {field} '{value}': expected one of {listing}$"
    ):
        make(**{field: value})


def test_unknown_segment_lists_builtin_segments() -> None:
    with pytest.raises(
        UnknownNameError,
        match=r"unknown segment 'gold': expected one of high_touch, mid_touch, tech_touch$",
    ):
        Account("a1", "gold")


def test_unknown_lifecycle_stage_lists_valid_values() -> None:
    with pytest.raises(
        UnknownNameError,
        match=r"unknown lifecycle stage 'churning': expected one of onboarding, adoption, "
        r"expansion, renewal$",
    ):
        Account("a1", "high_touch", lifecycle_stage="churning")


def test_optional_choices_are_read_from_strings() -> None:
    touchpoint = make(channel="In-App", direction="INBOUND", trigger="customer raised")

    assert touchpoint.channel is Channel.IN_APP
    assert touchpoint.direction is Direction.INBOUND
    assert touchpoint.trigger is Trigger.CUSTOMER_RAISED


# -- kinds, segments and the catalog -----------------------------------------------------


def test_meeting_kinds_are_the_builtin_meetings() -> None:
    assert {"onboarding", "check_in", "qbr", "ebr", "training", "renewal"} == MEETING_KINDS


def test_kind_string_is_read_as_builtin_kind() -> None:
    touchpoint = make(kind="Check-In")

    assert touchpoint.kind == TouchpointKind(
        "check_in", meeting=True, description="scheduled check-in call"
    )


def test_custom_kind_object_is_accepted_by_touchpoint() -> None:
    webinar = TouchpointKind("webinar", meeting=True, human_led=False)

    assert make(kind=webinar).kind is webinar


def test_catalog_with_kinds_adds_a_custom_kind_last() -> None:
    webinar = TouchpointKind("webinar", meeting=True)

    catalog = DEFAULT_CATALOG.with_kinds(webinar)

    assert catalog.kind("webinar") is webinar
    assert catalog.kind_names == (*DEFAULT_CATALOG.kind_names, "webinar")
    assert DEFAULT_CATALOG.kind_names == tuple(k.name for k in BUILTIN_KINDS)


def test_catalog_with_kinds_replaces_builtin_of_same_name_in_place() -> None:
    quiet_qbr = TouchpointKind("qbr", meeting=False)

    catalog = DEFAULT_CATALOG.with_kinds(quiet_qbr)

    assert catalog.kind("qbr") is quiet_qbr
    assert catalog.kind_names == DEFAULT_CATALOG.kind_names


def test_catalog_with_segments_adds_a_custom_segment() -> None:
    strategic = Segment("strategic", CadencePolicy([CadenceExpectation("ebr", 90, 120)]))

    catalog = DEFAULT_CATALOG.with_segments(strategic)

    assert catalog.segment("Strategic") is strategic
    assert catalog.segment_names == ("high_touch", "mid_touch", "tech_touch", "strategic")


def test_catalog_unknown_kind_lists_catalog_kinds() -> None:
    catalog = Catalog(kinds=[TouchpointKind("call"), TouchpointKind("note")])

    with pytest.raises(
        UnknownNameError, match=r"unknown touchpoint kind 'qbr': expected one of call, note$"
    ):
        catalog.kind("qbr")


def test_catalog_unknown_segment_lists_catalog_segments() -> None:
    catalog = DEFAULT_CATALOG.with_segments(Segment("strategic"))

    with pytest.raises(
        UnknownNameError,
        match=r"unknown segment 'gold': expected one of high_touch, mid_touch, "
        r"tech_touch, strategic$",
    ):
        catalog.segment("gold")


def test_catalog_passes_objects_through() -> None:
    assert DEFAULT_CATALOG.segment(TECH_TOUCH) is TECH_TOUCH
    assert DEFAULT_CATALOG.kind(BUILTIN_KINDS[0]) is BUILTIN_KINDS[0]


def test_catalog_collapses_identical_duplicates() -> None:
    call = TouchpointKind("call")

    assert Catalog(kinds=[call, TouchpointKind("call")]).kinds == (call,)


def test_catalog_rejects_conflicting_duplicates() -> None:
    with pytest.raises(
        DataError, match=r"kind 'call' is defined twice with different settings"
    ):
        Catalog(kinds=[TouchpointKind("call"), TouchpointKind("call", meeting=True)])


def test_catalog_rejects_conflicting_segments() -> None:
    with pytest.raises(DataError, match=r"segment 'vip' is defined twice"):
        Catalog(segments=[Segment("vip"), Segment("vip", human_led=False)])


@pytest.mark.parametrize("name", ["Webinar", "2nd_call", "web-inar", "", "web inar"])
def test_kind_name_must_be_lower_case_identifier(name: str) -> None:
    with pytest.raises(
        DataError, match=rf"TouchpointKind.name must be a lower-case identifier .*got '{name}'"
    ):
        TouchpointKind(name)


def test_segment_name_must_be_lower_case_identifier() -> None:
    with pytest.raises(
        DataError, match=r"Segment.name must be a lower-case identifier .*got 'Gold'"
    ):
        Segment("Gold")


# -- cadence ----------------------------------------------------------------------------


def test_cadence_expected_prefers_the_stage_expectation() -> None:
    expectation = HIGH_TOUCH.cadence.expected("check_in", LifecycleStage.ONBOARDING)

    assert expectation == CadenceExpectation("check_in", 7, 14, LifecycleStage.ONBOARDING)


def test_cadence_expected_falls_back_to_general_for_other_stages() -> None:
    expectation = HIGH_TOUCH.cadence.expected("check_in", LifecycleStage.RENEWAL)

    assert (expectation.min_days, expectation.max_days, expectation.stage) == (28.0, 31.0, None)  # type: ignore[union-attr]


def test_cadence_expected_without_stage_is_the_general_one() -> None:
    assert HIGH_TOUCH.cadence.expected("check_in") == CadenceExpectation("check_in", 28, 31)


def test_cadence_expected_stage_found_even_when_listed_after_general() -> None:
    policy = CadencePolicy(
        [CadenceExpectation("qbr", 80, 100), CadenceExpectation("qbr", 30, 40, "renewal")]
    )

    assert policy.expected("qbr", LifecycleStage.RENEWAL).max_days == 40.0  # type: ignore[union-attr]
    assert policy.expected("qbr", LifecycleStage.ADOPTION).max_days == 100.0  # type: ignore[union-attr]


def test_cadence_expected_stage_only_has_no_general_fallback() -> None:
    policy = CadencePolicy([CadenceExpectation("check_in", 7, 14, "onboarding")])

    assert policy.expected("check_in", LifecycleStage.ADOPTION) is None


def test_cadence_expected_unknown_kind_is_none() -> None:
    assert TECH_TOUCH.cadence.expected("qbr") is None
    assert MID_TOUCH.cadence.expected("automated") == CadenceExpectation("automated", 7, 14)


@pytest.mark.parametrize(("low", "high"), [(0, 10), (-1, 10), (15, 14), (float("nan"), 5)])
def test_cadence_rejects_bad_day_range(low: float, high: float) -> None:
    with pytest.raises(
        DataError, match=r"cadence for 'qbr': expected 0 < min_days <= max_days"
    ):
        CadenceExpectation("qbr", low, high)


def test_cadence_accepts_equal_min_and_max_days() -> None:
    assert CadenceExpectation("qbr", "90", 90).min_days == 90.0


def test_cadence_policy_rejects_kind_listed_twice_for_a_stage() -> None:
    with pytest.raises(DataError, match=r"lists kind 'qbr' twice for stage None"):
        CadencePolicy([CadenceExpectation("qbr", 80, 100), CadenceExpectation("qbr", 90, 95)])


def test_cadence_policy_rejects_negative_survey_cap() -> None:
    with pytest.raises(DataError, match=r"survey_cap must be >= 0, got -1"):
        CadencePolicy(survey_cap=-1)


# -- touchpoint validation --------------------------------------------------------------


@pytest.mark.parametrize("csat", [0, 6, 2.5, "4", True])
def test_csat_outside_one_to_five_is_rejected(csat: object) -> None:
    with pytest.raises(DataError, match=rf"csat must be an integer from 1 to 5, got {csat!r}"):
        make(csat=csat)


@pytest.mark.parametrize("csat", [1, 5])
def test_csat_bounds_are_accepted(csat: int) -> None:
    assert make(csat=csat).csat == csat


@pytest.mark.parametrize("attendees", [-1, 2**31, 1.0, False])
def test_bad_attendees_are_rejected(attendees: object) -> None:
    with pytest.raises(DataError, match=r"attendees must be a non-negative integer"):
        make(attendees=attendees)


def test_attendees_bounds_are_accepted() -> None:
    assert (make(attendees=0).attendees, make(attendees=2**31 - 1).attendees) == (0, 2**31 - 1)


@pytest.mark.parametrize(
    ("field", "value"), [("id", ""), ("id", "   "), ("account_id", ""), ("id", 7)]
)
def test_ids_must_be_non_empty_strings(field: str, value: object) -> None:
    with pytest.raises(
        DataError, match=rf"Touchpoint.{field} must be a non-empty string, got {value!r}"
    ):
        make(**{field: value})


def test_touchpoint_cannot_reply_to_itself() -> None:
    with pytest.raises(DataError, match=r"touchpoint 't1' cannot reply to itself"):
        make(in_reply_to="t1")


def test_recorded_at_defaults_to_occurred_at() -> None:
    assert make().recorded_at == WHEN_UTC


def test_recorded_at_is_kept_when_given() -> None:
    touchpoint = make(recorded_at="2026-05-03T08:00:00+02:00")

    assert touchpoint.recorded_at == dt.datetime(2026, 5, 3, 6, tzinfo=dt.UTC)


def test_occurred_at_is_converted_to_utc() -> None:
    touchpoint = make(occurred_at="2026-05-02T09:30:00-04:00")

    assert touchpoint.occurred_at == dt.datetime(2026, 5, 2, 13, 30, tzinfo=dt.UTC)
    assert touchpoint.occurred_at.tzinfo is dt.UTC


def test_naive_occurred_at_is_rejected() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"has no time zone"):
        make(occurred_at="2026-05-02 15:00")


def test_touchpoint_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        make().csat = 3  # type: ignore[misc]


def test_evolve_revalidates() -> None:
    with pytest.raises(DataError, match=r"csat must be an integer from 1 to 5, got 9"):
        attrs.evolve(make(), csat=9)


def test_evolve_converts_new_values() -> None:
    assert attrs.evolve(make(), status="no-show").status is Status.NO_SHOW


def test_evolve_of_segment_revalidates_name() -> None:
    with pytest.raises(DataError, match=r"Segment.name must be a lower-case identifier"):
        attrs.evolve(HIGH_TOUCH, name="High Touch")


@given(touchpoints())
@settings(max_examples=50)
def test_evolve_without_changes_is_equal(touchpoint: Touchpoint) -> None:
    assert attrs.evolve(touchpoint) == touchpoint


# -- accounts ---------------------------------------------------------------------------


def test_account_reads_segment_and_instants() -> None:
    account = Account("a1", "Mid-Touch", renews_at="2027-01-01T00:00:00+01:00")

    assert account.segment is MID_TOUCH
    assert account.renews_at == dt.datetime(2026, 12, 31, 23, tzinfo=dt.UTC)


@pytest.mark.parametrize("revenue", [-1.0, True, "100"])
def test_account_rejects_bad_revenue(revenue: object) -> None:
    with pytest.raises(
        DataError, match=rf"annual_revenue must be a non-negative number, got {revenue!r}"
    ):
        Account("a1", "high_touch", annual_revenue=revenue)  # type: ignore[arg-type]


def test_account_accepts_integer_revenue() -> None:
    assert Account("a1", "high_touch", annual_revenue=0).annual_revenue == 0


def test_account_id_must_be_non_empty() -> None:
    with pytest.raises(DataError, match=r"Account.id must be a non-empty string, got ''"):
        Account("", "high_touch")


@pytest.mark.parametrize("budget", [0, -3])
def test_touch_budget_must_be_positive(budget: int) -> None:
    with pytest.raises(DataError, match="max_touches_per_30_days must be >= 1"):
        CadencePolicy(max_touches_per_30_days=budget)


def test_a_naive_time_on_a_touchpoint_says_how_to_fix_it() -> None:
    with pytest.raises(
        NaiveDatetimeError, match="give an aware datetime, or text with an offset"
    ):
        Touchpoint("t1", "acme", "qbr", "2026-05-02 09:00", "completed")


def test_a_kind_name_with_a_trailing_line_break_is_refused() -> None:
    with pytest.raises(DataError, match="lower-case identifier"):
        TouchpointKind("webinar\n")
