"""Which words of a text are names, so that the lemmatiser leaves them alone.

A lemmatiser maps word forms to dictionary lemmas, and a name that is also an
inflected word is turned into another word ("Laden" -> "lade").  Capitals tell
names apart inside a sentence; at the start of a sentence, or in a line set in
title case, they do not, and only words the lemmatiser's dictionary does not
know (or the shipped list of known names) are taken as names there.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Sequence

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


def _is_capitalised(tok: str) -> bool:
    """First letter upper case and not written all in capitals ("Karzai", "McChrystal"; not "ISI")."""
    return tok[:1].isupper() and not tok.isupper()


def _openers(text: str, matches: Sequence["re.Match[str]"]) -> list[bool]:
    """For each word match: does it open a sentence or a line, or stand in a title-case line?

    A line is in title case ("Kabul-Islamabad Expanding Security Cooperation")
    when it has at least two words longer than three letters and all of them
    are capitalised; there capitals say nothing about names.
    """
    out = [False] * len(matches)
    line: list[int] = []
    prev_end = 0

    def close(idx: list[int]) -> None:
        long = [matches[j].group(0) for j in idx if len(matches[j].group(0)) > 3]
        if len(long) >= 2 and all(_is_capitalised(w) or w.isupper() for w in long):
            for j in idx:
                out[j] = True

    for i, m in enumerate(matches):
        gap = text[prev_end:m.start()]
        if "\n" in gap:
            close(line)
            line = []
        out[i] = i == 0 or any(ch in gap for ch in ".!?\n")
        line.append(i)
        prev_end = m.end()
    close(line)
    return out
