"""Tone models: how collaborative, rather than transactional, a customer's words read.

A :class:`ToneModel` scores a batch of texts, one float per text. The built-in
:class:`LexiconToneModel` reads the balance between *collaborative* language (first-person
plural, plans and the future, thanks and greetings, questions, hedged requests) and
*transactional* language (bare orders, minimisers such as "just send", deadlines and
escalation, curt one-liners). It is not a sentiment model: "Thanks, but we need a refund"
and "We love planning the rollout with you" are both polite; only the second is working
*with* the vendor. The score lies in (-1, 1); positive is collaborative.

The lexicon ships as package data (``touchpoint_signals/data/tone_lexicon.toml``); nothing
is downloaded. A team can load its own file with :meth:`ToneLexicon.from_toml`.
:mod:`touchpoint_signals.tone_vader` adapts VADER sentiment to the same protocol for those
who want valence instead.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from touchpoint_signals.errors import ConfigError

__all__ = [
    "CATEGORY_NAMES",
    "LexiconToneModel",
    "ToneCategory",
    "ToneFeatures",
    "ToneLexicon",
    "ToneModel",
    "strip_quoted",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The categories a lexicon must define, in the column order of :class:`ToneFeatures`.
CATEGORY_NAMES: tuple[str, ...] = (
    "we",
    "i_you",
    "planning",
    "warmth",
    "hedge",
    "question",
    "imperative",
    "minimiser",
    "pressure",
)

#: Categories that are not matched as phrases anywhere in the text (see :class:`ToneLexicon`).
_SPECIAL = frozenset({"question", "imperative"})
_QUESTION_COLUMN = CATEGORY_NAMES.index("question")
_IMPERATIVE_COLUMN = CATEGORY_NAMES.index("imperative")


@runtime_checkable
class ToneModel(Protocol):
    """Anything that scores texts for tone, many at once.

    ``score`` returns float64, one number per text, in the model's documented range; higher
    means more collaborative (or, for a sentiment model, more positive). A text with nothing
    to score (empty once quotes and signatures are stripped) scores NaN, and consumers skip
    it.
    """

    @property
    def name(self) -> str:
        """A short name for reasons and logs, such as ``"lexicon"`` or ``"vader"``."""
        ...

    def score(self, texts: Sequence[str]) -> FloatArray:
        """One score per text, in order."""
        ...


# -- cleaning ------------------------------------------------------------------------------

_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*(?:\n|\Z)", re.MULTILINE)
_ATTRIBUTION = re.compile(
    r"^[ \t]*On\b[^\n]{0,200}(?:\n[^\n]{0,200})?\b(?:wrote|writes):[ \t]*(?:\n|\Z)",
    re.MULTILINE,
)
_FORWARDED = re.compile(
    r"^[ \t]*-{2,}[ \t]*Original Message[ \t]*-{2,}.*\Z", re.MULTILINE | re.S
)
#: A signature line ("-- " alone on its line), searched for in the text with a line break put
#: in front: a literal first character lets the regex engine skip ahead, which a
#: multi-line ``^`` does not.
_SIGNATURE = re.compile(r"\n--[ \t]?(?:\n|\Z)")
#: "http://", "https://" or "www." in any case, and the rest of the address. The letters are
#: spelt out in both cases (with the long s, U+017F, that ``re.IGNORECASE`` also takes for
#: "s") and a character class comes first, so that the regex engine skips ahead to the
#: letters h and w instead of trying every position.
_URL = re.compile(r"[hHwW](?:(?<=[hH])[tT][tT][pP][sS\u017f]?://|(?<=[wW])[wW][wW]\.)\S+")
_HANDLE = re.compile(r"@\w+")
_TOKEN = re.compile(r"\w+(?:['.\-]\w+)*")
_QUESTION = re.compile(r"\?+")
_SENTENCE_BREAK = re.compile(r"[.!?;\n]")

#: Words that may open a sentence before an order without making it less of one.
_SOFTENERS = frozenset({"please", "pls", "plz", "just", "simply", "now", "so", "and", "then"})
#: Greeting words; a greeting clause up to its comma ("Hi Anna,") is skipped before an order.
_GREETINGS = frozenset({"hi", "hello", "hey", "dear"})
_GREETING_CLAUSE = 48


def strip_quoted(text: str) -> str:
    """The text without quoted replies, attributions, forwarded messages and signature.

    Removes ``>`` lines, an "On ... wrote:" attribution (one or two lines), everything from
    an "-----Original Message-----" line on, and everything from a ``-- `` (or ``--``)
    signature line on. Touchpoints already carry quoted history apart in ``quoted_text``;
    this is a second, defensive pass.

    Examples
    --------
    >>> strip_quoted("Sounds good.\\nOn Mon, Ann wrote:\\n> Shall we?\\n-- \\nBob")
    'Sounds good.\\n'
    """
    if "Original Message" in text:
        text = _FORWARDED.sub("", text)
    if "--" in text:
        signature = _SIGNATURE.search("\n" + text)
        if signature is not None:
            text = text[: signature.start()]
    if "wrote:" in text or "writes:" in text:
        text = _ATTRIBUTION.sub("", text)
    if ">" in text:
        text = _QUOTED_LINE.sub("", text)
    return text


def _clean(text: str, max_chars: int) -> str:
    """Stripped text with curly apostrophes straightened, URLs and @handles removed, and the
    middle of an over-long text cut out."""
    text = text.replace("\u2019", "'")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_quoted(text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _HANDLE.sub(" ", text)
    if len(text) > max_chars:
        half = max_chars // 2
        text = text[:half] + "\n" + text[-half:]
    return text


# -- the lexicon ---------------------------------------------------------------------------


def _to_phrases(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(" ".join(str(v).lower().split()) for v in values)


@attrs.frozen
class ToneCategory:
    """One kind of cue: its weight per match, the most matches that count, and its phrases."""

    name: str
    weight: float = attrs.field(converter=float)
    cap: int
    phrases: tuple[str, ...] = attrs.field(converter=_to_phrases, default=())

    def __attrs_post_init__(self) -> None:
        if not math.isfinite(self.weight):
            raise ConfigError(f"tone category {self.name!r}: weight must be finite")
        if isinstance(self.cap, bool) or not isinstance(self.cap, int) or self.cap < 1:
            raise ConfigError(
                f"tone category {self.name!r}: cap must be an integer >= 1, got {self.cap!r}"
            )
        if self.name != "question" and not self.phrases:
            raise ConfigError(f"tone category {self.name!r}: needs at least one phrase")
        if any(not p for p in self.phrases):
            raise ConfigError(f"tone category {self.name!r}: a phrase is blank")


def _to_categories(values: Iterable[ToneCategory]) -> tuple[ToneCategory, ...]:
    return tuple(values)


def _check_categories(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[ToneCategory, ...]
) -> None:
    names = tuple(c.name for c in value)
    if names != CATEGORY_NAMES:
        raise ConfigError(
            f"a tone lexicon needs the categories {', '.join(CATEGORY_NAMES)} in that "
            f"order, got {', '.join(names) or 'none'}"
        )


@attrs.frozen
class ToneLexicon:
    """Weighted word lists, and the two numbers that turn their counts into a score.

    Parameters
    ----------
    categories
        One :class:`ToneCategory` per name in :data:`CATEGORY_NAMES`, in that order. Phrases
        match as whole words in a row, ignoring case, anywhere in the text, except for two
        categories: ``question`` counts runs of ``?`` (it has no phrases) and
        ``imperative`` lists verbs that count only when they open a sentence.
    scale
        Raw units per unit of ``tanh``: the score is ``tanh(raw / scale)``.
    short_words
        Messages shorter than this many words lean transactional.
    curt_weight
        What a one-word message loses, scaled down linearly to nothing at ``short_words``.

    Notes
    -----
    The word lists were written for this package, for the collaborative-versus-transactional
    reading; none is taken from LIWC (Pennebaker et al.) or another dictionary. The cues
    follow what customer-success practice watches for: "we" language and talk of next
    phases in healthy accounts; deadlines, "per my last email" and escalation in accounts
    that have become transactional. First-person plural as a marker of shared identity is
    discussed in Pennebaker, *The Secret Life of Pronouns* (2011), ch. 7; hedges and bare
    imperatives as politeness strategies in Brown and Levinson, *Politeness* (1987).
    """

    categories: tuple[ToneCategory, ...] = attrs.field(
        converter=_to_categories, validator=_check_categories
    )
    scale: float = attrs.field(default=1.0, converter=float)
    short_words: int = 8
    curt_weight: float = attrs.field(default=-0.4, converter=float)

    def __attrs_post_init__(self) -> None:
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise ConfigError(f"tone lexicon: scale must be > 0, got {self.scale}")
        if isinstance(self.short_words, bool) or self.short_words < 1:
            raise ConfigError(
                f"tone lexicon: short_words must be an integer >= 1, got {self.short_words!r}"
            )
        if not (math.isfinite(self.curt_weight) and self.curt_weight <= 0):
            raise ConfigError(
                f"tone lexicon: curt_weight must be <= 0 (curt reads transactional), got "
                f"{self.curt_weight}"
            )

    @classmethod
    def from_toml(cls, path: str | Path) -> ToneLexicon:
        """Read a lexicon file laid out like the built-in ``tone_lexicon.toml``."""
        with open(path, "rb") as handle:
            return cls._from_mapping(tomllib.load(handle), str(path))

    @classmethod
    def builtin(cls) -> ToneLexicon:
        """The lexicon shipped with the package."""
        return _builtin_lexicon()

    @classmethod
    def _from_mapping(cls, data: dict[str, Any], source: str) -> ToneLexicon:
        try:
            table = data["categories"]
            categories = tuple(
                ToneCategory(
                    name,
                    table[name]["weight"],
                    table[name]["cap"],
                    tuple(table[name].get("phrases", ())),
                )
                for name in CATEGORY_NAMES
            )
            return cls(
                categories,
                scale=data["scale"]["scale"],
                short_words=data["curtness"]["short_words"],
                curt_weight=data["curtness"]["weight"],
            )
        except KeyError as error:
            raise ConfigError(f"tone lexicon {source}: missing key {error}") from None

    @property
    def weights(self) -> FloatArray:
        """Weight per match of each category, in :data:`CATEGORY_NAMES` order."""
        return np.array([c.weight for c in self.categories], dtype=np.float64)

    @property
    def caps(self) -> IntArray:
        """Most matches that count, per category."""
        return np.array([c.cap for c in self.categories], dtype=np.int64)


@functools.cache
def _builtin_lexicon() -> ToneLexicon:
    resource = importlib.resources.files("touchpoint_signals.data") / "tone_lexicon.toml"
    return ToneLexicon._from_mapping(tomllib.loads(resource.read_text("utf-8")), "built-in")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


Gram = tuple[str, ...]

#: What separates one text from the next when a batch of texts is read as one string: a
#: line break on each side, so that it ends a sentence, and NUL between them, which stands
#: as a word of its own once the text is reduced to its words. Texts holding NUL are read
#: one by one.
_MARK = "\x00"
_SEPARATOR = "\n" + _MARK + "\n"
#: Texts read together at once: enough for the regular expressions and numpy to do the
#: work, few enough that the byte arrays of a chunk stay small (a few MiB).
_CHUNK = 4096

#: ASCII byte classes for reading words with numpy (see :func:`_count_ascii`).
_OTHER, _WORD, _JOINER, _MARKER = 0, 1, 2, 3
_BYTE_KIND = np.zeros(256, dtype=np.uint8)
for _code in range(128):
    if chr(_code).isalnum() or chr(_code) == "_":
        _BYTE_KIND[_code] = _WORD
    elif chr(_code) in "'.-":
        _BYTE_KIND[_code] = _JOINER
_BYTE_KIND[ord(_MARK)] = _MARKER
del _code


def _trie_pattern(keys: Iterable[str]) -> str:
    """A regular expression matching the longest of ``keys`` that the text continues with.

    The keys are laid out as a character trie (``(?:a(?:s|t)|b)`` rather than ``as|at|b``),
    so that trying them at one position costs a step per character instead of one attempt per
    key. Where a key ends and a longer one goes on, the longer one is tried first; the regex
    engine falls back to the shorter one when what follows does not fit.
    """
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [
            re.escape(char) + emit(child) for char, child in sorted(node.items()) if char
        ]
        if "" in node:
            branches.append("")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(trie)


def _alternation(words: Iterable[str]) -> str:
    """``words`` as a regex trie (see :func:`_trie_pattern`), or a pattern matching nothing
    when there are none."""
    words = set(words)
    return _trie_pattern(words) if words else "(?!)"


def _order_pattern(verbs: Iterable[str]) -> re.Pattern[str]:
    """:func:`_opens_with_order` as one regular expression over lower-cased ASCII text.

    The expression matches, and captures, a sentence break (``. ! ? ;`` or a line break)
    followed by a sentence that opens with an order, or NUL, which separates texts read
    together (a character class first lets the regex engine skip ahead). It must
    be given lower-cased ASCII text: there lower-casing keeps every character in place,
    ``\\s`` is exactly what :meth:`str.split` splits at, and an ASCII word can only equal an
    ASCII verb. Two forms, which cannot both fit one sentence:

    * the first word is no greeting: an optional softener, then a verb, then another word;
    * the first word is a greeting and the sentence has a comma among its first
      ``_GREETING_CLAUSE`` characters: after the first comma, the same as above, except that
      the verb may be a greeting word.

    A verb that holds a space or a sentence break can never be a whole word of a sentence,
    and one that is not ASCII can never match ASCII text, so those are left out; a verb that
    is also a softener (or greeting) is left out where the word would be taken as one.
    """
    usable = [v for v in verbs if v.isascii() and not re.search(r"[\s.!?;]", v)]
    after_softener = _alternation(usable)
    first_plain = _alternation(v for v in usable if v.strip(",") not in _SOFTENERS | _GREETINGS)
    first_after_greeting = _alternation(v for v in usable if v.strip(",") not in _SOFTENERS)
    softener, greeting = _alternation(_SOFTENERS), _alternation(_GREETINGS)
    space, word_char = r"[^\S\n]", r"[^\s.!?;]"

    def order(first: str) -> str:
        return (
            rf"{space}*(?:,*(?:{softener}),*{space}+(?:{after_softener})|(?:{first}))"
            rf"{space}+{word_char}"
        )

    greeting_clause = (
        rf"(?={space}*,*(?:{greeting}),*(?:[\s.!?;]|\Z))"
        rf"(?=[^,.!?;\n]{{0,{_GREETING_CLAUSE - 1}}},)[^,]*,"
    )
    return re.compile(
        r"([\x00.!?;\n])(?:(?<=\x00)"
        rf"|{order(first_plain)}|{greeting_clause}{order(first_after_greeting)})"
    )


@attrs.frozen
class _Compiled:
    """A lexicon made ready for reading many texts.

    A text is read as its words joined by single spaces, with a space before the first and
    after the last (``" we plan to ship "``). ``phrases`` finds, at every word, the longest
    phrase that starts there (``"our plan"`` rather than ``"our"``), or NUL, the separator
    of texts read together; ``columns`` gives, for each phrase, the category column of every
    listed phrase it starts with, so ``"our plan"`` counts for ``planning`` and for ``we``.
    Every phrase that matches at a word is a word-prefix of the longest one, so the longest
    one says everything that matches there. A phrase listed twice counts twice.
    ``key_columns[k]`` is the same table as counts per column, row ``k`` for the phrase
    numbered ``k`` in ``keys`` (row 0, NUL, is all zeros). ``orders`` is
    :func:`_order_pattern` of the verbs.
    """

    phrases: re.Pattern[str]
    columns: dict[str, tuple[int, ...]]
    keys: dict[str, int]
    key_columns: IntArray
    verbs: frozenset[str]
    orders: re.Pattern[str]


@functools.lru_cache(maxsize=8)
def _compile(lexicon: ToneLexicon) -> _Compiled:
    """The phrase and order expressions and the column tables of a lexicon, built once."""
    grams: dict[Gram, list[int]] = {}
    for column, category in enumerate(lexicon.categories):
        if category.name in _SPECIAL:
            continue
        for phrase in category.phrases:
            gram = tuple(_tokens(phrase))
            if gram:
                grams.setdefault(gram, []).append(column)

    columns = {
        " ".join(gram): tuple(
            column for n in range(1, len(gram) + 1) for column in grams.get(gram[:n], ())
        )
        for gram in grams
    }
    keys = {_MARK: 0} | {phrase: k for k, phrase in enumerate(columns, start=1)}
    key_columns = np.zeros((len(keys), len(CATEGORY_NAMES)), dtype=np.int64)
    for phrase, k in keys.items():
        for column in columns.get(phrase, ()):
            key_columns[k, column] += 1

    verbs = lexicon.categories[_IMPERATIVE_COLUMN].phrases
    return _Compiled(
        re.compile(" (?=(" + _trie_pattern(keys) + ") )"),
        columns,
        keys,
        key_columns,
        frozenset(verbs),
        _order_pattern(verbs),
    )


# -- features and scores -------------------------------------------------------------------


@attrs.frozen(eq=False)
class ToneFeatures:
    """Cue counts per text: ``counts[i, j]`` matches of category ``names[j]`` in text ``i``.

    Counts are before capping; ``words`` is the number of words left once quotes,
    signatures, URLs and @handles are removed.
    """

    names: tuple[str, ...]
    counts: IntArray
    words: IntArray

    def column(self, name: str) -> IntArray:
        """The counts of one category."""
        result: IntArray = self.counts[:, self.names.index(name)]
        return result


def _opens_with_order(sentence: str, verbs: frozenset[str]) -> bool:
    """Whether a sentence opens with one of ``verbs`` followed by more words.

    A greeting clause ("Hi Anna,") and one softener ("please", "just") may come first. The
    verb must stand alone: "Update: it works" is a heading, not an order.
    """
    words = sentence.split(None, 4)
    if words and words[0].lower().strip(",") in _GREETINGS:
        comma = sentence.find(",", 0, _GREETING_CLAUSE)
        if comma < 0:
            return False
        words = sentence[comma + 1 :].split(None, 3)
    if words and words[0].lower().strip(",") in _SOFTENERS:
        words = words[1:]
    return len(words) >= 2 and words[0].lower() in verbs


def _count(cleaned: str, compiled: _Compiled) -> tuple[list[int], int]:
    """Uncapped matches per category, and the number of words, of one cleaned text.

    This reads any text; :func:`_count_ascii` reads many ASCII texts at once, faster, to
    the same counts.
    """
    tokens = _tokens(cleaned)
    counts = [0] * len(CATEGORY_NAMES)

    columns = compiled.columns
    for phrase in compiled.phrases.findall(" " + " ".join(tokens) + " "):
        for column in columns[phrase]:
            counts[column] += 1

    if "?" in cleaned:
        counts[_QUESTION_COLUMN] = len(_QUESTION.findall(cleaned))
    verbs = compiled.verbs
    counts[_IMPERATIVE_COLUMN] = sum(
        _opens_with_order(sentence, verbs) for sentence in _SENTENCE_BREAK.split(cleaned)
    )
    return counts, len(tokens)


def _hits_per_text(found: list[str], texts: int) -> IntArray:
    """How many items of ``found`` fall in each text, given that an item NUL opens every
    text and the batch ends with one more."""
    marks = np.fromiter(map(_MARK.__eq__, found), dtype=bool, count=len(found))
    text = np.cumsum(marks) - 1
    result: IntArray = np.bincount(text[~marks], minlength=texts + 1)[:texts]
    return result


def _count_ascii(cleaned: Sequence[str], compiled: _Compiled) -> tuple[IntArray, IntArray]:
    """Uncapped matches per category, and words, of many cleaned ASCII texts without NUL.

    The texts are lower-cased and joined into one string, NUL between them (see
    ``_SEPARATOR``), and read in three passes over the whole string instead of per text:

    * words and questions, with numpy on the bytes: a letter, digit or underscore is part of
      a word, and so is an apostrophe, dot or hyphen with one of those on each side (exactly
      what ``_TOKEN`` matches in ASCII); everything else becomes a space, runs of spaces one,
      and a word starts where a word character follows another character; a question starts
      where a ``?`` follows another character;
    * phrases, with ``compiled.phrases`` on that string of words;
    * orders, with ``compiled.orders`` (see :func:`_order_pattern`).

    The NUL bytes, or the NUL found by a regular expression, tell which text a match
    belongs to.
    """
    n = len(cleaned)
    lowered = (_SEPARATOR + _SEPARATOR.join(cleaned) + _SEPARATOR).lower()
    codes = np.frombuffer(lowered.encode("ascii"), dtype=np.uint8)

    kind = _BYTE_KIND[codes]
    word = kind == _WORD
    joined = np.zeros_like(word)
    joined[1:-1] = (kind[1:-1] == _JOINER) & word[:-2] & word[2:]
    token = word | joined
    starts = token.copy()
    starts[1:] &= ~token[:-1]
    marks = np.flatnonzero(kind == _MARKER)
    words = np.add.reduceat(starts.astype(np.int64), marks)[:n]

    chars = np.where(token | (kind == _MARKER), codes, np.uint8(ord(" ")))
    space = chars == ord(" ")
    keep = np.ones_like(space)
    keep[1:] = ~(space[1:] & space[:-1])
    normalized = chars[keep].tobytes().decode("ascii")

    found = compiled.phrases.findall(normalized)
    keys = np.fromiter(map(compiled.keys.__getitem__, found), dtype=np.intp, count=len(found))
    text = np.cumsum(keys == 0) - 1
    hit = keys > 0
    counts = np.zeros((n + 1, len(CATEGORY_NAMES)), dtype=np.int64)
    np.add.at(counts, text[hit], compiled.key_columns[keys[hit]])
    counts = counts[:n]

    question = codes == ord("?")
    question[1:] &= ~question[:-1]
    counts[:, _QUESTION_COLUMN] = np.add.reduceat(question.astype(np.int64), marks)[:n]
    counts[:, _IMPERATIVE_COLUMN] = _hits_per_text(compiled.orders.findall(lowered), n)
    return counts, words


def _count_all(
    texts: Sequence[str], compiled: _Compiled, max_chars: int
) -> tuple[IntArray, IntArray]:
    """Uncapped matches per category (one row per text), and words, of many texts.

    ASCII texts (nearly all customer messages once curly apostrophes are straightened) are
    read together by :func:`_count_ascii`, in chunks of ``_CHUNK``; the others one by one by
    :func:`_count`. Both give the same counts for the same text.
    """
    cleaned = [_clean(text, max_chars) for text in texts]
    counts = np.zeros((len(cleaned), len(CATEGORY_NAMES)), dtype=np.int64)
    words = np.zeros(len(cleaned), dtype=np.int64)

    together = np.fromiter(
        (text.isascii() and _MARK not in text for text in cleaned),
        dtype=bool,
        count=len(cleaned),
    )
    rows = np.flatnonzero(together)
    for at in range(0, rows.size, _CHUNK):
        chunk = rows[at : at + _CHUNK]
        counts[chunk], words[chunk] = _count_ascii([cleaned[i] for i in chunk], compiled)

    for i in np.flatnonzero(~together).tolist():
        row, words[i] = _count(cleaned[i], compiled)
        counts[i] = row
    return counts, words


def _distinct(texts: Sequence[str]) -> tuple[list[str], IntArray]:
    """Distinct texts, in order of first appearance, and, for each input, its position
    among them."""
    index = {text: i for i, text in enumerate(dict.fromkeys(texts))}
    inverse = np.fromiter(map(index.__getitem__, texts), dtype=np.int64, count=len(texts))
    return list(index), inverse


@attrs.frozen
class LexiconToneModel:
    """Collaborative (+) against transactional (-) tone from a weighted lexicon.

    Parameters
    ----------
    lexicon
        Word lists, weights and caps; the built-in one by default
        (``touchpoint_signals/data/tone_lexicon.toml``).
    max_chars
        Longest stretch of a text that is read (after stripping quotes and signature): a
        longer text keeps its first and last ``max_chars // 2`` characters. Openings and
        closings carry the tone ("Hi all, ...", "Thanks, any idea?"); the middle of a very
        long customer e-mail is nearly always a pasted log or code. The default, 4,000, keeps
        95 % of the linux-uvc-devel customer messages whole (their 95th percentile is about
        10,000 characters only because of pasted logs; the median is 550).
    name
        Name of the model in reasons and logs.

    Notes
    -----
    For each text: strip quoted replies and the signature (:func:`strip_quoted`), drop URLs
    and @handles, lower-case it and split it into words (runs of letters and digits, joined
    by an apostrophe, a dot or a hyphen: "let's", "a.s.a.p", "kick-off" are one word each).
    A phrase matches wherever its words stand in a row, and every occurrence of every listed
    phrase counts, so "our plan" adds to ``we`` and to ``planning``. ``question`` counts runs
    of "?"; ``imperative`` counts sentences (split at ``. ! ? ;`` and line breaks) whose first
    word, after an optional greeting clause ("Hi Anna,") and one softener ("please",
    "just"), is a listed verb followed by more words. Then cap each count at the category's
    ``cap`` and add ``weight * capped count`` over the categories. Messages shorter than
    ``short_words`` words add ``curt_weight * (short_words - words) / short_words``. The
    score is ``tanh(raw / scale)``, strictly inside (-1, 1); with the built-in lexicon a
    single deadline phrase (weight -0.7) in an otherwise neutral message reads -0.60, one
    "we" +0.34. A text with no words scores NaN.

    Every distinct text is read once, and the phrase and order expressions are built once
    per lexicon. ASCII texts (after cleaning) are read thousands at a time, with numpy and
    regular expressions over the whole batch; other texts are read one by one, to the same
    counts, about 1.5 times slower. On one core of a busy two-core machine, the 7,042
    linux-uvc-devel messages score in about 0.45 s, the 4,981 tweets of twcs_head5000 in
    about 0.06 s, and 20,000 simulated messages (``benchmarks/tone_vs_vader.py``) in about
    0.25 s, ten times faster than VADER.

    Known shortcomings: phrases are matched without reading the sentence, so negation
    ("not urgent") and irony count as written, "US" the country counts as "us", and the
    lists are English only; a text in another language scores from its length alone, which
    leans slightly transactional for short messages.

    Examples
    --------
    >>> model = LexiconToneModel()
    >>> scores = model.score(["We're excited about the next phase", "Just send the report"])
    >>> [round(float(s), 2) for s in scores]
    [0.9, -0.86]
    """

    lexicon: ToneLexicon = attrs.field(factory=_builtin_lexicon)
    max_chars: int = attrs.field(default=4000)
    name: str = "lexicon"

    @max_chars.validator
    def _check_max_chars(self, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 100:
            raise ConfigError(
                f"LexiconToneModel.max_chars must be an integer >= 100, got {value!r}"
            )

    def features(self, texts: Sequence[str]) -> ToneFeatures:
        """The cue counts and word counts behind :meth:`score`."""
        distinct, inverse = _distinct(texts)
        compiled = _compile(self.lexicon)

        counts, words = _count_all(distinct, compiled, self.max_chars)

        return ToneFeatures(CATEGORY_NAMES, counts[inverse], words[inverse])

    def raw(self, features: ToneFeatures) -> FloatArray:
        """The weighted, capped sum before squashing; NaN where a text has no words.

        The sum runs column by column, not as a matrix product, so that a text's score is the
        same to the last bit whatever else is in the batch.
        """
        lexicon = self.lexicon
        capped = np.minimum(features.counts, lexicon.caps)
        shortfall = np.clip(lexicon.short_words - features.words, 0, None) / lexicon.short_words
        raw = lexicon.curt_weight * shortfall
        for column, weight in enumerate(lexicon.weights):
            raw = raw + weight * capped[:, column]
        result: FloatArray = np.where(features.words > 0, raw, np.nan)
        return result

    def score(self, texts: Sequence[str]) -> FloatArray:
        """``tanh(raw / scale)`` per text: > 0 collaborative, < 0 transactional, NaN empty."""
        texts = list(texts)
        if not texts:
            return np.zeros(0, dtype=np.float64)

        distinct, inverse = _distinct(texts)
        counts, words = _count_all(distinct, _compile(self.lexicon), self.max_chars)
        features = ToneFeatures(CATEGORY_NAMES, counts, words)
        scores = np.tanh(self.raw(features) / self.lexicon.scale)
        logger.debug(
            "scored %d texts (%d distinct) with %s", len(texts), len(distinct), self.name
        )

        result: FloatArray = scores[inverse]
        return result
