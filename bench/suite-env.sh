# Sourced by the bench scripts: where the local suite under test listens. Every value can be
# overridden from the environment; the defaults are a port block away from the suite's own defaults,
# so a benchmark never collides with a suite someone runs by hand.
export SWITCHBOARD_KAFKA_PORT="${SWITCHBOARD_KAFKA_PORT:-19292}"
export SWITCHBOARD_REDIS_PORT="${SWITCHBOARD_REDIS_PORT:-16579}"
export SWITCHBOARD_GATEWAY_PORTS="${SWITCHBOARD_GATEWAY_PORTS:-8281,8282}"
export SWITCHBOARD_PRESENCE_PORT="${SWITCHBOARD_PRESENCE_PORT:-8290}"
export SWITCHBOARD_ROUTING_PORT="${SWITCHBOARD_ROUTING_PORT:-8291}"
export SWITCHBOARD_OFFLINE_PORT="${SWITCHBOARD_OFFLINE_PORT:-8292}"
export SWITCHBOARD_DATA_DIR="${SWITCHBOARD_DATA_DIR:-/tmp/sb-bench-data}"
# The suite JVM: a fixed heap, so memory readings are not distorted by the heap resizing itself.
SUITE_JAVA_OPTS="${SUITE_JAVA_OPTS:--Xms2g -Xmx2g}"
LOADGEN_JAVA_OPTS="${LOADGEN_JAVA_OPTS:--Xms1g -Xmx1g}"

gateway_urls() {
  local urls="" port
  IFS=',' read -ra ports <<< "$SWITCHBOARD_GATEWAY_PORTS"
  for port in "${ports[@]}"; do urls="${urls:+$urls,}ws://127.0.0.1:${port}/ws"; done
  echo "$urls"
}

# Each process may hold as many open files as the machine allows (15,000 sessions need 15,000 sockets).
raise_open_files() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

# Stops the suite started by bench/start-suite.sh and waits (up to 60 s) until it has exited, so the
# next run finds its ports and its data directory free. `wait` cannot do this: the suite is not a
# child of the calling shell.
stop_suite() {
  local pid="$1"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  echo "suite $pid still running 60 s after SIGTERM" >&2
  return 1
}

# Builds the suite and the load generator (unless BENCH_BUILD=0), starts the suite with
# bench/start-suite.sh (one retry: on a busy machine the first start can time out waiting for Kafka's
# leaders), and stops it when the calling script exits. Sets BENCH_SUITE_PID.
bench_suite_up() {
  if [[ "${BENCH_BUILD:-1}" == "1" ]]; then
    ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -pl suite,loadgen -am
  fi
  BENCH_SUITE_PID=$(bench/start-suite.sh || bench/start-suite.sh)
  trap 'stop_suite "$BENCH_SUITE_PID" || true' EXIT
  echo "suite running as pid $BENCH_SUITE_PID; $(uptime)"
}
