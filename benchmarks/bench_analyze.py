"""Runtime of the whole analysis (``discourse analyze``) on the seeds and on 5,000 real documents.

Real text: gensim ships the Lee news corpus (``lee_background.cor``, 300
Australian news stories, in its test data). The 5,000-document corpus repeats
those stories (17 copies, cut at 5,000), each copy with deterministic,
made-up metadata (``outlet`` one of five, ``period`` 2015 or 2024), so the
groupings have the shape of the study. Repeated texts mean the embedding cache
embeds each distinct passage once: the embedding time here is that of 300
distinct stories, and the note in the JSON says so.

Both runs start from an empty cache in one process; times per stage come from
:attr:`AnalysisResult.timings`.

Usage: python benchmarks/bench_analyze.py [--docs 5000] [--k 10]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
from gensim.test.utils import datapath

from discourse.analysis import AnalysisConfig, run_analysis


def lee_corpus(n_docs: int, path: Path) -> Path:
    stories = [s.strip() for s in Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines() if s.strip()]
    rows = []
    for i in range(n_docs):
        rows.append({"id": f"lee-{i:05d}", "text": stories[i % len(stories)],
                     "outlet": f"outlet {i % 5}", "period": "2015" if (i // len(stories)) % 2 == 0 else "2024"})
    pd.DataFrame(rows).to_json(path, orient="records", lines=True)
    return path


def run(path, by, config: AnalysisConfig, out: Path) -> dict:
    t = time.perf_counter()
    result = run_analysis(path, config, out=out)
    total = time.perf_counter() - t
    p = result.prepared
    return {
        "documents": len(p.metadata), "passages": len(p.passages), "tokens": int(p.passages["n_tokens"].sum()),
        "topics": {n: len(m.topic_ids_) for n, m in result.models.items()},
        "seconds_total": round(total, 1),
        "seconds_by_stage": {k: round(v, 1) for k, v in result.timings.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--out", default="benchmarks/results/bench_analyze.json")
    args = ap.parse_args()
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seeds_cfg = AnalysisConfig(by=("outlet_country", "period", "outlet_country:period"), k="auto",
                                   k_range=(2, 3, 4, 5, 6, 8), cache_dir=str(tmp / "cache-seeds"), progress=False)
        res["seeds"] = run("seeds", seeds_cfg.by, seeds_cfg, tmp / "out-seeds")
        path = lee_corpus(args.docs, tmp / "lee.jsonl")
        cfg = AnalysisConfig(by=("outlet", "period", "outlet:period"), k=args.k, cache_dir=str(tmp / "cache-lee"),
                             progress=False)
        res["lee_5000"] = run(path, cfg.by, cfg, tmp / "out-lee")
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    res["note"] = ("lee_5000 repeats gensim's 300 Lee news stories to 5,000 documents with made-up outlet/period "
                   "metadata; identical passages are embedded once (content-addressed cache), so its BERTopic time "
                   "includes embedding 300 distinct stories, not 5,000. Times include UMAP's numba compilation "
                   "(once per process, in the seeds run).")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2, sort_keys=True) + "\n")
    for name in ("seeds", "lee_5000"):
        r = res[name]
        stages = ", ".join(f"{k} {v}s" for k, v in r["seconds_by_stage"].items())
        print(f"{name}: {r['documents']} docs, {r['passages']} passages, {r['tokens']} tokens: {r['seconds_total']} s ({stages})")
    print(f"peak RSS {res['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
