#!/usr/bin/env bash
# Load runs by hand (never in CI); docs/benchmarks.md, "Channels and realtime", has the figures.
#   client/load.sh realtime N M RATES [RAW_RATES] [-- tool options]
#       a fresh Liaison server and the raw broadcast server, each its own process, then the
#       tool: setup, Liaison timed steps, raw timed steps, table and ratio.
#   client/load.sh store [tool options]
#       a fresh Liaison server, then appends and catch-up reads through the API. Pass server
#       settings in the environment, e.g. LIAISON_DELIVERY_CACHE_ENTRIES=0 client/load.sh store
# Needs the jars: mvn -B -q -o -DskipTests package. Everything listens on 127.0.0.1 and is
# stopped on exit. Logs and data stay in /tmp/liaison-load.* for reading afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER_JAR=server/target/liaison-server.jar
CLIENT_JAR=client/target/liaison-client.jar
PORT=${LOAD_PORT:-18090}
RAW_PORT=${LOAD_RAW_PORT:-18091}
TOOL=(java -Xmx${LOAD_CLIENT_HEAP:-4g} -cp "$CLIENT_JAR" org.liaison.client.load.LoadTool)
[[ -f $SERVER_JAR && -f $CLIENT_JAR ]] || { echo "build first: mvn -B -q -o -DskipTests package" >&2; exit 2; }

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 60); do
    (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  exit 1
}

start_server() {
  DATA=$(mktemp -d /tmp/liaison-load.XXXXXX)
  echo "server: data dir $DATA, log $DATA.log" >&2
  LIAISON_DATA_DIR=$DATA LIAISON_HTTP_PORT=$PORT LIAISON_WEB_ROOT=/nonexistent \
    LIAISON_ARGON2_MEMORY_KIB=64 LIAISON_ARGON2_ITERATIONS=1 \
    LIAISON_REALTIME_FRAMES_PER_SECOND=100000 LIAISON_REALTIME_FRAME_BURST=100000 \
    LIAISON_HTTP_APPENDS_PER_SECOND=${LIAISON_HTTP_APPENDS_PER_SECOND:-100000} \
    LIAISON_HTTP_APPEND_BURST=${LIAISON_HTTP_APPEND_BURST:-100000} \
    LIAISON_LOGIN_FAILURES_PER_ADDRESS=${LIAISON_LOGIN_FAILURES_PER_ADDRESS:-100000} \
    LIAISON_ACCESS_TOKEN_MINUTES=60 \
    java -Xmx4g -jar "$SERVER_JAR" >"$DATA.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_port "$PORT"
}

start_raw() {
  java -Xmx4g -cp "$CLIENT_JAR" org.liaison.client.load.LoadTool raw-server "$RAW_PORT" \
    "${LOAD_RAW_LOOPS:-1}" >/tmp/liaison-load-raw.log 2>&1 &
  RAW_PID=$!
  PIDS+=("$RAW_PID")
  wait_port "$RAW_PORT"
}

machine() {
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB," \
    "$(java -version 2>&1 | head -1), ulimit -n $(ulimit -n), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

mode=${1:-}
shift || true
case $mode in
  realtime)
    n=$1 m=$2 rates=$3
    shift 3
    raw_rates=$rates
    if [[ $# -gt 0 && $1 != -- ]]; then raw_rates=$1; shift; fi
    [[ ${1:-} == -- ]] && shift
    machine
    start_raw
    start_server
    set +e
    "${TOOL[@]}" liaison --port "$PORT" --data-dir "$DATA" --n "$n" --m "$m" --rates "$rates" \
      --raw-port "$RAW_PORT" --raw-rates "$raw_rates" --server-pid "$SERVER_PID" \
      --raw-pid "$RAW_PID" "$@" &
    tool=$!
    wait "$tool"
    status=$?
    set -e
    ;;
  store)
    machine
    start_server
    set +e
    "${TOOL[@]}" store --port "$PORT" --data-dir "$DATA" --server-pid "$SERVER_PID" "$@" &
    tool=$!
    wait "$tool"
    status=$?
    set -e
    ;;
  *)
    sed -n '2,10p' "$0"
    exit 2
    ;;
esac
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); server RSS $(ps -o rss= -p "$SERVER_PID" 2>/dev/null | awk '{printf "%.0f MiB", $1/1024}')"
echo "server errors/warnings in $DATA.log: $(grep -cE ' (WARN|ERROR) ' "$DATA.log" || true)"
grep -E ' (WARN|ERROR) ' "$DATA.log" | cut -c1-200 | sort | uniq -c | sort -rn | head -5 || true
exit "$status"
