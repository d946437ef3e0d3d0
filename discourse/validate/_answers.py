"""Read an export folder and the answers files coders send back, refusing anything malformed.

Every problem is one :class:`~discourse.errors.InputError` line naming the
file (and the task, where one is at fault) and what to do.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from ..errors import InputError
from ._export import EXPORT_FORMAT, KEY_COLUMNS

__all__ = ["ExportRecord", "read_export", "read_answers", "read_all_answers", "ANSWER_COLUMNS", "ANSWERS_FORMAT"]

logger = logging.getLogger(__name__)

ANSWERS_FORMAT = "discourse-validate-answers"
ANSWER_COLUMNS = ["export_id", "coder", "task_id", "task", "answer", "answer_text", "skipped", "seconds"]
_REQUIRED = ("export_id", "coder", "task_id", "answer")


@dataclass(frozen=True)
class ExportRecord:
    """An export folder read back: its manifest, answer key and tasks."""

    path: Path
    export_id: str
    coders: tuple[str, ...]
    key: pd.DataFrame
    manifest: dict

    @property
    def options(self) -> dict[str, list[str]]:
        """Option ids of every task."""
        return {t: list(g["option"]) for t, g in self.key.groupby("task_id", sort=False)}


def read_export(path: str | os.PathLike) -> ExportRecord:
    """Read a folder written by :func:`~discourse.validate.export_tasks`.

    Raises
    ------
    InputError
        If the folder, its manifest or its answer key is missing or malformed.
    """
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(f"{str(path)!r} is not a validation export folder: it has no manifest.json "
                         "(give the folder `discourse validate export --out` wrote)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{str(manifest_path)!r} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != EXPORT_FORMAT:
        raise InputError(f"{str(manifest_path)!r} was not written by `discourse validate export` "
                         "(give the folder of a validation export, not of an analysis)")
    key_path = path / "answer_key.csv"
    try:
        key = pd.read_csv(key_path, dtype={"task_id": str, "option": str, "model": str, "passage_id": str, "text": str},
                          keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{str(key_path)!r} is missing: the answer key is needed to score (copy it back into the export folder)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{str(key_path)!r} is not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in KEY_COLUMNS if c not in key.columns]
    if missing:
        raise InputError(f"{str(key_path)!r} lacks column(s) {', '.join(missing)}; re-export the tasks")
    key["is_intruder"] = key["is_intruder"].astype(str).str.lower().isin(["true", "1"])
    key["value"] = pd.to_numeric(key["value"], errors="coerce")
    bad = key.groupby("task_id")["is_intruder"].sum()
    if (bad != 1).any():
        raise InputError(f"{str(key_path)!r}, task {bad.index[(bad != 1).argmax()]}: needs exactly one intruder; re-export the tasks")
    return ExportRecord(path=path, export_id=str(manifest.get("export_id", "")), coders=tuple(manifest.get("coders", ())),
                        key=key, manifest=manifest)


def _rows_from_json(path: Path, text: str) -> pd.DataFrame:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"answers file {str(path)!r} is not valid JSON ({exc}); send the file the page saved, unedited") from None
    if not isinstance(data, dict) or data.get("format") != ANSWERS_FORMAT or not isinstance(data.get("answers"), list):
        raise InputError(f"answers file {str(path)!r} is not an answers file saved by a coder's page "
                         f"(expected an object with format {ANSWERS_FORMAT!r} and a list 'answers')")
    rows = []
    for i, a in enumerate(data["answers"]):
        if not isinstance(a, dict):
            raise InputError(f"answers file {str(path)!r}: answer {i + 1} is not an object")
        rows.append({"export_id": data.get("export_id", a.get("export_id", "")), "coder": data.get("coder", a.get("coder", "")),
                     **{k: a.get(k, "") for k in ("task_id", "task", "answer", "answer_text", "skipped", "seconds")}})
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS).fillna("").astype(str)


def read_answers(path: str | os.PathLike, export: ExportRecord) -> pd.DataFrame:
    """Read one coder's answers file (CSV or JSON, as the page saves them) and check it against ``export``.

    Returns
    -------
    DataFrame
        ``file, coder, task_id, task, answer, skipped``; ``answer`` is an
        option id, or ``""`` where the coder could not tell or did not answer.

    Raises
    ------
    InputError
        If the file is missing, unreadable, from another export, or names a
        task or option the export does not have (the message names the file
        and the task).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"answers file {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise InputError(f"answers file {str(path)!r} is a folder; give the CSV or JSON file a coder's page saved") from None
    except UnicodeDecodeError:
        raise InputError(f"answers file {str(path)!r} is not UTF-8 text; send the file the page saved, unedited") from None
    if not text.strip():
        raise InputError(f"answers file {str(path)!r} is empty")
    if text.lstrip().startswith(("{", "[")):
        df = _rows_from_json(path, text)
    else:
        import io

        try:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"answers file {str(path)!r} is not a readable CSV ({str(exc).splitlines()[0]})") from None
        missing = [c for c in _REQUIRED if c not in df.columns]
        if missing:
            raise InputError(f"answers file {str(path)!r} lacks column(s) {', '.join(missing)}; "
                             "send the file the coder's page saved, unedited")
    for col in ANSWER_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df = df[ANSWER_COLUMNS].astype(str).apply(lambda s: s.str.strip())
    if df.empty:
        raise InputError(f"answers file {str(path)!r} holds no answers")
    ids = sorted(set(df["export_id"]))
    if ids != [export.export_id]:
        raise InputError(f"answers file {str(path)!r} belongs to export {', '.join(ids)}, not to {export.export_id} "
                         f"({str(export.path)!r}); score it against the export its page came from")
    coders = sorted(set(df["coder"]))
    if len(coders) != 1 or not coders[0]:
        raise InputError(f"answers file {str(path)!r} names coder(s) {coders}; each file must hold one coder's answers")
    if export.coders and coders[0] not in export.coders:
        raise InputError(f"answers file {str(path)!r}: coder {coders[0]!r} is not one of this export's coders "
                         f"({', '.join(export.coders)})")
    options = export.options
    kinds = export.key.drop_duplicates("task_id").set_index("task_id")["task"].to_dict()
    seen: set[str] = set()
    for task_id, answer, task in zip(df["task_id"], df["answer"], df["task"]):
        if task_id not in options:
            raise InputError(f"answers file {str(path)!r}, task {task_id!r}: no such task in export {export.export_id}")
        if task_id in seen:
            raise InputError(f"answers file {str(path)!r}, task {task_id!r}: answered twice; keep one row per task")
        seen.add(task_id)
        if task and task != kinds[task_id]:
            raise InputError(f"answers file {str(path)!r}, task {task_id!r}: kind {task!r} does not match the export's "
                             f"{kinds[task_id]!r}")
        if answer and answer not in options[task_id]:
            raise InputError(f"answers file {str(path)!r}, task {task_id!r}: answer {answer!r} is not one of the task's "
                             f"options ({', '.join(options[task_id])})")
    df["task"] = df["task_id"].map(kinds)
    df["skipped"] = df["answer"] == ""
    df.insert(0, "file", str(path))
    n_open = len(options) - int((~df["skipped"]).sum())
    if n_open:
        logger.info("answers file %s: %d of %d tasks without an answer (can't tell, or left open)", path, n_open, len(options))
    return df[["file", "coder", "task_id", "task", "answer", "skipped"]]


def read_all_answers(paths: Sequence[str | os.PathLike], export: ExportRecord) -> pd.DataFrame:
    """Read every answers file; refuse two files from the same coder.

    Raises
    ------
    InputError
        See :func:`read_answers`; also when no file is given.
    """
    if not paths:
        raise InputError("no answers file given: pass the CSV or JSON files the coders sent back")
    frames: list[pd.DataFrame] = []
    owner: dict[str, Any] = {}
    for p in paths:
        df = read_answers(p, export)
        coder = df["coder"].iat[0]
        if coder in owner:
            raise InputError(f"answers files {str(owner[coder])!r} and {str(p)!r} are both from {coder}; pass each coder's "
                             "file once")
        owner[coder] = p
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
