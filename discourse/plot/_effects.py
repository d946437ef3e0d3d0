"""Topic weight over time: the smooth date trend of ``predicted.csv`` with its bands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from ._style import (
    PALETTE,
    SINGLE_COLUMN,
    create_mpl_ax,
    finish_axes,
    labels_from,
    mark_unstable,
    paper_style,
    place_legend,
    require_columns,
    select_one,
    topic_label,
)
from ._topics import model_name

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_trend"]

TREND_COLUMNS = ("model", "topic", "year", "share", "ci_low", "ci_high")


def plot_trend(
    predicted: pd.DataFrame,
    *,
    model: str | None = None,
    formula: str | None = None,
    topics: Sequence[Any] | None = None,
    max_label_chars: int = 30,
    title: str | None = None,
    ax: "Axes | None" = None,
) -> "Axes":
    """Predicted topic weight against the publication year, one line per topic.

    Draws a band where the table has an interval; where it has none (too few
    documents, or no coverage simulation behind it) the line is drawn alone
    and the legend says why.

    Parameters
    ----------
    predicted : DataFrame
        ``predicted.csv`` rows of a trend formula: ``model, topic, year,
        share, ci_low, ci_high`` (optional ``label, formula, unstable, ci_note``).
    model, formula : str, optional
        Which model and formula to draw when the table holds several (by
        default the formula mentioning ``year``).
    topics : sequence, optional
        Topics to draw (default all but BERTopic's outlier topic -1).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_trend
    >>> df = pd.DataFrame({"model": "lda", "topic": [0, 0, 1, 1], "year": [2015, 2024] * 2,
    ...                    "share": [.6, .3, .4, .7], "ci_low": [.5, .2, .3, .6], "ci_high": [.7, .4, .5, .8]})
    >>> plot_trend(df).get_xlabel()
    'Publication year'
    """
    require_columns(predicted, TREND_COLUMNS, "predicted")
    df, model = select_one(predicted, "model", model, "predicted")
    if "formula" in df.columns:
        if formula is None:
            trend = [f for f in df["formula"].dropna().unique() if "year" in str(f)]
            formula = trend[0] if trend else None
        if formula is not None:
            df = df[df["formula"] == formula]
    df = df[pd.to_numeric(df["year"], errors="coerce").notna()]
    ids = [t for t in sorted(df["topic"].unique()) if t != -1] if topics is None else list(topics)
    labels = mark_unstable(df, labels_from(df, "topic", "label"))
    owned = ax is None
    with paper_style():
        fig, ax = create_mpl_ax(ax, figsize=(SINGLE_COLUMN, 2.6))
        no_band = []
        for i, t in enumerate(ids):
            sub = df[df["topic"] == t].sort_values("year", kind="mergesort")
            x = sub["year"].to_numpy(float)
            color = PALETTE[i % len(PALETTE)]
            ax.plot(x, sub["share"].to_numpy(float), color=color, lw=1.2,
                    label=topic_label(t, labels.get(t), max_chars=max_label_chars, width=0))
            lo, hi = sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float)
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ax.fill_between(x[ok], lo[ok], hi[ok], color=color, alpha=0.18, lw=0, gid="band")
            else:
                no_band.append(t)
        place_legend(ax, owned, title=f"{model_name(model)} topic")
        note = ""
        if no_band:
            reason = ""
            if "ci_note" in df.columns:
                notes = df.loc[df["topic"].isin(no_band), "ci_note"].dropna().astype(str)
                reason = notes.iloc[0] if len(notes) else ""
            note = "lines without bands: " + (reason.removeprefix("no interval: ") or "no interval")
            ax.text(0.01, 0.98, note if len(note) < 90 else note[:87] + "…", transform=ax.transAxes, ha="left",
                    va="top", fontsize=6, color="#555555", gid="band-note")
        finish_axes(ax, xlabel="Publication year", ylabel="Topic weight (predicted share)", title=title or "")
    return ax
