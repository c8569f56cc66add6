#!/usr/bin/env bash
# `make test`: start the real services the tests need, run the suite, stop them.
#   - Elasticsearch 8: a single node from Maven Central (scripts/es-test-node.sh)
#   - poppler-utils (Debian): pdftoppm and pdftotext for the report's picture check
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
if ! command -v pdftoppm >/dev/null || ! command -v pdftotext >/dev/null; then
  echo "Installing poppler-utils (pdftoppm, pdftotext) for the report picture test..."
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null \
      || echo "warning: could not install poppler-utils; the report picture test will be skipped"
  else
    echo "warning: poppler-utils is missing; the report picture test will be skipped"
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
