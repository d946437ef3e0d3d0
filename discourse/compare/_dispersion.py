"""How a term's count is spread over the documents of a group.

A group's count of a term can come from many documents or from one.  These
functions work on a documents x terms count matrix (sparse) and give, per
term: the number of documents using it, Gries's (2008) deviation of
proportions DP, and the share of the count held by the single document that
uses it most.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = ["docs_using", "gries_dp", "top_doc_share"]


def docs_using(doc_counts: sparse.spmatrix) -> np.ndarray:
    """Number of documents (rows) with a positive count of each term (column).

    Parameters
    ----------
    doc_counts : sparse matrix, shape (n_docs, n_terms)

    Returns
    -------
    ndarray of int, shape (n_terms,)

    Examples
    --------
    >>> from scipy import sparse
    >>> docs_using(sparse.csr_matrix([[2, 0], [1, 0], [0, 3]])).tolist()
    [2, 1]
    """
    m = sparse.csc_matrix(doc_counts)
    return np.diff((m > 0).astype(np.int64).tocsc().indptr).astype(np.int64)


def gries_dp(doc_counts: sparse.spmatrix, doc_sizes: np.ndarray | None = None) -> np.ndarray:
    """Gries's deviation of proportions of every term over the documents.

    With ``s_i`` document ``i``'s share of all tokens and ``v_i`` its share of
    the term's count, ``DP = 0.5 * sum_i |v_i - s_i|``: 0 when the term is
    spread exactly as the text is, approaching 1 when it sits in one small
    document.  Computed from the non-zero entries only
    (``sum_i |v_i - s_i| = 1 + sum_{v_i > 0} (|v_i - s_i| - s_i)``).

    Parameters
    ----------
    doc_counts : sparse matrix, shape (n_docs, n_terms)
        Term counts per document (may be fractional).
    doc_sizes : ndarray, shape (n_docs,), optional
        Tokens per document; default the row sums of ``doc_counts``.

    Returns
    -------
    ndarray, shape (n_terms,)
        NaN for a term with no occurrence, or when there are fewer than two
        documents (one part cannot be uneven).

    References
    ----------
    Gries, S. Th. (2008). Dispersions and adjusted frequencies in corpora.
    *International Journal of Corpus Linguistics*, 13(4), 403-437.

    Examples
    --------
    >>> from scipy import sparse
    >>> m = sparse.csr_matrix([[4, 1], [0, 1], [0, 1], [0, 1]])
    >>> gries_dp(m, doc_sizes=[10, 10, 10, 10]).round(3).tolist()
    [0.75, 0.0]
    """
    m = sparse.coo_matrix(doc_counts, dtype=float)
    n_docs, n_terms = m.shape
    sizes = np.asarray(m.sum(axis=1)).ravel() if doc_sizes is None else np.asarray(doc_sizes, dtype=float)
    out = np.full(n_terms, np.nan)
    total_size = sizes.sum()
    if n_docs < 2 or total_size <= 0:
        return out
    col_total = np.bincount(m.col, weights=m.data, minlength=n_terms)
    keep = m.data > 0
    rows, cols, data = m.row[keep], m.col[keep], m.data[keep]
    s = sizes[rows] / total_size
    v = data / col_total[cols]
    dev = 1.0 + np.bincount(cols, weights=np.abs(v - s) - s, minlength=n_terms)
    used = col_total > 0
    out[used] = np.clip(0.5 * dev[used], 0.0, 1.0)
    return out


def top_doc_share(doc_counts: sparse.spmatrix) -> np.ndarray:
    """Share of each term's count held by the one document using it most.

    Parameters
    ----------
    doc_counts : sparse matrix, shape (n_docs, n_terms)

    Returns
    -------
    ndarray, shape (n_terms,)
        In (0, 1]; NaN for a term with no occurrence.

    Examples
    --------
    >>> from scipy import sparse
    >>> top_doc_share(sparse.csr_matrix([[10, 1], [2, 1], [0, 0]])).round(3).tolist()
    [0.833, 0.5]
    """
    m = sparse.csc_matrix(doc_counts, dtype=float)
    total = np.asarray(m.sum(axis=0)).ravel()
    if m.shape[0] == 0:
        return np.full(m.shape[1], np.nan)
    top = np.asarray(m.max(axis=0).todense()).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, top / np.where(total > 0, total, 1.0), np.nan)
