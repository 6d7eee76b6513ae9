#!/usr/bin/env bash
# Fan-out A/B: the fanout scenario (one room of 1000, 120 msg/s, as in run.sh) against `roomlog
# dev` from two builds, with the same load generator, RUNS times each (default 3), each dev
# started once. To tell a change's cost from this machine's run-to-run noise. Loopback only;
# each dev is stopped by pid.
#
#   bench/fanout-ab.sh BEFORE_JAR AFTER_JAR     e.g. a worktree's server/target/roomlog.jar
#
# Build BEFORE_JAR in a worktree (git worktree add ../before COMMIT; mvn -B -o package -DskipTests
# there). A build older than issue 7 has no --admin-port; ADMIN_PORT_FLAG=no leaves it out for A.
# One older than issue 14 has no handshake rate (and refuses its settings); HANDSHAKE_RATE=no
# leaves them out for A.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
loadtest=$root/loadtest/target/roomlog-loadtest.jar
# shellcheck source=lib/ab-dev.sh
. "$root/bench/lib/ab-dev.sh"
[ $# -eq 2 ] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
runs=${RUNS:-3}
label=(before after)
jars=("$1" "$2")
for k in 0 1; do
  jar=${jars[$k]}
  extra=(--admin-port 0)
  if [ $k -eq 0 ] && [ "${ADMIN_PORT_FLAG:-yes}" = no ]; then extra=(); fi
  # 1000 members connecting from a few loopback addresses: far past the default 10/s per address.
  if [ $k -eq 1 ] || [ "${HANDSHAKE_RATE:-yes}" = yes ]; then
    extra+=(--set roomlog.gateway.handshakesPerSecondPerIp=100000 --set roomlog.gateway.handshakeBurstPerIp=100000)
  fi
  ab_dev_start "$jar" "${extra[@]}" || exit 1
  port=$ab_dev_port work=$ab_dev_work
  for i in $(seq 1 "$runs"); do
    java -jar "$loadtest" --quiet --api-key bench-secret --message-size 64 --scenario fanout \
      --connections 1000 --rate 120 --warmup 3s --duration 15s --target "127.0.0.1:$port" \
      --out "$work/f$i.json" > "$work/f$i.txt" 2>&1
    echo "${label[$k]} run $i: $(sed -n 2p "$work/f$i.txt" | tr -s ' ')"
  done
  ab_dev_stop
done
