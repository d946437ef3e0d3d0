"""Differences in topic weight between groups, and difference-in-differences.

Topic weight is defined as in :mod:`discourse.compare._prevalence` (document
shares = token-weighted passage rows; group share = mean over documents).
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._groups import as_groupings, doc_groups, sorted_groups, split_by
from ._prevalence import doc_passage_matrix
from ._results import ContrastResult, DiDResult
from ._stats import (
    bh_adjust,
    bootstrap_linear_ci,
    check_common,
    check_model,
    check_prepared,
    model_name,
    normalize_seed,
    permutation_diff,
    progress_bar,
    rng_for,
    topic_label,
)

__all__ = ["contrasts", "diff_in_diff"]

logger = logging.getLogger(__name__)

CONTRAST_COLUMNS = ["model", "topic", "grouping", "group_a", "group_b", "difference", "ci_low", "ci_high",
                    "p_value", "p_adj", "n_a", "n_b", "label", "too_few", "exact"]
DID_COLUMNS = ["model", "topic", "label", "grouping", "treated", "control", "before", "after", "did", "ci_low",
               "ci_high", "change_treated", "change_control", "n_treated_before", "n_treated_after",
               "n_control_before", "n_control_after", "too_few"]


def _shares(prepared: Any, model: Any) -> tuple[np.ndarray, np.ndarray]:
    check_prepared(prepared)
    theta = check_model(model, len(prepared.passages))
    doc_ids, W, _ = doc_passage_matrix(prepared)
    return doc_ids, np.asarray(W @ theta)


def contrasts(
    prepared: Any,
    model: Any,
    by: str | Sequence[str],
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    n_resamples: int = 2000,
    n_permutations: int = 2000,
    confidence_level: float = 0.95,
    method: str = "percentile",
    min_docs: int = 3,
    random_state: Any = 0,
    progress: bool | None = None,
) -> ContrastResult:
    """Difference in topic weight between two groups, for every pair of groups.

    ``difference = share[group_a] - share[group_b]`` per topic (group shares as
    in :func:`prevalence`).  By default every pair of groups of each grouping
    is compared, ``group_a`` before ``group_b`` in sorted order; ``pairs``
    restricts (and orients) the comparisons.

    * ``ci_low, ci_high``: two-sample bootstrap interval, documents resampled
      with replacement within each group (:func:`scipy.stats.bootstrap`);
      NaN when either group has a single document;
    * ``p_value``: two-sided permutation test of the difference in means,
      documents permuted between the two groups
      (:func:`scipy.stats.permutation_test`); exact (all distinct splits,
      ``exact=True``) when there are at most ``n_permutations`` of them;
      NaN when either group has a single document;
    * ``p_adj``: Benjamini–Hochberg adjustment across the topics of one model,
      grouping and pair.

    Parameters
    ----------
    prepared : Prepared
    model : fitted topic model
    by : str or list of str
        Metadata column(s) or crossings ``"a:b"``.
    pairs : list of (str, str), optional
        Pairs ``(group_a, group_b)``; each is used in every grouping that has
        both groups.
    n_resamples, n_permutations : int, default 2000
    confidence_level : float, default 0.95
    method : {"percentile", "BCa", "basic"}
    min_docs : int, default 3
        Pairs where either group has fewer documents are flagged ``too_few``.
    random_state : int, Generator or None, default 0
    progress : bool or None, default None
        Progress bar over the pairs (None: only when stderr is a terminal).

    Returns
    -------
    ContrastResult
        ``.to_frame()`` columns: ``model, topic, grouping, group_a, group_b,
        difference, ci_low, ci_high, p_value, p_adj, n_a, n_b, label, too_few, exact``.

    Raises
    ------
    ParameterError
        Unknown column, a pair whose groups are not in any grouping, bad parameter.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
    Chapman & Hall (bootstrap intervals and permutation tests, chapters 13-15).

    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate.
    *Journal of the Royal Statistical Society B*, 57(1), 289-300.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> lda = discourse.LDA(k=3, random_state=0).fit(prepared)
    >>> res = discourse.contrasts(prepared, lda, "period", n_resamples=500, n_permutations=500)
    >>> res.to_frame()[["group_a", "group_b"]].drop_duplicates().values.tolist()
    [['2015', '2021'], ['2015', '2024'], ['2021', '2024']]
    >>> bool(res.to_frame()["too_few"].all())  # two documents per period at most
    True
    """
    groupings = as_groupings(by)
    check_common(n_resamples, confidence_level, method, min_docs)
    check_param("n_permutations", n_permutations, "an integer >= 1",
                isinstance(n_permutations, (int, np.integer)) and n_permutations >= 1)
    seed = normalize_seed(random_state)
    doc_ids, shares = _shares(prepared, model)
    name = model_name(model)
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
        Xa, Xb = shares[lab == a], shares[lab == b]
        low, high = bootstrap_linear_ci(
            [Xa, Xb], [1.0, -1.0], n_resamples=n_resamples, confidence_level=confidence_level,
            method=method, rng=rng_for(seed, "contrast-ci", name, grouping, a, b),
        )
        _, p, exact = permutation_diff(Xa, Xb, n_permutations=n_permutations,
                                       rng=rng_for(seed, "contrast-perm", name, grouping, a, b))
        blocks.append(pd.DataFrame({
            "model": name, "topic": topics, "grouping": grouping, "group_a": a, "group_b": b,
            "difference": Xa.mean(axis=0) - Xb.mean(axis=0), "ci_low": low, "ci_high": high,
            "p_value": p, "p_adj": bh_adjust(p), "n_a": len(Xa), "n_b": len(Xb), "label": labels,
            "too_few": bool(min(len(Xa), len(Xb)) < min_docs), "exact": exact,
        }, columns=CONTRAST_COLUMNS))
    if pair_list is not None:
        missing = [p for p in pair_list if p not in used]
        if missing:
            avail = "; ".join(f"{g}: {', '.join(per_group[g])}" for g in groupings)
            raise ParameterError(f"pairs={missing!r}: these groups are not both in any grouping; available groups: {avail}")
    table = pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=CONTRAST_COLUMNS)
    params = {"model": name, "by": groupings, "pairs": pair_list, "n_resamples": n_resamples,
              "n_permutations": n_permutations, "confidence_level": confidence_level, "method": method,
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
    n_resamples: int = 2000,
    confidence_level: float = 0.95,
    method: str = "percentile",
    min_docs: int = 3,
    random_state: Any = 0,
) -> DiDResult:
    """Difference in differences of topic weight for two crossed columns.

    With ``by = "group_column:time_column"``, per topic::

        did = (share[treated, after] - share[treated, before])
              - (share[control, after] - share[control, before])

    where ``control`` is every document whose ``group_column`` value is known
    and differs from ``treated``, and only documents whose ``time_column`` is
    ``before`` or ``after`` enter.  Shares are means over documents (as in
    :func:`prevalence`).  The interval is a bootstrap resampling documents
    within each of the four cells (:func:`scipy.stats.bootstrap`); NaN when a
    cell has fewer than 2 documents, ``too_few`` when any cell has fewer than
    ``min_docs``.  Did Pakistani outlets move from 2015 to 2024 more than the
    others did?  ``did > 0`` (interval above zero) says they gained more on
    that topic.

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
    n_resamples, confidence_level, method, min_docs, random_state
        As in :func:`prevalence`.

    Returns
    -------
    DiDResult
        ``.to_frame()`` columns: ``model, topic, label, grouping, treated,
        control, before, after, did, ci_low, ci_high, change_treated,
        change_control, n_treated_before, n_treated_after, n_control_before,
        n_control_after, too_few``.

    Raises
    ------
    ParameterError
        ``by`` not a crossing of two existing columns, or a value of
        ``treated``/``before``/``after`` that does not occur (lists those that do).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
    Chapman & Hall.

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
    check_common(n_resamples, confidence_level, method, min_docs)
    seed = normalize_seed(random_state)
    doc_ids, shares = _shares(prepared, model)
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
    name = model_name(model)
    topics = list(model.topic_ids_)
    X = {k: shares[m] for k, m in cells.items()}
    means = {k: (x.mean(axis=0) if len(x) else np.full(len(topics), np.nan)) for k, x in X.items()}
    change_t = means["treated_after"] - means["treated_before"]
    change_c = means["control_after"] - means["control_before"]
    if min(n.values()) >= 2:
        low, high = bootstrap_linear_ci(
            [X["treated_after"], X["treated_before"], X["control_after"], X["control_before"]],
            [1.0, -1.0, -1.0, 1.0], n_resamples=n_resamples, confidence_level=confidence_level, method=method,
            rng=rng_for(seed, "did", name, by, treated, before, after),
        )
    else:
        low = high = np.full(len(topics), np.nan)
    control_values = sorted_groups(g[is_c])
    table = pd.DataFrame({
        "model": name, "topic": topics, "label": [topic_label(model, k) for k in topics], "grouping": by,
        "treated": treated, "control": "others" if control_values else "", "before": before, "after": after,
        "did": change_t - change_c, "ci_low": low, "ci_high": high, "change_treated": change_t,
        "change_control": change_c, "n_treated_before": n["treated_before"], "n_treated_after": n["treated_after"],
        "n_control_before": n["control_before"], "n_control_after": n["control_after"],
        "too_few": bool(min(n.values()) < min_docs),
    }, columns=DID_COLUMNS)
    params = {"model": name, "by": by, "treated": treated, "before": before, "after": after,
              "control_values": control_values, "n_resamples": n_resamples, "confidence_level": confidence_level,
              "method": method, "min_docs": min_docs, "random_state": seed}
    counts = {"n_docs_per_cell": n, "n_docs_unknown_group": int((~known_g).sum())}
    return DiDResult(table=table, params=params, counts=counts)
