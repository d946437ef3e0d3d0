#!/usr/bin/env bash
# Set up discourse from nothing: a virtual environment in .venv with the CPU build
# of torch installed FIRST (so no package can pull the multi-GB CUDA build), then
# the package itself (editable) with its test extras. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# CPU torch first: pip takes 2.13.0 (CPU build) from local disk on these machines.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
# Exact versions of everything (constraints.txt) so that figures rebuild byte for byte.
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
# The Jupyter kernel "discourse" (this environment, reproducible numerics) that the notebooks name.
.venv/bin/discourse kernel --quiet
.venv/bin/python - <<'PY'
import torch, discourse
assert "+cpu" in torch.__version__ or not torch.cuda.is_available(), torch.__version__
print(f"discourse {discourse.__version__} ready (torch {torch.__version__})")
PY
