"""Does ``select_k`` find the number of topics? Planted corpora of 8 and 15 topics, and the Lee corpus.

Planted corpora follow LDA's generative process: every topic has its own
vocabulary (most of its mass) plus a share of a common background
vocabulary; each document draws topic shares from a symmetric Dirichlet and
then each token's topic and term.  ``select_k`` should pick within ±2 of the
true number.  On gensim's Lee background corpus (300 news articles of varied
themes), K should not be the smallest of the range, and the per-K measures
are saved.

Three planted corpora are drawn per number of topics (``--draws``).  Run (about
15 minutes on two shared cores)::

    PYTHONPATH=. python benchmarks/select_k_planted.py            # writes benchmarks/results/select_k_planted.json

The JSON holds the settings, each corpus's chosen K, its summary table (one
row per K) and the wall time of each sweep (with the load average before and after).
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger("select_k_planted")
RESULTS = Path(__file__).resolve().parent / "results" / "select_k_planted.json"

#: The planted corpora: true topics, documents, the K grid searched.
PLANTED = {
    8: {"n_docs": 400, "k_range": tuple(range(2, 15))},
    15: {"n_docs": 500, "k_range": tuple(range(5, 24, 2))},
}
GENERATOR = {"own_terms": 20, "background_terms": 100, "background_share": 0.2, "doc_alpha": 0.2,
             "min_len": 50, "max_len": 100}
LEE_K_RANGE = tuple(range(2, 21, 2))
SEEDS = (0, 1, 2)


class Tokens:
    """The part of a ``discourse.Prepared`` that ``select_k`` reads: passages and their tokens."""

    def __init__(self, tokens: list[list[str]]) -> None:
        ids = [f"d{i:04d}" for i in range(len(tokens))]
        self.passages = pd.DataFrame({"doc_id": ids, "passage_id": [f"{i}#0000" for i in ids], "text": ""})
        self.tokens = tokens


def planted_corpus(n_topics: int, n_docs: int, seed: int, *, own_terms: int, background_terms: int,
                   background_share: float, doc_alpha: float, min_len: int, max_len: int) -> Tokens:
    """Documents drawn from LDA's generative process with ``n_topics`` topics of distinct vocabularies."""
    rng = np.random.default_rng(seed)
    own = [[f"t{k:02d}w{j:02d}" for j in range(own_terms)] for k in range(n_topics)]
    background = [f"bg{j:03d}" for j in range(background_terms)]
    vocab = np.array([w for words in own for w in words] + background)
    beta = np.zeros((n_topics, len(vocab)))
    for k in range(n_topics):
        beta[k, k * own_terms:(k + 1) * own_terms] = (1 - background_share) * rng.dirichlet(np.ones(own_terms))
        beta[k, n_topics * own_terms:] = background_share * rng.dirichlet(np.ones(background_terms))
    docs = []
    for _ in range(n_docs):
        theta = rng.dirichlet(np.full(n_topics, doc_alpha))
        n = int(rng.integers(min_len, max_len + 1))
        z = rng.choice(n_topics, size=n, p=theta)
        docs.append([str(vocab[rng.choice(len(vocab), p=beta[t])]) for t in z])
    return Tokens(docs)


def lee_prepared():
    """gensim's Lee background corpus (300 news articles), through ``discourse.prepare``."""
    import discourse
    from gensim.test.utils import datapath

    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8", errors="replace").splitlines()
    records = [{"id": f"lee-{i:03d}", "text": t} for i, t in enumerate(lines) if t.strip()]
    return discourse.prepare(discourse.Corpus.from_records(records), progress=False)


def sweep(prepared: Any, k_range, seeds=SEEDS) -> dict[str, Any]:
    from discourse.models import select_k

    t = time.perf_counter()
    sel = select_k(prepared, k_range=k_range, seeds=seeds, progress=False)
    wall = time.perf_counter() - t
    return {"best_k": sel.best_k, "wall_s": round(wall, 1), "rule": sel.rule,
            "summary": json.loads(sel.summary.round(4).to_json(orient="records"))}


def main(argv=None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--draws", type=int, default=3, help="planted corpora drawn per number of topics (seeds 0..n-1)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    import os

    import discourse

    out: dict[str, Any] = {"generator": GENERATOR, "seeds": list(SEEDS), "discourse": discourse.__version__,
                           "python": platform.python_version(), "load_before": os.getloadavg()[0], "planted": {}}
    for n_topics, cfg in PLANTED.items():
        draws = []
        for corpus_seed in range(args.draws):
            corpus = planted_corpus(n_topics, cfg["n_docs"], corpus_seed, **GENERATOR)
            res = sweep(corpus, cfg["k_range"])
            res.update(corpus_seed=corpus_seed, within_2=abs(res["best_k"] - n_topics) <= 2)
            log.info("planted %d topics, corpus %d: chose %d (%.0f s)", n_topics, corpus_seed, res["best_k"],
                     res["wall_s"])
            draws.append(res)
        out["planted"][str(n_topics)] = {"true_k": n_topics, "n_docs": cfg["n_docs"], "k_range": list(cfg["k_range"]),
                                         "chosen": [d["best_k"] for d in draws],
                                         "all_within_2": all(d["within_2"] for d in draws), "draws": draws}
    lee = sweep(lee_prepared(), LEE_K_RANGE)
    lee.update(k_range=list(LEE_K_RANGE), smallest_k_chosen=lee["best_k"] == min(LEE_K_RANGE))
    log.info("Lee: chose %d (%.0f s)", lee["best_k"], lee["wall_s"])
    out["lee"] = lee
    out["load_after"] = os.getloadavg()[0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
