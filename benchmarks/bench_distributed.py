"""Benchmark: in-process against a two-worker local Dask cluster, side by side in one run.

Run from the repository root::

    python benchmarks/bench_distributed.py            # full run (about 15 minutes on 2 cores)
    python benchmarks/bench_distributed.py --quick    # smaller corpora, for a smoke test

Sections (on real text: distinct text shipped with installed packages for
cleaning and tokenising; gensim's Lee news corpus, repeated with fresh
document ids where more text is needed, for the others):

``clean_tokenise``
    The same work on both sides, cold, on distinct real text
    (``distinct_texts.py``: about a million NLTK tokens, nothing repeats):
    in process, a fresh Python process runs
    ``prepare(load_corpus(csv, duplicates="keep_all"))`` (duplicates are not
    looked for on the distributed side either); distributed, a fresh
    two-worker ``LocalCluster`` per repeat (one thread each, 127.0.0.1)
    runs ``prepare_distributed(csv)`` and ``to_prepared()`` (phrases learnt
    from the merged counts and joined, tables built, in the driver).
    Cluster start and the workers' imports are timed apart; lexicons load
    inside the timed run on both sides.  Sides alternate which goes first;
    tokens and passages are checked identical.  Two workers on two cores
    can at most halve the parallel part: the bound with the measured
    serial driver share is reported.
``embedding``
    all-MiniLM-L6-v2 on 2,000 *distinct* passages (1-4 sentences of one Lee
    article each, ``bench_models.scaling_texts``; repeated text would measure
    the in-process embedder's deduplication across the whole corpus, which
    the workers do only within a partition): ``SentenceTransformerEmbedder.encode``
    in this process (torch on both cores) against ``embed_distributed`` on the
    two workers (one torch thread each), models loaded beforehand on both
    sides.  The ratio is reported (torch already uses both cores in one
    process: the gain is overlap, not arithmetic).
``memory``
    ``prepare_distributed`` streaming a JSONL corpus larger than the memory
    limit given to each worker, with the peak resident memory of every
    process (driver and workers, sampled every 0.2 s).  Run at two corpus
    sizes to show the peaks do not grow with the corpus.  This section uses
    a light cleaner (Unicode and whitespace normalisation) so that hundreds
    of megabytes stream through in minutes; the streaming, partitioning
    and store are the same.
``bertopic_sample``
    BERTopic fitted on samples of the 2,000 embedded passages and assigned
    on the workers; agreement with the largest sample (ARI, NMI).

Results: ``benchmarks/results/bench_distributed.json`` (sorted keys) and a
printed summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# the discourse of this checkout, here, in the in-process child and on the workers (not whichever one is installed)
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
PERIODS = ("2015", "2024")
COUNTRIES = ("Pakistan", "Afghanistan", "United States")


def lee_lines() -> list[str]:
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8", errors="replace") as fh:
        return [line.strip() for line in fh if line.strip()]


def docs_frame(n_docs: int, lines: list[str], paragraphs: int = 1) -> pd.DataFrame:
    rows = []
    n = len(lines)
    for i in range(n_docs):
        text = "\n\n".join(lines[(i * paragraphs + j) % n] for j in range(paragraphs))
        rows.append({"id": f"doc{i:07d}", "text": text, "period": PERIODS[i % 2], "outlet_country": COUNTRIES[i % 3]})
    return pd.DataFrame(rows)


def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


class PeakRSS:
    """Peak resident memory of this process and of each of its child processes (the workers)."""

    def __init__(self, interval: float = 0.2) -> None:
        import psutil

        self.psutil = psutil
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = self.psutil.Process()
        while not self._stop.is_set():
            procs = [me] + me.children(recursive=True)
            for p in procs:
                try:
                    rss = p.memory_info().rss
                except (self.psutil.NoSuchProcess, self.psutil.AccessDenied):
                    continue
                self.peaks[p.pid] = max(self.peaks.get(p.pid, 0), rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _digest(tokens, passages) -> str:
    import hashlib

    h = hashlib.sha256()
    for t in tokens:
        h.update(("\x1f".join(t) + "\x1e").encode())
    h.update(passages.to_csv(lineterminator="\n").encode())
    return h.hexdigest()


#: Imported before timing on both sides (the in-process child and every worker).
WORK_MODULES = ("discourse", "discourse.distributed", "discourse.clean", "discourse.tokenize", "discourse.passages",
                "discourse._prepare", "discourse._phrases", "pandas", "pyarrow", "pyarrow.parquet", "gensim.models.phrases", "tqdm.auto")


def _import_work_modules() -> str:
    """Imports only: lexicons and caches stay cold, and load inside the timed run.  Returns discourse's path."""
    import importlib

    for name in WORK_MODULES:
        importlib.import_module(name)
    return importlib.import_module("discourse").__file__


def clean_tokenise_child(csv: str) -> dict:
    """The in-process side, in a fresh process: read, clean, split, tokenise, phrases, tables."""
    _import_work_modules()
    import discourse

    t = time.perf_counter()
    c = time.process_time()
    prep = discourse.prepare(discourse.load_corpus(csv, duplicates="keep_all"), progress=False)
    return {"seconds": time.perf_counter() - t, "cpu_s": time.process_time() - c, "discourse_file": discourse.__file__,
            "digest": _digest(prep.tokens, prep.passages), "passages": len(prep.passages), "documents": len(prep.metadata)}


def bench_clean_tokenise(tmp: Path, client_factory, repeats: int = 3, partition_size: int = 100) -> dict:
    """Cold on both sides: a fresh process in process, a fresh cluster per repeat; the same work."""
    import subprocess
    import statistics

    from discourse.distributed import prepare_distributed

    sys.path.insert(0, str(HERE))
    from distinct_texts import distinct_texts

    docs = distinct_texts()
    csv = tmp / "clean_tokenise.csv"
    pd.DataFrame([{"id": i, "text": t} for i, t in docs]).to_csv(csv, index=False)

    def in_process() -> dict:
        cmd = [sys.executable, __file__, "--clean-tokenise-child", str(csv)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def distributed(r: int) -> dict:
        out = {}
        t = time.perf_counter()
        with client_factory() as client:
            out["cluster_start_s"] = time.perf_counter() - t
            t = time.perf_counter()
            out["worker_discourse_files"] = sorted(set(client.run(_import_work_modules).values()))
            out["worker_imports_s"] = time.perf_counter() - t
            t = time.perf_counter()
            sp = prepare_distributed(csv, client, store=tmp / f"store_ct{r}", partition_size=partition_size, progress=False)
            out["workers_s"] = time.perf_counter() - t
            t2 = time.perf_counter()
            got = sp.to_prepared()
            out["to_prepared_s"] = time.perf_counter() - t2
            out["seconds"] = time.perf_counter() - t
            out["digest"] = _digest(got.tokens, got.passages)
            # the same again on the same workers (lexicons loaded, caches filled), into a fresh store
            t = time.perf_counter()
            prepare_distributed(csv, client, store=tmp / f"store_warm{r}", partition_size=partition_size, progress=False).to_prepared()
            out["warm_workers_s"] = time.perf_counter() - t
        return out

    runs = []
    for r in range(repeats):  # alternate which side goes first
        run: dict = {"repeat": r + 1, "load_average_before": load_avg()}
        for side in (("in_process", "distributed") if r % 2 == 0 else ("distributed", "in_process")):
            run[side] = in_process() if side == "in_process" else distributed(r)
        run["load_average_after"] = load_avg()
        run["identical_tokens_and_passages"] = run["in_process"]["digest"] == run["distributed"]["digest"]
        ip, di = run["in_process"], run["distributed"]
        run["speedup"] = ip["seconds"] / di["seconds"]
        run["speedup_including_start"] = ip["seconds"] / (di["seconds"] + di["cluster_start_s"] + di["worker_imports_s"])
        run["serial_share_in_driver"] = di["to_prepared_s"] / di["seconds"]
        runs.append(run)
        print(f"clean+tokenise repeat {r + 1}: in process {ip['seconds']:.1f}s, 2 workers {di['seconds']:.1f}s "
              f"(+{di['cluster_start_s']:.1f}s start, +{di['worker_imports_s']:.1f}s imports) -> {run['speedup']:.2f}x", flush=True)
    med = statistics.median
    serial = med(r["serial_share_in_driver"] for r in runs)
    return {
        "corpus": "distinct_texts.py (distinct real text, nothing repeats)",
        "documents": runs[0]["in_process"]["documents"],
        "passages": runs[0]["in_process"]["passages"],
        "megabytes": round(csv.stat().st_size / 1e6, 2),
        "partition_size": partition_size,
        "repeats": repeats,
        "method": ("cold on both sides, the same work: in process = a fresh Python process running "
                   "prepare(load_corpus(csv, duplicates='keep_all')) (imports not timed); distributed = a fresh "
                   "two-worker LocalCluster per repeat, workers' imports done and timed apart, then "
                   "prepare_distributed(csv) + to_prepared() (phrases joined, tables built); lexicons load inside "
                   "the timed run on both sides; sides alternate which goes first"),
        "runs": runs,
        "identical_tokens_and_passages": all(r["identical_tokens_and_passages"] for r in runs),
        "in_process_s": med(r["in_process"]["seconds"] for r in runs),
        "distributed_s": med(r["distributed"]["seconds"] for r in runs),
        "cluster_start_s": med(r["distributed"]["cluster_start_s"] for r in runs),
        "worker_imports_s": med(r["distributed"]["worker_imports_s"] for r in runs),
        "speedup": med(r["speedup"] for r in runs),
        "speedup_including_start": med(r["speedup_including_start"] for r in runs),
        "distributed_warm_workers_s": med(r["distributed"]["warm_workers_s"] for r in runs),
        "serial_share_in_driver": serial,
        "two_core_bound": {
            "perfect": 2.0,
            "with_serial_driver_part": 1 / (serial + (1 - serial) / 2),
            "why": ("two workers on two cores can at most halve the parallel part; learning phrases over the merged "
                    "counts, joining them and building the tables (to_prepared) run in the driver after the workers "
                    "finish, and the machine is shared with other work (see load averages)"),
        },
    }


def bench_embedding(n_passages: int, tmp: Path, client_factory, bertopic_sizes: list[int]) -> tuple[dict, dict]:
    from discourse.distributed import prepare_distributed
    from discourse.distributed._bertopic import sample_size_effect
    from discourse.distributed._embed import embed_distributed, read_embeddings
    from discourse.models import SentenceTransformerEmbedder

    # distinct passages (1-4 sentences of one Lee article each, as in bench_models): with repeated
    # texts the in-process embedder embeds each distinct text once while each partition only
    # deduplicates within itself, which would measure deduplication, not embedding
    sys.path.insert(0, str(HERE))
    from bench_models import scaling_texts

    texts_in = scaling_texts(n_passages)
    sub = pd.DataFrame({"id": [f"doc{i:07d}" for i in range(len(texts_in))], "text": texts_in,
                        "period": [PERIODS[i % 2] for i in range(len(texts_in))],
                        "outlet_country": [COUNTRIES[i % 3] for i in range(len(texts_in))]})
    csv = tmp / "embed.csv"
    sub.to_csv(csv, index=False)
    out: dict = {"load_average_before": load_avg()}
    with client_factory() as client:
        sp = prepare_distributed(csv, client, store=tmp / "store_emb", partition_size=250, progress=False)
        texts = [t for d in sp.iter_passages(("text",)) for t in d["text"]]
        out["passages"] = len(texts)
        out["distinct_passages"] = len(set(texts))
        # warm-up: load the model in both workers (and here) before timing
        warm = prepare_distributed(tmp / "warmup.csv", client, store=tmp / "warm_store2", partition_size=5, progress=False)
        t = time.perf_counter()
        embed_distributed(client, warm, progress=False)
        out["worker_model_load_s"] = time.perf_counter() - t
        emb = SentenceTransformerEmbedder(cache_dir=False, progress=False)
        _ = emb.dim  # loads the model
        import torch

        out["torch_threads_in_process"] = torch.get_num_threads()
        out["torch_threads_per_worker"] = sorted(set(client.run(lambda: __import__("torch").get_num_threads()).values()))
        t = time.perf_counter()
        ref = emb.encode(texts)
        out["in_process_s"] = time.perf_counter() - t
        t = time.perf_counter()
        parts = embed_distributed(client, sp, progress=False)
        out["distributed_s"] = time.perf_counter() - t
        got = np.concatenate([read_embeddings(parts, j) for j in range(len(sp.parts))])
        out["max_abs_difference"] = float(np.abs(got - ref).max())
        out["speedup"] = out["in_process_s"] / out["distributed_s"]
        out["load_average_after"] = load_avg()
        effect = {}
        if bertopic_sizes:
            t = time.perf_counter()
            table = sample_size_effect(client, sp, parts, bertopic_sizes, params={"random_state": 0}, progress=False)
            effect = {"passages": len(texts), "seconds_total": time.perf_counter() - t,
                      "rows": json.loads(table.round(4).to_json(orient="records")),
                      "note": "ARI/NMI of passage assignments against the largest sample; seconds include numba compilation on first use"}
    return out, effect


def bench_memory(megabytes: list[int], memory_limit: str, tmp: Path) -> dict:
    from discourse.clean import Cleaner
    from discourse.distributed import connect, prepare_distributed
    from discourse.tokenize import Tokenizer

    lines = lee_lines()
    out: dict = {"memory_limit_per_worker": memory_limit, "pipeline": "Cleaner(normalize_unicode, normalize_whitespace), Tokenizer() with phrases",
                 "runs": []}
    for mb in megabytes:
        path = tmp / f"memory_{mb}.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            i = 0
            while fh.tell() < mb * 1_000_000:
                text = "\n\n".join(lines[(i * 3 + j) % len(lines)] for j in range(3))
                fh.write(json.dumps({"id": f"m{i:08d}", "text": text, "period": PERIODS[i % 2]}) + "\n")
                i += 1
        size = path.stat().st_size
        with connect("local", n_workers=2, threads_per_worker=1, memory_limit=memory_limit) as client:
            pids_before = sorted(client.run(os.getpid).values())
            t = time.perf_counter()
            with PeakRSS() as peaks:
                sp = prepare_distributed(path, client, store=tmp / f"store_mem_{mb}", partition_size=500, progress=False,
                                         cleaner=Cleaner(["normalize_unicode", "normalize_whitespace"]), tokenizer=Tokenizer())
            seconds = time.perf_counter() - t
            pids_after = sorted(client.run(os.getpid).values())
        me = os.getpid()
        workers = {pid: rss for pid, rss in peaks.peaks.items() if pid in pids_before or pid in pids_after}
        out["runs"].append({
            "corpus_megabytes": round(size / 1e6, 1),
            "documents": len(sp.metadata),
            "passages": sp.n_passages,
            "seconds": seconds,
            "megabytes_per_second": size / 1e6 / seconds,
            "peak_rss_driver_mb": round(peaks.peaks.get(me, 0) / 2**20, 1),
            "peak_rss_workers_mb": sorted(round(v / 2**20, 1) for v in workers.values()),
            "workers_restarted": pids_before != pids_after,
        })
        path.unlink()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip")
    ap.add_argument("--out", default=None, help="results file (default benchmarks/results/bench_distributed.json)")
    ap.add_argument("--memory-only", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--clean-tokenise-child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.clean_tokenise_child:
        warnings.filterwarnings("ignore")
        print(json.dumps(clean_tokenise_child(args.clean_tokenise_child)))
        return
    if args.memory_only:
        warnings.filterwarnings("ignore")
        spec = json.loads(args.memory_only)
        print(json.dumps(bench_memory(spec["mb"], spec["limit"], Path(spec["tmp"]))))
        return
    from discourse.distributed import connect

    warnings.filterwarnings("ignore")
    skip = set(filter(None, args.skip.split(",")))
    quick = args.quick
    sizes = {
        "embedding": 300 if quick else 2_000,
        "memory_mb": [20, 40] if quick else [320, 640],
        "memory_limit": "600MiB",
        "bertopic": [100, 300] if quick else [250, 500, 1_000, 2_000],
    }
    factory = lambda: connect("local", n_workers=2, threads_per_worker=1, memory_limit="4GiB")  # noqa: E731
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "quick": quick}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "clean_tokenise" not in skip:
            ct = results["clean_tokenise"] = bench_clean_tokenise(tmp, factory, repeats=1 if quick else 3)
            print(f"clean+tokenise {ct['passages']} passages: in-process {ct['in_process_s']:.1f}s, 2 workers {ct['distributed_s']:.1f}s "
                  f"-> {ct['speedup']:.2f}x (cluster start {ct['cluster_start_s']:.1f}s and worker imports {ct['worker_imports_s']:.1f}s apart; "
                  f"{ct['speedup_including_start']:.2f}x with them)", flush=True)
        if "embedding" not in skip:
            if not (tmp / "warmup.csv").exists():
                docs_frame(40, lee_lines()[::7]).to_csv(tmp / "warmup.csv", index=False)
            emb, effect = bench_embedding(sizes["embedding"], tmp, factory, [] if "bertopic_sample" in skip else sizes["bertopic"])
            results["embedding"] = emb
            print(f"embedding {emb['passages']} passages: in-process {emb['in_process_s']:.1f}s, 2 workers {emb['distributed_s']:.1f}s "
                  f"-> {emb['speedup']:.2f}x", flush=True)
            if effect:
                results["bertopic_sample"] = effect
                print(pd.DataFrame(effect["rows"]).to_string(index=False), flush=True)
        if "memory" not in skip:
            # a fresh interpreter, so that the driver's peak is this section's alone
            import subprocess

            cmd = [sys.executable, __file__, "--memory-only", json.dumps({"mb": sizes["memory_mb"], "limit": sizes["memory_limit"], "tmp": str(tmp)})]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=7200)
            if proc.returncode != 0:
                raise RuntimeError("memory section failed:\n" + proc.stderr[-4000:])
            results["memory"] = json.loads(proc.stdout.strip().splitlines()[-1])
            for r in results["memory"]["runs"]:
                print(f"memory: {r['corpus_megabytes']} MB corpus, limit {sizes['memory_limit']}/worker: peak driver {r['peak_rss_driver_mb']} MB, "
                      f"workers {r['peak_rss_workers_mb']} MB, {r['seconds']:.0f}s", flush=True)

    def rounded(x):
        if isinstance(x, float):
            return round(x, 4)
        if isinstance(x, dict):
            return {k: rounded(v) for k, v in x.items()}
        if isinstance(x, list):
            return [rounded(v) for v in x]
        return x

    out = Path(args.out) if args.out else HERE / "results" / "bench_distributed.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if skip and out.exists():  # keep the sections not rerun this time
        previous = json.loads(out.read_text(encoding="utf-8"))
        if previous.get("quick") == quick:
            results = previous | results
    out.write_text(json.dumps(rounded(results), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
