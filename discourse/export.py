"""Export a prepared corpus for auditing: cleaned texts, passages, removals.

``discourse corpus PATH --export DIR`` writes

* ``DIR/clean/<id>.txt`` — each cleaned document (ids made safe for file
  names with :func:`discourse._io.safe_name`; the mapping is in ``documents.csv``);
* ``DIR/passages.csv`` — ``doc_id, passage_id, start, end, text`` (offsets into the cleaned text);
* ``DIR/removed.csv`` — ``doc_id, start, end, rule, text`` (offsets into the raw text);
* ``DIR/documents.csv`` — one row per document: file name, metadata and counts.

Every file is written atomically; ``clean/`` is replaced as a whole.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ._io import atomic_dir, atomic_write_text, check_writable_dir, safe_name

__all__ = ["export_prepared"]


def _csv(df) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def export_prepared(prepared, out: str | os.PathLike) -> list[Path]:
    """Write the cleaned texts, passages and removals of ``prepared`` into ``out``.

    Parameters
    ----------
    prepared : Prepared
        From :func:`discourse.prepare`.
    out : path
        Folder to write into (created if needed).

    Returns
    -------
    list of Path
        Every file written.

    Raises
    ------
    InputError
        If ``out`` cannot be written.

    Examples
    --------
    >>> import tempfile, discourse
    >>> from discourse.prepare import prepare
    >>> files = export_prepared(prepare(discourse.load_seeds(), progress=False), tempfile.mkdtemp())
    >>> sorted(f.name for f in files if f.suffix == ".csv")
    ['documents.csv', 'passages.csv', 'removed.csv']
    """
    out = check_writable_dir(out)
    written: list[Path] = []
    names: dict[str, str] = {}
    with atomic_dir(out / "clean") as tmp:
        used: set[str] = set()
        for doc_id, text in prepared.clean_texts.items():
            name = safe_name(doc_id)
            while name in used:  # distinct ids never share a file
                name = name + "_"
            used.add(name)
            names[doc_id] = f"{name}.txt"
            (tmp / names[doc_id]).write_text(text, encoding="utf-8")
    written += [out / "clean" / n for n in names.values()]
    passages = prepared.passages[["doc_id", "passage_id", "start", "end", "text"]]
    written.append(atomic_write_text(out / "passages.csv", _csv(passages)))
    removed = prepared.removals[["doc_id", "start", "end", "rule", "text"]]
    written.append(atomic_write_text(out / "removed.csv", _csv(removed)))
    docs = prepared.summary()
    docs.insert(1, "file", [f"clean/{names.get(d, '')}" for d in docs["doc_id"]])
    written.append(atomic_write_text(out / "documents.csv", _csv(docs)))
    return written
