"""Benchmark the topic models against their raw baselines, side by side in one run.

Reports (written to ``benchmarks/results/bench_models.json``):

1. **LDA overhead**: ``discourse.models.LDA.fit`` against raw gensim with
   identical parameters on the same passages: the raw pipeline with the same
   output (``Dictionary`` + ``filter_extremes`` + ``doc2bow`` + ``LdaModel`` +
   the passage-topic matrix by ``LdaModel.inference``), and ``LdaModel``
   training alone.  Target: <= 1.05x the raw pipeline.  Runs are interleaved
   (raw, discourse, discourse, raw, ...); the minimum and median wall time and
   the process CPU time of each are reported (CPU time is less disturbed by
   other programs on a shared machine).
2. **Embedding throughput**: :class:`SentenceTransformerEmbedder` (empty
   cache) against raw ``SentenceTransformer.encode`` with the same loaded
   model, batch size and unique passages.  Target: >= 0.95x.  Then a rerun
   reading the cache: target >= 50x faster than the first pass.
3. **Scaling**: time and peak memory of both models at each size in
   ``--sizes``; each fit runs in a fresh process that loads the prepared
   passages (and, for BERTopic, their embeddings) and compiles UMAP's numba
   code on a toy problem first; the peak resident set size (``VmHWM``) is
   reset just before the fit, so ``peak_rss_mb`` is the peak during the fit
   and ``peak_increase_mb`` what the fit added.
4. **Embedding at scale** (``--embed-sizes``): the scaling rows' own passages
   embedded for real, each size in a fresh process with an empty cache: time,
   passages/s and peak memory.

Real text: the 300 news articles of gensim's ``lee_background.cor`` (Lee,
Pincombe & Welsh 2005).  The LDA and embedding comparisons use its ~2,600
distinct sentences; the scaling rows use distinct passages of 1 to 4
sentences drawn from one article each (:func:`scaling_texts`; about 250,000
distinct passages exist), so no passage is repeated at any size.

BERTopic at scale: the scaling rows fit BERTopic on **given embeddings**
(each distinct sentence is embedded once, through the cache, and a passage's
embedding is the normalised mean of its sentences' embeddings: MiniLM
mean-pools tokens, so this is a close stand-in), so that the fit's own cost
and memory are seen apart from the embedding's.  The embedding of the same
passages is measured for real by the ``embed_scaling`` part; each BERTopic
row then carries ``embed_measured_s`` (that size embedded for real) or
``embed_projected_s`` (passages / the rate measured at the largest size
embedded, named in ``embed_projection_basis``).

Usage::

    python benchmarks/bench_models.py                      # sizes 1000,10000
    python benchmarks/bench_models.py --sizes 1000,10000,50000
    python benchmarks/bench_models.py --skip lda,embed,embed_scaling --sizes 100000   # add one size
    python benchmarks/bench_models.py --skip lda,embed,scaling --embed-sizes 1000,10000,50000

Timings depend on the machine and its load; the ratios are measured side by
side so that both sides see the same conditions.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import pickle
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "bench_models.json"

# identical LDA parameters on both sides (discourse defaults, fixed k)
LDA_PARAMS = {"k": 10, "passes": 10, "iterations": 100, "alpha": "auto", "eta": None, "no_below": 2,
              "no_above": 0.5, "random_state": 0}


def _prepare_fn():
    import discourse

    return discourse.prepare if callable(discourse.prepare) else discourse.prepare.prepare


def lee_sentences() -> list[str]:
    """Distinct sentences (5+ words) of gensim's lee_background.cor, in corpus order."""
    import gensim

    from discourse.passages import sentence_spans

    path = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
    seen, out = set(), []
    for doc in path.read_text(encoding="utf-8").splitlines():
        for a, b in sentence_spans(doc):
            s = doc[a:b].strip()
            if len(s.split()) >= 5 and s not in seen:
                seen.add(s)
                out.append(s)
    return out


def lee_articles() -> list[list[str]]:
    """The sentences (5+ words) of each article of gensim's lee_background.cor."""
    import gensim

    from discourse.passages import sentence_spans

    path = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
    out = []
    for doc in path.read_text(encoding="utf-8").splitlines():
        sents = [doc[a:b].strip() for a, b in sentence_spans(doc)]
        sents = [x for x in sents if len(x.split()) >= 5]
        if sents:
            out.append(sents)
    return out


def scaling_texts(n: int, seed: int = 0, max_sentences: int = 4) -> list[str]:
    """``n`` distinct passages of real text: 1 to 4 sentences of one article, in article order.

    Article, passage length and sentences are drawn with a fixed seed; a
    passage already drawn is drawn again, so all ``n`` are distinct (about
    254,000 distinct ones are possible).
    """
    rng = np.random.default_rng(seed)
    articles = lee_articles()
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        art = articles[int(rng.integers(len(articles)))]
        size = int(rng.integers(1, min(max_sentences, len(art)) + 1))
        pick = np.sort(rng.choice(len(art), size=size, replace=False))
        text = " ".join(art[i] for i in pick)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def make_prepared(texts: list[str]):
    import discourse

    recs = [{"id": f"p{i:06d}", "text": t} for i, t in enumerate(texts)]
    return _prepare_fn()(discourse.Corpus.from_records(recs), progress=False)


# --- 1. LDA overhead ---------------------------------------------------------------------
def _stats(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "all": values}


def _paired(ours: list[float], raw: list[float]) -> float:
    """Median over repeats of ours/raw, each pair measured back to back (cancels drifts in machine load)."""
    return statistics.median(o / r for o, r in zip(ours, raw))


class _Clock:
    """Wall time and this process's CPU time (all threads) of a block."""

    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def raw_gensim_lda(tokens):
    """The raw gensim pipeline with discourse's parameters and output (the passage-topic matrix)."""
    from gensim.corpora import Dictionary

    d = Dictionary(tokens)
    d.filter_extremes(no_below=LDA_PARAMS["no_below"], no_above=LDA_PARAMS["no_above"], keep_n=None)
    bow = [d.doc2bow(t) for t in tokens]
    lda = raw_train(d, bow)
    lda.random_state = np.random.RandomState(LDA_PARAMS["random_state"])
    theta = np.vstack([lda.inference(bow[s:s + 2000])[0] for s in range(0, len(bow), 2000)]).astype(np.float64)
    theta /= theta.sum(axis=1, keepdims=True)
    return lda, theta


def raw_train(d, bow):
    from gensim.models import LdaModel

    return LdaModel(corpus=bow, id2word=d, num_topics=LDA_PARAMS["k"], chunksize=2000, passes=LDA_PARAMS["passes"],
                    iterations=LDA_PARAMS["iterations"], alpha=LDA_PARAMS["alpha"], eta=LDA_PARAMS["eta"],
                    eval_every=None, random_state=LDA_PARAMS["random_state"])


def bench_lda_overhead(prepared, repeats: int) -> dict:
    from discourse.models import LDA
    from discourse.models.lda import build_dictionary

    tokens = prepared.tokens
    d, bow = build_dictionary(tokens, no_below=2, no_above=0.5)
    LDA(**LDA_PARAMS, progress=False).fit(prepared)  # warm-up: first-call costs (package versions, imports)
    times = {"raw": ([], []), "ours": ([], []), "train": ([], [])}
    for r in range(repeats):
        order = ("raw", "ours", "train") if r % 2 == 0 else ("ours", "raw", "train")
        for side in order:
            with _Clock() as c:
                if side == "raw":
                    raw_model, theta = raw_gensim_lda(tokens)
                elif side == "ours":
                    m = LDA(**LDA_PARAMS, progress=False).fit(prepared)
                else:
                    raw_train(d, bow)
            times[side][0].append(c.wall)
            times[side][1].append(c.cpu)
    (rw, rc), (ow, oc), (tw, tc) = times["raw"], times["ours"], times["train"]
    within = [_instrumented_fit(prepared) for _ in range(3)]
    return {
        "within_call_total_over_gensim_work": _stats([w["ratio"] for w in within]),
        "within_call_detail_s": within,
        "n_passages": len(prepared.passages),
        "params": LDA_PARAMS,
        "repeats": repeats,
        "raw_pipeline_wall_s": _stats(rw), "raw_pipeline_cpu_s": _stats(rc),
        "raw_train_only_wall_s": _stats(tw), "raw_train_only_cpu_s": _stats(tc),
        "discourse_fit_wall_s": _stats(ow), "discourse_fit_cpu_s": _stats(oc),
        "ratio_vs_raw_pipeline_wall_min": min(ow) / min(rw),
        "ratio_vs_raw_pipeline_wall_median": statistics.median(ow) / statistics.median(rw),
        "ratio_vs_raw_pipeline_cpu_min": min(oc) / min(rc),
        "ratio_vs_raw_pipeline_wall_paired_median": _paired(ow, rw),
        "ratio_vs_raw_train_only_cpu_min": min(oc) / min(tc),
        "target": "discourse fit <= 1.05 x raw pipeline",
        "identical_topics_to_raw": bool(np.array_equal(raw_model.get_topics(), m.model_.get_topics())),
        "identical_doc_topic_to_raw": bool(np.array_equal(theta, m.doc_topic_)),
    }


def _instrumented_fit(prepared) -> dict:
    """One LDA.fit with the gensim work timed inside it.

    ``LDA.fit`` = the gensim work that the raw pipeline also does (Dictionary,
    filter_extremes, doc2bow: ``build_dictionary``; ``LdaModel``:
    ``train_lda``; ``LdaModel.inference``: ``infer_doc_topics``) + discourse's
    own code (checks, labels, provenance).  Timing both within one call is not
    disturbed by other programs' load the way two separate runs are.
    """
    import discourse.models.lda as lda_mod

    spent = {"gensim": 0.0}
    originals = {n: getattr(lda_mod, n) for n in ("build_dictionary", "train_lda", "infer_doc_topics")}

    def wrap(fn):
        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent["gensim"] += time.perf_counter() - t
        return timed

    for name, fn in originals.items():
        setattr(lda_mod, name, wrap(fn))
    try:
        t = time.perf_counter()
        lda_mod.LDA(**LDA_PARAMS, progress=False).fit(prepared)
        total = time.perf_counter() - t
    finally:
        for name, fn in originals.items():
            setattr(lda_mod, name, fn)
    return {"total_s": total, "gensim_s": spent["gensim"], "discourse_own_s": total - spent["gensim"],
            "ratio": total / spent["gensim"]}


# --- 2. embedding throughput ----------------------------------------------------------
def bench_embedding(texts: list[str], repeats: int, batch_size: int) -> dict:
    from discourse.models import SentenceTransformerEmbedder

    base = SentenceTransformerEmbedder(batch_size=batch_size, cache_dir=False, progress=False)
    st = base.sentence_transformer
    st.encode(texts[:64], batch_size=batch_size)  # warm-up (first call allocates)
    t = {k: ([], []) for k in ("raw", "ours", "cached")}
    same = True
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeats):
            order = ("raw", "ours") if r % 2 == 0 else ("ours", "raw")
            for side in order:
                if side == "raw":
                    with _Clock() as c:
                        ref = st.encode(texts, batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False)
                    t["raw"][0].append(c.wall)
                    t["raw"][1].append(c.cpu)
                else:
                    emb = SentenceTransformerEmbedder(batch_size=batch_size, cache_dir=Path(tmp) / f"r{r}",
                                                      progress=False)
                    emb._st = st  # the same loaded model object as the raw side
                    _ = emb.model_key  # identity hash of the model files: once per process, not per call
                    with _Clock() as c:
                        got = emb.encode(texts)
                    t["ours"][0].append(c.wall)
                    t["ours"][1].append(c.cpu)
                    with _Clock() as c:
                        again = emb.encode(texts)
                    t["cached"][0].append(c.wall)
                    t["cached"][1].append(c.cpu)
                    same = same and again.tobytes() == got.tobytes()
            same = same and bool(np.allclose(got, ref, atol=1e-5))
    n = len(texts)
    (rw, rc), (ow, oc), (cw, cc) = t["raw"], t["ours"], t["cached"]
    within = [_instrumented_encode(st, texts, batch_size) for _ in range(2)]
    return {
        "within_call_encode_over_total": _stats([w["ratio"] for w in within]),
        "within_call_detail_s": within,
        "n_passages": n,
        "batch_size": batch_size,
        "repeats": repeats,
        "raw_encode_wall_s": _stats(rw), "raw_encode_cpu_s": _stats(rc),
        "discourse_first_pass_wall_s": _stats(ow), "discourse_first_pass_cpu_s": _stats(oc),
        "discourse_cached_wall_s": _stats(cw),
        "throughput_raw_per_s": n / min(rw),
        "throughput_discourse_per_s": n / min(ow),
        "throughput_ratio_wall_min": min(rw) / min(ow),
        "throughput_ratio_wall_median": statistics.median(rw) / statistics.median(ow),
        "throughput_ratio_cpu_min": min(rc) / min(oc),
        "throughput_ratio_wall_paired_median": 1.0 / _paired(ow, rw),
        "cached_speedup_min": min(ow) / min(cw),
        "targets": {"throughput_ratio": ">= 0.95", "cached_speedup": ">= 50"},
        "same_embeddings_as_raw_atol_1e-5": bool(same),
    }


def _instrumented_encode(st, texts: list[str], batch_size: int) -> dict:
    """One first-pass embedder.encode with the time inside SentenceTransformer.encode measured.

    The ratio (time in ``SentenceTransformer.encode``) / (total) is the
    throughput of discourse relative to raw encode on the same batches,
    undisturbed by load changes between separate runs.
    """
    from discourse.models import SentenceTransformerEmbedder

    spent = [0.0]
    real = st.encode

    def timed(*a, **k):
        t0 = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        emb = SentenceTransformerEmbedder(batch_size=batch_size, cache_dir=tmp, progress=False)
        emb._st = st
        _ = emb.model_key
        st.encode = timed
        try:
            t0 = time.perf_counter()
            emb.encode(texts)
            total = time.perf_counter() - t0
        finally:
            del st.encode  # back to the class method
    return {"total_s": total, "sentence_transformer_encode_s": spent[0], "discourse_own_s": total - spent[0],
            "ratio": spent[0] / total}


# --- 3. scaling, each fit in a fresh process ------------------------------------------------
def _proc_status_mb(field: str) -> float:
    """A memory field of /proc/self/status in MB (VmRSS: now; VmHWM: peak since the last reset)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so VmHWM is the peak of what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _child_fit(model: str, prepared_path: str, emb_path: str | None) -> dict:
    import warnings

    out = {}
    if model == "bertopic":
        # warm-up (not timed): import BERTopic (tens of seconds on a loaded machine) and compile
        # UMAP/HDBSCAN's numba code on a toy problem
        import bertopic  # noqa: F401
        from hdbscan import HDBSCAN
        from umap import UMAP

        rng = np.random.default_rng(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            toy = UMAP(n_neighbors=10, n_components=5, min_dist=0.0, metric="cosine", random_state=0,
                       n_jobs=1).fit_transform(rng.normal(size=(300, 384)).astype(np.float32))
            HDBSCAN(min_cluster_size=5, min_samples=2, prediction_data=True).fit(toy)
    with open(prepared_path, "rb") as fh:
        prepared = pickle.load(fh)
    embeddings = np.load(emb_path) if emb_path else None
    rss_before = _proc_status_mb("VmRSS")
    out["peak_is_fit_only"] = _reset_peak()
    t = time.perf_counter()
    if model == "lda":
        from discourse.models import LDA

        m = LDA(**LDA_PARAMS, progress=False).fit(prepared)
        out["n_topics"] = m.doc_topic_.shape[1]
    else:
        from discourse.models import BERTopicModel

        m = BERTopicModel(cache_dir=False, random_state=0, progress=False).fit(prepared, embeddings=embeddings)
        out.update(n_topics=len(m.topic_ids_), n_outliers=m.n_outliers_, sizes=m.sizes_)
        sizes = np.bincount(m.assignments_)
        out["largest_topic_share"] = float(sizes.max() / sizes.sum())
    out["example_labels"] = [m.labels_[t] for t in m.topic_ids_[:8]]
    out["fit_s"] = time.perf_counter() - t
    out["peak_rss_mb"] = _proc_status_mb("VmHWM")
    out["rss_before_fit_mb"] = rss_before
    out["peak_increase_mb"] = out["peak_rss_mb"] - rss_before
    out["n_passages"] = len(prepared.passages)
    return out


def run_child(model: str, prepared_path: str, emb_path: str | None) -> dict:
    ctx = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(_child_fit, model, prepared_path, emb_path).result()


def _child_embed(prepared_path: str, cache: str, batch_size: int) -> dict:
    """Embed every passage of a prepared corpus for real, in a fresh process (empty cache)."""
    from discourse.models import SentenceTransformerEmbedder

    with open(prepared_path, "rb") as fh:
        prepared = pickle.load(fh)
    texts = prepared.passages["text"].astype(str).tolist()
    emb = SentenceTransformerEmbedder(cache_dir=cache, batch_size=batch_size, progress=False)
    _ = emb.dim  # load the model first: the row is the embedding itself
    rss_before = _proc_status_mb("VmRSS")
    peak_reset = _reset_peak()
    t = time.perf_counter()
    vecs = emb.encode(texts)
    seconds = time.perf_counter() - t
    peak = _proc_status_mb("VmHWM")
    t = time.perf_counter()
    emb.encode(texts)
    cached = time.perf_counter() - t
    return {"n_passages": len(texts), "embed_s": seconds, "passages_per_s": len(texts) / seconds, "dim": int(vecs.shape[1]),
            "mean_chars_per_passage": float(np.mean([len(x) for x in texts])), "peak_rss_mb": peak,
            "rss_before_mb": rss_before, "peak_increase_mb": peak - rss_before, "peak_is_embed_only": peak_reset,
            "rerun_from_cache_s": cached}


def bench_embed_scaling(sizes: list[int], batch_size: int) -> dict:
    """Real embedding of the scaling passages (not the sentence-mean stand-in) at each size."""
    rows = []
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            prepared = make_prepared(scaling_texts(n))
            ppath = Path(tmp) / f"prepared-{n}.pkl"
            ppath.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
            print(f"  embedding {len(prepared.passages)} passages ...", flush=True)
            with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
                r = pool.submit(_child_embed, str(ppath), str(Path(tmp) / f"cache-{n}"), batch_size).result()
            r["size"] = n
            rows.append(r)
            print(f"    {r['embed_s']:.1f}s ({r['passages_per_s']:.1f} passages/s), peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)
    return {"note": "MiniLM embedding of the scaling rows' own passages (1-4 sentences), each size in a fresh "
                    "process with an empty cache; the model is loaded before timing", "rows": rows}


def passage_embeddings(emb, texts: list[str]) -> np.ndarray:
    """Approximate embeddings of multi-sentence passages: the normalised mean of their sentences' embeddings.

    Each distinct sentence is embedded once (through the cache); MiniLM
    mean-pools token vectors, so the mean of sentence vectors is a close,
    cheap stand-in for embedding the passage itself.  Used only for the
    scaling rows, where embedding 50,000 passages for real would take most
    of an hour on two cores.
    """
    from discourse.passages import sentence_spans

    parts = [[t[a:b].strip() for a, b in sentence_spans(t)] or [t] for t in texts]
    uniq = list(dict.fromkeys(x for p in parts for x in p))
    vecs = emb.encode(uniq)
    index = {x: i for i, x in enumerate(uniq)}
    out = np.stack([vecs[[index[x] for x in p]].mean(axis=0) for p in parts]).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="passage counts for the scaling rows (comma-separated)")
    ap.add_argument("--lda-n", type=int, default=5000, help="passages for the LDA overhead comparison")
    ap.add_argument("--embed-n", type=int, default=1000, help="distinct passages for the embedding comparison")
    ap.add_argument("--repeats", type=int, default=4, help="interleaved repeats of each side of a comparison")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: lda,embed,scaling,embed_scaling")
    ap.add_argument("--embed-sizes", default="1000,10000", help="passage counts embedded for real (embed_scaling part)")
    ap.add_argument("--out", default=str(RESULTS))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    skip = set(filter(None, args.skip.split(",")))

    sentences = lee_sentences()
    out = Path(args.out)
    result: dict = {}
    if out.is_file() and skip:
        # parts skipped in this run keep their earlier results (run the parts one at a time)
        result = json.loads(out.read_text(encoding="utf-8"))
    result |= {
        "benchmark": "bench_models",
        "corpus": f"gensim test_data/lee_background.cor: {len(sentences)} distinct sentences (5+ words), one per passage",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    t_all = time.perf_counter()

    if "lda" not in skip:
        print(f"[lda] overhead on {args.lda_n} passages, {args.repeats} interleaved repeats ...", flush=True)
        prepared = make_prepared(scaling_texts(args.lda_n))
        result["lda_overhead"] = r = bench_lda_overhead(prepared, args.repeats)
        _write(out, result)
        print(f"  wall: raw pipeline {r['raw_pipeline_wall_s']['min']:.2f}s  discourse {r['discourse_fit_wall_s']['min']:.2f}s"
              f"  ratio {r['ratio_vs_raw_pipeline_wall_min']:.3f} (paired median {r['ratio_vs_raw_pipeline_wall_paired_median']:.3f});"
              f" cpu ratio {r['ratio_vs_raw_pipeline_cpu_min']:.3f}; train only {r['raw_train_only_wall_s']['min']:.2f}s;"
              f" identical topics {r['identical_topics_to_raw']}; within one call: total / gensim work ="
              f" {r['within_call_total_over_gensim_work']['median']:.4f}", flush=True)

    throughput = None
    if "embed" not in skip:
        texts = sentences[: args.embed_n]
        print(f"[embed] {len(texts)} distinct passages, batch {args.batch_size}, {args.repeats} repeats ...", flush=True)
        result["embedding"] = r = bench_embedding(texts, args.repeats, args.batch_size)
        _write(out, result)
        throughput = r["throughput_discourse_per_s"]
        print(f"  wall: raw {r['raw_encode_wall_s']['min']:.2f}s  discourse {r['discourse_first_pass_wall_s']['min']:.2f}s"
              f"  throughput ratio {r['throughput_ratio_wall_min']:.3f} (paired median {r['throughput_ratio_wall_paired_median']:.3f});"
              f" cpu ratio {r['throughput_ratio_cpu_min']:.3f}; cached {r['discourse_cached_wall_s']['min'] * 1000:.1f} ms"
              f" = {r['cached_speedup_min']:.0f}x faster; within one call: encode / total ="
              f" {r['within_call_encode_over_total']['median']:.4f}", flush=True)

    if "scaling" not in skip and sizes:
        from discourse.models import SentenceTransformerEmbedder

        rows = []
        previous = result.get("scaling", {}).get("rows", [])

        def merged(new: list[dict]) -> list[dict]:
            """This run's rows and the earlier rows of sizes not rerun (run a large size on its own with --sizes)."""
            rerun = {(r["model"], r["size"]) for r in new}
            kept = [r for r in previous if (r.get("model"), r.get("size")) not in rerun]
            return sorted(kept + new, key=lambda r: (r["size"], r["model"] != "lda"))

        if throughput is None and "embedding" in result:
            throughput = result["embedding"]["throughput_discourse_per_s"]
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            emb = SentenceTransformerEmbedder(cache_dir=cache, batch_size=args.batch_size, progress=False)
            print(f"[scaling] embedding the {len(sentences)} distinct sentences once ...", flush=True)
            t = time.perf_counter()
            emb.encode(sentences)
            unique_s = time.perf_counter() - t
            if throughput is None:
                throughput = len(sentences) / unique_s
            for n in sizes:
                t = time.perf_counter()
                prepared = make_prepared(scaling_texts(n))
                prep_s = time.perf_counter() - t
                ppath = Path(tmp) / f"prepared-{n}.pkl"
                ppath.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
                rows_emb = passage_embeddings(emb, prepared.passages["text"].astype(str).tolist())
                epath = Path(tmp) / f"emb-{n}.npy"
                np.save(epath, rows_emb)
                for model in ("lda", "bertopic"):
                    print(f"  {model} at {len(prepared.passages)} passages ...", flush=True)
                    r = run_child(model, str(ppath), str(epath) if model == "bertopic" else None)
                    r.update(model=model, size=n, prepare_s=prep_s)
                    if model == "bertopic":
                        r["embed_projected_s"] = r["n_passages"] / throughput
                        r["fit_excludes_embedding"] = True
                    rows.append(r)
                    result["scaling"] = {"rows": merged(rows), "partial": True}
                    _write(out, result)
                    print(f"    fit {r['fit_s']:.1f}s, peak RSS {r['peak_rss_mb']:.0f} MB (+{r['peak_increase_mb']:.0f} MB), "
                          f"topics {r['n_topics']}", flush=True)
        rows = merged(rows)
        result["scaling"] = {
            "note": ("each fit runs in a fresh process (peak RSS during the fit); passages are 1-4 sentences of one "
                     "lee_background article, all distinct; BERTopic fits on given embeddings (normalised mean of "
                     "the passage's sentence embeddings); the embedding of the same passages is measured for real by "
                     "embed_scaling (embed_measured_s) or projected from its largest measured size (embed_projected_s)"),
            "embedding_throughput_per_s": throughput,
            "rows": rows,
        }
        _write(out, result)
    embed_sizes = [int(x) for x in args.embed_sizes.split(",") if x]
    if "embed_scaling" not in skip and embed_sizes:
        print(f"[embed_scaling] real embedding at {embed_sizes} passages ...", flush=True)
        result["embed_scaling"] = bench_embed_scaling(embed_sizes, args.batch_size)
        _write(out, result)
    _embedding_costs(result)
    result["last_run_s"] = time.perf_counter() - t_all
    _write(out, result)
    print(f"wrote {out}")
    return 0


def _embedding_costs(result: dict) -> None:
    """Give each BERTopic scaling row the embedding cost of its passages: measured, or projected from a measurement.

    Where ``embed_scaling`` embedded that size for real, ``embed_measured_s``;
    otherwise ``embed_projected_s`` = passages / the passages-per-second
    measured at the largest size embedded for real (``embed_projection_basis``
    says which).  Without any real measurement the projection from single
    sentences stays.
    """
    measured = {r["size"]: r for r in result.get("embed_scaling", {}).get("rows", [])}
    if not measured:
        return
    basis = measured[max(measured)]
    for r in result.get("scaling", {}).get("rows", []):
        if r.get("model") != "bertopic":
            continue
        if r["size"] in measured:
            r["embed_measured_s"] = measured[r["size"]]["embed_s"]
            r.pop("embed_projected_s", None)
            r.pop("embed_projection_basis", None)
        else:
            r["embed_projected_s"] = r["n_passages"] / basis["passages_per_s"]
            r["embed_projection_basis"] = f"{basis['passages_per_s']:.1f} passages/s measured at {basis['n_passages']} passages"


def _write(out: Path, result: dict) -> None:
    """Write the results so far (atomically), so an interrupted run keeps its finished parts."""
    from discourse._io import atomic_write_text

    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(result, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.exit(main())
