"""Safe file output: atomic writes, safe names and content hashes.

Nothing :mod:`discourse` writes is ever half-written: files are written to a
temporary sibling and moved into place with :func:`os.replace`, and whole
output folders are built in a temporary sibling folder and swapped in only
when complete (:func:`atomic_dir`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import glob
import hashlib
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_dir",
    "safe_name",
    "sha256_bytes",
    "sha256_file",
    "check_writable_dir",
    "check_replaceable_dir",
]

logger = logging.getLogger(__name__)

#: Set by the command line's SIGINT handler: an interrupt was asked for in this run.
_INTERRUPT = {"requested": False}


def note_interrupt() -> None:
    """Record that the user interrupted the run (called from the CLI's SIGINT handler)."""
    _INTERRUPT["requested"] = True


def clear_interrupt() -> None:
    _INTERRUPT["requested"] = False


def raise_if_interrupted() -> None:
    """Raise ``KeyboardInterrupt`` if an interrupt was recorded, even one some library swallowed.

    Called just before an output folder is swapped into place, so that a
    Ctrl-C never lets a run publish its results, whatever code it landed in.
    """
    if _INTERRUPT["requested"]:
        raise KeyboardInterrupt


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


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _tmp_sibling(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # the permissions of an ordinary new file, not mkstemp's 0600
    except (OSError, AttributeError):
        pass
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


def _blocking_file(path: Path) -> Path | None:
    """The first ancestor of ``path`` (or ``path`` itself) that exists but is not a folder."""
    for p in [*reversed(path.parents), path]:
        if p.exists() and not p.is_dir():
            return p
    return None


def check_writable_dir(path: str | os.PathLike, *, what: str = "output directory", option: str | None = None) -> Path:
    """Create ``path`` if needed and check that files can be written in it.

    Parameters
    ----------
    path : path
        The folder.
    what : str
        How the folder is named in the message (``"output directory"``).
    option : str, optional
        The command-line option that sets it (``"--out"``), named in the message.

    Raises
    ------
    InputError
        If the folder cannot be created or written: one line naming it, the
        reason (for instance a file standing where a folder is needed) and
        what to do.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "file.txt"
    >>> _ = f.write_text("x")
    >>> try:
    ...     check_writable_dir(f / "out", option="--out")
    ... except InputError as exc:
    ...     print(str(exc).split("' cannot be used: ")[1].split("' ")[1])
    is a file, not a folder; choose another folder with --out
    """
    path = Path(path)
    hint = f"choose another folder with {option}" if option else "choose another folder"
    blocker = _blocking_file(path)
    if blocker is not None:
        raise InputError(f"{what} {str(path)!r} cannot be used: {str(blocker)!r} is a file, not a folder; {hint}")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = _tmp_sibling(path / ".probe")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"{what} {str(path)!r} is not writable ({exc.strerror or exc}); {hint}") from None
    return path


#: Files that mark a folder as written by discourse (safe to replace as a whole).
OUTPUT_MARKERS = ("manifest.json",)


def check_replaceable_dir(path: str | os.PathLike, *, what: str = "output directory", option: str | None = None,
                          markers: Iterable[str] = OUTPUT_MARKERS, known: Iterable[str] = ()) -> Path:
    """Check that ``path`` may be replaced as a whole by :func:`atomic_dir`.

    A folder is replaceable when it does not exist yet, is empty, holds one
    of the ``markers`` (``manifest.json``: an earlier discourse output) or
    only ``known`` names.  Anything else may be a folder of the user's own
    files, which replacing would delete: refused.

    Raises
    ------
    InputError
        If ``path`` is a file, or a non-empty folder that discourse did not write.
    """
    path = Path(path)
    hint = f"choose a new or empty folder with {option}" if option else "choose a new or empty folder"
    blocker = _blocking_file(path)
    if blocker is not None:
        raise InputError(f"{what} {str(path)!r} cannot be used: {str(blocker)!r} is a file, not a folder; {hint}")
    if not path.is_dir():
        return path
    try:
        names = sorted(p.name for p in path.iterdir())
    except OSError as exc:
        raise InputError(f"{what} {str(path)!r} cannot be read ({exc.strerror or exc}); {hint}") from None
    markers, known = set(markers), set(known)
    if not names or markers & set(names) or (known and set(names) <= known):
        return path
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    raise InputError(
        f"{what} {str(path)!r} already holds files discourse did not write ({shown}) and would be replaced as a "
        f"whole; {hint}"
    )


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _owner_pid(stale: Path, prefix: str) -> int | None:
    """The process id in a ``.name.<pid>.<random>.partial|old`` folder name (None if absent)."""
    middle = stale.name[len(prefix):].split(".")
    try:
        return int(middle[0])
    except (ValueError, IndexError):
        return None


def _cleanup_stale(path: Path) -> None:
    """Remove what interrupted runs left beside ``path``; bring back a previous folder lost mid-swap."""
    parent, prefix = path.parent, f".{path.name}."
    pattern = glob.escape(str(parent / prefix))
    leftovers = []
    for suffix in (".partial", ".old"):
        for stale in sorted(glob.glob(pattern + "*" + suffix)):
            stale = Path(stale)
            pid = _owner_pid(stale, prefix)
            if pid is None or not _pid_alive(pid):
                leftovers.append(stale)
    olds = [p for p in leftovers if p.name.endswith(".old")]
    if olds and not os.path.lexists(path):
        # killed between moving the previous folder aside and moving the new one in: restore it
        back = max(olds, key=lambda p: p.stat().st_mtime)
        os.replace(back, path)
        logger.warning("%s was missing after an interrupted run; the previous contents were restored from %s", path, back.name)
        leftovers.remove(back)
    for stale in leftovers:
        logger.info("removing %s left by an interrupted run", stale)
        shutil.rmtree(stale, ignore_errors=True)


def _new_sibling_dir(path: Path, suffix: str, *, create: bool = True) -> Path:
    """``.name.<pid>.<random><suffix>`` beside ``path``; created with the default permissions (umask)."""
    while True:
        cand = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{suffix}"
        if not create:
            if not os.path.lexists(cand):
                return cand
            continue
        try:
            cand.mkdir()
        except FileExistsError:
            continue
        return cand


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Build a folder's contents in a temporary sibling and swap it in on success.

    If the block raises (or the process is killed) the previous contents of
    ``path`` stay exactly as they were and the temporary folder is removed
    (or, after a kill, left as a hidden ``.name.<pid>.<random>.partial``
    sibling that the next run removes once that process is gone).  On Linux
    the old and new folders are exchanged in one atomic step
    (``renameat2(RENAME_EXCHANGE)``), so there is no moment at which
    ``path`` is missing; elsewhere the previous folder is moved aside first
    and, should the run be killed just then, restored by the next run.

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
    check_writable_dir(path.parent, what="parent of the output directory")
    _cleanup_stale(path)
    if os.path.lexists(path) and not path.is_dir():
        raise InputError(f"{str(path)!r} is a file, not a folder; remove it or choose another output folder")
    tmp = _new_sibling_dir(path, ".partial")
    try:
        yield tmp
        raise_if_interrupted()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if path.is_dir() and _exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)  # now holds the previous contents
        return
    old = None
    if os.path.lexists(path):
        old = _new_sibling_dir(path, ".old", create=False)
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Names Windows reserves for devices (with any extension), refused as file stems.
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CLOCK$", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def safe_name(name: str, *, max_len: int = 120) -> str:
    """Turn an arbitrary document id into a file name that stays in its folder.

    Path separators, ``..``, absolute paths and odd characters cannot escape
    the output folder; names Windows reserves (``CON``, ``NUL``, ``COM1``, ...)
    are avoided; the result is ASCII letters, digits, ``.``, ``_`` and ``-``.
    Whenever the id had to be changed, a short hash of it keeps different ids
    distinct.

    Examples
    --------
    >>> safe_name("000_99d5bfdb740dc271")
    '000_99d5bfdb740dc271'
    >>> safe_name("../../etc/passwd").startswith("etc_passwd-")
    True
    >>> safe_name("CON").startswith("CON_-"), safe_name("nul.txt").startswith("nul_txt-")
    (True, True)
    """
    norm = unicodedata.normalize("NFKC", str(name))
    clean = _UNSAFE.sub("_", norm).strip("._-")[:max_len]
    stem, _, rest = clean.partition(".")
    if stem.upper() in _RESERVED:  # "CON", "nul.txt": reserved with any extension
        clean = f"{stem}_{rest}"
    if clean == norm and clean not in ("", ".", ".."):
        return clean
    digest = hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{clean or 'doc'}-{digest}"
