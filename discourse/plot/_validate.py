"""Validation figure: a score per topic with its interval, beside chance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._style import MUTED, PALETTE, SINGLE_COLUMN, create_mpl_ax, finish_axes, paper_style, require_columns, select_one, topic_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_validation"]

VALIDATION_COLUMNS = ("measure", "model", "topic", "estimate", "ci_low", "ci_high", "n_judgments")
MEASURE_NAMES = {
    "model_precision": "Model precision (word intrusion)",
    "word_set_accuracy": "Accuracy (word-set intrusion)",
    "topic_log_odds": "Topic log odds (topic intrusion)",
    "topic_accuracy": "Accuracy (topic intrusion)",
    "label_accuracy": "Accuracy (label intrusion)",
}


def plot_validation(scores: pd.DataFrame, *, measure: str = "model_precision", model: str | None = None,
                    title: str | None = None, ax: "Axes | None" = None) -> "Axes":
    """One validation score per topic, with its interval and number of judgments.

    Topics are rows (named with their label and number of judgments), the
    model's overall score is the last row, in bold; a dotted line marks
    chance (guessing) for accuracies, and 0 (the intruder always found)
    for topic log odds.

    Parameters
    ----------
    scores : DataFrame
        ``ValidationScores.to_frame()`` (``scores.csv``): columns ``measure, model,
        topic, estimate, ci_low, ci_high, n_judgments`` (optional ``label``, ``chance``).
    measure : str
        One of the table's measures.
    model : str, optional
        Needed when the table holds several models.
    title : str, optional
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
        If ``measure`` or ``model`` is not in the table.

    Examples
    --------
    >>> import pandas as pd
    >>> from discourse.plot import plot_validation
    >>> df = pd.DataFrame({"measure": "model_precision", "model": "lda", "topic": ["0", "all"],
    ...                    "estimate": [0.8, 0.8], "ci_low": [0.4, 0.4], "ci_high": [1.0, 1.0], "n_judgments": [5, 5]})
    >>> ax = plot_validation(df)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Topic 0 (n=5)', 'all topics (n=5)']
    """
    require_columns(scores, VALIDATION_COLUMNS, "validation scores")
    df, _ = select_one(scores, "measure", measure, "validation scores")
    df, model = select_one(df, "model", model, "validation scores")
    df = df.assign(topic=df["topic"].astype(str))
    topics = sorted((t for t in df["topic"] if t != "all"), key=lambda t: (len(t), t)) + [t for t in df["topic"] if t == "all"]
    df = df.set_index("topic").loc[topics].reset_index()
    labels = []
    for r in df.itertuples():
        if r.topic == "all":
            labels.append(f"all topics (n={r.n_judgments})")
        else:
            lab = getattr(r, "label", "") if "label" in df.columns else ""
            name = topic_label(r.topic, lab if isinstance(lab, str) and lab else None, max_chars=32, width=0)
            labels.append(f"{name} (n={r.n_judgments})")
    y = np.arange(len(df), dtype=float)
    x = df["estimate"].to_numpy(dtype=float)
    lo, hi = df["ci_low"].to_numpy(dtype=float), df["ci_high"].to_numpy(dtype=float)
    ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(x)
    log_odds = measure == "topic_log_odds"
    with paper_style():
        fig, ax = create_mpl_ax(ax, figsize=(SINGLE_COLUMN, max(1.4, 0.8 + 0.22 * len(df))))
        if log_odds:
            ax.axvline(0.0, color=MUTED, lw=0.8, ls=":", zorder=1)
        elif "chance" in df.columns and np.isfinite(df["chance"]).any():
            ax.axvline(float(np.nanmean(df["chance"])), color=MUTED, lw=0.8, ls=":", zorder=1, label="chance")
        if ok.any():
            ax.errorbar(x[ok], y[ok], xerr=[x[ok] - lo[ok], hi[ok] - x[ok]], fmt="none", ecolor=PALETTE[0], elinewidth=1.1, zorder=2)
        ax.plot(x, y, linestyle="none", marker="o", color=PALETTE[0], zorder=3, gid="points")
        ax.set_yticks(y, labels)
        if len(df) and topics[-1] == "all":
            ax.get_yticklabels()[-1].set_fontweight("bold")
        ax.set_ylim(len(df) - 0.5, -0.5)
        if not log_odds:
            ax.set_xlim(-0.03, 1.03)
        finish_axes(ax, xlabel=MEASURE_NAMES.get(measure, measure), title=title if title is not None else str(model))
    return ax
