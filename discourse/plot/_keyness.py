"""Keyness figure: which words rose and which fell between two groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_param
from ._style import (
    OKABE_ITO,
    SINGLE_COLUMN,
    create_mpl_ax,
    finish_axes,
    n_docs_text,
    paper_style,
    place_legend,
    require_columns,
    select_one,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_keyness"]

KEYNESS_COLUMNS = ("grouping", "group", "reference", "term", "count", "count_reference", "log_odds", "z", "p_adj")

_UP = OKABE_ITO["vermillion"]
_DOWN = OKABE_ITO["blue"]


def _pick(df: pd.DataFrame, group: Any, reference: Any) -> tuple[pd.DataFrame, Any]:
    g = df["group"].astype(str)
    r = df["reference"].astype(str)
    refs = list(dict.fromkeys(r[g == str(group)]))
    back = list(dict.fromkeys(g[r == str(group)]))
    if reference is None:
        if len(refs) == 1:
            reference = refs[0]
        else:
            choices = refs or back
            raise ParameterError(
                f"reference=None is not allowed: group {group!r} is compared with several references "
                f"({', '.join(map(repr, choices)) or 'none'}); pass reference=one of them"
            )
    sel = df[(g == str(group)) & (r == str(reference))]
    if not sel.empty:
        return sel.copy(), reference
    sel = df[(g == str(reference)) & (r == str(group))].copy()
    if sel.empty:
        pairs = ", ".join(f"{a} vs {b}" for a, b in dict.fromkeys(zip(g, r)))
        raise ParameterError(f"group={group!r}, reference={reference!r} is not allowed: expected a pair among {pairs}")
    # the log-odds ratio and its z-score are antisymmetric in the pair
    sel["z"] = -pd.to_numeric(sel["z"], errors="coerce")
    sel["log_odds"] = -pd.to_numeric(sel["log_odds"], errors="coerce")
    for a, b in (("count", "count_reference"), ("n_docs", "n_docs_reference"), ("n_tokens", "n_tokens_reference"),
                 ("docs_using", "docs_using_reference"), ("dp", "dp_reference"),
                 ("top_doc_share", "top_doc_share_reference")):
        if a in sel.columns and b in sel.columns:
            sel[a], sel[b] = sel[b].copy(), sel[a].copy()
    return sel, reference


def plot_keyness(
    keyness: pd.DataFrame,
    *,
    group: Any,
    reference: Any = None,
    grouping: str | None = None,
    n: int = 10,
    alpha: float = 0.05,
    n_docs: Mapping[Any, int] | None = None,
    show_counts: bool = True,
    title: str | None = None,
    ax: "Axes | None" = None,
) -> "Axes":
    """Diverging bars of keyness z-scores: the words that rose and fell.

    The ``n`` terms most over-represented in ``group`` (right, vermillion)
    and the ``n`` most over-represented in ``reference`` (left, blue), by
    the z-score of the log-odds ratio with an informative Dirichlet prior
    (Monroe, Colaresi & Quinn 2008).  Dotted lines mark z = ±1.96, which
    treats tokens as independent; bars whose adjusted p-value (``p_adj``:
    documents permuted between the groups, Benjamini–Hochberg) is not below
    ``alpha`` are drawn pale.  A term flagged ``one_doc`` (its count rests
    mostly on one document) is marked with a dagger.  With ``show_counts``
    each bar ends in the term's counts, ``"group count : reference count"``.

    Parameters
    ----------
    keyness : DataFrame
        Columns ``grouping, group, reference, term, count, count_reference,
        log_odds, z, p_adj`` (``keyness.csv``); ``one_doc`` is used when present.
    group : scalar
        The group on the right (positive z: "rose" when it is the later
        period).
    reference : scalar, optional
        The group it is compared with (``"rest"``: all other groups); needed
        when ``group`` has several.  A pair held the other way round in the
        table is flipped.
    grouping : str, optional
        Needed only when the table holds several groupings.
    n : int
        Terms on each side.
    alpha : float
        Threshold on ``p_adj`` for a solid bar.
    n_docs : mapping, optional
        ``{group: number of documents}`` shown in the axis label (taken from
        ``n_docs``/``n_docs_reference`` columns when the table has them).
    show_counts : bool
        Write the raw counts at the end of each bar.
    title : str, optional
        Axes title (default none).
    ax : Axes, optional
        Draw here; a new single-column figure is made when ``None``.

    Returns
    -------
    Axes

    Raises
    ------
    InputError
        If a required column is missing or the table is empty.
    ParameterError
        If the grouping or pair is ambiguous or absent, or ``n``/``alpha``
        are out of range.

    References
    ----------
    Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words:
    lexical feature selection and evaluation for identifying the content of
    political conflict. *Political Analysis* 16(4), 372–403.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_keyness
    >>> df = pd.DataFrame({"grouping": "period", "group": "2024", "reference": "2015",
    ...     "term": ["ttp", "attack", "trade", "cooperation"], "count": [9, 6, 1, 0],
    ...     "count_reference": [0, 1, 7, 9], "log_odds": [2.0, 1.1, -1.4, -2.2],
    ...     "z": [3.1, 1.5, -2.0, -3.3], "p_adj": [0.01, 0.2, 0.09, 0.01]})
    >>> ax = plot_keyness(df, group="2024", reference="2015", n=2)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['ttp', 'attack', 'trade', 'cooperation']
    """
    require_columns(keyness, KEYNESS_COLUMNS, "keyness")
    check_param("n", n, "an integer >= 1", isinstance(n, (int, np.integer)) and n >= 1)
    check_param("alpha", alpha, "a number in (0, 1)", isinstance(alpha, (int, float)) and 0 < alpha < 1)
    df, grouping = select_one(keyness, "grouping", grouping, "keyness")
    df, reference = _pick(df, group, reference)
    df["z"] = pd.to_numeric(df["z"], errors="coerce")
    df = df[np.isfinite(df["z"])]
    up = df[df["z"] > 0].sort_values(["z", "term"], ascending=[False, True], kind="stable").head(n)
    down = df[df["z"] < 0].sort_values(["z", "term"], ascending=[True, True], kind="stable").head(n)
    rows = pd.concat([up, down.iloc[::-1]], ignore_index=True)
    if rows.empty:
        raise ParameterError(f"group={group!r}, reference={reference!r} is not allowed: no term has a finite non-zero z-score")

    docs = dict(n_docs or {})
    if not docs and "n_docs" in df.columns:
        docs[str(group)] = df["n_docs"].dropna().max()
        if "n_docs_reference" in df.columns:
            docs[str(reference)] = df["n_docs_reference"].dropna().max()
    docs = {str(k): v for k, v in docs.items()}

    def word(g: Any) -> str:
        return "other groups" if str(g) == "rest" else str(g)

    def name(g: Any) -> str:
        v = docs.get(str(g))
        return f"{word(g)} ({n_docs_text(v)})" if v is not None and not pd.isna(v) else word(g)

    z = rows["z"].to_numpy(dtype=float)
    p = pd.to_numeric(rows["p_adj"], errors="coerce").to_numpy(dtype=float)
    sig = np.isfinite(p) & (p < alpha)
    y = np.arange(len(rows))
    owned = ax is None
    with paper_style():
        fig, ax = create_mpl_ax(ax, figsize=(SINGLE_COLUMN, max(2.0, 1.2 + 0.15 * len(rows))))
        from matplotlib.patches import Patch

        colors = np.where(z > 0, _UP, _DOWN)
        for i in range(len(rows)):
            ax.barh(y[i], z[i], height=0.72, color=colors[i], alpha=1.0 if sig[i] else 0.35,
                    edgecolor=colors[i], linewidth=0.6, gid="keyness-bar")
        ax.axvline(0, color="#333333", lw=0.6)
        for v in (-1.96, 1.96):
            ax.axvline(v, color="#777777", lw=0.6, ls=":", zorder=0)
        one_doc = rows["one_doc"].fillna(False).astype(bool).to_numpy() if "one_doc" in rows.columns else np.zeros(len(rows), bool)
        ax.set_yticks(y, [str(t).replace("_", " ") + (" †" if od else "") for t, od in zip(rows["term"], one_doc)])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        zmax = float(np.nanmax(np.abs(z)))
        ax.set_xlim(-zmax * 1.3 - 0.3, zmax * 1.3 + 0.3)
        if show_counts:
            for yi, zi, c, cr in zip(y, z, rows["count"], rows["count_reference"]):
                txt = f"{int(c)}:{int(cr)}" if pd.notna(c) and pd.notna(cr) else ""
                ax.annotate(txt, (zi, yi), xytext=(2 if zi > 0 else -2, 0), textcoords="offset points",
                            ha="left" if zi > 0 else "right", va="center", fontsize=6, color="#555555", gid="count-text")
        handles = [
            Patch(color=_UP, label=f"more in {name(group)}"),
            Patch(color=_DOWN, label=f"more in {name(reference)}"),
        ]
        if (~sig).any():
            handles.append(Patch(facecolor="#BBBBBB", edgecolor="#999999", alpha=0.6, label=f"pale: adj. p ≥ {alpha:g}"))
        if one_doc.any():
            handles.append(Patch(facecolor="none", edgecolor="none", label="†: mostly one document"))
        place_legend(ax, owned, handles=handles, handlelength=0.9, columnspacing=0.8)
        xlabel = "Keyness z (log-odds, Dirichlet prior)"
        if show_counts:
            xlabel += f"\nbar ends: count in {word(group)} : in {word(reference)}"
        finish_axes(ax, xlabel=xlabel, ylabel="Term", title=title or "")
    return ax
