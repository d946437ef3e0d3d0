"""The study's one configuration, shared by every notebook (no analysis logic here)."""

from discourse import AnalysisConfig

#: Compare by outlet country, by period, and by their crossing; both models; K chosen by coherence
#: and stability; LDA fitted over five seeds and combined; one seed for everything; computed in the
#: reproducible numeric mode, so a notebook run in any kernel gives the numbers `discourse figures` gives.
CONFIG = AnalysisConfig(
    by=("outlet_country", "period", "outlet_country:period"),
    models=("lda", "bertopic"),
    k="auto",
    k_range=(2, 3, 4, 5, 6, 8),
    k_seeds=(0, 1, 2),
    random_state=0,
    min_count=3,
    min_docs=None,  # the size from which the coverage simulation backs intervals (per model and statistic)
    n_runs=5,
    n_resamples=2000,
    n_permutations=2000,
    progress=False,
    figures=False,
    reproducible=True,
)
