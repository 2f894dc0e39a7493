#!/usr/bin/env bash
# What the two hot Redis scripts cost inside Redis: script time per `cid` claim (send-claim.lua) and
# per inbox append (inbox-append.lua), and Redis memory per claim. Runs a private redis-server
# (no persistence) and feeds it with redis-cli --pipe, so only Redis's own time is counted
# (INFO commandstats), not round trips or clients. Needs redis-server and redis-cli.
#
#   bench/redis-scripts.sh              # the scripts in the working tree
#   bench/redis-scripts.sh f0e5290      # the scripts as of a commit, to compare a change
#
# USERS (1,000), CALLS (150,000 claims or appends) and PER_CALL (20: as grouped by the services)
# shape the load; PORT (16998) is the private Redis's port.
set -euo pipefail
cd "$(dirname "$0")/.."

ref=${1:-}
users=${USERS:-1000}
calls=${CALLS:-150000}
per_call=${PER_CALL:-20}
port=${PORT:-16998}
scripts=inbox-store/src/main/resources/io/switchboard/inbox

script() {
  if [[ -n "$ref" ]]; then git show "$ref:$scripts/$1"; else cat "$scripts/$1"; fi
}

if redis-cli -p "$port" ping >/dev/null 2>&1; then
  echo "port $port is in use; set PORT" >&2
  exit 1
fi
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

rcli() { redis-cli -p "$port" "$@"; }

# Runs one workload: $1 script file, $2 the load (claims or appends). Prints Redis's script time
# per item and memory per item.
measure() {
  local name=$1 kind=$2 sha
  rcli flushall >/dev/null
  rcli config resetstat >/dev/null
  sha=$(script "$name" | rcli -x script load)
  local before
  before=$(rcli info memory | awk -F: '/^used_memory:/ {print $2+0}')
  awk -v kind="$kind" -v sha="$sha" -v users="$users" -v calls="$calls" -v per="$per_call" \
    -v now="$(date +%s%3N)" "$load" | rcli --pipe >/dev/null
  local usec after
  usec=$(rcli info commandstats | awk -F'[=,]' '/^cmdstat_evalsha:/ {print $4}')
  after=$(rcli info memory | awk -F: '/^used_memory:/ {print $2+0}')
  awk -v n="$calls" -v usec="$usec" -v mem=$((after - before)) -v name="$name" \
    'BEGIN { printf "%-17s %6.2f µs of script time per item, %5.0f bytes of Redis memory per item\n", name, usec / n, mem / n }'
}

# Prints the EVALSHA calls, as RESP, for `calls` claims or appends (kind) of `users` users, `per`
# to a call, each call laid out as the services lay it out: keys, fixed arguments, per-item arguments.
load='
function bulk(s) { return "$" length(s) "\r\n" s "\r\n" }
BEGIN {
  for (i = 0; i < calls; ) {
    k = 0; a = 0; split("", keys); split("", items)
    for (c = 0; c < per && i < calls; c++) {
      user = "u" (i % users)
      if (kind == "claims") {
        keys[++k] = "sb:sent:{" user "}"; keys[++k] = "sb:sent:{" user "}:prev"
        items[++a] = sprintf("cid-%08d-xxxxxxxxxxxxxxxxxxxx", i)
        items[++a] = "019a6f7e-8c1b-7b3e-9a41-3c2d1e0f5a67"
        items[++a] = "bob" (i % 977)
      } else {
        keys[++k] = "sb:inbox:{" user "}:seq"; keys[++k] = "sb:inbox:{" user "}:msgs"; keys[++k] = "sb:inbox:{" user "}:ids"
        id = sprintf("019a6f7e-8c1b-7b3e-9a41-%012d", i)
        items[++a] = "1"; items[++a] = id
        items[++a] = sprintf("{\"id\":\"%s\",\"from\":\"alice%d\",\"to\":\"%s\",\"ts\":%s,\"body\":{\"text\":\"hello there, this is message %d\"},\"cid\":\"c-%d\"}", id, i % 991, user, now, i, i)
      }
      i++
    }
    fixed = kind == "claims" ? bulk("172800000") : bulk("172800000") bulk("10000")
    out = bulk("EVALSHA") bulk(sha) bulk(k)
    for (j = 1; j <= k; j++) out = out bulk(keys[j])
    out = out fixed
    for (j = 1; j <= a; j++) out = out bulk(items[j])
    printf "*%d\r\n%s", 3 + k + (kind == "claims" ? 1 : 2) + a, out
  }
}'

echo "scripts: ${ref:-working tree}; $calls items over $users users, $per_call per call; $(redis-server --version | cut -d' ' -f1-3)"
measure send-claim.lua claims
measure inbox-append.lua appends
