"""Coverage of discourse's intervals with the topic model fitted, by documents per group.

Each replicate generates text from four known topics (word lists plus a shared
background vocabulary, ``discourse.compare._simulate.simulate_corpus``) in a
2 x 2 design, ``g`` (A, B) crossed with ``t`` (before, after), with ``n``
documents per cell and known expected topic shares per cell::

    A x before [2, 2, 2, 2]   A x after [4, 2, 1, 1]      (Dirichlet parameters)
    B x before [2, 2, 2, 2]   B x after [2, 2, 2, 2]

fits the package's LDA on the tokens as the analysis does (K = 4, package
defaults, ``--runs`` seeds aligned to the first by
``discourse.models.runs.fit_runs``, each run's variational posterior kept
for ``--draws`` draws per run), matches the reference run's topics to
the true ones by the Hungarian algorithm on the cosine of their term
distributions (on the words both vocabularies keep), and records for the
matched topics how often each 95% interval covers the truth:

* prevalence per cell (16 per replicate);
* contrasts ``after - before`` within A (true differences .25, 0, -.125,
  -.125) and within B (all 0), 8 per replicate;
* the difference in differences (A's change minus B's, 4 per replicate);
* the coefficients of ``effects(formula="~ g * t")`` (16 per replicate; the
  truth is the same regression on the cells' true shares);

each for the package's default, the method of composition: runs x posterior
draws combined as nested imputations (``runs_*``), for the runs alone
combined by Rubin's rules without the posterior (``runs_only_*``, the path of
models without a posterior), and for the first run alone (``one_run_*``:
Student's t for prevalence, the inverted permutation test for contrasts,
Welch t for the difference in differences and effects).  It also counts how
often each test rejects at 5% where the truth is 0 (false positives: the
contrasts within B, the difference in differences of topic 1, the
coefficients whose true value is 0) and where it is not (power), and checks
that each interval excludes 0 exactly when its test rejects (the
disagreements must be 0).  Monte Carlo standard errors are binomial over
intervals; intervals of one replicate are correlated, so they understate.  For each statistic, the smallest size from which
every larger size keeps coverage at or above 0.90 is the calibrated
``min_docs`` (``discourse/compare/_calibration.py``); ``null`` where no size
does.

BERTopic is not simulated: every simulated passage would need a MiniLM
embedding (about 50 passages per second on this CPU); its rows carry no
interval until it is.

Writes ``benchmarks/results/coverage.json`` (sorted keys) and prints a table.

Usage: ``python benchmarks/coverage_simulation.py [--reps 50] [--max-reps-large 12] [--sizes 2,3,5,10,30,100]
[--runs 5] [--draws 5]``
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

import patsy
import pandas as pd

from discourse.compare import _calibration, contrasts, diff_in_diff, effects, prevalence
from discourse.compare._alignment import topic_similarity
from discourse.compare._calibration import COVERAGE_TARGET
from discourse.compare._simulate import simulate_corpus
from discourse.models import LDA
from discourse.models.runs import POSTERIOR_DRAWS, ModelRuns, fit_runs

CELLS = {("A", "before"): [2, 2, 2, 2], ("A", "after"): [4, 2, 1, 1],
         ("B", "before"): [2, 2, 2, 2], ("B", "after"): [2, 2, 2, 2]}
PAIRS = [("A × after", "A × before"), ("B × after", "B × before")]
LEVEL = 0.95
BACKGROUND_RATE = 0.2
N_PERM = 2000
STATS = ("prevalence", "contrast", "did", "effect")
FORMULA = "~ g * t"
METHODS = ("runs", "runs_only", "one_run")


def fit_and_match(sim, seed, n_runs, n_draws):
    """Fit the runs as the package does, then reorder topics to the true ones (Hungarian on cosine).

    Returns the runs with their posterior (the default), the same runs without it, the first run alone,
    the mean matched similarity to the truth and the median similarity between runs.
    """
    runs = fit_runs(LDA(k=4, random_state=seed, progress=False), sim.prepared, n_runs=n_runs, n_draws=n_draws)
    ids, vocab, weights = runs.reference.term_matrix()
    # compare on the words both have: the model's vocabulary drops words in over half the passages
    col = {w: i for i, w in enumerate(vocab)}
    shared = [j for j, w in enumerate(sim.model.vocabulary_) if w in col]
    fitted = weights[:, [col[sim.model.vocabulary_[j]] for j in shared]]
    sim_mat = topic_similarity(fitted, np.asarray(sim.model.topic_word_)[:, shared])
    rows, cols = linear_sum_assignment(-sim_mat)
    order = np.empty(len(ids), dtype=int)
    order[cols] = rows  # true topic k <- fitted topic order[k]
    ref = runs.reference
    ref.doc_topic_ = ref.doc_topic_[:, order]
    ref.topic_ids_ = list(range(len(ids)))
    ref.labels_ = {k: f"true {k}" for k in ref.topic_ids_}
    posterior = None if runs.posterior is None else runs.posterior[:, :, order]
    matched = ModelRuns(models=runs.models, seeds=runs.seeds, doc_topic=runs.doc_topic[:, :, order],
                        similarity=runs.similarity[:, order], params=runs.params, posterior=posterior,
                        n_draws=runs.n_draws)
    runs_only = ModelRuns(models=runs.models, seeds=runs.seeds, doc_topic=runs.doc_topic[:, :, order],
                          similarity=runs.similarity[:, order], params=runs.params)
    return matched, runs_only, ref, float(sim_mat[rows, cols].mean()), float(np.median(runs.similarity[1:])) if n_runs > 1 else None


def effect_truth(truth: pd.DataFrame) -> pd.DataFrame:
    """Coefficients (terms x topics) of the formula fitted to the cells' true shares (saturated: exact)."""
    cells = pd.DataFrame([k.split(" × ") for k in truth.index], columns=["g", "t"])
    X = patsy.dmatrix(FORMULA, cells, return_type="dataframe")
    beta = np.linalg.solve(X.to_numpy(), truth.to_numpy())
    return pd.DataFrame(beta, index=X.columns, columns=truth.columns)


def _tally(acc, key, low, high, truth, p=None):
    low, high, truth = np.asarray(low, float), np.asarray(high, float), np.asarray(truth, float)
    ok = np.isfinite(low) & np.isfinite(high)
    cov = ok & (low <= truth + 1e-12) & (truth - 1e-12 <= high)
    a = acc.setdefault(key, {"hit": 0, "shown": 0, "total": 0, "null_rej": 0, "null": 0, "alt_rej": 0, "alt": 0,
                             "disagree": 0, "width": 0.0})
    a["width"] += float((high - low)[ok].sum())
    a["hit"] += int(cov.sum())
    a["shown"] += int(ok.sum())
    a["total"] += len(truth)
    if p is not None:
        p = np.asarray(p, float)
        null = np.abs(truth) < 1e-12
        a["null_rej"] += int((p[null] < 1 - LEVEL).sum())
        a["null"] += int(null.sum())
        a["alt_rej"] += int((p[~null] < 1 - LEVEL).sum())
        a["alt"] += int((~null).sum())
        excludes = ok & ~((low <= 0) & (0 <= high))
        a["disagree"] += int((ok & (excludes != (p < 1 - LEVEL))).sum())


def run_design(n: int, reps: int, n_runs: int, n_draws: int) -> dict:
    acc: dict = {}
    similarity, run_similarity, fit_seconds = [], [], []
    for rep in range(reps):
        seed = 1000 * n + rep
        sim = simulate_corpus(CELLS, n, columns=("g", "t"), background_rate=BACKGROUND_RATE, random_state=seed)
        t0 = time.perf_counter()
        runs, runs_only, one, s, rs = fit_and_match(sim, seed, n_runs, n_draws)
        fit_seconds.append(time.perf_counter() - t0)
        similarity.append(s)
        if rs is not None:
            run_similarity.append(rs)
        truth = sim.true_share
        for method, model in (("runs", runs), ("runs_only", runs_only), ("one_run", one)):
            p = prevalence(sim.prepared, model, "g:t", min_docs=2).to_frame()
            tv = [truth.loc[g, k] for g, k in zip(p["group"], p["topic"])]
            _tally(acc, f"{method}_prevalence", p["ci_low"], p["ci_high"], tv)
            c = contrasts(sim.prepared, model, "g:t", pairs=PAIRS, n_permutations=N_PERM, min_docs=2,
                          random_state=rep).to_frame()
            for a, b in PAIRS:
                rows = c[(c.group_a == a) & (c.group_b == b)].sort_values("topic")
                _tally(acc, f"{method}_contrast", rows["ci_low"], rows["ci_high"],
                       (truth.loc[a] - truth.loc[b]).to_numpy(), rows["p_value"])
            did_truth = ((truth.loc["A × after"] - truth.loc["A × before"])
                         - (truth.loc["B × after"] - truth.loc["B × before"])).to_numpy()
            d = diff_in_diff(sim.prepared, model, "g:t", treated="A", before="before", after="after",
                             min_docs=2).to_frame().sort_values("topic")
            _tally(acc, f"{method}_did", d["ci_low"], d["ci_high"], did_truth, d["p_value"])
            e = effects(sim.prepared, model, FORMULA, min_docs=2).to_frame()
            beta = effect_truth(truth)
            _tally(acc, f"{method}_effect", e["ci_low"], e["ci_high"],
                   [beta.loc[t, k] for t, k in zip(e["term"], e["topic"])], e["p_value"])
    out = {"n_docs_per_group": n, "reps": reps, "n_runs": n_runs, "n_draws": n_draws,
           "mean_matched_similarity_to_truth": round(float(np.mean(similarity)), 4),
           "median_similarity_between_runs": round(float(np.median(run_similarity)), 4) if run_similarity else None,
           "seconds_per_replicate_fits": round(float(np.mean(fit_seconds)), 3)}
    for key, a in sorted(acc.items()):
        cov = a["hit"] / a["shown"] if a["shown"] else None
        out[f"coverage_{key}"] = cov
        out[f"coverage_{key}_se"] = float(np.sqrt(cov * (1 - cov) / a["shown"])) if a["shown"] else None
        out[f"share_with_interval_{key}"] = a["shown"] / a["total"]
        out[f"mean_width_{key}"] = a["width"] / a["shown"] if a["shown"] else None
        if a["null"] or a["alt"]:
            out[f"false_positive_rate_{key}"] = a["null_rej"] / a["null"]
            out[f"power_{key}"] = a["alt_rej"] / a["alt"]
            out[f"interval_test_disagreements_{key}"] = a["disagree"]
    return out


def calibrated_min_docs(designs: list[dict], key: str) -> int | None:
    """Smallest size from which every larger size keeps coverage >= COVERAGE_TARGET."""
    best = None
    for d in sorted(designs, key=lambda d: -d["n_docs_per_group"]):
        cov = d[f"coverage_{key}"]
        if cov is None or cov < COVERAGE_TARGET:
            break
        best = d["n_docs_per_group"]
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--sizes", default="2,3,5,10,30,100")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--draws", type=int, default=POSTERIOR_DRAWS, help="posterior draws per run")
    ap.add_argument("--max-reps-large", type=int, default=12, help="replicates at 30 or more documents per group")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "coverage.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # measure every size from 2 documents: the gate in _calibration is what this script calibrates
    for fam in list(_calibration.MIN_DOCS):
        _calibration.MIN_DOCS[fam] = {k: 2 for k in STATS}
    t0 = time.perf_counter()
    designs = []
    for s in args.sizes.split(","):
        n = int(s)
        designs.append(run_design(n, args.reps if n < 30 else min(args.reps, args.max_reps_large), args.runs,
                                  args.draws))
        d = designs[-1]
        print(f"n={n:>3}: " + ", ".join(f"{k} {d.get('coverage_' + k)}" for k in
                                         ("runs_prevalence", "runs_contrast", "runs_did", "runs_effect"))
              + f" ({time.perf_counter() - t0:.0f} s)", flush=True)
    min_docs = {"lda": {k: calibrated_min_docs(designs, f"runs_{k}") for k in STATS},
                "lda (one run)": {k: calibrated_min_docs(designs, f"one_run_{k}") for k in STATS}}
    result = {
        "nominal_level": LEVEL,
        "coverage_target": COVERAGE_TARGET,
        "design": {"cells": {" × ".join(k): v for k, v in CELLS.items()}, "pairs": [list(p) for p in PAIRS],
                   "k": 4, "background_rate": BACKGROUND_RATE, "words_per_topic": 25,
                   "passages_per_doc": [1, 6], "tokens_per_passage": [20, 60],
                   "model": "discourse.LDA defaults, k=4", "n_runs": args.runs, "n_draws": args.draws,
                   "effects_formula": FORMULA,
                   "matching": "Hungarian on cosine of term distributions (shared words)"},
        "settings": {"n_permutations": N_PERM},
        "methods": {"runs": "package default for LDA: runs x posterior draws as nested imputations (Shen's rules), "
                            "t within each imputation",
                    "runs_only": "runs combined by Rubin's rules without the posterior (models without one)",
                    "one_run": "one run: Student t (prevalence), inverted permutation test (contrast), Welch t "
                               "(did, effect)"},
        "min_docs": min_docs,
        "min_docs_runs_only": {k: calibrated_min_docs(designs, f"runs_only_{k}") for k in STATS},
        "bertopic": "not simulated: needs a MiniLM embedding of every simulated passage (about 50 passages/s here)",
        "designs": designs,
    }
    elapsed = time.perf_counter() - t0
    result["seconds_total"] = round(elapsed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    print(f"coverage of the truth by 95% intervals, LDA fitted ({args.runs} runs, {args.draws} draws per run)")
    keys = [f"{m}_{s}" for s in STATS for m in METHODS]
    print("docs/group " + " ".join(f"{k:>22}" for k in keys))
    for d in designs:
        print(f"{d['n_docs_per_group']:>10} " + " ".join(f"{fmt(d.get('coverage_' + k)):>22}" for k in keys))
    print(f"calibrated min_docs: {min_docs}")
    print(f"wrote {out} in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
