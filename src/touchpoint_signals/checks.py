"""Conformance checks a team runs on its own scorers and extractors, in its own tests.

A scorer or an extractor written outside this package works with it when it keeps the
protocol (:class:`~touchpoint_signals.scoring.Scorer`,
:class:`~touchpoint_signals.signals.Extractor`) in behaviour, not only in shape. The checks
here exercise that behaviour: :func:`check_scorer` and :func:`check_extractor` run a list of
named checks and stop at the first that fails with a :class:`ConformanceError` naming the
check and saying what broke::

    from touchpoint_signals.checks import check_extractor, check_scorer

    def test_our_scorer_conforms():
        check_scorer(OurScorer())

    def test_our_extractor_conforms():
        check_extractor(OurExtractor())

Both run on small hand-made fixtures (:func:`fixture_signals`, :func:`fixture_log`) unless
given data of their own. The names of the checks are listed in :data:`SCORER_CHECKS` and
:data:`EXTRACTOR_CHECKS`; a check that does not apply to a plugin can be skipped by name.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Collection, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ProtocolError, TouchpointSignalsError, UnknownNameError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.model import Account, Catalog, Touchpoint
from touchpoint_signals.scoring.base import (
    Band,
    Contribution,
    HealthScore,
    Scorer,
    Scores,
    SignalSet,
    config_hash,
)
from touchpoint_signals.signals.base import Extractor, SignalFrame, SignalStatus

__all__ = [
    "EXTRACTOR_CHECKS",
    "FIXTURE_AS_OF",
    "SCORER_CHECKS",
    "ConformanceError",
    "ReferenceScorer",
    "check_extractor",
    "check_scorer",
    "fixture_log",
    "fixture_signals",
]

logger = logging.getLogger(__name__)

#: The instant the built-in fixtures are read at.
FIXTURE_AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

_OK = tuple(SignalStatus).index(SignalStatus.OK)
_INSUFFICIENT = tuple(SignalStatus).index(SignalStatus.INSUFFICIENT_DATA)
_DAY = dt.timedelta(days=1)


class ConformanceError(TouchpointSignalsError, AssertionError):
    """A scorer or extractor failed a conformance check.

    ``check`` is the name of the check (one of :data:`SCORER_CHECKS` or
    :data:`EXTRACTOR_CHECKS`), ``subject`` names the plugin and its type. Being an
    ``AssertionError``, it reads as a test failure in pytest and unittest.
    """

    def __init__(self, check: str, subject: str, problem: str) -> None:
        super().__init__(f"check {check!r} failed for {subject}: {problem}")
        self.check = check
        self.subject = subject
        self.problem = problem


class _CheckFailedError(Exception):
    """Raised inside a check with the problem in words; turned into a ConformanceError."""


def _fail(problem: str) -> None:
    raise _CheckFailedError(problem)


# -- fixtures -------------------------------------------------------------------------------


def fixture_log() -> TouchpointLog:
    """A small hand-made log, read at :data:`FIXTURE_AS_OF`, that every check can use.

    Hand-made fixture, not real data. Five accounts, chosen so that the built-in signals have
    both readable accounts and accounts with too little data:

    * ``acme`` (high touch): a check-in every 14 days for half a year, the last three missed;
      an e-mail from the CSM every 5 days, answered ever more slowly (0.2 days at first, 0.1
      day more each time) and, for the last twelve, unhappily;
    * ``globex`` (mid touch): monthly check-ins all attended, a quarterly review, a weekly
      e-mail answered within five hours, automated e-mails;
    * ``initech`` (tech touch): weekly automated messages and a support ticket every 6 days,
      answered by the team ever more slowly; one more ticket recorded only after ``as_of``;
    * ``umbrella`` (mid touch): a single check-in (a thin history);
    * ``hooli`` (high touch): an account record and no touchpoints at all.
    """
    tps: list[Touchpoint] = []

    def add(tid: str, account: str, kind: str, days_before: float, **fields: Any) -> None:
        fields.setdefault("status", "completed")
        tps.append(Touchpoint(tid, account, kind, FIXTURE_AS_OF - days_before * _DAY, **fields))

    meeting = {"channel": "video", "trigger": "scheduled", "purpose": "adoption review"}
    email = {"channel": "email", "direction": "outbound", "trigger": "scheduled"}
    reply = {"channel": "email", "direction": "inbound"}
    happy = "Thanks so much, great progress, we appreciate the help!"
    unhappy = "This is still broken and frustrating. We are disappointed."

    for i, days in enumerate(range(182, 0, -14)):  # 13 check-ins, 182 to 14 days before
        missed = days <= 42  # those 42, 28 and 14 days before
        status, outcome = ("no_show", None) if missed else ("completed", "next steps agreed")
        add(f"acme-m{i:02d}", "acme", "check_in", days, status=status, outcome=outcome,
            **meeting)  # fmt: skip
    for i, days in enumerate(range(175, 0, -5)):  # 35 e-mails, 175 to 5 days before
        add(f"acme-e{i:02d}", "acme", "outreach", days, contact_id="csm-ana", purpose="rollout",
            text="Hi team, following up on the rollout plan.", **email)  # fmt: skip
        add(f"acme-r{i:02d}", "acme", "outreach", days - 0.2 - 0.1 * i, contact_id="acme-cto",
            in_reply_to=f"acme-e{i:02d}", text=[happy, unhappy][i >= 23], **reply)  # fmt: skip

    for i, days in enumerate(range(180, 0, -30)):  # 6 monthly check-ins, all attended
        add(f"globex-m{i}", "globex", "check_in", days, outcome="plan agreed", **meeting)
    add("globex-q1", "globex", "qbr", 100, outcome="renewal on track", **meeting)
    for i, days in enumerate(range(178, 0, -7)):  # 26 weekly e-mails, answered promptly
        add(f"globex-e{i:02d}", "globex", "outreach", days, contact_id="csm-ben",
            purpose="agenda", text="Hello, here is our agenda.", **email)  # fmt: skip
        add(f"globex-r{i:02d}", "globex", "outreach", days - 0.2, contact_id="globex-ops",
            in_reply_to=f"globex-e{i:02d}", text="Great, thank you!", **reply)  # fmt: skip
    for i, days in enumerate(range(170, 0, -10)):
        add(f"globex-a{i:02d}", "globex", "automated", days, **email)

    for i, days in enumerate(range(150, 0, -7)):
        add(f"initech-a{i:02d}", "initech", "automated", days, channel="in_app",
            direction="outbound", trigger="behaviour_triggered")  # fmt: skip
    for i, days in enumerate(range(170, 0, -6)):  # 29 tickets, answered 0.1 + 0.05 i days later
        add(f"initech-t{i:02d}", "initech", "support", days, channel="web", direction="inbound",
            contact_id="initech-dev", trigger="customer_raised", purpose="bug report",
            text="The export fails with an error, please help.")  # fmt: skip
        add(f"initech-u{i:02d}", "initech", "support", days - 0.1 - 0.05 * i, channel="web",
            direction="outbound", contact_id="support-cy", in_reply_to=f"initech-t{i:02d}",
            outcome="fixed", text="Thanks for the report, this is fixed now.")  # fmt: skip
    add("initech-late", "initech", "support", 2, direction="inbound",
        recorded_at=FIXTURE_AS_OF + 3 * _DAY, text="Recorded only after as_of.")  # fmt: skip

    add("umbrella-m0", "umbrella", "check_in", 20, outcome="intro done", **meeting)

    accounts = [
        Account("acme", "high_touch", name="Acme (hand-made)"),
        Account("globex", "mid_touch", name="Globex (hand-made)"),
        Account("initech", "tech_touch", name="Initech (hand-made)"),
        Account("umbrella", "mid_touch", name="Umbrella (hand-made)"),
        Account("hooli", "high_touch", name="Hooli (hand-made)"),
    ]
    return TouchpointLog.from_touchpoints(tps, accounts=accounts)


#: Severities of the hand-made signal set: account -> signal -> severity (None: no data).
_FIXTURE_SEVERITIES: dict[str, dict[str, float | None]] = {
    "acme": {
        "attendance": 0.8, "customer_reply_latency": 0.6, "vendor_response_latency": 0.1,
        "tone_shift": 0.5, "cadence": 0.2, "fatigue": 0.0,
        "purpose_outcome": 0.3,
    },
    "globex": {
        "attendance": 0.0, "customer_reply_latency": 0.1, "vendor_response_latency": 0.0,
        "tone_shift": 0.05, "cadence": 0.0, "fatigue": 0.2,
        "purpose_outcome": 0.1,
    },
    "initech": {
        "attendance": None, "customer_reply_latency": None, "vendor_response_latency": 0.3,
        "tone_shift": 0.25, "cadence": 0.5, "fatigue": 0.1,
        "purpose_outcome": None,
    },
    "umbrella": {
        "attendance": None, "customer_reply_latency": None, "vendor_response_latency": None,
        "tone_shift": None, "cadence": 1.0, "fatigue": None,
        "purpose_outcome": None,
    },
    "hooli": dict.fromkeys(
        ("attendance", "customer_reply_latency", "vendor_response_latency", "tone_shift",
         "cadence", "fatigue", "purpose_outcome")
    ),
}  # fmt: skip

_FIXTURE_SEGMENTS = {
    "acme": "high_touch",
    "globex": "mid_touch",
    "initech": "tech_touch",
    "umbrella": "mid_touch",
    "hooli": "high_touch",
}


def fixture_signals() -> SignalSet:
    """A small hand-made signal set at :data:`FIXTURE_AS_OF`, named like the built-ins.

    Hand-made fixture, not real data: the severities are set by hand (see the table in this
    module) for the seven built-in signal names, so that a scorecard over the built-ins can
    score it. ``acme`` is at risk, ``globex`` healthy, ``initech`` partly read, ``umbrella``
    read by one signal only and ``hooli`` not read at all. The value of a reading is its
    severity, in the unit ``"severity"``; evidence is empty.
    """
    account_ids = np.array(sorted(_FIXTURE_SEVERITIES), dtype=np.dtypes.StringDType())
    accounts = tuple(
        Account(str(a), _FIXTURE_SEGMENTS[str(a)], name=f"{str(a).title()} (hand-made)")
        for a in account_ids
    )
    names = list(_FIXTURE_SEVERITIES["acme"])
    frames = {}
    for name in names:
        severity = np.array(
            [
                math.nan if (s := _FIXTURE_SEVERITIES[str(a)][name]) is None else s
                for a in account_ids
            ]
        )
        read = ~np.isnan(severity)
        frames[name] = SignalFrame(
            name=name,
            unit="severity",
            as_of=FIXTURE_AS_OF,
            account_ids=account_ids,
            value=severity,
            severity=severity,
            status=np.where(read, _OK, _INSUFFICIENT).astype(np.uint8),
            reasons=tuple(
                f"{name} severity {s:.2f} (hand-made fixture)" if ok else f"no {name} data"
                for s, ok in zip(severity, read, strict=True)
            ),
            samples={"n": np.where(read, 5, 0).astype(np.int64)},
            evidence_offsets=np.zeros(len(account_ids) + 1, dtype=np.int64),
            evidence_ids=np.array([], dtype=np.dtypes.StringDType()),
        )
    return SignalSet(FIXTURE_AS_OF, account_ids, accounts, frames)


# -- a reference scorer (priors for scorers that adjust scores) -------------------------------


@attrs.frozen
class ReferenceScorer:
    """The plainest scorer that keeps the protocol: the mean health of the signals read.

    The checks use it to make the ``prior`` that a scorer which adjusts scores (rules,
    overrides) needs. Every signal of the set weighs the same; a signal read with severity
    ``s`` contributes ``100 * (1 - s) / n`` points (``n`` signals read), to the hundredth,
    and the score is the sum of the contributions. Coverage is the share of signals read;
    below ``min_coverage`` the band is ``insufficient_data`` (no score when nothing was
    read); otherwise green from 70, yellow from 40, red below.

    Examples
    --------
    >>> scores = ReferenceScorer().score(fixture_signals())
    >>> for s in scores:
    ...     print(s.account_id, s.score, s.band.value, f"{s.coverage:.2f}")
    acme 64.29 yellow 1.00
    globex 93.59 green 1.00
    hooli None insufficient_data 0.00
    initech 71.25 green 0.57
    umbrella 0.0 insufficient_data 0.14
    """

    name: str = "reference"
    min_coverage: float = 0.5

    def config(self) -> Mapping[str, Any]:
        """The configuration as plain data."""
        return {"min_coverage": self.min_coverage}

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        """One health score per account of ``signals``; ``prior`` is ignored."""
        names = sorted(signals.frames)
        digest = config_hash(self.config())
        items = []
        for code, account_id in enumerate(signals.account_ids):
            read = [n for n in names if signals.frames[n].sufficient[code]]
            coverage = len(read) / len(names) if names else 0.0
            contributions = []
            for name in names:
                frame = signals.frames[name]
                ok = name in read
                severity = float(frame.severity[code]) if ok else None
                points = (
                    round(100 * (1 - severity) / len(read), 2) if severity is not None else 0
                )
                contributions.append(
                    Contribution(
                        signal=name,
                        points=points,
                        weight=1.0,
                        effective_weight=1 / len(read) if ok else 0.0,
                        severity=severity,
                        handling="observed" if ok else "exclude",
                        reason=frame.reasons[code],
                    )
                )
            score = round(sum(c.points for c in contributions), 2) if read else None
            if score is None or coverage < self.min_coverage:
                band = Band.INSUFFICIENT_DATA
            else:
                band = Band.GREEN if score >= 70 else Band.YELLOW if score >= 40 else Band.RED
            worst = sorted(
                (c for c in contributions if c.severity is not None),
                key=lambda c: (-(c.severity or 0.0), c.signal),
            )
            reasons = tuple(c.reason for c in worst[:3]) or ("no signal could be read",)
            items.append(
                HealthScore(
                    account_id=str(account_id),
                    as_of=signals.as_of,
                    score=score,
                    band=band,
                    coverage=coverage,
                    contributions=tuple(contributions),
                    reasons=reasons,
                    scorer=self.name,
                    config_hash=digest,
                )
            )
        return Scores(tuple(items))


# -- reshaping signal sets --------------------------------------------------------------------


def _take_frame(frame: SignalFrame, order: npt.NDArray[np.intp]) -> SignalFrame:
    """The frame with its accounts in ``order`` (evidence moved along)."""
    starts = frame.evidence_offsets[:-1][order]
    ends = frame.evidence_offsets[1:][order]
    offsets = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=offsets[1:])
    pieces = [frame.evidence_ids[s:e] for s, e in zip(starts, ends, strict=True)]
    return attrs.evolve(
        frame,
        account_ids=frame.account_ids[order],
        value=frame.value[order],
        severity=frame.severity[order],
        status=frame.status[order],
        reasons=tuple(frame.reasons[i] for i in order),
        samples={k: v[order] for k, v in frame.samples.items()},
        details={k: v[order] for k, v in frame.details.items()},
        evidence_offsets=offsets,
        evidence_ids=np.concatenate(pieces) if pieces else frame.evidence_ids[:0],
    )


def _permuted(signals: SignalSet, order: npt.NDArray[np.intp]) -> SignalSet:
    return SignalSet(
        signals.as_of,
        signals.account_ids[order],
        tuple(signals.accounts[i] for i in order),
        {name: _take_frame(frame, order) for name, frame in signals.frames.items()},
    )


def _without_data(signals: SignalSet, blank: npt.NDArray[np.bool_]) -> SignalSet:
    """The set with every signal unread for the accounts where ``blank`` is true."""
    frames = {}
    for name, frame in signals.frames.items():
        lengths = np.where(blank, 0, np.diff(frame.evidence_offsets))
        offsets = np.zeros(len(frame) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        keep = np.repeat(~blank, np.diff(frame.evidence_offsets))
        frames[name] = attrs.evolve(
            frame,
            value=np.where(blank, np.nan, frame.value),
            severity=np.where(blank, np.nan, frame.severity),
            status=np.where(blank, _INSUFFICIENT, frame.status).astype(np.uint8),
            reasons=tuple(
                f"no {name} data (conformance check)" if b else r
                for b, r in zip(blank, frame.reasons, strict=True)
            ),
            samples={k: np.where(blank, 0, v) for k, v in frame.samples.items()},
            details={k: np.where(blank, np.nan, v) for k, v in frame.details.items()},
            evidence_offsets=offsets,
            evidence_ids=frame.evidence_ids[keep],
        )
    return attrs.evolve(signals, frames=frames)


def _snapshot(arrays: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v.copy() if isinstance(v, np.ndarray) else dict(v) if isinstance(v, Mapping) else v
        for k, v in arrays.items()
    }


def _frame_columns(frame: SignalFrame) -> dict[str, Any]:
    return {
        "account_ids": frame.account_ids,
        "value": frame.value,
        "severity": frame.severity,
        "status": frame.status,
        "reasons": frame.reasons,
        "evidence_offsets": frame.evidence_offsets,
        "evidence_ids": frame.evidence_ids,
        **{f"samples[{k}]": v for k, v in frame.samples.items()},
        **{f"details[{k}]": v for k, v in frame.details.items()},
    }


def _missing_as_none(values: list[Any]) -> list[Any]:
    """Missing text (NaN in the log's text columns) as None, so that it equals itself."""
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if a.shape != b.shape:
            return False
        if a.dtype.kind == "f" and b.dtype.kind == "f":
            return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))
        if a.dtype.kind in "biu" and b.dtype.kind in "biu":
            return bool(np.array_equal(a, b))
        return _missing_as_none(a.tolist()) == _missing_as_none(b.tolist())
    return bool(a == b)


def _frame_difference(expected: SignalFrame, got: SignalFrame) -> str | None:
    """The first column where two frames differ, with the first account it differs for."""
    left, right = _frame_columns(expected), _frame_columns(got)
    if left.keys() != right.keys():
        return f"the columns differ: {sorted(left)} v {sorted(right)}"
    for label, column in left.items():
        other = right[label]
        if _same(column, other):
            continue
        if label in ("evidence_ids", "evidence_offsets"):
            return f"the evidence differs ({label})"
        if len(column) != len(other):
            return f"column {label} has {len(other)} rows instead of {len(column)}"
        for row in range(len(column)):
            if not _same(np.asarray(column[row : row + 1]), np.asarray(other[row : row + 1])):
                account = expected.account_ids[row]
                return (
                    f"{label} of account {account!r} is {other[row]!r} instead of "
                    f"{column[row]!r}"
                )
        return f"column {label} differs"
    return None


# -- scorer checks ----------------------------------------------------------------------------


@attrs.define
class _ScorerRun:
    """What the scorer checks share: the scorer, the signals, and how to call it."""

    scorer: Any
    signals: SignalSet
    needs_prior: bool | None = None
    first: Scores | None = None
    first_prior: Scores | None = None

    def score(self, signals: SignalSet) -> Scores:
        return self._score(signals)[0]

    def _score(self, signals: SignalSet) -> tuple[Scores, Scores | None]:
        if self.needs_prior is None:
            try:
                result = self.scorer.score(signals)
                self.needs_prior = False
            except ProtocolError:
                self.needs_prior = True
                logger.debug("%s needs a prior: using the reference scorer", self.scorer)
            else:
                return _as_scores(result), None
        prior = ReferenceScorer().score(signals) if self.needs_prior else None
        return _as_scores(self.scorer.score(signals, prior)), prior

    def scores(self) -> Scores:
        if self.first is None:
            self.first, self.first_prior = self._score(self.signals)
        return self.first


def _as_scores(result: object) -> Scores:
    if not isinstance(result, Scores):
        _fail(f"score() returned a {type(result).__name__}, not a Scores")
    assert isinstance(result, Scores)
    return result


def _scorer_has_protocol_shape(run: _ScorerRun) -> None:
    if not isinstance(run.scorer, Scorer):
        missing = [a for a in ("name", "config", "score") if not hasattr(run.scorer, a)]
        _fail(f"it lacks {', '.join(missing) or 'the Scorer shape'}")
    if not isinstance(run.scorer.name, str) or not run.scorer.name.strip():
        _fail(f"its name is {run.scorer.name!r}, not a non-empty string")


def _plain_data_problem(value: object, path: str) -> str | None:
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path} is {value}, not a finite number"
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path} has the key {key!r}, not a string"
            problem = _plain_data_problem(item, f"{path}.{key}")
            if problem:
                return problem
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            problem = _plain_data_problem(item, f"{path}[{index}]")
            if problem:
                return problem
        return None
    return f"{path} is a {type(value).__name__} ({value!r}), not plain data"


def _config_is_plain_data(run: _ScorerRun) -> None:
    config = run.scorer.config()
    if not isinstance(config, Mapping):
        _fail(f"config() returned a {type(config).__name__}, not a mapping")
    problem = _plain_data_problem(config, "config()")
    if problem:
        _fail(problem + " (strings, numbers, booleans, None, lists and mappings only)")
    if config_hash(run.scorer.config()) != config_hash(config):
        _fail("config() returned different data on a second call")


def _scorer_returns_one_score_per_account(run: _ScorerRun) -> None:
    scores = run.scores()
    expected = [str(a) for a in run.signals.account_ids]
    for position, item in enumerate(scores):
        if not isinstance(item, HealthScore):
            _fail(f"item #{position} is a {type(item).__name__}, not a HealthScore")
    got = [item.account_id for item in scores]
    if got != expected:
        _fail(
            f"{len(got)} scores for {len(expected)} accounts, or not in the signals' order: "
            f"expected {expected[:6]}, got {got[:6]}"
        )
    for item in scores:
        if item.as_of != run.signals.as_of:
            _fail(
                f"account {item.account_id!r} is scored as of {item.as_of.isoformat()}, not "
                f"as of the signals' {run.signals.as_of.isoformat()}"
            )


def _scores_name_their_scorer(run: _ScorerRun) -> None:
    digest = config_hash(run.scorer.config())
    scores = run.scores()
    prior = run.first_prior
    for position, item in enumerate(scores):
        if item.scorer != run.scorer.name:
            _fail(
                f"account {item.account_id!r} names scorer {item.scorer!r}, not "
                f"{run.scorer.name!r}"
            )
        allowed = {digest}
        if prior is not None and position < len(prior):
            # an adjuster stamps the hash of what it adjusted together with its own
            adjusted = prior.items[position].config_hash
            allowed.add(config_hash({"adjusted": adjusted, "by": digest}))
        if item.config_hash not in allowed:
            _fail(
                f"account {item.account_id!r} carries config_hash {item.config_hash!r}, not "
                f"config_hash(scorer.config()) = {digest!r}"
            )


def _scores_within_0_100(run: _ScorerRun) -> None:
    for item in run.scores():
        if item.score is not None and not (
            isinstance(item.score, int | float) and 0.0 <= item.score <= 100.0
        ):
            _fail(f"account {item.account_id!r} has score {item.score!r}, not 0-100 or None")
        if not 0.0 <= item.coverage <= 1.0:
            _fail(f"account {item.account_id!r} has coverage {item.coverage!r}, not 0-1")
        if item.score is None and item.band not in (Band.INSUFFICIENT_DATA, Band.RED):
            _fail(f"account {item.account_id!r} has no score but band {item.band.value}")


def _contributions_sum_to_score(run: _ScorerRun) -> None:
    for item in run.scores():
        if item.score is None:
            continue
        total = sum(c.points for c in item.contributions)
        setting = [a for a in item.adjustments if a.score_after is not None]
        if setting:
            # an adjustment set the score: contributions explain the score it started from
            expected = setting[0].score_before
            if not math.isclose(item.score, setting[-1].score_after or 0.0, abs_tol=0.005):
                _fail(
                    f"account {item.account_id!r} has score {item.score} but its last "
                    f"adjustment set it to {setting[-1].score_after}"
                )
            if expected is None:
                continue
            what = f"the score before adjustment {setting[0].source!r}"
        else:
            expected, what = item.score, "the score"
        if abs(total - expected) > 0.005 + 1e-9:
            _fail(
                f"account {item.account_id!r}: its {len(item.contributions)} contributions "
                f"add up to {total:.4f} points, but {what} is {expected}"
            )


def _reasons_are_non_empty(run: _ScorerRun) -> None:
    for item in run.scores():
        if not item.reasons:
            _fail(f"account {item.account_id!r} has no reasons")
        for reason in item.reasons:
            if not isinstance(reason, str) or not reason.strip():
                _fail(f"account {item.account_id!r} has the reason {reason!r}")


def _no_data_never_green(run: _ScorerRun) -> None:
    n = len(run.signals)
    if n == 0:
        return
    every = np.ones(n, dtype=bool)
    first = np.zeros(n, dtype=bool)
    first[0] = True
    for blank, label in ((every, "no account has data"), (first, "one account has no data")):
        scores = run.score(_without_data(run.signals, blank))
        green = [
            s.account_id
            for s, b in zip(scores, blank, strict=False)
            if b and s.band is Band.GREEN
        ]
        if green:
            _fail(f"with every signal unread ({label}) accounts {green[:5]} are green")


def _same_input_same_score(run: _ScorerRun) -> None:
    first = [item.to_json() for item in run.scores()]
    again = [item.to_json() for item in run.score(run.signals)]
    same_order = _permuted(run.signals, np.arange(len(run.signals)))
    copy = [item.to_json() for item in run.score(same_order)]
    for label, other in (("a second call", again), ("a copy of the signals", copy)):
        for before, after in zip(first, other, strict=True):
            if before != after:
                _fail(f"{label} gave {after} where the first call gave {before}")


def _permuting_accounts_permutes_scores(run: _ScorerRun) -> None:
    n = len(run.signals)
    if n < 2:
        return
    original = {item.account_id: item.to_json() for item in run.scores()}
    for order in (np.arange(n)[::-1], np.roll(np.arange(n), 1)):
        permuted = _permuted(run.signals, order)
        scores = run.score(permuted)
        got = [item.account_id for item in scores]
        expected = [str(a) for a in permuted.account_ids]
        if got != expected:
            _fail(f"with the accounts reordered to {expected[:6]} the scores came as {got[:6]}")
        for item in scores:
            if item.to_json() != original[item.account_id]:
                _fail(
                    f"account {item.account_id!r} scores differently when the accounts are "
                    f"reordered: {item.to_json()} instead of {original[item.account_id]}"
                )


def _scoring_leaves_signals_unchanged(run: _ScorerRun) -> None:
    before = {name: _snapshot(_frame_columns(f)) for name, f in run.signals.frames.items()}
    ids = run.signals.account_ids.copy()
    run.score(run.signals)
    if not np.array_equal(ids, run.signals.account_ids):
        _fail("score() changed the signal set's account ids")
    for name, frame in run.signals.frames.items():
        for label, column in _frame_columns(frame).items():
            if not _same(before[name][label], column):
                _fail(f"score() changed column {label} of signal {name!r}")


_ScorerCheck = Callable[[_ScorerRun], None]

_SCORER_CHECKS: tuple[tuple[str, _ScorerCheck], ...] = (
    ("scorer_has_protocol_shape", _scorer_has_protocol_shape),
    ("config_is_plain_data", _config_is_plain_data),
    ("scorer_returns_one_score_per_account", _scorer_returns_one_score_per_account),
    ("scores_name_their_scorer", _scores_name_their_scorer),
    ("scores_within_0_100", _scores_within_0_100),
    ("contributions_sum_to_score", _contributions_sum_to_score),
    ("reasons_are_non_empty", _reasons_are_non_empty),
    ("no_data_never_green", _no_data_never_green),
    ("same_input_same_score", _same_input_same_score),
    ("permuting_accounts_permutes_scores", _permuting_accounts_permutes_scores),
    ("scoring_leaves_signals_unchanged", _scoring_leaves_signals_unchanged),
)

#: Names of the scorer checks, in the order :func:`check_scorer` runs them.
SCORER_CHECKS: tuple[str, ...] = tuple(name for name, _ in _SCORER_CHECKS)


def _subject(kind: str, plugin: object) -> str:
    name = getattr(plugin, "name", None)
    label = f"{kind} {name!r}" if isinstance(name, str) else kind
    return f"{label} ({type(plugin).__name__})"


def _run_checks(
    checks: tuple[tuple[str, Callable[[Any], None]], ...],
    context: object,
    subject: str,
    skip: Collection[str],
) -> tuple[str, ...]:
    names = [name for name, _ in checks]
    unknown = sorted(set(skip) - set(names))
    if unknown:
        raise UnknownNameError(f"no checks named {unknown}: expected some of {names}")

    passed = []
    for name, check in checks:
        if name in skip:
            logger.debug("%s: %s skipped", subject, name)
            continue
        try:
            check(context)
        except _CheckFailedError as failure:
            raise ConformanceError(name, subject, str(failure)) from None
        except ConformanceError:
            raise
        except Exception as exc:
            problem = f"it raised {type(exc).__name__}: {exc}"
            raise ConformanceError(name, subject, problem) from exc
        logger.debug("%s: %s passed", subject, name)
        passed.append(name)
    return tuple(passed)


def check_scorer(
    scorer: object, signals: SignalSet | None = None, *, skip: Collection[str] = ()
) -> tuple[str, ...]:
    """Run the scorer checks on ``scorer``; raise at the first that fails.

    Parameters
    ----------
    scorer
        The scorer to check: an object with ``name``, ``config()`` and
        ``score(signals, prior=None)``.
    signals
        The signals to score; the hand-made :func:`fixture_signals` by default. A scorer
        that needs signals of its own (other names) passes a set of them.
    skip
        Names of checks (from :data:`SCORER_CHECKS`) not to run, for a scorer that
        deliberately departs from one; an unknown name is an error.

    Returns
    -------
    tuple of str
        The names of the checks that ran and passed.

    Raises
    ------
    ConformanceError
        Naming the first check that failed and what broke. An exception the scorer raises
        during a check fails that check and is chained.

    Notes
    -----
    A scorer that adjusts scores (raises :class:`~touchpoint_signals.errors.ProtocolError`
    without a ``prior``) is given the scores of :class:`ReferenceScorer` as ``prior``. Its
    scores may carry ``config_hash({"adjusted": <prior's hash>, "by": <own hash>})`` instead
    of its own hash, as the built-in rules and overrides do. The checks are described in
    ``docs/scoring/conformance.md``.

    Examples
    --------
    >>> check_scorer(ReferenceScorer()) == SCORER_CHECKS
    True
    """
    run = _ScorerRun(scorer, fixture_signals() if signals is None else signals)
    subject = _subject("scorer", scorer)
    passed = _run_checks(_SCORER_CHECKS, run, subject, skip)
    logger.debug("%s: %d checks passed", subject, len(passed))
    return passed


# -- extractor checks -------------------------------------------------------------------------


@attrs.define
class _ExtractorRun:
    """What the extractor checks share."""

    extractor: Any
    log: TouchpointLog
    as_of: dt.datetime
    first: SignalFrame | None = None

    def extract(self, log: TouchpointLog) -> SignalFrame:
        frame = self.extractor.extract(log, self.as_of)
        if not isinstance(frame, SignalFrame):
            _fail(f"extract() returned a {type(frame).__name__}, not a SignalFrame")
        assert isinstance(frame, SignalFrame)
        return frame

    def frame(self) -> SignalFrame:
        if self.first is None:
            self.first = self.extract(self.log)
        return self.first


def _extractor_has_protocol_shape(run: _ExtractorRun) -> None:
    if not isinstance(run.extractor, Extractor):
        missing = [a for a in ("name", "extract") if not hasattr(run.extractor, a)]
        _fail(f"it lacks {', '.join(missing) or 'the Extractor shape'}")
    if not isinstance(run.extractor.name, str) or not run.extractor.name.strip():
        _fail(f"its name is {run.extractor.name!r}, not a non-empty string")


def _returns_signal_frame(run: _ExtractorRun) -> None:
    frame = run.frame()
    if frame.name != run.extractor.name:
        _fail(f"the frame is named {frame.name!r}, not after the extractor")
    if frame.as_of != run.as_of:
        _fail(f"the frame is as of {frame.as_of.isoformat()}, not {run.as_of.isoformat()}")
    if not isinstance(frame.unit, str) or not frame.unit.strip():
        _fail(f"the frame's unit is {frame.unit!r}, not a non-empty string")


def _one_reading_per_account(run: _ExtractorRun) -> None:
    frame = run.frame()
    if len(frame) != run.log.n_accounts or not np.array_equal(
        frame.account_ids, run.log.account_ids
    ):
        _fail(
            f"the frame reads {len(frame)} accounts {list(frame.account_ids[:6])}, not the "
            f"log's {run.log.n_accounts} {list(run.log.account_ids[:6])} in the log's order"
        )


def _severity_in_unit_interval(run: _ExtractorRun) -> None:
    frame = run.frame()
    for code in range(len(frame)):
        severity = float(frame.severity[code])
        ok = frame.status[code] == _OK
        if ok and not 0.0 <= severity <= 1.0:
            _fail(f"account {frame.account_ids[code]!r} has severity {severity}, not 0-1")
        if not ok and not math.isnan(severity):
            _fail(
                f"account {frame.account_ids[code]!r} has insufficient data but severity "
                f"{severity}"
            )


def _insufficient_has_reason(run: _ExtractorRun) -> None:
    frame = run.frame()
    for code in np.flatnonzero(~frame.sufficient):
        reason = frame.reasons[code]
        if not isinstance(reason, str) or not reason.strip():
            _fail(f"account {frame.account_ids[code]!r} has insufficient data and no reason")
    for code in np.flatnonzero(frame.sufficient):
        if not frame.reasons[code].strip():
            _fail(f"account {frame.account_ids[code]!r} has a reading and no reason")


def _evidence_are_touchpoint_ids(run: _ExtractorRun) -> None:
    frame = run.frame()
    view = run.log.as_of(run.as_of)
    for code in range(len(frame)):
        start, end = frame.evidence_offsets[code], frame.evidence_offsets[code + 1]
        evidence = frame.evidence_ids[start:end]
        if not len(evidence):
            continue
        account = str(frame.account_ids[code])
        rows = view.rows_of(account)
        known = {str(i) for i in view.id[rows]}
        strangers = [str(i) for i in evidence if str(i) not in known]
        if strangers:
            _fail(
                f"account {account!r} cites {strangers[:5]} as evidence, which are not ids of "
                f"its touchpoints known at {run.as_of.isoformat()}"
            )


def _same_input_same_output(run: _ExtractorRun) -> None:
    difference = _frame_difference(run.frame(), run.extract(run.log))
    if difference:
        _fail(f"a second call on the same log differs: {difference}")


def _rebuilt(
    run: _ExtractorRun, extra: list[Touchpoint], *, reverse: bool = False
) -> TouchpointLog:
    touchpoints = run.log.to_touchpoints() + extra
    accounts = [a for a in run.log.accounts if a is not None]
    kinds = list(run.log.kinds)
    if reverse:
        touchpoints.reverse()
        accounts.reverse()
        kinds.reverse()
    log = TouchpointLog.from_touchpoints(touchpoints, accounts=accounts, catalog=Catalog(kinds))
    if not np.array_equal(log.account_ids, run.log.account_ids):
        # accounts without touchpoints or records cannot be rebuilt; the check cannot run
        _fail("the log could not be rebuilt from its touchpoints (accounts without records)")
    return log


def _after_as_of_changes_nothing(run: _ExtractorRun) -> None:
    touchpoints = run.log.to_touchpoints()
    if not touchpoints:
        return
    earliest = min(t.occurred_at for t in touchpoints)
    shift = (run.as_of - earliest) + _DAY
    ids = {t.id for t in touchpoints}

    def relinked(reply: str | None, suffix: str) -> str | None:
        return reply + suffix if reply in ids else reply

    later = [
        attrs.evolve(
            t,
            id=t.id + "~after",
            occurred_at=t.occurred_at + shift,
            recorded_at=t.recorded_at + shift,
            in_reply_to=relinked(t.in_reply_to, "~after"),
        )
        for t in touchpoints
    ]
    late = [
        attrs.evolve(
            t,
            id=t.id + "~late",
            recorded_at=max(t.recorded_at, run.as_of) + _DAY,
            in_reply_to=relinked(t.in_reply_to, "~late"),
        )
        for t in touchpoints
    ]
    baseline = run.extract(_rebuilt(run, []))
    difference = _frame_difference(baseline, run.extract(_rebuilt(run, later + late)))
    if difference:
        _fail(
            "adding copies of every touchpoint that occurred, or were recorded, after "
            f"as_of changed the frame: {difference}"
        )


def _input_order_changes_nothing(run: _ExtractorRun) -> None:
    difference = _frame_difference(run.frame(), run.extract(_rebuilt(run, [], reverse=True)))
    if difference:
        _fail(
            "the same touchpoints given in reverse order (and the kinds of the catalog "
            f"reversed) gave another frame: {difference}"
        )


def _log_columns(log: TouchpointLog) -> dict[str, Any]:
    return log.columns() | {"account_ids": log.account_ids, "offsets": log.offsets}


def _extraction_leaves_log_unchanged(run: _ExtractorRun) -> None:
    before = _snapshot(_log_columns(run.log))
    run.extract(run.log)
    for name, column in _log_columns(run.log).items():
        if not _same(before[name], column):
            _fail(f"extract() changed the log's column {name!r}")


_ExtractorCheck = Callable[[_ExtractorRun], None]

_EXTRACTOR_CHECKS: tuple[tuple[str, _ExtractorCheck], ...] = (
    ("extractor_has_protocol_shape", _extractor_has_protocol_shape),
    ("returns_signal_frame", _returns_signal_frame),
    ("one_reading_per_account", _one_reading_per_account),
    ("severity_in_unit_interval", _severity_in_unit_interval),
    ("insufficient_has_reason", _insufficient_has_reason),
    ("evidence_are_touchpoint_ids", _evidence_are_touchpoint_ids),
    ("same_input_same_output", _same_input_same_output),
    ("after_as_of_changes_nothing", _after_as_of_changes_nothing),
    ("input_order_changes_nothing", _input_order_changes_nothing),
    ("extraction_leaves_log_unchanged", _extraction_leaves_log_unchanged),
)

#: Names of the extractor checks, in the order :func:`check_extractor` runs them.
EXTRACTOR_CHECKS: tuple[str, ...] = tuple(name for name, _ in _EXTRACTOR_CHECKS)


def check_extractor(
    extractor: object,
    log: TouchpointLog | None = None,
    as_of: dt.datetime | None = None,
    *,
    skip: Collection[str] = (),
) -> tuple[str, ...]:
    """Run the extractor checks on ``extractor``; raise at the first that fails.

    Parameters
    ----------
    extractor
        The extractor to check: an object with ``name`` and ``extract(log, as_of)``.
    log
        The touchpoints to read; the hand-made :func:`fixture_log` by default.
    as_of
        The instant to read at: :data:`FIXTURE_AS_OF` with the fixture log; with a log of
        your own, its latest instant (occurred or recorded) when not given. Choose an
        instant inside your log to make the point-in-time check bite on real touchpoints.
    skip
        Names of checks (from :data:`EXTRACTOR_CHECKS`) not to run; an unknown name is an
        error.

    Returns
    -------
    tuple of str
        The names of the checks that ran and passed.

    Raises
    ------
    ConformanceError
        Naming the first check that failed and what broke.

    Examples
    --------
    >>> from touchpoint_signals.signals import Attendance
    >>> "after_as_of_changes_nothing" in check_extractor(Attendance())
    True
    """
    if log is None:
        log = fixture_log()
        as_of = FIXTURE_AS_OF if as_of is None else as_of
    elif as_of is None:
        latest = max(int(log.occurred_at.max(initial=0)), int(log.recorded_at.max(initial=0)))
        as_of = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=latest)
    run = _ExtractorRun(extractor, log, as_of)
    subject = _subject("extractor", extractor)
    passed = _run_checks(_EXTRACTOR_CHECKS, run, subject, skip)
    logger.debug("%s: %d checks passed", subject, len(passed))
    return passed
