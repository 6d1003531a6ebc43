#!/usr/bin/env bash
# Set up, then run the main job on the bundled examples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
example=$(ls examples/*.txt | head -n 1)
echo "== nianbao extract $example (first lines of the JSON report)"
.venv/bin/nianbao extract "$example" | head -n 40
mkdir -p out
echo "== nianbao extract examples/ -o out/examples.duckdb --jobs 2"
.venv/bin/nianbao extract examples/ -o out/examples.duckdb --format duckdb --jobs 2 --force --progress
.venv/bin/python - <<'PY'
import duckdb
con = duckdb.connect("out/examples.duckdb", read_only=True)
print(con.execute("SELECT source, issuer, year, format_id, n_cells, n_facts, failed_checks FROM reports ORDER BY source").df().to_string(index=False))
PY
