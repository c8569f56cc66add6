#!/usr/bin/env bash
# Single-node Elasticsearch 8 for the test suite, built from Maven Central only
# (no Docker, no artifacts.elastic.co). See deploy/elasticsearch/testnode/pom.xml.
#
#   scripts/es-test-node.sh start    # build if needed, start, wait for yellow, print ES_URL=...
#   scripts/es-test-node.sh stop     # stop and wait for the JVM to exit
#   scripts/es-test-node.sh status   # print state; exit 0 if running and answering, 3 otherwise
#   scripts/es-test-node.sh restart
#
#   eval "$(scripts/es-test-node.sh start)" && export ES_URL
#
# Environment:
#   ES_TEST_HOME     state dir (build, config, data, logs, pid)  default <repo>/.es-test
#                    (as root, if ES_TEST_RUN_AS cannot reach the repo, e.g. a clone under
#                    /root: default ${TMPDIR:-/tmp}/mcu-es-test-<hash of repo path>)
#   ES_TEST_PORT     HTTP port. If unset, 9200 or the next free port up to 9299;
#                    if set, exactly that port (error when taken by something else).
#   ES_TEST_VERSION  server version (an integ-test-zip on Maven Central)  default 8.19.21
#   ES_TEST_HEAP     JVM heap (-Xms = -Xmx)                               default 512m
#   ES_TEST_TIMEOUT  seconds to wait for the node to answer yellow        default 120
#   ES_TEST_RUN_AS   when run as root: user (name or uid) the node runs as, since
#                    Elasticsearch refuses to run as root                 default nobody
#                    (run as a normal user, the node runs as that user)
#   ES_JAVA_HOME     JDK 17+ to run the node; default: the `java` on PATH
#   MAVEN_REPO_LOCAL Maven local repository; default Maven's (~/.m2/repository)
#
# The only stdout line of `start` is ES_URL=http://127.0.0.1:PORT; progress goes to stderr.
# Data persists across stop/start; `rm -rf .es-test/node` (node stopped) resets it. When
# switching ES_TEST_VERSION, reset it too (an index written by a newer server can't be read
# by an older one).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_SRC="$REPO_ROOT/deploy/elasticsearch/testnode"

log() { printf '[es-test-node] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Elasticsearch refuses to run as root: as root, the node runs as ES_TEST_RUN_AS.
RUN_AS_PREFIX=()
RUN_AS_IDS=""
if [[ "$(id -u)" == 0 ]]; then
    run_as="${ES_TEST_RUN_AS:-nobody}"
    run_uid="$(id -u "$run_as" 2>/dev/null)" || die "ES_TEST_RUN_AS=$run_as: no such user"
    [[ "$run_uid" != 0 ]] || die "ES_TEST_RUN_AS must not be root (Elasticsearch refuses to run as root)"
    RUN_AS_IDS="$run_uid:$(id -g "$run_as")"
    RUN_AS_PREFIX=(setpriv "--reuid=$run_uid" "--regid=$(id -g "$run_as")" --clear-groups)
fi

if [[ -z "${ES_TEST_HOME:-}" ]]; then
    ES_TEST_HOME="$REPO_ROOT/.es-test"
    if ((${#RUN_AS_PREFIX[@]})) && ! "${RUN_AS_PREFIX[@]}" test -x "$REPO_ROOT"; then
        ES_TEST_HOME="${TMPDIR:-/tmp}/mcu-es-test-$(printf '%s' "$REPO_ROOT" | md5sum | cut -c1-8)"
    fi
fi
mkdir -p "$ES_TEST_HOME"
ES_TEST_HOME="$(cd "$ES_TEST_HOME" && pwd)"
ES_TEST_VERSION="${ES_TEST_VERSION:-8.19.21}"
ES_TEST_HEAP="${ES_TEST_HEAP:-512m}"
ES_TEST_TIMEOUT="${ES_TEST_TIMEOUT:-120}"
CLUSTER_NAME="mcu-test"

BUILD_DIR="$ES_TEST_HOME/build"
ES_HOME="$BUILD_DIR/elasticsearch-$ES_TEST_VERSION"
STAMP="$BUILD_DIR/.built-$ES_TEST_VERSION"
NODE_DIR="$ES_TEST_HOME/node"          # everything the node itself writes; owned by the run user
CONF_DIR="$NODE_DIR/config"
PID_FILE="$NODE_DIR/es.pid"            # written by Elasticsearch (-p), removed on clean shutdown
PORT_FILE="$ES_TEST_HOME/es.port"
LAUNCH_LOG="$ES_TEST_HOME/es-launch.log"   # console of the launcher (nohup)
NODE_LOG="$NODE_DIR/logs/$CLUSTER_NAME.log"
LOCK_FILE="$ES_TEST_HOME/.lock"

# --- helpers -----------------------------------------------------------------

http_get() {  # url -> body on stdout; non-zero on connection failure or HTTP >= 400
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -m 10 "$1" 2>/dev/null
    else
        python3 - "$1" <<'PY'
import sys, urllib.request
try:
    sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())
except Exception:
    sys.exit(1)
PY
    fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

node_pid() {  # prints the pid of our running node, or fails
    local pid
    [[ -s "$PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    # guard against pid reuse: it must be the JVM using our node dir
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "-Djava.io.tmpdir=$NODE_DIR/tmp" || return 1
    echo "$pid"
}

current_port() { [[ -s "$PORT_FILE" ]] && tr -dc '0-9' <"$PORT_FILE"; }

healthy() {  # port -> 0 if our cluster answers yellow or green
    local body
    body="$(http_get "http://127.0.0.1:$1/_cluster/health?wait_for_status=yellow&timeout=2s")" || return 1
    grep -q "\"cluster_name\":\"$CLUSTER_NAME\"" <<<"$body" &&
        grep -qE '"status":"(yellow|green)"' <<<"$body"
}

java_home() {
    if [[ -n "${ES_JAVA_HOME:-}" ]]; then echo "$ES_JAVA_HOME"; return; fi
    local java
    java="$(command -v java)" || die "no java on PATH; install a JDK 17+ or set ES_JAVA_HOME"
    java="$(readlink -f "$java")"
    dirname "$(dirname "$java")"
}

# --- build ---------------------------------------------------------------------

build() {
    # Skip Maven when the ES home is complete and newer than every input.
    if [[ -f "$STAMP" && -x "$ES_HOME/bin/elasticsearch" ]] &&
        [[ -z "$(find "$NODE_SRC" -type f -newer "$STAMP" -print -quit)" ]]; then
        return
    fi
    command -v mvn >/dev/null 2>&1 || die "mvn not found (Maven 3.6.3+ needed)"
    log "building Elasticsearch $ES_TEST_VERSION test node with Maven (a cold ~/.m2 downloads ~140 MB from Central)..."
    local args=(-B -q -s "$NODE_SRC/settings.xml" -f "$NODE_SRC/pom.xml"
        "-Des.version=$ES_TEST_VERSION" "-Des.test.build=$BUILD_DIR")
    [[ -n "${MAVEN_REPO_LOCAL:-}" ]] && args+=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL")
    # plugins/ is empty in the distribution; clear it so no stale plugin survives a rebuild
    rm -rf "$ES_HOME/plugins"
    # (Debian's Maven prints stray ANSI resets even in batch mode: strip them)
    mvn "${args[@]}" package 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 || die "Maven build failed"
    touch "$STAMP"
}

# --- configuration -----------------------------------------------------------------

configure() {  # port
    local port="$1"
    mkdir -p "$CONF_DIR/jvm.options.d" "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/tmp"
    # Stock config files; the keystore ES creates on first start is kept.
    local f
    for f in log4j2.properties jvm.options; do cp "$ES_HOME/config/$f" "$CONF_DIR/$f"; done
    # jvm.options writes gc.log / hs_err / heap dumps relative to ES_HOME (read-only for the
    # node user): point them into the node dir.
    sed -i -e "s#file=logs/#file=$NODE_DIR/logs/#" -e "s#ErrorFile=logs/#ErrorFile=$NODE_DIR/logs/#" \
        -e "s#HeapDumpPath=data#HeapDumpPath=$NODE_DIR/tmp#" "$CONF_DIR/jvm.options"
    cat >"$CONF_DIR/jvm.options.d/mcu-test.options" <<EOF
-Xms$ES_TEST_HEAP
-Xmx$ES_TEST_HEAP
EOF
    cat >"$CONF_DIR/elasticsearch.yml" <<EOF
# Generated by scripts/es-test-node.sh on every start; edits are overwritten.
cluster.name: $CLUSTER_NAME
node.name: $CLUSTER_NAME-node
discovery.type: single-node
network.host: 127.0.0.1
http.port: $port
path.data: $NODE_DIR/data
path.logs: $NODE_DIR/logs
xpack.security.enabled: false
# tests may create/delete indices freely, and CI disks may be nearly full
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
EOF
}

# --- commands --------------------------------------------------------------------

cmd_start() {
    local pid port
    if pid="$(node_pid)"; then
        port="$(current_port)"
        wait_healthy "$port" "" || die "node (pid $pid) is running but not healthy; see $NODE_LOG"
        echo "ES_URL=http://127.0.0.1:$port"
        return
    fi
    rm -f "$PID_FILE" "$PORT_FILE"

    build
    [[ -x "$ES_HOME/bin/elasticsearch" ]] || die "build did not produce $ES_HOME"

    if [[ -n "${ES_TEST_PORT:-}" ]]; then
        port="$ES_TEST_PORT"
        ! port_in_use "$port" || die "port $port is already in use (ES_TEST_PORT is set, so no fallback)"
    else
        port=9200
        while port_in_use "$port"; do
            port=$((port + 1))
            ((port < 9300)) || die "no free port in 9200-9299"
        done
        [[ "$port" == 9200 ]] || log "port 9200 is taken; using $port"
    fi

    configure "$port"
    if [[ -n "$RUN_AS_IDS" ]]; then
        chown -R "$RUN_AS_IDS" "$NODE_DIR"
        # every parent directory must be searchable by that user
        "${RUN_AS_PREFIX[@]}" test -w "$NODE_DIR/data" -a -x "$ES_HOME/bin/elasticsearch" ||
            die "user ${ES_TEST_RUN_AS:-nobody} cannot reach $ES_TEST_HOME (a parent directory not world-searchable?); set ES_TEST_HOME elsewhere, e.g. /tmp/mcu-es-test"
    fi

    echo "$port" >"$PORT_FILE"
    log "starting Elasticsearch $ES_TEST_VERSION on 127.0.0.1:$port (heap $ES_TEST_HEAP, home $ES_TEST_HOME)..."
    : >"$LAUNCH_LOG"
    # -d: the launcher JVM waits until the server is up, then exits; only the server JVM stays.
    env -u JAVA_HOME -u JAVA_OPTS -u JAVA_TOOL_OPTIONS \
        ES_JAVA_HOME="$(java_home)" ES_PATH_CONF="$CONF_DIR" ES_TMPDIR="$NODE_DIR/tmp" \
        ES_JAVA_OPTS="${ES_TEST_JAVA_OPTS:-}" HOME="$NODE_DIR/tmp" \
        nohup "${RUN_AS_PREFIX[@]}" "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE" \
        >>"$LAUNCH_LOG" 2>&1 </dev/null 9>&- &
    local launcher=$!

    if ! wait_healthy "$port" "$launcher"; then
        log "--- $LAUNCH_LOG (tail) ---"; tail -n 30 "$LAUNCH_LOG" >&2 || true
        log "--- $NODE_LOG (tail) ---"; tail -n 30 "$NODE_LOG" >&2 2>/dev/null || true
        cmd_stop >/dev/null 2>&1 || true
        kill "$launcher" 2>/dev/null || true
        die "Elasticsearch did not start (or not healthy within ${ES_TEST_TIMEOUT}s); logs above"
    fi
    echo "ES_URL=http://127.0.0.1:$port"
}

wait_healthy() {  # port launcher-pid(optional)
    local port="$1" launcher="${2:-}" deadline=$((SECONDS + ES_TEST_TIMEOUT))
    while ((SECONDS < deadline)); do
        healthy "$port" && return 0
        if [[ -n "$launcher" ]] && ! kill -0 "$launcher" 2>/dev/null; then
            # launcher is gone: fine if it daemonized the server, fatal otherwise
            wait "$launcher" || { log "launcher exited with status $?"; return 1; }
            launcher=""
            node_pid >/dev/null || { log "server process is not running"; return 1; }
        fi
        sleep 1
    done
    return 1
}

cmd_stop() {
    local pid
    if ! pid="$(node_pid)"; then
        rm -f "$PID_FILE" "$PORT_FILE"
        log "not running"
        return
    fi
    log "stopping pid $pid..."
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "still alive after 60s; killing"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
    log "stopped"
}

cmd_status() {
    local pid port
    if ! pid="$(node_pid)"; then
        echo "stopped"
        return 3
    fi
    port="$(current_port)"
    if healthy "$port"; then
        echo "running pid=$pid ES_URL=http://127.0.0.1:$port"
    else
        echo "starting-or-unhealthy pid=$pid port=$port (log: $NODE_LOG)"
        return 3
    fi
}

main() {
    local cmd="${1:-}"
    case "$cmd" in
    start | stop | status | restart) ;;
    *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
    esac
    # one invocation at a time per ES_TEST_HOME (e.g. parallel test workers calling start)
    exec 9>"$LOCK_FILE"
    flock 9
    case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop; cmd_start ;;
    esac
}

main "$@"
