"""discourse: comparative discourse research with topic models.

Load a corpus with its metadata, clean and tokenise it, fit LDA (gensim) and
BERTopic models, and compare vocabulary and topic weight across outlets and
periods, with uncertainty and denominators.

Importing :mod:`discourse` is cheap and changes no global state: heavy parts
(gensim, BERTopic, torch, matplotlib) load on first use.

Examples
--------
>>> import discourse
>>> corpus = discourse.load_seeds()
>>> len(corpus)
5
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"


# The function, not the module of the same name (importing a submodule sets the
# package attribute, so a lazy lookup could return the module instead).
from .provenance import provenance  # noqa: E402  (cheap: standard library only)

# public name -> module that defines it (loaded lazily, PEP 562)
_LAZY = {
    # corpus
    "Corpus": "corpus",
    "Document": "corpus",
    "CorpusWarning": "corpus",
    "load_corpus": "corpus",
    "load_seeds": "corpus",
    "seeds_path": "corpus",
    "drop_duplicates": "ingest",
    # web pages, archives, duplicates
    "load_web": "ingest",
    "find_duplicates": "ingest",
    # a study in one file
    "load_study": "study",
    "Study": "study",
    # errors
    "DiscourseError": "errors",
    "InputError": "errors",
    "CorpusError": "errors",
    "ParameterError": "errors",
    "NotFittedError": "errors",
    "CorpusTooSmallError": "errors",
    # preprocessing
    "Cleaner": "clean",
    "CleanResult": "clean",
    "Removal": "clean",
    "clean_text": "clean",
    "Passage": "passages",
    "split_passages": "passages",
    "Tokenizer": "tokenize",
    "Prepared": "_prepare",
    "prepare": "_prepare",
    # topic models
    "LDA": "models",
    "BERTopicModel": "models",
    "select_k": "models",
    "KSelection": "models",
    "SentenceTransformerEmbedder": "models",
    # comparisons
    "keyness": "compare",
    "prevalence": "compare",
    "contrasts": "compare",
    "diff_in_diff": "compare",
    "effects": "compare",
    "topic_drift": "compare",
    "align_models": "compare",
    "frame_balance": "compare",
    # whole analysis and figures
    "analyze": "analysis",
    "AnalysisConfig": "analysis",
    "save_figure": "figures",
}

_SUBMODULES = {"clean", "compare", "corpus", "errors", "figures", "models", "plot", "analysis", "tokenize", "passages", "ingest", "study"}

__all__ = sorted([*_LAZY, "provenance"]) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'discourse' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Corpus, CorpusWarning, Document, load_corpus, load_seeds, seeds_path  # noqa: F401
    from .errors import (  # noqa: F401
        CorpusError,
        CorpusTooSmallError,
        DiscourseError,
        InputError,
        NotFittedError,
        ParameterError,
    )
    from .provenance import provenance  # noqa: F401
