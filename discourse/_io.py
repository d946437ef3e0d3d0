"""Safe file output: atomic writes, safe names and content hashes.

Nothing :mod:`discourse` writes is ever half-written: files are written to a
temporary sibling and moved into place with :func:`os.replace`, and whole
output folders are built in a temporary sibling folder and swapped in only
when complete (:func:`atomic_dir`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterator

from .errors import InputError

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_dir",
    "safe_name",
    "sha256_bytes",
    "sha256_file",
    "check_writable_dir",
]


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike, *, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks (bounded memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _tmp_sibling(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary sibling, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_sibling(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, with ``\\n`` line ends."""
    return atomic_write_bytes(path, text.encode(encoding))


def check_writable_dir(path: str | os.PathLike, *, what: str = "output directory") -> Path:
    """Create ``path`` if needed and check that files can be written in it.

    Raises
    ------
    InputError
        If the folder cannot be created or written, naming it.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = _tmp_sibling(path / ".probe")
        probe.unlink()
    except OSError as exc:
        raise InputError(
            f"{what} {str(path)!r} is not writable ({exc.strerror or exc}); choose another folder with --out"
        ) from None
    return path


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Build a folder's contents in a temporary sibling and swap it in on success.

    If the block raises (or the process is killed) the previous contents of
    ``path`` stay exactly as they were and the temporary folder is removed
    (or, after a kill, left as a hidden ``.name.*.partial`` sibling that the
    next run removes).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with atomic_dir(d) as tmp:
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    path = Path(path)
    parent = check_writable_dir(path.parent, what="parent of the output directory")
    for stale in parent.glob(f".{path.name}.*.partial"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=parent))
        os.rmdir(old)
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str, *, max_len: int = 120) -> str:
    """Turn an arbitrary document id into a file name that stays in its folder.

    Path separators, ``..``, absolute paths and odd characters cannot escape
    the output folder; a short hash keeps different ids distinct.

    Examples
    --------
    >>> safe_name("000_99d5bfdb740dc271")
    '000_99d5bfdb740dc271'
    >>> safe_name("../../etc/passwd").startswith("etc_passwd-")
    True
    """
    norm = unicodedata.normalize("NFKC", str(name))
    clean = _UNSAFE.sub("_", norm).strip("._-")[:max_len]
    if clean == norm and clean not in ("", ".", ".."):
        return clean
    digest = hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{clean or 'doc'}-{digest}"
