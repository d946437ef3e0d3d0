"""Differences in topic weight between groups, and difference-in-differences.

Topic weight is defined as in :mod:`discourse.compare._prevalence` (document
shares = token-weighted passage rows; group share = mean over documents).
Each interval comes from the same statistic as its p-value, so an interval
excludes 0 exactly when ``p_value < 1 - confidence_level``: the contrast's
interval inverts its permutation test, the difference-in-differences uses one
Welch t statistic for both.  Intervals are printed only where the coverage
simulation with fitted models backs them (:mod:`discourse.compare._calibration`).
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._calibration import family, interval_note, resolve_min_docs
from ._combine import linear_parts
from ._composition import combine, imputed_doc_shares, n_runs_of
from ._groups import as_groupings, doc_groups, sorted_groups, split_by
from ._intervals import permutation_interval
from ._prevalence import doc_passage_matrix
from ._results import ContrastResult, DiDResult
from ._stats import (
    bh_adjust,
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

__all__ = ["contrasts", "diff_in_diff"]

logger = logging.getLogger(__name__)

CONTRAST_COLUMNS = ["model", "topic", "grouping", "group_a", "group_b", "difference", "ci_low", "ci_high",
                    "p_value", "p_adj", "n_a", "n_b", "label", "too_few", "exact", "p_min", "model_share", "unstable",
                    "n_runs", "ci_note"]
DID_COLUMNS = ["model", "topic", "label", "grouping", "treated", "control", "before", "after", "did", "ci_low",
               "ci_high", "change_treated", "change_control", "n_treated_before", "n_treated_after",
               "n_control_before", "n_control_after", "too_few", "p_value", "df", "model_share", "unstable", "n_runs",
               "ci_note"]


def _shares(prepared: Any, model: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """Document ids, every imputation's document topic shares (n_runs * n_draws, n_docs, n_topics), draws per run."""
    check_prepared(prepared)
    check_model(model, len(prepared.passages))
    doc_ids, W, _ = doc_passage_matrix(prepared)
    runs, n_draws = imputed_doc_shares(model, W)
    return doc_ids, runs, n_draws


def _combined(samples_per_run, coefs, confidence_level, n_draws=1):
    """Linear contrast of group means combined over imputations (Welch variance within each)."""
    parts = [linear_parts(samples, coefs) for samples in samples_per_run]
    df = np.mean([d for _, _, d in parts], axis=0)
    return combine(np.stack([e for e, _, _ in parts]), np.stack([v for _, v, _ in parts]), df,
                   confidence_level, n_draws)


def contrasts(
    prepared: Any,
    model: Any,
    by: str | Sequence[str],
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    n_permutations: int = 2000,
    confidence_level: float = 0.95,
    min_docs: int | None = None,
    random_state: Any = 0,
    progress: bool | None = None,
    require_calibration: bool = True,
) -> ContrastResult:
    """Difference in topic weight between two groups, for every pair of groups.

    ``difference = share[group_a] - share[group_b]`` per topic (group shares as
    in :func:`prevalence`).  By default every pair of groups of each grouping
    is compared, ``group_a`` before ``group_b`` in sorted order; ``pairs``
    restricts (and orients) the comparisons.

    * ``p_value``: two-sided permutation test of the difference in means,
      documents permuted between the two groups (the same p-value as
      :func:`scipy.stats.permutation_test`); exact (all distinct splits,
      ``exact=True``) when there are at most ``n_permutations`` of them;
    * ``p_min``: the smallest p-value the test can give with these group
      sizes (``2 / C(n_a + n_b, n_a)`` when exact): with 2 against 2
      documents it is 1/3, so no data could reach p < 0.05;
    * ``ci_low, ci_high``: the interval that inverts the same test on the
      same permutations (every shift of the difference the test does not
      reject), so it excludes 0 exactly when ``p_value < 1 - confidence_level``.
      It is printed only where the coverage simulation with fitted models
      backs it (both groups with at least ``min_docs`` documents, a calibrated
      model family, and ``p_min`` below the test level); elsewhere it is NaN
      and ``ci_note`` says why;
    * ``p_adj``: Benjamini–Hochberg adjustment across the topics of one model,
      grouping and pair (the interval matches ``p_value``, not ``p_adj``).

    With several runs of the model (:class:`~discourse.models.runs.ModelRuns`)
    the difference is computed on every imputation of the document shares
    (each run; for LDA each draw from the run's variational posterior) with
    Welch's variance, and the imputations are combined (Rubin's rules over
    runs, nested rules over runs x draws:
    :mod:`discourse.compare._composition`); ``ci_low, ci_high`` and
    ``p_value`` come from that one t statistic (so they agree in the same
    way), ``model_share`` is the share of the interval's width the model
    (runs and posterior) adds, and ``p_min``/``exact`` (permutation-test
    notions) are NaN/False.

    Parameters
    ----------
    prepared : Prepared
    model : fitted topic model
    by : str or list of str
        Metadata column(s) or crossings ``"a:b"``.
    pairs : list of (str, str), optional
        Pairs ``(group_a, group_b)``; each is used in every grouping that has
        both groups.
    n_permutations : int, default 2000
    confidence_level : float, default 0.95
    min_docs : int or None, default None
        Pairs where either group has fewer documents are flagged ``too_few``
        and get no interval; ``None`` takes the calibrated size.
    random_state : int, Generator or None, default 0
    progress : bool or None, default None
        Progress bar over the pairs (None: only when stderr is a terminal).
    require_calibration : bool, default True
        Print intervals only where the coverage simulation with fitted models
        backs them.  ``False`` prints them for any group of at least
        ``min_docs`` (and 2) documents: for one's own simulations, not for
        reporting.

    Returns
    -------
    ContrastResult
        ``.to_frame()`` columns: ``model, topic, grouping, group_a, group_b,
        difference, ci_low, ci_high, p_value, p_adj, n_a, n_b, label, too_few,
        exact, p_min, ci_note``.

    Raises
    ------
    ParameterError
        Unknown column, a pair whose groups are not in any grouping, bad parameter.

    References
    ----------
    Lehmann, E. L. (1975). *Nonparametrics: Statistical Methods Based on
    Ranks*. Holden-Day (permutation tests and the intervals that invert them).

    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate.
    *Journal of the Royal Statistical Society B*, 57(1), 289-300.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    >>> res = discourse.contrasts(prepared, lda, "period", n_permutations=500)
    >>> res.to_frame()[["group_a", "group_b"]].drop_duplicates().values.tolist()
    [['2015', '2021'], ['2015', '2024'], ['2021', '2024']]
    >>> bool(res.to_frame()["too_few"].all())  # two documents per period at most
    True
    >>> float(res.to_frame().query("group_a == '2015' and group_b == '2024'")["p_min"].iloc[0])  # 2 against 2
    0.3333333333333333
    """
    groupings = as_groupings(by)
    name = model_name(model)
    check_common(1, confidence_level, "percentile", min_docs if min_docs is not None else 1)
    check_param("n_permutations", n_permutations, "an integer >= 1",
                isinstance(n_permutations, (int, np.integer)) and n_permutations >= 1)
    seed = normalize_seed(random_state)
    fam = family(model)
    min_docs = resolve_min_docs(fam, "contrast", min_docs)
    doc_ids, runs, n_draws = _shares(prepared, model)
    shares = runs.mean(axis=0)
    unstable = unstable_flags(model)
    topics = list(model.topic_ids_)
    labels = [topic_label(model, t) for t in topics]
    pair_list = [tuple(map(str, p)) for p in pairs] if pairs is not None else None
    if pair_list is not None and any(len(p) != 2 or p[0] == p[1] for p in pair_list):
        raise ParameterError(f"pairs={pairs!r} is not allowed: expected pairs of two different groups")
    used: set[tuple[str, str]] = set()
    blocks: list[pd.DataFrame] = []
    per_group: dict[str, dict[str, int]] = {}
    n_unknown: dict[str, int] = {}
    jobs = []
    for grouping in groupings:
        lab = doc_groups(prepared.metadata, grouping, doc_ids)
        groups = sorted_groups(lab)
        tally = Counter(lab.tolist())
        per_group[grouping] = {g: int(tally[g]) for g in groups}
        n_unknown[grouping] = int(tally.get(None, 0))
        if pair_list is None:
            todo = list(itertools.combinations(groups, 2))
        else:
            todo = [p for p in pair_list if p[0] in groups and p[1] in groups]
            used.update(todo)
        jobs += [(grouping, lab, a, b) for a, b in todo]
    for grouping, lab, a, b in progress_bar(jobs, total=len(jobs), desc=f"contrasts {name}", progress=progress):
        ma, mb = lab == a, lab == b
        n_a, n_b = int(ma.sum()), int(mb.sum())
        nan = np.full(len(topics), np.nan)
        if len(runs) > 1:
            p_min, exact, diff = float("nan"), False, shares[ma].mean(axis=0) - shares[mb].mean(axis=0)
            if min(n_a, n_b) >= 2:
                comb = _combined([[S[ma], S[mb]] for S in runs], [1.0, -1.0], confidence_level, n_draws)
                low, high = np.clip(comb.low, -1.0, 1.0), np.clip(comb.high, -1.0, 1.0)
                p, model_share = comb.p_value, comb.model_share
            else:
                low, high, p, model_share = nan, nan, nan, nan
        else:
            res = permutation_interval(shares[ma], shares[mb], n_permutations=n_permutations,
                                       confidence_level=confidence_level,
                                       rng=rng_for(seed, "contrast-perm", name, grouping, a, b))
            diff, low, high, p, p_min, exact = res.difference, res.low, res.high, res.p_value, res.p_min, res.exact
            model_share = nan
        note = interval_note(fam, "contrast", min(n_a, n_b), min_docs, p_min=p_min, alpha=1 - confidence_level,
                             require_calibration=require_calibration)
        blocks.append(pd.DataFrame({
            "model": name, "topic": topics, "grouping": grouping, "group_a": a, "group_b": b,
            "difference": diff, "ci_low": nan if note else low, "ci_high": nan if note else high,
            "p_value": p, "p_adj": bh_adjust(p), "n_a": n_a, "n_b": n_b,
            "label": labels, "too_few": bool(min(n_a, n_b) < min_docs), "exact": exact,
            "p_min": p_min, "model_share": nan if note else model_share, "unstable": unstable,
            "n_runs": n_runs_of(model), "ci_note": note,
        }, columns=CONTRAST_COLUMNS))
    if pair_list is not None:
        missing = [p for p in pair_list if p not in used]
        if missing:
            avail = "; ".join(f"{g}: {', '.join(per_group[g])}" for g in groupings)
            raise ParameterError(f"pairs={missing!r}: these groups are not both in any grouping; available groups: {avail}")
    table = pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=CONTRAST_COLUMNS)
    params = {"model": name, "by": groupings, "pairs": pair_list,
              "n_permutations": n_permutations, "confidence_level": confidence_level,
              "interval": (("nested imputation over runs and posterior draws (Shen's rules), Welch t within each"
                            if n_draws > 1 else "Rubin's rules over runs, Welch t within runs") if len(runs) > 1
                           else "inversion of the permutation test"),
              "n_runs": n_runs_of(model), "n_draws": n_draws if n_draws > 1 else 0,
              "min_docs": min_docs, "random_state": seed,
              "p_adj": "Benjamini-Hochberg across topics within (model, grouping, pair)"}
    counts = {"n_docs": len(doc_ids), "n_docs_per_group": per_group, "n_docs_unknown": n_unknown}
    return ContrastResult(table=table, params=params, counts=counts)


def diff_in_diff(
    prepared: Any,
    model: Any,
    by: str = "outlet_country:period",
    *,
    treated: str = "Pakistan",
    before: str = "2015",
    after: str = "2024",
    confidence_level: float = 0.95,
    min_docs: int | None = None,
    require_calibration: bool = True,
) -> DiDResult:
    """Difference in differences of topic weight for two crossed columns.

    With ``by = "group_column:time_column"``, per topic::

        did = (share[treated, after] - share[treated, before])
              - (share[control, after] - share[control, before])

    where ``control`` is every document whose ``group_column`` value is known
    and differs from ``treated``, and only documents whose ``time_column`` is
    ``before`` or ``after`` enter.  Shares are means over documents (as in
    :func:`prevalence`).  The interval and ``p_value`` come from one Welch t
    statistic (standard error from the four cells' variances,
    Welch–Satterthwaite degrees of freedom ``df``), so the interval excludes
    0 exactly when ``p_value < 1 - confidence_level``.  It is printed only
    when every cell has at least ``min_docs`` documents (by default the size
    the coverage simulation with fitted models backs) for a calibrated model
    family; otherwise it is NaN, ``too_few`` is set and ``ci_note`` says why.
    Did Pakistani outlets move from 2015 to 2024 more than the others did?
    ``did > 0`` (interval above zero) says they gained more on that topic.

    Parameters
    ----------
    prepared : Prepared
    model : fitted topic model
    by : str, default "outlet_country:period"
        ``"group_column:time_column"``.
    treated : str, default "Pakistan"
        The value of the group column whose change is compared with the rest.
    before, after : str, default "2015", "2024"
        The two values of the time column.
    confidence_level : float, default 0.95
    min_docs : int or None, default None
        Smallest cell given an interval; ``None`` takes the calibrated size.
    require_calibration : bool, default True
        Print intervals only where the coverage simulation with fitted models
        backs them.  ``False`` prints them for any group of at least
        ``min_docs`` (and 2) documents: for one's own simulations, not for
        reporting.

    Returns
    -------
    DiDResult
        ``.to_frame()`` columns: ``model, topic, label, grouping, treated,
        control, before, after, did, ci_low, ci_high, change_treated,
        change_control, n_treated_before, n_treated_after, n_control_before,
        n_control_after, too_few, p_value, df, ci_note``.

    Raises
    ------
    ParameterError
        ``by`` not a crossing of two existing columns, or a value of
        ``treated``/``before``/``after`` that does not occur (lists those that do).

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. *Biometrika*, 34(1-2), 28-35.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    >>> res = discourse.diff_in_diff(prepared, lda, "outlet_country:period", treated="Pakistan",
    ...                              before="2015", after="2024")
    >>> res.counts["n_docs_per_cell"]  # no Pakistani piece from 2015 among the seeds: did is NaN
    {'treated_before': 0, 'treated_after': 2, 'control_before': 2, 'control_after': 0}
    """
    check_prepared(prepared)
    cols = split_by(by, list(prepared.metadata.columns))
    if len(cols) != 2:
        raise ParameterError(f"by={by!r} is not allowed: expected a crossing of two columns 'group_column:time_column'")
    name = model_name(model)
    fam = family(model)
    min_docs = resolve_min_docs(fam, "did", min_docs)
    check_common(1, confidence_level, "percentile", min_docs)
    doc_ids, runs, n_draws = _shares(prepared, model)
    shares = runs.mean(axis=0)
    gcol, tcol = cols
    g = doc_groups(prepared.metadata, gcol, doc_ids)
    t = doc_groups(prepared.metadata, tcol, doc_ids)
    treated, before, after = str(treated), str(before), str(after)
    for pname, value, column, vals in (("treated", treated, gcol, g), ("before", before, tcol, t), ("after", after, tcol, t)):
        present = sorted_groups(vals)
        if value not in present:
            raise ParameterError(f"{pname}={value!r} does not occur in column {column!r}; values there: {', '.join(present)}")
    if before == after:
        raise ParameterError(f"after={after!r} is not allowed: it must differ from before={before!r}")
    known_g = np.array([v is not None for v in g])
    is_t = g == treated
    is_c = known_g & ~is_t
    cells = {
        "treated_before": is_t & (t == before), "treated_after": is_t & (t == after),
        "control_before": is_c & (t == before), "control_after": is_c & (t == after),
    }
    n = {k: int(m.sum()) for k, m in cells.items()}
    topics = list(model.topic_ids_)
    X = {k: shares[m] for k, m in cells.items()}
    means = {k: (x.mean(axis=0) if len(x) else np.full(len(topics), np.nan)) for k, x in X.items()}
    change_t = means["treated_after"] - means["treated_before"]
    change_c = means["control_after"] - means["control_before"]
    order = ("treated_after", "treated_before", "control_after", "control_before")
    nan = np.full(len(topics), np.nan)
    if min(n.values()) >= 2:
        comb = _combined([[S[cells[k]] for k in order] for S in runs], [1.0, -1.0, -1.0, 1.0], confidence_level,
                         n_draws)
        low, high = np.clip(comb.low, -2.0, 2.0), np.clip(comb.high, -2.0, 2.0)
        p, df, model_share = comb.p_value, comb.df, comb.model_share
    else:
        low, high, p, df, model_share = nan, nan, nan, nan, nan
    note = interval_note(fam, "did", min(n.values()), min_docs, require_calibration=require_calibration)
    if note:
        low = high = model_share = nan
    control_values = sorted_groups(g[is_c])
    table = pd.DataFrame({
        "model": name, "topic": topics, "label": [topic_label(model, k) for k in topics], "grouping": by,
        "treated": treated, "control": "others" if control_values else "", "before": before, "after": after,
        "did": change_t - change_c, "ci_low": low, "ci_high": high, "change_treated": change_t,
        "change_control": change_c, "n_treated_before": n["treated_before"], "n_treated_after": n["treated_after"],
        "n_control_before": n["control_before"], "n_control_after": n["control_after"],
        "too_few": bool(min(n.values()) < min_docs), "p_value": p, "df": df, "model_share": model_share,
        "unstable": unstable_flags(model), "n_runs": n_runs_of(model), "ci_note": note,
    }, columns=DID_COLUMNS)
    params = {"model": name, "by": by, "treated": treated, "before": before, "after": after,
              "control_values": control_values, "confidence_level": confidence_level,
              "interval": "Welch t" + ((", nested imputation over runs and posterior draws" if n_draws > 1
                                        else ", Rubin's rules over runs") if len(runs) > 1 else ""),
              "n_runs": n_runs_of(model), "n_draws": n_draws if n_draws > 1 else 0,
              "min_docs": min_docs}
    counts = {"n_docs_per_cell": n, "n_docs_unknown_group": int((~known_g).sum())}
    return DiDResult(table=table, params=params, counts=counts)
