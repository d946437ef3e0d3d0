"""UMAP's starting layout at scale: spectral against PCA, in time and in the topics BERTopic finds.

For ``--n`` distinct real passages (``bench_models.scaling_texts``: gensim's
Lee corpus) embedded with the ``static`` tier, UMAP is fitted with BERTopic's
settings for that size (:func:`discourse.models._bertopic_sizes.auto_sizes`,
cosine metric, ``min_dist=0``, one thread) from each starting layout
(``--inits``) and seed (``--seeds``), and HDBSCAN clusters each layout as
BERTopic does, each fit in a fresh process.  Reported per fit: UMAP's
seconds (numba's compilation is done before, on a fit to 5,000 of the passages), topics and outlier share; per pair of fits:
the adjusted Rand index of the passage clusters (outliers a cluster of
their own); a fit still running after ``--timeout`` seconds is stopped and
recorded as not finished.  Seed against seed with the same start is the yardstick: a start
that agrees with the other start as well as each agrees with itself across
seeds changes nothing a reader can see.

Results are merged into ``benchmarks/results/umap_init.json`` by size.

Usage::

    nice python benchmarks/umap_init.py --n 40000 --inits spectral,pca --seeds 0,1
    nice python benchmarks/umap_init.py --n 100000 --inits pca --seeds 0,1
    nice python benchmarks/umap_init.py --n 100000 --inits spectral --seeds 0 --timeout 900
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "umap_init.json"
sys.path[:0] = [str(HERE.parent), str(HERE)]


def _fit(emb_file: str, sizes: dict, init: str, seed: int, out: str) -> None:
    """One UMAP fit and its HDBSCAN clusters, in a fresh process; saves the labels with the seconds (x10) appended."""
    from hdbscan import HDBSCAN
    from umap import UMAP

    emb = np.load(emb_file)
    UMAP(n_neighbors=5, n_components=2, random_state=0, n_jobs=1, init=init).fit(emb[:5000])  # numba compiles here, untimed
    t = time.perf_counter()
    layout = UMAP(n_neighbors=sizes["n_neighbors"], n_components=sizes["n_components"], min_dist=0.0, metric="cosine",
                  random_state=seed, n_jobs=1, init=init).fit_transform(emb)
    seconds = time.perf_counter() - t
    found = HDBSCAN(min_cluster_size=sizes["min_topic_size"], min_samples=sizes["min_samples"], metric="euclidean",
                    cluster_selection_method="eom").fit(layout).labels_
    np.save(out, np.append(found, int(round(seconds * 10))))
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)  # HDBSCAN's joblib workers would otherwise hold this process open


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--inits", default="spectral,pca")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds after which a fit is stopped and recorded as not finished")
    ap.add_argument("--cache", default=None, help="cache folder holding the static tier's artefact (default: fresh)")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from sklearn.metrics import adjusted_rand_score

    from bench_models import scaling_texts
    from discourse.models import BERTopicModel
    from discourse.models._bertopic_sizes import auto_sizes

    cache = Path(args.cache or tempfile.mkdtemp(prefix="umap_init-"))
    texts = scaling_texts(args.n)
    emb = BERTopicModel(embedder="static", cache_dir=str(cache), progress=False)._embedder().encode(texts)
    sizes = auto_sizes(args.n)

    fits, labels = [], {}
    load0 = os.getloadavg()
    emb_file = cache / f"embeddings-{args.n}.npy"
    np.save(emb_file, emb)
    ctx = multiprocessing.get_context("spawn")  # a fresh process per fit: forking after OpenMP has started is unsafe
    for init, seed in itertools.product(args.inits.split(","), [int(s) for s in args.seeds.split(",")]):
        out = str(cache / f"labels-{init}-{seed}.npy")
        child = ctx.Process(target=_fit, args=(str(emb_file), sizes, init, seed, out))
        child.start()
        child.join(args.timeout)
        if child.is_alive():  # a fit past --timeout is stopped and recorded as such
            child.terminate()
            child.join()
            fits.append({"init": init, "seed": seed, "umap_seconds": None, "stopped_after_seconds": args.timeout,
                         "loadavg_after": os.getloadavg()})
        elif child.exitcode != 0:
            raise SystemExit(f"the {init} fit with seed {seed} failed (exit code {child.exitcode})")
        else:
            saved = np.load(out)
            found, seconds = saved[:-1], saved[-1] / 10
            labels[(init, seed)] = found
            fits.append({"init": init, "seed": seed, "umap_seconds": round(float(seconds), 1), "topics": int(found.max() + 1),
                         "outlier_share": round(float(np.mean(found < 0)), 4), "loadavg_after": os.getloadavg()})
        print(fits[-1], flush=True)
    pairs = [{"a": f"{a[0]}/{a[1]}", "b": f"{b[0]}/{b[1]}", "ari": round(float(adjusted_rand_score(labels[a], labels[b])), 3)}
             for a, b in itertools.combinations(labels, 2)]
    for p in pairs:
        print(p, flush=True)
    row = {"passages": args.n, "sizes": sizes, "embedder": "static", "fits": fits, "agreement": pairs,
           "loadavg_before": load0,
           "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                                    text=True).stdout.strip()}
    old = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    key = str(args.n)
    if key in old:  # a rerun at the same size adds its fits to the earlier ones
        row = old[key] | {"fits": old[key]["fits"] + fits, "agreement": old[key]["agreement"] + pairs,
                          "commit": row["commit"]}
    RESULTS.write_text(json.dumps(old | {key: row}, indent=1) + "\n")


if __name__ == "__main__":
    main()
