"""Conformance checks: every built-in passes, and each deliberately broken fake fails the
check named for what it breaks."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pytest

from touchpoint_signals.checks import (
    EXTRACTOR_CHECKS,
    FIXTURE_AS_OF,
    SCORER_CHECKS,
    ConformanceError,
    ReferenceScorer,
    check_extractor,
    check_scorer,
    fixture_log,
    fixture_signals,
)
from touchpoint_signals.errors import TouchpointSignalsError, UnknownNameError
from touchpoint_signals.log import TouchpointLog
from touchpoint_signals.scoring import Band, Contribution, HealthScore, Scores, SignalSet
from touchpoint_signals.signals import Attendance, SignalFrame, default_extractors

# -- the built-ins conform ----------------------------------------------------------------


@pytest.mark.parametrize("extractor", default_extractors(), ids=lambda e: e.name)
def test_every_builtin_extractor_passes_every_check(extractor: Any) -> None:
    assert check_extractor(extractor) == EXTRACTOR_CHECKS


def test_fixture_log_has_readings_and_gaps_for_every_builtin() -> None:
    # The fixture is only useful if each built-in reads some accounts and not others.
    log = fixture_log()
    for extractor in default_extractors():
        frame = extractor.extract(log, FIXTURE_AS_OF)
        assert frame.sufficient.any(), extractor.name
        assert not frame.sufficient.all(), extractor.name
    assert list(log.account_ids) == ["acme", "globex", "hooli", "initech", "umbrella"]


def test_fixture_signals_are_named_like_the_builtins() -> None:
    signals = fixture_signals()
    assert sorted(signals.frames) == sorted(e.name for e in default_extractors())
    hooli = list(signals.account_ids).index("hooli")
    assert not any(frame.sufficient[hooli] for frame in signals.frames.values())


def test_reference_scorer_passes_and_scores_by_hand() -> None:
    assert check_scorer(ReferenceScorer()) == SCORER_CHECKS
    # acme: severities 0.8 0.6 0.1 0.5 0.2 0.0 0.3 -> health 0.2 0.4 0.9 0.5 0.8 1.0 0.7,
    # each / 7 * 100 to the hundredth (names sorted: attendance, cadence,
    # customer_reply_latency, fatigue, purpose_outcome, tone_shift, vendor_response_latency):
    # 2.86 + 11.43 + 5.71 + 14.29 + 10.0 + 7.14 + 12.86 = 64.29
    acme = ReferenceScorer().score(fixture_signals()).of("acme")
    assert [c.points for c in acme.contributions] == [
        2.86, 11.43, 5.71, 14.29, 10.0, 7.14, 12.86,
    ]  # fmt: skip
    assert acme.score == 64.29
    assert acme.band is Band.YELLOW


def test_check_extractor_on_a_log_of_ones_own_and_an_instant_inside_it() -> None:
    log = fixture_log()
    assert check_extractor(Attendance(), log) == EXTRACTOR_CHECKS
    inside = FIXTURE_AS_OF - dt.timedelta(days=60)
    assert check_extractor(Attendance(), log, inside) == EXTRACTOR_CHECKS


def test_check_scorer_on_signals_extracted_from_the_fixture_log() -> None:
    signals = SignalSet.from_log(fixture_log(), FIXTURE_AS_OF)
    assert check_scorer(ReferenceScorer(), signals) == SCORER_CHECKS


def test_skip_by_name_and_unknown_names() -> None:
    passed = check_scorer(ReferenceScorer(), skip={"no_data_never_green"})
    assert "no_data_never_green" not in passed
    assert len(passed) == len(SCORER_CHECKS) - 1
    with pytest.raises(UnknownNameError, match="no checks named"):
        check_scorer(ReferenceScorer(), skip={"no_such_check"})
    with pytest.raises(UnknownNameError, match="no checks named"):
        check_extractor(Attendance(), skip={"contributions_sum_to_score"})


def test_conformance_error_is_an_assertion_error_of_the_library() -> None:
    error = ConformanceError("some_check", "scorer 'x' (X)", "it broke")
    assert isinstance(error, AssertionError)
    assert isinstance(error, TouchpointSignalsError)
    assert str(error) == "check 'some_check' failed for scorer 'x' (X): it broke"
    assert (error.check, error.subject, error.problem) == (
        "some_check",
        "scorer 'x' (X)",
        "it broke",
    )


# -- the scorecard and its compositions conform ------------------------------------------

scorecard = pytest.importorskip("touchpoint_signals.scoring.scorecard")


def test_default_scorecard_passes_on_both_fixtures() -> None:
    card = scorecard.default_scorecard()
    assert check_scorer(card) == SCORER_CHECKS
    assert check_scorer(card, SignalSet.from_log(fixture_log(), FIXTURE_AS_OF)) == SCORER_CHECKS


def test_scorecard_with_segments_and_policies_passes() -> None:
    weights = scorecard.SignalWeight
    card = scorecard.Scorecard(
        signals=(
            weights("attendance", 2.0, group="engagement", missing="worst"),
            weights("customer_reply_latency", 1.0, group="engagement", missing="neutral"),
            weights("tone_shift", 1.0, group="sentiment"),
            weights("cadence", 1.0),
        ),
        segments={
            "tech_touch": scorecard.SegmentOverride(
                weights={"attendance": 0.5},
                thresholds=scorecard.BandThresholds(green_min=60.0, yellow_min=30.0),
            )
        },
    )
    assert check_scorer(card) == SCORER_CHECKS


def _compositions() -> dict[str, Any]:
    compose = pytest.importorskip("touchpoint_signals.scoring.compose")
    rules = pytest.importorskip("touchpoint_signals.scoring.rules")
    overrides = pytest.importorskip("touchpoint_signals.scoring.overrides")
    card = scorecard.default_scorecard()
    capped = rules.Rules(
        rules=(rules.Rule("missed", "attendance", "severity", ">=", 0.5, "cap_band", "yellow"),)
    )
    manual = overrides.Overrides(
        overrides=(
            overrides.Override(
                account_id="acme",
                author="ana@example.com",
                reason="executive sponsor left",
                expires_at="2026-12-31T00:00:00Z",
                band="red",
            ),
        )
    )
    return {
        "blend": compose.Blend({"card": (card, 2.0), "reference": (ReferenceScorer(), 1.0)}),
        "worst_of": compose.WorstOf({"card": card, "reference": ReferenceScorer()}),
        "sequence": compose.Sequence([("card", card), ("rules", capped), ("manual", manual)]),
        "rules": capped,
        "overrides": manual,
    }


@pytest.mark.parametrize("name", ["blend", "worst_of", "sequence", "rules", "overrides"])
def test_compositions_and_adjusters_pass(name: str) -> None:
    assert check_scorer(_compositions()[name]) == SCORER_CHECKS


# -- broken scorers fail the check named for what they break ------------------------------


@attrs.frozen
class FakeScorer:
    """A hand-made scorer: score = 100 * (1 - mean severity read), one contribution per
    signal read; subclasses break one rule each."""

    name: str = "fake"

    def config(self) -> Mapping[str, Any]:
        return {"kind": "fake"}

    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        read = {
            n: float(f.severity[code]) for n, f in signals.frames.items() if f.sufficient[code]
        }
        contributions = tuple(
            Contribution(n, round(100 * (1 - s) / len(read), 2), 1.0, 1.0, s, "observed", "r")
            for n, s in sorted(read.items())
        )
        score = round(sum(c.points for c in contributions), 2) if read else None
        band = (
            Band.INSUFFICIENT_DATA
            if score is None
            else Band.GREEN
            if score >= 70
            else Band.YELLOW
            if score >= 40
            else Band.RED
        )
        return HealthScore(
            account_id=str(signals.account_ids[code]),
            as_of=signals.as_of,
            score=score,
            band=band,
            coverage=len(read) / len(signals.frames),
            contributions=contributions,
            reasons=("hand-made",),
            scorer=self.name,
            config_hash=_hash(self),
        )

    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        return Scores(tuple(self._item(signals, code) for code in range(len(signals))))


def _hash(scorer: Any) -> str:
    from touchpoint_signals.scoring import config_hash

    return config_hash(scorer.config())


class NoScoreMethod:
    name = "no_score"

    def config(self) -> Mapping[str, Any]:
        return {}


@attrs.frozen
class BlankName(FakeScorer):
    name: str = "  "


@attrs.frozen
class ConfigWithADate(FakeScorer):
    def config(self) -> Mapping[str, Any]:
        return {"since": dt.date(2026, 1, 1)}


@attrs.frozen
class ConfigWithASet(FakeScorer):
    def config(self) -> Mapping[str, Any]:
        return {"signals": [{"names": {"attendance"}}]}


@attrs.frozen
class ReturnsAList(FakeScorer):
    def score(self, signals: SignalSet, prior: Scores | None = None) -> Any:
        return list(super().score(signals))


@attrs.frozen
class DropsTheLastAccount(FakeScorer):
    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        return Scores(super().score(signals).items[:-1])


@attrs.frozen
class SortsByScore(FakeScorer):
    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        return Scores(tuple(super().score(signals).riskiest_first()))


@attrs.frozen
class WrongAsOf(FakeScorer):
    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        item = super()._item(signals, code)
        return attrs.evolve(item, as_of=item.as_of - dt.timedelta(days=1))


@attrs.frozen
class NamesAnotherScorer(FakeScorer):
    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        return attrs.evolve(super()._item(signals, code), scorer="someone_else")


@attrs.frozen
class StaleHash(FakeScorer):
    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        return attrs.evolve(super()._item(signals, code), config_hash="0123456789abcdef")


@attrs.frozen
class ScoreAboveHundred(FakeScorer):
    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        item = super()._item(signals, code)
        if item.score is not None:
            object.__setattr__(item, "score", item.score + 150.0)  # bypasses validation
        return item


@attrs.frozen
class ContributionsDoNotAddUp(FakeScorer):
    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        item = super()._item(signals, code)
        if item.score is None or item.score > 95:
            return item
        return attrs.evolve(item, score=item.score + 5.0)


@attrs.frozen
class NoExplanation(FakeScorer):
    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        return attrs.evolve(super()._item(signals, code), contributions=())


@attrs.frozen
class BlankReason(FakeScorer):
    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        return attrs.evolve(super()._item(signals, code), reasons=("",))


@attrs.frozen
class NoDataIsHealthy(FakeScorer):
    """Imputes severity 0 for unread signals: an account with no data scores 100, green."""

    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        item = super()._item(signals, code)
        if item.score is not None:
            return item
        contributions = tuple(
            Contribution(n, 100.0 if i == 0 else 0.0, 1.0, 1.0, 0.0, "imputed", "r")
            for i, n in enumerate(sorted(signals.frames))
        )
        score = round(sum(c.points for c in contributions), 2)
        return attrs.evolve(item, score=score, band=Band.GREEN, contributions=contributions)


@attrs.define
class DriftsOnEveryCall(FakeScorer):
    calls: itertools.count[int] = attrs.field(factory=itertools.count)

    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        item = super()._item(signals, code)
        return attrs.evolve(item, reasons=(f"call {next(self.calls)}",))


@attrs.frozen
class FirstAccountBonus(FakeScorer):
    """Treats the first row differently: reordering the accounts moves the bonus."""

    def _item(self, signals: SignalSet, code: int) -> HealthScore:
        item = super()._item(signals, code)
        if code != 0:
            return item
        return attrs.evolve(item, reasons=("first in line",))


@attrs.frozen
class MutatesSignals(FakeScorer):
    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        for frame in signals.frames.values():
            for column in frame.samples.values():
                column += 1
        return super().score(signals)


@attrs.frozen
class Crashes(FakeScorer):
    def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
        raise ZeroDivisionError("division by zero in our weights")


BROKEN_SCORERS = [
    (NoScoreMethod(), "scorer_has_protocol_shape", "it lacks score"),
    (BlankName(), "scorer_has_protocol_shape", "its name is '  '"),
    (ConfigWithADate(), "config_is_plain_data", r"config\(\)\.since is a date"),
    (ConfigWithASet(), "config_is_plain_data", r"config\(\)\.signals\[0\]\.names is a set"),
    (ReturnsAList(), "scorer_returns_one_score_per_account", "returned a list, not a Scores"),
    (DropsTheLastAccount(), "scorer_returns_one_score_per_account", "4 scores for 5 accounts"),
    (SortsByScore(), "scorer_returns_one_score_per_account", "not in the signals' order"),
    (WrongAsOf(), "scorer_returns_one_score_per_account", "is scored as of 2026-05-31"),
    (NamesAnotherScorer(), "scores_name_their_scorer", "names scorer 'someone_else'"),
    (StaleHash(), "scores_name_their_scorer", "carries config_hash '0123456789abcdef'"),
    (ScoreAboveHundred(), "scores_within_0_100", "has score 2"),
    (
        ContributionsDoNotAddUp(),
        "contributions_sum_to_score",
        "add up to 64.2900 points, but the score is 69.29",
    ),
    (NoExplanation(), "contributions_sum_to_score", "0 contributions add up to 0.0000"),
    (BlankReason(), "reasons_are_non_empty", "has the reason ''"),
    (NoDataIsHealthy(), "no_data_never_green", r"accounts \['acme', 'globex', 'hooli'"),
    (DriftsOnEveryCall(), "same_input_same_score", "a second call gave"),
    (FirstAccountBonus(), "permuting_accounts_permutes_scores", "scores differently"),
    (MutatesSignals(), "scoring_leaves_signals_unchanged", r"changed column samples\[n\]"),
    (Crashes(), "scorer_returns_one_score_per_account", "raised ZeroDivisionError"),
]


@pytest.mark.parametrize(
    ("scorer", "check", "problem"),
    BROKEN_SCORERS,
    ids=[type(s).__name__ for s, *_ in BROKEN_SCORERS],
)
def test_a_broken_scorer_fails_the_check_named_for_it(
    scorer: Any, check: str, problem: str
) -> None:
    with pytest.raises(ConformanceError, match=problem) as caught:
        check_scorer(scorer)
    assert caught.value.check == check
    assert str(caught.value).startswith(f"check {check!r} failed for scorer")


def test_an_exception_inside_a_check_is_chained() -> None:
    with pytest.raises(ConformanceError) as caught:
        check_scorer(Crashes())
    assert isinstance(caught.value.__cause__, ZeroDivisionError)


def test_an_adjuster_gets_the_reference_prior() -> None:
    @attrs.frozen
    class Lowers(FakeScorer):
        """Needs a prior and takes 1 point off (recording the adjustment)."""

        name: str = "lowers"

        def score(self, signals: SignalSet, prior: Scores | None = None) -> Scores:
            from touchpoint_signals.scoring import Adjustment
            from touchpoint_signals.scoring.base import require_prior

            items = []
            for item in require_prior(self, prior):
                if item.score is None or item.score < 1:
                    items.append(attrs.evolve(item, scorer=self.name, config_hash=_hash(self)))
                    continue
                note = Adjustment("rule", "minus_one", "1 point off", item.band, item.band,
                                  item.score, round(item.score - 1, 2))  # fmt: skip
                items.append(
                    attrs.evolve(
                        item,
                        score=round(item.score - 1, 2),
                        adjustments=(*item.adjustments, note),
                        scorer=self.name,
                        config_hash=_hash(self),
                    )
                )
            return Scores(tuple(items))

    assert check_scorer(Lowers()) == SCORER_CHECKS


# -- broken extractors fail the check named for what they break ----------------------------


@attrs.frozen
class Wrapped:
    """Attendance with its frame passed through ``tweak``; subclasses break one rule each."""

    name: str = "attendance"

    def extract(self, log: TouchpointLog, as_of: dt.datetime) -> Any:
        return self.tweak(Attendance().extract(log, as_of), log, as_of)

    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        return frame


class NoExtractMethod:
    name = "nothing"


@attrs.frozen
class ReturnsADict(Wrapped):
    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        return {"attendance": frame}


@attrs.frozen
class MisnamedFrame(Wrapped):
    name: str = "attendance_v2"


@attrs.frozen
class ReversedAccounts(Wrapped):
    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        from touchpoint_signals.checks import _take_frame

        return _take_frame(frame, np.arange(len(frame))[::-1])


@attrs.frozen
class SeverityTooHigh(Wrapped):
    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        object.__setattr__(frame, "severity", np.where(frame.sufficient, 1.5, np.nan))
        return frame


@attrs.frozen
class SilentInsufficient(Wrapped):
    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        reasons = tuple(
            r if ok else " " for r, ok in zip(frame.reasons, frame.sufficient, strict=True)
        )
        object.__setattr__(frame, "reasons", reasons)
        return frame


@attrs.frozen
class BorrowedEvidence(Wrapped):
    """Cites the first touchpoint of the log (acme's) as every account's evidence."""

    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        n = len(frame)
        return attrs.evolve(
            frame,
            evidence_offsets=np.arange(n + 1, dtype=np.int64),
            evidence_ids=np.repeat(log.id[:1], n),
        )


@attrs.define
class CountsCalls(Wrapped):
    calls: itertools.count[int] = attrs.field(factory=itertools.count)

    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        call = next(self.calls)
        return attrs.evolve(frame, reasons=tuple(f"{r} ({call})" for r in frame.reasons))


@attrs.frozen
class PeeksAhead(Wrapped):
    """Reports each account's touchpoints in the whole log, as_of or not, in its reasons."""

    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        counts = np.diff(log.offsets)
        return attrs.evolve(
            frame,
            reasons=tuple(
                f"{r}; {c} touchpoints" for r, c in zip(frame.reasons, counts, strict=True)
            ),
        )


@attrs.frozen
class FixedKindCode(Wrapped):
    """Counts rows whose kind code is 1, taking code 1 to be check-ins: catalogs differ."""

    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        view = log.as_of(as_of)
        counts = np.bincount(view.account[view.kind == 1], minlength=log.n_accounts)
        return attrs.evolve(
            frame,
            reasons=tuple(
                f"{r}; {c} check-ins" for r, c in zip(frame.reasons, counts, strict=True)
            ),
        )


@attrs.frozen
class MutatesLog(Wrapped):
    def tweak(self, frame: SignalFrame, log: TouchpointLog, as_of: dt.datetime) -> Any:
        log.csat[:1] += 1  # a little more on every call
        return frame


BROKEN_EXTRACTORS = [
    (NoExtractMethod(), "extractor_has_protocol_shape", "it lacks extract"),
    (ReturnsADict(), "returns_signal_frame", "returned a dict, not a SignalFrame"),
    (MisnamedFrame(), "returns_signal_frame", "named 'attendance', not after the extractor"),
    (ReversedAccounts(), "one_reading_per_account", "not the log's 5"),
    (SeverityTooHigh(), "severity_in_unit_interval", "has severity 1.5, not 0-1"),
    (SilentInsufficient(), "insufficient_has_reason", "has insufficient data and no reason"),
    (BorrowedEvidence(), "evidence_are_touchpoint_ids", "account 'globex' cites"),
    (CountsCalls(), "same_input_same_output", "a second call on the same log differs"),
    (PeeksAhead(), "after_as_of_changes_nothing", "reasons of account 'acme'"),
    (FixedKindCode(), "input_order_changes_nothing", "reverse order"),
    (MutatesLog(), "extraction_leaves_log_unchanged", "column 'csat'"),
]


@pytest.mark.parametrize(
    ("extractor", "check", "problem"),
    BROKEN_EXTRACTORS,
    ids=[type(e).__name__ for e, *_ in BROKEN_EXTRACTORS],
)
def test_a_broken_extractor_fails_the_check_named_for_it(
    extractor: Any, check: str, problem: str
) -> None:
    with pytest.raises(ConformanceError, match=problem) as caught:
        check_extractor(extractor)
    assert caught.value.check == check
    assert str(caught.value).startswith(f"check {check!r} failed for extractor")
