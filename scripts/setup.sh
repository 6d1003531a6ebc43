#!/usr/bin/env bash
# Create .venv at the repo root and install nianbao with its dev tools (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "nianbao needs Python >= 3.10")'
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.nianbao-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  PYTHONWARNINGS=ignore .venv/bin/python -m pip install --quiet -e ".[dev,hanlp,dask]"  # hanlp, dask: small extras, so their tests run too
  touch "$stamp"
fi
