#!/usr/bin/env bash
# Roomlog's benchmark in one command: every scenario of the load generator against `roomlog dev`,
# beside its baselines measured in the same run on the same machine (Kafka's own producer and
# consumer tools against the dev broker, the bare Netty broadcast server, the Socket.IO peer),
# processor state restore, the JMH microbenchmarks if bench/microbench.sh exists, and then the
# report: docs/BENCHMARKS.md and its plots in docs/bench/.
#
#   bench/run.sh [--quick] [--no-build] [--no-microbench] [--commit-interval-ms N] [--fanout-rate N]
#                [--huge-room-size N] [--dev-arg ARG]...
#
#   --quick                 every step at tiny sizes (seconds): to try the script, and as a smoke check
#   --no-build              use the jars in */target as they are (default: mvn package once)
#   --no-microbench         skip bench/microbench.sh (a JMH run takes minutes)
#   --commit-interval-ms N  the processor's exactly-once commit interval (default: roomlog dev's)
#   --fanout-rate N         messages/s to the room of 1000 (default 120: 120,000 deliveries/s offered)
#   --huge-room-size N      members of the one room spread over several gateways (default 100000;
#                           --quick 300; 0 skips it): one generator process and one gateway per
#                           `ulimit -Hn` minus 2,000 members, at least two (bench/huge-room.sh).
#                           Needs the processor's room cap >= N: --dev-arg --max-room-members --dev-arg N
#   --dev-arg ARG           one more argument for `roomlog dev`, e.g. --dev-arg --set
#                           --dev-arg roomlog.gateway.maxPingsPerSecond=20 (repeatable)
#
# Everything listens on loopback; every process the script starts is stopped at the end (by pid),
# whatever happens. Raw results go to bench/results/ (gitignored, emptied at the start), logs to
# bench/results/logs/. Exit code 0 when every step ran (whatever it measured), 1 when a step
# failed (the report then says "not measured" where it lacks a figure), 2 for a bad flag.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
command_line="bench/run.sh${*:+ $*}"

quick=false
build=true
microbench=true
commit_interval=
fanout_rate_flag=
huge_room_flag=
dev_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=true ;;
    --no-build) build=false ;;
    --no-microbench) microbench=false ;;
    --commit-interval-ms)
      [ $# -ge 2 ] || { echo "bench/run.sh: --commit-interval-ms needs a value" >&2; exit 2; }
      commit_interval=$2
      shift
      ;;
    --commit-interval-ms=*) commit_interval=${1#*=} ;;
    --fanout-rate)
      [ $# -ge 2 ] || { echo "bench/run.sh: --fanout-rate needs a value" >&2; exit 2; }
      fanout_rate_flag=$2
      shift
      ;;
    --fanout-rate=*) fanout_rate_flag=${1#*=} ;;
    --huge-room-size)
      [ $# -ge 2 ] || { echo "bench/run.sh: --huge-room-size needs a value" >&2; exit 2; }
      huge_room_flag=$2
      shift
      ;;
    --huge-room-size=*) huge_room_flag=${1#*=} ;;
    --dev-arg)
      [ $# -ge 2 ] || { echo "bench/run.sh: --dev-arg needs a value" >&2; exit 2; }
      dev_args+=("$2")
      shift
      ;;
    --dev-arg=*) dev_args+=("${1#*=}") ;;
    -h | --help)
      sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "bench/run.sh: unknown flag '$1' (--help lists them)" >&2
      exit 2
      ;;
  esac
  shift
done
if [ -n "$commit_interval" ] && ! [[ $commit_interval =~ ^[0-9]+$ ]]; then
  echo "bench/run.sh: --commit-interval-ms must be a whole number of milliseconds, got '$commit_interval'" >&2
  exit 2
fi
if [ -n "$fanout_rate_flag" ] && ! [[ $fanout_rate_flag =~ ^[1-9][0-9]*$ ]]; then
  echo "bench/run.sh: --fanout-rate must be a positive whole number of messages/s, got '$fanout_rate_flag'" >&2
  exit 2
fi
if [ -n "$huge_room_flag" ] && ! [[ $huge_room_flag =~ ^(0|[1-9][0-9]*)$ ]]; then
  echo "bench/run.sh: --huge-room-size must be a whole number of members (0 skips the scenario), got '$huge_room_flag'" >&2
  exit 2
fi

# ---- sizes -------------------------------------------------------------------------------------
# Full: about 25 minutes on 2 cores, plus the JMH run (about 3). Quick: the same steps in about 5 minutes.
if $quick; then
  step_warmup=1s step_duration=2s step_drain=5s search_steps=3
  ingest_connections=20 ingest_start_rate=100
  chat_connections=40 chat_start_rate=50 chat_warmup=1s chat_duration=3s
  fanout_connections=50 fanout_rate=20 fanout_warmup=1s fanout_duration=3s
  idle_connections=300 idle_hold=2s
  reconnect_clients=50
  kafka_warmup_records=0 kafka_records=20000
  huge_room_size=300 huge_warmup=1s huge_duration=3s huge_offered=6000
else
  # 12 steps: from 500 msg/s, doubling reaches 512,000 before the bracket is bisected; a search
  # stops as soon as its bracket is within 20%, so a slower server uses fewer.
  step_warmup=2s step_duration=6s step_drain=5s search_steps=12
  ingest_connections=100 ingest_start_rate=1000
  chat_connections=1000 chat_start_rate=500 chat_warmup=5s chat_duration=20s
  fanout_connections=1000 fanout_rate=120 fanout_warmup=3s fanout_duration=15s
  idle_connections=20000 idle_hold=10s
  reconnect_clients=1000
  kafka_warmup_records=200000 kafka_records=1000000
  huge_room_size=100000 huge_warmup=3s huge_duration=15s huge_offered=150000
fi
warmup_rate=$chat_start_rate
if $quick; then warmup_duration=2s; else warmup_duration=10s; fi
[ -z "$fanout_rate_flag" ] || fanout_rate=$fanout_rate_flag
[ -z "$huge_room_flag" ] || huge_room_size=$huge_room_flag
huge_room_requested=$huge_room_size
room_size=10
message_size=64
api_key=bench-secret
# A step of the search "sustains" its rate when acks and deliveries arrive at >= this share of
# the offered rate within the window, with no error and no message left incomplete.
sustain_share=0.95

results=$root/bench/results
logs=$results/logs
docs_plots=$root/docs/bench
loadtest_jar=$root/loadtest/target/roomlog-loadtest.jar
roomlog_jar=$root/server/target/roomlog.jar
kafka_tools=$root/server/target/kafka-tools
started_epoch=$(date +%s)

# ---- processes: every one started here is stopped by its pid on exit --------------------------
# Each runs in a process group of its own (setsid), led by the pid recorded here, so that stopping
# it also stops what it started (kafka-baselines.sh's and microbench.sh's JVMs). Nothing runs in
# the foreground for long: the traps run only between foreground commands.
pids=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/roomlog-bench.XXXXXX")
failures=()
if command -v setsid >/dev/null 2>&1; then own_group=(setsid); else own_group=(); fi

# start_bg COMMAND...: starts it in the background; its pid in started_pid and in pids.
start_bg() {
  ${own_group[@]+"${own_group[@]}"} "$@" &
  started_pid=$!
  pids+=("$started_pid")
}

# alive PID: the process, or any of its group, still runs.
alive() {
  kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null
}

stop_pid() {
  local pid=$1 i
  alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "bench/run.sh: pid $pid did not stop within 30 s of SIGTERM; killing it" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

forget_pid() {
  local keep=() p
  for p in "${pids[@]}"; do
    [ "$p" = "$1" ] || keep+=("$p")
  done
  pids=(${keep[@]+"${keep[@]}"})
}

cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  for p in ${pids[@]+"${pids[@]}"}; do
    stop_pid "$p"
  done
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

elapsed() { echo $(($(date +%s) - started_epoch)); }
say() { printf '[%4ss] %s\n' "$(elapsed)" "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
note_load() { echo "$(elapsed) $(loadavg) $1" >>"$results/loadavg.txt"; }
fail() {
  failures+=("$1")
  say "FAILED: $1"
}

# Waits until FILE has a line matching PATTERN, while PID lives, for at most SECONDS.
wait_for_line() {
  local file=$1 pattern=$2 pid=$3 seconds=$4 i
  for ((i = 0; i < seconds * 10; i++)); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Runs a command in the background (so that the traps can stop it) and waits for it.
run_tracked() {
  local pid rc
  start_bg "$@"
  pid=$started_pid
  if wait "$pid"; then rc=0; else rc=$?; fi
  forget_pid "$pid"
  return "$rc"
}

kafka_tool=(java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$root/server/target/kafka-tools/*")

# ---- build ---------------------------------------------------------------------------------------
mkdir -p "$results"
# Last run's results go; a JMH result stays when this run does not make a new one.
find "$results" -mindepth 1 -maxdepth 1 ! -name 'microbench.*' -exec rm -rf {} +
if $microbench && [ -x "$root/bench/microbench.sh" ]; then
  rm -f "$results"/microbench.*
fi
mkdir -p "$logs" "$results/plots" "$docs_plots"
rm -f "$docs_plots"/*.png
: >"$results/loadavg.txt"
note_load start

say "bench/run.sh: results in bench/results, report in docs/BENCHMARKS.md ($(nproc) cores, load $(loadavg))"
if $build; then
  say "building: mvn -B -q -DskipTests -DskipITs package"
  run_tracked mvn -B -q -DskipTests -DskipITs package >"$logs/build.log" 2>&1 || {
    tail -40 "$logs/build.log" >&2
    echo "bench/run.sh: the build failed (bench/results/logs/build.log)" >&2
    exit 1
  }
fi
for f in "$loadtest_jar" "$roomlog_jar" "$kafka_tools"; do
  [ -e "$f" ] || { echo "bench/run.sh: $f is missing: run without --no-build" >&2; exit 1; }
done

# Both the generator and the servers hold one file descriptor per connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
if [ "$nofile" != unlimited ] && [ "$idle_connections" -gt $((nofile - 1000)) ]; then
  idle_connections=$((nofile - 1000))
  say "connections scenario: $idle_connections connections (ulimit -n is $nofile)"
fi
# The huge room needs no cap: bench/huge-room.sh plays it with as many generator processes and
# gateways as the descriptor limit asks.
huge_room_note=

kafka_version=$(basename "$(ls "$root"/server/target/lib/kafka-clients-*.jar | head -1)" .jar)
kafka_version=${kafka_version#kafka-clients-}
netty_version=$(basename "$(ls "$root"/loadtest/target/lib/netty-common-*.jar | head -1)" .jar)
netty_version=${netty_version#netty-common-}
default_commit_interval=$(java -jar "$roomlog_jar" dev --help | tr -s ' \n' ' ' |
  sed -n 's/.*ROOMLOG_COMMIT_INTERVAL_MS; default \([0-9]*\).*/\1/p')

# ---- the load generator ------------------------------------------------------------------------
# loadgen LABEL FLAGS...: one run, its JSON as bench/results/LABEL.json, its table in the log.
loadgen() {
  local label=$1
  shift
  local rc=0
  note_load "$label"
  run_tracked java -jar "$loadtest_jar" --quiet --api-key "$api_key" --message-size "$message_size" \
    --out "$results/$label.json" --plots "$results/plots/$label" "$@" \
    >"$logs/$label.txt" 2>"$logs/$label.err" || rc=$?
  if [ "$rc" -eq 0 ]; then
    say "$label: $(sed -n 2p "$logs/$label.txt" | tr -s ' ')"
    return 0
  fi
  fail "$label (exit $rc): $(tail -1 "$logs/$label.err")"
  return 1
}

json() { jq -r "$2" "$results/$1.json"; }

# Copies the plots of run SRC to docs/bench/LABEL-<plot>.png (the generator names them
# <scenario>-<plot>.png; the label already says the scenario).
keep_plots() {
  local label=$1 src=$2 f name
  for f in "$results/plots/$src"/*.png; do
    [ -e "$f" ] || continue
    name=${f##*/}
    cp "$f" "$docs_plots/$label-${name#*-}"
  done
}

# ---- roomlog dev ---------------------------------------------------------------------------------
data_dir=$tmp/data
# The generator is one client (one key, a few addresses) playing thousands (loadtest/README.md):
# every gateway of the benchmark gets these.
limit_sets=(
  --set roomlog.gateway.connectionRatePerSecond=100000 --set roomlog.gateway.connectionBurst=100000
  --set roomlog.gateway.apiKeyRatePerSecond=1000000 --set roomlog.gateway.apiKeyBurst=1000000
  --set roomlog.gateway.maxConnections=100000 --set roomlog.gateway.maxConnectionsPerIp=100000
  --set roomlog.gateway.maxInFlightActions=100000 --set roomlog.gateway.maxInFlightActionsPerConnection=10000
  --set roomlog.gateway.maxUnansweredActionsPerConnection=10000
  --set roomlog.gateway.maxPendingHandshakes=100000 --set roomlog.gateway.maxPendingHandshakesPerIp=100000
  --set roomlog.gateway.handshakesPerSecondPerIp=100000 --set roomlog.gateway.handshakeBurstPerIp=100000
  # Thousands of upgrades queued on a busy machine: slow is measured, not refused with 408.
  --set roomlog.gateway.handshakeTimeout=60s
  # A generator starved of CPU (the huge room runs a dozen JVMs on the cores) answers pings late:
  # 1001 "no pong" would close members mid-setup.
  --set roomlog.gateway.pongTimeout=60s)
dev_pid=
dev_port=
bootstrap=

start_dev() {
  local log=$1 args
  args=(-Xmx4g
    -jar "$roomlog_jar" dev --data-dir "$data_dir" --bind-host 127.0.0.1
    # Kafka Streams' restore lines, for the state-restore measurement.
    --log-level org.apache.kafka.streams.processor.internals.StoreChangelogReader=info
    --port 0 --kafka-port 0 --controller-port 0 --query-port 0 --api-key "bench:$api_key"
    "${limit_sets[@]}")
  if [ -n "$commit_interval" ]; then
    args+=(--commit-interval-ms "$commit_interval")
  fi
  args+=(${dev_args[@]+"${dev_args[@]}"})
  start_bg java "${args[@]}" >"$log" 2>&1
  dev_pid=$started_pid
  if ! wait_for_line "$log" "Roomlog dev is ready." "$dev_pid" 180; then
    tail -30 "$log" >&2
    echo "bench/run.sh: roomlog dev did not get ready (bench/results/logs/${log##*/})" >&2
    exit 1
  fi
  dev_port=$(sed -n 's|^ *Gateway *ws://localhost:\([0-9]*\)/.*|\1|p' "$log" | head -1)
  bootstrap=$(sed -n 's|^ *Kafka *\([0-9.]*:[0-9]*\) .*|\1|p' "$log" | head -1)
  query_port=$(sed -n 's|^ *Rooms *http://localhost:\([0-9]*\)/rooms.*|\1|p' "$log" | head -1)
  # The gateway's count of client actions Kafka acknowledged: the rate into the log.
  log_counter="http://127.0.0.1:$query_port/metrics#roomlog_gateway_wal_append_seconds_count{kind=\"message\",result=\"acknowledged\"}"
}

stop_dev() {
  stop_pid "$dev_pid"
  forget_pid "$dev_pid"
}

# Sets lag: the total lag of the room processor's consumer group (-1 when it could not be read).
# Under exactly-once the committed offset stops before a partition's last transaction marker, so
# an idle processor shows a lag of about one per partition.
processor_lag() {
  run_tracked "${kafka_tool[@]}" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server "$bootstrap" --describe --group roomlog-processor \
    >"$tmp/lag.txt" 2>>"$logs/processor-lag.log" || true
  cat "$tmp/lag.txt" >>"$logs/processor-lag.log"
  lag=$(awk '$6 ~ /^[0-9]+$/ { lag += $6; n++ } END { print (n ? lag : -1) }' "$tmp/lag.txt")
}

# After an overloaded step, waits (60 s at most) until the processor has caught up, so that the
# next step does not pay for this one's backlog.
wait_processor_idle() {
  local i
  for ((i = 0; i < 30; i++)); do
    processor_lag
    # -1: the group could not be described; nothing to wait for then.
    [ "$lag" -le 20 ] && return 0
    sleep 1
  done
  say "the processor still lags by $lag records; going on"
}

# search_max LABEL PORT START_RATE JUDGE FLAGS...: a step search for the highest rate the server on
# 127.0.0.1:PORT sustains: doubles from START_RATE while a step sustains, then bisects between the
# last rate sustained and the first one that was not. Each step is a short run; steps in
# bench/results/LABEL-search.tsv. JUDGE says what "sustains" means:
#   answered  acks (the sender's own copy) and deliveries at >= sustain_share of the rate, no
#             timeout, no error;
#   log       the server counter (--server-counter: actions Kafka acknowledged) at >= sustain_share
#             of the rate, no error; answers that come late or never do not count against it. A
#             step whose counter could not be read (the page answers seconds late on a saturated
#             machine) is judged as `answered`: the processor answers only what Kafka acknowledged.
# Sets search_max_rate (0 when no step sustained), search_best (its label) and search_capped (true
# when every step sustained: the maximum is at least search_max_rate).
search_max() {
  local name=$1 port=$2 rate=$3 judge=$4 lo=0 hi=0 i label ok a d t e p99 size c
  shift 4
  local tsv=$results/$name-search.tsv
  printf 'step\ttargetRate\tachievedRate\tdeliveriesPerSecond\troomSize\ttimeouts\terrors\tlatencyP99Ms\tsustained\tlogRate\n' >"$tsv"
  search_max_rate=0
  search_best=
  search_capped=false
  for ((i = 1; i <= search_steps; i++)); do
    label=$name-step-$i
    if loadgen "$label" --target "127.0.0.1:$port" --rate "$rate" \
      --warmup "$step_warmup" --duration "$step_duration" --drain-timeout "$step_drain" "$@"; then
      read -r a d size t e p99 c < <(json "$label" \
        '[.achievedRate, .deliveriesPerSecond, .roomSize, .timeouts, .errorsTotal, (.latencyP99Ms // "-"), (.serverCounterPerSecond // "-")] | @tsv')
      if [ "$judge" = log ]; then
        ok=$(awk -v c="$c" -v a="$a" -v t="$t" -v r="$rate" -v e="$e" -v share="$sustain_share" \
          'BEGIN { if (c != "-") print (c >= share * r && e == 0) ? "yes" : "no";
                   else print (a >= share * r && t == 0 && e == 0) ? "yes" : "no" }')
      else
        ok=$(awk -v a="$a" -v d="$d" -v s="$size" -v r="$rate" -v t="$t" -v e="$e" -v share="$sustain_share" \
          'BEGIN { print (a >= share * r && d >= share * r * s && t == 0 && e == 0) ? "yes" : "no" }')
      fi
    else
      a=0 d=0 size=0 t=- e=- p99=- c=- ok=no
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$rate" "$a" "$d" "$size" "$t" "$e" "$p99" "$ok" "$c" >>"$tsv"
    if [ "$ok" = yes ]; then
      lo=$rate
      search_max_rate=$rate
      search_best=$label
    else
      hi=$rate
    fi
    # Done when the bracket is within 20%.
    if [ "$lo" -gt 0 ] && [ "$hi" -gt 0 ] && [ $((hi * 10)) -le $((lo * 12)) ]; then
      break
    fi
    if [ "$hi" -eq 0 ]; then
      rate=$((rate * 2))
    elif [ "$lo" -eq 0 ]; then
      rate=$((rate / 2))
      [ "$rate" -ge 1 ] || break
    else
      rate=$(((lo + hi) / 2))
    fi
    # Only Roomlog keeps a backlog (in Kafka) after a step it did not sustain.
    if [ "$ok" != yes ] && [ "$i" -lt "$search_steps" ] && [[ $name == roomlog-* ]]; then
      wait_processor_idle
    fi
  done
  [ "$hi" -gt 0 ] || [ "$lo" -eq 0 ] || search_capped=true
}

say "starting roomlog dev (-Xmx4g, commit interval ${commit_interval:-$default_commit_interval} ms)"
start_dev "$logs/roomlog-dev.log"
say "roomlog dev is ready: ws://127.0.0.1:$dev_port/, Kafka $bootstrap"

# A run before any that is measured, so that no figure pays for the server's JIT compiling.
say "warm-up: chat at $warmup_rate msg/s for $warmup_duration (not reported)"
loadgen warmup --scenario chat --target "127.0.0.1:$dev_port" --connections "$chat_connections" \
  --room-size "$room_size" --rate "$warmup_rate" --warmup 1s --duration "$warmup_duration" || true
wait_processor_idle

# ingest, two rates, each the highest sustained by its own search; every step reads both:
# - answered: the sender's own copy of its message arrives, which the processor sends (the whole
#   path: gateway, log, processor, deliveries, gateway);
# - into the log: the gateway's count of actions Kafka acknowledged (acks=all), over the window.
say "ingest (answered by the processor): step search from $ingest_start_rate actions/s, $ingest_connections connections"
search_max roomlog-ingest "$dev_port" "$ingest_start_rate" answered --scenario ingest \
  --connections "$ingest_connections" --server-counter "$log_counter"
ingest_max=$search_max_rate
if [ -n "$search_best" ]; then
  cp "$results/$search_best.json" "$results/roomlog-ingest.json"
  keep_plots roomlog-ingest "$search_best"
  say "ingest (answered): sustained $ingest_max actions/s"
else
  fail "ingest (answered): no step sustained its rate (bench/results/roomlog-ingest-search.tsv)"
fi
wait_processor_idle
say "ingest (into the log): step search from $ingest_start_rate actions/s"
search_max roomlog-ingest-log "$dev_port" "$ingest_start_rate" log --scenario ingest \
  --connections "$ingest_connections" --server-counter "$log_counter"
ingest_log_max=$search_max_rate
ingest_log_capped=$search_capped
if [ -n "$search_best" ]; then
  cp "$results/$search_best.json" "$results/roomlog-ingest-log.json"
  say "ingest (into the log): sustained $ingest_log_max actions/s"
else
  fail "ingest (into the log): no step sustained its rate (bench/results/roomlog-ingest-log-search.tsv)"
fi
wait_processor_idle

# Kafka's own tools against the same broker, with records the size of the generator's actions
# as they are in the log (one sendMessage action, with its request context).
# Bounded: --timeout-ms only counts once the consumer has joined its group, and a join that never
# completes (seen on a loaded machine) would hold the run.
run_tracked timeout 60 "${kafka_tool[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$bootstrap" \
  --topic roomlog.actions --from-beginning --max-messages 5000 --timeout-ms 10000 \
  >"$tmp/actions.txt" 2>"$logs/console-consumer.log" || true
record_size=$(LC_ALL=C awk '/"action":"sendMessage"/ { n++; bytes += length($0) } END { if (n) printf "%d", bytes / n }' \
  "$tmp/actions.txt")
if ! [[ ${record_size:-} =~ ^[0-9]+$ ]] || [ "$record_size" -eq 0 ]; then
  record_size=400
  say "could not read a sendMessage record from roomlog.actions; Kafka baselines with $record_size B records"
fi
note_load kafka-baselines
if [ "$kafka_warmup_records" -gt 0 ]; then
  say "Kafka baselines: warm-up, $kafka_warmup_records records of $record_size B"
  run_tracked "$root/bench/kafka-baselines.sh" "$bootstrap" "$record_size" "$kafka_warmup_records" \
    >"$results/kafka-baselines-warmup.txt" 2>"$logs/kafka-baselines-warmup.log" ||
    fail "Kafka baselines warm-up (bench/results/logs/kafka-baselines-warmup.log)"
fi
say "Kafka baselines: ProducerPerformance and ConsumerPerformance, $kafka_records records of $record_size B"
if run_tracked "$root/bench/kafka-baselines.sh" "$bootstrap" "$record_size" "$kafka_records" \
  >"$results/kafka-baselines.txt" 2>"$logs/kafka-baselines.log"; then
  while read -r line; do say "  $line"; done <"$results/kafka-baselines.txt"
else
  fail "Kafka baselines (bench/results/logs/kafka-baselines.log)"
fi

# chat: the maximum sustained rate, then p99 end-to-end at 25% of it.
# The same search, same flags, runs against the bare Netty server and the Socket.IO peer below.
chat_search_flags=(--scenario chat --connections "$chat_connections" --room-size "$room_size")
say "chat: step search from $chat_start_rate msg/s, $chat_connections connections in rooms of $room_size"
search_max roomlog-chat "$dev_port" "$chat_start_rate" answered "${chat_search_flags[@]}"
chat_max=$search_max_rate
chat_capped=$search_capped
if [ "$chat_max" -eq 0 ]; then
  fail "chat: no step sustained its rate (bench/results/roomlog-chat-search.tsv)"
  chat_max=$chat_start_rate
fi
chat_rate=$(awk -v m="$chat_max" 'BEGIN { r = m / 4; print (r < 1 ? 1 : r) }')
chat_flags=(--scenario chat --connections "$chat_connections" --room-size "$room_size" --rate "$chat_rate"
  --warmup "$chat_warmup" --duration "$chat_duration")
fanout_flags=(--scenario fanout --connections "$fanout_connections" --rate "$fanout_rate"
  --warmup "$fanout_warmup" --duration "$fanout_duration")
wait_processor_idle
say "chat: $chat_rate msg/s (25% of $chat_max)"
loadgen roomlog-chat "${chat_flags[@]}" --target "127.0.0.1:$dev_port" && keep_plots roomlog-chat roomlog-chat

say "fanout: one room of $fanout_connections, $fanout_rate msg/s"
loadgen roomlog-fanout "${fanout_flags[@]}" --target "127.0.0.1:$dev_port" && keep_plots roomlog-fanout roomlog-fanout

say "connections: $idle_connections idle connections, held $idle_hold"
loadgen roomlog-connections --scenario connections --target "127.0.0.1:$dev_port" \
  --connections "$idle_connections" --connect-rate 2000 --duration "$idle_hold" --connect-timeout 60s \
  --server-pid "$dev_pid" && keep_plots roomlog-connections roomlog-connections

say "reconnect: $reconnect_clients clients in rooms of $room_size"
loadgen roomlog-reconnect --scenario reconnect --target "127.0.0.1:$dev_port" \
  --connections "$reconnect_clients" --room-size "$room_size" && keep_plots roomlog-reconnect roomlog-reconnect

# ---- one huge room over several gateways ------------------------------------------------------------
# dev's gateway and `roomlog gateway`s on its Kafka, each holding its share of the room, one generator
# process per gateway (a process holds a descriptor per connection: bench/huge-room.sh), one
# publisher: the processor writes each message once per gateway, each gateway fans it out to its
# own members. Before the restore, on the warm server, so that the joins do not pay for a cold JIT
# (the restore then also restores the huge room's members).
huge_rate=0
huge_setup_rate=20000
huge_shards=0
if [ "$huge_room_size" -ge 2 ]; then
  run_tracked "${kafka_tool[@]}" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$bootstrap" \
    --topic roomlog.actions --time -1 >"$tmp/actions-offsets.txt" 2>>"$logs/get-offset-shell.log" || true
  partitions=$(grep -c '^roomlog.actions:' "$tmp/actions-offsets.txt" || true)
  # The bench's gateway limits, and any roomlog.gateway.* setting given with --dev-arg --set.
  gateway_sets=()
  for ((i = 0; i < ${#limit_sets[@]}; i += 2)); do
    gateway_sets+=(--gateway-set "${limit_sets[$((i + 1))]}")
  done
  for ((i = 0; i < ${#dev_args[@]}; i++)); do
    if [ "${dev_args[$i]}" = --set ] && [[ ${dev_args[$((i + 1))]:-} == roomlog.gateway.* ]]; then
      gateway_sets+=(--gateway-set "${dev_args[$((i + 1))]}")
    fi
  done
  say "huge room: one room of $huge_room_size (bench/results/logs/huge-room-*, gateway-*.log)"
  note_load roomlog-huge-room
  # Offered about huge_offered deliveries/s (full size: above the fanout scenario's 120,000); joins
  # offered far faster than the gateways take them, so that the time for the room to join is the
  # server's.
  if run_tracked "$root/bench/huge-room.sh" --target "127.0.0.1:$dev_port" --bootstrap "$bootstrap" \
    --partitions "${partitions:-3}" --api-key "$api_key" --size "$huge_room_size" --offered "$huge_offered" \
    --warmup "$huge_warmup" --duration "$huge_duration" --setup-rate "$huge_setup_rate" \
    --message-size "$message_size" --server-pid "$dev_pid" --out "$results/roomlog-huge-room.json" \
    --logs "$logs" --roomlog-jar "$roomlog_jar" --loadtest-jar "$loadtest_jar" "${gateway_sets[@]}" \
    >"$tmp/huge-room.properties" 2>"$logs/huge-room.err"; then
    say "roomlog-huge-room: $(sed -n 2p "$logs/huge-room-shard-0.txt" | tr -s ' ')"
    keep_plots roomlog-huge-room roomlog-huge-room
  else
    fail "roomlog-huge-room: $(tail -1 "$logs/huge-room.err")"
  fi
  huge_rate=$(sed -n 's/^hugeRoomRate=//p' "$tmp/huge-room.properties")
  huge_shards=$(sed -n 's/^hugeRoomShards=//p' "$tmp/huge-room.properties")
fi

# ---- processor state restore -------------------------------------------------------------------
# The changelog as it is now is what the restarted processor restores.
say "state restore: stopping roomlog dev, deleting its Kafka Streams state"
run_tracked "${kafka_tool[@]}" org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$bootstrap" \
  --topic '.*-changelog' --time -1 >"$results/changelog-end-offsets.txt" 2>"$logs/get-offset-shell.log" ||
  fail "GetOffsetShell (bench/results/logs/get-offset-shell.log)"
stop_dev
changelog_bytes=$(cat "$data_dir"/kafka/*-changelog-*/*.log 2>/dev/null | wc -c)
state_dir=$data_dir/streams
if [ ! -d "$state_dir" ]; then
  fail "state restore: no Kafka Streams state directory at $state_dir"
fi
rm -rf "$state_dir"
say "state restore: restarting roomlog dev"
restart_started_ms=$(date +%s%3N)
start_dev "$logs/roomlog-dev-restore.log"
restart_ready_ms=$(date +%s%3N)
# Kafka Streams' StoreChangelogReader logs, per changelog partition, "End offset for changelog
# ... initialized as N." as it starts restoring it ("Start restoring changelog partition" in
# some versions) and "Finished restoring changelog ... with a total number of N records", each
# stamped HH:mm:ss.SSS: the restore runs from the first start to the last finish (the wait for
# the consumer group before it is not restore).
end_offsets=$(awk -F: '$NF ~ /^[0-9]+$/ { n += $NF } END { print n + 0 }' "$results/changelog-end-offsets.txt" 2>/dev/null || echo 0)
awk -v ready_ms=$((restart_ready_ms - restart_started_ms)) -v bytes="$changelog_bytes" -v end_offsets="$end_offsets" '
  function ms(t,  p) { split(t, p, /[:.]/); return ((p[1] * 60 + p[2]) * 60 + p[3]) * 1000 + p[4] }
  /StoreChangelogReader/ && (/End offset for changelog .* initialized as/ || /Start restoring changelog partition/) {
    t = ms($1); if (first == "" || t < first) first = t
  }
  /Finished restoring changelog .* total number of/ {
    t = ms($1); if (t > last) last = t
    for (i = 2; i < NF; i++) if ($(i - 1) == "number" && $i == "of") n = $(i + 1)
    records += n; partitions++
  }
  END {
    if (first == "") { span = 0 } else { if (last < first) last += 86400000; span = last - first }
    print "restoredRecords=" records + 0
    print "restoredPartitions=" partitions + 0
    print "restoreMs=" span
    print "restoreRecordsPerSecond=" (span > 0 ? sprintf("%.1f", records * 1000 / span) : "")
    print "changelogBytes=" bytes
    print "changelogEndOffsets=" end_offsets
    print "restartToReadyMs=" ready_ms
  }' "$logs/roomlog-dev-restore.log" >"$results/restore.properties"
say "state restore: $(tr '\n' ' ' <"$results/restore.properties")"

stop_dev

# ---- baselines: the bare Netty broadcast server and the Socket.IO peer, same generator flags -----
# Each: the chat search Roomlog had (its maximum), then chat at Roomlog's 25% rate (the p99 beside
# Roomlog's) and fanout.
bare_chat_max=0 bare_chat_capped=false bare_ingest_max=0 bare_ingest_capped=false socketio_chat_max=0 socketio_chat_capped=false
say "bare Netty broadcast server"
start_bg java -cp "$loadtest_jar:$root/loadtest/target/lib/*" dev.roomlog.loadtest.baseline.BareBroadcastServer \
  --port 0 --bind 127.0.0.1 >"$logs/bare-netty.log" 2>&1
bare_pid=$started_pid
if wait_for_line "$logs/bare-netty.log" "listening on ws://" "$bare_pid" 60; then
  bare_port=$(sed -n 's|.*listening on ws://[0-9.]*:\([0-9]*\)/.*|\1|p' "$logs/bare-netty.log" | head -1)
  say "bare Netty: chat step search from $chat_start_rate msg/s, same flags"
  search_max bare-chat "$bare_port" "$chat_start_rate" answered "${chat_search_flags[@]}"
  bare_chat_max=$search_max_rate bare_chat_capped=$search_capped
  say "bare Netty: chat sustained $bare_chat_max msg/s$($bare_chat_capped && echo ' (every step: at least that)')"
  loadgen bare-chat "${chat_flags[@]}" --target "127.0.0.1:$bare_port" && keep_plots bare-chat bare-chat
  # Ingest's ceiling on this machine whatever the server does with an action: the same generator
  # and search against a server that only answers each frame (no Kafka, no processor).
  say "bare Netty: ingest step search from $ingest_start_rate actions/s, same flags"
  search_max bare-ingest "$bare_port" "$ingest_start_rate" answered --scenario ingest \
    --connections "$ingest_connections"
  bare_ingest_max=$search_max_rate bare_ingest_capped=$search_capped
  say "bare Netty: ingest sustained $bare_ingest_max actions/s$($bare_ingest_capped && echo ' (every step: at least that)')"
  loadgen bare-fanout "${fanout_flags[@]}" --target "127.0.0.1:$bare_port" && keep_plots bare-fanout bare-fanout
else
  fail "the bare Netty server did not start (bench/results/logs/bare-netty.log)"
fi
stop_pid "$bare_pid"
forget_pid "$bare_pid"

say "Socket.IO peer"
socketio=$root/bench/socketio
if [ ! -d "$socketio/node_modules/socket.io" ] || [ "$socketio/package-lock.json" -nt "$socketio/node_modules/.package-lock.json" ]; then
  run_tracked npm ci --prefix "$socketio" --no-audit --no-fund --loglevel=error >"$logs/npm-ci.log" 2>&1 ||
    fail "npm ci in bench/socketio (bench/results/logs/npm-ci.log)"
fi
start_bg node "$socketio/server.js" 0 127.0.0.1 >"$logs/socketio.log" 2>&1
sio_pid=$started_pid
if wait_for_line "$logs/socketio.log" "listening on ws://" "$sio_pid" 60; then
  sio_port=$(sed -n 's|.*listening on ws://[0-9.]*:\([0-9]*\)/.*|\1|p' "$logs/socketio.log" | head -1)
  say "Socket.IO: chat step search from $chat_start_rate msg/s, same flags"
  search_max socketio-chat "$sio_port" "$chat_start_rate" answered "${chat_search_flags[@]}" --protocol socketio
  socketio_chat_max=$search_max_rate socketio_chat_capped=$search_capped
  say "Socket.IO: chat sustained $socketio_chat_max msg/s$($socketio_chat_capped && echo ' (every step: at least that)')"
  loadgen socketio-chat "${chat_flags[@]}" --protocol socketio --target "127.0.0.1:$sio_port" &&
    keep_plots socketio-chat socketio-chat
  loadgen socketio-fanout "${fanout_flags[@]}" --protocol socketio --target "127.0.0.1:$sio_port" &&
    keep_plots socketio-fanout socketio-fanout
else
  fail "the Socket.IO peer did not start (bench/results/logs/socketio.log)"
fi
stop_pid "$sio_pid"
forget_pid "$sio_pid"

# ---- JMH -----------------------------------------------------------------------------------------
if $microbench && [ -x "$root/bench/microbench.sh" ]; then
  note_load microbench
  jmh_args=(--no-build)
  # A single short iteration each: enough to see that every benchmark runs.
  $quick && jmh_args+=(-f 1 -wi 0 -i 1 -r 200ms)
  say "JMH microbenchmarks: bench/microbench.sh ${jmh_args[*]}"
  run_tracked "$root/bench/microbench.sh" "${jmh_args[@]}" >"$logs/microbench.log" 2>&1 ||
    fail "bench/microbench.sh (bench/results/logs/microbench.log)"
fi

# ---- the report ----------------------------------------------------------------------------------
note_load end
finished_epoch=$(date +%s)
{
  echo "command=$command_line"
  echo "quick=$quick"
  echo "startedAt=$(date -u -d "@$started_epoch" +%Y-%m-%dT%H:%M:%SZ)"
  echo "finishedAt=$(date -u -d "@$finished_epoch" +%Y-%m-%dT%H:%M:%SZ)"
  echo "wallSeconds=$((finished_epoch - started_epoch))"
  echo "gitCommit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
  echo "javaVersion=$(java -version 2>&1 | head -1)"
  echo "kafkaVersion=$kafka_version"
  echo "nettyVersion=$netty_version"
  echo "nodeVersion=$(node --version 2>/dev/null || echo none)"
  echo "socketioVersion=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$socketio/node_modules/socket.io/package.json" 2>/dev/null | head -1)"
  echo "commitIntervalMs=${commit_interval:-$default_commit_interval}"
  echo "commitIntervalDefault=$([ -z "$commit_interval" ] && echo true || echo false)"
  echo "devArgs=${dev_args[*]+"${dev_args[*]}"}"
  echo "devHeap=4g"
  echo "sustainShare=$sustain_share"
  echo "ingestMaxRate=$ingest_max"
  echo "ingestLogMaxRate=$ingest_log_max"
  echo "ingestLogMaxCapped=$ingest_log_capped"
  echo "chatMaxRate=$chat_max"
  echo "chatMaxCapped=$chat_capped"
  echo "bareChatMaxRate=$bare_chat_max"
  echo "bareChatMaxCapped=$bare_chat_capped"
  echo "bareIngestMaxRate=$bare_ingest_max"
  echo "bareIngestMaxCapped=$bare_ingest_capped"
  echo "socketioChatMaxRate=$socketio_chat_max"
  echo "socketioChatMaxCapped=$socketio_chat_capped"
  echo "searchSteps=$search_steps"
  echo "hugeRoomRequested=$huge_room_requested"
  echo "hugeRoomSize=$huge_room_size"
  echo "hugeRoomNote=$huge_room_note"
  echo "hugeRoomRate=${huge_rate:-0}"
  echo "hugeRoomShards=${huge_shards:-0}"
  echo "hugeRoomSetupRate=$huge_setup_rate"
  echo "nofileHard=$(ulimit -Hn)"
  echo "chatRate=$chat_rate"
  echo "fanoutRate=$fanout_rate"
  echo "kafkaRecordSize=$record_size"
  echo "kafkaRecords=$kafka_records"
  echo "failures=$(IFS=';'; echo "${failures[*]+"${failures[*]}"}")"
} >"$results/run.properties"

say "report: docs/BENCHMARKS.md"
run_tracked java -cp "$loadtest_jar:$root/loadtest/target/lib/*" dev.roomlog.loadtest.report.BenchReport \
  --results "$results" --plots "$docs_plots" --before "$root/bench/before.properties" --out "$root/docs/BENCHMARKS.md" >"$logs/report.log" 2>&1 || {
  cat "$logs/report.log" >&2
  fail "the report (bench/results/logs/report.log)"
}

say "done in $(elapsed) s: docs/BENCHMARKS.md"
if [ ${#failures[@]} -gt 0 ]; then
  printf 'bench/run.sh: %d step(s) failed:\n' "${#failures[@]}" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
