"""Choosing the number of LDA topics: coherence and stability across seeds.

:func:`select_k` fits LDA for every K in a range and every seed in a list,
scores each fit by topic coherence (gensim's ``CoherenceModel``: C_V and
NPMI) and by its stability across seeds, and picks K by a documented rule
(:data:`RULE`).  The full scores table is returned so that a notebook can
plot it.

Stability of one fit at K is the mean, over the other seeds' fits at the
same K, of the mean cosine similarity of topic-term distributions after the
topics of the two fits are matched one to one (Hungarian algorithm,
:func:`scipy.optimize.linear_sum_assignment`), in the manner of Greene,
O'Callaghan & Cunningham (2014).

References
----------
.. [1] Röder, M., Both, A., & Hinneburg, A. (2015). Exploring the space of
   topic coherence measures. *Proceedings of WSDM '15*, 399-408. (C_V)
.. [2] Bouma, G. (2009). Normalized (pointwise) mutual information in
   collocation extraction. *Proceedings of GSCL*, 31-40. (NPMI)
.. [3] Aletras, N., & Stevenson, M. (2013). Evaluating topic coherence using
   distributional semantics. *Proceedings of IWCS*, 13-22.
.. [4] Greene, D., O'Callaghan, D., & Cunningham, P. (2014). How many topics?
   Stability analysis for topic models. *ECML PKDD 2014*, 498-513.
.. [5] Kuhn, H. W. (1955). The Hungarian method for the assignment problem.
   *Naval Research Logistics Quarterly*, 2, 83-97.
.. [6] Breiman, L., Friedman, J., Olshen, R., & Stone, C. (1984).
   *Classification and Regression Trees*. (the one-standard-error rule)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._base import check_prepared, int_sequence, passage_tokens, positive_int, progress_enabled

__all__ = ["KSelection", "select_k", "stability", "RULE"]

logger = logging.getLogger(__name__)

SCORE_COLUMNS = ["k", "seed", "c_v", "npmi", "stability"]
SUMMARY_COLUMNS = ["k", "c_v_mean", "c_v_sd", "npmi_mean", "npmi_sd", "stability_mean", "stability_sd", "n_seeds", "chosen"]

#: The rule :func:`select_k` applies (``{t}`` is the stability threshold).
RULE = (
    "Among the K whose mean stability across seeds is at least {t:g} (all K if none is, or if only one seed "
    "was fitted), take the K with the best mean C_V coherence and its standard deviation across seeds; "
    "choose the smallest K whose mean C_V is within one standard deviation of that best mean "
    "(the one-standard-error rule of Breiman et al. 1984 applied to C_V)."
)


@dataclass(frozen=True)
class KSelection:
    """The result of :func:`select_k`.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per (k, seed): ``k, seed, c_v, npmi, stability``.
    summary : pandas.DataFrame
        One row per k: ``k, c_v_mean, c_v_sd, npmi_mean, npmi_sd,
        stability_mean, stability_sd, n_seeds, chosen`` (bool).
    best_k : int
        The chosen number of topics.
    rule : str
        The rule that chose it, in words.
    """

    scores: pd.DataFrame
    summary: pd.DataFrame
    best_k: int
    rule: str
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-(k, seed) scores table."""
        return self.scores.copy()


def stability(topic_term: Sequence[np.ndarray]) -> np.ndarray:
    """Stability of each of several fits at the same K.

    Parameters
    ----------
    topic_term : sequence of ndarray, each shape (k, n_terms)
        Topic-term distributions of fits that differ only by seed (same
        vocabulary, same column order).

    Returns
    -------
    ndarray, shape (n_fits,)
        For each fit, the mean over the other fits of the mean cosine
        similarity of matched topics (Hungarian matching maximising total
        similarity).  ``nan`` when there is a single fit.

    Examples
    --------
    >>> a = np.array([[0.9, 0.1, 0.0], [0.0, 0.1, 0.9]])
    >>> stability([a, a[::-1]]).round(6).tolist()
    [1.0, 1.0]
    """
    from scipy.optimize import linear_sum_assignment

    mats = []
    for m in topic_term:
        m = np.asarray(m, dtype=np.float64)
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        mats.append(np.divide(m, norms, out=np.zeros_like(m), where=norms > 0))
    n = len(mats)
    if n < 2:
        return np.full(n, np.nan)
    pair = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            sim = mats[i] @ mats[j].T
            rows, cols = linear_sum_assignment(sim, maximize=True)
            pair[i, j] = pair[j, i] = float(sim[rows, cols].mean())
    return pair.sum(axis=1) / (n - 1)


def _coherence(topics: list[list[str]], tokens, dictionary, measure: str, topn: int) -> np.ndarray:
    """Per-topic coherence of many topics in one pass over the texts (gensim CoherenceModel)."""
    from gensim.models import CoherenceModel

    cm = CoherenceModel(topics=topics, texts=tokens, dictionary=dictionary, coherence=measure, topn=topn, processes=1)
    return np.asarray(cm.get_coherence_per_topic(), dtype=np.float64)


def choose_k(summary: pd.DataFrame, *, stability_threshold: float) -> tuple[int, str]:
    """Apply :data:`RULE` to a summary table; return (best k, rule text)."""
    rule = RULE.format(t=stability_threshold)
    s = summary.sort_values("k").reset_index(drop=True)
    eligible = s
    if s["n_seeds"].max() >= 2:
        ok = s["stability_mean"] >= stability_threshold
        if ok.any():
            eligible = s[ok]
        else:
            logger.warning(
                "no K reaches mean stability %.2f (best %.2f); choosing among all K", stability_threshold,
                float(s["stability_mean"].max()),
            )
            rule += " [No K reached the stability threshold here, so all K were eligible.]"
    cv = eligible["c_v_mean"].fillna(-np.inf)
    best = eligible.loc[cv.idxmax()]  # idxmax: first (smallest) K among ties
    sd = 0.0 if not np.isfinite(best["c_v_sd"]) else float(best["c_v_sd"])
    within = eligible[cv >= float(best["c_v_mean"]) - sd]
    return int(within["k"].min()), rule


def select_k(
    prepared: Any,
    *,
    k_range: Sequence[int] = tuple(range(2, 11)),
    seeds: Sequence[int] = (0, 1, 2),
    passes: int = 10,
    iterations: int = 100,
    alpha: Any = "auto",
    eta: Any = None,
    no_below: int = 2,
    no_above: float = 0.5,
    topn: int = 10,
    stability_threshold: float = 0.6,
    progress: bool | None = None,
    _dictionary: Any = None,
) -> KSelection:
    """Choose the number of LDA topics by coherence and stability across seeds.

    Fits :class:`~discourse.models.LDA`'s gensim model for every K in
    ``k_range`` and every seed in ``seeds`` (same vocabulary and settings),
    scores every fit by mean topic coherence C_V and NPMI over its topics'
    ``topn`` terms (gensim ``CoherenceModel``, sliding windows over the
    passages' tokens) and by stability across seeds (:func:`stability`), and
    picks K by :data:`RULE`.

    Parameters
    ----------
    prepared : discourse.Prepared
    k_range : sequence of int, default 2..10
        K values to try (each >= 2).
    seeds : sequence of int, default (0, 1, 2)
        Seeds per K; at least two are needed for stability.
    passes, iterations, alpha, eta, no_below, no_above
        As in :class:`~discourse.models.LDA`.
    topn : int, default 10
        Terms per topic scored by coherence.
    stability_threshold : float, default 0.6
        Minimum mean stability for a K to be eligible (see :data:`RULE`).
    progress : bool or None
        Progress bar over the fits (``None``: only on a terminal).

    Returns
    -------
    KSelection

    Raises
    ------
    ParameterError
        For a bad ``k_range``, ``seeds``, ``topn`` or threshold.
    CorpusTooSmallError
        If the vocabulary is empty.

    Examples
    --------
    >>> import discourse
    >>> sel = select_k(discourse.prepare(discourse.load_seeds()), k_range=(2, 3), seeds=(0, 1), passes=2)
    >>> list(sel.summary.columns)[:3], sel.best_k in (2, 3)
    (['k', 'c_v_mean', 'c_v_sd'], True)
    """
    from tqdm.auto import tqdm

    from .lda import LDA, build_dictionary, train_lda

    # the LDA settings are checked as LDA checks them (named ParameterError)
    LDA(k=2, passes=passes, iterations=iterations, alpha=alpha, eta=eta, no_below=no_below, no_above=no_above)._validate()
    ks = int_sequence("k_range", k_range, minimum=2)
    int_sequence("seeds", seeds, minimum=0)  # validates
    seed_list = [int(s) for s in seeds]  # the user's order
    topn = positive_int("topn", topn, minimum=2)
    check_param("stability_threshold", stability_threshold, "a number in [0, 1]",
                isinstance(stability_threshold, (int, float)) and not isinstance(stability_threshold, bool)
                and 0 <= stability_threshold <= 1)
    check_prepared(prepared)
    tokens = passage_tokens(prepared)
    if _dictionary is None:
        dictionary, bow = build_dictionary(tokens, no_below=int(no_below), no_above=float(no_above))
    else:
        dictionary, bow = _dictionary
    if topn > len(dictionary):
        raise ParameterError(f"topn={topn} is not allowed: the vocabulary has only {len(dictionary)} terms")
    vocab = [dictionary[i] for i in range(len(dictionary))]

    fits: list[tuple[int, int]] = [(k, s) for k in ks for s in seed_list]
    topics: list[list[str]] = []
    owner: list[int] = []
    term_mats: dict[tuple[int, int], np.ndarray] = {}
    bar = tqdm(total=len(fits), desc="LDA K sweep", unit="fit", disable=not progress_enabled(progress))
    try:
        for idx, (k, s) in enumerate(fits):
            bar.set_postfix(k=k, seed=s)
            model = train_lda(bow, dictionary, k=k, seed=s, passes=int(passes), iterations=int(iterations),
                              alpha=alpha, eta=eta)
            tt = model.get_topics()
            term_mats[(k, s)] = tt
            for row in tt:
                top = np.lexsort((np.arange(row.shape[0]), -row))[:topn]
                topics.append([vocab[j] for j in top])
                owner.append(idx)
            bar.update(1)
    finally:
        bar.close()

    owner_arr = np.asarray(owner)
    c_v = _coherence(topics, tokens, dictionary, "c_v", topn)
    npmi = _coherence(topics, tokens, dictionary, "c_npmi", topn)
    stab = {}
    for k in ks:
        values = stability([term_mats[(k, s)] for s in seed_list])
        stab.update({(k, s): v for s, v in zip(seed_list, values)})
    rows = []
    for idx, (k, s) in enumerate(fits):
        sel = owner_arr == idx
        rows.append((k, s, float(np.mean(c_v[sel])), float(np.mean(npmi[sel])), float(stab[(k, s)])))
    scores = pd.DataFrame(rows, columns=SCORE_COLUMNS).astype({"k": "int64", "seed": "int64"})

    def _sd(x: pd.Series) -> float:
        return float(x.std(ddof=1)) if len(x) > 1 else float("nan")

    grouped = scores.groupby("k", sort=True)
    summary = pd.DataFrame({
        "k": ks,
        "c_v_mean": grouped["c_v"].mean().to_numpy(),
        "c_v_sd": grouped["c_v"].agg(_sd).to_numpy(),
        "npmi_mean": grouped["npmi"].mean().to_numpy(),
        "npmi_sd": grouped["npmi"].agg(_sd).to_numpy(),
        "stability_mean": grouped["stability"].mean().to_numpy(),
        "stability_sd": grouped["stability"].agg(_sd).to_numpy(),
        "n_seeds": grouped.size().to_numpy().astype("int64"),
    })
    best_k, rule = choose_k(summary, stability_threshold=float(stability_threshold))
    summary["chosen"] = summary["k"] == best_k
    logger.info("select_k chose k=%d among %s", best_k, ks)
    params = {"k_range": ks, "seeds": seed_list, "passes": passes, "iterations": iterations, "alpha": alpha,
              "eta": eta, "no_below": no_below, "no_above": no_above, "topn": topn,
              "stability_threshold": stability_threshold}
    return KSelection(scores=scores, summary=summary, best_k=best_k, rule=rule, params=params)
