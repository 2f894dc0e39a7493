#!/usr/bin/env bash
# A soak of the local suite: fresh sessions every round send direct messages, close, and the suite's
# heap (after full GCs), resident memory, threads, open files and open sessions are read after each
# round; Redis's memory before and after. Writes bench/results/soak-<date>.json. Bounded by --duration.
#
#   bench/soak.sh                                      # 30 minutes: rounds of 3 min, 1,000 connections, 1,500/s
#   bench/soak.sh --duration PT2H --rate 1000          # any option of `loadgen soak`
#
# Ports come from bench/suite-env.sh. BENCH_BUILD=0 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
# The whole heap touched at start, so the resident memory a soak reports grows only with what lives
# outside the heap (direct buffers, metaspace, code, thread stacks), not with heap pages touched late.
export SUITE_JAVA_OPTS="${SUITE_JAVA_OPTS:--Xms2g -Xmx2g -XX:+AlwaysPreTouch}"
source bench/suite-env.sh
raise_open_files

bench_suite_up
pid=$BENCH_SUITE_PID

# Redis's memory (it grows by design: inboxes are kept 2 days), also kept next to the JSON.
redis_memory() {
  if ! command -v redis-cli > /dev/null; then echo "unknown (no redis-cli)"; return; fi
  redis-cli -p "$SWITCHBOARD_REDIS_PORT" info memory | tr -d '\r' \
    | grep -E '^used_memory(_rss)?:' | tr '\n' ' ' || echo "unknown (redis did not answer)"
}

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
redis_file="bench/results/soak-${stamp}-redis.txt"
echo "redis before: $(redis_memory)" | tee "$redis_file"
status=0
# shellcheck disable=SC2086
java $LOADGEN_JAVA_OPTS -jar loadgen/target/loadgen-0.1.0-SNAPSHOT-exec.jar soak \
  --gateway "$(gateway_urls)" \
  --server-pid "$pid" \
  --json "bench/results/soak-${stamp}.json" \
  "$@" || status=$?
echo "redis after: $(redis_memory)" | tee -a "$redis_file"
echo "done; $(uptime)"
exit "$status"
