#!/usr/bin/env bash
# The management API's latency and throughput: `roomlog dev` plus a second gateway on its Kafka,
# one WebSocket client on the first, and bench/ManagementLatency.java timing /@connections
# through the client's own gateway and through the other one (through Kafka), and server posts.
# Prints a markdown table (p50, p99, max). Loopback only; both processes are stopped by pid.
#
#   bench/management.sh [N]      N requests per row (default 1000); needs server/target/roomlog.jar
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
n=${1:-1000}
jar=server/target/roomlog.jar
[ -f "$jar" ] || { echo "bench/management.sh: build first: mvn -B -o package -DskipTests" >&2; exit 2; }

work=$(mktemp -d /tmp/roomlog-mgmt-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # file, text, pid, seconds
  for _ in $(seq 1 $(( $4 * 10 ))); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

ws1=$(free_port); admin1=$(free_port); kafka=$(free_port); ws2=$(free_port); admin2=$(free_port)
java -Xmx2g -jar "$jar" dev --data-dir "$work/data" --port "$ws1" --admin-port "$admin1" \
  --kafka-port "$kafka" --controller-port 0 --query-port 0 > "$work/dev.log" 2>&1 &
pids+=($!)
wait_for "$work/dev.log" "Roomlog dev is ready." "${pids[0]}" 180 || { cat "$work/dev.log" >&2; exit 1; }
api_key=$(awk '/^  API key /{print $3}' "$work/dev.log")
admin_key=$(awk '/^  Admin key /{print $3}' "$work/dev.log")

java -Xmx1g -jar "$jar" gateway --bootstrap-servers "127.0.0.1:$kafka" --partitions 3 --replication-factor 1 \
  --bind-host 127.0.0.1 --port "$ws2" --admin-port "$admin2" --gateway-id bench-2 \
  --api-key "dev:$api_key" --admin-key "$admin_key" > "$work/gateway2.log" 2>&1 &
pids+=($!)
wait_for "$work/gateway2.log" "management API listening" "${pids[1]}" 60 || { cat "$work/gateway2.log" >&2; exit 1; }

echo "Management API, $n requests a row, one at a time ($(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1))"
echo
echo "| request | n | p50 | p99 | max |"
echo "| --- | --- | --- | --- | --- |"
java bench/ManagementLatency.java "ws://127.0.0.1:$ws1/" "$api_key" "http://127.0.0.1:$admin1" \
  "http://127.0.0.1:$admin2" "$admin_key" "$n"
