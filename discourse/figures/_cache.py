"""A cache of rendered figure files, keyed by everything that decides their bytes.

Rendering a PNG at 200 dpi (``savefig`` with a tight bounding box draws the
figure twice) is the largest cost of a warm figure build once the analysis
is cached.  :func:`figure_key` hashes what decides the bytes *before*
drawing: the figure's whole state (a pickle of the Figure, with the
``id()`` keys matplotlib's transforms keep replaced by their order of first
appearance and pyplot's figure number left out, so the key is the same in
every process and for every identical figure), the rcParams in
force, the format, resolution, metadata and render settings, and the
matplotlib, Pillow and discourse versions.  Equal keys mean equal files; a
figure that cannot be pickled (a formatter holding a lambda, say) has no
key and is simply rendered.

Entries are ``<key>.<fmt>`` files whose first 32 bytes are the sha256 of the
rest: an entry that does not match is reported, deleted and rendered again,
so a damaged cache can never put wrong bytes into ``figures/``.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import logging
import os
import pickle
from pathlib import Path
from typing import Any, Mapping

from .._io import atomic_write_bytes

logger = logging.getLogger(__name__)

#: Bump when the way figures are rendered changes in a way the key does not see.
RENDER_VERSION = 1


class _CanonicalPickler(pickle.Pickler):
    """Pickles a Figure with process-specific ``id()`` values replaced by stable numbers."""

    def __init__(self, file: Any):
        super().__init__(file, protocol=5)
        self._ids: dict[int, int] = {}

    def reducer_override(self, obj: Any) -> Any:
        from matplotlib.figure import Figure
        from matplotlib.transforms import TransformNode

        if isinstance(obj, Figure):
            state = dict(obj.__getstate__())
            # pyplot's figure number (and whether to make it current) is not drawn
            for name in ("_number", "_restore_to_pcf"):
                state.pop(name, None)
            return copyreg.__newobj__, (type(obj),), state
        if isinstance(obj, TransformNode):
            state = dict(obj.__getstate__())
            # TransformNode keeps {id(parent): parent}; ids differ between processes
            state["_parents"] = {self._ids.setdefault(k, len(self._ids)): v for k, v in state.get("_parents", {}).items()}
            return copyreg.__newobj__, (type(obj),), state
        return NotImplemented


def figure_key(figure: Any, *, fmt: str, dpi: float, metadata: Mapping[str, Any], settings: Mapping[str, Any]) -> str | None:
    """sha256 (hex) of what decides the bytes of ``figure`` saved as ``fmt``; ``None`` if it cannot be pickled."""
    import matplotlib
    import PIL

    from .. import __version__

    buf = io.BytesIO()
    try:
        _CanonicalPickler(buf).dump(figure)
    except Exception as exc:  # noqa: BLE001 - any unpicklable artist: render without the cache
        logger.debug("figure not cached: it cannot be pickled (%s)", exc)
        return None
    h = hashlib.sha256()
    context = {
        "render_version": RENDER_VERSION, "format": fmt, "dpi": float(dpi), "metadata": dict(metadata),
        "settings": dict(settings), "rcParams": sorted((k, repr(v)) for k, v in matplotlib.rcParams.items()),
        "versions": [matplotlib.__version__, PIL.__version__, __version__],
    }
    h.update(repr(context).encode("utf-8"))
    h.update(buf.getvalue())
    return h.hexdigest()


class RenderCache:
    """Rendered figure files under ``folder`` (see the module docstring)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def _path(self, key: str, fmt: str) -> Path:
        return self.folder / f"{key}.{fmt}"

    def get(self, key: str, fmt: str) -> bytes | None:
        """The cached bytes for ``key``, or ``None`` (a damaged entry is reported and deleted)."""
        path = self._path(key, fmt)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        digest, data = raw[:32], raw[32:]
        if len(raw) < 32 or hashlib.sha256(data).digest() != digest:
            logger.warning("figure cache entry %s is damaged; it is deleted and the figure rendered again", path)
            path.unlink(missing_ok=True)
            return None
        return data

    def put(self, key: str, fmt: str, data: bytes) -> None:
        """Store ``data`` for ``key`` (atomically); a cache that cannot be written is only logged."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self._path(key, fmt), hashlib.sha256(data).digest() + data)
        except OSError as exc:
            logger.warning("figure cache %s cannot be written (%s); figures are rendered each time", self.folder, exc)
