"""One document through clean -> split -> words, the unit of work of every preparing backend.

:func:`prepare_options` checks and completes the options of a preparation
once (cleaner, tokenizer, passage options); :func:`prepare_document` cleans
one document, splits it into passages and turns each passage into words;
:class:`Rows` collects documents' results as the columns of the tables
:class:`~discourse.Prepared` holds.  :func:`discourse.prepare` runs them over
a corpus in this process; :mod:`discourse.distributed._prepare` runs the
same functions over each partition on a Dask worker and merges the rows.
Phrases are learnt afterwards from every passage's words
(:func:`discourse._phrases.count_phrases`, which adds up across partitions).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from .clean import Cleaner
from .errors import ParameterError
from .passages import split_passages
from .tokenize import Tokenizer

__all__ = ["PrepareOptions", "DocumentResult", "Rows", "prepare_options", "prepare_document", "tokenizer_for",
           "PASSAGE_COLUMNS", "REMOVAL_COLUMNS", "DOC_COLUMNS"]

PASSAGE_COLUMNS = ["doc_id", "passage_id", "start", "end", "text", "n_tokens"]
REMOVAL_COLUMNS = ["doc_id", "start", "end", "rule", "text"]
DOC_COLUMNS = ["doc_id", "chars_raw", "chars_clean", "chars_removed"]
PASSAGE_OPTIONS = {"max_chars": 1200, "min_chars": 200}


@dataclass(frozen=True)
class PrepareOptions:
    """The checked options of one preparation.

    Attributes
    ----------
    cleaner : Cleaner
    tokenizer : Tokenizer
        Set up (:meth:`Tokenizer.setup`) or already fitted.
    passage_options : dict
        Keyword options given to :func:`~discourse.passages.split_passages`.
    fitted : bool
        The tokenizer came fitted: its phrases are applied, not learnt.
    """

    cleaner: Cleaner
    tokenizer: Tokenizer
    passage_options: dict
    fitted: bool

    def params(self) -> dict[str, Any]:
        """The record kept as :attr:`discourse.Prepared.params`."""
        popts = self.passage_options
        return {
            "cleaner": self.cleaner.resolved_params(),
            "passage_options": {k: popts.get(k, v) for k, v in PASSAGE_OPTIONS.items()},
            "tokenizer": jsonable_params(self.tokenizer.get_params()),
            "tokenizer_prefitted": self.fitted,
        }


def tokenizer_for(aliases: Optional[str], extra_stopwords: Sequence[str]) -> Optional[Tokenizer]:
    """The tokenizer a study's vocabulary asks for (``None``: the default one of :func:`discourse.prepare`).

    ``aliases`` and ``extra_stopwords`` as :class:`~discourse.AnalysisConfig` holds them.
    """
    if aliases is None and not extra_stopwords:
        return None
    return Tokenizer(aliases=aliases, extra_stopwords=tuple(extra_stopwords))


def prepare_options(cleaner: Optional[Cleaner], tokenizer: Optional[Tokenizer],
                    passage_options: Optional[Mapping[str, int]]) -> PrepareOptions:
    """Check the options of :func:`discourse.prepare` and fill in the defaults.

    An unfitted tokenizer is set up here (its parameters checked and its
    aliases and stop words read), so that a bad one fails before any work.

    Raises
    ------
    ParameterError
        For an unknown passage option, or a cleaner or tokenizer of the wrong type.
    """
    popts = dict(passage_options or {})
    unknown = sorted(set(popts) - set(PASSAGE_OPTIONS))
    if unknown:
        raise ParameterError(f"passage_options: unknown option(s) {unknown}; allowed are {list(PASSAGE_OPTIONS)}")
    cleaner = Cleaner() if cleaner is None else cleaner
    if not isinstance(cleaner, Cleaner):
        raise ParameterError(f"cleaner={cleaner!r} is not allowed: expected a discourse.Cleaner or None")
    tokenizer = Tokenizer() if tokenizer is None else tokenizer
    if not isinstance(tokenizer, Tokenizer):
        raise ParameterError(f"tokenizer={tokenizer!r} is not allowed: expected a discourse.Tokenizer or None")
    fitted = hasattr(tokenizer, "stopwords_")
    if not fitted:
        tokenizer.setup()
    return PrepareOptions(cleaner=cleaner, tokenizer=tokenizer, passage_options=popts, fitted=fitted)


@dataclass(frozen=True)
class DocumentResult:
    """One document cleaned, split and turned into words.

    Attributes
    ----------
    doc_id : str
    chars_raw : int
    clean : CleanResult
        The cleaned text and the removals (indexing the raw text).
    passages : list of Passage
    words : list of list of str
        The words of each passage (:meth:`Tokenizer.words`), before phrases are joined.
    """

    doc_id: str
    chars_raw: int
    clean: Any
    passages: list
    words: list


def prepare_document(doc_id: str, text: str, options: PrepareOptions, *, tokenizer: Optional[Tokenizer] = None) -> DocumentResult:
    """Clean one document, split it into passages and turn each passage into words.

    ``tokenizer`` replaces ``options.tokenizer`` (a worker process keeps
    its own set-up copy, whose word cache stays warm across partitions).
    """
    tok = options.tokenizer if tokenizer is None else tokenizer
    res = options.cleaner.clean(text, doc_id=doc_id)
    ps = split_passages(res.text, doc_id, **options.passage_options)
    return DocumentResult(doc_id=doc_id, chars_raw=len(text), clean=res, passages=ps, words=[tok.words(p.text) for p in ps])


class Rows:
    """Documents' results as table columns (``dict`` of lists), in the order they were added.

    ``passages`` holds :data:`PASSAGE_COLUMNS` but ``n_tokens`` (known once
    phrases are joined); ``removals`` :data:`REMOVAL_COLUMNS`; ``documents``
    :data:`DOC_COLUMNS`; ``words`` the passages' words; ``clean_texts`` and
    ``n_passages`` one entry per document.
    """

    def __init__(self) -> None:
        self.passages: dict[str, list] = {c: [] for c in PASSAGE_COLUMNS[:-1]}
        self.removals: dict[str, list] = {c: [] for c in REMOVAL_COLUMNS}
        self.documents: dict[str, list] = {c: [] for c in DOC_COLUMNS}
        self.words: list[list[str]] = []
        self.clean_texts: dict[str, str] = {}
        self.n_passages: list[int] = []

    def add(self, doc: DocumentResult) -> None:
        res = doc.clean
        self.clean_texts[doc.doc_id] = res.text
        r_rows = self.removals
        for r in res.removals:
            r_rows["doc_id"].append(r.doc_id)
            r_rows["start"].append(r.start)
            r_rows["end"].append(r.end)
            r_rows["rule"].append(r.rule)
            r_rows["text"].append(r.text)
        d_rows = self.documents
        d_rows["doc_id"].append(doc.doc_id)
        d_rows["chars_raw"].append(doc.chars_raw)
        d_rows["chars_clean"].append(len(res.text))
        d_rows["chars_removed"].append(res.chars_removed)
        self.n_passages.append(len(doc.passages))
        p_rows = self.passages
        for p in doc.passages:
            p_rows["doc_id"].append(p.doc_id)
            p_rows["passage_id"].append(p.passage_id)
            p_rows["start"].append(p.start)
            p_rows["end"].append(p.end)
            p_rows["text"].append(p.text)
        self.words.extend(doc.words)


def jsonable_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Tokenizer parameters as JSON values (paths as str, sets as sorted lists)."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, Path):
            v = str(v)
        elif isinstance(v, Mapping):
            v = {str(a): str(b) for a, b in v.items()}
        elif isinstance(v, (set, frozenset, list, tuple)):
            v = sorted(str(x) for x in v)
        out[k] = v
    return out
