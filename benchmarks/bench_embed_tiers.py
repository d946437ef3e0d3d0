"""Embedding tiers side by side: throughput against torch fp32, and what each keeps of its geometry.

Reports (written to ``benchmarks/results/bench_embed_tiers.json``):

1. **Artefacts**: the time to build each tier's artefact from the shipped
   MiniLM files (ONNX export, OpenVINO conversion and NNCF int8 calibration
   on gensim's ``lee.cor`` and ``pang_lee_polarity.cor``, texts apart from
   the ones measured here; Model2Vec distillation), or that it was reused
   from ``--cache``.
2. **Throughput**: each tier embeds the same texts (``--passages`` distinct
   sentences of gensim's Lee corpus; ``--articles`` whole Lee articles) in a
   fresh process, with the embedding cache off (cold) and the artefact
   loaded before timing; repeats are interleaved (the order of tiers rotates
   each repeat), and the ratio of each tier's median time to torch fp32's is
   reported, with process CPU time and the load average around each run.
3. **Quality** against torch fp32 on all ~2,500 distinct Lee sentences: mean
   and minimum cosine to the fp32 vectors (not for ``static``: another space), recall of
   each sentence's 10 nearest neighbours (cosine), TF-IDF's recall as a
   floor; BERTopic fitted on each tier's embeddings of the same passages
   (seed 0): adjusted Rand index of the passage assignments against fp32's,
   topics per tier and topics matched one-to-one by Hungarian alignment of
   the passage overlap (Jaccard >= 0.5); and the planted-topic corpus of the
   tests: planted topics recovered (8 of 10 planted words among a topic's
   top 10 terms).

Real text: gensim's ``lee_background.cor`` (Lee, Pincombe & Welsh 2005).

Usage::

    nice python benchmarks/bench_embed_tiers.py                        # everything, fresh cache
    nice python benchmarks/bench_embed_tiers.py --cache DIR --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "bench_embed_tiers.json"
TIERS = ("minilm", "minilm-int8", "static")
sys.path.insert(0, str(HERE))


def _texts(workload: str, n: int) -> list[str]:
    from bench_models import lee_articles, lee_sentences

    if workload == "passages":
        return lee_sentences()[:n]
    return [" ".join(a) for a in lee_articles()[:n]]


def _worker(tier: str, workload: str, n: int) -> dict:
    """One timed run in this (fresh) process; the artefact is loaded before the clock starts."""
    from discourse.models.embed import SentenceTransformerEmbedder

    texts = _texts(workload, n)
    emb = SentenceTransformerEmbedder(cache_dir=False, tier=tier, progress=False)
    t = time.perf_counter()
    if tier == "minilm":
        emb.sentence_transformer
    else:
        emb.backend
    load_s = time.perf_counter() - t
    emb.encode(["a warm-up passage of a few words"] * 2)
    load_before = os.getloadavg()
    t, c = time.perf_counter(), time.process_time()
    emb._embed_missing(texts, [b""] * len(texts), None)  # the embedding itself, no cache on either side
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    return {"tier": tier, "workload": workload, "n": len(texts), "wall_s": wall, "cpu_s": cpu, "load_s": load_s,
            "loadavg_before": load_before, "loadavg_after": os.getloadavg()}


def _run_worker(tier: str, workload: str, n: int, env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", tier, workload, str(n)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def build_artefacts(env: dict) -> dict:
    out = {}
    for tier in TIERS[1:]:
        code = ("import time, json; from discourse.models.embed import SentenceTransformerEmbedder as E; "
                f"t = time.perf_counter(); e = E(tier={tier!r}); e.backend; "
                "print(json.dumps({'seconds': time.perf_counter() - t, **e.tier_identity}))")
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        out[tier] = json.loads(r.stdout.strip().splitlines()[-1])
        print(tier, "artefact", out[tier], flush=True)
    return out


def throughput(env: dict, repeats: int, sizes: dict[str, int]) -> dict:
    runs = []
    for rep in range(repeats):
        order = TIERS[rep % 3:] + TIERS[:rep % 3]
        for workload, n in sizes.items():
            for tier in order:
                r = _run_worker(tier, workload, n, env)
                r["repeat"] = rep
                runs.append(r)
                print(rep, workload, tier, f"{r['wall_s']:.2f}s", flush=True)
    summary = {}
    for workload in sizes:
        base = statistics.median(r["wall_s"] for r in runs if r["tier"] == "minilm" and r["workload"] == workload)
        base_cpu = statistics.median(r["cpu_s"] for r in runs if r["tier"] == "minilm" and r["workload"] == workload)
        for tier in TIERS:
            mine = [r for r in runs if r["tier"] == tier and r["workload"] == workload]
            med = statistics.median(r["wall_s"] for r in mine)
            summary[f"{workload}/{tier}"] = {
                "median_wall_s": med, "texts_per_s": mine[0]["n"] / med, "speedup_vs_fp32_wall": base / med,
                "speedup_vs_fp32_cpu": base_cpu / statistics.median(r["cpu_s"] for r in mine)}
    return {"runs": runs, "summary": summary}


def _recall(ref: np.ndarray, other: np.ndarray, k: int = 10) -> float:
    def knn(x):
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        s = x @ x.T
        np.fill_diagonal(s, -np.inf)
        return np.argpartition(-s, k, axis=1)[:, :k]

    a, b = knn(ref), knn(other)
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(a, b)]))


def _matched_topics(a: np.ndarray, b: np.ndarray, min_jaccard: float = 0.5) -> int:
    from scipy.optimize import linear_sum_assignment

    ta, tb = np.unique(a), np.unique(b)
    jac = np.array([[np.sum((a == x) & (b == y)) / np.sum((a == x) | (b == y)) for y in tb] for x in ta])
    rows, cols = linear_sum_assignment(-jac)
    return int(np.sum(jac[rows, cols] >= min_jaccard))


def quality(cache: Path) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score

    import discourse
    from discourse.models import BERTopicModel
    from discourse.models.embed import SentenceTransformerEmbedder
    from noise_sensitivity import lee_corpus

    sys.path.insert(0, str(HERE.parent / "tests"))
    from test_models_lda import planted_records, recovered

    prepared = discourse.prepare(lee_corpus(), progress=False)
    texts = prepared.passages["text"].astype(str).tolist()
    emb = {t: SentenceTransformerEmbedder(cache_dir=cache / "embeddings", tier=t, progress=False).encode(texts)
           for t in TIERS}
    ref = emb["minilm"] / np.linalg.norm(emb["minilm"], axis=1, keepdims=True)
    out: dict = {"passages": len(texts), "tiers": {}}
    tfidf = TfidfVectorizer(sublinear_tf=True).fit_transform(texts).toarray()
    out["tfidf_recall_at_10"] = _recall(ref, tfidf)
    fits = {t: BERTopicModel(cache_dir=False, random_state=0, progress=False, embedder=t).fit(prepared, embeddings=emb[t])
            for t in TIERS}
    planted = discourse.prepare(discourse.Corpus.from_records(planted_records()), progress=False)
    for t in TIERS:
        row = {"dim": int(emb[t].shape[1]), "recall_at_10": _recall(ref, emb[t])}
        if t != "static":  # the static model's vectors live in another space, even at 384 dimensions
            v = emb[t] / np.linalg.norm(emb[t], axis=1, keepdims=True)
            cos = np.einsum("ij,ij->i", v, ref)
            row.update(cosine_mean=float(cos.mean()), cosine_min=float(cos.min()))
        a, b = fits["minilm"].assignments_, fits[t].assignments_
        row.update(bertopic_topics=len(fits[t].topic_ids_), bertopic_ari_vs_fp32=float(adjusted_rand_score(a, b)),
                   bertopic_topics_matched=_matched_topics(a, b))
        pb = BERTopicModel(cache_dir=cache / "embeddings", random_state=0, progress=False, embedder=t).fit(planted)
        found = recovered(pb.topic_terms(10))
        row["planted_recovered"] = {"of": len(found), "recovered": sum(v >= 8 for v in found.values()), "words": found}
        out["tiers"][t] = row
        print(t, row, flush=True)
    return out


def end_to_end(n: int, tier: str, cache: Path, n_runs: int = 5) -> dict:
    """``discourse analyze`` (LDA k=10 + BERTopic, figures off, ``n_runs`` runs) on ``n`` distinct real passages, empty embedding cache."""
    import pandas as pd

    from bench_models import scaling_texts
    from discourse.analysis import AnalysisConfig, run_analysis

    work = Path(tempfile.mkdtemp(prefix="e2e-", dir=cache))
    texts = scaling_texts(n)
    pd.DataFrame({"id": [f"p{i:06d}" for i in range(n)], "text": texts,
                  "outlet": [f"outlet {i % 5}" for i in range(n)],
                  "period": ["2015" if i % 2 else "2024" for i in range(n)]}).to_json(work / "corpus.jsonl",
                                                                                       orient="records", lines=True)
    if tier != "minilm":  # the artefact is built once, apart: copy it where this analysis's cache looks
        import shutil

        for art in (cache / "tiers").glob(f"{tier}-*"):
            shutil.copytree(art, work / "cache" / "embeddings" / "tiers" / art.name)
    cfg = AnalysisConfig(by=("outlet", "period"), k=10, cache_dir=str(work / "cache"), progress=False, figures=False,
                         embedder=tier, n_runs=n_runs)
    load0 = os.getloadavg()
    t = time.perf_counter()
    result = run_analysis(work / "corpus.jsonl", cfg, out=work / "out")
    total = time.perf_counter() - t
    return {"tier": tier, "passages": len(result.prepared.passages), "seconds_total": round(total, 1),
            "seconds_by_stage": {k: round(v, 1) for k, v in result.timings.items()},
            "topics": {k: len(m.topic_ids_) for k, m in result.models.items()},
            "embedding_tier": result.models["bertopic"].provenance_["extra"]["embedding_tier"],
            "loadavg_before": load0, "loadavg_after": os.getloadavg(),
            "n_runs": n_runs, "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                                                      text=True).stdout.strip(),
            "note": "the tier's artefact was built before (cache); embedding cache empty; figures off; k fixed at 10"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=None, help="cache folder (artefacts built here unless present; default: fresh)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--passages", type=int, default=1000)
    ap.add_argument("--articles", type=int, default=150)
    ap.add_argument("--skip", default="", help="comma-separated: throughput, quality")
    ap.add_argument("--e2e", default=None, metavar="N:TIER[:RUNS]",
                    help="only the end-to-end run, e.g. 100000:static or 100000:static:1 (runs per model, default 5)")
    args = ap.parse_args()
    cache = Path(args.cache or tempfile.mkdtemp(prefix="bench_tiers-")).resolve()
    env = {**os.environ, "DISCOURSE_CACHE": str(cache), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)])}
    os.environ.update({k: env[k] for k in ("DISCOURSE_CACHE", "HF_HUB_OFFLINE", "TOKENIZERS_PARALLELISM")})
    skip = set(filter(None, args.skip.split(",")))
    result = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "loadavg_start": os.getloadavg()},
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    from discourse.models._tiers import int8_isa

    result["machine"]["int8_isa"] = int8_isa()
    if args.e2e:
        n, tier, *runs = args.e2e.split(":")
        n_runs = int(runs[0]) if runs else 5
        row = end_to_end(int(n), tier, cache, n_runs)
        print(row, flush=True)
        key = f"{tier}/{n}" + (f"/runs={n_runs}" if n_runs != 5 else "")
        _save({"end_to_end": {**_load().get("end_to_end", {}), key: row}})
        return
    result["artefacts"] = build_artefacts(env)
    if "throughput" not in skip:
        result["throughput"] = throughput(env, args.repeats, {"passages": args.passages, "articles": args.articles})
    if "quality" not in skip:
        result["quality"] = quality(cache)
    result["machine"]["loadavg_end"] = os.getloadavg()
    _save(result)


def _load() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}


def _save(part: dict) -> None:
    """Merge ``part`` into the results file (end-to-end rows are kept beside the side-by-side run)."""
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({**_load(), **part}, indent=1, default=float) + "\n")
    print("written", RESULTS)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        print(json.dumps(_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    else:
        main()
