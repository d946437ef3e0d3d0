"""Write scores: tidy tables, a figure and a manifest, into one folder, atomically."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd

from ._score import MEASURES, ValidationScores

__all__ = ["write_scores", "draw_scores"]

logger = logging.getLogger(__name__)


def draw_scores(scores: pd.DataFrame):
    """A figure with one :func:`~discourse.plot.plot_validation` panel per model and measure in ``scores``.

    Returns
    -------
    Figure
    """
    from ..plot import paper_style, plot_validation
    from ..plot._style import SINGLE_COLUMN, create_mpl_axes

    panels = [(m, meas) for m in sorted(scores["model"].unique()) for meas in MEASURES if
              ((scores["model"] == m) & (scores["measure"] == meas)).any()]
    rows = max(len(scores[(scores["model"] == m) & (scores["measure"] == meas)]) for m, meas in panels) if panels else 1
    with paper_style():
        fig, axes = create_mpl_axes(None, max(1, len(panels)), ncols=1,
                                    figsize=(SINGLE_COLUMN * 1.4, max(1.6, len(panels) * (0.7 + 0.22 * rows))))
    for ax, (model, measure) in zip(axes, panels):
        plot_validation(scores, measure=measure, model=model, ax=ax)
    return fig


def write_scores(result: ValidationScores, out: str | os.PathLike, *, figure: bool = True) -> Path:
    """Write ``scores.csv``, ``agreement.csv``, ``judgments.csv``, ``figures/validation.png`` and ``manifest.json``.

    The folder is built aside and swapped in when complete.
    """
    from .._io import atomic_dir, check_replaceable_dir, sha256_file
    from ..figures import save_figure
    from ..provenance import package_versions, to_json

    out = check_replaceable_dir(out, option="--out")
    with atomic_dir(out) as tmp:
        result.scores.to_csv(tmp / "scores.csv", index=False, lineterminator="\n", float_format="%.6g")
        result.agreement.to_csv(tmp / "agreement.csv", index=False, lineterminator="\n", float_format="%.6g")
        result.judgments.to_csv(tmp / "judgments.csv", index=False, lineterminator="\n", float_format="%.6g")
        prov = {"export_id": result.export_id, "confidence_level": result.confidence_level, "versions": package_versions()}
        if figure and len(result.scores):
            import matplotlib.pyplot as plt

            fig = draw_scores(result.scores)
            try:
                save_figure(fig, "validation", outdir=tmp / "figures", provenance=prov)
            finally:
                plt.close(fig)
        outputs = {str(p.relative_to(tmp)): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        (tmp / "manifest.json").write_text(to_json(prov | {"outputs": outputs}), encoding="utf-8")
    logger.info("wrote validation scores into %s", out)
    return out
