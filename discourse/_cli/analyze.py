"""``discourse analyze``: the whole analysis from flags and/or a study file."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .._config import EMBEDDERS, UMAP_INITS
from ._common import check_outputs, corpus_args, progress


def add_parser(sub, common: argparse.ArgumentParser) -> None:
    pa = sub.add_parser("analyze", parents=[common], help="clean, fit LDA and BERTopic, compare groups; write tables and figures",
                        description="Every setting can come from a study file (--config study.toml, see `discourse init`); "
                                    "each flag given here overrides the file.")
    corpus_args(pa, optional=True)
    pa.add_argument("--config", metavar="STUDY.toml", default=None, help="study file holding the corpus, groupings, models and settings")
    pa.add_argument("--by", action="append", default=None, metavar="COLUMN",
                    help="metadata column to compare by (repeatable); cross two with a:b, e.g. outlet_country:period")
    pa.add_argument("--out", default=None, metavar="DIR", help="output folder (replaced atomically when the run completes)")
    pa.add_argument("--models", default=None, help="comma-separated: lda, bertopic (default both)")
    pa.add_argument("--k", default=None, help="number of LDA topics, or 'auto' to choose as stm's searchK: held-out likelihood, coherence, exclusivity, stability (default)")
    pa.add_argument("--k-range", default=None, metavar="K,K,...", help="K tried when --k auto, e.g. 2,3,4,5,6,8 or 2-8 (default 2,3,4,5,6,8,10)")
    pa.add_argument("--min-docs", type=int, default=None, help="groups with fewer documents are flagged too_few (default 3)")
    pa.add_argument("--resamples", type=int, default=None, help="bootstrap resamples (default 2000)")
    pa.add_argument("--permutations", type=int, default=None, help="permutations for contrast p-values (default 2000)")
    pa.add_argument("--seed", type=int, default=None, help="random seed for every stochastic step (default 0)")
    pa.add_argument("--runs", type=int, default=None,
                    help="runs of each model (seeds SEED, SEED+1, ...) aligned and combined in every comparison (default 5)")
    pa.add_argument("--embedder", default=None, choices=EMBEDDERS,
                    help="BERTopic's embedding tier: minilm (torch fp32, default), minilm-int8 (OpenVINO, "
                         "about 3.5x faster), static (Model2Vec, tens of times faster, coarser); see the README")
    pa.add_argument("--umap-init", default=None, choices=UMAP_INITS,
                    help="BERTopic's UMAP start: auto (spectral below 50,000 passages, PCA from there; default), "
                         "spectral or pca; see the README's \"UMAP's start at scale\"")
    pa.add_argument("--no-noise-refit", action="store_true",
                    help="skip BERTopic's refit on embeddings shifted by one part in a million (as long as a run; "
                         "stability.csv's noise_kept is then empty)")
    pa.add_argument("--cache", metavar="DIR", default=None, help="cache folder for embeddings and fitted models (default $DISCOURSE_CACHE or ~/.cache/discourse)")
    pa.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="run on a Dask cluster: a scheduler address, or 'local' for a local cluster (default: in-process)")
    pa.add_argument("--pair", action="append", metavar="GROUP,REFERENCE", default=None,
                    help="compare exactly this pair of groups in keyness and contrasts (repeatable), e.g. 2024,2015; "
                         "default: every pair, later against earlier")
    pa.add_argument("--against-rest", action=argparse.BooleanOptionalAction, default=None,
                    help="keyness of each group against the rest of its grouping (default: only without --pair)")
    pa.add_argument("--prior-scale", type=float, default=None, metavar="S",
                    help="keyness prior's total as a share of the corpus's tokens (default 0.1)")
    pa.add_argument("--no-figures", action="store_true", help="write tables only")
    pa.add_argument("--reproducible", action="store_true",
                    help="compute in the reproducible numeric mode: the same bytes on any x86-64 CPU "
                         "(kernels pinned to AVX2; see discourse.numeric)")


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ..analysis import AnalysisConfig, run_analysis
    from ..errors import ParameterError
    from ..study import Study, load_study

    study = load_study(args.config) if args.config else Study(path=None, corpus=None, config=AnalysisConfig(by=()))
    models = tuple(m.strip().lower() for m in args.models.split(",") if m.strip()) if args.models else None
    k = None if args.k is None else (args.k if args.k == "auto" else _parse_k(args.k))
    study = study.with_overrides(
        corpus=args.path, out=args.out, by=tuple(args.by) if args.by else None, models=models, k=k,
        k_range=_parse_k_range(args.k_range) if args.k_range else None, min_docs=args.min_docs,
        n_resamples=args.resamples, n_permutations=args.permutations, random_state=args.seed, cache_dir=args.cache,
        figures=False if args.no_figures else None, reproducible=True if args.reproducible else None,
        scheduler=args.scheduler, text_col=args.text_col, id_col=args.id_col,
        duplicates="keep_all" if args.keep_duplicates else None,
        prior_scale=args.prior_scale, pairs=_parse_pairs(args.pair), against_rest=args.against_rest,
        n_runs=args.runs,
        embedder=args.embedder, umap_init=args.umap_init, noise_refit=False if args.no_noise_refit else None,
    )
    if not study.config.by:
        raise ParameterError("--by is missing: give --by COLUMN (repeatable), or [compare] by in a --config study file")
    if study.corpus is None:
        raise ParameterError("no corpus: give PATH, or [corpus] path in a --config study file")
    if study.out is None:
        raise ParameterError("--out is missing: give --out DIR, or [output] out in a --config study file")
    args.out, args.cache = study.out, study.config.cache_dir
    config = replace(study.config, progress=progress(args)).validate()
    check_outputs(args)
    load = study.load_options | {"progress": progress(args)}
    result = run_analysis(study.corpus, config, out=study.out, load_options=load,
                          settings=replace(study, config=config).resolved())
    sys.stdout.write(result.describe() + "\n")
    return 0


def _parse_pairs(values: Sequence[str] | None) -> tuple[tuple[str, str], ...] | None:
    from ..errors import ParameterError

    if not values:
        return None
    out = []
    for v in values:
        parts = [p.strip() for p in v.split(",")]
        if len(parts) != 2 or not all(parts):
            raise ParameterError(f"--pair {v!r} is not allowed: write two groups separated by a comma, e.g. --pair 2024,2015")
        out.append((parts[0], parts[1]))
    return tuple(out)
def _parse_k_range(value: str) -> tuple[int, ...]:
    from ..errors import ParameterError

    try:
        if "-" in value and "," not in value:
            lo, hi = (int(x) for x in value.split("-"))
            ks = tuple(range(lo, hi + 1))
        else:
            ks = tuple(int(x) for x in value.split(",") if x.strip())
    except ValueError:
        raise ParameterError(f"--k-range {value!r} is not allowed: give K values like 2,3,4,5,6,8 or a range like 2-8") from None
    if len(ks) < 2 or min(ks) < 2:
        raise ParameterError(f"--k-range {value!r} is not allowed: at least two values, each >= 2")
    return ks


def _parse_k(value: str) -> int:
    from ..errors import ParameterError

    try:
        k = int(value)
    except ValueError:
        raise ParameterError(f"--k {value!r} is not allowed: give an integer >= 2 or 'auto'") from None
    if k < 2:
        raise ParameterError(f"--k {k} is not allowed: give an integer >= 2 or 'auto'")
    return k
