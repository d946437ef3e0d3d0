"""Cross-model alignment: which LDA topic is which BERTopic topic."""

from __future__ import annotations

import logging
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import jensenshannon

from ..errors import ParameterError, check_param
from ._results import AlignmentResult
from ._stats import model_name, topic_label

__all__ = ["align_models", "topic_similarity"]

logger = logging.getLogger(__name__)

ALIGNMENT_COLUMNS = ["lda_topic", "bertopic_topic", "similarity", "lda_label", "bertopic_label", "matched"]


def _term_matrix(model: Any, which: str) -> tuple[list, np.ndarray, np.ndarray]:
    if not hasattr(model, "term_matrix"):
        raise ParameterError(f"{which}={type(model).__name__} is not allowed: expected a fitted topic model with term_matrix()")
    topic_ids, vocab, mat = model.term_matrix()
    mat = np.asarray(mat, dtype=float)
    vocab = np.asarray([str(v) for v in vocab], dtype=object)
    if mat.shape != (len(topic_ids), len(vocab)):
        raise ParameterError(f"{which}.term_matrix() returned a {mat.shape} matrix for {len(topic_ids)} topics "
                             f"and {len(vocab)} terms")
    return list(topic_ids), vocab, mat


def topic_similarity(A: np.ndarray, B: np.ndarray, metric: str = "cosine") -> np.ndarray:
    """Similarity of every row of ``A`` to every row of ``B`` (term distributions).

    ``"cosine"``: cosine of the two vectors; ``"jensen-shannon"``: ``1 - JSD``
    with the Jensen–Shannon distance in base 2 (both in [0, 1] for
    non-negative rows).  A row with no mass has similarity 0 to everything.

    Returns
    -------
    ndarray, shape (len(A), len(B))
    """
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    sim = np.zeros((A.shape[0], B.shape[0]))
    ok_a = A.sum(axis=1) > 0
    ok_b = B.sum(axis=1) > 0
    if metric == "cosine":
        na = np.linalg.norm(A, axis=1)
        nb = np.linalg.norm(B, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            sim = (A @ B.T) / np.outer(na, nb)
    else:
        for i in np.flatnonzero(ok_a):
            with np.errstate(invalid="ignore"):  # sqrt of a rounding-negative divergence for equal rows
                d = jensenshannon(A[i][None, :], B, base=2, axis=1)
            sim[i] = 1.0 - np.where(ok_b, np.nan_to_num(d, nan=0.0), 1.0)
    sim[~ok_a, :] = 0.0
    sim[:, ~ok_b] = 0.0
    return np.clip(np.nan_to_num(sim, nan=0.0), 0.0, 1.0)


def _assignments(model: Any, prepared: Any) -> np.ndarray:
    theta = getattr(model, "doc_topic_", None)
    n = len(prepared.passages)
    if theta is None or np.asarray(theta).shape[0] != n:
        if not hasattr(model, "transform"):
            raise ParameterError(f"model {model_name(model)} has no doc_topic_ for these {n} passages and no transform()")
        theta = model.transform(prepared)
    theta = np.asarray(theta, dtype=float)
    ids = np.asarray(list(model.topic_ids_))
    return ids[theta.argmax(axis=1)]


def align_models(
    lda: Any,
    bertopic: Any,
    *,
    prepared: Any = None,
    assignments: tuple[Sequence[int], Sequence[int]] | None = None,
    metric: str = "cosine",
    min_similarity: float = 0.1,
    exclude_outliers: bool = True,
) -> AlignmentResult:
    """Match the topics of two models on their term distributions.

    1. Each model's ``term_matrix()`` is restricted to the **shared vocabulary**
       (terms in both vocabularies) and each topic row is renormalised to sum to 1.
    2. Similarities between every pair of topics (``metric``: cosine, or
       1 − Jensen–Shannon distance in base 2).
    3. One-to-one matching maximising the total similarity, by the Hungarian
       method (:func:`scipy.optimize.linear_sum_assignment`).  A matched pair
       with similarity below ``min_similarity`` is kept in the table but marked
       ``matched=False``; when the models have different numbers of topics the
       surplus topics get a row with no counterpart (``<NA>`` on the other side).
       Both count as *unmatched*.
    4. If ``prepared`` (or ``assignments``) is given, the two models' passage
       assignments (the argmax topic of each passage) are compared with the
       adjusted Rand index (Hubert & Arabie 1985) and normalised mutual
       information (:mod:`sklearn.metrics`).

    BERTopic's outlier topic ``-1`` is not a topic: with ``exclude_outliers``
    (default) it is left out of the matching (but not of the agreement).

    Parameters
    ----------
    lda, bertopic : fitted topic models
        Any two models with ``term_matrix()``; the names only label the columns.
    prepared : Prepared, optional
        The passages both models were fitted on (``doc_topic_`` is used when it
        has one row per passage, else ``transform(prepared)``).
    assignments : (array, array), optional
        Passage topic assignments of the two models, instead of ``prepared``.
    metric : {"cosine", "jensen-shannon"}, default "cosine"
    min_similarity : float, default 0.1
    exclude_outliers : bool, default True

    Returns
    -------
    AlignmentResult
        ``.to_frame()`` columns ``lda_topic, bertopic_topic, similarity,
        lda_label, bertopic_label, matched``; ``.similarity_matrix``;
        ``.agreement`` (``ari``, ``nmi``, ``n_passages``); ``.unmatched``.

    Raises
    ------
    ParameterError
        No shared vocabulary, bad metric/threshold, or assignments of different lengths.

    References
    ----------
    Kuhn, H. W. (1955). The Hungarian method for the assignment problem.
    *Naval Research Logistics Quarterly*, 2(1-2), 83-97.

    Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of
    Classification*, 2(1), 193-218.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    >>> bt = discourse.BERTopicModel(random_state=0).fit(prepared)
    >>> res = discourse.align_models(lda, bt, prepared=prepared)
    >>> res.to_frame().columns[:3].tolist()
    ['lda_topic', 'bertopic_topic', 'similarity']
    >>> sorted(res.agreement)
    ['ari', 'n_passages', 'nmi']
    """
    check_param("metric", metric, "'cosine' or 'jensen-shannon'", metric in ("cosine", "jensen-shannon"))
    check_param("min_similarity", min_similarity, "a number in [0, 1]",
                isinstance(min_similarity, (int, float)) and 0 <= min_similarity <= 1)
    ids_a, voc_a, mat_a = _term_matrix(lda, "lda")
    ids_b, voc_b, mat_b = _term_matrix(bertopic, "bertopic")
    if exclude_outliers:
        keep_a = [i for i, t in enumerate(ids_a) if t != -1]
        keep_b = [i for i, t in enumerate(ids_b) if t != -1]
        ids_a, mat_a = [ids_a[i] for i in keep_a], mat_a[keep_a]
        ids_b, mat_b = [ids_b[i] for i in keep_b], mat_b[keep_b]
    shared = np.array(sorted(set(voc_a) & set(voc_b)), dtype=object)
    if shared.size == 0:
        raise ParameterError("lda and bertopic share no vocabulary term; align models fitted on the same corpus")
    pos_a = {t: i for i, t in enumerate(voc_a)}
    pos_b = {t: i for i, t in enumerate(voc_b)}
    A = np.clip(mat_a[:, [pos_a[t] for t in shared]], 0, None)
    B = np.clip(mat_b[:, [pos_b[t] for t in shared]], 0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        A = np.nan_to_num(A / A.sum(axis=1, keepdims=True))
        B = np.nan_to_num(B / B.sum(axis=1, keepdims=True))
    sim = topic_similarity(A, B, metric)
    rows, cols = linear_sum_assignment(sim, maximize=True) if sim.size else (np.array([], int), np.array([], int))
    records = []
    for r, c in zip(rows, cols):
        records.append((ids_a[r], ids_b[c], float(sim[r, c]), bool(sim[r, c] >= min_similarity)))
    records.sort(key=lambda x: ids_a.index(x[0]))
    for i in sorted(set(range(len(ids_a))) - set(rows.tolist())):
        records.append((ids_a[i], None, np.nan, False))
    for j in sorted(set(range(len(ids_b))) - set(cols.tolist())):
        records.append((None, ids_b[j], np.nan, False))
    table = pd.DataFrame(records, columns=["lda_topic", "bertopic_topic", "similarity", "matched"])
    table["lda_topic"] = table["lda_topic"].astype("Int64")
    table["bertopic_topic"] = table["bertopic_topic"].astype("Int64")
    table["lda_label"] = [topic_label(lda, t) if pd.notna(t) else "" for t in table["lda_topic"]]
    table["bertopic_label"] = [topic_label(bertopic, t) if pd.notna(t) else "" for t in table["bertopic_topic"]]
    table = table[ALIGNMENT_COLUMNS]
    unmatched = {
        "lda": [int(t) for t, m in zip(table["lda_topic"], table["matched"]) if pd.notna(t) and not m],
        "bertopic": [int(t) for t, m in zip(table["bertopic_topic"], table["matched"]) if pd.notna(t) and not m],
    }
    sim_frame = pd.DataFrame(sim, index=pd.Index(ids_a, name="lda_topic"), columns=pd.Index(ids_b, name="bertopic_topic"))
    agreement = _agreement(lda, bertopic, prepared, assignments)
    params = {"metric": metric, "min_similarity": min_similarity, "exclude_outliers": exclude_outliers,
              "lda_model": model_name(lda), "bertopic_model": model_name(bertopic)}
    counts = {"n_shared_terms": int(shared.size), "n_terms_lda": int(len(voc_a)), "n_terms_bertopic": int(len(voc_b)),
              "n_topics_lda": len(ids_a), "n_topics_bertopic": len(ids_b), "n_matched": int(table["matched"].sum())}
    return AlignmentResult(table=table, params=params, counts=counts, similarity_matrix=sim_frame,
                           agreement=agreement, unmatched=unmatched)


def _agreement(lda: Any, bertopic: Any, prepared: Any, assignments: Any) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if assignments is not None:
        a, b = (np.asarray(x) for x in assignments)
    elif prepared is not None:
        a, b = _assignments(lda, prepared), _assignments(bertopic, prepared)
    else:
        return {"ari": float("nan"), "nmi": float("nan"), "n_passages": 0}
    if a.shape != b.shape or a.ndim != 1:
        raise ParameterError(f"assignments have lengths {len(a)} and {len(b)}; they must label the same passages")
    return {"ari": float(adjusted_rand_score(a, b)), "nmi": float(normalized_mutual_info_score(a, b)),
            "n_passages": int(a.size)}
