"""The study's one configuration, shared by every notebook (no analysis logic here)."""

from discourse import AnalysisConfig

#: Compare by outlet country, by period, and by their crossing; both models; K chosen by coherence
#: and stability; one seed for everything; computed in the reproducible numeric mode, so a notebook
#: run in any kernel gives the numbers `discourse figures` gives.
CONFIG = AnalysisConfig(
    by=("outlet_country", "period", "outlet_country:period"),
    models=("lda", "bertopic"),
    k="auto",
    k_range=(2, 3, 4, 5, 6, 8),
    k_seeds=(0, 1, 2),
    random_state=0,
    min_count=3,
    min_docs=3,
    n_resamples=2000,
    n_permutations=2000,
    progress=False,
    figures=False,
    reproducible=True,
)
