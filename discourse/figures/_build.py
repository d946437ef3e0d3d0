"""``discourse figures``: execute every notebook headless, in order, and rebuild ``figures/``.

Notebooks run in fresh kernels with :mod:`nbclient`, in the reproducible
numeric mode (:mod:`discourse.numeric`) unless asked otherwise, so the same
notebooks and seeds give the same bytes on any x86-64 CPU.  Figures are
written into a temporary folder that replaces ``figures/`` only once every
notebook has run, so an interrupted build leaves the previous figures
intact.  The build's folders reach each kernel through its environment
(:func:`discourse.figures._notebook.kernel_environment`), where the notebooks
read them with :meth:`~discourse.figures.NotebookFigures.from_environment`.
Fitted models and embeddings are cached (``cache``), so a warm rebuild only
loads and draws.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterable

from .._io import atomic_dir, check_writable_dir
from ..errors import DiscourseError, InputError

__all__ = ["build_figures", "compare_builds", "list_notebooks", "inputs_hash"]

logger = logging.getLogger(__name__)


def inputs_hash(notebooks: str | os.PathLike, seeds: str | os.PathLike | None = None) -> str:
    """sha256 over the notebooks folder and the seed corpus (file names and bytes).

    Stamped into every figure instead of the git commit: a commit hash would
    change when the rebuilt figures themselves are committed, so committed
    figures could never equal a fresh build.  This hash changes exactly when
    what the figures are built from (notebooks, seeds) changes.
    """
    import hashlib

    from ..corpus import seeds_path

    h = hashlib.sha256()
    roots = [Path(notebooks), Path(seeds) if seeds is not None else seeds_path()]
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts and p.suffix != ".pyc":
                h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def list_notebooks(folder: str | os.PathLike) -> list[Path]:
    """The notebooks of a folder in build order (sorted by name, ``.ipynb`` only)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such notebook folder; run from the project root or pass --notebooks DIR")
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise InputError(f"{folder}: no .ipynb notebooks found")
    return found


def _execute(path: Path, *, timeout: int, env: dict[str, str]) -> None:
    import tempfile

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    sockets = tempfile.TemporaryDirectory(prefix="discourse-kernel-")
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
        # Local IPC sockets (files in a private folder) instead of TCP: nothing listens on a network
        # port, and the kernel has no reason to warn that its TCP traffic is unencrypted.
        client.km = client.create_kernel_manager()
        client.km.transport = "ipc"
        client.km.ip = str(Path(sockets.name) / "kernel")
        client.execute()
    except CellExecutionError as exc:
        msg = str(exc).strip().splitlines()
        last = next((line for line in reversed(msg) if line.strip()), "cell failed")
        raise DiscourseError(f"{path}: a cell failed: {last}") from None
    finally:
        sockets.cleanup()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build_figures(*, notebooks: str | os.PathLike = "notebooks", outdir: str | os.PathLike = "figures",
                  cache: str | os.PathLike | None = None, timeout: int = 1800, progress: bool | None = None,
                  only: Iterable[str] | None = None, reproducible: bool = True) -> list[Path]:
    """Execute every notebook in order and replace ``outdir`` with the figures they save.

    Parameters
    ----------
    notebooks : path
        Folder of ``.ipynb`` notebooks, run in name order.
    outdir : path
        The figure folder; replaced atomically when every notebook has run.
    cache : path, optional
        The cache the notebooks share (embeddings, fitted models, the
        analysis, rendered figures).  Default: ``$DISCOURSE_CACHE``, else
        ``.cache`` beside ``notebooks``.
    timeout : int
        Seconds allowed per cell.
    progress : bool
        Show a progress bar over notebooks.
    only : iterable of str, optional
        Run only these notebook names (for tests); the folder is still replaced.
    reproducible : bool, default True
        Run the kernels in the reproducible numeric mode (the same bytes on
        any x86-64 CPU, whatever the calling environment sets); ``False``
        lets each library choose this CPU's kernels.

    Returns
    -------
    list of Path
        The files now in ``outdir``.

    Raises
    ------
    DiscourseError
        If a notebook fails (names the notebook and the error); ``outdir`` is left as it was.
    """
    from tqdm.auto import tqdm

    from .._env import progress_enabled
    from ..numeric import MODE_VAR, pinned_env
    from ._notebook import default_cache, kernel_environment

    books = list_notebooks(notebooks)
    if only is not None:
        names = set(only)
        books = [b for b in books if b.name in names or b.stem in names]
    outdir = Path(outdir)
    check_writable_dir(outdir.parent if str(outdir.parent) else Path("."), what="figure directory")
    cache = Path(cache) if cache is not None else default_cache(notebooks)
    with atomic_dir(outdir) as tmp:
        env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "MPLBACKEND": "Agg",
               "DISCOURSE_PROGRESS": "0"}
        env.update(kernel_environment(figures=tmp, cache=cache, inputs_sha256=inputs_hash(notebooks)))
        env.update(pinned_env() if reproducible else {MODE_VAR: "native"})
        for book in tqdm(books, desc="notebooks", unit="nb", disable=not progress_enabled(progress)):
            logger.info("executing %s", book)
            _execute(book.resolve(), timeout=timeout, env=env)
        written = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file())
        if not written:
            raise DiscourseError(f"{notebooks}: the notebooks saved no figures")
    return [outdir / p for p in written]


def compare_builds(built: str | os.PathLike, committed: str | os.PathLike, *, max_cells: int = 8) -> list[str]:
    """What differs between two figure folders, and what to do about it (empty when byte-identical).

    Names each figure whose bytes differ, each number that changed in the
    tables behind the figures (``tables/*.csv``, written by the notebooks),
    every other file that differs (the manifests), and the numeric
    environment of both builds where it differs.

    Parameters
    ----------
    built, committed : path
        Two outputs of :func:`build_figures` (e.g. a fresh build and ``figures/``).
    max_cells : int
        Changed cells listed per table.

    Returns
    -------
    list of str
        One line per finding; the last says what to do.
    """
    import json

    import pandas as pd

    built, committed = Path(built), Path(committed)
    names = lambda root: {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}  # noqa: E731
    a, b = names(built), names(committed)
    lines = [f"only in the fresh build: {n}" for n in sorted(a - b)] + [f"only in {committed}: {n}" for n in sorted(b - a)]
    differing = sorted(n for n in a & b if (built / n).read_bytes() != (committed / n).read_bytes())
    figures = [n for n in differing if not n.startswith("tables/") and n.endswith((".png", ".svg", ".pdf"))]
    if figures:
        lines.append(f"figures whose bytes differ: {', '.join(figures)}")
    tables = [n for n in differing if n.startswith("tables/") and n.endswith(".csv")]
    for n in tables:
        lines.extend(_table_changes(pd.read_csv(built / n), pd.read_csv(committed / n), n, max_cells))
    others = [n for n in differing if n not in figures and n not in tables]  # manifests: provenance, parameters
    if others:
        lines.append(f"other files whose bytes differ: {', '.join(others)}")
    if not lines and not differing:
        return []

    def numeric_of(root: Path) -> dict:
        try:
            return json.loads((root / "tables" / "manifest.json").read_text(encoding="utf-8")).get("numeric", {})
        except (OSError, ValueError):
            return {}

    env_a, env_b = numeric_of(built), numeric_of(committed)
    env_diff = sorted(k for k in set(env_a) | set(env_b) if env_a.get(k) != env_b.get(k))
    for k in env_diff:
        lines.append(f"numeric environment {k}: fresh build {env_a.get(k)!r}, {committed} {env_b.get(k)!r}")
    if env_diff:
        lines.append("what to do: the builds ran in different numeric environments; rebuild both with "
                     "`discourse figures` (reproducible mode, the default) before comparing")
    else:
        lines.append("what to do: same numeric environment, so the inputs or the code changed the results; "
                     "check the changes above, then run `discourse figures` and commit figures/")
    return lines


def _table_changes(new, old, name: str, max_cells: int) -> list[str]:
    """Lines naming the cells of one table that changed (or that its shape or columns did)."""
    if list(new.columns) != list(old.columns) or len(new) != len(old):
        return [f"{name}: shape or columns changed ({len(old)}x{len(old.columns)} -> {len(new)}x{len(new.columns)})"]
    changed = []
    for col in new.columns:
        for i in new.index[(new[col] != old[col]) & ~(new[col].isna() & old[col].isna())]:
            was, now = (v.item() if hasattr(v, "item") else v for v in (old.at[i, col], new.at[i, col]))
            changed.append(f"{name} row {i} {col}: {was!r} -> {now!r}")
    head = changed[:max_cells]
    if len(changed) > max_cells:
        head.append(f"{name}: {len(changed) - max_cells} more changed cells")
    return head
