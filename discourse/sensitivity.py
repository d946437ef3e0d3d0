"""Do results hinge on last-bit float noise?  Refit under perturbed inputs and another BLAS kernel.

The reproducible mode (:mod:`discourse.numeric`) makes results identical on
every CPU; it does not make them *robust*.  A clustering that moves passages
when embeddings change in their sixth significant digit is fragile, and
pinning kernels only hides that.  :func:`numeric_sensitivity` measures it:

* **BERTopic**: refit on the same embeddings multiplied elementwise by
  ``1 + rel * z`` (``z`` standard normal, seeded; ``rel = 1e-6`` by default,
  about the size of the differences between CPU kernels in float32);
* **LDA**: refit in a fresh process with OpenBLAS running another CPU's
  kernels (``OPENBLAS_CORETYPE``), which changes the last bits of every
  matrix product of gensim's E-step.

For each model the refit is compared with the original: topics are matched
by the Hungarian algorithm on their passage overlap, and the result gives
the share of passages whose (matched) topic changed, the adjusted Rand index
of the two assignments, the mean overlap of matched topics' top terms, and
the largest change of a document's and of a group's topic share.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .errors import check_param

__all__ = ["numeric_sensitivity", "SensitivityResult", "compare_fits"]

logger = logging.getLogger(__name__)

#: Columns of :meth:`SensitivityResult.to_frame`.
SENSITIVITY_COLUMNS = ["model", "perturbation", "n_passages", "n_topics", "n_topics_refit", "passages_moved",
                       "ari", "top_terms_overlap", "max_doc_share_change", "max_group_share_change"]


@dataclass(frozen=True)
class SensitivityResult:
    """One row per model and perturbation (see the module docstring).

    Attributes
    ----------
    rows : list of dict
    params : dict
    """

    rows: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table with :data:`SENSITIVITY_COLUMNS`."""
        return pd.DataFrame(self.rows, columns=SENSITIVITY_COLUMNS)

    def __repr__(self) -> str:
        return f"<SensitivityResult\n{self.to_frame().to_string(index=False)}\n>"


def _matched(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, dict[int, int]]:
    """``b``'s labels renamed to the ``a`` labels they overlap most (Hungarian on the contingency table)."""
    from scipy.optimize import linear_sum_assignment

    la, lb = np.unique(a), np.unique(b)
    table = np.array([[np.sum((a == x) & (b == y)) for y in lb] for x in la])
    rows, cols = linear_sum_assignment(-table)
    mapping = {int(lb[c]): int(la[r]) for r, c in zip(rows, cols)}
    renamed = np.array([mapping.get(int(y), -10_000 - int(y)) for y in b])
    return renamed, mapping


def _top_terms(model: Any, n: int = 10) -> dict[int, set[str]]:
    tt = model.topic_terms(n)
    return {int(t): set(part["term"]) for t, part in tt.groupby("topic")}


def compare_fits(prepared: Any, original: Any, refit: Any, *, by: Sequence[str] = ()) -> dict[str, Any]:
    """How far ``refit`` moved from ``original`` (both fitted on ``prepared``).

    Returns
    -------
    dict
        ``n_passages``, ``n_topics``, ``n_topics_refit``, ``passages_moved``
        (share), ``ari``, ``top_terms_overlap`` (mean Jaccard of matched
        topics' top-10 terms), ``max_doc_share_change``,
        ``max_group_share_change`` (over the ``by`` columns).
    """
    from sklearn.metrics import adjusted_rand_score

    from .compare import document_topic_shares, group_labels

    ids_a, ids_b = np.asarray(original.topic_ids_), np.asarray(refit.topic_ids_)
    a = ids_a[np.asarray(original.doc_topic_).argmax(axis=1)]
    b = ids_b[np.asarray(refit.doc_topic_).argmax(axis=1)]
    renamed, mapping = _matched(a, b)
    terms_a, terms_b = _top_terms(original), _top_terms(refit)
    overlaps = [len(terms_a[ta] & terms_b[tb]) / max(1, len(terms_a[ta] | terms_b[tb]))
                for tb, ta in mapping.items() if ta in terms_a and tb in terms_b]
    shares_a = document_topic_shares(prepared, original)
    shares_b = document_topic_shares(prepared, refit)
    # columns of the refit renamed to the original's topics, so shares compare topic by topic
    shares_b = shares_b.rename(columns={c: mapping.get(int(c), f"unmatched {c}") for c in shares_b.columns})
    common = [c for c in shares_a.columns if c in shares_b.columns]
    doc_change = float(np.abs(shares_a[common].to_numpy() - shares_b.loc[shares_a.index, common].to_numpy()).max()) if common else float("nan")
    group_change = 0.0
    for col in by:
        labels = group_labels(prepared.metadata, col).reindex(shares_a.index)
        ga = shares_a[common].groupby(labels).mean()
        gb = shares_b.loc[shares_a.index, common].groupby(labels).mean()
        if len(ga):
            group_change = max(group_change, float(np.abs(ga.to_numpy() - gb.loc[ga.index].to_numpy()).max()))
    return {
        "n_passages": int(len(a)),
        "n_topics": int(len(np.unique(a))),
        "n_topics_refit": int(len(np.unique(b))),
        "passages_moved": float(np.mean(renamed != a)),
        "ari": float(adjusted_rand_score(a, b)),
        "top_terms_overlap": float(np.mean(overlaps)) if overlaps else float("nan"),
        "max_doc_share_change": doc_change,
        "max_group_share_change": group_change if by else float("nan"),
    }


def _fit_lda(prepared: Any, params: dict[str, Any]) -> Any:
    from .models import LDA

    return LDA(**params).fit(prepared)


def _other_core_type() -> str:
    from .numeric import _openblas_core_types

    return "Sandybridge" if "Sandybridge" not in _openblas_core_types() else "Haswell"


def numeric_sensitivity(
    prepared: Any,
    *,
    models: Sequence[str] = ("lda", "bertopic"),
    by: Sequence[str] = (),
    k: int = 6,
    rel: float = 1e-6,
    embeddings: np.ndarray | None = None,
    random_state: int = 0,
    cache_dir: Any = None,
) -> SensitivityResult:
    """Refit each model under last-bit perturbations and say how far its results move.

    Parameters
    ----------
    prepared : Prepared
    models : sequence of {"lda", "bertopic"}
    by : sequence of str
        Metadata columns whose group means of topic share are compared.
    k : int
        LDA topics.
    rel : float
        Relative size of the noise added to the embeddings (BERTopic).
    embeddings : ndarray, optional
        Passage embeddings (computed with the default embedder otherwise).
    random_state : int
        Seed of the models and of the noise.
    cache_dir : path, False or None
        Embedding cache (see :class:`discourse.BERTopicModel`).

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> import discourse
    >>> from discourse.sensitivity import numeric_sensitivity
    >>> res = numeric_sensitivity(discourse.prepare(discourse.load_seeds()), models=("bertopic",))  # doctest: +SKIP
    >>> res.to_frame()[["model", "passages_moved", "ari"]]                                        # doctest: +SKIP
    """
    check_param("models", models, "a sequence of 'lda' and 'bertopic'",
                bool(models) and all(m in ("lda", "bertopic") for m in models))
    check_param("rel", rel, "a number >= 0", isinstance(rel, (int, float)) and rel >= 0)
    rows: list[dict[str, Any]] = []
    if "bertopic" in models:
        from .models import BERTopicModel

        bt = BERTopicModel(random_state=random_state, cache_dir=cache_dir, progress=False)
        emb = np.asarray(embeddings if embeddings is not None else bt._embedder().encode(list(prepared.passages["text"])),
                         dtype=np.float32)
        noise = np.random.default_rng(random_state).standard_normal(emb.shape).astype(np.float32)
        original = bt.fit(prepared, embeddings=emb)
        refit = BERTopicModel(random_state=random_state, cache_dir=cache_dir, progress=False).fit(
            prepared, embeddings=emb * (1 + np.float32(rel) * noise))
        rows.append({"model": "bertopic", "perturbation": f"embeddings x (1 + {rel:g} z)",
                     **compare_fits(prepared, original, refit, by=by)})
    if "lda" in models:
        from .numeric import call_in_fresh_process

        params = {"k": k, "random_state": random_state, "progress": False}
        original = _fit_lda(prepared, params)
        core = _other_core_type()
        refit = call_in_fresh_process(_fit_lda, prepared, params, env={"OPENBLAS_CORETYPE": core})
        rows.append({"model": "lda", "perturbation": f"OPENBLAS_CORETYPE={core}",
                     **compare_fits(prepared, original, refit, by=by)})
    return SensitivityResult(rows=rows, params={"rel": rel, "k": k, "random_state": random_state, "by": list(by),
                                                "cpu_count": os.cpu_count()})
