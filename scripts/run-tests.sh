#!/usr/bin/env bash
# `make test`: start the real services the tests need, run the suite, stop them.
#   - Elasticsearch 8: a single node from Maven Central (scripts/es-test-node.sh)
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
if [ -z "${ES_URL:-}" ]; then
  echo "Starting the Elasticsearch test node (first run downloads it from Maven Central)..."
  eval "$(scripts/es-test-node.sh start)"
  export ES_URL
  trap 'scripts/es-test-node.sh stop >/dev/null 2>&1 || true' EXIT
fi
echo "Elasticsearch: $ES_URL"
"$PY" -m pytest -q "$@"
