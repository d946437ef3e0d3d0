"""What the environment asks of every part of the package: progress bars and the cache folder.

One definition each, used by the in-process and the Dask paths alike.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import check_param

__all__ = ["progress_enabled", "default_cache_dir"]


def progress_enabled(progress: bool | None) -> bool:
    """Whether to draw a progress bar.

    ``True`` or ``False`` as given; ``None`` (automatic): only when standard
    error is a terminal and ``$DISCOURSE_PROGRESS`` is not ``0``.
    """
    if progress is None:
        if os.environ.get("DISCOURSE_PROGRESS") == "0":
            return False
        try:
            return bool(sys.stderr.isatty())
        except (AttributeError, ValueError):
            return False
    check_param("progress", progress, "True, False or None (show only on a terminal)", isinstance(progress, bool))
    return progress


def default_cache_dir() -> Path:
    """The root cache folder: ``$DISCOURSE_CACHE``, else ``$XDG_CACHE_HOME/discourse``, else ``~/.cache/discourse``."""
    env = os.environ.get("DISCOURSE_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "discourse"
