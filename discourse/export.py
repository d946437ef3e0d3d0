"""Export a prepared corpus for auditing: cleaned texts, passages, removals.

``discourse corpus PATH --export DIR`` writes

* ``DIR/clean/<id>.txt`` — each cleaned document (ids made safe for file
  names with :func:`discourse._io.safe_name`; the mapping is in ``documents.csv``);
* ``DIR/passages.csv`` — ``doc_id, passage_id, start, end, text`` (offsets into the cleaned text);
* ``DIR/removed.csv`` — ``doc_id, start, end, rule, text`` (offsets into the raw text);
* ``DIR/documents.csv`` — one row per document: file name, metadata and counts;
* ``DIR/extracted_removed.csv``, ``DIR/skipped_pages.csv``, ``DIR/duplicates.csv``
  — for web pages: the page blocks the extractor dropped, the pages that are
  not articles, and the duplicate copies (when given as ``extra``);
* ``DIR/manifest.json`` — every file written with its sha256, and the corpus hash.

``DIR`` is built aside and swapped in only when complete
(:func:`discourse._io.atomic_dir`), so an interrupted export leaves the
previous one intact.  Because the folder is replaced as a whole, ``DIR`` must
be new, empty or an earlier export: a folder holding other files is refused.
Whatever the document ids contain (``../``, absolute paths, reserved or odd
names), every file lands inside ``DIR/clean``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ._io import atomic_dir, check_replaceable_dir, safe_name, sha256_file
from .errors import InputError
from .provenance import to_json

__all__ = ["export_prepared", "EXPORT_NAMES"]

#: The names an export folder holds (an existing folder with only these may be replaced).
EXPORT_NAMES = ("clean", "passages.csv", "removed.csv", "documents.csv", "manifest.json",
                "extracted_removed.csv", "skipped_pages.csv", "duplicates.csv")


def _csv(df) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def export_prepared(prepared, out: str | os.PathLike, *, extra=None) -> list[Path]:
    """Write the cleaned texts, passages and removals of ``prepared`` into ``out``.

    Parameters
    ----------
    prepared : Prepared
        From :func:`discourse.prepare`.
    out : path
        Folder to write (created, or replaced as a whole if it holds an earlier export).
    extra : mapping of str -> DataFrame, optional
        More tables written as ``<name>.csv`` (names from :data:`EXPORT_NAMES`).

    Returns
    -------
    list of Path
        Every file written.

    Raises
    ------
    InputError
        If ``out`` cannot be written, or is a folder of other files.

    Examples
    --------
    >>> import tempfile, discourse
    >>> from discourse._prepare import prepare
    >>> files = export_prepared(prepare(discourse.load_seeds(), progress=False), tempfile.mkdtemp())
    >>> sorted(f.name for f in files if f.parent.name != "clean")
    ['documents.csv', 'manifest.json', 'passages.csv', 'removed.csv']
    """
    out = check_replaceable_dir(out, what="export folder", known=EXPORT_NAMES)
    names: dict[str, str] = {}
    with atomic_dir(out) as tmp:
        clean = tmp / "clean"
        clean.mkdir()
        used: set[str] = set()
        for doc_id, text in prepared.clean_texts.items():
            name = safe_name(doc_id)
            while name.casefold() in used:  # distinct ids never share a file, even on case-insensitive disks
                name = name + "_"
            used.add(name.casefold())
            names[doc_id] = f"{name}.txt"
            target = clean / names[doc_id]
            # safe_name cannot produce separators or '..'; check anyway that the file stays in clean/
            if target.resolve().parent != clean.resolve():  # pragma: no cover - defence in depth
                raise InputError(f"document id {doc_id!r} gives a file name outside {str(clean)!r}; rename the document")
            target.write_text(text, encoding="utf-8", newline="\n")
        (tmp / "passages.csv").write_text(_csv(prepared.passages[["doc_id", "passage_id", "start", "end", "text"]]), encoding="utf-8", newline="\n")
        (tmp / "removed.csv").write_text(_csv(prepared.removals[["doc_id", "start", "end", "rule", "text"]]), encoding="utf-8", newline="\n")
        for name, table in (extra or {}).items():
            if f"{name}.csv" not in EXPORT_NAMES:
                raise ValueError(f"export table {name!r} is not one of {EXPORT_NAMES}")
            (tmp / f"{name}.csv").write_text(_csv(table), encoding="utf-8", newline="\n")
        docs = prepared.summary()
        docs.insert(1, "file", [f"clean/{names.get(d, '')}" for d in docs["doc_id"]])
        (tmp / "documents.csv").write_text(_csv(docs), encoding="utf-8", newline="\n")
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = {
            "corpus_hash": prepared.corpus_hash,
            "outputs": {p.relative_to(tmp).as_posix(): sha256_file(p) for p in files},
        }
        (tmp / "manifest.json").write_text(to_json(manifest), encoding="utf-8", newline="\n")
        rel = [p.relative_to(tmp) for p in files] + [Path("manifest.json")]
    return [out / r for r in rel]
