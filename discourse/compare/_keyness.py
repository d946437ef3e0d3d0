"""Vocabulary keyness between groups of documents.

Each comparison sets the documents of a group against a reference: another
group (``pairs``) or the rest of the documents of the grouping
(``against_rest``).  The statistic is the log-odds ratio with an informative
Dirichlet prior of Monroe, Colaresi & Quinn (2008) and its z-score; its
p-value comes from permuting whole **documents** between the two sides, so a
word that one article repeats is not mistaken for a word of the group.  Beside
it stand how many documents use the term, Gries's (2008) dispersion DP and the
share of the count held by one document.  Terms are the tokens of
:attr:`Prepared.tokens`, so learnt phrases (``peace_talks``) are terms like
any other.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import xlogy

from ..errors import ParameterError, check_param
from ._dispersion import docs_using, gries_dp, top_doc_share
from ._docperm import NORMAL_MIN_DOCS, log_odds_z, n_splits, permutation_log_odds, permutation_normal, smallest_p, uses_normal
from ._groups import as_groupings, doc_groups, sorted_groups
from ._results import KeynessResult
from ._stats import bh_adjust, check_prepared, normalize_seed, rng_for

__all__ = ["keyness", "log_odds_dirichlet", "g_squared", "term_counts", "DEFAULT_PRIOR_SCALE"]

logger = logging.getLogger(__name__)

KEYNESS_COLUMNS = [
    "grouping", "group", "reference", "term", "count", "count_reference", "log_odds", "z", "p_adj", "p_value",
    "docs_using", "docs_using_reference", "dp", "dp_reference", "top_doc_share", "top_doc_share_reference",
    "one_doc", "n_docs", "n_docs_reference", "n_tokens", "n_tokens_reference", "exact", "p_min", "note",
]

#: Default ``prior_scale``: the prior's total ``a0`` is a tenth of the corpus's tokens (see :func:`keyness`).
DEFAULT_PRIOR_SCALE = 0.1

#: ``one_doc`` flags a term when one document holds more than this share of the count it leans on.
ONE_DOC_SHARE = 0.5


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
    (the point estimate, and its approximate variance and z-score).
    """
    y_i = np.asarray(y_i, dtype=float)
    y_j = np.asarray(y_j, dtype=float)
    alpha = np.asarray(alpha, dtype=float)
    delta, z = log_odds_z(y_i, y_j, y_i.sum(), y_j.sum(), alpha, alpha.sum())
    return delta, 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha), z


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


def _doc_term_matrix(counts: sparse.csr_matrix, passage_docs: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Documents (in order of first appearance) x terms counts, summed over each document's passages."""
    codes, doc_ids = pd.factorize(np.asarray(passage_docs, dtype=object), sort=False)
    n = len(codes)
    agg = sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(len(doc_ids), n))
    return np.asarray(doc_ids, dtype=object), sparse.csr_matrix(agg @ counts)


@dataclass(frozen=True)
class _Side:
    """The documents of one side of a comparison."""

    name: str
    docs: sparse.csr_matrix  # documents x terms
    sizes: np.ndarray  # tokens per document, all terms

    @property
    def counts(self) -> np.ndarray:
        return np.asarray(self.docs.sum(axis=0)).ravel()


def _leaning_flag(z: np.ndarray, share_i: np.ndarray, share_j: np.ndarray) -> np.ndarray:
    """True where the side the term leans to (z > 0: group, z < 0: reference) owes most of its count to one document."""
    lean = np.where(z >= 0, share_i, share_j)
    return np.nan_to_num(lean, nan=0.0) > ONE_DOC_SHARE


def _note(n_a: int, n_b: int, n_permutations: int, normal: bool = False) -> str:
    if n_a < 2 or n_b < 2:
        return "no p-value: a side has one document, and permuting documents needs two on each side"
    if normal:
        return (f"document permutation, normal approximation ({n_a:,} and {n_b:,} documents; "
                "exact moments of the permutation distribution, Hajek 1961)")
    splits = n_splits(n_a, n_b)
    if n_permutations >= splits:
        return f"document permutation, exact over {splits:,} splits; smallest attainable p {smallest_p(n_a, n_b, n_permutations):.3g}"
    return (f"document permutation, {n_permutations:,} random splits, more for terms with few as extreme "
            "(sequential Monte Carlo); smallest attainable p per row in p_min")


def _comparison_frame(
    grouping: str, a: _Side, b: _Side, alpha: np.ndarray, a0: float, vocab: np.ndarray, min_count: float,
    n_permutations: int, rng: np.random.Generator, test: str = "permutation",
) -> pd.DataFrame:
    y_i, y_j = a.counts, b.counts
    n_i, n_j = float(a.sizes.sum()), float(b.sizes.sum())
    keep = (y_i + y_j) >= min_count
    delta, z = log_odds_z(y_i[keep], y_j[keep], n_i, n_j, alpha[keep], a0)
    da, db = a.docs[:, keep], b.docs[:, keep]
    normal = uses_normal(test, da.shape[0], db.shape[0])
    if normal:
        p, exact, used = permutation_normal(da, db, a.sizes, b.sizes), False, None
    else:
        p, exact, used = permutation_log_odds(da, db, a.sizes, b.sizes, alpha[keep], a0, n_permutations=n_permutations,
                                              rng=rng)
    share_i, share_j = top_doc_share(da), top_doc_share(db)
    integral = np.allclose(y_i, np.round(y_i)) and np.allclose(y_j, np.round(y_j))
    cast = (lambda v: np.round(v).astype(np.int64)) if integral else (lambda v: v)
    n_a, n_b = da.shape[0], db.shape[0]
    frame = pd.DataFrame({
        "grouping": grouping,
        "group": a.name,
        "reference": b.name,
        "term": vocab[keep].astype(str) if keep.any() else np.array([], dtype=str),
        "count": cast(y_i[keep]),
        "count_reference": cast(y_j[keep]),
        "log_odds": delta,
        "z": z,
        "p_adj": bh_adjust(p),
        "p_value": p,
        "docs_using": docs_using(da),
        "docs_using_reference": docs_using(db),
        "dp": gries_dp(da, a.sizes),
        "dp_reference": gries_dp(db, b.sizes),
        "top_doc_share": share_i,
        "top_doc_share_reference": share_j,
        "one_doc": _leaning_flag(z, share_i, share_j),
        "n_docs": n_a,
        "n_docs_reference": n_b,
        "n_tokens": cast(np.array(n_i)).item() if integral else n_i,
        "n_tokens_reference": cast(np.array(n_j)).item() if integral else n_j,
        "exact": exact,
        "p_min": (np.zeros(len(p)) if normal and n_a >= 2 and n_b >= 2
                  else np.full(len(p), smallest_p(n_a, n_b, n_permutations)) if exact or not len(p) or np.isnan(p).all()
                  else 2.0 / (used + 1.0)),
        "note": _note(n_a, n_b, n_permutations, normal),
    }, columns=KEYNESS_COLUMNS)
    order = np.lexsort((frame["term"].to_numpy(), -frame["z"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _pair_list(pairs: Any) -> list[tuple[str, str]]:
    if pairs is None:
        return []
    try:
        out = [tuple(map(str, p)) for p in pairs]
    except TypeError:
        raise ParameterError(f"pairs={pairs!r} is not allowed: expected a list of (group, reference) pairs") from None
    if any(len(p) != 2 or p[0] == p[1] for p in out):
        raise ParameterError(f"pairs={pairs!r} is not allowed: expected pairs of two different groups")
    return out


def keyness_from_counts(
    counts: sparse.spmatrix,
    vocab: np.ndarray,
    passage_docs: np.ndarray,
    metadata: pd.DataFrame,
    groupings: list[str],
    *,
    pairs: Sequence[tuple[str, str]] | None,
    against_rest: bool | None,
    min_count: float,
    prior: str,
    prior_scale: float,
    n_permutations: int,
    seed: int,
    test: str = "auto",
    label_maps: dict[str, dict] | None = None,
) -> tuple[list[pd.DataFrame], dict]:
    """Core of :func:`keyness` on a (possibly weighted) passage x term matrix.

    ``label_maps`` (grouping -> :func:`~discourse.compare._groups.label_map`)
    saves rebuilding the documents' labels when one corpus is compared in many
    subsets (:func:`~discourse.compare.drift_by_topic`).
    """
    counts = sparse.csr_matrix(counts, dtype=float)
    corpus = np.asarray(counts.sum(axis=0)).ravel()
    alpha = prior_scale * corpus
    a0 = float(alpha.sum())
    pair_list = _pair_list(pairs)
    rest = (pairs is None) if against_rest is None else bool(against_rest)
    doc_ids, doc_counts = _doc_term_matrix(counts, passage_docs)
    doc_sizes = np.asarray(doc_counts.sum(axis=1)).ravel()
    used_pairs: set[tuple[str, str]] = set()
    frames: list[pd.DataFrame] = []
    n_unknown: dict[str, int] = {}
    per_group: dict[str, dict[str, int]] = {}
    for grouping in groupings:
        doc_lab = doc_groups(metadata, grouping, doc_ids, (label_maps or {}).get(grouping))
        groups = sorted_groups(doc_lab)
        tally = Counter(doc_lab.tolist())
        n_unknown[grouping] = int(tally.get(None, 0))
        per_group[grouping] = {g: int(tally[g]) for g in groups}
        if not groups:
            logger.warning("keyness: grouping %r has no document with a known group", grouping)
            continue

        def side(name: str, mask: np.ndarray) -> _Side:
            return _Side(name, doc_counts[mask], doc_sizes[mask])

        known = np.array([v is not None for v in doc_lab])
        if rest and len(groups) >= 2:
            for g in groups:
                in_g = doc_lab == g
                frames.append(_comparison_frame(
                    grouping, side(g, in_g), side("rest", known & ~in_g), alpha, a0, vocab, min_count,
                    n_permutations, rng_for(seed, "keyness", grouping, g, "rest"), test))
        for a, b in pair_list:
            if a in per_group[grouping] and b in per_group[grouping]:
                used_pairs.add((a, b))
                frames.append(_comparison_frame(
                    grouping, side(a, doc_lab == a), side(b, doc_lab == b), alpha, a0, vocab, min_count,
                    n_permutations, rng_for(seed, "keyness", grouping, a, b), test))
    missing = [p for p in pair_list if p not in used_pairs]
    if missing:
        avail = "; ".join(f"{g}: {', '.join(per_group[g])}" for g in groupings)
        raise ParameterError(f"pairs={missing!r}: these groups are not both in any grouping; available groups: {avail}")
    counts_out = {
        "n_passages": int(counts.shape[0]),
        "n_terms": int(counts.shape[1]),
        "n_tokens": float(corpus.sum()),
        "prior_total": a0,
        "n_docs_per_group": per_group,
        "n_docs_unknown": n_unknown,
    }
    return frames, counts_out


def _check_keyness_params(min_count: Any, prior: Any, prior_scale: Any, n_permutations: Any = 1,
                          test: Any = "auto") -> None:
    check_param("min_count", min_count, "a number >= 0", isinstance(min_count, (int, float, np.number)) and min_count >= 0)
    check_param("prior", prior, "'corpus'", prior == "corpus")
    check_param(
        "prior_scale", prior_scale, "a number > 0",
        isinstance(prior_scale, (int, float, np.number)) and not isinstance(prior_scale, bool)
        and np.isfinite(prior_scale) and prior_scale > 0,
    )
    check_param("n_permutations", n_permutations, "an integer >= 1",
                isinstance(n_permutations, (int, np.integer)) and not isinstance(n_permutations, bool) and n_permutations >= 1)
    check_param("test", test, "'auto', 'permutation' or 'normal'", test in ("auto", "permutation", "normal"))


def keyness(
    prepared: Any,
    by: str | Sequence[str],
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    against_rest: bool | None = None,
    min_count: int = 5,
    prior: str = "corpus",
    prior_scale: float = DEFAULT_PRIOR_SCALE,
    n_permutations: int = 2000,
    random_state: Any = 0,
    test: str = "auto",
) -> KeynessResult:
    """Key terms of groups of documents: chosen pairs, or each group against the rest.

    Comparisons: each pair in ``pairs`` (``("2024", "2015")``: ``reference`` =
    the second group) and, with ``against_rest``, each group of each grouping
    against all other documents with a known group (``reference="rest"``).
    ``against_rest=None`` (default) means "only when no ``pairs`` are given":
    ``pairs=`` gives exactly those pairs.  Documents whose group is unknown are
    left out of the groups (counted in ``counts["n_docs_unknown"]``) but are
    part of the prior.

    Statistics per term and comparison:

    * ``log_odds``: the log-odds ratio ``delta_w`` with an informative Dirichlet
      prior (Monroe et al. 2008, section 3.5.1), ``alpha_w = prior_scale * y_w``
      with ``y_w`` the term's count in the whole corpus, so the prior's total is
      ``a0 = prior_scale * N`` (``N`` tokens);
    * ``z = delta_w / sqrt(var_w)`` with ``var_w ~= 1/(y_iw + alpha_w) + 1/(y_jw + alpha_w)``;
      positive z: the term is over-used by ``group`` relative to ``reference``.
      ``z`` treats tokens as independent draws: it ranks terms, it is not
      their test;
    * ``p_value``: two-sided permutation p-value of ``z`` with whole documents
      permuted between ``group`` and ``reference``
      (:func:`scipy.stats.permutation_test`): every split enumerated
      (``exact``) when there are at most ``n_permutations``; otherwise
      ``n_permutations`` random splits, and more for the terms with fewer
      than 10 as extreme, up to ``40 x`` the number of terms (sequential Monte
      Carlo, Besag & Clifford 1991), so that a strongly key term can survive
      the adjustment over many terms.  NaN when a side has one document.
      ``p_min`` is the smallest value the row's test could give (with 2
      against 3 documents, 0.2), ``note`` says how it was obtained;
      ``p_adj``: the Benjamini–Hochberg adjustment over the terms of the
      comparison;
    * ``docs_using``/``docs_using_reference``: documents with the term;
      ``dp``/``dp_reference``: Gries's (2008) deviation of proportions over the
      side's documents (0 even, near 1 concentrated; NaN with one document);
      ``top_doc_share``/``top_doc_share_reference``: share of the count held
      by the one document using the term most; ``one_doc``: that share
      exceeds one half on the side the term leans to (z >= 0: group).

    No interval is given for ``log_odds``: none has been shown by simulation
    to cover at its nominal rate with few documents (README, statistics).
    Dunning's G² (:func:`g_squared`) treats tokens as independent, as z does,
    and has no document-aware test here, so it is not in the table.

    Only terms with ``count + count_reference >= min_count`` are tested and
    shown.  Rows come in blocks: the "vs rest" comparisons (groupings in the
    order given, groups sorted), then the pairs; within a block by ``-z`` then
    ``term``.

    Parameters
    ----------
    prepared : Prepared
        From :func:`discourse.prepare` (uses ``.passages``, ``.tokens``, ``.metadata``).
    by : str or list of str
        Metadata column(s) or crossings ``"a:b"``.
    pairs : list of (str, str), optional
        ``(group, reference)`` pairs, e.g. ``[("2024", "2015")]``.
    against_rest : bool or None, default None
        Also compare every group with the rest; None: only when ``pairs`` is None.
    min_count : int, default 5
        Minimum combined count of a term in the two compared sets.
    prior : {"corpus"}
        Source of the Dirichlet prior (the corpus's own counts).
    prior_scale : float, default 0.1
        ``a0`` relative to the corpus: ``alpha_w = prior_scale * y_w``.  The
        default follows one rule: the prior may shrink rare terms but must
        not outweigh the data of a comparison, so its total is a tenth of the
        corpus (at 1 the prior equals the corpus and, against the rest,
        doubles every count).  ``prior_scale=1`` reproduces the earlier
        tables' log-odds and z.
    n_permutations : int, default 2000
        Random document splits when there are more distinct splits.
    random_state : int, Generator or None, default 0
        Seed of the random splits (each comparison gets its own stream).
    test : {"auto", "permutation", "normal"}, default "auto"
        How the document-permutation p-value is obtained.  ``"permutation"``:
        splits drawn (or enumerated) as described above.  ``"normal"``: the
        normal approximation to the same permutation distribution
        (:func:`~discourse.compare._docperm.permutation_normal`: exact
        permutation mean and variance of the group's count minus what the
        pooled rate predicts, document as the unit; one pass over the
        counts, for corpora where random splits would take minutes per
        comparison).  ``"auto"``: the normal approximation when both sides
        have at least ``NORMAL_MIN_DOCS`` (1,000) documents, where simulation
        showed it holds its size (README, "Keyness at scale"); splits
        otherwise.  ``note`` says which a row got; ``p_min`` is 0 for the
        normal approximation.

    Returns
    -------
    KeynessResult
        ``.to_frame()`` columns: ``grouping, group, reference, term, count,
        count_reference, log_odds, z, p_adj, p_value, docs_using,
        docs_using_reference, dp, dp_reference, top_doc_share,
        top_doc_share_reference, one_doc, n_docs, n_docs_reference, n_tokens,
        n_tokens_reference, exact, p_min, note``.

    Raises
    ------
    ParameterError
        Unknown column in ``by``, a pair whose groups do not exist, or a bad
        ``min_count``/``prior``/``prior_scale``/``n_permutations``.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words:
    lexical feature selection and evaluation for identifying the content of
    political conflict. *Political Analysis*, 16(4), 372-403.

    Gries, S. Th. (2008). Dispersions and adjusted frequencies in corpora.
    *International Journal of Corpus Linguistics*, 13(4), 403-437.

    Good, P. I. (2005). *Permutation, Parametric, and Bootstrap Tests of
    Hypotheses* (3rd ed.). Springer.

    Besag, J., & Clifford, P. (1991). Sequential Monte Carlo p-values.
    *Biometrika*, 78(2), 301-304.

    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate:
    a practical and powerful approach to multiple testing. *Journal of the
    Royal Statistical Society B*, 57(1), 289-300.

    Examples
    --------
    >>> import discourse
    >>> prepared = discourse.prepare(discourse.load_seeds())
    >>> res = discourse.keyness(prepared, "period", pairs=[("2024", "2015")], min_count=3)
    >>> sorted(res.to_frame()["reference"].unique())
    ['2015']
    >>> float(res.to_frame()["p_min"].iloc[0])  # 2 against 2 documents: 6 splits
    0.3333333333333333
    >>> res.top(5, group="2024", reference="2015")["term"].size
    5
    """
    check_prepared(prepared, need_tokens=True)
    groupings = as_groupings(by)
    _check_keyness_params(min_count, prior, prior_scale, n_permutations, test)
    check_param("against_rest", against_rest, "True, False or None", against_rest in (None, True, False))
    seed = normalize_seed(random_state)
    counts, vocab = term_counts(prepared.tokens)
    passage_docs = prepared.passages["doc_id"].astype(str).to_numpy()
    frames, counts_out = keyness_from_counts(
        counts, vocab, passage_docs, prepared.metadata, groupings, pairs=pairs, against_rest=against_rest,
        min_count=min_count, prior=prior, prior_scale=float(prior_scale), n_permutations=int(n_permutations), seed=seed,
        test=test,
    )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEYNESS_COLUMNS)
    params = {"by": groupings, "pairs": [tuple(p) for p in _pair_list(pairs)],
              "against_rest": (pairs is None) if against_rest is None else bool(against_rest),
              "min_count": min_count, "prior": prior, "prior_scale": float(prior_scale),
              "n_permutations": int(n_permutations), "random_state": seed, "test": test,
              "p_value": ("documents permuted between group and reference (z as the statistic); with "
                          f"{NORMAL_MIN_DOCS:,}+ documents a side and test='auto', or test='normal', the normal "
                          "approximation to that permutation distribution (see note)"),
              "p_adj": "Benjamini-Hochberg over the terms of each comparison"}
    return KeynessResult(table=table, params=params, counts=counts_out)
