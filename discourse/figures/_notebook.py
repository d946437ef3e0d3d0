"""The folders a notebook saves into, handed over by ``discourse figures`` through the kernel's environment.

A notebook kernel is a separate process, so :func:`discourse.figures.build_figures`
passes it its folders as environment variables (:func:`kernel_environment`),
and this module is the one place that reads them back
(:meth:`NotebookFigures.from_environment`):

* ``$DISCOURSE_FIGURES_DIR``: where figures go.  Unset (a notebook run by
  hand in Jupyter): ``CACHE/notebook-figures``, so a hand run never
  overwrites the committed ``figures/`` with files stamped in another way;
* ``$DISCOURSE_CACHE``: the cache the notebooks share (fitted models,
  embeddings, the analysis, rendered figures under ``figures/``); unset:
  ``.cache`` beside the notebooks' folder;
* ``$DISCOURSE_INPUTS_SHA256``: the hash of the notebooks and seeds that
  every figure is stamped with instead of a git commit.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["NotebookFigures", "kernel_environment", "default_cache"]

logger = logging.getLogger(__name__)

ENV_FIGURES = "DISCOURSE_FIGURES_DIR"
ENV_CACHE = "DISCOURSE_CACHE"
ENV_INPUTS = "DISCOURSE_INPUTS_SHA256"


def default_cache(notebooks: str | os.PathLike) -> Path:
    """The notebooks' cache: ``$DISCOURSE_CACHE``, else ``.cache`` beside the folder ``notebooks``."""
    return Path(os.environ.get(ENV_CACHE) or Path(notebooks).resolve().parent / ".cache")


def kernel_environment(*, figures: str | os.PathLike, cache: str | os.PathLike, inputs_sha256: str) -> dict[str, str]:
    """The variables that carry a build's folders into a notebook kernel (read back by :class:`NotebookFigures`)."""
    return {ENV_FIGURES: str(Path(figures).resolve()), ENV_CACHE: str(Path(cache).resolve()), ENV_INPUTS: inputs_sha256}


@dataclass(frozen=True)
class NotebookFigures:
    """Where a notebook saves its figures and tables, and how it stamps them.

    Attributes
    ----------
    figures : Path
        The figure folder (``tables/`` inside it holds the numbers behind the figures).
    cache : Path
        The shared cache; rendered figures are reused from ``cache / "figures"``.
    inputs_sha256 : str or None
        Stamped into every figure's provenance when set.
    """

    figures: Path
    cache: Path
    inputs_sha256: str | None = None

    @classmethod
    def from_environment(cls) -> "NotebookFigures":
        """The folders ``discourse figures`` gave this kernel (a hand run: see the module docstring)."""
        cache = default_cache(Path.cwd())
        figures = os.environ.get(ENV_FIGURES)
        if not figures:
            figures = cache / "notebook-figures"
            logger.info("not run by `discourse figures`: saving figures under %s (figures/ is rebuilt only by the build)",
                        figures)
        return cls(figures=Path(figures), cache=cache, inputs_sha256=os.environ.get(ENV_INPUTS) or None)

    @property
    def tables(self) -> Path:
        """The folder of the tables behind the figures."""
        return self.figures / "tables"

    def save(self, fig: Any, name: str, result, **extra: Any) -> list[Path]:
        """Save ``fig`` (a Figure or the Axes a plot function returned) as ``name``, stamped from ``result``."""
        from ._save import save_figure
        from .registry import figure_provenance

        return save_figure(fig, name, outdir=self.figures, cache=self.cache / "figures",
                           provenance=figure_provenance(result, inputs_sha256=self.inputs_sha256, figure=name, **extra))

    def standard(self, result, key: str, **kwargs: Any):
        """Draw the standard figure ``key`` of ``result`` and save it under its standard name; returns the Axes.

        ``kwargs`` are the figure's parameters (``model``, ``grouping``, …: see
        :mod:`discourse.figures.registry`) and options of its plot function.
        """
        from .registry import standard_figure, standard_tables

        entry = standard_figure(key)
        name = entry.file_name(**kwargs)
        ax = entry.draw(standard_tables(result), **kwargs)
        self.save(ax, name, result)
        return ax
