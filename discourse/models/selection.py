"""Choosing the number of LDA topics as R's ``stm::searchK`` does, with a documented rule.

:func:`select_k` fits LDA for every K in a range and every seed in a list,
on the passages with half the tokens of 10% of them held out (document
completion, :mod:`._searchk_metrics`), and scores each fit by

* held-out log-likelihood per token (Wallach et al. 2009);
* semantic coherence (Mimno et al. 2011) and exclusivity (FREX-based, as
  stm's ``exclusivity``; Bischof & Airoldi 2012);
* C_V and NPMI coherence (gensim's ``CoherenceModel``; Röder et al. 2015,
  Bouma 2009);
* stability across seeds: the mean, over the other seeds' fits at the same
  K, of the mean cosine similarity of topic-term distributions after the
  topics of the two fits are matched one to one (Hungarian algorithm), in
  the manner of Greene, O'Callaghan & Cunningham (2014).

K is then chosen by :data:`RULE`.  Standard errors are standard errors of
the means they accompany: across seeds, ``sd / sqrt(n_seeds)``; for the
held-out likelihood, ``sqrt(sd_passages**2 / n_heldout + sd_seeds**2 /
n_seeds)``, the variance across the held-out passages (each passage's
per-token log-likelihood averaged over seeds first) plus that of the mean
over seeds (``benchmarks/select_k_se_check.py`` compares it with the spread
over repeated splits and fits).

References
----------
.. [1] Roberts, M. E., Stewart, B. M., & Tingley, D. (2019). stm: An R package
   for structural topic models. *Journal of Statistical Software*, 91(2).
   (``searchK``)
.. [2] Wallach, H. M., Murray, I., Salakhutdinov, R., & Mimno, D. (2009).
   Evaluation methods for topic models. *ICML 2009*, 1105-1112.
.. [3] Mimno, D., Wallach, H. M., Talley, E., Leenders, M., & McCallum, A.
   (2011). Optimizing semantic coherence in topic models. *EMNLP 2011*, 262-272.
.. [4] Bischof, J. M., & Airoldi, E. M. (2012). Summarizing topical content
   with word frequency and exclusivity. *ICML 2012*, 201-208.
.. [5] Röder, M., Both, A., & Hinneburg, A. (2015). Exploring the space of
   topic coherence measures. *WSDM '15*, 399-408. (C_V)
.. [6] Bouma, G. (2009). Normalized (pointwise) mutual information in
   collocation extraction. *Proceedings of GSCL*, 31-40. (NPMI)
.. [7] Greene, D., O'Callaghan, D., & Cunningham, P. (2014). How many topics?
   Stability analysis for topic models. *ECML PKDD 2014*, 498-513.
.. [8] Breiman, L., Friedman, J., Olshen, R., & Stone, C. (1984).
   *Classification and Regression Trees*; Hastie, T., Tibshirani, R., &
   Friedman, J. (2009). *The Elements of Statistical Learning*, 2nd ed.,
   section 7.10. (the one-standard-error rule)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._base import check_prepared, int_sequence, passage_tokens, positive_int, progress_enabled
from ._gensim_lda import build_dictionary, check_priors, infer_doc_topics, train_lda
from ._searchk_metrics import exclusivity, heldout_loglik, make_heldout, semantic_coherence, top_terms

__all__ = ["KSelection", "select_k", "stability", "choose_k", "RULE"]

logger = logging.getLogger(__name__)

#: Measures scored per fit (higher is better for each).
MEASURES = ("heldout", "coherence", "exclusivity", "c_v", "npmi", "stability")
SCORE_COLUMNS = ["k", "seed", *MEASURES]
SUMMARY_COLUMNS = ["k", *[f"{m}_{s}" for m in MEASURES for s in ("mean", "sd", "se")], "n_seeds", "n_heldout",
                   "eligible", "chosen"]
#: stm ``make.heldout``: the share of passages partly held out and the share of their tokens held out.
HELDOUT_FRACTION = 0.1
HELDOUT_PROPORTION = 0.5

#: The rule :func:`select_k` applies (``{t}`` is the stability threshold).
RULE = (
    "Held-out log-likelihood per token by document completion (stm searchK) decides which K are eligible: "
    "those whose mean is within one standard error of the best mean (the one-standard-error rule of Breiman "
    "et al. 1984; the standard error is that of the best K's mean, over held-out passages and seeds) and whose "
    "mean stability across seeds is at least {t:g}; among the eligible K, the one with the highest sum of "
    "standardised mean semantic coherence (Mimno et al. 2011) and mean exclusivity (FREX, stm) is chosen "
    "(each standardised over all K tried; ties to the smaller K)."
)


@dataclass(frozen=True)
class KSelection:
    """The result of :func:`select_k`.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per (k, seed): ``k, seed, heldout, coherence, exclusivity,
        c_v, npmi, stability`` (each a mean over the fit's topics, except
        ``heldout``: mean per-token log-likelihood over the held-out passages).
    summary : pandas.DataFrame
        One row per k: for each measure ``<m>_mean, <m>_sd, <m>_se`` (mean
        over seeds, standard deviation across seeds, standard error of the
        mean; ``stability_se`` is empty because the seeds' stabilities
        share pairs of fits; for ``heldout`` the standard deviation is across held-out
        passages and the standard error combines passages and seeds, see the
        module docstring), then ``n_seeds, n_heldout, eligible, chosen``.
    heldout : pandas.DataFrame
        One row per (k, held-out passage): ``k, passage, loglik`` (per-token
        held-out log-likelihood averaged over seeds; ``passage`` is the row
        number in ``prepared.passages``).
    best_k : int
        The chosen number of topics.
    rule : str
        The rule that chose it, in words.
    """

    scores: pd.DataFrame
    summary: pd.DataFrame
    best_k: int
    rule: str
    heldout: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)
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


def _zscore(x: pd.Series) -> pd.Series:
    sd = float(x.std(ddof=0))
    return (x - x.mean()) / sd if sd > 0 else x * 0.0


def choose_k(summary: pd.DataFrame, *, stability_threshold: float) -> tuple[int, str, pd.Series]:
    """Apply :data:`RULE` to a summary table.

    Returns
    -------
    (int, str, pandas.Series of bool)
        The chosen K, the rule's text (with a note when a fallback applied)
        and which rows of ``summary`` were eligible.
    """
    rule = RULE.format(t=stability_threshold)
    s = summary.reset_index(drop=True)
    ok = pd.Series(True, index=s.index)
    if s["n_seeds"].max() >= 2:
        stable = s["stability_mean"] >= stability_threshold
        if stable.any():
            ok &= stable
        else:
            logger.warning("no K reaches mean stability %.2f (best %.2f); stability does not restrict K here",
                           stability_threshold, float(s["stability_mean"].max()))
            rule += " [No K reached the stability threshold here, so stability did not restrict K.]"
    held = s["heldout_mean"].where(ok)
    if held.notna().any():
        best = int(held.idxmax())
        se = float(s.loc[best, "heldout_se"]) if np.isfinite(s.loc[best, "heldout_se"]) else 0.0
        ok &= s["heldout_mean"] >= float(s.loc[best, "heldout_mean"]) - se
    # standardised over every K tried, so that each measure's scale is its spread over the whole sweep
    combined = (_zscore(s["coherence_mean"]) + _zscore(s["exclusivity_mean"]))[ok]
    cand = s[ok]
    order = np.lexsort((cand["k"].to_numpy(), -combined.round(12).to_numpy()))
    return int(cand["k"].iloc[order[0]]), rule, ok


def _summarise(scores: pd.DataFrame, heldout: pd.DataFrame, ks: list[int]) -> pd.DataFrame:
    """One row per K: mean, sd and standard error of every measure."""
    grouped = scores.groupby("k", sort=True)
    out = pd.DataFrame({"k": ks})
    n_seeds = grouped.size().reindex(ks).to_numpy().astype("int64")
    for m in MEASURES:
        out[f"{m}_mean"] = grouped[m].mean().reindex(ks).to_numpy()
        sd = grouped[m].std(ddof=1).reindex(ks).to_numpy()
        out[f"{m}_sd"] = sd
        # a seed's stability averages its similarities to the other seeds, so the seeds' values share pairs
        # and are not independent: no standard error is given for it
        out[f"{m}_se"] = np.nan if m == "stability" else sd / np.sqrt(n_seeds)
    per_doc = heldout.groupby("k", sort=True)["loglik"]
    n_held = per_doc.size().reindex(ks).to_numpy().astype("int64")
    out["heldout_mean"] = per_doc.mean().reindex(ks).to_numpy()
    out["heldout_sd"] = per_doc.std(ddof=1).reindex(ks).to_numpy()
    # which passages are held out and which seed fits the model both move the mean: the standard error
    # adds the variance across held-out passages and the variance of the seeds' mean (when >= 2 seeds)
    seed_var = grouped["heldout"].var(ddof=1).reindex(ks).to_numpy() / n_seeds
    out["heldout_se"] = np.sqrt(out["heldout_sd"].to_numpy() ** 2 / n_held + np.nan_to_num(seed_var))
    out["n_seeds"] = n_seeds
    out["n_heldout"] = n_held
    return out


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
    """Choose the number of LDA topics by held-out likelihood, coherence, exclusivity and stability.

    Holds out half the tokens of 10% of the passages (drawn with the first
    seed), fits :class:`~discourse.models.LDA`'s gensim model on the rest for
    every K in ``k_range`` and every seed in ``seeds`` (same vocabulary and
    settings), scores every fit (see the module docstring) and picks K by
    :data:`RULE`.

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
        Top terms per topic scored by semantic coherence, exclusivity, C_V and NPMI.
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
        For a bad ``k_range``, ``seeds``, ``topn`` or threshold, or LDA setting.
    CorpusTooSmallError
        If the vocabulary is empty.

    Examples
    --------
    >>> import discourse
    >>> sel = select_k(discourse.prepare(discourse.load_seeds()), k_range=(2, 3), seeds=(0, 1), passes=2)
    >>> list(sel.summary.columns)[:4], sel.best_k in (2, 3)
    (['k', 'heldout_mean', 'heldout_sd', 'heldout_se'], True)
    """
    import scipy.sparse as sp
    from tqdm.auto import tqdm

    ks = int_sequence("k_range", k_range, minimum=2)
    int_sequence("seeds", seeds, minimum=0)  # validates
    seed_list = [int(s) for s in seeds]  # the user's order
    passes = positive_int("passes", passes)
    iterations = positive_int("iterations", iterations)
    no_below = positive_int("no_below", no_below)
    no_above = check_priors(alpha, eta, no_above)
    topn = positive_int("topn", topn, minimum=2)
    check_param("stability_threshold", stability_threshold, "a number in [0, 1]",
                isinstance(stability_threshold, (int, float)) and not isinstance(stability_threshold, bool)
                and 0 <= stability_threshold <= 1)
    check_prepared(prepared)
    tokens = passage_tokens(prepared)
    if _dictionary is None:
        dictionary, bow = build_dictionary(tokens, no_below=no_below, no_above=no_above)
    else:
        dictionary, bow = _dictionary
    if topn > len(dictionary):
        raise ParameterError(f"topn={topn} is not allowed: the vocabulary has only {len(dictionary)} terms")
    vocab = [dictionary[i] for i in range(len(dictionary))]
    split = make_heldout(bow, fraction=HELDOUT_FRACTION, proportion=HELDOUT_PROPORTION, seed=seed_list[0])
    observed = [split.train[i] for i in split.index]
    rows_, cols_, vals_ = [], [], []
    for d, row in enumerate(bow):
        for t, c in row:
            rows_.append(d)
            cols_.append(t)
            vals_.append(c)
    doc_term = sp.csc_matrix((vals_, (rows_, cols_)), shape=(len(bow), len(dictionary)), dtype=np.float64)

    fits: list[tuple[int, int]] = [(k, s) for k in ks for s in seed_list]
    topics: list[list[str]] = []
    owner: list[int] = []
    term_mats: dict[tuple[int, int], np.ndarray] = {}
    per_fit: list[tuple[float, float, float]] = []
    loglik: dict[tuple[int, int], np.ndarray] = {}
    bar = tqdm(total=len(fits), desc="LDA K sweep", unit="fit", disable=not progress_enabled(progress))
    try:
        for idx, (k, s) in enumerate(fits):
            bar.set_postfix(k=k, seed=s)
            model = train_lda(split.train, dictionary, k=k, seed=s, passes=passes, iterations=iterations,
                              alpha=alpha, eta=eta)
            tt = model.get_topics().astype(np.float64)
            term_mats[(k, s)] = tt
            ll = heldout_loglik(infer_doc_topics(model, observed, s), tt, split.missing)
            loglik[(k, s)] = ll
            top = top_terms(tt, topn)
            per_fit.append((float(ll.mean()) if len(ll) else float("nan"),
                            float(semantic_coherence(top, doc_term).mean()), float(exclusivity(tt, top).mean())))
            for row in top:
                topics.append([vocab[j] for j in row])
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
        rows.append((k, s, *per_fit[idx], float(np.mean(c_v[sel])), float(np.mean(npmi[sel])), float(stab[(k, s)])))
    scores = pd.DataFrame(rows, columns=SCORE_COLUMNS).astype({"k": "int64", "seed": "int64"})
    heldout = pd.DataFrame({
        "k": np.repeat(np.asarray(ks, dtype=np.int64), len(split.index)),
        "passage": np.tile(split.index, len(ks)),
        "loglik": np.concatenate([np.mean([loglik[(k, s)] for s in seed_list], axis=0) for k in ks]),
    })
    summary = _summarise(scores, heldout, ks)
    best_k, rule, eligible = choose_k(summary, stability_threshold=float(stability_threshold))
    summary["eligible"] = eligible.to_numpy()
    summary["chosen"] = summary["k"] == best_k
    logger.info("select_k chose k=%d among %s", best_k, ks)
    params = {"k_range": ks, "seeds": seed_list, "passes": passes, "iterations": iterations, "alpha": alpha,
              "eta": eta, "no_below": no_below, "no_above": no_above, "topn": topn,
              "stability_threshold": stability_threshold, "heldout_fraction": HELDOUT_FRACTION,
              "heldout_proportion": HELDOUT_PROPORTION, "heldout_seed": seed_list[0]}
    return KSelection(scores=scores, summary=summary[SUMMARY_COLUMNS], best_k=best_k, rule=rule, heldout=heldout,
                      params=params)
