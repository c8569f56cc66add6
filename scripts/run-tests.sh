#!/usr/bin/env bash
# `make test`: install the Debian tools the tests need, start the real services, run the suite, stop them.
#   - Chromium (Debian) for the web's browser test: Playwright drives it, no browser is downloaded
#   - poppler-utils (Debian): pdftoppm and pdftotext for the report's picture check
#   - Elasticsearch 8: a single node from Maven Central (scripts/es-test-node.sh)
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

# debian_install <package> <test that needs it> <file or command>...: install the package when one is missing,
# as root or through sudo without a password; otherwise warn (that test then skips and says why).
debian_install() {
  local package=$1 purpose=$2 missing=""
  shift 2
  for need in "$@"; do
    if [ "${need#/}" != "$need" ]; then [ -x "$need" ] || missing=1; else command -v "$need" >/dev/null || missing=1; fi
  done
  [ -z "$missing" ] && return 0
  echo "Installing Debian's $package for $purpose..."
  local run=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then run=(sudo -n); else run=(false); fi
  fi
  if command -v apt-get >/dev/null && "${run[@]}" apt-get update -qq \
      && "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null; then
    return 0
  fi
  echo "warning: could not install $package (needs apt-get as root or passwordless sudo); $purpose will be skipped"
}

export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
debian_install chromium "the browser test (tests/web/test_browser.py)" /usr/bin/chromium
debian_install poppler-utils "the report picture test" pdftoppm pdftotext
if [ -z "${ES_URL:-}" ]; then
  echo "Starting the Elasticsearch test node (first run downloads it from Maven Central)..."
  eval "$(scripts/es-test-node.sh start)"
  export ES_URL
  trap 'scripts/es-test-node.sh stop >/dev/null 2>&1 || true' EXIT
fi
echo "Elasticsearch: $ES_URL"
"$PY" -m pytest -q "$@"
