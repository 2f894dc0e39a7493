#!/usr/bin/env bash
# CPU and wake-ups of a running JVM (the suite, a gateway) by thread group, over an interval: which
# threads do the work, and how often each goes to sleep and is woken again. Counts from Linux's
# /proc/<pid>/task/*/{stat,status}; nothing is attached to the process.
#
#   bench/thread-activity.sh <pid> [seconds, default 10]
#
# "wake-ups/s" are voluntary context switches: a thread that waited (epoll, a lock, a queue) and
# was woken. On a small VM each costs tens of µs of CPU, so a message that crosses many threads
# costs many of them (docs/benchmarks.md, "Why the cost per message is so high at low rates").
# Thread names ending in numbers are grouped (kafka-producer-1, kafka-producer-2 -> kafka-producer).
set -euo pipefail
pid=${1:?usage: bench/thread-activity.sh <pid> [seconds]}
secs=${2:-10}
ticks=$(getconf CLK_TCK)

snapshot() {
  local task name cpu woken
  for task in /proc/"$pid"/task/*; do
    name=$(tr -d '\n' < "$task/comm" 2>/dev/null) || continue
    cpu=$(awk '{print $14 + $15}' "$task/stat" 2>/dev/null) || continue
    woken=$(awk '/^voluntary_ctxt_switches/{print $2}' "$task/status" 2>/dev/null) || continue
    echo "${task##*/} ${name// /_} $cpu $woken"
  done | sort
}

before=$(snapshot)
sleep "$secs"
after=$(snapshot)
printf '%8s %12s  %s\n' cores wake-ups/s threads
join <(echo "$before") <(echo "$after") | awk -v secs="$secs" -v ticks="$ticks" '
  { name = $2; gsub(/[-_#]?[0-9]+$/, "", name); gsub(/-[0-9]+-/, "-", name)
    cpu[name] += $6 - $3; woken[name] += $7 - $4; totalCpu += $6 - $3; totalWoken += $7 - $4 }
  END {
    sort = "sort -k1,1nr -k2,2nr | head -30"
    for (n in cpu) if (cpu[n] > 0 || woken[n] >= secs) printf "%8.3f %12.0f  %s\n", cpu[n] / ticks / secs, woken[n] / secs, n | sort
    close(sort)
    printf "%8.3f %12.0f  %s\n", totalCpu / ticks / secs, totalWoken / secs, "(all threads)"
  }'
