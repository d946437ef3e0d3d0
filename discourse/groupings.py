"""Which groupings can be compared: groups, their sizes, and a one-line warning where a table will be empty.

A grouping with fewer than two groups has nothing to compare (keyness,
contrasts and drift get no rows for it); groups with fewer than
``min_docs`` documents are compared but flagged ``too_few``.  The table
:func:`check_groupings` returns is written as ``groupings.csv`` beside the
results, so an empty table can be read against its reason.
"""

from __future__ import annotations

import logging
from typing import Sequence

import pandas as pd

__all__ = ["check_groupings", "GROUPING_COLUMNS", "empty_reason"]

logger = logging.getLogger(__name__)

GROUPING_COLUMNS = ["grouping", "group", "n_docs", "too_few", "comparable", "note"]


def _values(counts: pd.Series, limit: int = 6) -> str:
    shown = [f"{g!r} ({n} doc{'s' if n != 1 else ''})" for g, n in counts.head(limit).items()]
    more = len(counts) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def check_groupings(metadata: pd.DataFrame, by: Sequence[str], *, min_docs: int | None = 3) -> pd.DataFrame:
    """One row per group of every grouping, with a warning for each grouping that cannot be compared.

    Parameters
    ----------
    metadata : DataFrame
        One row per document (``Corpus.metadata`` or ``Prepared.metadata``).
    by : sequence of str
        Groupings (columns, or ``a:b`` crossings).
    min_docs : int or None
        Groups with fewer documents are flagged ``too_few``; ``None``: the
        smallest group size at which the coverage simulation backs any
        interval (:data:`discourse.compare._calibration.MIN_DOCS`).

    Returns
    -------
    DataFrame
        ``grouping``, ``group``, ``n_docs``, ``too_few``, ``comparable``
        (the grouping has at least two groups), ``note`` (why not, or
        which groups are too small).

    Examples
    --------
    >>> import discourse
    >>> t = check_groupings(discourse.load_seeds().metadata, ["period"])
    >>> t[["group", "n_docs", "too_few"]].values.tolist()
    [['2015', 2, True], ['2021', 1, True], ['2024', 2, True]]
    """
    from .compare import group_labels

    if min_docs is None:
        from .compare._calibration import MIN_DOCS

        min_docs = min(v for sizes in MIN_DOCS.values() for v in sizes.values() if v is not None)
    rows = []
    for spec in by:
        labels = group_labels(metadata, spec)
        counts = labels.dropna().value_counts().sort_index()
        unknown = int(labels.isna().sum())
        small = counts[counts < min_docs]
        if len(counts) < 2:
            note = (f"{len(counts)} group{'s' if len(counts) != 1 else ''}"
                    + (f" ({_values(counts)})" if len(counts) else "")
                    + (f" and {unknown} document(s) with no value" if unknown else "")
                    + ": nothing to compare, so keyness, contrasts and drift have no rows for it")
            logger.warning("--by %r: %s; choose a column with at least two values", spec, note)
        elif len(small) == len(counts):
            note = f"every group has fewer than min_docs={min_docs} documents: {_values(counts)}; rows are flagged too_few and intervals are absent or span almost every value"
            logger.warning("--by %r: %s", spec, note)
        elif len(small):
            note = f"groups with fewer than min_docs={min_docs} documents are flagged too_few: {_values(small)}"
        else:
            note = ""
        if unknown and len(counts) >= 2:
            note = (note + "; " if note else "") + f"{unknown} document(s) with no value are left out"
        if not len(counts):
            rows.append({"grouping": spec, "group": None, "n_docs": 0, "too_few": True, "comparable": False, "note": note})
        for group, n in counts.items():
            rows.append({"grouping": spec, "group": group, "n_docs": int(n), "too_few": bool(n < min_docs),
                         "comparable": len(counts) >= 2, "note": note})
    return pd.DataFrame(rows, columns=GROUPING_COLUMNS)


def empty_reason(groupings: pd.DataFrame | None) -> str:
    """Why comparison tables are empty, from a :func:`check_groupings` table ('' when every grouping compares)."""
    if groupings is None or not len(groupings):
        return ""
    bad = groupings[~groupings["comparable"].astype(bool)].drop_duplicates("grouping")
    return "; ".join(f"--by {g!r}: {n}" for g, n in zip(bad["grouping"], bad["note"]))
