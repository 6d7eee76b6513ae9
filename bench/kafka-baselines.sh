#!/usr/bin/env bash
# Kafka's own performance tools as Roomlog's baselines: the ceiling for ingest (ProducerPerformance,
# acks=all, idempotent, as Roomlog's gateway produces) and for state restore (ConsumerPerformance).
#
#   bench/kafka-baselines.sh BOOTSTRAP RECORD_SIZE NUM_RECORDS [PARTITIONS]
#
# Writes NUM_RECORDS records of RECORD_SIZE bytes into a fresh topic (PARTITIONS partitions,
# default 3 as `roomlog dev` makes roomlog.actions; replication factor 1), reads them back, and
# prints one machine-readable line per tool on stdout (the tools' own output goes to stderr):
#
#   producer records_per_sec=... mb_per_sec=... avg_latency_ms=... max_latency_ms=... p50_ms=... p95_ms=... p99_ms=... p999_ms=...
#   consumer records_per_sec=... mb_per_sec=... fetch_records_per_sec=... fetch_mb_per_sec=... rebalance_ms=... fetch_ms=...
#
# consumer records_per_sec counts the whole run, joining the group included; fetch_* leave the
# group join out. MB are MiB (2^20 bytes), as the tools count them. Runs the tools from the jars
# Roomlog's build copies to server/target/kafka-tools (`mvn package -pl server`), so no Kafka
# download is needed. KAFKA_PERF_JAVA_OPTS is passed to each tool's JVM (e.g. -Xmx1g).
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 BOOTSTRAP RECORD_SIZE NUM_RECORDS [PARTITIONS]" >&2
  exit 2
fi
bootstrap=$1
record_size=$2
num_records=$3
partitions=${4:-3}
for value in "$record_size" "$num_records" "$partitions"; do
  if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then
    echo "$0: RECORD_SIZE, NUM_RECORDS and PARTITIONS must be positive integers, got '$value'" >&2
    exit 2
  fi
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lib="$root/server/target/kafka-tools"
if [ ! -d "$lib" ]; then
  echo "$0: $lib is missing: build it with 'mvn -B -DskipTests -DskipITs package -pl server -am'" >&2
  exit 1
fi

tool() {
  # The clients log through slf4j-simple (stderr); warnings are enough here.
  # shellcheck disable=SC2086
  java ${KAFKA_PERF_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$lib/*" "$@"
}

topic="bench-kafka-baseline-${record_size}b-$(date +%s)-$$"
tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create \
  --topic "$topic" --partitions "$partitions" --replication-factor 1 >&2

# Each tool's own output is passed on to stderr; awk picks its summary line and prints it as
# "name key=value ...", or fails if the tool printed none.

# The summary reads, e.g.: 500000 records sent, 98765.4 records/sec (9.42 MB/sec), 120.51 ms
# avg latency, 640.00 ms max latency, 100 ms 50th, 300 ms 95th, 450 ms 99th, 600 ms 99.9th.
tool org.apache.kafka.tools.ProducerPerformance \
  --topic "$topic" --num-records "$num_records" --record-size "$record_size" --throughput -1 \
  --producer-props bootstrap.servers="$bootstrap" acks=all enable.idempotence=true linger.ms=5 \
  | awk '
    { print > "/dev/stderr" }
    / records sent, / { summary = $0 }
    END {
      if (summary == "") { print "kafka-baselines: ProducerPerformance printed no summary" > "/dev/stderr"; exit 1 }
      n = split(summary, f, ", ")
      for (i = 1; i <= n; i++) { split(f[i], w, " "); v[i] = w[1] }
      split(f[2], w, " "); mb = substr(w[3], 2)
      printf "producer records_per_sec=%s mb_per_sec=%s avg_latency_ms=%s max_latency_ms=%s p50_ms=%s p95_ms=%s p99_ms=%s p999_ms=%s\n", v[2], mb, v[3], v[4], v[5], v[6], v[7], v[8]
    }'

# The summary is one CSV line: start.time, end.time, data.consumed.in.MB, MB.sec,
# data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec.
tool org.apache.kafka.tools.ConsumerPerformance \
  --bootstrap-server "$bootstrap" --topic "$topic" --messages "$num_records" --timeout 60000 \
  --group "$topic-reader" --hide-header \
  | awk -v expected="$num_records" '
    { print > "/dev/stderr" }
    /^[0-9][0-9][0-9][0-9]-/ && NF >= 10 { split($0, v, ", *") }
    END {
      if (!(10 in v)) { print "kafka-baselines: ConsumerPerformance printed no summary" > "/dev/stderr"; exit 1 }
      if (v[5] + 0 < expected + 0) { print "kafka-baselines: ConsumerPerformance read only " v[5] " records" > "/dev/stderr"; exit 1 }
      printf "consumer records_per_sec=%s mb_per_sec=%s fetch_records_per_sec=%s fetch_mb_per_sec=%s rebalance_ms=%s fetch_ms=%s\n", v[6], v[4], v[10], v[9], v[7], v[8]
    }'

tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --delete \
  --topic "$topic" >&2
