"""Is ``select_k``'s held-out standard error a standard error? Repeated held-out splits and fits.

The held-out log-likelihood's standard error in ``KSelection.summary``
(``heldout_se``) is the standard deviation of the per-passage values over
the held-out passages divided by the square root of their number: the
standard error of a mean over passages drawn at random, combined with the
variance of the mean over seeds.  Here one planted corpus (8 topics,
``benchmarks/select_k_planted.py``) is scored at K = 8 with ``n_splits``
disjoint triples of seeds (three fits each, as ``k="auto"`` does); the first
seed of each draws a new held-out split.  The standard deviation of
``heldout_mean`` across these repeats is what a standard error should
estimate, and is compared with the mean reported ``heldout_se``.

Run (about 10 minutes on two shared cores)::

    PYTHONPATH=. python benchmarks/select_k_se_check.py     # writes benchmarks/results/select_k_se_check.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "select_k_se_check.json"


def _planted():
    spec = importlib.util.spec_from_file_location("select_k_planted", HERE / "select_k_planted.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-splits", type=int, default=20)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    from discourse.models import select_k

    bench = _planted()
    n_topics = 8
    corpus = bench.planted_corpus(n_topics, bench.PLANTED[n_topics]["n_docs"], 0, **bench.GENERATOR)
    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    means, ses = [], []
    for s in range(args.n_splits):
        row = select_k(corpus, k_range=(n_topics,), seeds=(3 * s, 3 * s + 1, 3 * s + 2), progress=False).summary.iloc[0]
        means.append(float(row["heldout_mean"]))
        ses.append(float(row["heldout_se"]))
    out = {
        "corpus": f"planted, {n_topics} topics, {bench.PLANTED[n_topics]['n_docs']} documents, corpus seed 0",
        "k": n_topics, "n_splits": args.n_splits, "seeds_per_split": 3, "heldout_mean": means, "heldout_se": ses,
        "sd_of_heldout_mean_across_splits": float(np.std(means, ddof=1)),
        "mean_reported_heldout_se": float(np.mean(ses)),
        "ratio_sd_to_se": float(np.std(means, ddof=1) / np.mean(ses)),
        "wall_s": round(time.perf_counter() - t, 1), "load_before": load_before, "load_after": os.getloadavg()[0],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    print(json.dumps({k: v for k, v in main().items() if not isinstance(v, list)}, indent=1))  # noqa: T201
