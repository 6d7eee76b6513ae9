#!/usr/bin/env bash
# Runs Roomlog's JMH microbenchmarks (microbench/) with their built-in defaults (1 fork, 3 x 1 s
# warm-up, 5 x 1 s measurement; about 3 minutes on 2 cores) and the GC profiler, and writes
#   bench/results/microbench.json  JMH's JSON results (scores, errors, allocation per op)
#   bench/results/microbench.txt   the run's console output, ending with the results table
#
# Usage: bench/microbench.sh [--no-build] [JMH options...]
#   --no-build   use microbench/target/roomlog-microbench.jar as it is
#   e.g. bench/microbench.sh RoomStage -i 10   (a regex of benchmarks, more iterations)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=true
if [[ ${1:-} == --no-build ]]; then
  build=false
  shift
fi

jar=microbench/target/roomlog-microbench.jar
if $build; then
  # -am builds the modules it measures from this checkout (no install into ~/.m2).
  mvn -B -q -ntp package -pl microbench -am -DskipTests
fi
if [[ ! -f $jar ]]; then
  echo "bench/microbench.sh: $jar is missing: run without --no-build" >&2
  exit 1
fi

mkdir -p bench/results
java -jar "$jar" -prof gc -rf json -rff bench/results/microbench.json "$@" \
  | tee bench/results/microbench.txt
echo "bench/microbench.sh: results in bench/results/microbench.json"
