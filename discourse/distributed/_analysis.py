"""The whole analysis on a Dask cluster: :func:`analyze_distributed`.

Same stages, same tables as :func:`discourse.analyze`:

=====================  ==========================================================
stage                  where it runs
=====================  ==========================================================
read, clean, tokenise  workers, per partition, streamed from disk (:mod:`._prepare`)
phrases                counts on workers, merged in the driver
LDA K sweep            ``k="auto"``: one task per K on the workers (``select_k``)
LDA                    E-step on the workers, M-step in the driver (:mod:`._lda`)
embeddings             workers, per partition (:mod:`._embed`)
BERTopic               fit on a sample in the driver, assignment on the workers
comparisons            driver, on the merged passages and tokens
=====================  ==========================================================

What is identical to the in-process run and what is within a tolerance is
listed in ``docs/cluster.md`` and checked by ``tests/test_distributed.py``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import check_param
from ._bertopic import DEFAULT_SAMPLE_SIZE, fit_bertopic_distributed
from ._cluster import connect
from ._embed import embed_distributed
from ._lda import LDA_PARAMS, MERGES, fit_lda_distributed, lda_estimator
from ._prepare import StoredPrepared, prepare_distributed
from ._store import ParquetStore

__all__ = ["analyze_distributed", "select_k_distributed"]

logger = logging.getLogger(__name__)


class _Light:
    """What ``select_k`` reads of a Prepared: passage ids and tokens (texts left behind)."""

    def __init__(self, prepared) -> None:
        passages = prepared.passages[["doc_id", "passage_id"]].copy()
        passages["text"] = ""
        self.passages = passages
        self.tokens = prepared.tokens


def _select_k_one(prepared, k: int, kwargs: dict[str, Any]):
    from ..models.selection import select_k

    return select_k(prepared, k_range=(k,), **kwargs)


def select_k_distributed(client, prepared, *, k_range, seeds, progress: bool | None = None, **kwargs):
    """:func:`discourse.models.select_k` with one task per K on the cluster.

    Every K is scored exactly as ``select_k`` scores it (the held-out split
    depends on the corpus and the first seed only; each topic's scores and
    stability across seeds do not depend on the other K), the rows
    are put back in K order and the same rule (:func:`~discourse.models.selection.choose_k`)
    picks K, so the selection equals the in-process one.

    Returns
    -------
    KSelection
    """
    import pandas as pd

    from ..models._base import int_sequence
    from ..models.selection import KSelection, choose_k
    from ._cluster import gather_with_progress, put

    ks = int_sequence("k_range", k_range, minimum=2)
    shipped = put(client, _Light(prepared))
    futs = [client.submit(_select_k_one, shipped, k, dict(kwargs, seeds=seeds, progress=False), pure=False) for k in ks]
    parts = gather_with_progress(client, futs, desc="LDA K sweep", progress=progress)
    scores = pd.concat([p.scores for p in parts], ignore_index=True)
    heldout = pd.concat([p.heldout for p in parts], ignore_index=True)
    summary = pd.concat([p.summary for p in parts], ignore_index=True)
    best_k, rule, eligible = choose_k(summary, stability_threshold=float(kwargs.get("stability_threshold", 0.6)))
    summary["eligible"] = eligible.to_numpy()
    summary["chosen"] = summary["k"] == best_k
    params = dict(parts[0].params)
    params["k_range"] = ks
    return KSelection(scores=scores, summary=summary, best_k=best_k, rule=rule, heldout=heldout, params=params)


def analyze_distributed(
    corpus: Any,
    config=None,
    *,
    client: Any = None,
    store: str | Path | None = None,
    text_col: str = "text",
    id_col: str = "id",
    partition_size: int = 1000,
    n_workers: int = 2,
    memory_limit: str | int | None = "auto",
    lda_merge: str = "exact",
    bertopic_sample_size: int = DEFAULT_SAMPLE_SIZE,
    **overrides: Any,
):
    """Run :func:`discourse.analyze` on a Dask cluster, streaming the corpus.

    Parameters
    ----------
    corpus : Corpus, str or Path
        A Corpus, or a path (``.csv``/``.jsonl``/``.parquet`` file or folder)
        that is then read partition by partition by the workers, never whole.
    config : AnalysisConfig, optional
        As for :func:`discourse.analyze`; ``config.scheduler`` names the
        cluster (an address, or ``"local"``) unless ``client`` is given.
        Keyword ``overrides`` replace single fields.
    client : distributed.Client, optional
        Use this client (left open).
    store : str or Path, optional
        Parquet store of tokens and embeddings; default
        ``<cache_dir>/store`` (``cache_dir`` of the config, else
        ``$DISCOURSE_CACHE`` or ``~/.cache/discourse``).  Must be visible to
        every worker at the same path.
    text_col, id_col : str
        Columns of a tabular file.
    partition_size : int, default 1000
        Documents per partition.
    n_workers : int, default 2
        Worker processes of a ``"local"`` cluster.
    memory_limit : str, int or None
        Memory per worker of a ``"local"`` cluster.
    lda_merge : {"exact", "sstats"}
        See :func:`discourse.distributed.fit_lda_distributed`.
    bertopic_sample_size : int, default 20,000
        Passages BERTopic's UMAP and HDBSCAN are fitted on.

    Returns
    -------
    AnalysisResult
        The same tables as :func:`discourse.analyze`; ``timings`` adds
        ``cluster`` (start-up).

    Raises
    ------
    ParameterError
        For a bad parameter or a ``by`` column that does not exist.
    CorpusTooSmallError
        If the corpus is too small for a requested model.

    Examples
    --------
    >>> import discourse
    >>> from discourse.distributed import analyze_distributed
    >>> res = analyze_distributed(discourse.seeds_path(), by=("period",), models=("lda",), k=3,  # doctest: +SKIP
    ...                           scheduler="local", n_resamples=200, n_permutations=200, figures=False)
    >>> sorted(res.tables)[:3]  # doctest: +SKIP
    ['contrasts', 'documents', 'drift']
    """
    from .._config import AnalysisConfig
    from .._document import tokenizer_for
    from .._env import default_cache_dir
    from .._fit import fit_models
    from .._result import AnalysisResult
    from .._tables import check_by, compare_tables

    config = replace(config or AnalysisConfig(), **overrides).validate()
    check_param("lda_merge", lda_merge, f"one of {MERGES}", lda_merge in MERGES)
    check_param("bertopic_sample_size", bertopic_sample_size, "an integer >= 2",
                isinstance(bertopic_sample_size, int) and not isinstance(bertopic_sample_size, bool) and bertopic_sample_size >= 2)
    import pandas as pd

    from ._stream import Source, open_source

    source = corpus if isinstance(corpus, Source) else open_source(corpus, text_col=text_col, id_col=id_col,
                                                                    partition_size=partition_size)
    cols = source.metadata_columns()
    if cols is not None:  # a wrong --by fails now, not after the corpus has been read
        check_by(pd.DataFrame(columns=cols), config.by)
    scheduler = client if client is not None else (config.scheduler or "local")
    cache = Path(config.cache_dir) if config.cache_dir is not None else default_cache_dir()
    store = ParquetStore(Path(store) if store is not None else cache / "store")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with connect(scheduler, n_workers=n_workers, memory_limit=memory_limit) as c:
        timings["cluster"] = time.perf_counter() - t0
        t = time.perf_counter()
        sp = prepare_distributed(source, c, store=store, tokenizer=tokenizer_for(config.aliases, config.extra_stopwords),
                                 progress=config.progress)
        check_by(sp.metadata, config.by)
        prepared = sp.to_prepared()
        timings["prepare"] = time.perf_counter() - t
        fitter = cluster_fitter(c, sp, prepared, config, timings, lda_merge=lda_merge, sample_size=bertopic_sample_size)
        models, runs = fit_models(prepared, config, timings, fitter)
    tables, results = compare_tables(prepared, models, config, timings, runs=runs)
    return AnalysisResult(tables=tables, prepared=prepared, models=models, config=config,
                          corpus_source=str(getattr(corpus, "source", None) or source.path),
                          timings=timings, results=results)


def cluster_fitter(client, sp: StoredPrepared, prepared, config, timings: dict[str, float], *, lda_merge: str,
                   sample_size: int):
    """A :class:`~discourse._fit.Fitter` that fits each model on the cluster (see :func:`discourse._fit.fit_models`).

    LDA: the K sweep (``k="auto"``) one task per K, then gensim's E-step on
    the workers (:func:`fit_lda_distributed`); BERTopic: embeddings on the
    workers, the fit on a sample in the driver (:func:`fit_bertopic_distributed`).
    """
    from .._fit import Fitter

    def fit_lda(run):
        q = run.check_params()
        selection, k = None, q["k"]
        if k == "auto":
            t = time.perf_counter()
            selection = select_k_distributed(client, prepared, k_range=q["k_range"], seeds=q["seeds"], passes=q["passes"],
                                             iterations=q["iterations"], alpha=q["alpha"], eta=q["eta"], no_below=q["no_below"],
                                             no_above=q["no_above"], progress=config.progress)
            k = selection.best_k
            timings["lda.select_k"] = time.perf_counter() - t
        fit = fit_lda_distributed(client, sp.token_parts(), k=int(k), random_state=q["seed"], merge=lda_merge,
                                  progress=config.progress, **{name: q[name] for name in LDA_PARAMS})
        return lda_estimator(fit, params=run.get_params(deep=False), seed=q["seed"], prepared=prepared,
                             corpus_hash=sp.corpus_hash, selection=selection)

    def fit_bertopic(bt):
        bt.check_params()
        t = time.perf_counter()
        emb = embed_distributed(client, sp, embedding_model=bt.embedding_model, batch_size=bt.batch_size,
                                cache_dir=bt.cache_dir, tier=bt.embedder, progress=config.progress)
        timings["bertopic.embed"] = timings.get("bertopic.embed", 0.0) + time.perf_counter() - t
        return fit_bertopic_distributed(client, sp, emb, sample_size=sample_size, params=bt.get_params(deep=False),
                                        progress=config.progress)

    return Fitter(lda=fit_lda, bertopic=fit_bertopic)
