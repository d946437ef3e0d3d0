"""The method of composition: runs x posterior draws as nested imputations.

A topic model's document shares are estimates.  Following R stm's
``estimateEffect`` (Roberts, Stewart & Tingley 2019), the comparisons compute
their statistic on several *imputations* of the shares and combine them with
the documents' sampling variance:

* for a model with runs and a variational posterior (LDA through
  :func:`discourse.models.runs.fit_runs`): in each of the ``R`` runs,
  ``M = n_draws`` draws of every passage's shares from its variational
  Dirichlet ``theta ~ Dirichlet(gamma_d)``, aggregated to documents as
  :func:`discourse.compare.document_topic_shares` does (token-weighted mean of
  the passages).  Runs are the first stage and draws the second of a nested
  multiple imputation, combined by Shen's rules (below);
* for runs without a posterior (BERTopic): one layer per run, Rubin's rules
  (:func:`discourse.compare._combine.rubin_combine`), unchanged;
* for one fitted model: one layer.

Nested combination (Shen 2000; Rubin 2003), per topic, with ``q_rm`` the
statistic in draw ``m`` of run ``r`` and ``u_rm`` its variance over documents::

    B = var_r(mean_m q_rm)                    (between runs)
    W = mean_r var_m(q_rm)                    (between draws within a run)
    T = mean(u) + (1 + 1/R) B + (1 - 1/M) W
    1/nu_mi = ((1 + 1/R) B / T)^2 / (R - 1) + ((1 - 1/M) W / T)^2 / (R (M - 1))

and the complete-data degrees of freedom enter as in Barnard & Rubin (1999).
The interval and the p-value of ``estimate = 0`` come from one t statistic,
so the interval excludes 0 exactly when ``p < 1 - confidence_level``.
``model_share = 1 - sqrt(mean(u) / T)`` is the share of the interval's width
the model (runs and posterior) adds to the documents'.

The draws are a pure function of each run's seed: the same model gives the
same draws in every comparison and every process.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._combine import Combined, rubin_combine, t_result

__all__ = ["imputed_doc_shares", "combine", "n_runs_of"]

# second entropy word of the posterior draws' seed sequence (distinct from other uses of a run's seed)
_DRAW_STREAM = 0x64726177


def n_runs_of(model: Any) -> int:
    """Number of model runs behind ``model`` (1 for a single fitted model)."""
    runs = getattr(model, "runs_doc_topic_", None)
    return 1 if runs is None else len(runs)


def _draws(gamma: np.ndarray, n_draws: int, seed: int) -> np.ndarray:
    """``n_draws`` passage-share matrices from ``Dirichlet(gamma_d)`` per row, shape (n_draws, n, K)."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) % 2**32, _DRAW_STREAM]))
    g = rng.standard_gamma(np.broadcast_to(gamma, (n_draws,) + gamma.shape))
    total = g.sum(axis=-1, keepdims=True)
    mean = gamma / gamma.sum(axis=-1, keepdims=True)
    # a row whose gamma variates all underflow to 0 takes its posterior mean
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, g / total, mean[None])


def imputed_doc_shares(model: Any, W) -> tuple[np.ndarray, int]:
    """Document topic shares of every imputation and the draws per run.

    Parameters
    ----------
    model : fitted topic model or ModelRuns
    W : sparse matrix, shape (n_docs, n_passages)
        Row-normalised document x passage weights.

    Returns
    -------
    shares : ndarray, shape (n_runs * n_draws, n_docs, n_topics)
        Run-major: rows ``r * n_draws .. (r + 1) * n_draws - 1`` are run ``r``'s.
        Without a posterior, one layer per run (``n_draws = 1``): each run's
        ``doc_topic_`` aggregated.
    n_draws : int
        Layers per run (1 without a posterior).
    """
    runs = getattr(model, "runs_doc_topic_", None)
    posterior = getattr(model, "runs_posterior_", None)
    n_draws = int(getattr(model, "n_draws", 0) or 0)
    if runs is None:
        return np.stack([np.asarray(W @ np.asarray(model.doc_topic_, dtype=float))]), 1
    if posterior is None or n_draws < 1:
        return np.stack([np.asarray(W @ t) for t in np.asarray(runs, dtype=float)]), 1
    seeds = list(getattr(model, "seeds", range(len(posterior))))
    layers = []
    for gamma, seed in zip(np.asarray(posterior, dtype=float), seeds):
        for theta in _draws(gamma, n_draws, seed):
            layers.append(np.asarray(W @ theta))
    return np.stack(layers), n_draws


def combine(estimates: np.ndarray, variances: np.ndarray, df_complete, confidence_level: float,
            n_draws: int = 1) -> Combined:
    """Combine imputations ``(n_runs * n_draws, K)``: Rubin's rules for one layer per run, Shen's when nested.

    References
    ----------
    Shen, Z. (2000). *Nested multiple imputation*. PhD thesis, Harvard University.
    Rubin, D. B. (2003). Nested multiple imputation of NMES via partially
    incompatible MCMC. *Statistica Neerlandica*, 57(1), 3-18.
    Barnard, J., & Rubin, D. B. (1999). Small-sample degrees of freedom with
    multiple imputation. *Biometrika*, 86(4), 948-955.
    Roberts, M. E., Stewart, B. M., & Tingley, D. (2019). stm: An R package for
    structural topic models. *Journal of Statistical Software*, 91(2), 1-40.
    """
    Q = np.atleast_2d(np.asarray(estimates, dtype=float))
    U = np.atleast_2d(np.asarray(variances, dtype=float))
    M = int(n_draws)
    R = Q.shape[0] // max(M, 1)
    if M <= 1 or R <= 1:  # one layer per run, or the draws of a single run: Rubin's rules
        return rubin_combine(Q, U, df_complete, confidence_level)
    Qn = Q.reshape(R, M, -1)
    q = Qn.mean(axis=(0, 1))
    u = U.mean(axis=0)
    b = (1.0 + 1.0 / R) * Qn.mean(axis=1).var(axis=0, ddof=1)
    w = (1.0 - 1.0 / M) * Qn.var(axis=1, ddof=1).mean(axis=0)
    T = u + b + w
    nu_com = np.broadcast_to(np.asarray(df_complete, dtype=float), q.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_mi = np.where(T > 0, (b / T) ** 2 / (R - 1) + (w / T) ** 2 / (R * (M - 1)), 0.0)
        lam = np.where(T > 0, (b + w) / T, 0.0)
        nu_obs = np.where(np.isfinite(nu_com), (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lam), np.inf)
        df = 1.0 / (inv_mi + 1.0 / nu_obs)
        share = np.where(T > 0, 1.0 - np.sqrt(u / T), 0.0)
    return t_result(q, T, df, share, confidence_level)
