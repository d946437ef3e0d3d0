"""Learn two-word phrases exactly as gensim's ``Phrases`` does, with C-speed counting.

``gensim.models.phrases.Phrases`` counts unigrams and bigrams in a Python loop
over every word and then scores every bigram of its vocabulary.  Here the
counts come from ``collections.Counter`` and only bigrams seen at least
``min_count`` times are scored (gensim's scorers give the others minus
infinity or a score at most 0, which no threshold accepts), with gensim's
scoring formulas computed in the same order (``npmi_scorer``,
``original_scorer`` in ``gensim/models/phrases.py``), so the phrases and
their scores are identical, and gensim is not imported (about a second in a
fresh process).  Without connector words, which the tokenizer never uses.

References
----------
Mikolov, T., Sutskever, I., Chen, K., Corrado, G., & Dean, J. (2013).
Distributed representations of words and phrases and their compositionality.
*NIPS 26*, 3111-3119.
Bouma, G. (2009). Normalized (pointwise) mutual information in collocation
extraction. *Proceedings of GSCL*, 31-40.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain
from math import log
from typing import Sequence

__all__ = ["PhraseCounts", "count_phrases", "learn_phrases", "score_phrases"]

#: gensim's ``Phrases(max_vocab_size=...)`` default; a vocabulary larger than
#: this is pruned while counting, which only gensim's own loop reproduces.
MAX_VOCAB_SIZE = 40_000_000


def _npmi(a: int, b: int, ab: int, len_vocab: int, min_count: int, total: int) -> float:
    """Normalised PMI (Bouma 2009), as gensim's ``npmi_scorer``."""
    if ab < min_count:
        return float("-inf")
    total_f = float(total)
    pa, pb, pab = a / total_f, b / total_f, ab / total_f
    try:
        return log(pab / (pa * pb)) / -log(pab)
    except ValueError:
        return float("-inf")


def _mikolov(a: int, b: int, ab: int, len_vocab: int, min_count: int, total: int) -> float:
    """Mikolov et al. (2013), as gensim's ``original_scorer``."""
    denom = a * b
    if denom == 0:
        return float("-inf")
    return (ab - min_count) / float(denom) * len_vocab


class PhraseCounts:
    """Unigram and bigram counts of word lists; counts of disjoint parts add up to the counts of the whole.

    Attributes
    ----------
    unigrams : collections.Counter
        ``{word: count}``.
    bigrams : collections.Counter
        ``{(a, b): count}`` of adjacent words within a word list.
    """

    def __init__(self, unigrams: Counter | None = None, bigrams: Counter | None = None) -> None:
        self.unigrams = Counter() if unigrams is None else unigrams
        self.bigrams = Counter() if bigrams is None else bigrams

    def add(self, other: "PhraseCounts") -> "PhraseCounts":
        """Add ``other``'s counts to these (integer sums: the order of parts does not matter); returns self."""
        self.unigrams.update(other.unigrams)
        self.bigrams.update(other.bigrams)
        return self

    @property
    def vocab_size(self) -> int:
        """What gensim's ``Phrases`` counts as its vocabulary size: distinct unigrams plus distinct bigrams."""
        return len(self.unigrams) + len(self.bigrams)


def count_phrases(word_lists: Sequence[Sequence[str]]) -> PhraseCounts:
    """Unigram and bigram counts of ``word_lists`` (what gensim's ``Phrases`` counts while learning)."""
    return PhraseCounts(Counter(chain.from_iterable(word_lists)), Counter(chain.from_iterable(zip(w, w[1:]) for w in word_lists)))


def score_phrases(counts: PhraseCounts, *, min_count: int, threshold: float, scoring: str) -> dict[tuple[str, str], float]:
    """``{(a, b): score}`` of every bigram of ``counts`` that gensim's ``Phrases.export_phrases`` exports.

    Parameters
    ----------
    counts : PhraseCounts
    min_count, threshold, scoring
        As ``gensim.models.phrases.Phrases`` (``scoring`` "npmi" or "default").
    """
    return _score(counts.unigrams, counts.bigrams, counts.vocab_size, min_count=min_count, threshold=threshold,
                  scoring=scoring)


def _score(unigrams, bigrams, len_vocab: int, *, min_count: int, threshold: float, scoring: str) -> dict[tuple[str, str], float]:
    """gensim's score of every bigram counted at least ``min_count`` times, kept when above ``threshold``."""
    scorer = _npmi if scoring == "npmi" else _mikolov
    total = sum(unigrams.values())
    out: dict[tuple[str, str], float] = {}
    for (a, b), n in bigrams.items():
        if n < min_count:
            continue
        score = scorer(unigrams[a], unigrams[b], n, len_vocab, min_count, total)
        if score > threshold:
            out[(a, b)] = score
    return out


def learn_phrases(word_lists: Sequence[Sequence[str]], *, min_count: int, threshold: float, scoring: str) -> dict[tuple[str, str], float]:
    """``{(a, b): score}`` for every bigram gensim's ``Phrases`` would export.

    Parameters
    ----------
    word_lists : sequence of sequences of str
        Words per text; words contain no spaces.
    min_count, threshold, scoring
        As ``gensim.models.phrases.Phrases`` (``scoring`` "npmi" or "default").

    Returns
    -------
    dict
    """
    unigrams = Counter(chain.from_iterable(word_lists))
    frequent, n_bigrams = _bigram_counts(word_lists, unigrams, min_count)
    len_vocab = len(unigrams) + n_bigrams
    if len_vocab > MAX_VOCAB_SIZE:
        from gensim.models.phrases import Phrases

        model = Phrases([list(w) for w in word_lists], min_count=min_count, threshold=threshold, scoring=scoring,
                        delimiter=" ", connector_words=frozenset())
        return {tuple(k.split(" ")): float(v) for k, v in model.export_phrases().items()}
    return _score(unigrams, frequent, len_vocab, min_count=min_count, threshold=threshold, scoring=scoring)


def _bigram_counts(word_lists: Sequence[Sequence[str]], unigrams: Counter, min_count: int) -> tuple[dict[tuple[str, str], int], int]:
    """The bigrams seen at least ``min_count`` times with their counts, and the number of distinct bigrams.

    Words are numbered, each bigram within a text becomes one integer
    (``first * n_words + second``) and ``numpy.unique`` counts them, so no
    tuple is built for the many bigrams seen fewer than ``min_count`` times.
    """
    import numpy as np

    words = list(unigrams)
    n_words = len(words)
    lengths = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(word_lists))
    n = int(lengths.sum())
    if n < 2:
        return {}, 0
    number = {w: i for i, w in enumerate(words)}
    ids = np.fromiter(map(number.__getitem__, chain.from_iterable(word_lists)), dtype=np.int64, count=n)
    keys = ids[:-1] * n_words + ids[1:]
    # a text's last word and the next text's first word are no bigram
    last = np.cumsum(lengths[lengths > 0]) - 1
    keep = np.ones(n - 1, dtype=bool)
    keep[last[last < n - 1]] = False
    keys, counts = np.unique(keys[keep], return_counts=True)
    sel = counts >= min_count
    frequent = {}
    for key, c in zip(keys[sel].tolist(), counts[sel].tolist()):
        a, b = divmod(key, n_words)
        frequent[(words[a], words[b])] = c
    return frequent, len(keys)
