"""Saving and loading the tokenizer an LDA model carries, and its parameters from JSON."""

from __future__ import annotations

import json
import logging
import pickle
from pathlib import Path
from typing import Any

from .._io import atomic_write_bytes, sha256_file
from ._base import write_json

__all__ = ["save_tokenizer", "load_tokenizer", "params_from_json"]

logger = logging.getLogger(__name__)


def save_tokenizer(tokenizer: Any, folder: Path, header: dict[str, Any]) -> None:
    """Save the tokenizer as JSON (``state()``/``from_state``) or, failing that, as a pickle."""
    cls = type(tokenizer)
    if hasattr(tokenizer, "state") and hasattr(tokenizer, "get_params") and hasattr(cls, "from_state"):
        write_json(folder / "tokenizer.json", {
            "class": f"{cls.__module__}:{cls.__qualname__}",
            "params": tokenizer.get_params(), "state": tokenizer.state()})
        return
    try:
        blob = pickle.dumps(tokenizer, protocol=4)
    except Exception as exc:  # noqa: BLE001 - an unpicklable tokenizer is only a lost convenience
        logger.warning("the tokenizer could not be saved (%s); transform on raw texts will need tokens", exc)
        return
    atomic_write_bytes(folder / "tokenizer.pkl", blob)
    header["tokenizer_sha256"] = sha256_file(folder / "tokenizer.pkl")


def load_tokenizer(path: Path, header: dict[str, Any]) -> Any:
    import importlib

    tj = path / "tokenizer.json"
    if tj.is_file():
        rec = json.loads(tj.read_text(encoding="utf-8"))
        module, _, qualname = rec["class"].partition(":")
        if not module.startswith("discourse."):
            logger.warning("%s names a class outside discourse (%s); ignoring it", tj, rec["class"])
            return None
        cls = getattr(importlib.import_module(module), qualname)
        return cls.from_state(rec["params"], rec["state"])
    tok = path / "tokenizer.pkl"
    if tok.is_file():
        if sha256_file(tok) != header.get("tokenizer_sha256"):
            logger.warning("%s does not match its checksum; ignoring it (transform will need tokens)", tok)
            return None
        return pickle.loads(tok.read_bytes())  # noqa: S301 - documented: trusted folders only
    return None


def params_from_json(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    for key in ("k_range", "seeds"):
        if isinstance(out.get(key), list):
            out[key] = tuple(out[key])
    return out
