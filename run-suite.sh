#!/usr/bin/env bash
# Runs the whole Switchboard suite locally, in the foreground: Kafka (KRaft) and Redis on this
# machine, presence, routing, offline and two gateway nodes. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"

JAR=suite/target/suite-0.1.0-SNAPSHOT-exec.jar
# Rebuild when sources changed (the console's built files count: they live in gateway resources).
if [ ! -f "$JAR" ] || [ -n "$(find . \( -path ./.local -o -path ./clients \) -prune -o -newer "$JAR" \( -name '*.java' -o -name '*.yml' -o -name '*.lua' -o -name pom.xml -o -path '*/src/main/resources/*' \) -print -quit)" ]; then
  echo "building Switchboard (tests skipped; run ./mvnw verify for them)..."
  ./mvnw -B -q -ntp install -DskipTests -Dspotless.check.skip=true
fi
exec java ${SWITCHBOARD_JAVA_OPTS:--Xms256m -Xmx1g} -jar "$JAR" "$@"
