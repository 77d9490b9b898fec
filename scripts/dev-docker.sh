#!/usr/bin/env bash
# PostgreSQL 15 + Redis 7 in Docker for binaries built on the host (deploy/docker-compose.dev.yml),
# bound to 127.0.0.1 only. Prints the environment to use.
#
# Usage: scripts/dev-docker.sh [up|down|reset]     (reset = down and delete the dev volumes)
#   eval "$(scripts/dev-docker.sh | grep ^export)" && build/complaints serve
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
else
  echo "dev-docker: needs Docker Compose (docker compose plugin or docker-compose)" >&2
  exit 1
fi
cmd=("${compose[@]}" -p complaints-dev -f "$root/deploy/docker-compose.dev.yml")
pg_port="${DEV_PG_PORT:-55432}"
redis_port="${DEV_REDIS_PORT:-56379}"

case "${1:-up}" in
  up) ;;
  down) exec "${cmd[@]}" down ;;
  reset) exec "${cmd[@]}" down -v ;;
  *) echo "usage: $0 [up|down|reset]" >&2; exit 2 ;;
esac

"${cmd[@]}" up -d
# Both services have health checks; wait for them (at most 2 minutes).
for _ in $(seq 1 60); do
  healthy=$("${cmd[@]}" ps | grep -c '(healthy)' || true)
  [ "$healthy" -ge 2 ] && break
  sleep 2
done
[ "$healthy" -ge 2 ] || { echo "dev-docker: services not healthy:" >&2; "${cmd[@]}" ps >&2; exit 1; }
echo "dev-docker: PostgreSQL and Redis are up"
echo "export DATABASE_URL=postgresql://complaints:complaints@127.0.0.1:${pg_port}/complaints"
echo "export REDIS_URL=redis://127.0.0.1:${redis_port}/0"
