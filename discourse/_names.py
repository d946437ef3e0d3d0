"""Which words of a text are names, so that the lemmatiser leaves them alone.

A lemmatiser maps word forms to dictionary lemmas, and a name that is also an
inflected word is turned into another word ("Laden" -> "lade").  Capitals tell
names apart inside a sentence; at the start of a sentence, or in a line set in
title case, they do not, and only words the lemmatiser's dictionary does not
know (or the shipped list of known names) are taken as names there.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from importlib import resources
from itertools import compress, count, islice, repeat
from operator import contains
from typing import Optional, Sequence

__all__ = ["default_names"]


def _data_text(name: str) -> str:
    return resources.files("discourse.data").joinpath(name).read_text(encoding="utf-8")


def default_names() -> frozenset[str]:
    """Known names the tokenizer never lemmatises (``discourse/data/names.txt``).

    Examples
    --------
    >>> "laden" in default_names(), "peace" in default_names()
    (True, False)
    """
    return frozenset(w.strip().lower() for w in _data_text("names.txt").splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1 << 16)
def _in_dictionary(word: str) -> bool:
    import simplemma

    return bool(simplemma.is_known(word, lang="en"))


class Openers:
    """For words of a text: does a word open a sentence or a line, or stand in a title-case line?

    ``words`` are the word matches of a text in order and ``gaps[i]`` the text
    between word ``i - 1`` and word ``i`` (``gaps[0]`` precedes the first word),
    as ``pattern.findall(text)`` and ``pattern.split(text)`` give them.
    :meth:`opens` answers for one word; the tokenizer asks only about
    capitalised words, so lines are examined only when one of them needs it.

    A line is in title case ("Kabul-Islamabad Expanding Security Cooperation")
    when it has at least two words longer than three letters and all of them
    are capitalised; there capitals say nothing about names.
    """

    __slots__ = ("words", "gaps", "_breaks", "_titles")

    def __init__(self, words: Sequence[str], gaps: Sequence[str]) -> None:
        self.words = words
        self.gaps = gaps
        self._breaks: Optional[list[int]] = None
        self._titles: dict[int, bool] = {}

    def opens(self, i: int) -> bool:
        """Word ``i`` opens the text, a sentence or a line, or stands in a title-case line."""
        if i == 0:
            return True
        g = self.gaps[i]
        if "." in g or "!" in g or "?" in g or "\n" in g:
            return True
        breaks = self._breaks
        if breaks is None:
            # lines: runs of words with no newline between them; breaks[k] is the first word of line k + 1
            flags = map(contains, islice(self.gaps, 1, len(self.words)), repeat("\n"))
            breaks = self._breaks = list(compress(count(1), flags))
        k = bisect_right(breaks, i)
        lo = breaks[k - 1] if k else 0
        title = self._titles.get(lo)
        if title is None:
            hi = breaks[k] if k < len(breaks) else len(self.words)
            title = self._titles[lo] = _title_line(self.words, lo, hi)
        return title


def _title_line(words: Sequence[str], lo: int, hi: int) -> bool:
    """At least two words of ``words[lo:hi]`` longer than three letters, and all of those capitalised."""
    long = 0
    for j in range(lo, hi):
        w = words[j]
        if len(w) > 3:
            if not (w[:1].isupper() or w.isupper()):
                return False
            long += 1
    return long >= 2
