"""Embedding tiers: one MiniLM, three ways to run it on a CPU.

=================  ==============================================================================
tier               what embeds
=================  ==============================================================================
``minilm``         the shipped all-MiniLM-L6-v2 in torch, fp32 (the default)
``minilm-int8``    the same model exported to ONNX, the MatMul weights of attention and of the first
                   feed-forward layer quantised to int8 per channel (dynamic quantisation, ONNX
                   Runtime); the second feed-forward MatMul of each layer stays fp32; mean pooling
                   and L2 normalisation as in sentence-transformers
``static``         a Model2Vec static model distilled from the same MiniLM: a token lookup and
                   a mean, no network at all
=================  ==============================================================================

The artefacts of ``minilm-int8`` and ``static`` are built from the local model
folder on first use (nothing is downloaded) and cached content-addressed in
``<cache>/tiers/<tier>-<key>/``: the key hashes the source model's files, the
recipe, the versions of the libraries that build it and the numeric mode.  A
``MANIFEST.json`` holds the sha256 of every file; a folder whose files do not
match it is reported (warning), removed and built again.  The artefact hash
(sha256 of the manifest) is part of the embedding cache key and of the
provenance, so embeddings of different tiers or exports never mix.

Each tier is a backend with two methods, ``encode(texts, batch_size)`` and
``identity()``; :class:`discourse.models.embed.SentenceTransformerEmbedder`
caches what they return.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from ..errors import InputError

__all__ = ["TIERS", "check_tier", "int8_isa", "tier_backend"]

logger = logging.getLogger(__name__)

#: Tier names, fastest last.
TIERS = ("minilm", "minilm-int8", "static")

#: Tiers whose vectors are the same bytes on every CPU in the reproducible mode (see README).
REPRODUCIBLE_TIERS = ("minilm", "static")

_RECIPES = {
    "minilm-int8": {"format": "onnx", "opset": 17, "quantization": "dynamic int8, MatMul weights per channel (QInt8)",
                    "fp32_nodes": "feed-forward output MatMul of every layer", "pooling": "mean", "normalize": True},
    # no PCA: on 1,000 Lee sentences PCA to 256 dimensions kept 0.12 of fp32's 10 nearest neighbours, all 384 kept 0.26
    "static": {"format": "model2vec", "pca_dims": None, "sif_coefficient": 1e-4, "vocabulary": "model tokenizer"},
}


class TierBackend(Protocol):
    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...

    def identity(self) -> dict[str, Any]: ...


def check_tier(tier: Any) -> str:
    """``tier`` if it names a tier, else :class:`~discourse.errors.ParameterError`."""
    from ..errors import check_param

    check_param("embedder", tier, f"one of {', '.join(TIERS)}", isinstance(tier, str) and tier in TIERS)
    return tier


def int8_isa() -> str:
    """The instruction set of ONNX Runtime's int8 matrix kernels on this CPU (its MLAS picks by cpuid)."""
    flags: set[str] = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    if "amx_int8" in flags:
        return "AMX-INT8"
    if "avx512_vnni" in flags:
        return "AVX512-VNNI"
    if "avx_vnni" in flags:
        return "AVX-VNNI"
    if "avx512bw" in flags:
        return "AVX512BW"
    if "avx2" in flags:
        return "AVX2"
    return "SSE4" if flags else "unknown"


# --- content-addressed artefacts ---------------------------------------------------
def _versions(*names: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for n in names:
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            out[n] = "missing"
    return out


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "MANIFEST.json"}


def _valid(folder: Path) -> str | None:
    """The artefact hash of ``folder`` if its files match its manifest, else ``None`` (reported)."""
    mf = folder / "MANIFEST.json"
    try:
        recorded = json.loads(mf.read_text())["files"]
        if _manifest(folder) == recorded:
            return hashlib.sha256(json.dumps(recorded, sort_keys=True).encode()).hexdigest()
        why = "files do not match MANIFEST.json"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        why = f"unreadable manifest ({exc})"
    logger.warning("embedding tier artefact %s is corrupt (%s); it is removed and built again", folder, why)
    shutil.rmtree(folder, ignore_errors=True)
    return None


def artefact(root: Path, tier: str, source: Path, source_digest: str, build: Callable[[Path], None],
             extra: dict[str, Any]) -> tuple[Path, str]:
    """The folder and hash of the artefact of ``tier`` built from ``source``, building it if needed."""
    from ..numeric import fingerprint

    ident = {"tier": tier, "source": source_digest, "recipe": _RECIPES[tier], "numeric": fingerprint(), **extra}
    key = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]
    folder = root / f"{tier}-{key}"
    if folder.is_dir():
        digest = _valid(folder)
        if digest is not None:
            logger.debug("reusing embedding tier artefact %s", folder)
            return folder, digest
    root.mkdir(parents=True, exist_ok=True)
    logger.info("building the %s embedding artefact from %s (once; cached in %s)", tier, source, folder)
    tmp = Path(tempfile.mkdtemp(prefix=f".{tier}-", dir=root))
    try:
        build(tmp)
        files = _manifest(tmp)
        (tmp / "MANIFEST.json").write_text(json.dumps({"identity": ident, "files": files}, indent=1, sort_keys=True))
        try:
            os.replace(tmp, folder)
        except OSError:  # another process built it meanwhile
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    digest = _valid(folder)
    if digest is None:
        raise InputError(f"the {tier} embedding artefact in {str(folder)!r} could not be built; check the disk "
                         "and remove that folder")
    return folder, digest


@contextlib.contextmanager
def _offline():
    old = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = old


def _quiet_transformers():
    with contextlib.suppress(ImportError, AttributeError):
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()


# --- minilm-int8: ONNX Runtime, dynamic int8 ----------------------------------------
def _export_onnx(source: Path, out: Path):
    """MiniLM's encoder (last hidden state) exported to ``out/model_fp32.onnx``; returns that path and the tokenizer."""
    import warnings

    import torch
    from transformers import AutoModel, AutoTokenizer

    with _offline():
        _quiet_transformers()
        tok = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
        model = AutoModel.from_pretrained(str(source), local_files_only=True).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    enc = tok(["an example passage", "two"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fp32 = out / "model_fp32.onnx"
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(_Hidden(model), tuple(enc[n] for n in names), str(fp32), input_names=names,
                          output_names=["last_hidden_state"], opset_version=_RECIPES["minilm-int8"]["opset"],
                          dynamic_axes={n: {0: "batch", 1: "seq"} for n in names + ["last_hidden_state"]},
                          dynamo=False)
    return fp32, tok


def _build_int8(source: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32, tok = _export_onnx(source, out)
    root_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic advises pre-processing through the root logger
    try:
        # per-channel MatMul weights: per-tensor scales (or an int8 token-embedding table) cost 0.03 in cosine
        quantize_dynamic(str(fp32), str(out / "model_int8.onnx"), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul"], per_channel=True, nodes_to_exclude=_fp32_nodes(fp32))
    finally:
        logging.getLogger().setLevel(root_level)
    fp32.unlink()
    tok.save_pretrained(str(out / "tokenizer"))
    max_len = 256
    with contextlib.suppress(OSError, ValueError, KeyError):
        max_len = int(json.loads((source / "sentence_bert_config.json").read_text())["max_seq_length"])
    (out / "settings.json").write_text(json.dumps({"max_seq_length": max_len}))


def _fp32_nodes(path: Path) -> list[str]:
    """The MatMul nodes kept in fp32: each layer's feed-forward output (1536 -> 384).

    Its input is the GELU output, whose long positive tail makes its 8-bit
    scale coarse for the many values near zero; kept in fp32 it raised the
    10-NN recall against torch fp32 on 1,200 Lee sentences from 0.905 to
    0.931 and the mean cosine from 0.9933 to 0.9966, for about a third of the
    weight arithmetic run in fp32 (``benchmarks/bench_embed_tiers.py``).
    """
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    names = [n.name for n in graph.node if n.op_type == "MatMul" and n.name.endswith("/output/dense/MatMul")
             and "/attention/" not in n.name]
    if not names:
        logger.warning("no feed-forward output MatMul found by name in the ONNX export; all MatMul weights are "
                       "quantised (expect a lower cosine to fp32)")
    return names


class Int8Backend:
    """``minilm-int8``: the exported int8 ONNX model in ONNX Runtime, mean-pooled and L2-normalised."""

    def __init__(self, folder: Path, digest: str, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder, self.digest = folder, digest
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        if threads:
            opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(folder / "model_int8.onnx"), opts, providers=["CPUExecutionProvider"])
        self.max_len = int(json.loads((folder / "settings.json").read_text())["max_seq_length"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer" / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_len)
        self.tokenizer.no_padding()
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        # One passage per run: dynamic quantisation scales activations by the whole batch's range, so in a
        # batch a passage's vector would depend on its neighbours (up to 0.03 here); alone it is as fast.
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, enc in enumerate(self.tokenizer.encode_batch(texts)):
            ids = np.array([enc.ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                    "token_type_ids": np.array([enc.type_ids], dtype=np.int64)}
            (hidden,) = self.session.run(None, feed)
            pooled = hidden[0].mean(axis=0)
            out[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return out

    def identity(self) -> dict[str, Any]:
        import onnxruntime as ort

        return {"tier": "minilm-int8", "artefact_sha256": self.digest, "backend": f"onnxruntime {ort.__version__}",
                "isa": int8_isa()}


# --- static: Model2Vec distilled from the local MiniLM -------------------------------
def _build_static(source: Path, out: Path) -> None:
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    with _offline():
        _quiet_transformers()
        tok = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
        model = AutoModel.from_pretrained(str(source), local_files_only=True)
    recipe = _RECIPES["static"]
    static = distill_from_model(model=model, tokenizer=tok, device="cpu", pca_dims=recipe["pca_dims"],
                                sif_coefficient=recipe["sif_coefficient"])
    static.save_pretrained(str(out))


class StaticBackend:
    """``static``: a Model2Vec model (token lookup and mean), vectors L2-normalised."""

    def __init__(self, folder: Path, digest: str) -> None:
        from model2vec import StaticModel

        self.folder, self.digest = folder, digest
        self.model = StaticModel.from_pretrained(str(folder))

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        emb = np.asarray(self.model.encode(texts, batch_size=max(batch_size, 1024), show_progress_bar=False,
                                           use_multiprocessing=False), dtype=np.float32)
        emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        return emb

    def identity(self) -> dict[str, Any]:
        import model2vec

        return {"tier": "static", "artefact_sha256": self.digest, "backend": f"model2vec {model2vec.__version__}",
                "isa": "numpy lookup and mean (numeric mode's numpy kernels)"}


def _require(tier: str, module: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise InputError(f"embedder={tier!r} needs the package {module}: pip install 'discourse[tiers]'")


def tier_backend(tier: str, source: Path, source_digest: str, root: Path) -> TierBackend:
    """The backend of ``tier`` (not ``minilm``) built from the local model folder ``source``."""
    from ..numeric import in_effect

    if tier == "minilm-int8":
        if in_effect():
            raise InputError("embedder='minilm-int8' is refused in the reproducible mode: ONNX Runtime picks its "
                             "int8 kernels (AVX-512 VNNI, AVX-VNNI, AVX2) from the CPU with no setting to pin them; "
                             "use 'minilm' or 'static'")
        _require(tier, "onnxruntime")
        folder, digest = artefact(root, tier, source, source_digest, lambda out: _build_int8(source, out),
                                  _versions("torch", "onnx", "onnxruntime", "transformers"))
        return Int8Backend(folder, digest)
    if tier == "static":
        _require(tier, "model2vec")
        folder, digest = artefact(root, tier, source, source_digest, lambda out: _build_static(source, out),
                                  _versions("model2vec", "torch", "transformers", "scikit-learn"))
        return StaticBackend(folder, digest)
    raise InputError(f"embedder {tier!r} has no separate backend; use one of {', '.join(TIERS[1:])}")
