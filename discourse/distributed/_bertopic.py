"""BERTopic on a cluster: fit on a reproducible sample, assign every passage in parallel.

UMAP and HDBSCAN need all their input in one process, so they cannot be
split across workers.  :func:`fit_bertopic_distributed` therefore:

1. draws a **sample** of ``sample_size`` passages: ``numpy.random.default_rng(random_state)
   .choice(n, sample_size, replace=False)``, sorted into corpus order (the same
   seed always gives the same sample, whatever the number of workers; with
   ``sample_size >= n`` the sample is the whole corpus);
2. fits :class:`~discourse.models.BERTopicModel` (UMAP, HDBSCAN, c-TF-IDF over
   the passages' tokens) on the sample's embeddings, in the driver;
3. **assigns** every passage outside the sample on the workers, partition by
   partition, with the fitted model's
   :class:`~discourse.models._bertopic_state.Assigner` (what
   :meth:`~discourse.models.BERTopicModel.assign` runs in process: UMAP
   ``transform`` then HDBSCAN ``approximate_predict``, outliers handled as the
   model's ``outliers`` option says).  Sampled passages keep the topic the
   fit gave them; the merged assignment becomes the model's per-passage state
   through :func:`~discourse.models._bertopic_state.set_assignments`, as in
   process.

With ``sample_size >= n`` nothing is assigned on the workers and the model is
the in-process model fitted on the same embeddings (identical tables when the
embeddings are identical, see :mod:`._embed`).  Smaller samples trade fidelity
for time and memory: :func:`sample_size_effect` measures the agreement (adjusted
Rand index and NMI of passage assignments) with the fit on the largest
sample, and the benchmark reports it.

Topic terms (c-TF-IDF) come from the sample's passages.

References
----------
.. [1] Grootendorst, M. (2022). BERTopic: Neural topic modeling with a
   class-based TF-IDF procedure. arXiv:2203.05794.
.. [2] McInnes, L., Healy, J., & Astels, S. (2017). hdbscan: Hierarchical
   density based clustering. *JOSS*, 2(11), 205 (``approximate_predict``).
.. [3] Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of
   Classification*, 2, 193-218 (adjusted Rand index).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import check_param
from ..models._bertopic_state import Assigner, Assignment, record_sample, set_assignments
from ._cluster import gather_with_progress, put
from ._embed import EmbeddingParts, read_embeddings
from ._store import ParquetStore

__all__ = ["draw_sample", "fit_bertopic_distributed", "sample_size_effect"]

logger = logging.getLogger(__name__)

DEFAULT_SAMPLE_SIZE = 20_000
#: How :func:`draw_sample` draws (recorded in the model's provenance).
SAMPLE_RULE = "numpy.random.default_rng(seed).choice(n, sample_size, replace=False), sorted"


def draw_sample(n: int, sample_size: int, random_state: int) -> np.ndarray:
    """Row numbers of the documented sample, in corpus order.

    Examples
    --------
    >>> draw_sample(5, 10, 0).tolist()
    [0, 1, 2, 3, 4]
    >>> draw_sample(10, 3, 0).tolist() == draw_sample(10, 3, 0).tolist()
    True
    """
    if sample_size >= n:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n, size=sample_size, replace=False)).astype(np.int64)


class _Sample:
    """The sampled passages, shaped like a Prepared for ``BERTopicModel.fit``."""

    def __init__(self, passages: pd.DataFrame, tokens: list[list[str]], corpus_hash: str | None) -> None:
        self.passages = passages
        self.tokens = tokens
        self.corpus_hash = corpus_hash


def _sample_rows(store_root: str, words_key: str, tokenizer, rows: list[int]) -> tuple[pd.DataFrame, list[list[str]]]:
    store = ParquetStore(store_root)
    idx = np.asarray(rows, dtype=np.int64)
    table = store.read_table("passages", words_key, columns=["doc_id", "passage_id", "text", "words"]).take(idx)
    toks = [tokenizer.apply_phrases(w) for w in table.column("words").to_pylist()]
    return table.drop(["words"]).to_pandas(), toks


def _assign_part(assigner: Assigner, parts: EmbeddingParts, index: int, skip: list[int]) -> Assignment:
    """Assign one partition's passages (runs on a worker); the sampled rows ``skip`` are left to the driver."""
    emb = read_embeddings(parts, index)
    keep = np.ones(len(emb), dtype=bool)
    keep[np.asarray(skip, dtype=np.int64)] = False
    return Assignment.empty(len(emb)).replace_rows(np.flatnonzero(keep), assigner(emb[keep]))


def fit_bertopic_distributed(client, prepared, embeddings: EmbeddingParts, *, sample_size: int = DEFAULT_SAMPLE_SIZE,
                             params: dict[str, Any] | None = None, progress: bool | None = None):
    """Fit BERTopic on a sample, assign all passages on the cluster.

    Parameters
    ----------
    client : distributed.Client
    prepared : StoredPrepared
    embeddings : EmbeddingParts
        From :func:`embed_distributed` on the same ``prepared``.
    sample_size : int, default 20,000
        Passages the reduction and clustering are fitted on (all when the
        corpus is smaller).
    params : dict, optional
        :class:`~discourse.models.BERTopicModel` parameters (``random_state``
        also seeds the sample).
    progress : bool or None

    Returns
    -------
    BERTopicModel
        Fitted; ``doc_topic_``, ``assignments_``, ``outlier_mask_`` and
        ``similarity_`` cover every passage; ``sample_`` holds the sampled row
        numbers and ``provenance_`` records the sample size and seed.

    Raises
    ------
    ParameterError
        If ``sample_size`` < 2.
    CorpusTooSmallError
        If the sample is too small to cluster.
    """
    from ..models import BERTopicModel

    check_param("sample_size", sample_size, "an integer >= 2", isinstance(sample_size, (int, np.integer)) and not isinstance(sample_size, bool) and sample_size >= 2)
    params = dict(params or {})
    model = BERTopicModel(**params)
    seed = model.check_params()["seed"]
    model.set_params(random_state=seed)  # one seed for the sample and the fit, also from None or a Generator
    n = prepared.n_passages
    sample = draw_sample(n, int(sample_size), seed)
    offsets = np.cumsum([0] + [p.n_passages for p in prepared.parts])
    part_of = np.searchsorted(offsets, sample, side="right") - 1
    rows_by_part: dict[int, list[int]] = {}
    for r, j in zip(sample.tolist(), part_of.tolist()):
        rows_by_part.setdefault(j, []).append(r - int(offsets[j]))

    t0 = time.perf_counter()
    tok = put(client, prepared.tokenizer)
    futs = {j: client.submit(_sample_rows, str(prepared.store.root), prepared.parts[j].key, tok, rows, pure=False)
            for j, rows in rows_by_part.items()}
    emb_futs = {j: client.submit(read_embeddings, embeddings, j, rows, pure=False) for j, rows in rows_by_part.items()}
    order = sorted(rows_by_part)
    got = gather_with_progress(client, [futs[j] for j in order], desc="BERTopic sample", progress=progress)
    vecs = client.gather([emb_futs[j] for j in order])
    passages = pd.concat([g[0] for g in got], ignore_index=True) if got else pd.DataFrame(columns=["doc_id", "passage_id", "text"])
    passages = passages.astype(object)
    tokens = [t for g in got for t in g[1]]
    x = np.concatenate(vecs).astype(np.float32, copy=False) if vecs else np.zeros((0, embeddings.dim), np.float32)
    logger.info("fitting BERTopic on a sample of %d of %d passages (seed %d)", len(sample), n, seed)
    model.fit(_Sample(passages, tokens, prepared.corpus_hash), embeddings=x)
    t_fit = time.perf_counter() - t0

    t0 = time.perf_counter()
    if len(sample) < n:
        shipped = put(client, Assigner.of(model))
        afuts = [client.submit(_assign_part, shipped, embeddings, j, rows_by_part.get(j, []), pure=False)
                 for j in range(len(prepared.parts))]
        parts = gather_with_progress(client, afuts, desc="BERTopic assign", progress=progress)
        set_assignments(model, Assignment.concat(parts).replace_rows(sample, Assignment.of(model)))
    t_assign = time.perf_counter() - t0
    return record_sample(model, sample=sample, n_passages=n, seed=seed, rule=SAMPLE_RULE,
                         timings={"fit_sample": t_fit, "assign": t_assign})


def sample_size_effect(client, prepared, embeddings: EmbeddingParts, sizes: Sequence[int], *, params: dict[str, Any] | None = None,
                       progress: bool | None = None) -> pd.DataFrame:
    """How the sample size changes BERTopic's passage assignments.

    Fits with every sample size in ``sizes`` and compares each fit's passage
    assignments with those of the largest size: adjusted Rand index
    (Hubert & Arabie 1985) and normalised mutual information
    (``sklearn.metrics``), which do not depend on topic numbering.

    Returns
    -------
    DataFrame
        ``sample_size, n_topics, n_outliers, ari_vs_largest, nmi_vs_largest,
        seconds_fit, seconds_assign``, one row per size (ascending).
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    fits = {}
    for s in sorted(set(int(v) for v in sizes)):
        fits[s] = fit_bertopic_distributed(client, prepared, embeddings, sample_size=s, params=params, progress=progress)
    ref = fits[max(fits)].assignments_
    rows = []
    for s, m in fits.items():
        rows.append({"sample_size": min(s, prepared.n_passages), "n_topics": len([t for t in m.topic_ids_ if t != -1]),
                     "n_outliers": int(m.n_outliers_), "ari_vs_largest": float(adjusted_rand_score(ref, m.assignments_)),
                     "nmi_vs_largest": float(normalized_mutual_info_score(ref, m.assignments_)),
                     "seconds_fit": m.timings_["fit_sample"], "seconds_assign": m.timings_["assign"]})
    return pd.DataFrame(rows)
