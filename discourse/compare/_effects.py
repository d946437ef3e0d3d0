"""Covariate effects on topic weight: document shares regressed on metadata.

As R stm's ``estimateEffect``: each document's topic shares (token-weighted
passage rows, as in :func:`discourse.compare.prevalence`) are regressed on
metadata with a formula (:func:`statsmodels.formula.api.ols`; categorical and
continuous covariates, interactions, and a smooth trend in the publication
date with patsy's ``bs(year, df=3)``, the counterpart of stm's ``s(year)``).
With several runs of the topic model (:func:`discourse.models.runs.fit_runs`)
the regression is fitted on every imputation of the shares (every run, and
for LDA every draw from each run's variational posterior) and the
coefficients combined by nested imputation rules
(:mod:`discourse.compare._composition`), so the intervals include the
variation between runs and within the topic posterior (the method of
composition of Roberts, Stewart & Tingley 2019).  Coefficient variances are heteroscedasticity-robust
(HC3, MacKinnon & White 1985) by default: topic shares vary more where they
are larger.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._calibration import family, interval_note, resolve_min_docs
from ._composition import combine, imputed_doc_shares, n_runs_of
from ._prevalence import doc_passage_matrix
from ._results import EffectResult
from ._stats import bh_adjust, check_model, check_prepared, model_name, topic_label, unstable_flags

__all__ = ["effects", "decimal_year"]

logger = logging.getLogger(__name__)

EFFECT_COLUMNS = ["model", "topic", "label", "term", "estimate", "ci_low", "ci_high", "p_value", "p_adj", "n_docs",
                  "model_share", "unstable", "n_runs", "ci_note"]
_COV_TYPES = ("HC3", "HC1", "nonrobust")


def decimal_year(published: pd.Series) -> pd.Series:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as a decimal year (mid-month / mid-year when less precise)."""
    def one(v: Any) -> float:
        m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", str(v)) if isinstance(v, str) else None
        if not m:
            return float("nan")
        y, mo, d = int(m.group(1)), m.group(2), m.group(3)
        if mo is None:
            return y + 0.5
        day = (int(d) - 0.5) if d is not None else 15.0
        return y + (int(mo) - 1 + day / 30.5) / 12.0
    return published.map(one).astype(float)


def _design_data(prepared: Any, doc_ids: np.ndarray) -> pd.DataFrame:
    meta = prepared.metadata.reindex(pd.Index(doc_ids)).copy()
    if "published" in meta.columns and "year" not in meta.columns:
        meta["year"] = decimal_year(meta["published"])
    for col in meta.columns:
        if meta[col].dtype == object:
            meta[col] = meta[col].where(meta[col].isna(), meta[col].astype(str))
    return meta.reset_index(drop=True)


def _smallest_cell(data: pd.DataFrame, variables: list[str]) -> int:
    """Documents in the smallest crossing of the formula's categorical variables (all documents if none)."""
    cats = [v for v in variables if v in data.columns and not pd.api.types.is_numeric_dtype(data[v])]
    if not cats:
        return len(data)
    return int(data.groupby(cats, observed=True).size().min())


def effects(
    prepared: Any,
    model: Any,
    formula: str = "~ period",
    *,
    confidence_level: float = 0.95,
    cov_type: str = "HC3",
    min_docs: int | None = None,
    at: pd.DataFrame | None = None,
    require_calibration: bool = True,
) -> EffectResult:
    """Regress document topic shares on metadata; one regression per topic (and run).

    Parameters
    ----------
    prepared : Prepared
    model : fitted topic model or ModelRuns
    formula : str, default "~ period"
        Right-hand side in patsy syntax over ``prepared.metadata`` columns
        (``"~ outlet_country * period"``, ``"~ bs(year, df=3)"``).  Text
        columns are categorical (treatment coding, first level in sorted
        order as reference); ``year`` is the decimal year of ``published``.
        Documents missing a variable are left out.
    confidence_level : float, default 0.95
    cov_type : {"HC3", "HC1", "nonrobust"}, default "HC3"
    min_docs : int or None
        Smallest crossing of the formula's categorical variables given
        intervals; ``None``: the calibrated size.
    at : DataFrame, optional
        Covariate values for ``predicted``; default every observed
        combination of the categorical variables, and 25 points over the
        range of each numeric one.
    require_calibration : bool, default True
        As in :func:`prevalence`.

    Returns
    -------
    EffectResult
        ``.to_frame()``: ``model, topic, label, term, estimate, ci_low,
        ci_high, p_value, p_adj, n_docs, model_share, unstable, n_runs,
        ci_note`` (``effects.csv``); ``.predicted``: the predicted share per
        topic at each row of ``at`` with its interval (``predicted.csv``).
        ``p_adj`` is Benjamini–Hochberg across topics within a term.  Each
        interval and its p-value come from one t statistic.

    Raises
    ------
    ParameterError
        A formula naming an unknown column or failing to parse, a bad parameter.

    References
    ----------
    Roberts, M. E., Stewart, B. M., & Tingley, D. (2019). stm: An R package for
    structural topic models. *Journal of Statistical Software*, 91(2), 1-40.
    MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
    covariance matrix estimators with improved finite sample properties.
    *Journal of Econometrics*, 29(3), 305-325.
    Rubin, D. B. (1987). *Multiple Imputation for Nonresponse in Surveys*. Wiley.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    >>> res = discourse.effects(prepared, lda, "~ period")
    >>> sorted(res.to_frame()["term"].unique())
    ['Intercept', 'period[T.2021]', 'period[T.2024]']
    """
    import patsy
    import statsmodels.api as sm

    check_prepared(prepared)
    check_model(model, len(prepared.passages))
    check_param("formula", formula, 'a right-hand side such as "~ period"',
                isinstance(formula, str) and formula.strip().startswith("~"))
    check_param("cov_type", cov_type, f"one of {_COV_TYPES}", cov_type in _COV_TYPES)
    check_param("confidence_level", confidence_level, "a number strictly between 0 and 1",
                isinstance(confidence_level, (int, float)) and 0 < confidence_level < 1)
    name, fam = model_name(model), family(model)
    min_docs = resolve_min_docs(fam, "effect", min_docs)
    doc_ids, W, _ = doc_passage_matrix(prepared)
    runs, n_draws = imputed_doc_shares(model, W)
    data = _design_data(prepared, doc_ids)
    try:
        X = patsy.dmatrix(formula, data, return_type="dataframe", NA_action="drop")
    except (patsy.PatsyError, NameError, KeyError, SyntaxError) as exc:
        raise ParameterError(f"formula={formula!r} is not allowed: {str(exc).splitlines()[0]}; "
                             f"columns are {list(data.columns)}") from None
    keep = X.index.to_numpy()
    variables = sorted({f.name() for term in X.design_info.terms for f in term.factors} & set(data.columns)
                       | {c for c in data.columns if re.search(rf"\b{re.escape(str(c))}\b", formula)})
    n_cell = _smallest_cell(data.iloc[keep], variables)
    note = interval_note(fam, "effect", n_cell, min_docs, require_calibration=require_calibration)
    rank = int(np.linalg.matrix_rank(X.to_numpy()))
    identified = rank == X.shape[1]
    if not identified:
        note = (f"not identified: the formula's terms are confounded in these documents (design rank {rank} "
                f"of {X.shape[1]} columns); see predicted for the shares")
        logger.warning("effects %s: design rank %d of %d columns; coefficients not identified", formula, rank,
                       X.shape[1])
    elif len(keep) <= X.shape[1]:
        note = note or f"no interval: {len(keep)} documents for {X.shape[1]} coefficients"
    topics = list(model.topic_ids_)
    labels = [topic_label(model, t) for t in topics]
    unstable = unstable_flags(model)
    terms = list(X.columns)
    est = np.empty((len(runs), len(topics), len(terms)))
    var = np.empty_like(est)
    fits = []
    import warnings

    from statsmodels.tools.sm_exceptions import SingularMatrixWarning

    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", SingularMatrixWarning)  # reported once above, as a log record
        for r, S in enumerate(runs):
            row = []
            for k in range(len(topics)):
                res = sm.OLS(S[keep, k], X.to_numpy()).fit(cov_type=cov_type, use_t=True)
                est[r, k], var[r, k] = res.params, np.diag(res.cov_params())
                row.append(res)
            fits.append(row)
    df_resid = float(len(keep) - rank)
    blocks = []
    for k, topic in enumerate(topics):
        comb = combine(est[:, k, :], var[:, k, :], df_resid, confidence_level, n_draws)
        nan = np.full(len(terms), np.nan)
        p = comb.p_value if n_cell >= 2 and len(keep) > X.shape[1] and identified else nan
        blocks.append(pd.DataFrame({
            "model": name, "topic": topic, "label": labels[k], "term": terms,
            "estimate": comb.estimate if identified else nan,
            "ci_low": nan if note else comb.low, "ci_high": nan if note else comb.high,
            "p_value": p, "n_docs": len(keep), "model_share": nan if note else comb.model_share,
            "unstable": bool(unstable[k]), "n_runs": n_runs_of(model), "ci_note": note, "_k": k,
        }))
    table = pd.concat(blocks, ignore_index=True)
    table["p_adj"] = np.nan
    for term, idx in table.groupby("term", sort=False).groups.items():
        table.loc[idx, "p_adj"] = bh_adjust(table.loc[idx, "p_value"].to_numpy())
    table = table.sort_values(["_k"], kind="mergesort").drop(columns="_k").reset_index(drop=True)[EFFECT_COLUMNS]
    predicted = _predict(fits, X, data.iloc[keep], variables, at, name, topics, labels, unstable, note,
                         df_resid, confidence_level, n_draws)
    params = {"model": name, "formula": formula, "cov_type": cov_type, "confidence_level": confidence_level,
              "min_docs": min_docs, "n_runs": n_runs_of(model), "n_draws": n_draws if n_draws > 1 else 0,
              "interval": (("nested imputation over runs and posterior draws (Shen's rules), t within each"
                            if n_draws > 1 else "Rubin's rules over runs, t within runs") if len(runs) > 1 else "t")}
    counts = {"n_docs": len(doc_ids), "n_docs_used": int(len(keep)), "smallest_cell": n_cell}
    return EffectResult(table=table, params=params, counts=counts, predicted=predicted)


def _default_at(data: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    cats = [v for v in variables if not pd.api.types.is_numeric_dtype(data[v])]
    nums = [v for v in variables if pd.api.types.is_numeric_dtype(data[v])]
    grid = data[cats].drop_duplicates().sort_values(cats, kind="mergesort") if cats else pd.DataFrame(index=[0])
    grid = grid.reset_index(drop=True)
    for v in nums:
        lo, hi = float(data[v].min()), float(data[v].max())
        points = pd.DataFrame({v: np.linspace(lo, hi, 25) if hi > lo else [lo]})
        grid = grid.merge(points, how="cross")
    return grid


def _predict(fits, X, data, variables, at, name, topics, labels, unstable, note, df_resid, level,
             n_draws=1) -> pd.DataFrame:
    import patsy

    at = _default_at(data, variables) if at is None else pd.DataFrame(at).reset_index(drop=True)
    if at.empty or not variables:
        return pd.DataFrame()
    try:
        Xn = np.asarray(patsy.build_design_matrices([X.design_info], at, NA_action="raise")[0])
    except patsy.PatsyError as exc:
        raise ParameterError(f"at is not allowed: {str(exc).splitlines()[0]}") from None
    rows = []
    for k, topic in enumerate(topics):
        pred = np.stack([Xn @ run[k].params for run in fits])
        pvar = np.stack([np.einsum("ij,jk,ik->i", Xn, run[k].cov_params(), Xn) for run in fits])
        comb = combine(pred, pvar, df_resid, level, n_draws)
        frame = at.copy()
        frame.insert(0, "label", labels[k])
        frame.insert(0, "topic", topic)
        frame.insert(0, "model", name)
        frame["share"] = comb.estimate
        frame["ci_low"] = np.nan if note else np.clip(comb.low, 0.0, 1.0)
        frame["ci_high"] = np.nan if note else np.clip(comb.high, 0.0, 1.0)
        frame["unstable"] = bool(unstable[k])
        frame["ci_note"] = note
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)
