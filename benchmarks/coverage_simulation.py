"""Coverage of the planted truth by discourse.compare's intervals, over repeated simulations.

For each design (documents per group) the script simulates ``--reps`` corpora
with planted topic weights (``discourse.compare._simulate.simulate_corpus``:
two groups, four topics; topic 0 higher in A, topic 3 higher in B, topics 1
and 2 equal), and records how often

* the 95% prevalence interval of each group's share covers the planted share;
* the 95% contrast interval covers the planted difference (A - B);
* the same two with ``method="BCa"`` instead of the default percentile;
* the permutation test rejects at 5% (BH-adjusted within the pair) for the
  topics planted equal (false positives) and planted different (power);

side by side with the named baseline: a naive bootstrap that resamples
*passages* instead of documents (same data, same number of resamples), which
ignores that passages of one document are alike.  Nominal coverage is 0.95.

It also times the document bootstrap of ``prevalence`` through discourse's
index-based statistic against the plain ``scipy.stats.bootstrap`` call on the
documents x topics array (identical intervals), at 5,000 documents x 50 topics.

Writes ``benchmarks/results/coverage.json`` (sorted keys) and prints a summary.

Usage: ``python benchmarks/coverage_simulation.py [--reps 200] [--sizes 10,30,100]``
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy import stats

from discourse.compare import contrasts, prevalence
from discourse.compare._simulate import simulate_corpus
from discourse.compare._stats import bootstrap_linear_ci

ALPHAS = {"A": [4, 2, 2, 2], "B": [2, 2, 2, 4]}
EQUAL, DIFFERENT = (1, 2), (0, 3)
LEVEL = 0.95


def naive_passage_ci(sim, group, n_resamples, rng):
    """Baseline: bootstrap of passages (the wrong unit) for the group's mean topic share."""
    docs = sim.prepared.passages["doc_id"].to_numpy()
    lab = sim.prepared.metadata["group"].reindex(docs).to_numpy()
    X = sim.model.doc_topic_[lab == group]
    res = stats.bootstrap((X,), lambda x, axis: x.mean(axis=axis), axis=0, vectorized=True,
                          n_resamples=n_resamples, confidence_level=LEVEL, method="percentile", rng=rng)
    return res.confidence_interval.low, res.confidence_interval.high


def run_design(n_docs: int, reps: int, n_resamples: int, n_permutations: int) -> dict:
    hits = {"prevalence": 0, "prevalence_bca": 0, "prevalence_naive_passages": 0, "difference": 0,
            "difference_bca": 0}
    n = {"prevalence": 0, "difference": 0}
    rejections = {"equal": 0, "different": 0}
    widths = {"prevalence": [], "prevalence_naive_passages": []}
    for rep in range(reps):
        sim = simulate_corpus(ALPHAS, n_docs, make_tokens=False, random_state=10_000 * n_docs + rep)
        truth = sim.true_share
        p = prevalence(sim.prepared, sim.model, "group", n_resamples=n_resamples, random_state=rep).to_frame()
        for r in p.itertuples():
            hits["prevalence"] += bool(r.ci_low <= truth.loc[r.group, r.topic] <= r.ci_high)
            n["prevalence"] += 1
            widths["prevalence"].append(r.ci_high - r.ci_low)
        pb = prevalence(sim.prepared, sim.model, "group", n_resamples=n_resamples, method="BCa",
                        random_state=rep).to_frame()
        for r in pb.itertuples():
            hits["prevalence_bca"] += bool(r.ci_low <= truth.loc[r.group, r.topic] <= r.ci_high)
        rng = np.random.default_rng(rep)
        for group in ("A", "B"):
            low, high = naive_passage_ci(sim, group, n_resamples, rng)
            for k in range(4):
                hits["prevalence_naive_passages"] += bool(low[k] <= truth.loc[group, k] <= high[k])
                widths["prevalence_naive_passages"].append(high[k] - low[k])
        c = contrasts(sim.prepared, sim.model, "group", n_resamples=n_resamples, n_permutations=n_permutations,
                      random_state=rep).to_frame().set_index("topic")
        cb = contrasts(sim.prepared, sim.model, "group", n_resamples=n_resamples, n_permutations=1, method="BCa",
                       random_state=rep).to_frame().set_index("topic")
        diff = truth.loc["A"] - truth.loc["B"]
        for k in range(4):
            hits["difference"] += bool(c.loc[k, "ci_low"] <= diff[k] <= c.loc[k, "ci_high"])
            hits["difference_bca"] += bool(cb.loc[k, "ci_low"] <= diff[k] <= cb.loc[k, "ci_high"])
            n["difference"] += 1
        rejections["equal"] += int(sum(c.loc[k, "p_adj"] < 0.05 for k in EQUAL))
        rejections["different"] += int(sum(c.loc[k, "p_adj"] < 0.05 for k in DIFFERENT))
    se = lambda p, m: float(np.sqrt(p * (1 - p) / m))  # noqa: E731
    out = {
        "n_docs_per_group": n_docs,
        "reps": reps,
        "coverage_prevalence": hits["prevalence"] / n["prevalence"],
        "coverage_prevalence_se": se(hits["prevalence"] / n["prevalence"], n["prevalence"]),
        "coverage_prevalence_bca": hits["prevalence_bca"] / n["prevalence"],
        "coverage_prevalence_naive_passage_bootstrap": hits["prevalence_naive_passages"] / n["prevalence"],
        "coverage_difference": hits["difference"] / n["difference"],
        "coverage_difference_se": se(hits["difference"] / n["difference"], n["difference"]),
        "coverage_difference_bca": hits["difference_bca"] / n["difference"],
        "mean_width_prevalence": float(np.mean(widths["prevalence"])),
        "mean_width_naive_passage_bootstrap": float(np.mean(widths["prevalence_naive_passages"])),
        "false_positive_rate_equal_topics": rejections["equal"] / (len(EQUAL) * reps),
        "power_planted_topics": rejections["different"] / (len(DIFFERENT) * reps),
    }
    return out


def time_bootstrap(n_docs: int = 5000, n_topics: int = 50, n_resamples: int = 2000) -> dict:
    rng = np.random.default_rng(0)
    X = rng.dirichlet(np.full(n_topics, 0.3), size=n_docs)
    t0 = time.perf_counter()
    low, high = bootstrap_linear_ci([X], [1.0], n_resamples=n_resamples, confidence_level=LEVEL,
                                    method="percentile", rng=np.random.default_rng(1))
    t_index = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = stats.bootstrap((X,), lambda x, axis: x.mean(axis=axis), axis=0, vectorized=True, batch=40,
                          n_resamples=n_resamples, confidence_level=LEVEL, method="percentile",
                          rng=np.random.default_rng(1))
    t_plain = time.perf_counter() - t0
    return {
        "n_docs": n_docs, "n_topics": n_topics, "n_resamples": n_resamples,
        "seconds_discourse_index_bootstrap": round(t_index, 3),
        "seconds_plain_scipy_bootstrap": round(t_plain, 3),
        "speedup": round(t_plain / t_index, 2),
        "max_abs_difference_of_bounds": float(max(np.abs(low - ref.confidence_interval.low).max(),
                                                  np.abs(high - ref.confidence_interval.high).max())),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--sizes", default="10,30,100")
    ap.add_argument("--n-resamples", type=int, default=1000)
    ap.add_argument("--n-permutations", type=int, default=500)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "coverage.json"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    designs = [run_design(int(s), args.reps, args.n_resamples, args.n_permutations) for s in args.sizes.split(",")]
    result = {
        "nominal_level": LEVEL,
        "planted": {"alphas": ALPHAS, "equal_topics": list(EQUAL), "different_topics": list(DIFFERENT),
                    "true_share": {g: (np.asarray(a) / np.sum(a)).round(4).tolist() for g, a in ALPHAS.items()}},
        "settings": {"n_resamples": args.n_resamples, "n_permutations": args.n_permutations,
                     "methods": ["percentile", "BCa"],
                     "passages_per_doc": [1, 6], "concentration": 20.0},
        "designs": designs,
        "bootstrap_speed": time_bootstrap(),
    }
    elapsed = time.perf_counter() - t0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"coverage of planted truth by 95% intervals ({args.reps} simulations per design)")
    print(f"{'docs/group':>10} {'prevalence':>11} {'prev BCa':>9} {'naive(passages)':>16} {'difference':>11} "
          f"{'diff BCa':>9} {'FPR equal':>10} {'power':>7}")
    for d in designs:
        print(f"{d['n_docs_per_group']:>10} {d['coverage_prevalence']:>11.3f} {d['coverage_prevalence_bca']:>9.3f} "
              f"{d['coverage_prevalence_naive_passage_bootstrap']:>16.3f} {d['coverage_difference']:>11.3f} "
              f"{d['coverage_difference_bca']:>9.3f} {d['false_positive_rate_equal_topics']:>10.3f} "
              f"{d['power_planted_topics']:>7.3f}")
    s = result["bootstrap_speed"]
    print(f"bootstrap {s['n_docs']} docs x {s['n_topics']} topics, {s['n_resamples']} resamples: "
          f"discourse {s['seconds_discourse_index_bootstrap']} s vs plain scipy {s['seconds_plain_scipy_bootstrap']} s "
          f"({s['speedup']}x), bounds differ by {s['max_abs_difference_of_bounds']:.2e}")
    print(f"wrote {out} in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
