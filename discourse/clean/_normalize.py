"""Character-level normalisation steps and the edit machinery they share.

Every cleaning step is a pure ``str -> str`` function with keyword-only
options.  Internally each step is a :class:`Step`: it first *finds* its edits
(``(start, end, replacement, rule)`` tuples on its input text) and then
applies them.  The :class:`~discourse.clean.Cleaner` uses the edits to map
every removal back to the raw text, so ``raw[start:end]`` is exactly what was
dropped.

Steps defined here:

* :func:`normalize_unicode` - curly quotes to straight quotes, dashes to
  ``-``, invisible characters dropped, compatibility forms folded (Unicode
  NFKC, the "compatibility composition" of UAX #15), line ends to ``\\n``.
* :func:`fix_punctuation_spacing` - ``"Kabul ,"`` -> ``"Kabul,"``,
  ``"( BLF)"`` -> ``"(BLF)"``.
* :func:`normalize_whitespace` - one space between words, at most one blank
  line between paragraphs, no space at line ends or around the text.

References
----------
Unicode Standard Annex #15, *Unicode Normalization Forms*.
https://unicode.org/reports/tr15/
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Callable, Iterable, List, Optional, Tuple

__all__ = [
    "Edit",
    "Step",
    "apply_edits",
    "normalize_unicode",
    "fix_punctuation_spacing",
    "normalize_whitespace",
]

#: ``(start, end, replacement, rule)`` on a step's input text.  ``rule`` is the
#: name of a chrome rule for removals that are recorded, ``None`` otherwise.
Edit = Tuple[int, int, str, Optional[str]]


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply sorted, non-overlapping edits to ``text``.

    Examples
    --------
    >>> apply_edits("Kabul , Islamabad", [(5, 6, "", None)])
    'Kabul, Islamabad'
    """
    out: list[str] = []
    pos = 0
    for start, end, repl, _rule in edits:
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


class Step:
    """A named cleaning step: a pure ``str -> str`` function with keyword-only options.

    Calling the step returns the cleaned text; :meth:`edits` returns the edits
    it would make, which the :class:`~discourse.clean.Cleaner` uses to keep
    removals addressable in the raw text.

    Parameters
    ----------
    name : str
        Name shown by :meth:`Cleaner.step_through` and recorded in provenance.
    find : callable
        ``find(text, **options) -> list[Edit]`` (sorted, non-overlapping).
    doc : str
        One-line description.
    """

    def __init__(self, name: str, find: Callable[..., List[Edit]], doc: str = "") -> None:
        self.name = name
        self._find = find
        self.__doc__ = doc or find.__doc__
        self.__name__ = name
        self.__wrapped__ = find

    def edits(self, text: str, **options: Any) -> List[Edit]:
        """The edits this step makes on ``text`` (sorted, non-overlapping)."""
        return self._find(text, **options)

    def __call__(self, text: str, **options: Any) -> str:
        return apply_edits(text, self._find(text, **options))

    def __repr__(self) -> str:
        return f"<cleaning step {self.name}>"


# --- normalize_unicode -------------------------------------------------------

_QUOTES_DASHES = {
    0x2018: "'", 0x2019: "'", 0x201A: "'", 0x201B: "'", 0x2032: "'", 0x02BC: "'",
    0x201C: '"', 0x201D: '"', 0x201E: '"', 0x201F: '"', 0x2033: '"', 0x00AB: '"', 0x00BB: '"',
    0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2212: "-", 0xFE58: "-", 0xFE63: "-", 0xFF0D: "-",
    0x2014: " - ", 0x2015: " - ",
    0x2028: "\n", 0x2029: "\n", 0x0B: "\n", 0x0C: "\n", 0x85: "\n",
    0x09: " ",
}
# Non-printing-ASCII characters (and CR / tab / other controls) form a run to normalise; the
# character before a run goes with it (NFKC may compose it with a following mark).
_NON_PLAIN = re.compile(r"(?:\r\n|[^\n\x20-\x7e])+")


@lru_cache(maxsize=1 << 16)
def _fold(piece: str) -> str:
    """A run of non-plain characters (with the character before it) normalised; runs repeat, so it is cached."""
    s = piece.replace("\r\n", "\n").replace("\r", "\n")
    for _ in range(4):  # to a fixed point (NFKC can expose new quotes, dropping marks can allow compositions)
        before = s
        s = s.translate(_QUOTES_DASHES)
        chars = []
        for ch in s:
            cat = unicodedata.category(ch)
            if cat == "Cf":
                continue  # zero-width spaces/joiners, soft hyphen, BOM, direction marks
            if cat == "Cc" and ch != "\n":
                chars.append(" ")
            elif cat == "Cs":
                chars.append("\ufffd")
            else:
                chars.append(ch)
        s = unicodedata.normalize("NFKC", "".join(chars))
        if s == before:
            break
    return s


def _find_unicode(text: str) -> List[Edit]:
    """Curly quotes/dashes to ASCII, invisible characters dropped, NFKC."""
    if text.isascii() and "\r" not in text and "\t" not in text and not _has_ctrl(text):
        return []
    edits: list[Edit] = []
    for m in _NON_PLAIN.finditer(text):
        # a run is maximal, so the character before it is plain and belongs to no other run
        start, end = m.span()
        if start:
            start -= 1
        piece = text[start:end]
        new = _fold(piece)
        if new != piece:
            # trim the unchanged prefix/suffix so edits stay small
            a = 0
            while a < len(piece) and a < len(new) and piece[a] == new[a]:
                a += 1
            b = 0
            while b < len(piece) - a and b < len(new) - a and piece[-1 - b] == new[-1 - b]:
                b += 1
            edits.append((start + a, end - b, new[a : len(new) - b], None))
    return edits


_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _has_ctrl(text: str) -> bool:
    return _CTRL.search(text) is not None


normalize_unicode = Step(
    "normalize_unicode",
    _find_unicode,
    "Normalise Unicode: curly quotes to ' and \", dashes to -, invisible characters dropped, NFKC, line ends to \\n.",
)

# --- fix_punctuation_spacing --------------------------------------------------

_PUNCT_SPACE = re.compile(r"[ \t]+(?=[,.;:!?%)\]}](?:[\s\"')\]]|$))|[(\[{][ \t]+(?=\S)")
_CLOSERS = ",.;:!?%)]}"


def _find_punct(text: str) -> List[Edit]:
    """Spaces before closing punctuation or after opening brackets."""
    if "\t" in text:  # rare: the general (slower) pattern handles tab runs
        edits: list[Edit] = []
        for m in _PUNCT_SPACE.finditer(text):
            a, b = m.span()
            if text[a] in "([{":
                edits.append((a + 1, b, "", None))
            elif a > 0 and not text[a - 1].isspace() and text[a - 1] not in "([{":
                edits.append((a, b, "", None))
        return edits
    found: set[tuple[int, int]] = set()
    n = len(text)
    for c in _CLOSERS:
        hint = " " + c
        i = text.find(hint)
        while i >= 0:
            end = i + 1  # the space before the punctuation
            if end + 1 >= n or text[end + 1].isspace() or text[end + 1] in "\"')]":
                start = i
                while start > 0 and text[start - 1] == " ":
                    start -= 1
                if start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([{":
                    found.add((start, end))
            i = text.find(hint, i + 2)
    for c in "([{":
        hint = c + " "
        i = text.find(hint)
        while i >= 0:
            j = i + 1
            while j < n and text[j] == " ":
                j += 1
            if j < n and not text[j].isspace():
                found.add((i + 1, j))
            i = text.find(hint, j)
    return [(a, b, "", None) for a, b in sorted(found)]


fix_punctuation_spacing = Step(
    "fix_punctuation_spacing",
    _find_punct,
    "Remove stray spaces before punctuation and after opening brackets ('Kabul ,' -> 'Kabul,').",
)

# --- normalize_whitespace -----------------------------------------------------

_WS_EDGE = " \t\n"


_WS_HINTS = ("  ", "\t", " \n", "\n ", "\n\n\n")
_WS_CHARS = " \t\n"


def _find_ws(text: str) -> List[Edit]:
    """Collapse spaces, trim lines, at most one blank line, trim the text."""
    if not text:
        return []
    lead = len(text) - len(text.lstrip(_WS_EDGE))
    if lead == len(text):
        return [(0, len(text), "", None)]
    trail = len(text) - len(text.rstrip(_WS_EDGE))
    stop = len(text) - trail
    edits: list[Edit] = []
    if lead:
        edits.append((0, lead, "", None))
    # find each whitespace run that needs a change from literal hints (fast
    # C-level search), then take the whole run around the hit
    runs: dict[int, int] = {}
    for hint in _WS_HINTS:
        i = text.find(hint, lead, stop)
        while i >= 0:
            a = i
            while a > lead and text[a - 1] in _WS_CHARS:
                a -= 1
            b = i + len(hint)
            while b < stop and text[b] in _WS_CHARS:
                b += 1
            runs[a] = b
            i = text.find(hint, b, stop)
    for a in sorted(runs):
        b = runs[a]
        s = text[a:b]
        n_nl = s.count("\n")
        repl = ("\n\n" if n_nl > 1 else "\n") if n_nl else " "
        if repl != s:
            edits.append((a, b, repl, None))
    if trail:
        edits.append((stop, len(text), "", None))
    return edits


normalize_whitespace = Step(
    "normalize_whitespace",
    _find_ws,
    "One space between words, no spaces at line ends, at most one blank line between paragraphs.",
)
