#!/usr/bin/env bash
# One room of many members over several gateways, against a running `roomlog dev`: bench/run.sh's
# huge room, which it calls; runnable alone against a dev you started with the bench's limits.
#
# Every member is a WebSocket connection, and a process holds a descriptor per connection under a
# hard limit (`ulimit -Hn`) that only CAP_SYS_RESOURCE raises. So the room is played by S generator
# processes (the load generator's `--shard I/S`) and S gateways (dev's and S-1 `roomlog gateway`s
# on dev's Kafka), each holding at most `ulimit -Hn` minus 2,000 members; at least two gateways.
# Shard I's connections go to gateway I. Shard 0 creates the room once every shard is connected,
# all shards join at once, shard 0 publishes and writes the whole room's result.
#
#   bench/huge-room.sh --target HOST:PORT --bootstrap HOST:PORT --api-key KEY --size N
#                      --offered DELIVERIES_PER_S --out FILE --logs DIR
#                      [--partitions N] [--warmup 3s] [--duration 15s] [--setup-rate N]
#                      [--connect-rate N] [--message-size N] [--drain-timeout 180s] [--server-pid PID]
#                      [--roomlog-jar JAR] [--loadtest-jar JAR] [--gateway-set KEY=VALUE]...
#
#   --target        dev's gateway        --bootstrap   dev's Kafka
#   --offered       deliveries/s offered: the publisher sends offered / size msg/s
#   --drain-timeout how long the shards wait for the last deliveries (default 180s: offered more
#                   than the gateways deliver, the room works through a backlog; what is still
#                   missing then is reported missing)
#   --setup-rate    joins/s offered, all shards together (default 20000)
#   --connect-rate  connections/s opened, all shards together (default 2000)
#   --server-pid    dev's pid: the heaps after GC, dev's and every gateway's, are measured
#   --gateway-set   a roomlog.gateway.* setting for the extra gateways (repeatable; give them the
#                   limits dev has)
#
# Prints KEY=VALUE lines on stdout (hugeRoomSize, hugeRoomShards, hugeRoomRate, ...) for the
# report; exit 0 when shard 0 wrote its result, 1 otherwise. Everything it starts, it stops by pid.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target= bootstrap= api_key= size= offered= out= logs= partitions=3 warmup=3s duration=15s
setup_rate=20000 connect_rate=2000 message_size=64 server_pid= drain_timeout=180s
roomlog_jar=$root/server/target/roomlog.jar
loadtest_jar=$root/loadtest/target/roomlog-loadtest.jar
gateway_sets=()
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || { echo "bench/huge-room.sh: $1 needs a value" >&2; exit 2; }
  case $1 in
    --target) target=$2 ;;
    --bootstrap) bootstrap=$2 ;;
    --api-key) api_key=$2 ;;
    --size) size=$2 ;;
    --offered) offered=$2 ;;
    --out) out=$2 ;;
    --logs) logs=$2 ;;
    --partitions) partitions=$2 ;;
    --warmup) warmup=$2 ;;
    --duration) duration=$2 ;;
    --setup-rate) setup_rate=$2 ;;
    --connect-rate) connect_rate=$2 ;;
    --message-size) message_size=$2 ;;
    --drain-timeout) drain_timeout=$2 ;;
    --server-pid) server_pid=$2 ;;
    --roomlog-jar) roomlog_jar=$2 ;;
    --loadtest-jar) loadtest_jar=$2 ;;
    --gateway-set) gateway_sets+=(--set "$2") ;;
    *) echo "bench/huge-room.sh: unknown flag $1 (see the header of bench/huge-room.sh)" >&2; exit 2 ;;
  esac
  shift 2
done
for flag in target bootstrap api_key size offered out logs; do
  [ -n "${!flag}" ] || { echo "bench/huge-room.sh: --${flag//_/-} is required" >&2; exit 2; }
done
[[ $size =~ ^[1-9][0-9]*$ ]] && [ "$size" -ge 2 ] ||
  { echo "bench/huge-room.sh: --size must be a whole number of at least 2, got '$size'" >&2; exit 2; }
mkdir -p "$logs"

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
if [ "$nofile" = unlimited ]; then per_process=$size; else per_process=$((nofile - 2000)); fi
shards=$(((size + per_process - 1) / per_process))
[ "$shards" -ge 2 ] || shards=2
# Messages/s, fractional: a room of 100,000 at 1 msg/s is already 100,000 deliveries/s.
rate=$(awk -v o="$offered" -v n="$size" 'BEGIN { printf "%.3f", o / n }')
# Shard 0 takes what does not divide evenly.
base=$((size / shards))
first=$((size - base * (shards - 1)))
shard_connect_rate=$(((connect_rate + shards - 1) / shards))
shard_setup_rate=$(((setup_rate + shards - 1) / shards))
shard_dir=$(mktemp -d /tmp/roomlog-huge-room.XXXXXX)

pids=()
cleanup() {
  local rc=$? p i
  trap - EXIT INT TERM
  for p in ${pids[@]+"${pids[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
  for p in ${pids[@]+"${pids[@]}"}; do
    for ((i = 0; i < 300; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$shard_dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
say() { echo "huge room: $*" >&2; }

# The extra gateways, one per shard after the first.
targets=("$target")
gateway_pids=()
for ((i = 1; i < shards; i++)); do
  log=$logs/gateway-$((i + 1)).log
  java -Xmx2g -jar "$roomlog_jar" gateway --bootstrap-servers "$bootstrap" \
    --partitions "$partitions" --replication-factor 1 --bind-host 127.0.0.1 --port 0 --admin-port -1 \
    --gateway-id "bench-$((i + 1))" --api-key "bench:$api_key" ${gateway_sets[@]+"${gateway_sets[@]}"} \
    >"$log" 2>&1 &
  pids+=($!)
  gateway_pids+=($!)
done
for ((i = 1; i < shards; i++)); do
  log=$logs/gateway-$((i + 1)).log
  port=
  for ((t = 0; t < 900; t++)); do
    port=$(sed -n 's|.* listening on port \([0-9]*\) .*|\1|p' "$log" | head -1)
    [ -n "$port" ] && break
    kill -0 "${gateway_pids[$((i - 1))]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { tail -20 "$log" >&2; say "gateway $((i + 1)) did not start ($log)"; exit 1; }
  targets+=("127.0.0.1:$port")
done
say "$size members: $shards generator processes and gateways (${targets[*]}), at most $per_process each; $rate msg/s"

server_pid_flags=()
if [ -n "$server_pid" ]; then
  server_pid_flags=(--server-pid "$server_pid")
  for p in "${gateway_pids[@]}"; do server_pid_flags+=(--server-pid "$p"); done
fi
shard_pids=()
for ((i = shards - 1; i >= 0; i--)); do
  n=$base
  extra=()
  if [ "$i" -eq 0 ]; then
    n=$first
    extra=(--out "$out" --plots "$(dirname "$out")/plots/roomlog-huge-room" ${server_pid_flags[@]+"${server_pid_flags[@]}"})
  fi
  java -jar "$loadtest_jar" --quiet --scenario fanout --api-key "$api_key" --message-size "$message_size" \
    --target "${targets[$i]}" --shard "$i/$shards" --shard-dir "$shard_dir" \
    --connections "$n" --rate "$rate" --warmup "$warmup" --duration "$duration" \
    --connect-rate "$shard_connect_rate" --setup-rate "$shard_setup_rate" --connect-timeout 900s \
    --drain-timeout "$drain_timeout" --source-addresses 16 ${extra[@]+"${extra[@]}"} \
    >"$logs/huge-room-shard-$i.txt" 2>"$logs/huge-room-shard-$i.err" &
  pids+=($!)
  shard_pids[$i]=$!
done
rc=0
for ((i = 0; i < shards; i++)); do
  wait "${shard_pids[$i]}" || { rc=$?; say "shard $i exited $rc: $(tail -1 "$logs/huge-room-shard-$i.err")"; }
done
echo "hugeRoomSize=$size"
echo "hugeRoomShards=$shards"
echo "hugeRoomPerProcess=$per_process"
echo "hugeRoomRate=$rate"
echo "hugeRoomSetupRate=$setup_rate"
[ "$rc" -eq 0 ] && [ -s "$out" ] || exit 1
