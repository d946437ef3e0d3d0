"""Combining a statistic over topic-model runs: Rubin's rules.

With several runs of a topic model (:func:`discourse.models.runs.fit_runs`),
each run gives an estimate ``q_r`` of a statistic (a group's mean share, a
difference, a difference in differences) and its within-run sampling
variance ``u_r`` over documents.  As for multiply imputed data, the combined
estimate is ``mean(q_r)`` and its variance

    T = mean(u_r) + (1 + 1/R) var(q_r)

adds the variation between runs (the model's) to the documents'; the t
reference distribution takes Barnard & Rubin's small-sample degrees of
freedom.  The interval and the p-value of ``estimate = 0`` come from the same
t statistic.  ``model_share = 1 - sqrt(mean(u_r) / T)`` is the share of the
interval's width that the variation between runs adds.

With one run this is the plain t interval (``T = u``, complete-data degrees
of freedom) and ``model_share`` is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Combined", "rubin_combine", "mean_parts", "linear_parts", "t_result"]


@dataclass(frozen=True)
class Combined:
    """Arrays of shape ``(n_topics,)``."""

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p_value: np.ndarray
    df: np.ndarray
    model_share: np.ndarray


def mean_parts(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Column means of ``X`` (documents x topics), their variance, complete-data df ``n - 1``."""
    n = X.shape[0]
    return X.mean(axis=0), X.var(axis=0, ddof=1) / n, float(n - 1)


def linear_parts(samples, coefs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``sum c_k mean(samples[k])``, its variance ``sum c_k^2 s_k^2 / n_k`` and Welch–Satterthwaite df."""
    est = sum(c * s.mean(axis=0) for c, s in zip(coefs, samples))
    parts = [c * c * s.var(axis=0, ddof=1) / len(s) for c, s in zip(coefs, samples)]
    var = sum(parts)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = var**2 / sum(p**2 / (len(s) - 1) for p, s in zip(parts, samples))
    return est, var, np.where(var > 0, df, np.inf)


def rubin_combine(estimates: np.ndarray, variances: np.ndarray, df_complete, confidence_level: float) -> Combined:
    """Combine per-run estimates ``(R, K)`` and within-run variances ``(R, K)``.

    Parameters
    ----------
    estimates, variances : ndarray, shape (n_runs, n_topics)
    df_complete : float or ndarray, shape (n_topics,)
        Degrees of freedom of one run's t statistic (e.g. ``n - 1``).
    confidence_level : float

    References
    ----------
    Rubin, D. B. (1987). *Multiple Imputation for Nonresponse in Surveys*. Wiley.
    Barnard, J., & Rubin, D. B. (1999). Small-sample degrees of freedom with
    multiple imputation. *Biometrika*, 86(4), 948-955.
    Roberts, M. E., Stewart, B. M., & Tingley, D. (2019). stm: An R package for
    structural topic models. *Journal of Statistical Software*, 91(2), 1-40
    (the method of composition over topic-model uncertainty).
    """
    Q = np.atleast_2d(np.asarray(estimates, dtype=float))
    U = np.atleast_2d(np.asarray(variances, dtype=float))
    R = Q.shape[0]
    q = Q.mean(axis=0)
    u = U.mean(axis=0)
    nu_com = np.broadcast_to(np.asarray(df_complete, dtype=float), q.shape).copy()
    if R > 1:
        b = (1.0 + 1.0 / R) * Q.var(axis=0, ddof=1)
        T = u + b
        with np.errstate(invalid="ignore", divide="ignore"):
            lam = np.where(T > 0, b / T, 0.0)
            nu_old = np.where(lam > 0, (R - 1) / lam**2, np.inf)
            nu_obs = np.where(np.isfinite(nu_com), (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lam), np.inf)
            df = 1.0 / (1.0 / nu_old + 1.0 / nu_obs)
            share = np.where(T > 0, 1.0 - np.sqrt(u / T), 0.0)
    else:
        T, df, share = u, nu_com, np.full(q.shape, np.nan)
    return t_result(q, T, df, share, confidence_level)


def t_result(q: np.ndarray, T: np.ndarray, df, share: np.ndarray, confidence_level: float) -> Combined:
    """Interval and two-sided p-value of ``q = 0`` from one t statistic ``q / sqrt(T)`` on ``df``."""
    q = np.asarray(q, dtype=float)
    T = np.asarray(T, dtype=float)
    se = np.sqrt(T)
    with np.errstate(invalid="ignore", divide="ignore"):
        tcrit = stats.t.ppf(0.5 + confidence_level / 2, df)
        p = 2 * stats.t.sf(np.abs(q) / se, df)
    low, high = q - tcrit * se, q + tcrit * se
    zero = T <= 0
    low[zero], high[zero] = q[zero], q[zero]
    p[zero] = np.where(q[zero] == 0, 1.0, 0.0)
    return Combined(q, low, high, p, np.asarray(df, dtype=float), np.asarray(share, dtype=float))
