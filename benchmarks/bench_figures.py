"""Cold against warm figure build, side by side in one run.

Cold: an empty cache (no embeddings, no fitted models, no cached analysis).
Warm: the same build again, reusing that cache. Both build into fresh
temporary figure folders; the script also checks that the two builds gave
byte-identical figures and manifests.

Target (issue 5): warm <= 25% of cold.

Usage: python benchmarks/bench_figures.py [--notebooks notebooks]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import tempfile
import time
from pathlib import Path

from discourse.figures import build_figures


def timed_build(notebooks: str, outdir: Path, cache: Path) -> float:
    t = time.perf_counter()
    build_figures(notebooks=notebooks, outdir=outdir, cache=cache, progress=False)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebooks", default="notebooks")
    ap.add_argument("--out", default="benchmarks/results/bench_figures.json")
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        rendered = cache / "figures"  # the notebooks' render cache (discourse.save_figure(cache=...))
        cold = timed_build(args.notebooks, tmp / "cold", cache)
        after_cold = sorted(p.name for p in rendered.glob("*")) if rendered.is_dir() else []
        warm = timed_build(args.notebooks, tmp / "warm", cache)
        after_warm = sorted(p.name for p in rendered.glob("*")) if rendered.is_dir() else []
        files = sorted(p.name for p in (tmp / "cold").iterdir())
        match, mismatch, errors = filecmp.cmpfiles(tmp / "cold", tmp / "warm", files, shallow=False)
    result = {
        "cold_seconds": round(cold, 2),
        "warm_seconds": round(warm, 2),
        "warm_over_cold": round(warm / cold, 3),
        "target_warm_over_cold": 0.25,
        "figures": len(files),
        "identical_files": len(match),
        "differing_files": mismatch + errors,
        "render_cache_entries_after_cold": len(after_cold),
        # a warm figure whose key differed from the cold one would have added an entry
        "warm_renders_missing_the_cache": len(set(after_warm) - set(after_cold)),
        "load_average_before_after": [load_before, os.getloadavg()[0]],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(f"cold build {cold:.1f} s, warm rebuild {warm:.1f} s: warm = {100 * warm / cold:.1f}% of cold "
          f"(target <= 25%); {len(match)}/{len(files)} files byte-identical")


if __name__ == "__main__":
    main()
