"""The alias table: name variants mapped to one token before words are found.

:func:`load_aliases` reads the table (a CSV users can extend);
:class:`AliasMatcher` replaces every variant in a text by its canonical
token, longest variant first.  Variants written in capitals (acronyms) match
case-sensitively on the text as written, so "ISI" -> ``isi`` while the word
"is" is untouched; the other variants match in any case.

Both matchers are regular expressions factored as tries.  Most texts contain
no variant at all, so each matcher is preceded by a cheap necessary test: the
bare trie searched without lookarounds (acronyms) or, for an ASCII text,
searched case-sensitively in the lowercased text (other variants), which lets
``re`` skip ahead on the trie's first letters instead of trying a
case-insensitive match at every word boundary.  A text that fails the test
has no match, so the result is the same as running the matchers alone.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Iterable, Mapping, Optional, Union

from ._names import _data_text
from .errors import InputError

__all__ = ["AliasMatcher", "load_aliases"]


def load_aliases(source: Union[str, Path, Mapping[str, str], None] = None) -> dict[str, str]:
    """Read an alias table: ``{variant: canonical}``.

    Parameters
    ----------
    source : path, mapping or None
        A CSV file with columns ``variant,canonical`` (lines starting with
        ``#`` are comments), a mapping, or ``None`` for the table shipped in
        ``discourse/data/aliases.csv``.

    Raises
    ------
    InputError
        If the file cannot be read or lacks the two columns.

    Examples
    --------
    >>> load_aliases()["Tehrik-e-Taliban Pakistan"]
    'ttp'
    """
    if isinstance(source, Mapping):
        table = {str(k): str(v) for k, v in source.items()}
        where = "aliases"
    else:
        if source is None:
            text, where = _data_text("aliases.csv"), "discourse/data/aliases.csv"
        else:
            where = str(source)
            try:
                text = Path(source).read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise InputError(f"{where}: alias table cannot be read ({exc.strerror or exc})") from None
            except UnicodeDecodeError:
                raise InputError(f"{where}: alias table is not UTF-8 text; save it as UTF-8") from None
        rows = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        reader = csv.DictReader(io.StringIO("\n".join(rows)))
        if reader.fieldnames is None or not {"variant", "canonical"} <= set(reader.fieldnames):
            raise InputError(f"{where}: alias table needs the header 'variant,canonical' (found {reader.fieldnames})")
        table = {}
        for i, row in enumerate(reader, start=2):
            v, c = (row.get("variant") or "").strip(), (row.get("canonical") or "").strip()
            if not v or not c:
                raise InputError(f"{where}: row {i} needs both a variant and a canonical token")
            table[v] = c
    for v, c in table.items():
        if not re.fullmatch(r"[^\W\d_]+(?:_[^\W\d_]+)*", c.lower()):
            raise InputError(f"{where}: canonical token {c!r} (for {v!r}) must be letters joined by '_' (e.g. durand_line)")
    return table


_SEP = "\x00"  # stands for a run of spaces/hyphens inside a variant


def _is_acronym(variant: str) -> bool:
    letters = [ch for ch in variant if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _trie_pattern(variants: Iterable[str], *, lower: bool) -> str:
    """A regex matching any variant, factored as a trie (fast in ``re``); longest match first."""
    root: dict = {}
    for v in variants:
        node = root
        for part in re.split(r"([\s\-]+)", v.strip()):
            if not part:
                continue
            atoms = [_SEP] if re.fullmatch(r"[\s\-]+", part) else list(part.lower() if lower else part)
            for a in atoms:
                node = node.setdefault(a, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [(r"[\s\-]+" if k == _SEP else re.escape(k)) + emit(node[k]) for k in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _alias_regexes(variants: Iterable[str]) -> tuple[Optional["re.Pattern[str]"], Optional["re.Pattern[str]"]]:
    """Two regexes: acronyms (case-sensitive, on the text as written) and the
    other variants (on the lowercased text, a name followed by its own acronym
    in brackets matched with it).  Both are tries: fast in ``re``."""
    variants = list(variants)
    acr = [v for v in variants if _is_acronym(v)]
    other = [v for v in variants if not _is_acronym(v)]
    acr_re = re.compile(r"(?<!\w)(?:" + _trie_pattern(acr, lower=False) + r")(?!\w)") if acr else None
    low_re = None
    if other:
        start = r"\b" if all(re.match(r"\w", v.strip()) for v in other) else r"(?<!\w)"
        low_re = re.compile(start + r"(?P<v>" + _trie_pattern(other, lower=True) + r")(?!\w)(?:[ \t]*\([ \t]*(?P<b>[^\W\d]+)[ \t]*\))?",
                            re.IGNORECASE)
    return acr_re, low_re


def _alias_key(s: str) -> str:
    return re.sub(r"[\s\-]+", " ", s.strip()).lower()


class AliasMatcher:
    """Replace alias variants in texts by their canonical (lower-case) tokens.

    Parameters
    ----------
    table : mapping
        ``{variant: canonical}`` as :func:`load_aliases` returns it.

    Examples
    --------
    >>> AliasMatcher(load_aliases())("The National Directorate of Security (NDS) and ISI, as it is")
    'The nds and isi, as it is'
    """

    def __init__(self, table: Mapping[str, str]) -> None:
        self.canon = {_alias_key(v): c.lower() for v, c in table.items()}
        variants = list(table)
        acr = [v for v in variants if _is_acronym(v)]
        other = [v for v in variants if not _is_acronym(v)]
        self._acr_re, self._low_re = _alias_regexes(variants) if variants else (None, None)
        self._acr_gate = re.compile(_trie_pattern(acr, lower=False)) if acr else None
        # for ASCII text and ASCII variants, a case-insensitive match is a match of the lowercased text
        self._low_gate = re.compile(_trie_pattern(other, lower=True)) if other and all(v.isascii() for v in other) else None

    def __call__(self, text: str) -> str:
        """``text`` with every variant replaced by its canonical token, other letters as written."""
        if self._acr_re is not None and (self._acr_gate is None or self._acr_gate.search(text)):
            canon = self.canon
            text = self._acr_re.sub(lambda m: canon.get(_alias_key(m.group(0)), m.group(0)), text)
        if self._low_re is not None:
            gate = self._low_gate
            if gate is None or not text.isascii() or gate.search(text.lower()):
                text = self._low_re.sub(self._replace_low, text)
        return text

    def _replace_low(self, m: "re.Match[str]") -> str:
        c = self.canon.get(_alias_key(m.group("v")))
        if c is None:
            return m.group(0)
        b = m.group("b")
        if b is None or b.lower() == c:
            return c
        return c + m.group(0)[m.end("v") - m.start() :]
