"""The tone model: exact cue counts on hand-made sentences, labelled examples, invariants."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchpoint_signals.tone as tone
from touchpoint_signals.errors import ConfigError
from touchpoint_signals.tone import (
    CATEGORY_NAMES,
    LexiconToneModel,
    ToneCategory,
    ToneLexicon,
    ToneModel,
    strip_quoted,
)

MODEL = LexiconToneModel()


def _counts(text: str) -> dict[str, int]:
    """The non-zero cue counts of one text, plus its word count under ``words``."""
    features = MODEL.features([text])
    found = {n: int(c) for n, c in zip(features.names, features.counts[0], strict=True) if c}
    return {**found, "words": int(features.words[0])}


def _score(text: str) -> float:
    return float(MODEL.score([text])[0])


# -- exact counts and scores (hand-made sentences; arithmetic with the built-in weights:
# we +0.35, i_you -0.1, planning +0.6, warmth +0.4, hedge +0.35, question +0.25,
# imperative -0.6, minimiser -0.5, pressure -0.7; curtness -0.4 * (8 - words) / 8) --------


def test_the_two_anchor_sentences() -> None:
    # "we're" (we) + "next phase" and "excited about" (planning), 6 words:
    # raw = 0.35 + 2 * 0.6 - 0.4 * 2 / 8 = 1.45.
    assert _counts("We're excited about the next phase") == {"we": 1, "planning": 2, "words": 6}
    assert _score("We're excited about the next phase") == pytest.approx(math.tanh(1.45))
    assert _score("We're excited about the next phase") > 0.3

    # an order ("send" opens the sentence after the softener "just") and a minimiser
    # ("just send"), 4 words: raw = -0.6 - 0.5 - 0.4 * 4 / 8 = -1.3.
    assert _counts("Just send the report") == {"imperative": 1, "minimiser": 1, "words": 4}
    assert _score("Just send the report") == pytest.approx(math.tanh(-1.3))
    assert _score("Just send the report") < -0.3


def test_deadline_phrases_and_pronouns() -> None:
    # "per my last email" and "asap" (pressure); "my" and "i" (i_you); 10 words, no
    # curtness: raw = -1.4 - 0.2 = -1.6.
    text = "Per my last email, I need the invoice corrected ASAP."
    assert _counts(text) == {"i_you": 2, "pressure": 2, "words": 10}
    assert _score(text) == pytest.approx(math.tanh(-1.6))


def test_questions_hedges_and_plural() -> None:
    # "could we" (hedge), "we" (we), "next week" is not listed, "roadmap" and "together"
    # (planning), one "?"; 14 words: raw = 0.35 + 0.35 + 1.2 + 0.25 = 2.15.
    text = "Could we set up a call next week to go over the roadmap together?"
    assert _counts(text) == {"we": 1, "planning": 2, "hedge": 1, "question": 1, "words": 14}
    assert _score(text) == pytest.approx(math.tanh(2.15))


def test_quotes_attribution_and_signature_are_not_read() -> None:
    # Only "Could we meet on Friday?" is left: 5 words, "could we" (hedge), "we", one "?".
    text = (
        "Could we meet on Friday?\n\nOn Tue, 3 Jan 2006, Ann wrote:\n> Send it now.\n"
        "> ASAP, this is urgent\n-- \nBob Smith, our team lead\n"
    )
    assert _counts(text) == {"we": 1, "hedge": 1, "question": 1, "words": 5}


def test_strip_quoted_handles_forwarded_and_two_line_attributions() -> None:
    text = (
        "Sounds good\nOn Mon, Jan 2, 2006 at 10:00 AM, Ann Example\n<ann@x.example> wrote:\n"
        "> hello\n"
    )
    assert strip_quoted(text) == "Sounds good\n"
    assert strip_quoted("ok then\n-----Original Message-----\nFrom: x\nSend it") == "ok then\n"
    assert strip_quoted("a -- b stays") == "a -- b stays"


def test_caps_stop_one_habit_from_piling_up() -> None:
    # five "urgent": counted 5, capped at 3; 5 words: raw = -2.1 - 0.4 * 3 / 8 = -2.25.
    text = "urgent urgent urgent urgent urgent"
    assert _counts(text) == {"pressure": 5, "words": 5}
    assert _score(text) == pytest.approx(math.tanh(-2.25))


def test_handles_and_urls_are_dropped_before_reading() -> None:
    # "@AppleSupport" and the link go; "fix" opens the sentence; "your" is i_you; 3 words:
    # raw = -0.6 - 0.1 - 0.4 * 5 / 8 = -0.95.
    text = "@AppleSupport fix your phones https://t.co/abc?x=1"
    assert _counts(text) == {"i_you": 1, "imperative": 1, "words": 3}
    assert _score(text) == pytest.approx(math.tanh(-0.95))


def test_an_order_after_a_greeting_clause_and_a_softener_still_counts() -> None:
    assert _counts("Hi Anna, please send the invoice.") == {
        "warmth": 1,
        "hedge": 1,
        "imperative": 1,
        "words": 6,
    }
    # a verb that is a heading, a verb mid-sentence, a verb with nothing after it: no order
    assert "imperative" not in _counts("Update: it works now. I will send it. Fix!")


def test_question_marks_count_in_runs() -> None:
    assert _counts("Really??? Why?")["question"] == 2


def test_curly_apostrophes_read_like_straight_ones() -> None:
    assert _counts("We\u2019re planning it") == _counts("We're planning it")


def test_texts_with_no_words_score_nan() -> None:
    scores = MODEL.score(["", "> only a quote", "  \n", "ok"])
    assert np.isnan(scores[:3]).all()
    assert not np.isnan(scores[3])
    assert MODEL.score([]).shape == (0,)


def test_long_texts_keep_their_opening_and_closing() -> None:
    # 4,000 characters are read: 2,000 from each end. The opening and closing thanks
    # survive; the "urgent" buried in the middle of a pasted log does not.
    log_lines = "uvcvideo: frame 0012 dropped\n" * 200 + "urgent\n" + "frame ok\n" * 300
    text = "Hi all, thanks for the driver.\n" + log_lines + "Any idea? Thanks!"
    counts = _counts(text)
    assert counts["warmth"] == 3
    assert "pressure" not in counts
    assert _counts(text[:40] + "urgent")["pressure"] == 1


# -- hand-labelled sentences (hand-made by us for this test; labels are our judgement) -----

LABELLED = [
    ("collaborative", "We're excited about the next phase"),
    (
        "collaborative",
        "Thanks for the great session yesterday, we're already planning the rollout to the "
        "second team.",
    ),
    ("collaborative", "Could we set up a call next week to go over the roadmap together?"),
    (
        "collaborative",
        "Hi Sam, hope you're well! Our team would love to hear your thoughts on the pilot.",
    ),
    (
        "collaborative",
        "Let's plan the kickoff for the new region; what do you think about early March?",
    ),
    (
        "collaborative",
        "Really appreciate your help with the migration, looking forward to working on the "
        "next steps.",
    ),
    (
        "collaborative",
        "Would it be possible to include our analysts in the training? Happy to host it at "
        "our office.",
    ),
    ("transactional", "Just send the report"),
    ("transactional", "Per my last email, I need the invoice corrected ASAP."),
    ("transactional", "Still waiting for a reply. This is unacceptable."),
    ("transactional", "Fix the login bug."),
    ("transactional", "Cancel my subscription immediately."),
    ("transactional", "I have asked three times now. Escalate this to your manager."),
    ("transactional", "Send me the credentials by end of day."),
    ("transactional", "How hard is it to simply reset a password?"),
    ("neutral", "The export finished at 14:05 and the file is 2 MB."),
    ("neutral", "Attached is the CSV with last month's usage figures for the account."),
    ("neutral", "The camera shows a green image after the driver loads on kernel 2.6.24."),
    ("neutral", "I installed the new version and you can see the log below."),
    ("neutral", "Thanks."),
    ("neutral", "Version 1.2 of the connector was installed on both servers this morning."),
]


@pytest.mark.parametrize(("label", "text"), LABELLED, ids=[t[:30] for _, t in LABELLED])
def test_hand_labelled_sentences_get_the_sign_of_their_label(label: str, text: str) -> None:
    score = _score(text)
    if label == "collaborative":
        assert score > 0.3
    elif label == "transactional":
        assert score < -0.3
    else:
        assert abs(score) < 0.3


# -- batching, dedupe, protocol ------------------------------------------------------------


def test_each_distinct_text_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = tone._clean

    def cleaning(text: str, max_chars: int) -> str:
        calls.append(text)
        return original(text, max_chars)

    monkeypatch.setattr(tone, "_clean", cleaning)
    scores = MODEL.score(["Fix it now", "thanks, we will", "Fix it now", "Fix it now"])

    assert sorted(calls) == ["Fix it now", "thanks, we will"]
    assert scores[0] == scores[2] == scores[3]


def test_the_model_keeps_the_protocol() -> None:
    assert isinstance(MODEL, ToneModel)
    assert MODEL.name == "lexicon"
    assert MODEL.score(("a", "b")).dtype == np.float64


def test_the_builtin_lexicon_is_package_data() -> None:
    lexicon = ToneLexicon.builtin()
    assert tuple(c.name for c in lexicon.categories) == CATEGORY_NAMES
    assert lexicon is ToneLexicon.builtin()
    signs = dict(zip(CATEGORY_NAMES, np.sign(lexicon.weights), strict=True))
    assert [n for n, s in signs.items() if s > 0] == [
        "we",
        "planning",
        "warmth",
        "hedge",
        "question",
    ]


def test_a_lexicon_file_can_replace_the_builtin(tmp_path: Path) -> None:
    source = Path(tone.__file__).parent / "data" / "tone_lexicon.toml"
    text = source.read_text("utf-8").replace("scale = 1.0", "scale = 2.0")
    path = tmp_path / "lexicon.toml"
    path.write_text(text, "utf-8")

    model = LexiconToneModel(ToneLexicon.from_toml(path))

    assert float(model.score(["Just send the report"])[0]) == pytest.approx(math.tanh(-0.65))


def test_bad_lexicons_and_parameters_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text("version = 1\n", "utf-8")
    with pytest.raises(ConfigError, match="missing key 'categories'"):
        ToneLexicon.from_toml(path)
    with pytest.raises(ConfigError, match="cap must be an integer >= 1"):
        ToneCategory("we", 0.3, 0, ("we",))
    with pytest.raises(ConfigError, match="needs at least one phrase"):
        ToneCategory("we", 0.3, 1, ())
    with pytest.raises(ConfigError, match="needs the categories"):
        ToneLexicon(ToneLexicon.builtin().categories[:3])
    with pytest.raises(ConfigError, match="curt_weight must be <= 0"):
        ToneLexicon(ToneLexicon.builtin().categories, curt_weight=0.5)
    with pytest.raises(ConfigError, match="max_chars must be an integer >= 100"):
        LexiconToneModel(max_chars=10)


# -- properties ----------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["we", "I", "you", "send", "please", "ASAP", "plan", "together", "thanks", "just",
     "the", "report", "could", "?", ".", "\n", "> ", "-- \n", "still waiting", "Hi Ann,"]
)  # fmt: skip
TEXTS = st.lists(WORDS, max_size=25).map(" ".join) | st.text(max_size=60)


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, max_size=12))
def test_scores_are_bounded_and_do_not_depend_on_the_batch(texts: list[str]) -> None:
    scores = MODEL.score(texts)

    assert scores.shape == (len(texts),)
    finite = scores[~np.isnan(scores)]
    assert ((finite > -1) & (finite < 1)).all()
    alone = np.array([_score(t) for t in texts])
    np.testing.assert_array_equal(scores, alone)
    np.testing.assert_array_equal(MODEL.score(texts[::-1]), scores[::-1])


# -- cleaning against the plain patterns -----------------------------------------------------


def _reference_strip(text: str) -> str:
    """:func:`strip_quoted` with plain multi-line patterns (no guards, no skipping ahead)."""
    text = re.sub(r"(?ms)^[ \t]*-{2,}[ \t]*Original Message[ \t]*-{2,}.*\Z", "", text)
    text = re.sub(r"(?ms)^--[ \t]?\n.*\Z|^--[ \t]?\Z", "", text)
    text = re.sub(
        r"(?m)^[ \t]*On\b[^\n]{0,200}(?:\n[^\n]{0,200})?\b(?:wrote|writes):[ \t]*(?:\n|\Z)",
        "",
        text,
    )
    return re.sub(r"(?m)^[ \t]*>[^\n]*(?:\n|\Z)", "", text)


def _reference_clean(text: str, max_chars: int) -> str:
    text = text.replace("\u2019", "'").replace("\r\n", "\n").replace("\r", "\n")
    text = _reference_strip(text)
    text = re.sub(r"(?i)(?:https?://|www\.)\S+", " ", text)
    text = re.sub(r"@\w+", " ", text)
    if len(text) > max_chars:
        text = text[: max_chars // 2] + "\n" + text[-(max_chars // 2) :]
    return text


MAIL_PIECES = st.sampled_from(
    ["--", "-- ", "--\t", "---", "-", "\n", "\r\n", " ", "\t", "ok", "Send it", "> ", ">",
     "On Mon, Ann wrote:", "writes:", "-----Original Message-----", "Original Message",
     "http://", "HTTPS://", "htt", "\u017f", "Http\u017f://x", "www.", "WwW.", "w", "h",
     "example.org/a?b", "@team", "\u2019", "Thanks", "??", "\u212a"]
)  # fmt: skip
MAILS = st.lists(MAIL_PIECES, max_size=40).map("".join) | st.text(max_size=60)


@settings(max_examples=400, deadline=None)
@given(MAILS, st.sampled_from([100, 4000]))
def test_cleaning_removes_what_the_plain_patterns_remove(text: str, max_chars: int) -> None:
    assert strip_quoted(text) == _reference_strip(text)
    assert tone._clean(text, max_chars) == _reference_clean(text, max_chars)


# -- the fast reading against a plain one ---------------------------------------------------
# LexiconToneModel reads ASCII texts many at once (numpy and whole-batch regular expressions)
# and other texts one by one (a phrase trie); both must count exactly what this plain reading
# of the documented rules counts: every window of words equal to a phrase, runs of "?", and
# sentences opening with an order.

REFERENCE_WORD = re.compile(r"\w+(?:['.\-]\w+)*")


def _reference_orders(sentence: str, verbs: frozenset[str]) -> bool:
    """Whether a sentence opens with an order, spelt out step by step."""
    words = sentence.split()
    if words and words[0].lower().strip(",") in {"hi", "hello", "hey", "dear"}:
        comma = sentence[:48].find(",")
        if comma == -1:
            return False
        words = sentence[comma + 1 :].split()

    if words and words[0].lower().strip(",") in {
        "please", "pls", "plz", "just", "simply", "now", "so", "and", "then"
    }:  # fmt: skip
        words = words[1:]

    return len(words) >= 2 and words[0].lower() in verbs


def _reference_counts(text: str, lexicon: ToneLexicon, max_chars: int = 4000) -> list[int]:
    """The cue counts of one text, then its word count, by the plainest reading."""
    cleaned = tone._clean(text, max_chars)
    words = REFERENCE_WORD.findall(cleaned.lower())
    counts = dict.fromkeys(CATEGORY_NAMES, 0)

    for category in lexicon.categories:
        if category.name in ("question", "imperative"):
            continue
        for phrase in category.phrases:
            gram = REFERENCE_WORD.findall(phrase)
            if not gram:
                continue
            for start in range(len(words) - len(gram) + 1):
                if words[start : start + len(gram)] == gram:
                    counts[category.name] += 1

    counts["question"] = len(re.findall(r"\?+", cleaned))
    verbs = frozenset(lexicon.categories[CATEGORY_NAMES.index("imperative")].phrases)
    counts["imperative"] = sum(
        _reference_orders(sentence, verbs) for sentence in re.split(r"[.!?;\n]", cleaned)
    )
    return [*counts.values(), len(words)]


def _fast_counts(texts: list[str], model: LexiconToneModel) -> list[list[int]]:
    features = model.features(texts)
    return [
        [*row, words]
        for row, words in zip(features.counts.tolist(), features.words.tolist(), strict=True)
    ]


LEXICON_WORDS = sorted(
    {p for c in ToneLexicon.builtin().categories for p in c.phrases}
    | {"hi", "hello", "hey", "dear", "please", "pls", "just", "so", "and", "then", "now"}
)
FILLER = ["the", "report", "a", "s", "a.s", "it's", "kick", "off", "x_1", "42", "Anna", "plans"]
ODD = ["é", "İ", "\u017fend", "\u212aickoff", "\u2019", "\x00", "🙂", "ß", "\u00a0", "\u0130"]
GLUE = [" ", " ", " ", "", ",", ", ", ".", ". ", "? ", "??", "!", ";", ":", "-", "'", "...",
        "\n", "\t", "\x0b", "\x1c", "\r\n", "  ", "> ", "\n> ", "\n-- \n", "(", "\"",
        " https://x.example/a?b ", " @team "]  # fmt: skip
#: Words that make up many of the built-in phrases, so that random runs of them form phrases
#: across punctuation ("our, plan for") and prefixes of phrases ("would you" in "would you
#: mind").
FEW_WORDS = ["our", "plan", "for", "thank", "you", "would", "mind", "i", "think", "just",
             "send", "next", "steps", "per", "my", "last", "email", "hi", "so", "please", "fix",
             "a", "simple", "question", "kick", "off", "hope", "are", "well", "let", "us",
             "still", "waiting", "dear", "Ann"]  # fmt: skip
CASES = st.sampled_from([str, str.upper, str.title])
PIECE = st.one_of(
    st.tuples(st.sampled_from(LEXICON_WORDS), CASES).map(lambda pair: pair[1](pair[0])),
    st.tuples(st.sampled_from(FEW_WORDS), CASES).map(lambda pair: pair[1](pair[0])),
    st.sampled_from(FILLER),
    st.sampled_from(ODD),
)


def texts_of(pieces: st.SearchStrategy[str], size: int = 30) -> st.SearchStrategy[str]:
    """Texts of up to ``size`` pieces, each followed by a space (half of them), punctuation,
    a line break..."""
    glue = st.just(" ") | st.sampled_from(GLUE)
    return st.lists(st.tuples(pieces, glue), max_size=size).map(
        lambda pairs: "".join(word + glue for word, glue in pairs)
    )


ASCII_TEXTS = texts_of(
    st.tuples(st.sampled_from(FEW_WORDS + LEXICON_WORDS + FILLER), CASES).map(
        lambda pair: pair[1](pair[0])
    )
)
MESSY_TEXTS = ASCII_TEXTS | texts_of(PIECE) | st.text(max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.lists(MESSY_TEXTS, min_size=1, max_size=20))
def test_the_fast_reading_counts_what_the_plain_reading_counts(texts: list[str]) -> None:
    expected = [_reference_counts(text, MODEL.lexicon) for text in texts]

    assert _fast_counts(texts, MODEL) == expected


VERB_POOL = ["send", "fix", "hi", "so", "please", "send,", "e.g", "sort out", "envíe",
             "kick-off", "it's", "hey,", "now"]  # fmt: skip
PHRASE_POOL = ["we", "our", "our plan", "our plan for", "plan for", "we", "a.s.a.p", "s",
               "thank you", "you", "kick-off", "kick off", "it's a simple", "!!", "ß",
               "é"]  # fmt: skip


@st.composite
def lexicons(draw: st.DrawFn) -> ToneLexicon:
    """The built-in lexicon with phrase and verb lists drawn from small tricky pools."""
    categories = []
    for category in ToneLexicon.builtin().categories:
        if category.name == "question":
            categories.append(category)
            continue
        pool = VERB_POOL if category.name == "imperative" else PHRASE_POOL
        phrases = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6))
        categories.append(ToneCategory(category.name, category.weight, category.cap, phrases))
    return ToneLexicon(tuple(categories))


POOL_WORDS = sorted(
    {w for p in VERB_POOL + PHRASE_POOL for w in p.split()} | {"hi", "so", "please", "it"}
)
POOL_TEXTS = texts_of(
    st.tuples(st.sampled_from(POOL_WORDS), CASES).map(lambda pair: pair[1](pair[0])), size=8
)


@settings(max_examples=200, deadline=None)
@given(lexicons(), st.lists(POOL_TEXTS | MESSY_TEXTS, min_size=1, max_size=12))
def test_the_fast_reading_follows_any_lexicon(lexicon: ToneLexicon, texts: list[str]) -> None:
    # verbs that are also softeners or greetings, hold a comma, a dot or a space, or are not
    # ASCII; phrases that start other phrases, are listed twice or hold no word
    model = LexiconToneModel(lexicon)

    assert _fast_counts(texts, model) == [_reference_counts(t, lexicon) for t in texts]


def test_the_fast_reading_follows_tricky_verbs() -> None:
    # a verb that is a greeting counts only after a greeting clause, one that is a softener
    # only after a softener; "send," must be followed by whitespace as it stands; "e.g" and
    # "sort out" can never be one word of a sentence; "envíe" only outside ASCII texts
    verbs = ["hi", "so", "send,", "e.g", "sort out", "envíe", "hey,", "now", "send"]
    lexicon = ToneLexicon(
        tuple(
            attrs.evolve(c, phrases=verbs) if c.name == "imperative" else c
            for c in ToneLexicon.builtin().categories
        )
    )
    texts = [
        "hi send it", "Hey, hi there", "hey, so hi there", "so so it", "now now it",
        "so send, it", "send, it", ",send it", "x. e.g now", "e.g now", "sort out it",
        "Sort out. it", "envie it", "envíe it", "Hi, envíe it", "HI ANNA,\tSEND\x0bIT",
        "dear all,\x1csend\x1cit", "please ,send it", "just, send it", "hi,,send it",
        "Hey, so it now", "now it is", "so now send it",
    ]  # fmt: skip
    model = LexiconToneModel(lexicon)

    assert _fast_counts(texts, model) == [_reference_counts(t, lexicon) for t in texts]


def test_texts_read_together_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    # chunks of two: a phrase, a question or an order must not run into the next text
    monkeypatch.setattr(tone, "_CHUNK", 2)
    texts = ["our", "plan for it", "Why", "? send it", "Hi Ann, please", "send it now", "é we"]
    expected = [_reference_counts(text, MODEL.lexicon) for text in texts]

    assert _fast_counts(texts, MODEL) == expected
    assert _counts("our plan for it") == {"we": 1, "planning": 2, "words": 4}


def test_hand_checked_orders_and_word_joins() -> None:
    # the comma that ends a greeting clause must come within the first 48 characters (at
    # index 47 it does, at 48 not); a comma glued to the verb makes another word of it;
    # "a.s.a.p" is one word and "kick-off" one
    assert (
        _counts("Hi there to all the members of the support team, send it")["imperative"] == 1
    )
    assert "imperative" not in _counts(
        "Hi there to all the members of our support teams, send it"
    )
    assert _counts("Hi there, send it")["imperative"] == 1
    assert "imperative" not in _counts("Hi there,send, it")
    assert _counts("SO, SEND it; and fix it\\tnow")["imperative"] == 2
    assert _counts("Reply a.s.a.p - the kick-off. ok")["pressure"] == 1
    assert _counts("the kick-off. ok")["planning"] == 1


# -- the optional VADER adapter ------------------------------------------------------------


def test_the_core_never_imports_vader() -> None:
    code = (
        "import sys, touchpoint_signals, touchpoint_signals.tone, "
        "touchpoint_signals.signals.tone, touchpoint_signals.tone_vader; "
        "print(any(m.startswith('vaderSentiment') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_vader_scores_valence_not_collaboration() -> None:
    pytest.importorskip("vaderSentiment")
    from touchpoint_signals.tone_vader import VaderToneModel

    vader = VaderToneModel()
    texts = [
        "Per my last email, please send the invoice.",
        "This bug is terrible and our team is frustrated. Could we set up a call to work "
        "through it together?",
        "> quoted only",
    ]
    valence, collaboration = vader.score(texts), MODEL.score(texts)

    assert isinstance(vader, ToneModel)
    # the figures quoted in tone_vader's docstring and docs/signals/tone.md
    np.testing.assert_allclose(valence[:2], [0.3182, -0.7579], atol=5e-4)
    np.testing.assert_allclose(collaboration[:2], [-0.42, 0.96], atol=5e-3)
    assert np.isnan(valence[2])
    assert vader.score([]).shape == (0,)
