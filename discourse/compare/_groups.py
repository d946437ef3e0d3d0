"""Group labels from document metadata: one column, or a crossing ``"a:b"``.

Every comparison in :mod:`discourse.compare` groups *documents* by a metadata
column (``"period"``) or by a crossing of columns (``"outlet_country:period"``,
labels such as ``"Pakistan × 2024"``).  A document whose value is unknown
(``None``/missing, in any crossed column) belongs to no group of that
grouping: it is left out of the comparison and counted.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["group_labels", "CROSS_SEP"]

#: Separator between the values of crossed columns in a group label.
CROSS_SEP = " × "


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return False


def split_by(by: str, columns: Sequence[str] | None = None) -> list[str]:
    """Split ``"a:b"`` into its column names, checking they exist.

    Raises
    ------
    ParameterError
        If ``by`` is not a non-empty string, or names a column not in ``columns``
        (the message lists the available columns).
    """
    if not isinstance(by, str) or not by.strip():
        raise ParameterError(f"by={by!r} is not allowed: expected a metadata column name or a crossing 'a:b'")
    parts = [p.strip() for p in by.split(":")]
    if any(not p for p in parts):
        raise ParameterError(f"by={by!r} is not allowed: a crossing is written 'column_a:column_b' with no empty part")
    if len(set(parts)) != len(parts):
        raise ParameterError(f"by={by!r} is not allowed: a column appears twice in the crossing")
    if columns is not None:
        cols = [str(c) for c in columns]
        for p in parts:
            if p not in cols:
                avail = ", ".join(cols) if cols else "(none)"
                raise ParameterError(
                    f"by={by!r}: column {p!r} is not in the metadata; available columns: {avail}"
                )
    return parts


def as_groupings(by: str | Sequence[str]) -> list[str]:
    """Normalise ``by`` (one grouping or a sequence of them) to a list of strings."""
    if isinstance(by, str):
        return [by]
    try:
        out = list(by)
    except TypeError:
        raise ParameterError(f"by={by!r} is not allowed: expected a column name, a crossing 'a:b' or a list of them") from None
    if not out or not all(isinstance(b, str) for b in out):
        raise ParameterError(f"by={by!r} is not allowed: expected a column name, a crossing 'a:b' or a non-empty list of them")
    if len(set(out)) != len(out):
        raise ParameterError(f"by={by!r} is not allowed: a grouping is listed twice")
    return out


def group_labels(metadata: pd.DataFrame, by: str) -> pd.Series:
    """Group label of every document for one grouping.

    Parameters
    ----------
    metadata : pandas.DataFrame
        One row per document, index ``doc_id`` (as :attr:`discourse.Corpus.metadata`).
    by : str
        A metadata column (``"period"``) or a crossing of columns written
        ``"outlet_country:period"``.

    Returns
    -------
    pandas.Series
        Index ``doc_id``, name ``by``, values ``str`` (the column value, or the
        crossed values joined by ``" × "``, e.g. ``"Pakistan × 2024"``) or
        ``None`` where any value involved is unknown.

    Raises
    ------
    ParameterError
        If a column named in ``by`` is not in ``metadata`` (the message lists
        the available columns).

    Examples
    --------
    >>> import discourse
    >>> from discourse.compare import group_labels
    >>> meta = discourse.load_seeds().metadata
    >>> group_labels(meta, "outlet_country:period").tolist()[:2]
    ['Afghanistan × 2015', 'Pakistan × 2021']
    """
    if not isinstance(metadata, pd.DataFrame):
        raise ParameterError(f"metadata={type(metadata).__name__} is not allowed: expected a pandas DataFrame indexed by doc_id")
    parts = split_by(by, list(metadata.columns))
    columns = []
    for p in parts:
        col = metadata[p].tolist()
        columns.append([None if _missing(v) else str(v).strip() for v in col])
    labels: list[str | None] = []
    for values in zip(*columns):
        labels.append(None if any(v is None for v in values) else CROSS_SEP.join(values))
    out = pd.Series(np.array(labels, dtype=object), index=metadata.index.astype(str), name=by, dtype=object)
    out.index.name = "doc_id"
    return out


def sorted_groups(labels: Sequence[Any]) -> list[str]:
    """Distinct known labels in a deterministic (lexicographic) order."""
    return sorted({str(v) for v in labels if v is not None})


def label_map(metadata: pd.DataFrame, by: str) -> dict[str, str | None]:
    """``doc_id -> label`` for one grouping (:func:`group_labels` as a dict)."""
    lab = group_labels(metadata, by)
    return dict(zip(lab.index, lab.tolist()))


def doc_groups(metadata: pd.DataFrame, by: str, doc_ids: Sequence[str],
               mapping: dict[str, str | None] | None = None) -> np.ndarray:
    """Labels aligned with ``doc_ids`` (documents missing from ``metadata`` are unknown).

    ``mapping`` is :func:`label_map` of the same metadata and grouping, when a
    caller comparing many subsets of one corpus has built it once.
    """
    mapping = label_map(metadata, by) if mapping is None else mapping
    return np.array([mapping.get(str(d)) for d in doc_ids], dtype=object)
