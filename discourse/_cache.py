"""Checksums for cache entries: a corrupt entry is detected, reported and rebuilt, never trusted.

A cache entry is a folder (a saved model, a saved analysis).  :func:`seal`
records the size and sha256 of every file in it in ``.discourse-sha256.json``;
:func:`verify` checks them all before the entry is used and raises
:class:`~discourse.errors.CacheError` naming the first file that is missing,
truncated, changed or unexpected.  An entry without the record is not
trusted either (it may be the leftover of a run killed between writing and
sealing).  :func:`load_entry` puts the three steps together: verify, load,
and on any problem log a warning, remove the entry and return ``None`` so
that the caller rebuilds it.

Typical use in a cache (``fit_cached``)::

    model = load_entry(path, LDA.load, what="fitted lda model")
    if model is None:
        model = LDA(...).fit(prepared)
        model.save(path)
        seal(path)

Examples
--------
>>> import tempfile, pathlib
>>> entry = pathlib.Path(tempfile.mkdtemp()) / "entry"
>>> entry.mkdir()
>>> _ = (entry / "a.npy").write_bytes(b"0123456789")
>>> _ = seal(entry)
>>> verify(entry)
>>> _ = (entry / "a.npy").write_bytes(b"0123456780")
>>> try:
...     verify(entry)
... except CacheError as exc:
...     print(str(exc).split(": ", 1)[1])
a.npy does not match its checksum (changed or corrupt); the entry will be rebuilt
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Callable, TypeVar

from ._io import atomic_write_text, sha256_file
from .errors import CacheError

__all__ = ["CHECKSUM_FILE", "seal", "verify", "is_valid", "load_entry", "remove_entry"]

logger = logging.getLogger(__name__)

#: The record of sizes and sha256 checksums written inside a sealed entry.
CHECKSUM_FILE = ".discourse-sha256.json"
_FORMAT = "discourse-cache-checksums/1"

T = TypeVar("T")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != CHECKSUM_FILE)


def seal(folder: str | os.PathLike) -> Path:
    """Record the size and sha256 of every file of ``folder`` (written atomically inside it).

    Parameters
    ----------
    folder : path
        A complete cache entry.

    Returns
    -------
    pathlib.Path
        The checksum record.
    """
    folder = Path(folder)
    files = {p.relative_to(folder).as_posix(): {"size": p.stat().st_size, "sha256": sha256_file(p)} for p in _files(folder)}
    record = {"format": _FORMAT, "files": files}
    return atomic_write_text(folder / CHECKSUM_FILE, json.dumps(record, indent=1, sort_keys=True) + "\n")


def verify(folder: str | os.PathLike) -> None:
    """Check every file of a sealed entry against its record.

    Raises
    ------
    CacheError
        One line naming the entry and the first problem: no record (never
        sealed, or interrupted), a file missing, truncated, changed, or a file
        that was not there when it was sealed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CacheError(f"{folder}: cache entry is missing")
    rec_path = folder / CHECKSUM_FILE
    try:
        record = json.loads(rec_path.read_text(encoding="utf-8"))
        files = record["files"]
        if record.get("format") != _FORMAT or not isinstance(files, dict):
            raise ValueError("unknown format")
    except FileNotFoundError:
        raise CacheError(f"{folder}: cache entry has no checksums (incomplete or written by an older version); it will be rebuilt") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CacheError(f"{folder}: checksum record {CHECKSUM_FILE} is unreadable ({exc}); the entry will be rebuilt") from None
    for rel, info in sorted(files.items()):
        p = folder / rel
        try:
            size = p.stat().st_size
        except OSError:
            raise CacheError(f"{folder}: {rel} is missing; the entry will be rebuilt") from None
        if size != info.get("size"):
            raise CacheError(f"{folder}: {rel} has {size} bytes, expected {info.get('size')} (truncated or padded); the entry will be rebuilt")
        if sha256_file(p) != info.get("sha256"):
            raise CacheError(f"{folder}: {rel} does not match its checksum (changed or corrupt); the entry will be rebuilt")
    extra = [p.relative_to(folder).as_posix() for p in _files(folder) if p.relative_to(folder).as_posix() not in files]
    if extra:
        raise CacheError(f"{folder}: unexpected file {extra[0]} in the entry; the entry will be rebuilt")


def is_valid(folder: str | os.PathLike) -> bool:
    """True if ``folder`` is a sealed entry whose files all match (no warning)."""
    try:
        verify(folder)
    except CacheError:
        return False
    return True


def load_entry(folder: str | os.PathLike, loader: Callable[[Path], T], *, what: str = "cache entry") -> T | None:
    """Verify a cache entry and load it; ``None`` (after a warning) if it is absent, corrupt or unloadable.

    Parameters
    ----------
    folder : path
        The entry.
    loader : callable
        Called with the folder once it has been verified (e.g. ``LDA.load``).
    what : str
        How the entry is named in the warning ("fitted lda model").

    Returns
    -------
    The loaded object, or ``None``: the entry did not exist, or it failed
    verification or loading, in which case a warning is logged naming the
    entry and the problem, and the entry is removed so that it is rebuilt.
    """
    folder = Path(folder)
    if not folder.exists():
        return None
    try:
        verify(folder)
        return loader(folder)
    except Exception as exc:  # noqa: BLE001 - any failure: report, drop, rebuild
        reason = " ".join(str(exc).split()) or type(exc).__name__
        logger.warning("cached %s at %s is not usable (%s); it is rebuilt", what, folder, reason)
        remove_entry(folder)
        return None


def remove_entry(folder: str | os.PathLike) -> None:
    """Remove a cache entry (errors ignored: a later write replaces it anyway)."""
    shutil.rmtree(folder, ignore_errors=True)
