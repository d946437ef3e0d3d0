"""Where the package's intervals are backed by simulation, and the notes where they are not.

``benchmarks/coverage_simulation.py`` generates text from known topics with
known group shares, fits the package's LDA on it (five runs and their
posterior draws, as the analysis does), matches the fitted topics
to the true ones (Hungarian) and records how often each 95% interval covers
the truth, at 2, 3, 5, 10, 30 and 100 documents per group
(``benchmarks/results/coverage.json``).  :data:`MIN_DOCS` is the smallest of
those sizes from which coverage stayed at or above :data:`COVERAGE_TARGET`;
below it the package prints no interval and says why in ``ci_note``.  A test
checks these numbers against the committed results.

``benchmarks/coverage_bertopic.py`` does the same for BERTopic in the same
2 x 2 design, on documents sampled from a pool of labelled real passages
(four unrelated sources, embedded once with the real MiniLM) with BERTopic
fitted per replicate (``benchmarks/results/coverage_bertopic.json``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["COVERAGE_TARGET", "MIN_DOCS", "family", "interval_note", "resolve_min_docs"]

#: Coverage an interval method must reach at a sample size to be printed there.
COVERAGE_TARGET = 0.90

#: Model family -> statistic -> smallest documents per group (per cell for
#: difference-in-differences) at which 95% intervals covered the planted truth
#: in at least ``COVERAGE_TARGET`` of simulations with the model fitted.
#: ``"lda"`` is the default analysis (five runs, each with five draws from its
#: variational posterior, combined as nested imputations); ``"lda (one run)"``
#: a single fitted model.  ``None``: no size reached the target.  Measured
#: (50 replicates at 2-10 documents per group, 12 at 30 and 100): the default
#: covered 0.95-1.00 at every size from 2 to 100 (very wide intervals at the
#: smallest sizes), the runs without the posterior the same within Monte Carlo
#: error; one run 0.60-0.99, below the target at most sizes and falling as
#: documents grow, because the fitted model's own error does not shrink.
#:
#: BERTopic, five runs combined or one: no size from 2 to 100 documents per
#: group kept coverage at the target for any statistic (prevalence 0.69-0.85,
#: contrasts 0.80-0.92, effects 0.73-0.89).  BERTopic assigns each passage one
#: topic, misses a planted topic at small sizes and splits it at large ones
#: (12 topics for 4 planted at 100 documents per group), and the runs'
#: variation does not cover that error; so its rows get estimates and
#: p-values but no interval.
MIN_DOCS: dict[str, dict[str, int | None]] = {
    "lda": {"contrast": 2, "did": 2, "effect": 2, "prevalence": 2},
    "lda (one run)": {"contrast": None, "did": None, "effect": None, "prevalence": None},
    "bertopic": {"contrast": None, "did": None, "effect": None, "prevalence": None},
    "bertopic (one run)": {"contrast": None, "did": None, "effect": None, "prevalence": None},
}

#: Where the statistic is not calibrated, ``too_few`` still flags cells below this.
_FALLBACK_MIN_DOCS = 5


def family(model: Any) -> str:
    """The calibration key of a model.

    Its name when several runs are combined (with the posterior draws where
    the model has them: the default analysis); ``"<name> (one run)"`` for a
    single fitted model; ``"<name> (one run, posterior)"`` for one run whose
    posterior draws are combined (not simulated, so its rows get no interval).
    """
    name = str(getattr(model, "name", type(model).__name__.lower()))
    runs = getattr(model, "runs_doc_topic_", None)
    if runs is not None and len(runs) > 1:
        return name
    if runs is not None and getattr(model, "runs_posterior_", None) is not None and getattr(model, "n_draws", 0):
        return f"{name} (one run, posterior)"
    return f"{name} (one run)"


def resolve_min_docs(model_family: str, statistic: str, min_docs: int | None) -> int:
    """``min_docs`` if given, else the calibrated size for this model family and statistic."""
    if min_docs is not None:
        return int(min_docs)
    value = MIN_DOCS.get(model_family, {}).get(statistic)
    return int(value) if value is not None else _FALLBACK_MIN_DOCS


def is_calibrated(model_family: str, statistic: str) -> bool:
    return MIN_DOCS.get(model_family, {}).get(statistic) is not None


def interval_note(model_family: str, statistic: str, n_min: int, min_docs: int, *, p_min: Any = None,
                  alpha: float = 0.05, require_calibration: bool = True) -> str:
    """Why a row has no interval (empty string when it has one).

    Parameters
    ----------
    n_min : int
        Documents in the smallest group (cell) behind the row.
    min_docs : int
        The threshold in force.
    p_min : float, optional
        Smallest attainable p-value of the row's test (contrasts).
    require_calibration : bool
        If False, the simulation's verdict is not consulted (for checking
        intervals in one's own simulations); the other reasons still apply.
    """
    if require_calibration and model_family not in MIN_DOCS:
        return (f"no interval: coverage of {statistic} intervals with fitted {model_family} models "
                "has not been simulated")
    if require_calibration and not is_calibrated(model_family, statistic):
        return (f"no interval: in simulations with fitted {model_family} models, {statistic} intervals "
                f"covered the truth in under {COVERAGE_TARGET:.0%} of cases at every size tried")
    if n_min < 2:
        return "no interval: a group with fewer than 2 documents has no spread to estimate"
    if n_min < min_docs:
        return (f"no interval: fewer than {min_docs} documents per group; below that, 95% intervals covered "
                f"the truth in under {COVERAGE_TARGET:.0%} of simulations with fitted models")
    if p_min is not None and p_min == p_min and p_min >= alpha:
        return (f"no interval: the smallest attainable p with these group sizes is {p_min:.3g}, "
                f"so no difference can be excluded at {alpha:g}")
    return ""
