#!/usr/bin/env bash
# Starts the local suite in the background for benchmarking (ports from bench/suite-env.sh) and prints
# its pid once it is ready. Stop it with: kill <pid>. Output goes to $SWITCHBOARD_DATA_DIR/suite.log.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/suite-env.sh
raise_open_files

jar=suite/target/suite-0.1.0-SNAPSHOT-exec.jar
[[ -f "$jar" ]] || { echo "build first: ./mvnw -q -B package -DskipTests" >&2; exit 1; }
if [[ "${BENCH_KEEP_DATA:-}" != "1" ]]; then rm -rf "$SWITCHBOARD_DATA_DIR"; fi
mkdir -p "$SWITCHBOARD_DATA_DIR"
log="$SWITCHBOARD_DATA_DIR/suite.log"
# shellcheck disable=SC2086
nohup java $SUITE_JAVA_OPTS -jar "$jar" > "$log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  if grep -q "is ready" "$log" 2>/dev/null; then echo "$pid"; exit 0; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "suite failed to start; see $log" >&2; tail -20 "$log" >&2; exit 1; fi
  sleep 0.5
done
echo "suite not ready after 120 s; see $log" >&2
stop_suite "$pid" || true
exit 1
