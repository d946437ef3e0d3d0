"""Keyness at scale: size and power of the normal approximation to the document-permutation test.

For corpora with thousands of documents a side, ``keyness(test="auto")``
replaces random document splits by the normal approximation to their
distribution (:func:`discourse.compare._docperm.permutation_normal`).  This
script checks that approximation where it is used, on simulated corpora
drawn as in ``keyness_simulation.py`` (each document its own Dirichlet draw
around a Zipf vocabulary, so words are bursty) but with a large vocabulary
(``--vocab`` words, default 5,000) and short documents, so that most terms
are rare and used by a handful of documents: the case a normal
approximation handles worst.  For each design (``n`` documents a side):

* ``null_rate_05``, ``null_rate_01``, ``null_rate_001``: share of the terms of
  a null corpus (nothing differs between A and B) with p below 0.05, 0.01,
  0.001 (nominal: the same), over all terms and by how many documents use the
  term (``by_docs_using``), since rare terms are where the normal tail can be
  too thin;
* ``any_null_adj``: share of null corpora with any term at BH-adjusted
  p < 0.05 (under this complete null BH controls it at 0.05);
* ``burst_adj``: share of corpora where ``burst`` (one document of A repeats
  it 40 times, no other document uses it) has adjusted p < 0.05;
* ``planted_adj``: share where ``planted`` (every document of A uses it at 1%
  of its tokens) has adjusted p < 0.05 (power).

Each design is run with ``test="normal"``; with ``--permutation-sizes`` the
same corpora are also tested with ``test="permutation"`` (random splits), and
the agreement of the two p-values reported (median and 99th percentile of
``|log10 p_normal - log10 p_permutation|`` over terms with p_permutation above
its resolution).

Writes ``benchmarks/results/keyness_scale_simulation.json`` (``--out``); with ``--length-sigma``
document lengths vary (log-normal around ``--length``), as real articles do, and the results go to
``keyness_scale_simulation_lengths.json``.

Usage: ``python benchmarks/keyness_scale_simulation.py [--reps 100] [--sizes 300,1000,3000]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE / "results" / "keyness_scale_simulation.json"
LEVELS = (0.05, 0.01, 0.001)
BINS = ((1, 4), (5, 9), (10, 29), (30, 99), (100, None))


def _table(prepared, test: str, seed: int):
    from discourse.compare import keyness

    return keyness(prepared, "group", pairs=[("A", "B")], min_count=5, test=test, random_state=seed).to_frame()


def _bin(k: int) -> str:
    for lo, hi in BINS:
        if k >= lo and (hi is None or k <= hi):
            return f"{lo}+" if hi is None else f"{lo}-{hi}"
    return "0"


def one_replicate(n: int, rng: np.random.Generator, settings: dict, permutation: bool) -> dict:
    from keyness_simulation import simulate

    null = simulate(n, rng, **(settings | {"burst_count": 0, "planted_rate": 0.0}))
    planted = simulate(n, rng, **settings)
    seed = int(rng.integers(0, 2**31 - 1))
    t_null, t_planted = _table(null, "normal", seed), _table(planted, "normal", seed)
    p = t_null["p_value"].to_numpy()
    used = (t_null["docs_using"] + t_null["docs_using_reference"]).to_numpy()
    out = {"n_terms": int(len(p)), "rejections": {str(a): int((p < a).sum()) for a in LEVELS},
           "by_docs_using": {}, "any_null_adj": bool((t_null["p_adj"] < 0.05).any())}
    for k_bin in sorted({_bin(int(k)) for k in used}):
        mask = np.array([_bin(int(k)) == k_bin for k in used])
        out["by_docs_using"][k_bin] = {"terms": int(mask.sum()),
                                       "rejections": {str(a): int((p[mask] < a).sum()) for a in LEVELS}}
    adj = dict(zip(t_planted["term"], t_planted["p_adj"]))
    out["burst_adj"] = bool(adj.get("burst", 1.0) < 0.05)
    out["planted_adj"] = bool(adj.get("planted", 1.0) < 0.05)
    if permutation:
        t_perm = _table(null, "permutation", seed)
        q = t_perm.set_index("term")["p_value"].reindex(t_null["term"]).to_numpy()
        ok = q > t_perm["p_min"].max()
        out["log10_gap"] = np.abs(np.log10(p[ok]) - np.log10(q[ok])).tolist()
        out["perm_rejections"] = {str(a): int((q < a).sum()) for a in LEVELS}
    return out


def summarise(results: list[dict]) -> dict:
    terms = sum(r["n_terms"] for r in results)
    s = {"reps": len(results), "terms_per_corpus": round(terms / len(results), 1),
         **{f"null_rate_{str(a)[2:]}": round(sum(r["rejections"][str(a)] for r in results) / terms, 5) for a in LEVELS},
         "any_null_adj": round(float(np.mean([r["any_null_adj"] for r in results])), 4),
         "burst_adj": round(float(np.mean([r["burst_adj"] for r in results])), 4),
         "planted_adj": round(float(np.mean([r["planted_adj"] for r in results])), 4), "by_docs_using": {}}
    for k_bin in sorted({b for r in results for b in r["by_docs_using"]}):
        rows = [r["by_docs_using"][k_bin] for r in results if k_bin in r["by_docs_using"]]
        n_terms = sum(x["terms"] for x in rows)
        s["by_docs_using"][k_bin] = {"terms": n_terms, **{
            f"null_rate_{str(a)[2:]}": round(sum(x["rejections"][str(a)] for x in rows) / n_terms, 5) for a in LEVELS}}
    if "log10_gap" in results[0]:
        gaps = np.concatenate([r["log10_gap"] for r in results])
        s["vs_permutation"] = {"terms": int(gaps.size), "median_abs_log10_gap": round(float(np.median(gaps)), 4),
                               "p99_abs_log10_gap": round(float(np.quantile(gaps, 0.99)), 4),
                               **{f"perm_null_rate_{str(a)[2:]}": round(
                                   sum(r["perm_rejections"][str(a)] for r in results) / terms, 5) for a in LEVELS}}
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--sizes", default="300,1000,3000")
    ap.add_argument("--permutation-sizes", default="300", help="sizes also tested by random splits")
    ap.add_argument("--vocab", type=int, default=5000)
    ap.add_argument("--length", type=int, default=150)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--length-sigma", type=float, default=0.0,
                    help="log-normal spread of document lengths (0: all --length tokens)")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    settings = dict(vocab=args.vocab, length=args.length, concentration=50.0, burst_count=40, planted_rate=0.01,
                    length_sigma=args.length_sigma)
    perm_sizes = {int(x) for x in args.permutation_sizes.split(",") if x}
    designs = {}
    for n in (int(x) for x in args.sizes.split(",")):
        rng = np.random.default_rng([args.seed, n])
        t = time.perf_counter()
        results = [one_replicate(n, rng, settings, n in perm_sizes) for _ in range(args.reps)]
        designs[f"{n} vs {n} documents"] = summarise(results) | {"seconds": round(time.perf_counter() - t, 1)}
        print(n, json.dumps(designs[f"{n} vs {n} documents"]), flush=True)
    result = {"settings": settings | {"reps": args.reps, "min_count": 5, "alpha_adj": 0.05, "test": "normal",
                                      "seed": args.seed, "permutation_sizes": sorted(perm_sizes)},
              "designs": designs}
    Path(args.out).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print("written", args.out)


if __name__ == "__main__":
    main()
