"""Quote sheets: per topic and group, the passages with the largest share of the topic.

A reader checks what a topic is about by reading the passages that carry
most of it, in each outlet and period, with the document, its outlet and
date, and the passage's character offsets into the cleaned text, so each
quote can be found in its context.

References
----------
Roberts, M. E., Stewart, B. M. & Tingley, D. (2019). stm: an R package for
    structural topic models. *Journal of Statistical Software* 91(2)
    (``findThoughts``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._source import ValidationSource

__all__ = ["QUOTE_COLUMNS", "quote_sheets"]

QUOTE_COLUMNS = ["model", "topic", "label", "grouping", "group", "rank", "share", "doc_id", "outlet", "date",
                 "passage_id", "start", "end", "text"]


def quote_sheets(source: ValidationSource, *, n: int = 3, outlet_col: str = "outlet", date_col: str = "published",
                 groupings: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The ``n`` passages with the largest share of each topic, overall and in each group.

    Parameters
    ----------
    source : ValidationSource
    n : int, default 3
        Passages per topic and group.
    outlet_col, date_col : str
        Metadata columns shown as ``outlet`` and ``date`` (empty when absent).
    groupings : tuple of str, optional
        Default: the groupings of the analysis; ``grouping="all"`` (every
        passage) always comes first.

    Returns
    -------
    DataFrame
        Columns :data:`QUOTE_COLUMNS`; ``start``/``end`` index the document's
        cleaned text; passages in decreasing ``share`` (ties: corpus order).
        Passages with a zero share are never quoted.
    """
    from ..compare import group_labels

    passages = source.passages
    meta = source.metadata
    doc = passages["doc_id"].astype(str)
    outlet = doc.map(meta[outlet_col].fillna("").astype(str).to_dict()) if outlet_col in meta.columns else pd.Series("", index=doc.index)
    date = doc.map(meta[date_col].fillna("").astype(str).to_dict()) if date_col in meta.columns else pd.Series("", index=doc.index)
    blocks: list[tuple[str, str, np.ndarray]] = [("all", "all", np.arange(len(passages)))]
    for by in (source.groupings if groupings is None else groupings):
        labels = doc.map(group_labels(meta, by).to_dict())
        for group in sorted(labels.dropna().unique(), key=str):
            blocks.append((by, str(group), np.flatnonzero((labels == group).to_numpy())))
    rows = []
    for name, mt in source.models.items():
        for c, topic in enumerate(mt.topic_ids):
            col = mt.doc_topic[:, c]
            for grouping, group, idx in blocks:
                idx = idx[col[idx] > 0]
                best = idx[np.lexsort((idx, -col[idx]))][:n]
                for rank, r in enumerate(best, start=1):
                    rows.append((name, int(topic), mt.labels[topic], grouping, group, rank, float(col[r]), doc.iat[r],
                                 outlet.iat[r], date.iat[r], str(passages["passage_id"].iat[r]), int(passages["start"].iat[r]),
                                 int(passages["end"].iat[r]), str(passages["text"].iat[r])))
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)
