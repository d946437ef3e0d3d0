"""Where ``minilm-int8`` spends its time: OpenVINO's per-op profile, SDPA export against eager export.

Builds the int8 artefact twice from the shipped MiniLM in a fresh folder: as
the package builds it (attention exported in its eager form) and with
PyTorch's default SDPA attention in the export, everything else equal.  Each
is compiled with ``PERF_COUNT`` and embeds the first 150 whole Lee articles
twice; the second pass is profiled: the kernel time of each (node type,
kernel), the wall time, and the rate of the int8 linear layers in
multiply-adds per second (the padded tokens times 6 layers of q, k, v,
output and two feed-forward products: 10.6 million per token).  Each
export's vectors of all 300 Lee articles are compared with torch fp32's:
mean and minimum cosine, recall of the 10 nearest neighbours.  For a
ceiling, single int8 matrix products of MiniLM's shapes (activations
through a FakeQuantize, int8 weights, as NNCF quantises them) run alone
in OpenVINO and are profiled the same way.  Results:
``results/int8_profile.json``.

Usage::

    python benchmarks/int8_profile.py
"""

from __future__ import annotations

import collections
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MACS_PER_TOKEN = 6 * (4 * 384 * 384 + 2 * 384 * 1536)


def build(attention: str, out: Path) -> None:
    """The package's int8 build, with ``attention`` as the export's attention implementation."""
    import transformers

    from discourse.models import _tiers
    from discourse.models.embed import default_embedding_model

    original = transformers.AutoModel.from_pretrained

    def patched(*args, **kwargs):
        kwargs["attn_implementation"] = attention
        return original(*args, **kwargs)

    transformers.AutoModel.from_pretrained = patched
    out.mkdir(parents=True)
    try:
        with _tiers._no_telemetry():
            _tiers._build_int8(Path(default_embedding_model()), out)
    finally:
        transformers.AutoModel.from_pretrained = original


def profile(folder: Path, texts: list[str]) -> dict:
    import openvino as ov

    from discourse.models import _tiers

    backend = _tiers.Int8Backend(folder, "profile")
    backend.compiled = ov.Core().compile_model(str(folder / "model_int8.xml"), "CPU",
                                               {"INFERENCE_PRECISION_HINT": "f32", "PERF_COUNT": "YES"})
    backend.request = backend.compiled.create_infer_request()
    seconds: collections.Counter = collections.Counter()
    run = backend._run

    def profiled(encs, length):
        out = run(encs, length)
        for p in backend.request.get_profiling_info():
            seconds[f"{p.node_type} / {p.exec_type}"] += p.real_time.total_seconds()
        return out

    backend._run = profiled
    backend.encode(texts, 64)  # first pass: kernels chosen and compiled per shape
    seconds.clear()
    t = time.perf_counter()
    backend.encode(texts, 64)
    wall = time.perf_counter() - t
    tokens = sum(min(-(-len(e.ids) // backend.PAD_TO) * backend.PAD_TO, backend.max_len)
                 for e in backend.tokenizer.encode_batch(texts))
    linear = sum(v for k, v in seconds.items() if k.startswith(("FullyConnected ", "FullyConnectedQuantizedLegacy ")))
    return {"wall_s": round(wall, 3), "kernel_s": round(sum(seconds.values()), 3), "padded_tokens": tokens,
            "linear_s": round(linear, 3), "linear_multiply_adds_per_s": round(tokens * MACS_PER_TOKEN / linear),
            "by_kernel_s": {k: round(v, 4) for k, v in seconds.most_common() if v >= 0.001}}


def quality(folder: Path, texts: list[str], ref) -> dict:
    import numpy as np
    from bench_embed_tiers import _recall

    from discourse.models import _tiers

    vectors = _tiers.Int8Backend(folder, "quality").encode(texts, 64)
    cos = np.einsum("ij,ij->i", vectors, ref / np.linalg.norm(ref, axis=1, keepdims=True))
    return {"cosine_mean": round(float(cos.mean()), 4), "cosine_min": round(float(cos.min()), 4),
            "recall_at_10": round(float(_recall(ref, vectors)), 4)}


def isolated_products(repeats: int = 20) -> list[dict]:
    """Multiply-adds per second of one int8 product (M rows, K inputs, N outputs) alone in OpenVINO."""
    import numpy as np
    import openvino as ov
    import openvino.opset13 as ops

    rows = []
    for m, k, n in ((2048, 384, 384), (2048, 384, 1536), (2048, 1536, 384), (8192, 384, 1536), (8192, 1536, 384)):
        x = ops.parameter([m, k], np.float32, name="x")
        lo, hi = ops.constant(np.float32(-4)), ops.constant(np.float32(4))
        w = ops.constant(np.random.default_rng(0).integers(-127, 127, (n, k)).astype(np.int8))
        y = ops.matmul(ops.fake_quantize(x, lo, hi, lo, hi, 256),
                       ops.multiply(ops.convert(w, np.float32), ops.constant(np.float32(0.01))), False, True)
        compiled = ov.Core().compile_model(ov.Model([y], [x]), "CPU",
                                           {"INFERENCE_PRECISION_HINT": "f32", "PERF_COUNT": "YES"})
        request = compiled.create_infer_request()
        data = np.random.default_rng(1).standard_normal((m, k)).astype(np.float32)
        for _ in range(3):
            request.infer({0: data})
        seconds = 0.0
        for _ in range(repeats):
            request.infer({0: data})
            seconds += sum(p.real_time.total_seconds() for p in request.get_profiling_info()
                           if p.node_type.startswith("FullyConnected"))
        kernels = sorted({p.exec_type for p in request.get_profiling_info() if p.node_type.startswith("FullyConnected")})
        rows.append({"m": m, "k": k, "n": n, "kernels": kernels,
                     "multiply_adds_per_s": round(m * k * n * repeats / seconds)})
    return rows


def main() -> None:
    from bench_models import lee_articles
    from discourse.models.embed import SentenceTransformerEmbedder

    articles = [" ".join(a) for a in lee_articles()]
    texts = articles[:150]
    ref = SentenceTransformerEmbedder(cache_dir=False, progress=False).encode(articles)
    root = Path(tempfile.mkdtemp(prefix="int8_profile-"))
    out = {"machine": platform.platform(), "cpus": os.cpu_count(), "loadavg_start": os.getloadavg(),
           "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "articles": len(texts), "exports": {}}
    for attention in ("sdpa", "eager"):
        build(attention, root / attention)
        out["exports"][attention] = profile(root / attention, texts)
        out["exports"][attention]["quality_300_articles"] = quality(root / attention, articles, ref)
        print(attention, {k: v for k, v in out["exports"][attention].items() if k != "by_kernel_s"}, flush=True)
    out["isolated_int8_products"] = isolated_products()
    print(out["isolated_int8_products"], flush=True)
    out["loadavg_end"] = os.getloadavg()
    (HERE / "results" / "int8_profile.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
