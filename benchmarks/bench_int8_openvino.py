"""Scratch benchmark: OpenVINO static int8 (NNCF) for MiniLM against torch fp32 and today's ``minilm-int8``.

Measured, not adopted: on a quiet machine it reached 3.1-3.6x torch fp32 on
sentences but 2.2-2.7x on whole articles in three runs, not reliably the 2.5x
that issue 15 asks of ``minilm-int8`` (see the README's embedding tiers).  It needs
``pip install openvino==2026.4.1 nncf==3.4.0`` (they install beside the pinned
versions; not project dependencies).

The OpenVINO model: MiniLM exported to ONNX (torch, opset 17), read by
OpenVINO, every MatMul quantised to int8 by ``nncf.quantize`` (static,
``model_type=TRANSFORMER``: SmoothQuant, fast bias correction) with activation
scales calibrated on 397 local passages that the quality set does not hold
(the sentences and 50 articles of gensim's ``lee.cor``, the 200 lines of
``pang_lee_polarity.cor``); compiled with ``INFERENCE_PRECISION_HINT=f32`` (else
the fp32 parts run in bf16 on CPUs that have it); passages batched by token
count rounded up to 8, so a vector does not depend on its batch.  OpenVINO's
telemetry is declined by setting ``CI`` and ``NNCF_CI`` while it loads.

Reports (``benchmarks/results/bench_int8_openvino.json``):

1. throughput: torch fp32 (``minilm``), the package's ``minilm-int8`` (ONNX
   Runtime dynamic int8) and OpenVINO int8 embed the same texts, each run in
   a fresh process with the model loaded before the clock, repeats
   interleaved with the order rotating; medians and ratios to torch fp32;
2. quality against torch fp32 on all distinct Lee sentences: mean and
   minimum cosine, 10-NN recall;
3. batching: OpenVINO vectors alone against the bucketed batches and against
   batches padded to their longest passage.

Usage::

    nice python benchmarks/bench_int8_openvino.py [--cache DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
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
RESULTS = HERE / "results" / "bench_int8_openvino.json"
SIDES = ("minilm", "minilm-int8", "openvino-int8")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
sys.path.insert(0, str(HERE))


@contextlib.contextmanager
def no_telemetry():
    """``CI`` (read by openvino-telemetry as an unattended run) and ``NNCF_CI`` set while OpenVINO/NNCF load."""
    old = {k: os.environ.get(k) for k in ("CI", "NNCF_CI")}
    os.environ.update({"CI": "true", "NNCF_CI": "1"})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def calibration_texts() -> list[str]:
    import gensim

    from discourse.passages import sentence_spans

    data = Path(gensim.__file__).parent / "test" / "test_data"
    docs = (data / "lee.cor").read_text(encoding="latin-1").splitlines()
    reviews = (data / "pang_lee_polarity.cor").read_text(encoding="latin-1").splitlines()
    texts = [d[a:b].strip() for d in docs for a, b in sentence_spans(d)] + docs
    texts += [line.split(" ", 1)[-1] for line in reviews]
    return [t for t in texts if len(t.split()) >= 3]


def build(out: Path) -> float:
    """Export, quantise and save the OpenVINO int8 model in ``out``; returns the seconds it took."""
    from discourse.models._tiers import _export_onnx
    from discourse.models.embed import default_embedding_model

    t = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    fp32, tok = _export_onnx(default_embedding_model(), out)  # the same ONNX export as today's minilm-int8

    def item(text):
        e = tok(text, truncation=True, max_length=256, return_tensors="np")
        return {n: e[n].astype(np.int64) for n in INPUTS}

    with no_telemetry():
        import nncf
        import openvino as ov

        texts = calibration_texts()
        logging.getLogger("nncf").setLevel(logging.WARNING)
        with contextlib.redirect_stdout(io.StringIO()):
            q = nncf.quantize(ov.Core().read_model(str(fp32)), nncf.Dataset(texts, item),
                              model_type=nncf.ModelType.TRANSFORMER, subset_size=len(texts))
        ov.save_model(q, str(out / "model_int8.xml"), compress_to_fp16=False)
    fp32.unlink()
    return time.perf_counter() - t


class OpenVinoInt8:
    """The int8 model, mean-pooled and L2-normalised; batches of one padded length (token count up to a multiple of 8)."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        from discourse.models.embed import default_embedding_model

        with no_telemetry():
            import openvino as ov

            self.compiled = ov.Core().compile_model(str(folder / "model_int8.xml"), "CPU",
                                                    {"INFERENCE_PRECISION_HINT": "f32"})
        self.request = self.compiled.create_infer_request()
        self.tokenizer = Tokenizer.from_file(str(default_embedding_model() / "tokenizer.json"))
        self.tokenizer.enable_truncation(256)
        self.tokenizer.no_padding()

    def run(self, encs, length):
        ids = np.zeros((len(encs), length), dtype=np.int64)
        mask, types = np.zeros_like(ids), np.zeros_like(ids)
        for row, e in enumerate(encs):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, 1, e.type_ids
        hidden = self.request.infer({"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts, batch_size=32, tokens_per_call=2048):
        encs = self.tokenizer.encode_batch(texts)
        out = np.empty((len(texts), 384), dtype=np.float32)
        groups: dict[int, list[int]] = {}
        for row, e in enumerate(encs):
            groups.setdefault(min(-(-max(len(e.ids), 1) // 8) * 8, 256), []).append(row)
        for length, rows in sorted(groups.items()):
            step = max(1, min(batch_size, tokens_per_call // length))
            for s in range(0, len(rows), step):
                out[rows[s:s + step]] = self.run([encs[r] for r in rows[s:s + step]], length)
        return out


def worker(side: str, workload: str, n: int, folder: str) -> dict:
    from bench_embed_tiers import _texts

    texts = _texts(workload, n)
    t = time.perf_counter()
    if side == "openvino-int8":
        backend = OpenVinoInt8(Path(folder))
        backend.encode(["a warm-up passage of a few words"] * 2)
        embed = backend.encode
    else:
        from discourse.models.embed import SentenceTransformerEmbedder

        emb = SentenceTransformerEmbedder(cache_dir=False, tier=side, progress=False)
        emb.encode(["a warm-up passage of a few words"] * 2)

        def embed(x):
            return emb._embed_missing(x, [b""] * len(x), None)
    load_s = time.perf_counter() - t
    load_before = os.getloadavg()
    t, c = time.perf_counter(), time.process_time()
    embed(texts)
    return {"side": side, "workload": workload, "n": len(texts), "wall_s": time.perf_counter() - t,
            "cpu_s": time.process_time() - c, "load_s": load_s, "loadavg_before": load_before,
            "loadavg_after": os.getloadavg()}


def throughput(env: dict, folder: Path, repeats: int, sizes: dict[str, int]) -> dict:
    runs = []
    for rep in range(repeats):
        order = SIDES[rep % 3:] + SIDES[:rep % 3]
        for workload, n in sizes.items():
            for side in order:
                out = subprocess.run([sys.executable, __file__, "--worker", side, workload, str(n), str(folder)],
                                     env=env, capture_output=True, text=True, check=True)
                r = {**json.loads(out.stdout.strip().splitlines()[-1]), "repeat": rep}
                runs.append(r)
                print(rep, workload, side, f"{r['wall_s']:.2f}s", flush=True)
    summary = {}
    for workload in sizes:
        def med(side, key):
            return statistics.median(r[key] for r in runs if r["side"] == side and r["workload"] == workload)

        for side in SIDES:
            summary[f"{workload}/{side}"] = {"median_wall_s": med(side, "wall_s"),
                                             "speedup_vs_fp32_wall": med("minilm", "wall_s") / med(side, "wall_s"),
                                             "speedup_vs_fp32_cpu": med("minilm", "cpu_s") / med(side, "cpu_s")}
    return {"runs": runs, "summary": summary}


def quality(folder: Path, cache: Path) -> dict:
    from bench_embed_tiers import _recall
    from bench_models import lee_sentences
    from discourse.models.embed import SentenceTransformerEmbedder

    texts = lee_sentences()
    ref = SentenceTransformerEmbedder(cache_dir=cache, progress=False, normalize=True).encode(texts)
    ref = ref / np.linalg.norm(ref, axis=1, keepdims=True)
    backend = OpenVinoInt8(folder)
    vecs = backend.encode(texts)
    cos = np.einsum("ij,ij->i", vecs, ref)
    alone = np.concatenate([backend.encode([t], 1) for t in texts])
    encs = backend.tokenizer.encode_batch(texts)
    lengths = [len(e.ids) for e in encs]
    order = np.argsort(lengths, kind="stable")
    padded = np.empty_like(alone)
    for s in range(0, len(order), 32):
        rows = order[s:s + 32]
        padded[rows] = backend.run([encs[r] for r in rows], max(lengths[r] for r in rows))

    def differing(x):
        d = np.abs(x - alone).max(axis=1)
        return {"rows_differing": int(np.sum(d > 0)), "max_abs_diff": float(d.max())}

    return {"passages": len(texts), "cosine_mean": float(cos.mean()), "cosine_min": float(cos.min()),
            "recall_at_10": _recall(ref, vecs),
            "batching_vs_alone": {"bucketed": differing(vecs), "whole_batch_padding": differing(padded)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--passages", type=int, default=1000)
    ap.add_argument("--articles", type=int, default=150)
    args = ap.parse_args()
    cache = Path(args.cache or tempfile.mkdtemp(prefix="bench_ov-")).resolve()
    folder = cache / "openvino-int8"
    env = {**os.environ, "DISCOURSE_CACHE": str(cache), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)])}
    os.environ.update({k: env[k] for k in ("DISCOURSE_CACHE", "HF_HUB_OFFLINE", "TOKENIZERS_PARALLELISM")})
    result = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "loadavg_start": os.getloadavg()},
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    from importlib.metadata import version

    result["versions"] = {p: version(p) for p in ("openvino", "nncf", "onnxruntime", "torch")}
    if not (folder / "model_int8.xml").is_file():
        result["build_seconds"] = build(folder)
    subprocess.run([sys.executable, "-c", "from discourse.models.embed import SentenceTransformerEmbedder as E; "
                    "E(tier='minilm-int8').backend"], env=env, check=True)  # today's int8 artefact, built apart
    result["throughput"] = throughput(env, folder, args.repeats, {"passages": args.passages, "articles": args.articles})
    result["quality"] = quality(folder, cache / "embeddings")
    result["machine"]["loadavg_end"] = os.getloadavg()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, default=float) + "\n")
    print(json.dumps(result["throughput"]["summary"], indent=1), json.dumps(result["quality"], indent=1))
    print("written", RESULTS)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])))
    else:
        main()
