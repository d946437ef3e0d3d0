"""Exact and near-duplicate documents, by MinHash and locality-sensitive hashing.

Documents are compared as sets of word 5-gram shingles of their lowercased
words.  Exact duplicates share the hash of that word sequence; near
duplicates (syndicated wire copy with a dateline added, the same op-ed on two
sites, a page captured twice with a changed sidebar) are candidates from
datasketch's :class:`~datasketch.MinHashLSH` whose estimated Jaccard
similarity is at least ``threshold``.  Copies form groups (connected pairs);
each group keeps one document: the earliest published, then the first in
corpus order.

References
----------
Broder, A. Z. (1997). On the resemblance and containment of documents.
Compression and Complexity of Sequences.
Leskovec, J., Rajaraman, A., & Ullman, J. D. (2014). Mining of Massive
Datasets, ch. 3 (locality-sensitive hashing).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import pandas as pd

from ..errors import check_param

__all__ = ["DuplicateResult", "find_duplicates", "DUPLICATE_COLUMNS"]

logger = logging.getLogger(__name__)

DUPLICATE_COLUMNS = ["doc_id", "kept_id", "kind", "similarity", "outlet", "kept_outlet", "kept"]
_WORD = re.compile(r"\w+")


def shingles(text: str, *, size: int = 5) -> set[bytes]:
    """Word ``size``-grams of the lowercased words (the whole text when it is shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@dataclass(frozen=True)
class DuplicateResult:
    """Duplicate groups found in a corpus.

    Attributes
    ----------
    table : DataFrame
        One row per document that is a copy of another: ``doc_id``,
        ``kept_id`` (the copy kept), ``kind`` (``exact`` or ``near``),
        ``similarity`` (estimated Jaccard similarity of shingles; 1 for
        exact), ``outlet``, ``kept_outlet`` and ``kept`` (whether the copy
        stays in the corpus: ``False`` unless all copies are kept).
    threshold, num_perm : parameters used.
    """

    table: pd.DataFrame
    threshold: float
    num_perm: int

    @property
    def dropped(self) -> list[str]:
        """Ids of the copies left out of the corpus."""
        return list(self.table.loc[~self.table["kept"].astype(bool), "doc_id"])

    def copies_of(self) -> dict[str, list[str]]:
        """Kept id -> the ids of its other copies."""
        out: dict[str, list[str]] = {}
        for kept, doc in zip(self.table["kept_id"], self.table["doc_id"]):
            out.setdefault(kept, []).append(doc)
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __str__(self) -> str:
        n_exact = int((self.table["kind"] == "exact").sum())
        return (f"{len(self.table)} duplicate document(s) ({n_exact} exact, {len(self.table) - n_exact} near, "
                f"Jaccard >= {self.threshold}) of {self.table['kept_id'].nunique()} kept")


def find_duplicates(ids: Sequence[str], texts: Iterable[str], *, outlets: Sequence[str | None] | None = None,
                    published: Sequence[str | None] | None = None, threshold: float = 0.8, num_perm: int = 128,
                    keep_all: bool = False, min_words: int = 50, seed: int = 1) -> DuplicateResult:
    """Find exact and near-duplicate documents.

    Parameters
    ----------
    ids : sequence of str
    texts : iterable of str
        In the order of ``ids`` (streamed: only the MinHash signatures are held).
    outlets, published : sequences, optional
        For the table, and to keep the earliest-published copy.
    threshold : float
        Estimated Jaccard similarity of word 5-gram sets at or above which two
        documents are near duplicates.
    num_perm : int
        MinHash permutations (more: a finer estimate, slower).
    keep_all : bool
        Report copies but keep them all (``kept`` is then ``True`` throughout).
    min_words : int
        Shorter documents are not compared: a few identical words ("No
        comment.") say nothing about copying, and word 5-grams of a short text
        are too few for a stable similarity.

    Returns
    -------
    DuplicateResult

    Examples
    --------
    >>> a = "Pakistan and Afghanistan agreed on Monday to reopen the Torkham crossing after a week of closures."
    >>> r = find_duplicates(["a", "b", "c"], [a, a, "Something else entirely."], min_words=5)
    >>> r.to_frame()[["doc_id", "kept_id", "kind"]].values.tolist()
    [['b', 'a', 'exact']]
    """
    from datasketch import MinHash, MinHashLSH

    check_param("threshold", threshold, "a number between 0 and 1", 0 < threshold <= 1)
    ids = list(ids)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    exact: dict[str, int] = {}
    parent = list(range(len(ids)))
    sigs: list[MinHash | None] = []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    rep: list[int] = []  # index of the first document with the same word sequence
    for i, text in enumerate(texts):
        tokens = _WORD.findall(text.lower())
        if len(tokens) < min_words:
            rep.append(i)
            sigs.append(None)
            continue
        words = " ".join(tokens)
        digest = hashlib.sha256(words.encode("utf-8")).hexdigest()
        if digest in exact:
            rep.append(exact[digest])
            union(exact[digest], i)
            sigs.append(None)
            continue
        exact[digest] = i
        rep.append(i)
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch(list(shingles(text)))
        for j in lsh.query(m):
            if float(m.jaccard(sigs[j])) >= threshold:
                union(j, i)
        lsh.insert(i, m)
        sigs.append(m)
    if len(sigs) != len(ids):
        raise ValueError(f"find_duplicates: {len(ids)} ids but {len(sigs)} texts")
    groups: dict[int, list[int]] = {}
    for i in range(len(ids)):
        groups.setdefault(find(i), []).append(i)
    rows = []
    for members in groups.values():
        if len(members) < 2:
            continue
        date = lambda i: (published[i] or "9999") if published is not None else "9999"  # noqa: E731
        keep = min(members, key=lambda i: (date(i), i))
        for i in members:
            if i == keep:
                continue
            # kind and similarity against the copy kept (a copy may join its group through another copy)
            same = rep[i] == rep[keep]
            sim = 1.0 if same else float(sigs[rep[i]].jaccard(sigs[rep[keep]]))
            rows.append({"doc_id": ids[i], "kept_id": ids[keep], "kind": "exact" if same else "near", "similarity": round(sim, 4),
                         "outlet": outlets[i] if outlets is not None else None,
                         "kept_outlet": outlets[keep] if outlets is not None else None, "kept": bool(keep_all)})
    table = pd.DataFrame(rows, columns=DUPLICATE_COLUMNS)
    if len(table):
        order = {d: n for n, d in enumerate(ids)}
        table = table.sort_values("doc_id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return DuplicateResult(table=table, threshold=threshold, num_perm=num_perm)
