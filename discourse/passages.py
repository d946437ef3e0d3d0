"""Split cleaned documents into passages, the unit the topic models see.

A passage is a paragraph (a line of the cleaned text).  Headings and other
short lines join the paragraph they introduce; a short line at the very end
joins the paragraph before it; paragraphs longer than ``max_chars`` are split
at sentence boundaries into nearly equal parts.  Every passage keeps its
document id and its character offsets, with ``clean[start:end] == text``,
so results aggregate back to documents and can be shown in context.

Sentence boundaries come from a regular-expression splitter with a short
list of abbreviations (``Mr.``, ``Gen.``, ``U.S.`` ...); it needs no data
download.  (NLTK's Punkt needs its trained ``punkt`` model to do better, and
untrained it is both no better and far slower.)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import List, Tuple

from .errors import check_param

__all__ = ["Passage", "split_passages", "sentence_spans"]

#: Abbreviations the untrained Punkt tokenizer should not split after (lowercase, no final dot).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj brig capt cmdr adm sgt sen rep gov pres amb st jr sr no nos vol fig
    inc ltd co corp dept est approx e.g i.e etc vs cf al u.s u.k u.n u.s.a a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)


@dataclass(frozen=True)
class Passage:
    """A span of one document's cleaned text.

    Attributes
    ----------
    doc_id : str
        The document.
    passage_id : str
        ``f"{doc_id}#{i:04d}"``, ``i`` counting from 0 in the document.
    start, end : int
        Offsets in the cleaned text: ``clean[start:end] == text``.
    text : str
        The passage text (no leading or trailing whitespace).
    """

    doc_id: str
    passage_id: str
    start: int
    end: int
    text: str


# A sentence ends at . ! or ? (with any closing quotes/brackets) followed by
# whitespace and a capital, digit or opening quote/bracket.
_BOUNDARY = re.compile(r"[.!?][\"')\]]*(\s+)(?=[\"'(\[]?[A-Z0-9])")


def sentence_spans(text: str) -> List[Tuple[int, int]]:
    """Sentence ``(start, end)`` offsets in ``text``: a regular-expression splitter.

    A boundary is a full stop, question or exclamation mark (and closing
    quotes or brackets) followed by whitespace and a capital letter, digit or
    opening quote; a full stop after a known abbreviation (:data:`ABBREVIATIONS`)
    or a single capital (an initial) is not a boundary.  Needs no data
    download, and is much faster than NLTK's Punkt, which would need its
    trained ``punkt`` model to be better than this.

    Examples
    --------
    >>> s = "Gen. Bajwa met Mr. Ghani in Kabul. Talks resumed."
    >>> [s[a:b] for a, b in sentence_spans(s)]
    ['Gen. Bajwa met Mr. Ghani in Kabul.', 'Talks resumed.']
    """
    spans: list[Tuple[int, int]] = []
    start = 0
    n = len(text)
    while start < n and text[start].isspace():
        start += 1
    for m in _BOUNDARY.finditer(text):
        end = m.start(1)
        if text[m.start()] == ".":
            ws = max(text.rfind(" ", start, m.start()), text.rfind("\n", start, m.start()), start - 1)
            word = text[ws + 1 : m.start()].lstrip("\"'([")
            if word.lower().rstrip(".") in ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
        if end > start:
            spans.append((start, end))
        start = m.end(1)
    end = n
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
    return spans


# A non-blank line without its surrounding whitespace (``\s`` is what ``str.isspace`` calls whitespace).
_UNIT = re.compile(r"^[^\S\n]*(\S(?:[^\n]*\S)?)", re.MULTILINE)


def _units(text: str) -> List[Tuple[int, int]]:
    """Non-blank lines, trimmed of surrounding whitespace."""
    return [m.span(1) for m in _UNIT.finditer(text)]


def _split_long(text: str, a: int, b: int, max_chars: int) -> List[Tuple[int, int]]:
    """Split ``text[a:b]`` into nearly equal chunks at sentence ends (else at spaces)."""
    n = math.ceil((b - a) / max_chars)
    if n <= 1:
        return [(a, b)]
    cuts: list[int] = []
    for la, lb in _units(text[a:b]):
        for _sa, sb in sentence_spans(text[a + la : a + lb]):
            cuts.append(a + la + sb)
    cuts = sorted(set(c for c in cuts if a < c < b))
    chosen: list[int] = []
    prev = a
    for k in range(1, n):
        ideal = a + k * (b - a) / n
        best = None
        for c in cuts:
            if c <= prev:
                continue
            if best is None or abs(c - ideal) < abs(best - ideal):
                best = c
            elif c > ideal:
                break
        if best is None:
            break
        chosen.append(best)
        prev = best
    out: list[Tuple[int, int]] = []
    bounds = [a] + chosen + [b]
    for pa, pb in zip(bounds, bounds[1:]):
        pa, pb = _trim(text, pa, pb)
        if pb <= pa:
            continue
        if pb - pa > max_chars and chosen:
            out.extend(_split_long(text, pa, pb, max_chars))  # a part still too long: split it again
        else:
            out.extend(_trim(text, x, y) for x, y in _hard_split(text, pa, pb, max_chars))
    return [(x, y) for x, y in out if y > x]


def _hard_split(text: str, a: int, b: int, max_chars: int) -> List[Tuple[int, int]]:
    """Cut a run with no sentence end at spaces, into parts of at most about ``max_chars``."""
    out = []
    while b - a > max_chars:
        lo, hi = a + max_chars // 2, a + max_chars
        sp = max(text.rfind(" ", lo, hi), text.rfind("\n", lo, hi))
        if sp <= a:
            nxt = [i for i in (text.find(" ", hi, b), text.find("\n", hi, b)) if i >= 0]
            if not nxt:
                break
            sp = min(nxt)
        out.append((a, sp))
        a = sp
    out.append((a, b))
    return out


def _trim(text: str, a: int, b: int) -> Tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def split_passages(text: str, doc_id: str = "", *, max_chars: int = 1200, min_chars: int = 200) -> List[Passage]:
    """Split a cleaned document into passages.

    Parameters
    ----------
    text : str
        The cleaned text of one document.
    doc_id : str
        Recorded in each passage and its ``passage_id``.
    max_chars : int, keyword-only
        Paragraphs longer than this are split at sentence boundaries into
        ``ceil(len / max_chars)`` nearly equal parts.
    min_chars : int, keyword-only
        Lines shorter than this (headings, one-line leads, short bullets) join
        the paragraph that follows them (the one before, at the end).

    Returns
    -------
    list of Passage
        In document order; ``text[p.start:p.end] == p.text``; passages do not
        overlap and only whitespace lies between them.

    Raises
    ------
    ParameterError
        If ``max_chars < 1`` or ``min_chars < 0``.

    Examples
    --------
    >>> from discourse import load_seeds
    >>> from discourse.clean import clean_text
    >>> clean = clean_text(load_seeds().text("002_ea853c5524ed5001"))
    >>> ps = split_passages(clean, "002")
    >>> ps[0].passage_id, ps[0].text.splitlines()[0]
    ('002#0000', 'Pakistan and Afghan Anti-Terror Cooperation')
    >>> all(clean[p.start:p.end] == p.text for p in ps)
    True
    """
    check_param("max_chars", max_chars, "an integer >= 1", isinstance(max_chars, int) and max_chars >= 1)
    check_param("min_chars", min_chars, "an integer >= 0", isinstance(min_chars, int) and min_chars >= 0)
    units = _units(text)
    groups: list[Tuple[int, int]] = []
    pending: int | None = None  # start of short lines waiting for their paragraph
    for a, b in units:
        start = a if pending is None else pending
        if b - a < min_chars:
            pending = start
            continue
        groups.append((start, b))
        pending = None
    if pending is not None:
        if groups:
            groups[-1] = (groups[-1][0], units[-1][1])
        else:
            groups.append((pending, units[-1][1]))
    spans: list[Tuple[int, int]] = []
    for a, b in groups:
        if b - a > max_chars:
            spans.extend(_split_long(text, a, b, max_chars))
        else:
            spans.append((a, b))
    return [Passage(doc_id, f"{doc_id}#{i:04d}", a, b, text[a:b]) for i, (a, b) in enumerate(spans)]
