"""Model figures: choosing the number of topics, and aligning LDA with BERTopic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError, check_param
from ._style import (
    MUTED,
    OKABE_ITO,
    SINGLE_COLUMN,
    create_mpl_axes,
    create_mpl_ax,
    finish_axes,
    note_side,
    paper_style,
    require_columns,
    shorten,
    wrap,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_k_selection", "plot_alignment"]

#: (measure, band column suffix, axis label, colour, marker): the measures the K rule uses, top to bottom.
_MEASURES = (
    ("heldout", "se", "Held-out log-lik.\nper token", OKABE_ITO["blue"], "o"),
    ("coherence", "se", "Semantic\ncoherence", OKABE_ITO["vermillion"], "s"),
    ("exclusivity", "se", "Exclusivity\n(FREX)", OKABE_ITO["orange"], "^"),
    ("stability", "sd", "Stability across\nseeds (matched\nsimilarity)", OKABE_ITO["bluish_green"], "D"),
)
K_COLUMNS = ("k", *[f"{m}_{c}" for m, band, *_ in _MEASURES for c in ("mean", band)], "n_seeds", "chosen")
ALIGNMENT_COLUMNS = ("lda_topic", "bertopic_topic", "similarity")


def plot_k_selection(summary: Any, *, title: str | None = None, ax: Any = None) -> np.ndarray:
    """The measures that choose K (held-out likelihood, coherence, exclusivity, stability) against K.

    One panel per measure (sharing the K axis), top to bottom: held-out
    log-likelihood per token, semantic coherence and exclusivity, each as
    its mean with ± one standard error as a band (across held-out passages
    for held-out likelihood, across seeds for the others), and stability
    across seeds with ± one standard deviation; the chosen K as a dashed
    vertical line labelled ``"chosen K = …"``.  The number of seeds is given
    in the first panel's title.

    Parameters
    ----------
    summary : DataFrame or KSelection
        ``KSelection.summary``: columns ``k, heldout_mean, heldout_se,
        coherence_mean, coherence_se, exclusivity_mean, exclusivity_se,
        stability_mean, stability_sd, n_seeds, chosen``; an object with a
        ``.summary`` attribute is accepted.
    title : str, optional
        Title over the first panel (default: "Choosing K (N seeds; bands
        ± SE, stability ± SD)"; ``""`` for none).
    ax : None, Axes, Figure or sequence of 4 Axes
        ``None``: a new single-column figure with four stacked panels.  A
        single Axes draws all four measures on it (one shared scale).

    Returns
    -------
    ndarray of Axes
        Shape (4,), or (1,) when a single Axes was given.

    Raises
    ------
    InputError
        If a required column is missing or the table is empty.

    References
    ----------
    Roberts, M. E., Stewart, B. M. & Tingley, D. (2019). stm: An R package for
    structural topic models. *Journal of Statistical Software*, 91(2) (``searchK``).

    Mimno, D., Wallach, H. M., Talley, E., Leenders, M. & McCallum, A. (2011).
    Optimizing semantic coherence in topic models. *EMNLP 2011*, 262–272.

    Greene, D., O'Callaghan, D. & Cunningham, P. (2014). How many topics?
    Stability analysis for topic models. *ECML PKDD 2014*, 498–513.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_k_selection
    >>> s = pd.DataFrame({"k": [2, 3, 4], "heldout_mean": [-6.4, -6.3, -6.35], "heldout_se": .05,
    ...     "coherence_mean": [-60., -58., -61.], "coherence_se": 1., "exclusivity_mean": [8.5, 9., 9.2],
    ...     "exclusivity_se": .05, "stability_mean": [.9, .8, .6], "stability_sd": [.05, .05, .1],
    ...     "n_seeds": 3, "chosen": [False, True, False]})
    >>> axes = plot_k_selection(s)
    >>> axes[-1].get_xlabel()
    'Number of topics K'
    """
    from matplotlib.axes import Axes

    if not isinstance(summary, pd.DataFrame) and hasattr(summary, "summary"):
        summary = summary.summary
    require_columns(summary, K_COLUMNS, "K-selection summary")
    df = summary.sort_values("k", kind="stable")
    k = pd.to_numeric(df["k"], errors="coerce").to_numpy(dtype=float)
    chosen = df.loc[df["chosen"].fillna(False).astype(bool), "k"].to_list()
    seeds = sorted({int(s) for s in df["n_seeds"].dropna()})
    seeds_txt = (f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]}–{seeds[-1]}") if seeds else "?"
    if title is None:
        title = f"Choosing K ({seeds_txt} seed{'s' if seeds != [1] else ''}; ± SE, stability ± SD)"
    single = isinstance(ax, Axes)
    with paper_style():
        if single:
            fig, a0 = create_mpl_ax(ax)
            axes = np.asarray([a0], dtype=object)
        else:
            fig, axes = create_mpl_axes(ax, len(_MEASURES), ncols=1, figsize=(SINGLE_COLUMN, 5.0), sharex=True)
        for j, (key, spread, label, color, marker) in enumerate(_MEASURES):
            a = axes[0] if single else axes[j]
            mean = pd.to_numeric(df[f"{key}_mean"], errors="coerce").to_numpy(dtype=float)
            sd = pd.to_numeric(df[f"{key}_{spread}"], errors="coerce").to_numpy(dtype=float)
            a.plot(k, mean, color=color, marker=marker, markersize=3.5, label=label.replace("\n", " "), gid=f"mean-{key}")
            band = np.isfinite(sd)
            if band.any():
                a.fill_between(k, np.where(band, mean - sd, np.nan), np.where(band, mean + sd, np.nan),
                               color=color, alpha=0.2, lw=0, gid=f"band-{key}")
            if not single:
                finish_axes(a, ylabel=label)
        for a in axes:
            for c in chosen:
                a.axvline(float(c), color="#333333", ls="--", lw=0.8, zorder=0, gid="chosen-k")
        if chosen:
            dx, ha = note_side(float(chosen[0]), float(np.nanmin(k)), float(np.nanmax(k)))
            axes[0].annotate(
                f"chosen K = {', '.join(str(int(c)) for c in chosen)}", (float(chosen[0]), 1.0),
                xycoords=("data", "axes fraction"), xytext=(dx * 0.6, -2), textcoords="offset points",
                ha=ha, va="top", fontsize=7, gid="chosen-text",
                bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8),
            )
        ks = sorted({int(v) for v in k if np.isfinite(v)})
        for a in axes:
            a.set_xticks(ks if len(ks) <= 12 else ks[:: max(1, len(ks) // 10)])
        if single:
            axes[0].legend(loc="best")
            finish_axes(axes[0], ylabel="Score (mean ± SE; stability ± SD)")
        finish_axes(axes[-1], xlabel="Number of topics K")
        for a in axes[:-1]:
            a.tick_params(axis="x", labelbottom=False)
        if title:
            finish_axes(axes[0], title=title)
    return axes


def plot_alignment(
    alignment: pd.DataFrame,
    similarity: pd.DataFrame | None = None,
    *,
    annotate: bool | None = None,
    max_label_chars: int = 30,
    title: str | None = None,
    ax: "Axes | None" = None,
) -> "Axes":
    """Heatmap of LDA–BERTopic topic similarity with matched pairs outlined.

    Rows are LDA topics, columns BERTopic topics, colour the similarity of
    their term distributions (cividis, readable in greyscale and by
    colour-blind readers).  The pairs of the Hungarian matching are
    outlined in black; a topic with no counterpart is drawn without one.

    Parameters
    ----------
    alignment : DataFrame
        Columns ``lda_topic, bertopic_topic, similarity`` (optional
        ``lda_label, bertopic_label, matched``), as in ``alignment.csv``.
        Rows with ``matched`` true (all rows when there is no such column)
        are the matched pairs.
    similarity : DataFrame, optional
        The full similarity matrix (index LDA topics, columns BERTopic
        topics).  Default: built from ``alignment`` (missing pairs blank).
    annotate : bool, optional
        Write each cell's value; default when the matrix has at most 12 rows
        and columns.
    max_label_chars : int
        Topic labels are cut to this length (and wrapped onto two lines).
    title : str, optional
        Axes title (default none).
    ax : Axes, optional
        Draw here; a new figure is made when ``None``.

    Returns
    -------
    Axes

    Raises
    ------
    InputError
        If a required column is missing, the table is empty, or the matrix
        does not hold the topics of the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_alignment
    >>> al = pd.DataFrame({"lda_topic": [0, 1], "bertopic_topic": [1, 0], "similarity": [.8, .6]})
    >>> m = pd.DataFrame([[.1, .8], [.6, .2]], index=[0, 1], columns=[0, 1])
    >>> ax = plot_alignment(al, m)
    >>> ax.get_ylabel()
    'LDA topic'
    """
    require_columns(alignment, ALIGNMENT_COLUMNS, "alignment")
    check_param("max_label_chars", max_label_chars, "an integer >= 4", isinstance(max_label_chars, int) and max_label_chars >= 4)
    al = alignment.copy()
    if similarity is None:
        pairs = al.dropna(subset=["lda_topic", "bertopic_topic"])
        similarity = pairs.pivot_table(index="lda_topic", columns="bertopic_topic", values="similarity", aggfunc="first")
    if not isinstance(similarity, pd.DataFrame) or similarity.empty:
        raise InputError("similarity matrix must be a non-empty DataFrame (index LDA topics, columns BERTopic topics)")
    mat = similarity.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    rows, cols = list(similarity.index), list(similarity.columns)
    if "matched" in al.columns:
        matched = al[al["matched"].fillna(False).astype(bool)]
    else:
        matched = al
    matched = matched.dropna(subset=["lda_topic", "bertopic_topic"])
    def key(v: Any) -> str:
        try:
            return str(int(v))
        except (TypeError, ValueError):
            return str(v)

    ridx = {key(r): i for i, r in enumerate(rows)}
    cidx = {key(c): j for j, c in enumerate(cols)}
    cells = []
    for lt, bt in zip(matched["lda_topic"], matched["bertopic_topic"]):
        if key(lt) not in ridx or key(bt) not in cidx:
            raise InputError(f"alignment pair (lda_topic={lt}, bertopic_topic={bt}) is not in the similarity matrix")
        cells.append((ridx[key(lt)], cidx[key(bt)]))

    def lab(df: pd.DataFrame, tcol: str, lcol: str) -> dict[str, str]:
        if lcol not in df.columns:
            return {}
        sub = df[[tcol, lcol]].dropna().drop_duplicates(subset=[tcol])
        return {key(t): str(v) for t, v in zip(sub[tcol], sub[lcol])}

    lda_lab, ber_lab = lab(al, "lda_topic", "lda_label"), lab(al, "bertopic_topic", "bertopic_label")

    def tick(t: Any, labels: dict[str, str]) -> str:
        head = "outliers" if key(t) == "-1" else key(t)
        text = shorten(labels.get(key(t), ""), max_label_chars).replace("_", " ")
        return wrap(f"{head}: {text}", 18) if text and text != key(t) else head

    nr, nc = mat.shape
    if annotate is None:
        annotate = nr <= 12 and nc <= 12
    with paper_style():
        longest = max((max(map(len, tick(c, ber_lab).split("\n"))) for c in cols), default=2)
        w = min(7.0, max(SINGLE_COLUMN, 1.9 + 0.28 * nc))
        h = min(9.0, max(2.4, 1.1 + 0.26 * nr + 0.055 * longest))
        fig, ax = create_mpl_ax(ax, figsize=(w, h))
        finite = mat[np.isfinite(mat)]
        vmin = min(0.0, float(finite.min())) if finite.size else 0.0
        vmax = max(1e-9, float(finite.max())) if finite.size else 1.0
        im = ax.imshow(np.ma.masked_invalid(mat), cmap="cividis", vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
        from matplotlib.patches import Rectangle

        for i, j in cells:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", lw=1.6, gid="matched"))
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="white", lw=0.6, gid="matched-inner"))
        if annotate:
            mid = vmin + 0.6 * (vmax - vmin)
            for i in range(nr):
                for j in range(nc):
                    v = mat[i, j]
                    if np.isfinite(v):
                        ax.text(j, i, f"{v:.2f}".replace("0.", ".", 1) if 0 <= v < 1 else f"{v:.1f}",
                                ha="center", va="center", fontsize=6, color="black" if v > mid else "white", gid="cell-text")
        ax.set_xticks(range(nc), [tick(c, ber_lab) for c in cols], rotation=90 if ber_lab else 0)
        ax.set_yticks(range(nr), [tick(r, lda_lab) for r in rows])
        ax.spines[["top", "right"]].set_visible(True)
        mr, mc = {i for i, _ in cells}, {j for _, j in cells}
        lone = 0
        for labels_, hit in ((ax.get_yticklabels(), mr), (ax.get_xticklabels(), mc)):
            for i, t in enumerate(labels_):
                if i not in hit:
                    t.set_color(MUTED)
                    t.set_fontstyle("italic")
                    lone += 1
        cb = fig.colorbar(im, ax=ax, shrink=0.9, pad=0.02, aspect=25)
        cb.set_label("Similarity of topic–term\ndistributions", fontsize=7.5)
        cb.ax.tick_params(labelsize=7, width=0.6, length=2)
        n_match = len(cells)
        xlabel = f"BERTopic topic\noutlined: {n_match} matched pair{'s' if n_match != 1 else ''}"
        xlabel += "\ngrey italic: no counterpart" if lone else ""
        finish_axes(ax, xlabel=xlabel, ylabel="LDA topic", title=title or "")
    return ax
