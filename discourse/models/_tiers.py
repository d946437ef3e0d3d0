"""Embedding tiers: one MiniLM, three ways to run it on a CPU.

=================  ==============================================================================
tier               what embeds
=================  ==============================================================================
``minilm``         the shipped all-MiniLM-L6-v2 in torch, fp32 (the default)
``minilm-int8``    the same model in OpenVINO with the linear layers and the attention scores
                   (QK^T) in int8: static quantisation (NNCF) whose activation scales are
                   calibrated once on local text (gensim's test texts); LayerNorm, softmax, GELU
                   and the softmax-weighted sum of values in fp32 (NNCF's transformer rule);
                   attention exported in its plain (eager) form, which OpenVINO fuses into one
                   kernel per layer; mean pooling and L2 normalisation as in sentence-transformers
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
import io
import itertools
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from ..errors import InputError

__all__ = ["TIERS", "check_tier", "corpus_vocabulary", "int8_isa", "tier_backend"]

logger = logging.getLogger(__name__)

#: Tier names, fastest last.
TIERS = ("minilm", "minilm-int8", "static")

#: Tiers whose vectors are the same bytes on every CPU in the reproducible mode (see README).
REPRODUCIBLE_TIERS = ("minilm", "static")

_RECIPES = {
    "minilm-int8": {"format": "openvino IR from a torch ONNX export", "opset": 17,
                    "attention": "eager",
                    "quantization": "static int8, NNCF model_type transformer (SmoothQuant, fast bias correction)",
                    "calibration": "gensim lee.cor sentences and articles, pang_lee_polarity.cor lines",
                    "precision_hint": "f32", "pad_to": 8, "pooling": "mean", "normalize": True},
    # no PCA: on 1,000 Lee sentences PCA to 256 dimensions kept 0.12 of fp32's 10 nearest neighbours, all 384 kept 0.26
    "static": {"format": "model2vec", "pca_dims": None, "sif_coefficient": 1e-4, "vocabulary": "model tokenizer",
               "padding": "off", "model_card": "left out"},
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
    """The best int8 instruction set of this CPU by its cpuid flags (what oneDNN in OpenVINO picks unless capped)."""
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


# --- minilm-int8: OpenVINO, static int8 calibrated on local text ---------------------
@contextlib.contextmanager
def _no_telemetry():
    """Import and run OpenVINO and NNCF with their usage telemetry declined, for this process.

    ``import openvino`` and NNCF's quantisation send usage events to an
    analytics host unless the consent file written by ``opt_in_out --opt_out``
    (``~/intel/openvino_telemetry``) says no.  Rather than write into the
    user's home, ``CI`` (which openvino-telemetry reads as an unattended run,
    where OpenVINO and NNCF ask it to send nothing: ``disable_in_ci``) and
    NNCF's own ``NNCF_CI`` are set while they first load: the consent decided
    then holds for the process.  The variables are restored afterwards.
    """
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


def _calibration_texts() -> list[str]:
    """Local passages for the int8 calibration: gensim's test texts (never the quality benchmark's).

    The sentences and whole articles of ``lee.cor`` (Lee, Pincombe & Welsh
    2005; 50 news articles, none of them in ``lee_background.cor``, on which
    the tier is measured) and the 200 short film-review lines of
    ``pang_lee_polarity.cor`` (Pang & Lee 2005): short and long inputs, two
    registers.
    """
    import gensim

    from ..passages import sentence_spans

    data = Path(gensim.__file__).parent / "test" / "test_data"
    try:
        docs = (data / "lee.cor").read_text(encoding="latin-1").splitlines()
        reviews = (data / "pang_lee_polarity.cor").read_text(encoding="latin-1").splitlines()
    except OSError as exc:
        raise InputError(f"the int8 calibration texts of gensim are missing ({exc}); reinstall gensim") from None
    texts = [d[a:b].strip() for d in docs for a, b in sentence_spans(d)] + docs
    texts += [line.split(" ", 1)[-1] for line in reviews]
    return [t for t in texts if len(t.split()) >= 3]


_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _export_onnx(source: Path, out: Path):
    """Export the local MiniLM's encoder (last hidden state) to ONNX in ``out``; returns (path, tokenizer)."""
    import warnings

    import torch
    from transformers import AutoModel, AutoTokenizer

    with _offline():
        _quiet_transformers()
        tok = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
        # eager attention exports as plain MatMul, Add and Softmax, which OpenVINO's CPU plugin fuses into one
        # subgraph per layer; the SDPA export adds mask IsNaN/Select nodes that it runs one by one (with Add
        # and Softmax, 0.48 of 1.74 s of kernel time on 150 Lee articles: benchmarks/int8_profile.py)
        model = AutoModel.from_pretrained(str(source), local_files_only=True, attn_implementation="eager").eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    enc = tok(["an example passage", "two"], padding=True, return_tensors="pt")
    fp32 = out / "model_fp32.onnx"
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(_Hidden(model), tuple(enc[n] for n in _INPUTS), str(fp32), input_names=list(_INPUTS),
                          output_names=["last_hidden_state"], opset_version=_RECIPES["minilm-int8"]["opset"],
                          dynamic_axes={n: {0: "batch", 1: "seq"} for n in _INPUTS + ("last_hidden_state",)},
                          dynamo=False)
    return fp32, tok


def _build_int8(source: Path, out: Path) -> None:
    fp32, tok = _export_onnx(source, out)
    max_len = 256
    with contextlib.suppress(OSError, ValueError, KeyError):
        max_len = int(json.loads((source / "sentence_bert_config.json").read_text())["max_seq_length"])

    def item(text: str) -> dict[str, np.ndarray]:
        enc = tok(text, truncation=True, max_length=max_len, return_tensors="np")
        return {n: enc[n].astype(np.int64) for n in _INPUTS}

    with _no_telemetry():
        import nncf
        import openvino as ov

        texts = _calibration_texts()
        logger.info("calibrating the int8 scales on %d local passages (about a minute)", len(texts))
        nncf_logger = logging.getLogger("nncf")
        level = nncf_logger.level
        nncf_logger.setLevel(logging.WARNING)  # NNCF reports each statistics pass at INFO
        try:
            # model_type TRANSFORMER: attention and feed-forward MatMuls in int8, SmoothQuant on their inputs,
            # LayerNorm, softmax and GELU in fp32; scales from the calibration texts, fixed thereafter
            with contextlib.redirect_stdout(io.StringIO()):  # NNCF draws its own progress bars on stdout
                quantised = nncf.quantize(ov.Core().read_model(str(fp32)), nncf.Dataset(texts, item),
                                          model_type=nncf.ModelType.TRANSFORMER, subset_size=len(texts))
        finally:
            nncf_logger.setLevel(level)
        ov.save_model(quantised, str(out / "model_int8.xml"), compress_to_fp16=False)  # fp32 parts stay fp32
    fp32.unlink()
    tok.save_pretrained(str(out / "tokenizer"))
    (out / "settings.json").write_text(json.dumps({"max_seq_length": max_len, "calibration_texts": len(texts)}))


class Int8Backend:
    """``minilm-int8``: the int8 OpenVINO model of MiniLM, mean-pooled and L2-normalised.

    Passages are grouped by their token count rounded up to a multiple of
    ``PAD_TO`` and run in batches of one padded length (at most
    ``TOKENS_PER_CALL`` tokens a call).  A passage's vector then depends on
    its own text only: padding it to another length changes its fp32 sums
    (softmax, LayerNorm) in the last bits, which an int8 rounding downstream
    can turn into 0.006 (1 of 2,590 Lee sentences,
    ``benchmarks/bench_int8_batching.py``), but its padded length is its own
    and rows of one length do not interact.
    """

    PAD_TO = 8
    TOKENS_PER_CALL = 2048  # 8 passages of 256 tokens; larger calls ran slower here (cache-bound)

    def __init__(self, folder: Path, digest: str) -> None:
        from tokenizers import Tokenizer

        self.folder, self.digest = folder, digest
        with _no_telemetry():
            import openvino as ov

            # f32: without the hint the fp32 parts run in bf16 on CPUs that have it
            config = {"INFERENCE_PRECISION_HINT": "f32"}
            threads = os.environ.get("OMP_NUM_THREADS", "")
            if threads.isdigit() and int(threads) > 0:  # a thread budget (a Dask worker's, say) binds OpenVINO too
                config["INFERENCE_NUM_THREADS"] = int(threads)
            self.compiled = ov.Core().compile_model(str(folder / "model_int8.xml"), "CPU", config)
        self.version = _versions("openvino")["openvino"]
        self.request = self.compiled.create_infer_request()
        self.max_len = int(json.loads((folder / "settings.json").read_text())["max_seq_length"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer" / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_len)
        self.tokenizer.no_padding()
        self.dim = int(self.compiled.output(0).get_partial_shape()[-1].get_length())
        self.encode(["a warm-up passage"], 1)  # the kernels are chosen on the first run; identity names them
        self.kernels = _kernels(self.compiled)

    def _run(self, encs: list, length: int) -> np.ndarray:
        ids = np.zeros((len(encs), length), dtype=np.int64)
        mask, types = np.zeros_like(ids), np.zeros_like(ids)
        for row, enc in enumerate(encs):
            n = len(enc.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = enc.ids, 1, enc.type_ids
        hidden = self.request.infer({"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        encs = self.tokenizer.encode_batch(texts)
        groups: dict[int, list[int]] = {}
        for row, enc in enumerate(encs):
            length = min(-(-max(len(enc.ids), 1) // self.PAD_TO) * self.PAD_TO, self.max_len)
            groups.setdefault(length, []).append(row)
        for length, rows in sorted(groups.items()):
            step = max(1, min(batch_size, self.TOKENS_PER_CALL // length))
            for start in range(0, len(rows), step):
                chunk = rows[start:start + step]
                out[chunk] = self._run([encs[r] for r in chunk], length)
        return out

    def identity(self) -> dict[str, Any]:
        return {"tier": "minilm-int8", "artefact_sha256": self.digest, "backend": f"openvino {self.version}",
                "isa": self.kernels}


def _kernels(compiled: Any) -> str:
    """The kernels OpenVINO's CPU plugin chose for the int8 matrix products (e.g. ``brgemm_avx512_I8``)."""
    found = set()
    for op in compiled.get_runtime_model().get_ops():
        info = op.get_rt_info()
        with contextlib.suppress(KeyError, RuntimeError, AttributeError):
            if info["layerType"].astype(str) in ("FullyConnected", "MatMul"):
                found.add(info["primitiveType"].astype(str))
    return ", ".join(sorted(found)) or "unknown"


# --- static: Model2Vec distilled from the local MiniLM -------------------------------
#: A corpus word joins the vocabulary ``static`` is distilled on from this many occurrences.
VOCABULARY_MIN_COUNT = 2


def corpus_vocabulary(tokens: Any, min_count: int = VOCABULARY_MIN_COUNT) -> list[str]:
    """The words of a corpus to distil ``static`` on: single-word tokens seen ``min_count`` times or more, sorted.

    Learnt phrases (``a_b``) are left out: they never occur in the texts
    embedded.  Model2Vec adds the words its tokenizer lacks as tokens of their
    own, each embedded by MiniLM as a word of its own.
    """
    from collections import Counter

    counts = Counter(t for doc in tokens for t in doc if "_" not in t)
    return sorted(w for w, c in counts.items() if c >= min_count)


def _build_static(source: Path, out: Path, vocabulary: list[str] | None = None) -> None:
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    with _offline():
        _quiet_transformers()
        tok = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
        model = AutoModel.from_pretrained(str(source), local_files_only=True)
    recipe = _RECIPES["static"]
    if vocabulary is not None:  # only the words the tokenizer lacks (Model2Vec warns of each other one)
        known = tok.get_vocab()
        vocabulary = [w for w in vocabulary if w not in known]
    static = distill_from_model(model=model, tokenizer=tok, vocabulary=vocabulary, device="cpu",
                                pca_dims=recipe["pca_dims"], sif_coefficient=recipe["sif_coefficient"])
    # the source tokenizer pads every text to 128 tokens (sentence-transformers' tokenizer.json) and Model2Vec 0.8
    # keeps that: its encode (and ours) would average the [PAD] row into every vector (fixed upstream, model2vec #376)
    static.tokenizer.no_padding()
    static.save_pretrained(str(out))
    (out / "README.md").unlink(missing_ok=True)  # a model card naming the temporary build folder: not reproducible


class StaticBackend:
    """``static``: a Model2Vec model (token lookup and weighted mean), vectors L2-normalised.

    :meth:`encode` computes what ``StaticModel.encode`` computes, the same
    bytes, as one sparse product per chunk of texts instead of a Python loop
    over texts: each text's token rows of the weighted table
    (``embedding * weights``, float64) are summed in token order by a CSR
    matrix of ones whose entries keep that order (scipy adds them one after
    another, as numpy's mean over the token axis does), then divided by the
    token count.  A model without weights goes through ``StaticModel.encode``.
    """

    _CHUNK = 4096

    def __init__(self, folder: Path, digest: str, extra_words: int = 0) -> None:
        from model2vec import StaticModel

        self.folder, self.digest, self.extra_words = folder, digest, extra_words
        self.model = StaticModel.from_pretrained(str(folder))
        m = self.model
        if m.weights is None:
            self._table = None
        else:
            rows = m.embedding if m.token_mapping is None else m.embedding[m.token_mapping]
            self._table = rows * m.weights[:, None]  # float16 rows times float64 weights, as model2vec does

    def _mean_vectors(self, texts: list[str]) -> np.ndarray:
        from scipy import sparse

        ids = self.model.tokenize(texts, max_length=512)  # StaticModel.encode's default truncation
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        indptr = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=int(indptr[-1]))
        onehot = sparse.csr_matrix((np.ones(flat.size), flat, indptr), shape=(len(ids), self._table.shape[0]))
        means = (onehot @ self._table) / np.maximum(lengths, 1)[:, None]
        return means / (np.linalg.norm(means, axis=1, keepdims=True) + 1e-32)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if self._table is None:
            emb = np.asarray(self.model.encode(texts, batch_size=max(batch_size, 1024), show_progress_bar=False,
                                               use_multiprocessing=False), dtype=np.float32)
        else:
            parts = [self._mean_vectors(texts[i:i + self._CHUNK]) for i in range(0, len(texts), self._CHUNK)]
            emb = np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, self._table.shape[1]), np.float32)
        emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        return emb

    def identity(self) -> dict[str, Any]:
        import model2vec

        out = {"tier": "static", "artefact_sha256": self.digest, "backend": f"model2vec {model2vec.__version__}",
               "isa": "numpy lookup and mean (numeric mode's numpy kernels)"}
        if self.extra_words:
            out["vocabulary"] = f"the tokenizer's, with {self.extra_words} corpus words added where it lacks them"
        return out


def _require(tier: str, module: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise InputError(f"embedder={tier!r} needs the package {module}: pip install 'discourse[tiers]'")


def tier_backend(tier: str, source: Path, source_digest: str, root: Path,
                 vocabulary: list[str] | None = None) -> TierBackend:
    """The backend of ``tier`` (not ``minilm``) built from the local model folder ``source``.

    ``vocabulary`` (``static`` only): words distilled besides the tokenizer's
    (:func:`corpus_vocabulary`); their sha256 is part of the artefact's key.
    """
    from ..numeric import in_effect

    if vocabulary is not None and tier != "static":
        raise InputError(f"a distillation vocabulary applies to embedder='static' only, not {tier!r}")
    if tier == "minilm-int8":
        if in_effect():
            raise InputError("embedder='minilm-int8' is refused in the reproducible mode: OpenVINO picks its int8 "
                             "kernels (AMX, AVX-512 VNNI, AVX2) from the CPU, and their sameness across CPUs is "
                             "unchecked; use 'minilm' or 'static'")
        _require(tier, "openvino")

        def build(out: Path) -> None:
            _require(tier, "nncf")
            _build_int8(source, out)

        folder, digest = artefact(root, tier, source, source_digest, build,
                                  _versions("torch", "onnx", "openvino", "nncf", "transformers"))
        return Int8Backend(folder, digest)
    if tier == "static":
        _require(tier, "model2vec")
        extra: dict[str, Any] = _versions("model2vec", "torch", "transformers", "scikit-learn")
        if vocabulary is not None:
            extra["vocabulary_sha256"] = hashlib.sha256(json.dumps(list(vocabulary)).encode()).hexdigest()
        folder, digest = artefact(root, tier, source, source_digest,
                                  lambda out: _build_static(source, out, vocabulary), extra)
        return StaticBackend(folder, digest, len(vocabulary or ()))
    raise InputError(f"embedder {tier!r} has no separate backend; use one of {', '.join(TIERS[1:])}")
