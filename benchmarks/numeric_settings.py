"""Which numeric settings change results, and what the reproducible mode costs: one run, side by side.

Part 1 (settings): a probe (MiniLM embeddings of the seeds' passages, an LDA fit, its C_V and NPMI
coherence, UMAP and BERTopic on the embeddings) runs in a fresh process under the machine's own
kernels, then under each setting changed alone, then in the reproducible mode with other thread
counts and under two emulated CPUs; each run's hashes are compared with the first.

Part 2 (cost and proof): cold ``discourse figures`` builds (empty cache, fresh process each), the
native and the reproducible mode interleaved, ``--repeats`` of each; then one native build under
emulated CPU "A" whose differences from the reproducible build are listed (so a test comparing
builds can fail without the mode).

Usage: python benchmarks/numeric_settings.py [--repeats 2] [--out benchmarks/results/numeric_settings.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import EMULATED_CPUS  # noqa: E402

from discourse import numeric  # noqa: E402
from discourse.figures import compare_builds  # noqa: E402

PROBE = r"""
import hashlib, json
import numpy as np
import discourse
from discourse import numeric
from discourse.models import LDA, BERTopicModel
from discourse.models.embed import SentenceTransformerEmbedder
from discourse.models.selection import _coherence
from gensim.corpora import Dictionary
h = lambda a: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]
prepared = discourse.prepare(discourse.load_seeds(), progress=False)
emb = SentenceTransformerEmbedder(cache_dir=False, progress=False).encode(list(prepared.passages.text))
lda = LDA(k=6, random_state=0, progress=False).fit(prepared)
topics = [list(t.term) for _, t in lda.topic_terms(10).groupby("topic")]
d = Dictionary(prepared.tokens)
bt = BERTopicModel(random_state=0, cache_dir=False, progress=False).fit(prepared, embeddings=emb)
print(json.dumps({"embeddings": h(emb), "lda": h(lda.doc_topic_),
                  "c_v": h(_coherence(topics, prepared.tokens, d, "c_v", 10)),
                  "npmi": h(_coherence(topics, prepared.tokens, d, "c_npmi", 10)),
                  "umap": h(bt.umap_model_.embedding_), "bertopic": h(bt.assignments_),
                  "reproducible": numeric.in_effect()}))
"""

SINGLE = {
    "OPENBLAS_CORETYPE=Haswell": {"OPENBLAS_CORETYPE": "Haswell"},
    "ONEDNN_MAX_CPU_ISA=AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2"},
    "ATEN_CPU_CAPABILITY=avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "MKL_CBWR=COMPATIBLE": {"MKL_CBWR": "COMPATIBLE"},
    "MKL_CBWR=AVX2": {"MKL_CBWR": "AVX2"},
    "NPY_DISABLE_CPU_FEATURES (AVX-512)": {"NPY_DISABLE_CPU_FEATURES": numeric.pinned_env()["NPY_DISABLE_CPU_FEATURES"]},
    "NUMBA_CPU_NAME=haswell": {"NUMBA_CPU_NAME": "haswell"},
    "threads=1": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
}


def clean_env(changes: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in numeric.pinned_env()}
    env.update(changes)
    return env


def probe(changes: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], env=clean_env(changes), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def build(out: Path, cache: Path, *, native: bool, changes: dict[str, str] | None = None) -> float:
    env = clean_env(changes or {}) | {"DISCOURSE_CACHE": str(cache)}
    cmd = [sys.executable, "-m", "discourse", "--quiet", "figures", "--out", str(out)] + (["--native-numerics"] if native else [])
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", default="benchmarks/results/numeric_settings.json")
    ap.add_argument("--part", choices=("all", "probes", "builds"), default="all",
                    help="probes only, builds only (keeping the probe results already in --out), or both")
    args = ap.parse_args()
    if args.part == "builds":
        settings = json.loads(Path(args.out).read_text())["probe_hashes"]
    else:
        settings = probe_all()
    Path(args.out).write_text(json.dumps({"probe_hashes": settings, "partial": True}, indent=2) + "\n")
    if args.part == "probes":
        return
    builds(settings, args)


def probe_all() -> dict:
    settings = {"native": probe({})}
    for name, changes in SINGLE.items():
        settings[name] = probe(changes)
    pinned = numeric.pinned_env()
    settings["reproducible mode"] = probe(pinned)
    for threads in ("1", "3"):
        settings[f"reproducible mode, threads={threads}"] = probe(
            pinned | {"OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads})
    for name, env in EMULATED_CPUS.items():
        settings[f"emulated CPU {name}"] = probe(env)
        settings[f"emulated CPU {name}, reproducible mode"] = probe(env | pinned)
    return settings


def builds(settings: dict, args: argparse.Namespace) -> None:
    base = settings["native"]
    changed = {name: sorted(k for k in base if k != "reproducible" and r[k] != base[k]) for name, r in settings.items()}
    ref = settings["reproducible mode"]
    same_as_mode = {name: all(r[k] == ref[k] for k in ref if k != "reproducible") for name, r in settings.items()}

    times: dict[str, list[float]] = {"native": [], "reproducible": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for r in range(args.repeats):
            order = ("native", "reproducible") if r % 2 == 0 else ("reproducible", "native")
            for mode in order:
                times[mode].append(round(build(tmp / f"{mode}{r}", tmp / f"cache-{mode}{r}", native=mode == "native"), 2))
        identical = not compare_builds(tmp / "reproducible0", tmp / f"reproducible{args.repeats - 1}")
        build(tmp / "emulated-native", tmp / "cache-emulated", native=True, changes=EMULATED_CPUS["A"])
        unpinned_report = compare_builds(tmp / "emulated-native", tmp / "reproducible0", max_cells=3)
        build(tmp / "emulated-pinned", tmp / "cache-emulated-pinned", native=False, changes=EMULATED_CPUS["A"])
        pinned_report = compare_builds(tmp / "emulated-pinned", tmp / "reproducible0")
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    result = {
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "isa": numeric.environment()["isa"], "load_before": os.getloadavg()[0]},
        "probe_hashes": settings,
        "changed_vs_native": changed,
        "same_as_reproducible_mode": same_as_mode,
        "build_seconds": times,
        "build_median_seconds": med,
        "reproducible_over_native": round(med["reproducible"] / med["native"], 3),
        "reproducible_builds_identical": identical,
        "emulated_A_native_vs_reproducible": unpinned_report,
        "emulated_A_reproducible_vs_reproducible": pinned_report,
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("changed_vs_native", "build_median_seconds", "reproducible_over_native",
                                              "reproducible_builds_identical")}, indent=1))
    print("\n".join(unpinned_report[:20]))


if __name__ == "__main__":
    main()
