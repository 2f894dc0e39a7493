#!/usr/bin/env bash
# Runs the standard benchmark set against a freshly started local suite and rewrites
# docs/benchmarks.md (tables from this run, text from bench/intro.md, bench/analysis.md and
# bench/sections/*.md) and bench/results/standard-<date>.json. Bounded: about 6 minutes of load plus suite start-up.
#
#   bench/run-standard.sh                         # the whole set
#   bench/run-standard.sh --only direct1k,idle    # some parts (direct1k, direct5k, fan, idle, reconnect)
#   bench/run-standard.sh --scale 0.2             # shorter phases, for a smoke run
#
# Ports come from bench/suite-env.sh (a block away from the suite's defaults); override them with
# the usual SWITCHBOARD_* variables. BENCH_BUILD=0 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/suite-env.sh
raise_open_files

bench_suite_up
pid=$BENCH_SUITE_PID

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
# Sections measured elsewhere (bench/sections/*.md, e.g. the HTTP fan-out benchmark) follow the
# analysis, so this run keeps them.
analysis=$(mktemp)
cat bench/analysis.md bench/sections/*.md > "$analysis" 2>/dev/null || cp bench/analysis.md "$analysis"
# shellcheck disable=SC2086
java $LOADGEN_JAVA_OPTS -jar loadgen/target/loadgen-0.1.0-SNAPSHOT-exec.jar standard \
  --gateway "$(gateway_urls)" \
  --gateway-pid "$pid" \
  --offline-url "http://127.0.0.1:${SWITCHBOARD_OFFLINE_PORT}" \
  --json "bench/results/standard-${stamp}.json" \
  --markdown docs/benchmarks.md \
  --intro bench/intro.md \
  --analysis "$analysis" \
  "$@"
echo "done; $(uptime)"
