#!/bin/bash
# Container healthcheck: GET /actuator/health on this service's own port and require "UP".
# Plain bash (/dev/tcp), so the image needs neither curl nor wget.
set -u
port="${SERVER_PORT:-8080}"
{ exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null || exit 1
printf 'GET /actuator/health HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
response="$(timeout 2 cat <&3)"
exec 3<&-
case "$response" in
  *'"status":"UP"'*) exit 0 ;;
  *) exit 1 ;;
esac
