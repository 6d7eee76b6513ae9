# Sourced by the A/B scripts (fanout-ab.sh, chat-ab.sh): starts one `roomlog dev` from a given
# build on loopback, with the gateway's limits raised for one API key that plays a thousand
# clients (as run.sh does), in a fresh temporary directory.
#
#   ab_dev_start JAR [DEV_FLAG...]   sets ab_dev_pid, ab_dev_port, ab_dev_work; returns 1 (and
#                                    prints the log's tail) if dev did not get ready in 3 minutes
#   ab_dev_stop                      stops it by pid and removes its directory

ab_dev_start() {
  local jar=$1
  shift
  ab_dev_work=$(mktemp -d /tmp/roomlog-ab.XXXXXX)
  java -Xmx4g -jar "$jar" dev --data-dir "$ab_dev_work/data" --bind-host 127.0.0.1 --port 0 \
    --kafka-port 0 --controller-port 0 --query-port 0 --api-key "bench:bench-secret" \
    --set roomlog.gateway.connectionRatePerSecond=100000 --set roomlog.gateway.connectionBurst=100000 \
    --set roomlog.gateway.apiKeyRatePerSecond=1000000 --set roomlog.gateway.apiKeyBurst=1000000 \
    --set roomlog.gateway.maxConnections=100000 --set roomlog.gateway.maxConnectionsPerIp=100000 \
    --set roomlog.gateway.maxInFlightActions=100000 --set roomlog.gateway.maxInFlightActionsPerConnection=10000 \
    --set roomlog.gateway.maxUnansweredActionsPerConnection=10000 \
    --set roomlog.gateway.maxPendingHandshakes=100000 --set roomlog.gateway.maxPendingHandshakesPerIp=100000 \
    "$@" > "$ab_dev_work/dev.log" 2>&1 &
  ab_dev_pid=$!
  local _
  for _ in $(seq 1 1800); do grep -q "Roomlog dev is ready." "$ab_dev_work/dev.log" && break; sleep 0.1; done
  ab_dev_port=$(grep -o 'ws://localhost:[0-9]*' "$ab_dev_work/dev.log" | head -1 | sed 's/.*://')
  if [ -z "$ab_dev_port" ]; then
    tail -20 "$ab_dev_work/dev.log" >&2
    ab_dev_stop
    return 1
  fi
}

ab_dev_stop() {
  kill "$ab_dev_pid" 2>/dev/null
  wait "$ab_dev_pid" 2>/dev/null
  rm -rf "$ab_dev_work"
}
