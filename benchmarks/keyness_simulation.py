"""Keyness p-values that respect documents: size and power over simulated corpora.

Each replicate simulates two groups of ``n`` documents.  Every document draws
its own word distribution from a Dirichlet around one shared vocabulary
distribution (``concentration`` 50: words are bursty, as in real text, so
documents differ far more than independent tokens would), then ``length``
tokens from it.  Three words are added:

* ``burst``: one document of group A repeats it ``burst_count`` times; no
  other document uses it (the "one article looks like a group" case);
* ``planted``: every document of group A uses it at ``planted_rate`` of its
  tokens, no document of B (a real difference between the groups);
* nothing else differs between the groups, so every other term is null.

Added words change every other word's share of its group's tokens (a word
that takes 1% of A's tokens lowers every other word's share in A), so the
null terms are read off a second corpus drawn the same way without the two
words.  For each replicate :func:`discourse.compare.keyness` compares A with
B (``pairs=[("A", "B")]``) and the script records, side by side with the
named baseline (Monroe et al.'s z read as a normal deviate, i.e. tokens as
independent draws, BH-adjusted the same way):

* ``null_rate``: share of terms of the null corpus with unadjusted p < 0.05
  (nominal 0.05; a permutation test of a very discrete statistic stays below);
* ``any_null_adj``: share of null corpora with any term at adjusted p < 0.05;
* ``burst_adj``: share of replicates where ``burst`` has adjusted p < 0.05;
* ``planted_adj``: share where ``planted`` has adjusted p < 0.05 (power);
* ``smallest_p``: the smallest p the document permutation can give at that size.

Writes ``benchmarks/results/keyness_simulation.json`` (sorted keys).

Usage: ``python benchmarks/keyness_simulation.py [--reps 200] [--sizes 3,5,10,30]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats

from discourse.compare import keyness
from discourse.compare._stats import bh_adjust

OUT = Path(__file__).parent / "results" / "keyness_simulation.json"
SETTINGS = dict(vocab=200, length=300, concentration=50.0, burst_count=40, planted_rate=0.01)


def simulate(n: int, rng: np.random.Generator, *, vocab: int, length: int, concentration: float,
             burst_count: int, planted_rate: float, length_sigma: float = 0.0) -> SimpleNamespace:
    """One corpus of ``n`` documents per group as a Prepared-like object (one passage per document).

    Every document has ``length`` tokens, or with ``length_sigma > 0`` a log-normal length of median
    ``length`` (``length * exp(length_sigma * N(0, 1))``, at least 5).
    """
    base = 1.0 / np.arange(1, vocab + 1)  # Zipf
    base /= base.sum()
    words = np.array([f"w{j:03d}" for j in range(vocab)], dtype=object)
    rows, tokens, meta = [], [], []
    for group in ("A", "B"):
        for i in range(n):
            doc = f"{group}{i:03d}"
            p = rng.dirichlet(concentration * base)
            size = length if length_sigma <= 0 else max(5, int(round(length * np.exp(length_sigma * rng.standard_normal()))))
            toks = list(words[rng.choice(vocab, size=size, p=p)])
            if group == "A":
                toks += ["planted"] * int(rng.binomial(length, planted_rate))
                if i == 0:
                    toks += ["burst"] * burst_count
            rows.append({"doc_id": doc, "passage_id": f"{doc}#0000", "n_tokens": len(toks)})
            tokens.append(toks)
            meta.append({"doc_id": doc, "group": group})
    return SimpleNamespace(passages=pd.DataFrame(rows), tokens=tokens, metadata=pd.DataFrame(meta).set_index("doc_id"))


def _keyness_p(prepared, seed: int, n_permutations: int) -> dict:
    t = keyness(prepared, "group", pairs=[("A", "B")], min_count=5, n_permutations=n_permutations,
                random_state=seed).to_frame()
    token_p = 2.0 * stats.norm.sf(np.abs(t["z"].to_numpy()))
    return {"terms": t["term"].to_numpy(), "p_min": float(t["p_min"].iloc[0]),
            "document_permutation": (t["p_value"].to_numpy(), t["p_adj"].to_numpy()),
            "token_z": (token_p, bh_adjust(token_p))}


def one_replicate(n: int, rng: np.random.Generator, *, n_permutations: int = 2000, **settings) -> dict:
    """Rejections by the document permutation and by the token-level normal z for one pair of simulated corpora."""
    null_settings = settings | {"burst_count": 0, "planted_rate": 0.0}
    null = _keyness_p(simulate(n, rng, **null_settings), int(rng.integers(0, 2**31 - 1)), n_permutations)
    planted = _keyness_p(simulate(n, rng, **settings), int(rng.integers(0, 2**31 - 1)), n_permutations)
    out = {}
    for name in ("document_permutation", "token_z"):
        p, p_adj = null[name]
        adj_of = dict(zip(planted["terms"], planted[name][1]))
        out[name] = {
            "null_rate": float(np.mean(p < 0.05)) if np.isfinite(p).any() else float("nan"),
            "any_null_adj": bool(np.nanmin(np.append(p_adj, np.inf)) < 0.05),
            "burst_adj": bool(adj_of.get("burst", 1.0) < 0.05),
            "planted_adj": bool(adj_of.get("planted", 1.0) < 0.05),
        }
    out["smallest_p"] = null["p_min"]
    return out


def run(sizes, reps: int, seed: int = 2024, n_permutations: int = 2000) -> dict:
    designs = {}
    for n in sizes:
        rng = np.random.default_rng([seed, n])
        results = [one_replicate(n, rng, n_permutations=n_permutations, **SETTINGS) for _ in range(reps)]
        summary = {}
        for method in ("document_permutation", "token_z"):
            rs = [r[method] for r in results]
            summary[method] = {
                "null_rate": round(float(np.nanmean([r["null_rate"] for r in rs])), 4),
                "any_null_adj": round(float(np.mean([r["any_null_adj"] for r in rs])), 4),
                "burst_adj": round(float(np.mean([r["burst_adj"] for r in rs])), 4),
                "planted_adj": round(float(np.mean([r["planted_adj"] for r in rs])), 4),
            }
        summary["smallest_p"] = results[0]["smallest_p"]
        designs[f"{n} vs {n} documents"] = summary
    return designs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--sizes", default="3,5,10,30")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    result = {"settings": SETTINGS | {"reps": args.reps, "sizes": sizes, "alpha": 0.05, "n_permutations": 2000,
                                      "prior_scale": 0.1, "min_count": 5},
              "designs": run(sizes, args.reps)}
    OUT.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
