#!/usr/bin/env bash
# `make test`: start the real services the tests need, run the suite, stop them.
#   - Elasticsearch 8: a single node from Maven Central (scripts/es-test-node.sh)
#   - Chromium from Debian for the web's browser test (Playwright drives it; no browser download)
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser test (tests/web/test_browser.py)..."
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  if command -v apt-get >/dev/null; then
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  else
    echo "No apt-get here: install Chromium at /usr/bin/chromium, or the browser test is skipped (fails under CI)."
  fi
fi
if [ -z "${ES_URL:-}" ]; then
  echo "Starting the Elasticsearch test node (first run downloads it from Maven Central)..."
  eval "$(scripts/es-test-node.sh start)"
  export ES_URL
  trap 'scripts/es-test-node.sh stop >/dev/null 2>&1 || true' EXIT
fi
echo "Elasticsearch: $ES_URL"
"$PY" -m pytest -q "$@"
