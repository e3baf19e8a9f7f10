"""Overrides: a CSM's manual band or score, with its author, reason and expiry.

An :class:`Override` says *this account is yellow (or scores 55) until this date, because I
say so, and here is why*. :class:`Overrides` applies them to the health scores of an earlier
scorer; it needs a ``prior`` and belongs at the end of a
:class:`~touchpoint_signals.scoring.compose.Sequence`, after any rules, so that the CSM has the
last word (a :class:`~touchpoint_signals.scoring.rules.Rules` placed after it would cap an
overridden band again).

What an override changes
------------------------
* ``band`` only: the band is replaced and the score kept. An account without a score can only
  be red or ``insufficient_data``, so a green or yellow override of such an account is not
  applied; the reason line says so and asks for a score.
* ``score`` only: the score is replaced and the band read from :attr:`Overrides.thresholds`
  (the scorecard's default thresholds unless given).
* both: both are replaced as given.

Coverage is kept. The contributions of the signals are kept too, and one more contribution,
``"override"`` with handling ``"override"``, holds the difference between the manual score
and the score the signals earned, so the points still add up to the score exactly. Each
applied override is recorded as an :class:`Adjustment` of kind ``"override"`` whose source is
the author, and its reason line, ``"override by <author>: <reason> (...)"``, comes first among
the reasons.

When an override counts
-----------------------
An override is active at ``as_of`` when ``created_at <= as_of < expires_at``
(``created_at`` may be left out, meaning "always was"). Outside that window it does nothing:
an expired override leaves every health score exactly as it would be without it, and is not
mentioned in the reasons; :meth:`Overrides.expired` lists the expired ones for a report that
wants to chase their authors. Two overrides of one account whose windows overlap are a
configuration error, so at most one is active for an account at any instant. An override of
an account that is not scored is ignored.

Examples
--------
>>> import datetime as dt
>>> override = Override(account_id="acme", band="yellow", author="ana@example.com",
...                     reason="renewal call went badly", expires_at="2026-07-01T00:00Z")
>>> override.active(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
True
>>> override.active(dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
False
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from typing import Any

import attrs

from touchpoint_signals.errors import ConfigError
from touchpoint_signals.scoring.base import (
    Adjustment,
    Band,
    Contribution,
    HealthScore,
    Scores,
    SignalSet,
    config_hash,
    paused_gc,
    require_prior,
)
from touchpoint_signals.scoring.compose import aligned, restamp
from touchpoint_signals.scoring.scorecard import BandThresholds

__all__ = ["OVERRIDE", "Override", "Overrides"]

logger = logging.getLogger(__name__)

#: ``Contribution.signal`` and ``Contribution.handling`` of the points an override adds.
OVERRIDE = "override"

_MANUAL_BANDS = (Band.GREEN, Band.YELLOW, Band.RED)


def _non_blank(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{type(instance).__name__}.{attribute.name} must be a non-empty string, "
            f"got {value!r}"
        )


def _to_band(value: object) -> Band | None:
    if value is None or isinstance(value, Band):
        return value
    try:
        return Band(str(value))
    except ValueError:
        raise ConfigError(
            f"Override.band must be green, yellow or red, got {value!r}"
        ) from None


def _check_band(
    instance: Override, attribute: attrs.Attribute[Band | None], value: object
) -> None:
    if value is not None and value not in _MANUAL_BANDS:
        raise ConfigError(
            f"override of {instance.account_id!r}: band must be green, yellow or red, "
            f"got {value!r}"
        )


def _check_score(
    instance: Override, attribute: attrs.Attribute[float | None], value: object
) -> None:
    if value is None:
        return
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not 0.0 <= value <= 100.0
    ):
        raise ConfigError(
            f"override of {instance.account_id!r}: score must lie in [0, 100], got {value!r}"
        )


def _to_instant(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"not an ISO 8601 instant: {value!r}") from None
    return value


def _to_optional_instant(value: dt.datetime | str | None) -> dt.datetime | None:
    return None if value is None else _to_instant(value)


def _check_instant(instance: Override, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.name == "created_at":
        return
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ConfigError(
            f"override of {instance.account_id!r}: {attribute.name} must be an instant with "
            f"a time zone, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Override:
    """A CSM's manual band or score for one account, for a limited time.

    Parameters
    ----------
    account_id : str
        The account overridden.
    author : str
        Who decided (an e-mail address, say); named in the reason line.
    reason : str
        Why, in the author's words.
    expires_at : datetime or str
        When the override stops counting (exclusive). Every override expires: a forgotten
        one would otherwise hide the account's signals for good.
    band : Band or str, optional
        ``"green"``, ``"yellow"`` or ``"red"``.
    score : float, optional
        A score from 0 to 100. At least one of ``band`` and ``score`` is given.
    created_at : datetime or str, optional
        From when the override counts; scores at an earlier ``as_of`` ignore it.
    """

    account_id: str = attrs.field(validator=_non_blank)
    author: str = attrs.field(validator=_non_blank)
    reason: str = attrs.field(validator=_non_blank)
    expires_at: dt.datetime = attrs.field(converter=_to_instant, validator=_check_instant)
    band: Band | None = attrs.field(default=None, converter=_to_band, validator=_check_band)
    score: float | None = attrs.field(default=None, validator=_check_score)
    created_at: dt.datetime | None = attrs.field(
        default=None, converter=_to_optional_instant, validator=_check_instant
    )

    def __attrs_post_init__(self) -> None:
        if self.band is None and self.score is None:
            raise ConfigError(
                f"override of {self.account_id!r} by {self.author}: give a band, a score "
                "or both"
            )
        if self.created_at is not None and self.created_at >= self.expires_at:
            raise ConfigError(
                f"override of {self.account_id!r} by {self.author}: created_at "
                f"{self.created_at.isoformat()} is not before expires_at "
                f"{self.expires_at.isoformat()}"
            )

    def active(self, as_of: dt.datetime) -> bool:
        """Whether the override counts at ``as_of``."""
        started = self.created_at is None or self.created_at <= as_of
        return started and as_of < self.expires_at

    def config(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "account_id": self.account_id,
            "author": self.author,
            "reason": self.reason,
            "expires_at": self.expires_at.isoformat(),
            "band": None if self.band is None else self.band.value,
            "score": None if self.score is None else float(self.score),
            "created_at": None if self.created_at is None else self.created_at.isoformat(),
        }


def _to_overrides(value: Sequence[Override]) -> tuple[Override, ...]:
    return tuple(value)


def _overlap(first: Override, second: Override) -> bool:
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    start_1 = first.created_at or far_past
    start_2 = second.created_at or far_past
    return start_1 < second.expires_at and start_2 < first.expires_at


def _check_overrides(
    instance: Overrides,
    attribute: attrs.Attribute[tuple[Override, ...]],
    value: tuple[Override, ...],
) -> None:
    by_account: dict[str, list[Override]] = {}
    for position, override in enumerate(value):
        if not isinstance(override, Override):
            raise ConfigError(
                f"Overrides.overrides[{position}] is a {type(override).__name__}, "
                "not an Override"
            )
        for other in by_account.get(override.account_id, []):
            if _overlap(other, override):
                raise ConfigError(
                    f"two overrides of {override.account_id!r} overlap in time (by "
                    f"{other.author}, until {other.expires_at.isoformat()}, and by "
                    f"{override.author}, until {override.expires_at.isoformat()}); end one "
                    "before the other starts"
                )
        by_account.setdefault(override.account_id, []).append(override)


@attrs.frozen
class Overrides:
    """A scorer that applies a CSM's :class:`Override` objects to an earlier scorer's scores.

    It adjusts scores rather than computing them, so :meth:`score` raises
    :class:`~touchpoint_signals.errors.ProtocolError` without a ``prior``. ``thresholds``
    band a score given without a band.
    """

    overrides: tuple[Override, ...] = attrs.field(
        converter=_to_overrides, validator=_check_overrides
    )
    name: str = attrs.field(default="overrides", validator=_non_blank)
    thresholds: BandThresholds = attrs.field(
        factory=BandThresholds, validator=attrs.validators.instance_of(BandThresholds)
    )

    def config(self) -> dict[str, Any]:
        """Plain data: the kind, the thresholds and every override."""
        return {
            "kind": "overrides",
            "thresholds": self.thresholds.config(),
            "overrides": [override.config() for override in self.overrides],
        }

    def active(self, as_of: dt.datetime) -> dict[str, Override]:
        """The override that counts at ``as_of`` for each account that has one."""
        return {o.account_id: o for o in self.overrides if o.active(as_of)}

    def expired(self, as_of: dt.datetime) -> tuple[Override, ...]:
        """The overrides that no longer count at ``as_of``."""
        return tuple(o for o in self.overrides if o.expires_at <= as_of)

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        """The prior's health scores with every active override applied."""
        prior = aligned(self, signals, require_prior(self, prior))
        active = self.active(signals.as_of)
        logger.debug(
            "%s at %s: %d active, %d expired",
            self.name, signals.as_of, len(active), len(self.expired(signals.as_of)),
        )  # fmt: skip

        own_hash = config_hash(self.config())
        items = []
        with paused_gc():
            for before in prior.items:
                override = active.get(before.account_id)
                after = before if override is None else self._apply(override, before)
                items.append(restamp(after, self.name, own_hash))
        return Scores(tuple(items))

    def _apply(self, override: Override, before: HealthScore) -> HealthScore:
        score: float | None = (
            before.score if override.score is None else round(float(override.score), 2)
        )
        if override.band is not None:
            band = override.band
        elif score is not None:
            band = self.thresholds.band(score)
        else:  # pragma: no cover - an override has a band or a score
            band = before.band
        until = override.expires_at.date().isoformat()

        if score is None and band not in (Band.RED, Band.INSUFFICIENT_DATA):
            line = (
                f"override by {override.author} not applied: the account has no score, so a "
                f"{band.value} band needs a score as well (until {until})"
            )
            return attrs.evolve(before, reasons=(line, *before.reasons))

        changed = [f"band {band.value}"]
        if override.score is not None:
            changed.insert(0, f"score {score:.2f}")
        line = (
            f"override by {override.author}: {override.reason} "
            f"({', '.join(changed)}; until {until})"
        )
        adjustment = Adjustment(
            kind=OVERRIDE,
            source=override.author,
            description=line,
            band_before=before.band,
            band_after=band,
            score_before=before.score,
            score_after=score,
        )
        return attrs.evolve(
            before,
            score=score,
            band=band,
            contributions=_with_difference(before.contributions, score, line),
            reasons=(line, *before.reasons),
            adjustments=(*before.adjustments, adjustment),
        )


def _with_difference(
    contributions: tuple[Contribution, ...], score: float | None, line: str
) -> tuple[Contribution, ...]:
    """The contributions plus one that makes their points add up to ``score``."""
    if score is None:
        return contributions
    earned = round(sum(c.points for c in contributions), 2)
    difference = round(score - earned, 2)
    if difference == 0.0:
        return contributions
    extra = Contribution(
        signal=OVERRIDE,
        points=difference,
        weight=0.0,
        effective_weight=0.0,
        severity=None,
        handling=OVERRIDE,
        reason=line,
    )
    return (*contributions, extra)
