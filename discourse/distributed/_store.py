"""A columnar store on disk (Parquet) for per-partition intermediate results.

Tokens, passages and embeddings computed on the workers are written here, one
Parquet file per partition and kind, under a key that is the sha256 of the
partition's *content* and of everything that changes the result (cleaning
and tokenising parameters, model name, package versions).  A later run that
meets the same partition content with the same parameters reads the file
instead of recomputing it, whatever the partition's position or the number
of workers.

Writes are atomic (temporary sibling, then :func:`os.replace`), so a worker
killed mid-write leaves either the previous file or none, never a torn one;
two workers that compute the same partition (a retried task) write identical
content and the last rename wins.  A file that cannot be read back is
reported and recomputed, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..errors import CacheError

__all__ = ["ParquetStore", "content_key", "embeddings_to_table", "table_to_embeddings"]

logger = logging.getLogger(__name__)


def content_key(*parts: Any) -> str:
    """sha256 (hex) of ``parts`` serialised as canonical JSON.

    Examples
    --------
    >>> content_key("tokens", {"a": 1}) == content_key("tokens", {"a": 1})
    True
    >>> content_key("tokens", {"a": 1}) == content_key("tokens", {"a": 2})
    False
    """
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


class ParquetStore:
    """Parquet files keyed by kind and content key, under one root folder.

    Parameters
    ----------
    root : str or Path
        The store's folder; it must be reachable by every worker under the
        same path (a local disk for a local cluster, a shared file system for
        a cluster of machines).

    Examples
    --------
    >>> import tempfile
    >>> store = ParquetStore(tempfile.mkdtemp())
    >>> key = content_key("demo", 1)
    >>> _ = store.write("tokens", key, pd.DataFrame({"x": [1, 2]}))
    >>> store.has("tokens", key), store.read("tokens", key)["x"].tolist()
    (True, [1, 2])
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"ParquetStore({str(self.root)!r})"

    def __reduce__(self):
        return (ParquetStore, (str(self.root),))

    def path(self, kind: str, key: str) -> Path:
        """Where the ``kind`` file of ``key`` lives (two-level fan-out by key)."""
        return self.root / kind / key[:2] / f"{key}.parquet"

    def has(self, kind: str, key: str) -> bool:
        """True if a file exists for ``(kind, key)`` (it may still be corrupt)."""
        return self.path(kind, key).is_file()

    def write(self, kind: str, key: str, frame: pd.DataFrame | Any) -> Path:
        """Write a DataFrame (or a pyarrow Table) atomically; returns its path."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            pq.write_table(table, tmp, compression="zstd")
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return path

    def read_table(self, kind: str, key: str, columns: Iterable[str] | None = None):
        """The pyarrow Table of ``(kind, key)``.

        Raises
        ------
        CacheError
            If the file is missing or unreadable (the caller recomputes it).
        """
        import pyarrow.parquet as pq

        path = self.path(kind, key)
        try:
            return pq.read_table(path, columns=list(columns) if columns is not None else None)
        except FileNotFoundError:
            raise CacheError(f"{path}: not in the store") from None
        except Exception as exc:  # noqa: BLE001 - any decoding failure means a corrupt entry
            raise CacheError(f"{path}: unreadable store entry ({type(exc).__name__}: {exc}); it will be rebuilt") from None

    def read(self, kind: str, key: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """The DataFrame of ``(kind, key)`` (see :meth:`read_table`)."""
        return self.read_table(kind, key, columns).to_pandas()

    def try_read(self, kind: str, key: str, columns: Iterable[str] | None = None) -> pd.DataFrame | None:
        """:meth:`read`, or ``None`` (with a logged warning when corrupt) if absent."""
        if not self.has(kind, key):
            return None
        try:
            return self.read(kind, key, columns)
        except CacheError as exc:
            logger.warning("%s", exc)
            with contextlib.suppress(OSError):
                self.path(kind, key).unlink()
            return None


def embeddings_to_table(ids: list[str], vectors: np.ndarray, *, id_col: str = "passage_id"):
    """A pyarrow Table with an id column and a fixed-size float32 list column ``embedding``.

    The float32 values round-trip bit for bit (:func:`table_to_embeddings`).
    """
    import pyarrow as pa

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape if vectors.ndim == 2 else (0, 0)
    flat = pa.array(vectors.reshape(-1), type=pa.float32())
    emb = pa.FixedSizeListArray.from_arrays(flat, dim) if n else pa.array([], type=pa.list_(pa.float32(), max(dim, 1)))
    return pa.table({id_col: pa.array(ids, type=pa.string()), "embedding": emb})


def table_to_embeddings(table, *, id_col: str = "passage_id") -> tuple[list[str], np.ndarray]:
    """Inverse of :func:`embeddings_to_table`: ``(ids, float32 array (n, dim))``."""
    ids = table.column(id_col).to_pylist()
    col = table.column("embedding").combine_chunks()
    dim = col.type.list_size
    values = col.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    return ids, values.reshape(len(ids), dim) if len(ids) else np.zeros((0, dim), np.float32)

