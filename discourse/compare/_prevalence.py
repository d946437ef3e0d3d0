"""Topic weight (prevalence) per group, with document-bootstrap intervals.

Definitions (the same for LDA and BERTopic):

* a **document's topic shares** are its passages' rows of ``model.doc_topic_``
  averaged with weights equal to the passages' token counts (``n_tokens``),
  so a long passage counts more than a short one; a document whose passages
  have no tokens at all gets the plain mean of its passages' rows;
* a **group's share** of a topic is the mean of its documents' shares, each
  document counting once, however long it is;
* its interval is a bootstrap that resamples **documents** (never passages)
  with replacement, within the group (Efron & Tibshirani 1993).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import ParameterError
from ._calibration import family, interval_note, resolve_min_docs
from ._combine import mean_parts
from ._composition import combine, imputed_doc_shares, n_runs_of
from ._groups import as_groupings, doc_groups, sorted_groups
from ._results import PrevalenceResult
from ._stats import (
    bootstrap_linear_ci,
    check_common,
    check_model,
    check_prepared,
    model_name,
    normalize_seed,
    progress_bar,
    rng_for,
    topic_label,
    unstable_flags,
)

__all__ = ["prevalence", "document_topic_shares"]

logger = logging.getLogger(__name__)

PREVALENCE_COLUMNS = ["model", "topic", "label", "grouping", "group", "share", "ci_low", "ci_high", "n_docs",
                      "too_few", "n_passages", "model_share", "unstable", "n_runs", "ci_note"]


def passage_weights(prepared: Any) -> np.ndarray:
    """Token count of each passage (``passages.n_tokens``, else the token lists' lengths)."""
    passages = prepared.passages
    if "n_tokens" in passages.columns:
        return passages["n_tokens"].to_numpy(dtype=float)
    return np.array([len(t) for t in prepared.tokens], dtype=float)


def doc_passage_matrix(prepared: Any, weights: np.ndarray | None = None) -> tuple[np.ndarray, sparse.csr_matrix, np.ndarray]:
    """Documents (in order of first appearance) and the row-normalised doc x passage weight matrix.

    Returns
    -------
    doc_ids : ndarray of str, shape (n_docs,)
    W : csr_matrix, shape (n_docs, n_passages), rows sum to 1
    n_passages : ndarray of int, shape (n_docs,)
    """
    docs = prepared.passages["doc_id"].astype(str).to_numpy()
    codes, doc_ids = pd.factorize(docs, sort=False)
    w = passage_weights(prepared) if weights is None else np.asarray(weights, dtype=float)
    n_docs, n_pass = len(doc_ids), len(docs)
    W = sparse.csr_matrix((w, (codes, np.arange(n_pass))), shape=(n_docs, n_pass))
    total = np.asarray(W.sum(axis=1)).ravel()
    empty = total <= 0
    if empty.any():  # documents without tokens: plain mean of their passages
        ones = sparse.csr_matrix((np.ones(n_pass), (codes, np.arange(n_pass))), shape=(n_docs, n_pass))
        W = sparse.csr_matrix(W.multiply((~empty)[:, None]) + ones.multiply(empty[:, None]))
        total = np.asarray(W.sum(axis=1)).ravel()
    W = sparse.csr_matrix(sparse.diags(1.0 / total) @ W)
    n_passages = np.bincount(codes, minlength=n_docs)
    return np.asarray(doc_ids, dtype=object), W, n_passages


def document_topic_shares(prepared: Any, model: Any) -> pd.DataFrame:
    """Each document's topic shares: its passages' topic rows weighted by tokens.

    Parameters
    ----------
    prepared : Prepared
        Uses ``.passages`` (``doc_id``, ``n_tokens``), rows aligned with the model.
    model : fitted topic model
        ``doc_topic_`` (n_passages, n_topics) and ``topic_ids_``.

    Returns
    -------
    pandas.DataFrame, shape (n_docs, n_topics)
        Index ``doc_id`` (order of first appearance in the passages), columns
        the topic ids (``model.topic_ids_``); rows sum to 1.

    Raises
    ------
    ParameterError
        If the model's matrix does not match the passages.

    Examples
    --------
    >>> import discourse
    >>> from discourse.compare import document_topic_shares
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    >>> document_topic_shares(prepared, lda).shape
    (5, 3)
    """
    check_prepared(prepared)
    theta = check_model(model, len(prepared.passages))
    doc_ids, W, _ = doc_passage_matrix(prepared)
    shares = np.asarray(W @ theta)
    out = pd.DataFrame(shares, index=pd.Index(doc_ids, name="doc_id"),
                       columns=pd.Index(list(model.topic_ids_), name="topic"))
    return out


def prevalence(
    prepared: Any,
    model: Any,
    by: str | Sequence[str],
    *,
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    method: str = "t",
    min_docs: int | None = None,
    random_state: Any = 0,
    progress: bool | None = None,
    require_calibration: bool = True,
) -> PrevalenceResult:
    """Topic weight per group with an interval over documents.

    A document's topic shares are its passages' topic rows weighted by passage
    token counts (see :func:`document_topic_shares`); a group's ``share`` of a
    topic is the mean over its documents, each document counting once.  The
    interval is Student's t interval of that mean (``method="t"``, the
    default), or a bootstrap resampling the group's documents with
    replacement (:func:`scipy.stats.bootstrap`, ``"percentile"``, ``"BCa"``
    or ``"basic"``), all topics from the same resamples.

    An interval is printed only where it is backed by the coverage simulation
    with fitted models: for groups of at least ``min_docs`` documents (by
    default the calibrated size, 5 for LDA) of a calibrated model family.
    Elsewhere ``ci_low``/``ci_high`` are NaN, ``too_few`` is set below
    ``min_docs`` and ``ci_note`` says why.  For a single model the intervals
    include the variation of documents only; for runs of a model
    (:func:`~discourse.models.runs.fit_runs`) the statistic is computed on
    every imputation of the document shares (each run, and for LDA each
    draw from the run's variational posterior) and combined
    (:mod:`discourse.compare._composition`), so they include the topic
    model's own uncertainty and ``model_share`` says how much of the width
    it makes.  Documents whose group is unknown are left out and counted in
    ``counts["n_docs_unknown"]``.

    Parameters
    ----------
    prepared : Prepared
    model : fitted topic model (``LDA``, ``BERTopicModel``)
    by : str or list of str
        Metadata column(s) or crossings ``"a:b"``.
    n_resamples : int, default 2000
    confidence_level : float, default 0.95
    method : {"t", "percentile", "BCa", "basic"}, default "t"
    min_docs : int or None, default None
        Smallest group given an interval; ``None`` takes the size from which
        the simulation found at least 90% coverage for this model family.
    random_state : int, numpy Generator or None, default 0
        Same value, same table.  Each cell draws from its own stream derived
        from this seed and the cell's labels.
    progress : bool or None, default None
        Progress bar over the groups (None: only when stderr is a terminal).
    require_calibration : bool, default True
        Print intervals only where the coverage simulation with fitted models
        backs them.  ``False`` prints them for any group of at least
        ``min_docs`` (and 2) documents: for one's own simulations, not for
        reporting.

    Returns
    -------
    PrevalenceResult
        ``.to_frame()`` columns: ``model, topic, label, grouping, group, share,
        ci_low, ci_high, n_docs, too_few, n_passages, model_share, unstable,
        n_runs, ci_note``, sorted by grouping (as
        given), topic (model order), group; ``.document_shares``.

    Raises
    ------
    ParameterError
        Unknown column, model not fitted on these passages, bad parameter.

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika*, 6(1), 1-25.

    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
    Chapman & Hall.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    >>> res = discourse.prevalence(prepared, lda, "period")
    >>> res.to_frame()[["group", "n_docs", "too_few"]].drop_duplicates().values.tolist()
    [['2015', 2, True], ['2021', 1, True], ['2024', 2, True]]
    >>> bool(res.to_frame()["ci_low"].isna().all())  # no group is large enough for a backed interval
    True
    """
    check_prepared(prepared)
    groupings = as_groupings(by)
    name = model_name(model)
    fam = family(model)
    min_docs = resolve_min_docs(fam, "prevalence", min_docs)
    check_common(n_resamples, confidence_level, method, min_docs, extra_methods=("t",))
    seed = normalize_seed(random_state)
    check_model(model, len(prepared.passages))
    doc_ids, W, n_pass = doc_passage_matrix(prepared)
    runs, n_draws = imputed_doc_shares(model, W)  # (n_runs * n_draws, n_docs, n_topics)
    if len(runs) > 1 and method != "t":
        raise ParameterError(f"method={method!r} is not allowed with several runs: runs are combined by Rubin's rules (method='t')")
    shares = runs.mean(axis=0)
    unstable = unstable_flags(model)
    topics = list(model.topic_ids_)
    labels = [topic_label(model, t) for t in topics]
    blocks: list[pd.DataFrame] = []
    per_group: dict[str, dict[str, int]] = {}
    n_unknown: dict[str, int] = {}
    jobs = []
    for grouping in groupings:
        lab = doc_groups(prepared.metadata, grouping, doc_ids)
        groups = sorted_groups(lab)
        tally = Counter(lab.tolist())
        n_unknown[grouping] = int(tally.get(None, 0))
        per_group[grouping] = {g: int(tally[g]) for g in groups}
        jobs += [(grouping, g, lab == g) for g in groups]
        if not groups:
            logger.warning("prevalence: grouping %r has no document with a known group", grouping)
    for grouping, g, mask in progress_bar(jobs, total=len(jobs), desc=f"prevalence {name}", progress=progress):
        X = shares[mask]
        note = interval_note(fam, "prevalence", int(mask.sum()), min_docs,
                             require_calibration=require_calibration)
        model_share = np.full(len(topics), np.nan)
        if note:
            low = high = np.full(len(topics), np.nan)
        elif method == "t":
            parts = [mean_parts(S[mask]) for S in runs]
            comb = combine(np.stack([q for q, _, _ in parts]), np.stack([u for _, u, _ in parts]),
                           parts[0][2], confidence_level, n_draws)
            low, high = np.clip(comb.low, 0.0, 1.0), np.clip(comb.high, 0.0, 1.0)
            model_share = comb.model_share
        else:
            low, high = bootstrap_linear_ci(
                [X], [1.0], n_resamples=n_resamples, confidence_level=confidence_level, method=method,
                rng=rng_for(seed, "prevalence", name, grouping, g),
            )
        blocks.append(pd.DataFrame({
            "model": name, "topic": topics, "label": labels, "grouping": grouping, "group": g,
            "share": X.mean(axis=0), "ci_low": low, "ci_high": high, "n_docs": int(mask.sum()),
            "too_few": bool(mask.sum() < min_docs), "n_passages": int(n_pass[mask].sum()),
            "model_share": model_share, "unstable": unstable, "n_runs": n_runs_of(model), "ci_note": note,
            "_t": np.arange(len(topics)), "_g": len(blocks),
        }))
    if blocks:
        table = pd.concat(blocks, ignore_index=True)
        table["_b"] = table["grouping"].map({g: i for i, g in enumerate(groupings)})
        table = table.sort_values(["_b", "_t", "_g"], kind="mergesort").drop(columns=["_t", "_g", "_b"])
        table = table.reset_index(drop=True)[PREVALENCE_COLUMNS]
    else:
        table = pd.DataFrame(columns=PREVALENCE_COLUMNS)
    params = {"model": name, "by": groupings, "n_resamples": n_resamples, "confidence_level": confidence_level,
              "method": method, "min_docs": min_docs, "random_state": seed, "n_runs": n_runs_of(model),
              "n_draws": n_draws if n_draws > 1 else 0}
    counts = {"n_docs": len(doc_ids), "n_passages": int(len(prepared.passages)),
              "n_docs_per_group": per_group, "n_docs_unknown": n_unknown}
    doc_shares = pd.DataFrame(shares, index=pd.Index(doc_ids, name="doc_id"), columns=pd.Index(topics, name="topic"))
    return PrevalenceResult(table=table, params=params, counts=counts, document_shares=doc_shares)
