"""What the method of composition costs: the default analysis against a single run.

Each measurement is ``discourse.analyze`` (LDA only: BERTopic's cost does not
change with the number of LDA runs) in a fresh process with an empty cache,
on the same corpus with the same settings but one of three uncertainty
settings, alternating in that order within each repeat:

* ``one run``: ``n_runs=1`` (a single model; no posterior draws);
* ``5 runs, no posterior``: ``n_runs=5`` with ``fit_runs(n_draws=0)`` (runs
  combined by Rubin's rules, the path of models without a posterior);
* ``default``: ``n_runs=5`` with ``POSTERIOR_DRAWS`` draws per run from each
  passage's variational Dirichlet (25 imputations, nested rules).
  Corpora: the five seed articles (``by`` outlet country, period
and their crossing) and 5,000 documents of real news text (1 to 4 sentences
of one article of gensim's ``lee_background.cor`` each, drawn as in
``bench_models.py``; ``by`` a source label of the article, five values, and
``published`` dates spread over 2015-2024 so the date trend runs).

Writes ``benchmarks/results/bench_runs.json`` with every stage's seconds.

Usage: ``python benchmarks/bench_runs.py [--docs 5000] [--repeats 1] [--seed-repeats 3] [--k auto]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, sys, time
import discourse
import discourse.models.runs as runs_module
spec = json.loads(sys.argv[1])
runs_module.fit_runs.__kwdefaults__["n_draws"] = spec["n_draws"]
if spec["corpus"] == "seeds":
    corpus = discourse.load_seeds()
    by = ("outlet_country", "period", "outlet_country:period")
else:
    corpus = discourse.load_corpus(spec["corpus"])
    by = ("source",)
t0 = time.perf_counter()
k = spec["k"] if spec["k"] == "auto" else int(spec["k"])
res = discourse.analyze(corpus, by=by, models=("lda",), n_runs=spec["n_runs"], figures=False, progress=False,
                        cache_dir=spec["cache"], k=k)
total = time.perf_counter() - t0
print(json.dumps({"total": total, "stages": res.timings,
                  "k": int(res.models["lda"].k_), "n_docs": len(res.prepared.metadata),
                  "n_passages": len(res.prepared.passages)}))
"""


def make_lee_corpus(n: int, folder: Path) -> Path:
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(HERE))
    from bench_models import scaling_texts

    texts = scaling_texts(n, seed=0)
    rng = np.random.default_rng(1)
    years = rng.integers(2015, 2025, size=n)
    months = rng.integers(1, 13, size=n)
    df = pd.DataFrame({"id": [f"lee{i:05d}" for i in range(n)], "text": texts,
                       "source": [f"s{i % 5}" for i in range(n)],
                       "published": [f"{y}-{m:02d}" for y, m in zip(years, months)]})
    path = folder / f"lee_{n}.csv"
    df.to_csv(path, index=False)
    return path


SETTINGS = (("one run", 1, 0), ("5 runs, no posterior", 5, 0), ("default", 5, None))


def measure(corpus: str, n_runs: int, n_draws: int, k: str) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        spec = json.dumps({"corpus": corpus, "n_runs": n_runs, "n_draws": n_draws, "cache": cache, "k": k})
        out = subprocess.run([sys.executable, "-c", CHILD, spec], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=1, help="repeats on the large corpus")
    ap.add_argument("--seed-repeats", type=int, default=3, help="repeats on the seeds")
    ap.add_argument("--k", default="auto", help="topics on the large corpus ('auto': chosen by select_k, as "
                    "the default analysis; an integer skips the selection, which is the same on every side)")
    ap.add_argument("--out", default=str(HERE / "results" / "bench_runs.json"))
    args = ap.parse_args()
    from discourse.models.runs import POSTERIOR_DRAWS

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        lee = str(make_lee_corpus(args.docs, Path(tmp)))
        for corpus, name, repeats, k in (("seeds", "seeds (5 documents)", args.seed_repeats, "auto"),
                                         (lee, f"lee ({args.docs} documents)", args.repeats, args.k)):
            for rep in range(repeats):
                for setting, n_runs, n_draws in SETTINGS:
                    n_draws = POSTERIOR_DRAWS if n_draws is None else n_draws
                    t0 = time.perf_counter()
                    r = measure(corpus, n_runs, n_draws, k)
                    r.update(corpus=name, setting=setting, n_runs=n_runs, n_draws=n_draws, repeat=rep, k_setting=k,
                             wall=time.perf_counter() - t0, loadavg=list(os.getloadavg()))
                    rows.append(r)
                    st = r["stages"]
                    print(f"{name:>22} {setting:>21}: analyze {r['total']:.1f} s (lda {st.get('lda', 0):.1f}, "
                          f"compare {st.get('compare', 0):.1f}, effects {st.get('effects', 0):.1f} s; K={r['k']}; "
                          f"load {r['loadavg'][0]:.1f})", flush=True)
    out = Path(args.out)
    out.write_text(json.dumps({"measurements": rows, "posterior_draws": POSTERIOR_DRAWS,
                               "note": "LDA only, k='auto' (AnalysisConfig defaults), fresh process and empty cache "
                               "per measurement; settings alternate within each repeat; loadavg after each"},
                              indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
