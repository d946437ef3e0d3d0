"""Shared by the digest scripts: their command line, and writing a digest and comparing it with an earlier one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def parser(doc: str) -> argparse.ArgumentParser:
    """``--out FILE`` and ``--compare EARLIER`` for a digest script whose module docstring is ``doc``."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--compare", help="an earlier digest file; exit 1 if anything differs")
    return ap


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        out.update(_flat(v, key + ".") if isinstance(v, dict) else {key: v})
    return out


def write_and_compare(res: dict, out: str, compare: str | None) -> int:
    """Write ``res`` to ``out`` (sorted JSON); with ``compare``, print "identical" or the differing keys, and return 1 if any differ.

    Keys are compared at every depth (``"lee.keyness.csv"``), present on
    either side.
    """
    Path(out).write_text(json.dumps(res, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if not compare:
        return 0
    now, before = _flat(res), _flat(json.loads(Path(compare).read_text(encoding="utf-8")))
    diffs = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k))
    print("identical" if not diffs else "DIFFERENT: " + ", ".join(diffs))
    return 1 if diffs else 0
