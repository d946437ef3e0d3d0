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

``--components-only`` times the comparisons alone (prevalence, contrasts, effects on 5 runs of
generated shares for ``--docs`` documents) with and without the posterior draws, five interleaved
repeats, and writes ``benchmarks/results/bench_runs_components.json``.

Usage: ``python benchmarks/bench_runs.py [--docs 5000] [--repeats 1] [--seed-repeats 3] [--k auto] [--components-only]``
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


# The comparisons alone, on 5,000 documents x K=3 topics of 5 aligned runs (shares and variational
# Dirichlet parameters generated: gamma = alpha + tokens x shares), with and without the posterior draws.
COMPONENTS = r"""
import json, sys, time
from types import SimpleNamespace
import numpy as np, pandas as pd
from discourse.compare import contrasts, effects, prevalence
from discourse.models.runs import ModelRuns
spec = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
n, k, R = spec["docs"], 3, 5
ids = [f"d{i:05d}" for i in range(n)]
tokens = rng.integers(20, 120, size=n)
theta = rng.dirichlet([2.0] * k, size=(R, n))
meta = pd.DataFrame({"doc_id": ids, "source": [f"s{i % 5}" for i in range(n)],
                     "period": [("2015", "2024")[i % 2] for i in range(n)]}).set_index("doc_id")
prepared = SimpleNamespace(passages=pd.DataFrame({"doc_id": ids, "passage_id": ids, "n_tokens": tokens}),
                           metadata=meta, tokens=None)
ref = SimpleNamespace(name="lda", doc_topic_=theta[0], topic_ids_=list(range(k)), labels_={})
posterior = (1.0 / k + tokens[None, :, None] * theta) if spec["n_draws"] else None
model = ModelRuns(models=[ref] * R, seeds=list(range(R)), doc_topic=theta, similarity=np.ones((R, k)),
                  posterior=posterior, n_draws=spec["n_draws"])
out = {}
t = time.perf_counter(); prevalence(prepared, model, "source"); out["prevalence"] = time.perf_counter() - t
t = time.perf_counter(); contrasts(prepared, model, "source"); out["contrasts"] = time.perf_counter() - t
t = time.perf_counter(); effects(prepared, model, "~ source + period"); out["effects"] = time.perf_counter() - t
print(json.dumps(out))
"""


def measure_components(docs: int, n_draws: int) -> dict:
    spec = json.dumps({"docs": docs, "n_draws": n_draws})
    out = subprocess.run([sys.executable, "-c", COMPONENTS, spec], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    ap.add_argument("--components-only", action="store_true",
                    help="time only the comparisons (prevalence, contrasts, effects) over 5 runs with and without "
                    "the posterior draws, 5 interleaved repeats; writes bench_runs_components.json")
    ap.add_argument("--k", default="auto", help="topics on the large corpus ('auto': chosen by select_k, as "
                    "the default analysis; an integer skips the selection, which is the same on every side)")
    ap.add_argument("--out", default=str(HERE / "results" / "bench_runs.json"))
    args = ap.parse_args()
    from discourse.models.runs import POSTERIOR_DRAWS

    if args.components_only:
        comp = []
        for rep in range(5):
            for label, n_draws in (("5 runs, no posterior", 0), ("default", POSTERIOR_DRAWS)):
                r = measure_components(args.docs, n_draws) | {"setting": label, "repeat": rep,
                                                               "loadavg": list(os.getloadavg())}
                comp.append(r)
                print(f"{label:>21}: prevalence {r['prevalence']:.2f} s, contrasts {r['contrasts']:.2f} s, "
                      f"effects {r['effects']:.2f} s (load {r['loadavg'][0]:.1f})", flush=True)
        path = Path(args.out).with_name("bench_runs_components.json")
        path.write_text(json.dumps({"measurements": comp, "docs": args.docs, "k": 3, "n_runs": 5,
                                    "posterior_draws": POSTERIOR_DRAWS, "note": "comparisons only, generated "
                                    "shares; fresh process per measurement, settings interleaved"},
                                   indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path}")
        return
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
