"""Vocabulary keyness between groups of documents.

For every term, each group is compared with the rest of the documents of its
grouping (``reference="rest"``) and with any chosen other group.  The main
statistic is the log-odds ratio with an informative Dirichlet prior of Monroe,
Colaresi & Quinn (2008) with its z-score; Dunning's (1993) G² is reported
beside it.  Terms are the tokens of :attr:`Prepared.tokens`, so learnt phrases
(``peace_talks``) are terms like any other.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.special import xlogy

from ..errors import ParameterError, check_param
from ._groups import as_groupings, doc_groups, sorted_groups
from ._results import KeynessResult
from ._stats import bh_adjust, check_prepared

__all__ = ["keyness", "log_odds_dirichlet", "g_squared", "term_counts"]

logger = logging.getLogger(__name__)

KEYNESS_COLUMNS = [
    "grouping", "group", "reference", "term", "count", "count_reference", "log_odds", "z", "g2", "p_adj",
    "p_value", "g2_p_value", "n_docs", "n_docs_reference", "n_tokens", "n_tokens_reference",
]


def term_counts(tokens: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Passage x term count matrix and its (sorted) vocabulary.

    Parameters
    ----------
    tokens : list of list of str
        One token list per passage.

    Returns
    -------
    counts : scipy.sparse.csr_matrix, shape (n_passages, n_terms)
    vocabulary : ndarray of str, shape (n_terms,), sorted
    """
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
    flat = np.fromiter(itertools.chain.from_iterable(tokens), dtype=object, count=int(lengths.sum()))
    if flat.size == 0:
        return sparse.csr_matrix((len(tokens), 0), dtype=np.int64), np.array([], dtype=object)
    codes, vocab = pd.factorize(flat, sort=True)
    rows = np.repeat(np.arange(len(tokens)), lengths)
    mat = sparse.csr_matrix((np.ones(flat.size, dtype=np.int64), (rows, codes)), shape=(len(tokens), len(vocab)))
    mat.sum_duplicates()
    return mat, np.asarray(vocab, dtype=object)


def log_odds_dirichlet(
    y_i: np.ndarray, y_j: np.ndarray, alpha: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-odds ratio with an informative Dirichlet prior, its variance and z.

    With ``n_i = sum(y_i)``, ``n_j = sum(y_j)`` and ``a0 = sum(alpha)``:

    ``delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w))``,
    ``var_w ~= 1 / (y_iw + a_w) + 1 / (y_jw + a_w)``, ``z_w = delta_w / sqrt(var_w)``.

    Parameters
    ----------
    y_i, y_j : ndarray, shape (n_terms,)
        Term counts in the group and in its reference (may be fractional).
    alpha : ndarray, shape (n_terms,)
        Dirichlet prior pseudo-counts (all > 0).

    Returns
    -------
    delta, variance, z : ndarray, shape (n_terms,)

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words:
    lexical feature selection and evaluation for identifying the content of
    political conflict. *Political Analysis*, 16(4), 372-403, section 3.5.1
    (eqs. 22 and 24 in the issue's numbering: the point estimate, and its
    approximate variance and z-score).
    """
    y_i = np.asarray(y_i, dtype=float)
    y_j = np.asarray(y_j, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    n_i, n_j, a0 = y_i.sum(), y_j.sum(), alpha.sum()
    delta = np.log((y_i + alpha) / (n_i + a0 - y_i - alpha)) - np.log((y_j + alpha) / (n_j + a0 - y_j - alpha))
    var = 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha)
    return delta, var, delta / np.sqrt(var)


def g_squared(a: np.ndarray, b: np.ndarray, n_a: float, n_b: float) -> np.ndarray:
    """Dunning's log-likelihood G² for a term's 2x2 table, vectorised over terms.

    The table is ``[[a, b], [n_a - a, n_b - b]]`` (term / other terms in the
    group and in the reference); ``G² = 2 * sum O * ln(O / E)`` with ``E`` the
    expected counts under independence.  Equal to
    ``scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]``.

    References
    ----------
    Dunning, T. (1993). Accurate methods for the statistics of surprise and
    coincidence. *Computational Linguistics*, 19(1), 61-74.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    c, d = n_a - a, n_b - b
    n = float(n_a + n_b)
    if n <= 0:
        return np.zeros_like(a)
    row_term = a + b
    row_rest = c + d
    expected = [n_a * row_term / n, n_b * row_term / n, n_a * row_rest / n, n_b * row_rest / n]
    g2 = np.zeros_like(a)
    for obs, exp in zip((a, b, c, d), expected):
        g2 += xlogy(obs, obs) - xlogy(obs, exp)
    return np.maximum(2.0 * g2, 0.0)


def _comparison_frame(
    grouping: str, group: str, reference: str, y_i: np.ndarray, y_j: np.ndarray, alpha: np.ndarray,
    vocab: np.ndarray, min_count: float, n_docs_i: int, n_docs_j: int,
) -> pd.DataFrame:
    delta, _, z = log_odds_dirichlet(y_i, y_j, alpha)
    n_i, n_j = float(y_i.sum()), float(y_j.sum())
    g2 = g_squared(y_i, y_j, n_i, n_j)
    keep = (y_i + y_j) >= min_count
    p = 2.0 * stats.norm.sf(np.abs(z[keep]))
    integral = np.allclose(y_i, np.round(y_i)) and np.allclose(y_j, np.round(y_j))
    cast = (lambda v: np.round(v).astype(np.int64)) if integral else (lambda v: v)
    frame = pd.DataFrame({
        "grouping": grouping,
        "group": group,
        "reference": reference,
        "term": vocab[keep].astype(str) if keep.any() else np.array([], dtype=str),
        "count": cast(y_i[keep]),
        "count_reference": cast(y_j[keep]),
        "log_odds": delta[keep],
        "z": z[keep],
        "g2": g2[keep],
        "p_adj": bh_adjust(p),
        "p_value": p,
        "g2_p_value": stats.chi2.sf(g2[keep], 1),
        "n_docs": n_docs_i,
        "n_docs_reference": n_docs_j,
        "n_tokens": cast(np.array(n_i)).item() if integral else n_i,
        "n_tokens_reference": cast(np.array(n_j)).item() if integral else n_j,
    }, columns=KEYNESS_COLUMNS)
    order = np.lexsort((frame["term"].to_numpy(), -frame["z"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def keyness_from_counts(
    counts: sparse.spmatrix,
    vocab: np.ndarray,
    passage_docs: np.ndarray,
    metadata: pd.DataFrame,
    groupings: list[str],
    *,
    pairs: Sequence[tuple[str, str]] | None,
    min_count: float,
    prior: str,
    prior_scale: float,
) -> tuple[list[pd.DataFrame], dict]:
    """Core of :func:`keyness` on a (possibly weighted) passage x term matrix."""
    counts = sparse.csr_matrix(counts, dtype=float)
    corpus = np.asarray(counts.sum(axis=0)).ravel()
    alpha = prior_scale * corpus
    pair_list = [tuple(map(str, p)) for p in (pairs or [])]
    used_pairs: set[tuple[str, str]] = set()
    frames: list[pd.DataFrame] = []
    n_unknown: dict[str, int] = {}
    per_group: dict[str, dict[str, int]] = {}
    doc_ids_unique = pd.unique(passage_docs)
    for grouping in groupings:
        doc_lab = doc_groups(metadata, grouping, doc_ids_unique)
        lab_of = dict(zip(doc_ids_unique, doc_lab))
        passage_lab = np.array([lab_of[d] for d in passage_docs], dtype=object)
        groups = sorted_groups(doc_lab)
        tally = Counter(doc_lab.tolist())
        n_unknown[grouping] = int(tally.get(None, 0))
        n_docs = {g: int(tally[g]) for g in groups}
        per_group[grouping] = n_docs
        if not groups:
            logger.warning("keyness: grouping %r has no document with a known group", grouping)
            continue
        code = {g: k for k, g in enumerate(groups)}
        known = np.array([v is not None for v in passage_lab])
        rows = np.array([code[v] for v in passage_lab[known]], dtype=np.intp)
        indicator = sparse.csr_matrix(
            (np.ones(rows.size), (rows, np.flatnonzero(known))), shape=(len(groups), counts.shape[0])
        )
        by_group = np.asarray((indicator @ counts).todense())
        total = by_group.sum(axis=0)
        n_known = sum(n_docs.values())
        if len(groups) >= 2:
            for g in groups:
                y_i = by_group[code[g]]
                frames.append(_comparison_frame(grouping, g, "rest", y_i, total - y_i, alpha, vocab,
                                                min_count, n_docs[g], n_known - n_docs[g]))
        for a, b in pair_list:
            if a in code and b in code:
                used_pairs.add((a, b))
                frames.append(_comparison_frame(grouping, a, b, by_group[code[a]], by_group[code[b]], alpha,
                                                vocab, min_count, n_docs[a], n_docs[b]))
    missing = [p for p in pair_list if p not in used_pairs]
    if missing:
        avail = "; ".join(f"{g}: {', '.join(per_group[g])}" for g in groupings)
        raise ParameterError(f"pairs={missing!r}: these groups are not both in any grouping; available groups: {avail}")
    counts_out = {
        "n_passages": int(counts.shape[0]),
        "n_terms": int(counts.shape[1]),
        "n_tokens": float(corpus.sum()),
        "n_docs_per_group": per_group,
        "n_docs_unknown": n_unknown,
    }
    return frames, counts_out


def _check_keyness_params(min_count: Any, prior: Any, prior_scale: Any) -> None:
    check_param("min_count", min_count, "a number >= 0", isinstance(min_count, (int, float, np.number)) and min_count >= 0)
    check_param("prior", prior, "'corpus'", prior == "corpus")
    check_param(
        "prior_scale", prior_scale, "a number > 0",
        isinstance(prior_scale, (int, float, np.number)) and np.isfinite(prior_scale) and prior_scale > 0,
    )


def keyness(
    prepared: Any,
    by: str | Sequence[str],
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    min_count: int = 5,
    prior: str = "corpus",
    prior_scale: float = 1.0,
) -> KeynessResult:
    """Key terms of each group against the rest of its grouping, and of chosen pairs.

    For each grouping in ``by`` and each of its groups, the group's term counts
    (summed over its documents' passages) are compared with those of all other
    documents with a known group (``reference="rest"``); each pair in ``pairs``
    (``("2015", "2024")``) is compared directly (``reference`` = the second group).
    Documents whose group is unknown are left out of the groups (and counted
    in ``counts["n_docs_unknown"]``) but are part of the prior.

    Statistics per term and comparison:

    * ``log_odds``: the log-odds ratio ``delta_w`` with an informative Dirichlet
      prior (Monroe et al. 2008, section 3.5.1); the prior is the whole corpus's
      term counts ``alpha_w = prior_scale * y_w`` (all passages, all documents);
    * ``z = delta_w / sqrt(var_w)`` with ``var_w ~= 1/(y_iw + alpha_w) + 1/(y_jw + alpha_w)``;
      positive z: the term is over-used by ``group`` relative to ``reference``;
    * ``p_value``: two-sided normal p-value of ``z``; ``p_adj``: its
      Benjamini–Hochberg adjustment over the terms of the comparison (one family
      per grouping, group and reference);
    * ``g2``: Dunning's (1993) log-likelihood G² of the term's 2x2 table, with
      ``g2_p_value`` from chi²(1) (reported beside z, not adjusted).

    Only terms with ``count + count_reference >= min_count`` are tested and shown.
    Rows come in blocks: all "vs rest" comparisons (groupings in the order
    given, groups sorted), then the pairs; within a block by ``-z`` then ``term``.

    Parameters
    ----------
    prepared : Prepared
        From :func:`discourse.prepare` (uses ``.passages``, ``.tokens``, ``.metadata``).
    by : str or list of str
        Metadata column(s) or crossings ``"a:b"``.
    pairs : list of (str, str), optional
        Group pairs to compare directly, e.g. ``[("2015", "2024")]``.
    min_count : int, default 5
        Minimum combined count of a term in the two compared sets.
    prior : {"corpus"}
        Source of the Dirichlet prior (the corpus's own counts).
    prior_scale : float, default 1.0
        Multiplies the corpus counts to give the prior pseudo-counts; smaller
        values shrink less.

    Returns
    -------
    KeynessResult
        ``.to_frame()`` columns: ``grouping, group, reference, term, count,
        count_reference, log_odds, z, g2, p_adj, p_value, g2_p_value, n_docs,
        n_docs_reference, n_tokens, n_tokens_reference``.

    Raises
    ------
    ParameterError
        Unknown column in ``by``, a pair whose groups do not exist, or a bad
        ``min_count``/``prior``/``prior_scale``.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words:
    lexical feature selection and evaluation for identifying the content of
    political conflict. *Political Analysis*, 16(4), 372-403.

    Dunning, T. (1993). Accurate methods for the statistics of surprise and
    coincidence. *Computational Linguistics*, 19(1), 61-74.

    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate:
    a practical and powerful approach to multiple testing. *Journal of the
    Royal Statistical Society B*, 57(1), 289-300.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> res = discourse.keyness(prepared, "period", pairs=[("2015", "2024")], min_count=3)
    >>> res.to_frame().columns[:10].tolist()
    ['grouping', 'group', 'reference', 'term', 'count', 'count_reference', 'log_odds', 'z', 'g2', 'p_adj']
    >>> sorted(res.to_frame()["reference"].unique())
    ['2024', 'rest']
    >>> top = res.top(5, group="2015", reference="2024")  # 2015's most distinctive terms against 2024
    """
    check_prepared(prepared, need_tokens=True)
    groupings = as_groupings(by)
    _check_keyness_params(min_count, prior, prior_scale)
    counts, vocab = term_counts(prepared.tokens)
    passage_docs = prepared.passages["doc_id"].astype(str).to_numpy()
    frames, counts_out = keyness_from_counts(
        counts, vocab, passage_docs, prepared.metadata, groupings,
        pairs=pairs, min_count=min_count, prior=prior, prior_scale=float(prior_scale),
    )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEYNESS_COLUMNS)
    params = {"by": groupings, "pairs": [tuple(p) for p in (pairs or [])], "min_count": min_count,
              "prior": prior, "prior_scale": float(prior_scale), "p_adj": "Benjamini-Hochberg of the z two-sided p-values"}
    return KeynessResult(table=table, params=params, counts=counts_out)
