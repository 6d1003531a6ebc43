#!/usr/bin/env bash
# Set up, then run the linter and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# best effort: the browser test (tests/test_view_browser.py) needs Debian's chromium; it skips without it
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  { apt-get update && apt-get install -y chromium fonts-wqy-zenhei; } >/dev/null 2>&1 || true
fi
.venv/bin/ruff check nlp tests bench
.venv/bin/lint-imports  # import contracts in pyproject.toml: layers one way, no cycles
.venv/bin/python -m pytest "$@"
