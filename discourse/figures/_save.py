"""Save figures reproducibly, with provenance inside each file and a manifest.

:func:`save_figure` writes a matplotlib figure as PNG, SVG and/or PDF:

* atomically (a temporary sibling renamed into place: no half-written file);
* with its provenance (parameters, seeds, corpus hash, package versions, …)
  stamped into the file: a ``discourse:provenance`` PNG text chunk holding
  JSON, the SVG ``<dc:description>`` metadata, or the PDF ``Subject``;
* with no timestamp and a fixed ``Software``/``Creator`` value, so that the
  same figure saved again gives **byte-identical** files;
* recorded in ``OUTDIR/manifest.json``: one entry per file,
  ``{file name: {"name", "file", "format", "sha256", "provenance"}}``,
  sorted keys, merged with the entries already there (entries whose file
  has disappeared are dropped).

The manifest is rewritten in full on every save (atomically), so one
process at a time should save into a given folder.
"""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .._io import atomic_write_bytes, safe_name, sha256_bytes
from ..errors import InputError, ParameterError, check_param
from ..provenance import _jsonable, to_json
from ..provenance import provenance as _default_provenance

__all__ = ["save_figure", "render_figure", "load_manifest", "read_provenance", "MANIFEST_NAME", "PROVENANCE_KEY"]

logger = logging.getLogger(__name__)

#: File name of the manifest inside the output folder.
MANIFEST_NAME = "manifest.json"
#: PNG text-chunk keyword holding the provenance JSON.
PROVENANCE_KEY = "discourse:provenance"

_FORMATS = ("png", "svg", "pdf")


def _software() -> str:
    from .. import __version__

    return f"discourse {__version__} (matplotlib)"


def _as_figure(fig: Any):
    """A Figure from a Figure, an Axes, or an array/list of Axes."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    if isinstance(fig, SubFigure):
        return fig.figure
    if isinstance(fig, Figure):
        return fig
    if isinstance(fig, Axes):
        return fig.figure
    try:
        import numpy as np

        flat = np.asarray(fig, dtype=object).ravel()
        if len(flat) and isinstance(flat[0], Axes):
            return flat[0].figure
    except (TypeError, ValueError):
        pass
    raise ParameterError(f"fig={type(fig).__name__} is not allowed: expected a matplotlib Figure or Axes")


def _metadata(fmt: str, name: str, prov_json: str) -> dict[str, Any]:
    software = _software()
    if fmt == "png":
        return {
            "Title": name,
            "Software": software,
            "Description": f"Figure {name!r} made with {software}; provenance JSON in the {PROVENANCE_KEY!r} text chunk.",
            PROVENANCE_KEY: prov_json,
        }
    if fmt == "svg":
        return {"Title": name, "Creator": software, "Date": None, "Description": prov_json}
    return {"Title": name, "Creator": software, "Producer": software, "CreationDate": None, "ModDate": None, "Subject": prov_json}


_RC = {"svg.hashsalt": "discourse", "svg.fonttype": "path", "pdf.fonttype": 42, "pdf.compression": 6}
_SAVE = {"bbox_inches": "tight", "pad_inches": 0.03, "facecolor": "white"}


def render_figure(fig: Any, fmt: str, *, name: str = "figure", provenance: Mapping[str, Any] | None = None, dpi: float = 200,
                  cache: str | os.PathLike | None = None) -> bytes:
    """The bytes of ``fig`` in format ``fmt`` with provenance stamped in (no file written).

    Rendering is deterministic: same figure, same bytes.  With ``cache`` (a
    folder), bytes rendered before for a figure in exactly the same state
    are reused instead of drawing again (see :mod:`discourse.figures._cache`).
    """
    check_param("format", fmt, f"one of {', '.join(_FORMATS)}", fmt in _FORMATS)
    return _render(_as_figure(fig), (fmt,), name=name, provenance=provenance, dpi=dpi, cache=cache)[fmt]


def _render(figure: Any, formats: Sequence[str], *, name: str, provenance: Mapping[str, Any] | None, dpi: float,
            cache: str | os.PathLike | None) -> dict[str, bytes]:
    """The bytes of ``figure`` in each format, reusing cached renders when ``cache`` is a folder.

    Every cache key is computed before anything is drawn: drawing changes the
    figure's state (its layout), and a later format's key must not depend on
    whether an earlier format was rendered or reused.
    """
    import matplotlib

    prov_json = json.dumps(_jsonable(dict(provenance or {})), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    metadata = {fmt: _metadata(fmt, name, prov_json) for fmt in formats}
    store, keys = None, {}
    if cache is not None:
        from ._cache import RenderCache, figure_key

        store = RenderCache(cache)
        keys = {fmt: figure_key(figure, fmt=fmt, dpi=dpi, metadata=metadata[fmt], settings={"rc": _RC, "save": _SAVE})
                for fmt in formats}
    out: dict[str, bytes] = {}
    for fmt in formats:
        key = keys.get(fmt)
        if key is not None and (hit := store.get(key, fmt)) is not None:
            logger.debug("figure %s %s: cached render reused", name, fmt)
            out[fmt] = hit
            continue
        buf = io.BytesIO()
        with matplotlib.rc_context(_RC):
            figure.savefig(buf, format=fmt, dpi=dpi, metadata=metadata[fmt], **_SAVE)
        out[fmt] = buf.getvalue()
        if key is not None:
            store.put(key, fmt, out[fmt])
    return out


def load_manifest(outdir: str | os.PathLike = "figures") -> dict[str, dict[str, Any]]:
    """The figure manifest of ``outdir`` (``{}`` when there is none).

    Parameters
    ----------
    outdir : path
        Folder that :func:`save_figure` wrote to.

    Returns
    -------
    dict
        ``{file name: {"name", "file", "format", "sha256", "provenance"}}``.

    Raises
    ------
    InputError
        If ``outdir/manifest.json`` exists but is not a JSON object.
    """
    path = Path(outdir) / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable JSON manifest ({exc}); delete it and save the figures again") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputError(f"{path}: expected a JSON object of file entries; delete it and save the figures again")
    return data


def save_figure(
    fig: Any,
    name: str,
    *,
    outdir: str | os.PathLike = "figures",
    provenance: Mapping[str, Any] | None = None,
    formats: Iterable[str] = ("png",),
    dpi: float = 200,
    cache: str | os.PathLike | None = None,
) -> list[Path]:
    """Save ``fig`` reproducibly with its provenance and record it in the manifest.

    Parameters
    ----------
    fig : Figure or Axes
        The figure (an Axes or array of Axes, as the plot functions return,
        stands for its figure).  It is neither closed nor changed.
    name : str
        File stem: letters, digits, ``.``, ``_`` and ``-`` (no folders).
    outdir : path
        Output folder, created if needed.
    provenance : mapping, optional
        What made the figure (see :func:`discourse.provenance`): parameters,
        seeds, corpus hash, package versions, git commit.  Default: a record
        of the package versions only.  It must hold no timestamp if reruns
        are to give identical bytes.
    formats : iterable of {"png", "svg", "pdf"}
        Formats to write, one file each (``name.png``, …).
    dpi : float
        Resolution of the PNG (and of rasters inside vector formats).
    cache : path, optional
        A folder of rendered files (the notebooks use ``.cache/figures``).
        A figure saved before in exactly the same state, with the same
        provenance, format, resolution, rcParams and package versions, is
        copied from it instead of drawn again: the bytes are the same as a
        fresh render, only faster.  Damaged entries are detected (sha256),
        deleted and rendered again.  ``None``: always render.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ParameterError
        For an unsafe ``name``, an unknown format or a bad ``dpi``.
    InputError
        If the output folder cannot be written or its manifest is corrupt.

    Examples
    --------
    >>> import tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from discourse.plot import plot_frames
    >>> from discourse.figures import save_figure, load_manifest, read_provenance
    >>> df = pd.DataFrame({"grouping": "period", "group": ["2015", "2024"], "frame_balance": [0.4, -0.3],
    ...                    "ci_low": [0.1, -0.6], "ci_high": [0.7, 0.0], "n_docs": [2, 2]})
    >>> out = tempfile.mkdtemp()
    >>> [p.name for p in save_figure(plot_frames(df), "frames", outdir=out, provenance={"seed": 0})]
    ['frames.png']
    >>> read_provenance(f"{out}/frames.png")["seed"], sorted(load_manifest(out))
    (0, ['frames.png'])
    """
    check_param("name", name, "a file stem of letters, digits, '.', '_' or '-'",
                isinstance(name, str) and bool(name) and safe_name(name) == name)
    formats = tuple(formats) if not isinstance(formats, str) else (formats,)
    check_param("formats", formats, f"a non-empty subset of {_FORMATS}",
                bool(formats) and all(isinstance(f, str) and f.lower() in _FORMATS for f in formats))
    formats = tuple(dict.fromkeys(f.lower() for f in formats))
    check_param("dpi", dpi, "a number between 50 and 2400", isinstance(dpi, (int, float)) and 50 <= dpi <= 2400)
    figure = _as_figure(fig)
    prov = _jsonable(dict(provenance) if provenance is not None else _default_provenance())
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"figure folder {str(out)!r} cannot be created ({exc.strerror or exc}); choose another outdir") from None
    manifest = load_manifest(out)
    written = []
    rendered = _render(figure, formats, name=name, provenance=prov, dpi=dpi, cache=cache)
    for fmt, data in rendered.items():
        fname = f"{name}.{fmt}"
        path = atomic_write_bytes(out / fname, data)
        manifest[fname] = {"name": name, "file": fname, "format": fmt, "sha256": sha256_bytes(data), "provenance": prov}
        written.append(path)
        logger.debug("saved figure %s (%d bytes)", path, len(data))
    manifest = {k: v for k, v in manifest.items() if (out / str(v.get("file", k))).exists()}
    atomic_write_bytes(out / MANIFEST_NAME, to_json(manifest).encode("utf-8"))
    return written


def read_provenance(path: str | os.PathLike) -> dict[str, Any]:
    """The provenance stamped into a PNG or SVG by :func:`save_figure`.

    Raises
    ------
    InputError
        If the file is not a PNG/SVG or holds no provenance.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".png":
            from PIL import Image

            with Image.open(path) as im:
                im.load()
                raw = im.text.get(PROVENANCE_KEY)
        elif suffix == ".svg":
            import xml.etree.ElementTree as ET

            node = ET.parse(path).getroot().find(".//{http://purl.org/dc/elements/1.1/}description")
            raw = node.text if node is not None else None
        else:
            raise InputError(f"{path}: provenance can be read from .png and .svg files only")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    if not raw:
        raise InputError(f"{path}: holds no discourse provenance; save it with discourse.save_figure")
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise InputError(f"{path}: provenance is not valid JSON") from None
