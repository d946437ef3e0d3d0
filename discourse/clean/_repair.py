"""Repair words glued together by a web capture ("terroristactivities").

A long lowercase token that is not a word is split by a frequency-based word
segmenter (``wordsegment``: Norvig's unigram/bigram segmenter over the Google
Web Trillion Word Corpus counts) - but only when the split is safe:

* the token is at least ``min_length`` characters, all lowercase ASCII letters
  (names, acronyms and capitalised words are never touched);
* it is in neither lexicon: wordsegment's 333,000 unigrams nor simplemma's
  English form dictionary (so "counterterrorism", "miscalculating" or
  "afghanistan" stay whole);
* the segmenter splits it into 2 or 3 parts, each a common word (a unigram
  count of at least ``min_part_count``) of two or more letters, and none a
  productive prefix or suffix ("geo" + "economics", "under" + "trained" are
  left alone);
* and the split is supported: each adjacent pair of parts is an attested
  bigram ("is central", "terrorist activities"), or every part has at least
  ``min_unattested_part`` letters ("comprehensive stance").  So jargon such
  as "inswinger" or "tailenders" is not cut into "in swinger", "tai lenders".

The lexicons are loaded once, lazily, on first use (about a second).

References
----------
Norvig, P. (2009). Natural Language Corpus Data. In T. Segaran & J. Hammerbacher
(Eds.), *Beautiful Data* (pp. 219-242). O'Reilly.
Brants, T., & Franz, A. (2006). *Web 1T 5-gram Version 1*. Linguistic Data Consortium.
"""

from __future__ import annotations

import math
import re
import threading
from functools import lru_cache
from typing import Callable, Iterable, Iterator, List, NamedTuple, Optional, Tuple

from ._normalize import Edit, Step

__all__ = ["repair_glued_words", "segment_glued"]

_LOCK = threading.Lock()
_STATE: dict = {}

#: Parts that are prefixes/suffixes rather than words; a split producing one is refused.
AFFIXES = frozenset(
    """
    a an geo re un non anti counter inter intra multi pre post sub super semi over under mis dis co de bi tri mid out up
    self pro neo socio euro afro pan trans ultra mega micro macro mini hyper cyber bio eco agro petro narco para ex
    extra infra meta proto pseudo quasi retro tele mono poly auto photo homo hetero
    ing ed er ers est ly al ism ist ists isms ness ment ments tion tions sion able ible ity ities ize ise ized ised izes
    ful less ship ships hood dom ous ive ives ian ians ic ics ical ally ence ance ant ent ure ures age ages ery
    """.split()
)

@lru_cache(maxsize=16)
def _candidate_re(min_length: int) -> "re.Pattern[str]":
    return re.compile(r"\b[a-z]{%d,}\b" % max(int(min_length), 2))


def _standalone(text: str, start: int, end: int) -> bool:
    """Not part of an e-mail address, URL, path, hyphenated or contracted word."""
    if start > 0 and text[start - 1] in "@/\\.'-":
        return False
    if end < len(text):
        nxt = text[end]
        if nxt in "@/\\'-":
            return False
        if nxt == "." and end + 1 < len(text) and text[end + 1].isalnum():
            return False
    return True


def _counts(path: str, *, as_float: bool = True) -> dict:
    """``{ngram: count}`` of one of wordsegment's tab-separated count files.

    The same dictionary as ``wordsegment.Segmenter.parse`` builds (later
    lines win, counts as floats), read in one piece and split by the C
    string methods instead of line by line.  ``as_float=False`` keeps each
    count as written (``float`` of it is wordsegment's value), for the
    bigrams, whose counts are read only for the few pairs a segmentation
    scores.
    """
    with open(path, encoding="utf-8") as fh:
        fields = fh.read().replace("\t", "\n").split("\n")
    if fields and fields[-1] == "":
        fields.pop()
    if len(fields) % 2:
        raise ValueError(f"{path}: expected 'ngram<TAB>count' lines")
    return dict(zip(fields[0::2], map(float, fields[1::2]) if as_float else fields[1::2]))


class Lexicon(NamedTuple):
    """wordsegment's counts as :func:`segment_words` reads them.

    ``unigrams`` map words to counts (float); ``bigrams`` map "word word" to
    counts as written in the file (str: ``float`` of one is wordsegment's
    count); ``total`` and ``limit`` are wordsegment's; ``clean`` is
    ``Segmenter.clean``.
    """

    unigrams: dict
    bigrams: dict
    total: float
    limit: int
    clean: Callable[[str], str]


def _load_lexicon(cls: type) -> Lexicon:
    """wordsegment's counts, as ``Segmenter.load()`` reads them, for the segmenter class ``cls``."""
    return Lexicon(unigrams=_counts(cls.UNIGRAMS_FILENAME), bigrams=_counts(cls.BIGRAMS_FILENAME, as_float=False),
                   total=cls.TOTAL, limit=cls.LIMIT, clean=cls.clean)


def segment_words(seg: Lexicon, text: str) -> List[str]:
    """``wordsegment.Segmenter.segment(text)`` over the counts ``seg`` (:func:`_load_lexicon`), computed faster.

    The same search as wordsegment's ``isegment`` (Norvig 2009): the best
    split of a text given the previous word is the best over its prefixes of
    the prefix's stupid-backoff score plus the best split of the rest given
    the prefix, with the same 250-character chunks and the same
    floating-point expressions in the same order.  It is faster in three
    ways: one memo entry serves every prefix that is not a counted word
    (such a prefix enters the rest's scores only as "not counted"); where
    ``max`` over ``(score, words)`` compares word lists on a tie, the lists
    differ in their first word (the prefixes differ in length), so the tie
    goes to the larger prefix string without building the lists; and the
    previous word's score is computed once per search, not per prefix.
    ``tests/test_clean.py`` checks it against ``Segmenter.segment``.
    """
    unigrams, bigrams, total, limit = seg.unigrams, seg.bigrams, seg.total, seg.limit
    log10 = math.log10
    memo: dict = {}

    def unigram_score(word: str) -> float:
        count = unigrams.get(word)
        if count is not None:
            return count / total
        return 10.0 / (total * 10 ** len(word))

    def search(text: str, previous: str = "<s>"):
        if text == "":
            return 0.0, []
        best = best_prefix = best_words = None
        # stupid backoff: P(prefix | previous) from the bigram when both are counted, else P(prefix)
        previous_score = unigram_score(previous) if previous in unigrams else None
        head = previous + " "
        for pos in range(1, min(len(text), limit) + 1):
            prefix = text[:pos]
            count = bigrams.get(head + prefix) if previous_score is not None else None
            if count is not None:
                score = float(count) / total / previous_score
            else:
                count = unigrams.get(prefix)
                score = count / total if count is not None else 10.0 / (total * 10 ** pos)
            # the rest's best split depends on the prefix only if the prefix is a counted word: one
            # memo entry serves every uncounted prefix before the same rest
            rest = text[pos:]
            pair = (rest, prefix if prefix in unigrams else None)
            found = memo.get(pair)
            if found is None:
                found = memo[pair] = search(rest, prefix)
            total_score = log10(score) + found[0]
            if best is None or total_score > best or (total_score == best and prefix > best_prefix):
                best, best_prefix, best_words = total_score, prefix, found[1]
        return best, [best_prefix] + best_words

    clean_text = seg.clean(text)
    size = 250
    prefix = ""
    out: list[str] = []
    for offset in range(0, len(clean_text), size):
        chunk = clean_text[offset:(offset + size)]
        _, chunk_words = search(prefix + chunk)
        prefix = "".join(chunk_words[-5:])
        del chunk_words[-5:]
        out.extend(chunk_words)
    _, prefix_words = search(prefix)
    out.extend(prefix_words)
    return out


def _load() -> dict:
    """Load wordsegment's counts and simplemma's English forms once (thread-safe)."""
    if _STATE:
        return _STATE
    with _LOCK:
        if not _STATE:
            import wordsegment

            from .._lexicon import _english_forms

            lexicon = _load_lexicon(wordsegment.Segmenter)
            # the dictionary simplemma's lemmatize and is_known use, so it is decoded once per process
            forms = _english_forms()
            _STATE["lexicon"] = lexicon
            _STATE["unigrams"] = lexicon.unigrams
            _STATE["forms"] = forms
    return _STATE


@lru_cache(maxsize=8)
def _common_words(min_part_count: float) -> frozenset:
    """The unigrams a split may produce: counted at least ``min_part_count`` times, two letters or more, no affix."""
    uni = _load()["unigrams"]
    return frozenset(w for w, c in uni.items() if c >= min_part_count and len(w) >= 2 and w not in AFFIXES)


def _cuts(s: str, common: frozenset, parts: int) -> Iterator[Tuple[str, ...]]:
    """Every way of writing ``s`` as one to ``parts`` words of ``common``."""
    if s in common:
        yield (s,)
    if parts > 1:
        for i in range(2, len(s) - 1):
            head = s[:i]
            if head in common:
                for rest in _cuts(s[i:], common, parts - 1):
                    yield (head,) + rest


def _can_split(token: str, *, min_part_count: float, max_parts: int, min_unattested_part: int) -> bool:
    """Some cut of ``token`` into 2 to ``max_parts`` parts passes every test :func:`segment_glued` applies.

    The split the segmenter chooses is accepted only if it is such a cut, so a
    token with none is refused without running the segmenter (the costly step).
    """
    bigrams = _load()["lexicon"].bigrams
    for parts in _cuts(token, _common_words(min_part_count), max_parts):
        if len(parts) < 2:
            continue
        if min(len(p) for p in parts) >= min_unattested_part or all(f"{a} {b}" in bigrams for a, b in zip(parts, parts[1:])):
            return True
    return False


def is_word(token: str) -> bool:
    """True if ``token`` (lowercase) is in wordsegment's unigrams or simplemma's English forms."""
    st = _load()
    return token in st["unigrams"] or token in st["forms"]


@lru_cache(maxsize=65536)
def segment_glued(
    token: str, *, min_part_count: float = 1e6, max_parts: int = 3, min_unattested_part: int = 5
) -> Optional[Tuple[str, ...]]:
    """Split a glued token into words, or ``None`` if it should stay as it is.

    Parameters
    ----------
    token : str
        A lowercase token.
    min_part_count : float, keyword-only
        Smallest unigram count (Web 1T) for every part.
    max_parts : int, keyword-only
        Largest number of parts accepted.
    min_unattested_part : int, keyword-only
        Shortest part allowed when the parts are not an attested bigram.

    Returns
    -------
    tuple of str or None

    Examples
    --------
    >>> segment_glued("terroristactivities")
    ('terrorist', 'activities')
    >>> segment_glued("counterterrorism") is None, segment_glued("inswinger") is None
    (True, True)
    """
    st = _load()
    if token in st["unigrams"] or token in st["forms"]:
        return None
    if not _can_split(token, min_part_count=min_part_count, max_parts=max_parts, min_unattested_part=min_unattested_part):
        return None
    parts = segment_words(st["lexicon"], token)
    if not 2 <= len(parts) <= max_parts or "".join(parts) != token:
        return None
    uni = st["unigrams"]
    for p in parts:
        if len(p) < 2 or p in AFFIXES or uni.get(p, 0.0) < min_part_count:
            return None
    bigrams = st["lexicon"].bigrams
    attested = all(f"{a} {b}" in bigrams for a, b in zip(parts, parts[1:]))
    if not attested and min(len(p) for p in parts) < min_unattested_part:
        return None
    return tuple(parts)


def _find_glued(
    text: str, *, min_length: int = 8, min_part_count: float = 1e6, max_parts: int = 3, min_unattested_part: int = 5
) -> List[Edit]:
    """Replace glued lowercase tokens that are not words by their segmentation."""
    edits: list[Edit] = []
    rx = _candidate_re(min_length)
    candidates = set(rx.findall(text))
    if not candidates:
        return edits
    st = _load()
    uni, forms = st["unigrams"], st["forms"]
    unknown = {t for t in candidates if t not in uni and t not in forms}
    if not unknown:
        return edits
    # only the few unknown tokens are looked for, not every candidate run of the text
    for start, tok in sorted(_occurrences(text, unknown)):
        end = start + len(tok)
        if not _standalone(text, start, end):
            continue
        parts = segment_glued(tok, min_part_count=min_part_count, max_parts=max_parts, min_unattested_part=min_unattested_part)
        if parts:
            edits.append((start, end, " ".join(parts), None))
    return edits


def _occurrences(text: str, tokens: Iterable[str]) -> Iterator[Tuple[int, str]]:
    """``(start, token)`` for each occurrence of a token of ``tokens`` that is a match of :func:`_candidate_re`.

    A match of ``\\b[a-z]{n,}\\b`` is a whole run of ASCII lowercase letters
    with no word character (``\\w``: alphanumeric or ``_``) on either side, so
    an occurrence of such a token is a match exactly when its neighbours are
    not word characters.
    """
    n = len(text)
    for tok in tokens:
        k = len(tok)
        p = text.find(tok)
        while p >= 0:
            if (p == 0 or not _is_word_char(text[p - 1])) and (p + k == n or not _is_word_char(text[p + k])):
                yield p, tok
            p = text.find(tok, p + 1)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


repair_glued_words = Step(
    "repair_glued_words",
    _find_glued,
    "Split glued lowercase words that are not words ('terroristactivities' -> 'terrorist activities').",
)
