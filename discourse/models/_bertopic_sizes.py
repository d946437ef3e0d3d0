"""The UMAP and HDBSCAN sizes BERTopic uses for a corpus of ``n`` passages.

``"auto"`` sizes adapt to the corpus (see :mod:`discourse.models.bertopic_model`):
``min_topic_size = max(3, round(sqrt(n) / 2))``, ``min_samples =
max(1, min_topic_size // 2)``, ``n_neighbors = clip(round(sqrt(n)), 2, 15)``,
``n_components = min(5, n - 2)``.

UMAP's starting layout (:func:`umap_init`): ``"auto"`` is UMAP's spectral
layout below :data:`PCA_INIT_FROM` passages and the first principal
components of the embeddings from there on.  The spectral layout solves an
eigenproblem of the neighbour graph with ARPACK, whose time depends on the
data and even the seed rather than on its size alone: on this project's
scaling corpus UMAP took 38 s from it at 40,000 passages, and 247 s (seed 0)
and 831 s (seed 1) at 100,000, against 17.5 s and 48-74 s from PCA; many
near-separate clusters make the graph's smallest eigenvalues crowd together.
A PCA start costs seconds at any size, and Kobak & Linderman (2021) found
that UMAP keeps global structure as well from it as from the spectral
layout (``benchmarks/umap_init.py`` measures the agreement of the topics).

References
----------
Kobak, D., & Linderman, G. C. (2021). Initialization is critical for
preserving global data structure in both t-SNE and UMAP. *Nature
Biotechnology*, 39(2), 156-157.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._config import UMAP_INITS  # the allowed values of ``umap_init``, one list for the models and the settings
from ..errors import check_param

__all__ = ["auto_sizes", "umap_init", "MIN_PASSAGES", "PCA_INIT_FROM", "UMAP_INITS"]

#: Fewest passages BERTopic is fitted on, whatever the sizes.
MIN_PASSAGES = 10

#: From this many passages, ``umap_init="auto"`` starts UMAP from PCA instead of the spectral layout.
PCA_INIT_FROM = 50_000



def auto_sizes(n: int, *, min_topic_size: Any = "auto", min_samples: Any = "auto", n_neighbors: Any = "auto",
               n_components: Any = "auto") -> dict[str, int]:
    """The UMAP/HDBSCAN sizes used for ``n`` passages (see the module docstring).

    Examples
    --------
    >>> auto_sizes(100)
    {'min_topic_size': 5, 'min_samples': 2, 'n_neighbors': 10, 'n_components': 5, 'needed': 11}
    >>> auto_sizes(100_000)["min_topic_size"]
    158
    """
    root = math.sqrt(max(n, 0))
    mts = max(3, int(round(root / 2))) if min_topic_size == "auto" else int(min_topic_size)
    ms = max(1, mts // 2) if min_samples == "auto" else int(min_samples)
    nn = int(min(15, max(2, round(root)))) if n_neighbors == "auto" else int(n_neighbors)
    nc = min(5, max(2, n - 2)) if n_components == "auto" else int(n_components)
    needed = max(MIN_PASSAGES, 2 * mts, nc + 2, nn + 1)
    return {"min_topic_size": mts, "min_samples": ms, "n_neighbors": nn, "n_components": nc, "needed": needed}


def umap_init(n: int, init: str = "auto") -> str:
    """UMAP's ``init`` for ``n`` passages: ``init`` itself, or for ``"auto"`` ``"spectral"`` below :data:`PCA_INIT_FROM` and ``"pca"`` from there.

    Examples
    --------
    >>> umap_init(1_000), umap_init(100_000), umap_init(100_000, "spectral")
    ('spectral', 'pca', 'spectral')
    """
    check_param("umap_init", init, f"one of {', '.join(UMAP_INITS)}", init in UMAP_INITS)
    if init != "auto":
        return init
    return "pca" if n >= PCA_INIT_FROM else "spectral"


def _auto_or_int(name: str, value: Any, minimum: int) -> None:
    if value == "auto":
        return
    check_param(name, value, f'"auto" or an integer >= {minimum}',
                isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= minimum)
