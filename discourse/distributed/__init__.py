"""Run a study on a Dask cluster: streaming, partitioned, with the in-process results.

The in-process pipeline (:func:`discourse.analyze`) stays the default.  With
``scheduler=`` (``--scheduler ADDRESS|local`` on the command line) the same
analysis runs on a Dask cluster:

* the corpus is read in fixed partitions that stream from disk
  (:mod:`._stream`): no process holds every raw text;
* cleaning, passage splitting and tokenising run per partition on the workers;
  tokens and embeddings go to a Parquet store on disk that later runs reuse
  (:mod:`._store`);
* LDA distributes gensim's E-step over partitions and merges the sufficient
  statistics with gensim's ``LdaState`` (:mod:`._lda`);
* BERTopic fits its reduction and clustering on a reproducible sample and
  assigns every passage in parallel (:mod:`._bertopic`);
* the comparisons then run on the merged results as in process.

Partition boundaries never depend on the number of workers and every merge
follows partition order, so one worker and many give the same tables.

Importing this package does not import dask; that happens on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "analyze_distributed",
    "connect",
    "open_source",
    "ParquetStore",
    "prepare_distributed",
    "fit_lda_distributed",
    "embed_distributed",
    "fit_bertopic_distributed",
]

_LAZY = {
    "analyze_distributed": "._analysis",
    "connect": "._cluster",
    "gather_with_progress": "._cluster",
    "open_source": "._stream",
    "ParquetStore": "._store",
    "prepare_distributed": "._prepare",
    "fit_lda_distributed": "._lda",
    "embed_distributed": "._embed",
    "fit_bertopic_distributed": "._bertopic",
}


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'discourse.distributed' has no attribute {name!r}")
    value = getattr(importlib.import_module(mod, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
