"""The settings of one analysis, split by concern, apart from the code that runs it.

* :class:`ModelConfig`: which topic models, with which parameters, on which vocabulary;
* :class:`StatsConfig`: what is compared and how (groupings, keyness, intervals, tests);
* :class:`RunConfig`: how the analysis runs (seed, cache, progress, figures, backend, numeric mode).

:class:`AnalysisConfig` is all three in one frozen dataclass (the keyword
constructor ``AnalysisConfig(k=..., by=...)``, flat attributes and a flat
:func:`dataclasses.asdict`); :attr:`AnalysisConfig.model`,
:attr:`~AnalysisConfig.stats` and :attr:`~AnalysisConfig.run` give each
concern on its own, and each part checks its own fields.  Study-specific
values (years, lexicon, aliases) come from the study's file
(:mod:`discourse.study`), not from library defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .errors import ParameterError

__all__ = ["AnalysisConfig", "ModelConfig", "StatsConfig", "RunConfig", "MODEL_NAMES"]

MODEL_NAMES = ("lda", "bertopic")
EMBEDDERS = ("minilm", "minilm-int8", "static")
UMAP_INITS = ("auto", "spectral", "pca")


@dataclass(frozen=True)
class ModelConfig:
    """The topic models of an analysis.

    Parameters
    ----------
    models : tuple of str
        Any of ``"lda"``, ``"bertopic"``.
    k : int or "auto"
        LDA topics; ``"auto"`` chooses as R stm's ``searchK``: held-out
        likelihood, semantic coherence, exclusivity and stability
        (:func:`discourse.models.select_k`, whose ``rule`` states the rule).
    k_range : tuple of int
        Range of K tried when ``k="auto"``.
    k_seeds : tuple of int
        Seeds per K when ``k="auto"`` (stability across seeds).
    n_runs : int
        Each model (LDA and BERTopic) is fitted with this many seeds
        (``random_state``, ``random_state + 1``, ...), runs aligned to the
        first (``stability.csv``), and every comparison combines them
        (:func:`discourse.models.runs.fit_runs`; for LDA also with draws from
        each run's topic posterior).
        Each run is cached like a single model.
    embedder : str
        BERTopic's embedding tier: ``"minilm"``, ``"minilm-int8"`` or
        ``"static"`` (:class:`~discourse.models.BERTopicModel`).
    umap_init : str
        BERTopic's UMAP start: ``"auto"`` (spectral below 50,000 passages,
        PCA from there, where the spectral solve can take many minutes),
        ``"spectral"`` or ``"pca"`` (:class:`~discourse.models.BERTopicModel`).
    noise_refit : bool
        BERTopic is also refitted once on embeddings shifted by one part in a
        million, for ``noise_kept`` in ``stability.csv`` (with one run the only
        stability measure).  ``False`` skips that refit, which costs as much
        as a run (UMAP included), and leaves ``noise_kept`` empty.
    aliases : str or None
        An alias table (``alias,canonical`` CSV, as ``discourse/data/aliases.csv``)
        used instead of the shipped one; ``None``: the shipped one.
    extra_stopwords : tuple of str
        Words dropped besides the shipped stop-word list.
    """

    models: tuple[str, ...] = MODEL_NAMES
    k: int | str = "auto"
    k_range: tuple[int, ...] = (2, 3, 4, 5, 6, 8, 10)
    k_seeds: tuple[int, ...] = (0, 1, 2)
    n_runs: int = 5
    embedder: str = "minilm"
    umap_init: str = "auto"
    noise_refit: bool = True
    aliases: str | None = None
    extra_stopwords: tuple[str, ...] = ()

    def validate(self) -> "ModelConfig":
        """Check the model fields; raise :class:`ParameterError` naming the bad one."""
        bad = [m for m in self.models if m not in MODEL_NAMES]
        if bad or not self.models:
            raise ParameterError(f"models={','.join(self.models)!r} is not allowed: choose from lda, bertopic")
        if not (self.k == "auto" or (isinstance(self.k, int) and self.k >= 2)):
            raise ParameterError(f"k={self.k!r} is not allowed: an integer >= 2 or 'auto'")
        if not (isinstance(self.n_runs, int) and not isinstance(self.n_runs, bool) and self.n_runs >= 1):
            raise ParameterError(f"n_runs={self.n_runs!r} is not allowed: an integer >= 1")
        if self.embedder not in EMBEDDERS:
            raise ParameterError(f"embedder={self.embedder!r} is not allowed: minilm, minilm-int8 or static (--embedder)")
        if not isinstance(self.noise_refit, bool):
            raise ParameterError(f"noise_refit={self.noise_refit!r} is not allowed: True or False (--no-noise-refit)")
        if self.umap_init not in UMAP_INITS:
            raise ParameterError(f"umap_init={self.umap_init!r} is not allowed: auto, spectral or pca (--umap-init)")
        return self


@dataclass(frozen=True)
class StatsConfig:
    """What an analysis compares and how.

    Parameters
    ----------
    by : tuple of str
        Metadata columns to compare by; ``"a:b"`` crosses two columns.
    formula : str or None
        Right-hand side for ``effects.csv`` (:func:`discourse.effects`);
        ``None`` joins ``by`` (``"~ outlet_country + period +
        outlet_country:period"``).  When the metadata has ``published``
        dates, ``predicted.csv`` also holds a smooth trend over the
        decimal year (``"~ bs(year, df=3)"``).
    min_count : int
        Minimum term count for keyness.
    prior_scale : float
        Keyness prior's total relative to the corpus (``alpha_w = prior_scale * y_w``).
    pairs : tuple of (str, str) or None
        ``(group, reference)`` pairs for keyness and contrasts, each used in the
        groupings that have both groups; ``None``: every pair of groups (later
        against earlier) of groupings with 2-8 groups.
    against_rest : bool or None
        Keyness of each group against the rest; ``None``: only when ``pairs``
        is None.
    min_docs : int or None
        Cells with fewer documents are flagged ``too_few`` and get no
        interval; ``None`` (default) takes, per model and statistic, the size
        from which the coverage simulation with fitted models found at least
        90% coverage (:mod:`discourse.compare._calibration`).  Frames, which
        have no such simulation, use 3 then.
    n_resamples : int
        Bootstrap resamples (documents are resampled).
    n_permutations : int
        Permutations for contrast p-values.
    confidence_level : float
        Of every interval.
    lexicon : str or None
        A frames lexicon file (``term,frame,role`` CSV with a ``# domain:``
        line, as ``discourse/data/frames.csv``); ``None``: the shipped one.
    did_years : tuple of (str, str) or None
        ``(before, after)``: the time values difference-in-differences
        compares in a crossing ``group:time`` (a study's own years, e.g.
        ``("2015", "2024")`` in ``notebooks/study.toml``); one the crossing
        lacks, or ``None``: its first (before) or last (after) time value
        in sorted order.
    """

    by: tuple[str, ...] = ("period",)
    formula: str | None = None
    min_count: int = 3
    prior_scale: float = 0.1
    pairs: tuple[tuple[str, str], ...] | None = None
    against_rest: bool | None = None
    min_docs: int | None = None
    n_resamples: int = 2000
    n_permutations: int = 2000
    confidence_level: float = 0.95
    lexicon: str | None = None
    did_years: tuple[str, str] | None = None

    def validate(self) -> "StatsConfig":
        """Check the statistics fields; raise :class:`ParameterError` naming the bad one."""
        if not self.by:
            raise ParameterError("by=() is not allowed: give at least one metadata column (--by COLUMN)")
        if not 0 < self.confidence_level < 1:
            raise ParameterError(f"confidence_level={self.confidence_level!r} is not allowed: between 0 and 1")
        if self.n_resamples < 100 or self.n_permutations < 100:
            raise ParameterError("n_resamples and n_permutations must be >= 100")
        if not (isinstance(self.prior_scale, (int, float)) and 0 < self.prior_scale < float("inf")):
            raise ParameterError(f"prior_scale={self.prior_scale!r} is not allowed: a number > 0 (--prior-scale)")
        if self.pairs is not None and any(len(p) != 2 or str(p[0]) == str(p[1]) for p in self.pairs):
            raise ParameterError(f"pairs={self.pairs!r} is not allowed: pairs of two different groups (--pair GROUP,REFERENCE)")
        if self.did_years is not None and (len(self.did_years) != 2 or str(self.did_years[0]) == str(self.did_years[1])):
            raise ParameterError(f"did_years={self.did_years!r} is not allowed: two different time values (before, after), "
                                 'e.g. ["2015", "2024"]')
        return self


@dataclass(frozen=True)
class RunConfig:
    """How an analysis runs.

    Parameters
    ----------
    random_state : int
        The one seed every stochastic step derives from.
    cache_dir : str or None
        Where embeddings and fitted models are cached.
    progress : bool or None
        Progress bars; ``None`` shows them only when attached to a terminal.
    figures : bool
        Also draw the figures (``DIR/figures``) when writing.
    scheduler : str or None
        Dask scheduler address, ``"local"``, or ``None`` for in-process.
    reproducible : bool
        Compute in the reproducible numeric mode (:mod:`discourse.numeric`):
        the same bytes on any x86-64 CPU.  When this process does not already
        run in the mode, the analysis is computed in a fresh process that
        does, and its result comes back through the cache (``cache_dir``, or
        the default cache folder when that is ``None``).
    """

    random_state: int = 0
    cache_dir: str | None = None
    progress: bool | None = None
    figures: bool = True
    scheduler: str | None = None
    reproducible: bool = False

    def validate(self) -> "RunConfig":
        """Check the run fields (nothing to check on its own; see :meth:`AnalysisConfig.validate`)."""
        return self


def _part(cls, config):
    return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class AnalysisConfig(RunConfig, ModelConfig, StatsConfig):
    """Every parameter of :func:`analyze`: :class:`ModelConfig`, :class:`StatsConfig` and :class:`RunConfig` in one.

    Takes every field of the three parts as a keyword, e.g.
    ``AnalysisConfig(by=("period",), k=4, cache_dir=".cache")``.

    Examples
    --------
    >>> cfg = AnalysisConfig(by=("period",), k=4)
    >>> cfg.k, cfg.model.k, cfg.stats.by, cfg.run.random_state
    (4, 4, ('period',), 0)
    """

    @property
    def model(self) -> ModelConfig:
        """The model settings."""
        return _part(ModelConfig, self)

    @property
    def stats(self) -> StatsConfig:
        """The statistics settings."""
        return _part(StatsConfig, self)

    @property
    def run(self) -> RunConfig:
        """The run settings."""
        return _part(RunConfig, self)

    def validate(self) -> "AnalysisConfig":
        """Check every field; raise :class:`ParameterError` naming the bad one."""
        StatsConfig.validate(self)
        ModelConfig.validate(self)
        RunConfig.validate(self)
        if self.reproducible and self.embedder == "minilm-int8":
            raise ParameterError("embedder='minilm-int8' is refused with reproducible=True: OpenVINO picks its int8 "
                                 "kernels from the CPU, unchecked across CPUs; use minilm or static")
        return self
