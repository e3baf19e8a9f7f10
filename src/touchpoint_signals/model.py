"""The domain core: touchpoints, accounts, segments and the vocabulary that names them.

Everything here is a frozen attrs class validated when it is built, so an object that exists
is an object that is valid. Variants are made with :func:`attrs.evolve`, which validates again.

Kinds and segments are open sets. The built-in ones cover common CS practice; a team adds its
own by building :class:`TouchpointKind` or :class:`Segment` objects and collecting them in a
:class:`Catalog` (in code, or from a TOML file through :mod:`touchpoint_signals.config`). A
plain string given for a kind or segment is looked up among the built-ins, and an unknown
string is an error that lists the valid names.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from typing import TypeVar

import attrs

from touchpoint_signals.errors import DataError, NaiveDatetimeError, UnknownNameError
from touchpoint_signals.timeparse import parse_instant

__all__ = [
    "BUILTIN_KINDS",
    "BUILTIN_SEGMENTS",
    "DEFAULT_CATALOG",
    "HIGH_TOUCH",
    "MEETING_KINDS",
    "MID_TOUCH",
    "TECH_TOUCH",
    "Account",
    "CadenceExpectation",
    "CadencePolicy",
    "Catalog",
    "Channel",
    "Direction",
    "LifecycleStage",
    "Segment",
    "Status",
    "Touchpoint",
    "TouchpointKind",
    "Trigger",
    "parse_choice",
]

_NAME = re.compile(r"[a-z][a-z0-9_]*")


class Status(enum.StrEnum):
    """What became of a touchpoint.

    ``rescheduled`` marks the original slot of a meeting that was moved; the new slot is its
    own touchpoint. Attendance signals document how they count it.
    """

    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    RESCHEDULED = "rescheduled"


class Direction(enum.StrEnum):
    """Who spoke: ``outbound`` is vendor to customer, ``inbound`` customer to vendor."""

    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Trigger(enum.StrEnum):
    """Why a touchpoint happened: on a schedule, on product behaviour, or at the customer's
    request."""

    SCHEDULED = "scheduled"
    BEHAVIOUR_TRIGGERED = "behaviour_triggered"
    CUSTOMER_RAISED = "customer_raised"


class Channel(enum.StrEnum):
    """The medium a touchpoint used."""

    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    VIDEO = "video"
    IN_PERSON = "in_person"
    IN_APP = "in_app"
    SMS = "sms"
    SOCIAL = "social"
    WEB = "web"
    OTHER = "other"


class LifecycleStage(enum.StrEnum):
    """Where an account stands after the sale; cadence expectations can differ by stage."""

    ONBOARDING = "onboarding"
    ADOPTION = "adoption"
    EXPANSION = "expansion"
    RENEWAL = "renewal"


_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")


def parse_choice(choices: type[_E], value: object, *, what: str) -> _E:
    """Return the member of ``choices`` named by ``value``, or raise listing the valid names.

    Matching ignores case, surrounding blanks, and the difference between ``-``, a space and
    ``_``, so ``"No-Show"`` reads as ``no_show``.
    """
    if isinstance(value, choices):
        return value

    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for member in choices:
        if member.value == key:
            return member

    valid = ", ".join(str(m.value) for m in choices)
    raise UnknownNameError(f"unknown {what} {value!r}: expected one of {valid}")


def _to_status(value: object) -> Status:
    return parse_choice(Status, value, what="status")


def _to_channel(value: object) -> Channel | None:
    return None if value is None else parse_choice(Channel, value, what="channel")


def _to_direction(value: object) -> Direction | None:
    return None if value is None else parse_choice(Direction, value, what="direction")


def _to_trigger(value: object) -> Trigger | None:
    return None if value is None else parse_choice(Trigger, value, what="trigger")


def _to_stage(value: object) -> LifecycleStage | None:
    return (
        None if value is None else parse_choice(LifecycleStage, value, what="lifecycle stage")
    )


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not (isinstance(value, str) and _NAME.fullmatch(value)):
        raise DataError(
            f"{type(instance).__name__}.{attribute.name} must be a lower-case identifier "
            f"(letters, digits, underscores), got {value!r}"
        )


def _check_text_id(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise DataError(
            f"{type(instance).__name__}.{attribute.name} must be a non-empty string, "
            f"got {value!r}"
        )


def _instant(value: object) -> dt.datetime:
    try:
        return parse_instant(value)
    except NaiveDatetimeError:
        raise NaiveDatetimeError(
            f"{value!s} has no time zone: give an aware datetime, or text with an offset "
            "such as '2026-05-02T09:30:00+02:00' (readers take default_tz for naive data)"
        ) from None


def _optional_instant(value: object) -> dt.datetime | None:
    return None if value is None else _instant(value)


@attrs.frozen
class TouchpointKind:
    """A kind of touchpoint, such as a check-in or a QBR.

    ``meeting`` says whether the touchpoint is a meeting that can be attended or missed (the
    attendance signals read only those); ``human_led`` whether a person from the CS team runs
    it, as opposed to an automated message.
    """

    name: str = attrs.field(validator=_check_name)
    meeting: bool = False
    human_led: bool = True
    description: str = ""


BUILTIN_KINDS: tuple[TouchpointKind, ...] = (
    TouchpointKind("onboarding", meeting=True, description="kick-off and onboarding sessions"),
    TouchpointKind("check_in", meeting=True, description="scheduled check-in call"),
    TouchpointKind("qbr", meeting=True, description="quarterly business review"),
    TouchpointKind("ebr", meeting=True, description="executive business review"),
    TouchpointKind("support", description="support ticket or request and its answers"),
    TouchpointKind("training", meeting=True, description="training session"),
    TouchpointKind("renewal", meeting=True, description="renewal conversation"),
    TouchpointKind("outreach", description="a person's e-mail or chat message"),
    TouchpointKind(
        "automated", human_led=False, description="automated e-mail, in-app message or alert"
    ),
    TouchpointKind("survey", human_led=False, description="survey such as NPS or CSAT"),
)

#: Names of the built-in kinds that are meetings (attended, cancelled or missed).
MEETING_KINDS: frozenset[str] = frozenset(k.name for k in BUILTIN_KINDS if k.meeting)

_BUILTIN_KIND_BY_NAME = {k.name: k for k in BUILTIN_KINDS}


def _lookup(table: dict[str, _T], value: str, what: str) -> _T:
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return table[key]
    except KeyError:
        valid = ", ".join(table)
        raise UnknownNameError(f"unknown {what} {value!r}: expected one of {valid}") from None


def _to_kind(value: object) -> TouchpointKind:
    if isinstance(value, TouchpointKind):
        return value
    return _lookup(_BUILTIN_KIND_BY_NAME, str(value), "touchpoint kind")


@attrs.frozen
class CadenceExpectation:
    """How often a segment expects a kind of touchpoint: every ``min_days`` to ``max_days``.

    ``stage`` limits the expectation to accounts in one lifecycle stage; an expectation
    without a stage applies in every stage that has no expectation of its own for the kind.
    """

    kind: str = attrs.field(validator=_check_name)
    min_days: float = attrs.field(converter=float)
    max_days: float = attrs.field(converter=float)
    stage: LifecycleStage | None = attrs.field(default=None, converter=_to_stage)

    def __attrs_post_init__(self) -> None:
        if not 0 < self.min_days <= self.max_days:
            raise DataError(
                f"cadence for {self.kind!r}: expected 0 < min_days <= max_days, got "
                f"min_days={self.min_days}, max_days={self.max_days}"
            )


def _to_expectations(items: Iterable[CadenceExpectation]) -> tuple[CadenceExpectation, ...]:
    return tuple(items)


@attrs.frozen
class CadencePolicy:
    """What a segment expects: intervals per kind, a survey cap, and a touch budget.

    ``survey_cap`` is the most surveys an account should receive per quarter (fatigue);
    ``max_touches_per_30_days`` the most touchpoints of any kind per 30 days before the
    account is over-contacted, or ``None`` for no budget.
    """

    expectations: tuple[CadenceExpectation, ...] = attrs.field(
        default=(), converter=_to_expectations
    )
    survey_cap: int = 2
    max_touches_per_30_days: int | None = None

    def __attrs_post_init__(self) -> None:
        seen: set[tuple[str, LifecycleStage | None]] = set()
        for expectation in self.expectations:
            key = (expectation.kind, expectation.stage)
            if key in seen:
                raise DataError(
                    f"cadence policy lists kind {expectation.kind!r} twice for stage "
                    f"{expectation.stage}"
                )
            seen.add(key)
        if self.survey_cap < 0:
            raise DataError(f"survey_cap must be >= 0, got {self.survey_cap}")
        if self.max_touches_per_30_days is not None and self.max_touches_per_30_days < 1:
            raise DataError(
                f"max_touches_per_30_days must be >= 1 or None, got "
                f"{self.max_touches_per_30_days}"
            )

    def expected(
        self, kind: str, stage: LifecycleStage | None = None
    ) -> CadenceExpectation | None:
        """The expectation for ``kind`` in ``stage``: the stage's own, else the general one."""
        general = None
        for expectation in self.expectations:
            if expectation.kind != kind:
                continue
            if expectation.stage is not None and expectation.stage == stage:
                return expectation
            if expectation.stage is None:
                general = expectation
        return general


@attrs.frozen
class Segment:
    """A group of accounts served the same way, with the cadence it expects.

    ``human_led`` is false for tech-touch segments, where people step in only when a signal
    flags the account.
    """

    name: str = attrs.field(validator=_check_name)
    cadence: CadencePolicy = attrs.field(factory=CadencePolicy)
    human_led: bool = True
    description: str = ""


def _every(kind: str, low: float, high: float, stage: str | None = None) -> CadenceExpectation:
    return CadenceExpectation(kind, low, high, stage)


HIGH_TOUCH = Segment(
    "high_touch",
    CadencePolicy(
        (
            _every("check_in", 7, 14, "onboarding"),
            _every("check_in", 28, 31),
            _every("qbr", 84, 98),
            _every("ebr", 182, 365),
        ),
        survey_cap=2,
        max_touches_per_30_days=16,
    ),
    description="named CSM; weekly or biweekly check-ins in onboarding, monthly after, "
    "quarterly QBR, EBR every 6-12 months",
)

MID_TOUCH = Segment(
    "mid_touch",
    CadencePolicy(
        (
            _every("check_in", 14, 31),
            _every("qbr", 84, 98),
            _every("automated", 7, 14),
        ),
        survey_cap=2,
        max_touches_per_30_days=10,
    ),
    description="pooled CSMs; biweekly or monthly check-ins, quarterly QBR, digital "
    "touchpoints between",
)

TECH_TOUCH = Segment(
    "tech_touch",
    CadencePolicy((_every("automated", 7, 30),), survey_cap=2, max_touches_per_30_days=8),
    human_led=False,
    description="automated and behaviour-triggered; a person steps in only when a signal "
    "flags the account",
)

BUILTIN_SEGMENTS: tuple[Segment, ...] = (HIGH_TOUCH, MID_TOUCH, TECH_TOUCH)

_BUILTIN_SEGMENT_BY_NAME = {s.name: s for s in BUILTIN_SEGMENTS}


def _to_segment(value: object) -> Segment:
    if isinstance(value, Segment):
        return value
    return _lookup(_BUILTIN_SEGMENT_BY_NAME, str(value), "segment")


def _check_csat(
    instance: object, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None and (
        isinstance(value, bool) or not (isinstance(value, int) and 1 <= value <= 5)
    ):
        raise DataError(f"csat must be an integer from 1 to 5, got {value!r}")


def _check_attendees(
    instance: object, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None and (
        isinstance(value, bool) or not (isinstance(value, int) and 0 <= value <= 2**31 - 1)
    ):
        raise DataError(f"attendees must be a non-negative integer, got {value!r}")


@attrs.frozen
class Touchpoint:
    """One deliberate interaction between the CS team and a customer account.

    ``recorded_at`` is when the record was written (for point-in-time work: a signal computed
    as of some instant sees only touchpoints recorded by then); when it is not given it is
    taken to be ``occurred_at``. ``text`` holds the new words of a message and
    ``quoted_text`` the quoted history an e-mail carried along, kept apart so that tone is read
    from what the customer wrote now.

    Examples
    --------
    >>> tp = Touchpoint("t1", "acme", "check_in", "2026-05-02T15:00:00Z", "no_show")
    >>> tp.kind.meeting, tp.status, tp.recorded_at == tp.occurred_at
    (True, <Status.NO_SHOW: 'no_show'>, True)
    """

    id: str = attrs.field(validator=_check_text_id)
    account_id: str = attrs.field(validator=_check_text_id)
    kind: TouchpointKind = attrs.field(converter=_to_kind)
    occurred_at: dt.datetime = attrs.field(converter=_instant)
    status: Status = attrs.field(converter=_to_status)
    channel: Channel | None = attrs.field(default=None, converter=_to_channel)
    direction: Direction | None = attrs.field(default=None, converter=_to_direction)
    contact_id: str | None = None
    in_reply_to: str | None = None
    trigger: Trigger | None = attrs.field(default=None, converter=_to_trigger)
    text: str | None = None
    quoted_text: str | None = None
    purpose: str | None = None
    outcome: str | None = None
    recorded_at: dt.datetime = attrs.field(default=None, converter=_optional_instant)
    csat: int | None = attrs.field(default=None, validator=_check_csat)
    attendees: int | None = attrs.field(default=None, validator=_check_attendees)

    def __attrs_post_init__(self) -> None:
        if self.recorded_at is None:
            object.__setattr__(self, "recorded_at", self.occurred_at)
        if self.in_reply_to == self.id:
            raise DataError(f"touchpoint {self.id!r} cannot reply to itself")


@attrs.frozen
class Account:
    """A customer account and the segment that says how it is served.

    ``churned_at`` is an outcome: it is there for evaluating signals against what happened,
    and no extractor or scorer reads it.
    """

    id: str = attrs.field(validator=_check_text_id)
    segment: Segment = attrs.field(converter=_to_segment)
    name: str | None = None
    annual_revenue: float | None = attrs.field(default=None)
    owner: str | None = None
    lifecycle_stage: LifecycleStage | None = attrs.field(default=None, converter=_to_stage)
    started_at: dt.datetime | None = attrs.field(default=None, converter=_optional_instant)
    renews_at: dt.datetime | None = attrs.field(default=None, converter=_optional_instant)
    churned_at: dt.datetime | None = attrs.field(default=None, converter=_optional_instant)

    @annual_revenue.validator
    def _check_revenue(self, attribute: attrs.Attribute[float | None], value: object) -> None:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        ):
            raise DataError(f"annual_revenue must be a non-negative number, got {value!r}")


_N = TypeVar("_N", TouchpointKind, Segment)


def _unique_by_name(items: Iterable[_N], what: str) -> tuple[_N, ...]:
    result: dict[str, _N] = {}
    for item in items:
        name = item.name
        if name in result and result[name] != item:
            raise DataError(f"{what} {name!r} is defined twice with different settings")
        result[name] = item
    return tuple(result.values())


def _to_kinds(items: Iterable[TouchpointKind]) -> tuple[TouchpointKind, ...]:
    return _unique_by_name(items, "kind")


def _to_segments(items: Iterable[Segment]) -> tuple[Segment, ...]:
    return _unique_by_name(items, "segment")


@attrs.frozen
class Catalog:
    """The kinds and segments a load or a scorer may name.

    A catalog is the one place where strings from data become domain objects, so that a team's
    own kinds (``"webinar"``) and segments (``"strategic"``) are as valid as the built-ins
    without any process-wide registration.

    Examples
    --------
    >>> webinar = TouchpointKind("webinar", meeting=True)
    >>> catalog = DEFAULT_CATALOG.with_kinds(webinar)
    >>> catalog.kind("webinar").meeting
    True
    """

    kinds: tuple[TouchpointKind, ...] = attrs.field(default=BUILTIN_KINDS, converter=_to_kinds)
    segments: tuple[Segment, ...] = attrs.field(
        default=BUILTIN_SEGMENTS, converter=_to_segments
    )

    @property
    def kind_names(self) -> tuple[str, ...]:
        """Names of the kinds, in catalog order (the order of the log's kind codes)."""
        return tuple(k.name for k in self.kinds)

    @property
    def segment_names(self) -> tuple[str, ...]:
        """Names of the segments, in catalog order."""
        return tuple(s.name for s in self.segments)

    def kind(self, name: str | TouchpointKind) -> TouchpointKind:
        """The kind called ``name``; an unknown name raises listing the valid ones."""
        if isinstance(name, TouchpointKind):
            return name
        return _lookup({k.name: k for k in self.kinds}, name, "touchpoint kind")

    def segment(self, name: str | Segment) -> Segment:
        """The segment called ``name``; an unknown name raises listing the valid ones."""
        if isinstance(name, Segment):
            return name
        return _lookup({s.name: s for s in self.segments}, name, "segment")

    def with_kinds(self, *kinds: TouchpointKind) -> Catalog:
        """A catalog with ``kinds`` added; a kind with a built-in's name replaces it."""
        replaced = {k.name: k for k in self.kinds} | {k.name: k for k in kinds}
        return attrs.evolve(self, kinds=tuple(replaced.values()))

    def with_segments(self, *segments: Segment) -> Catalog:
        """A catalog with ``segments`` added; a segment with a built-in's name replaces it."""
        replaced = {s.name: s for s in self.segments} | {s.name: s for s in segments}
        return attrs.evolve(self, segments=tuple(replaced.values()))


#: The built-in kinds and segments.
DEFAULT_CATALOG = Catalog()
