#!/usr/bin/env bash
# Chat latency A/B: chat in rooms of 10 (1,000 connections, as run.sh's p99 step) against `roomlog
# dev` from two builds, or one build with two sets of dev flags, side by side: to tell a change's
# effect on latency from this machine's run-to-run noise, which is larger than most changes.
# ROUNDS rounds (default 2), each starting each dev afresh: two warm-up runs at 500 msg/s (a cold
# JIT doubles the latency for minutes), then one run at each of RATES (default "300 500"), 20 s
# each after 10 s of quiet. Prints p50 / p90 / p99 / max of the delivery latency. Loopback only;
# each dev is stopped by pid.
#
#   bench/chat-ab.sh BEFORE_JAR AFTER_JAR     e.g. a worktree's server/target/roomlog.jar
#   DEV_ARGS_A='--commit-interval-ms 20' bench/chat-ab.sh server/target/roomlog.jar server/target/roomlog.jar
#
# DEV_ARGS_A and DEV_ARGS_B are more flags for each side's `roomlog dev` (split on spaces);
# HANDSHAKE_RATE=no leaves out the handshake-rate settings, for builds older than issue 14.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
loadtest=$root/loadtest/target/roomlog-loadtest.jar
# shellcheck source=lib/ab-dev.sh
. "$root/bench/lib/ab-dev.sh"
[ $# -eq 2 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
rounds=${ROUNDS:-2}
read -r -a rates <<<"${RATES:-300 500}"
label=(A B)
jars=("$1" "$2")
read -r -a args_a <<<"${DEV_ARGS_A:-}"
read -r -a args_b <<<"${DEV_ARGS_B:-}"

# chat RATE DURATION OUT: one run against the dev on $ab_dev_port.
chat() {
  java -jar "$loadtest" --quiet --api-key bench-secret --message-size 64 --scenario chat \
    --connections 1000 --room-size 10 --rate "$1" --warmup 3s --duration "$2" --drain-timeout 5s \
    --target "127.0.0.1:$ab_dev_port" --out "$3.json" > "$3.txt" 2>&1
}

for round in $(seq 1 "$rounds"); do
  for k in 0 1; do
    if [ $k -eq 0 ]; then flags=("${args_a[@]}"); else flags=("${args_b[@]}"); fi
    # 1000 members connecting from one loopback address: far past the default 10/s per address.
    # A build older than issue 14 has no such settings (and refuses them): HANDSHAKE_RATE=no.
    if [ "${HANDSHAKE_RATE:-yes}" = yes ]; then
      flags+=(--set roomlog.gateway.handshakesPerSecondPerIp=100000
        --set roomlog.gateway.handshakeBurstPerIp=100000)
    fi
    ab_dev_start "${jars[$k]}" "${flags[@]}" || exit 1
    chat 500 20s "$ab_dev_work/warm1"
    chat 500 20s "$ab_dev_work/warm2"
    for rate in "${rates[@]}"; do
      sleep 10
      out=$ab_dev_work/chat-$rate
      if chat "$rate" 20s "$out"; then
        echo "round $round ${label[$k]} ${rate} msg/s: $(jq -r \
          '"p50 \(.latencyP50Ms) p90 \(.latencyP90Ms) p99 \(.latencyP99Ms) max \(.latencyMaxMs) ms, delivered \(.delivered) of \(.expectedDeliveries), errors \(.errorsTotal)"' \
          "$out.json")"
      else
        echo "round $round ${label[$k]} ${rate} msg/s: the run failed: $(tail -1 "$out.txt")"
      fi
    done
    ab_dev_stop
  done
done
