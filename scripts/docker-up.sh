#!/usr/bin/env bash
# Bring up a Docker engine when none answers; do nothing when one does. Idempotent.
#
# Installs Debian's docker.io when dockerd is missing, then starts dockerd with a data root and a
# socket of its own (so it never fights a system engine), waits until it answers, and prints the
# DOCKER_HOST to use. Environment:
#   OPENSWE_DOCKER_ROOT   data root and state folder (default /var/lib/openswe-docker)
#   DOCKER_HOST           an engine to use instead; if it answers, nothing is started
set -euo pipefail

root="${OPENSWE_DOCKER_ROOT:-/var/lib/openswe-docker}"
sock="unix://${root}/docker.sock"

answers() { timeout 10 docker ${1:+-H "$1"} version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then
  echo "DOCKER_HOST=$DOCKER_HOST"; exit 0
fi
for host in "unix:///var/run/docker.sock" "$sock"; do
  if answers "$host"; then echo "DOCKER_HOST=$host"; exit 0; fi
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-up: installing Debian's docker.io" >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    docker.io iptables iproute2 ca-certificates >&2
fi

as_root mkdir -p "$root/data"
echo "docker-up: starting dockerd (data root $root/data, socket $sock)" >&2
as_root bash -c "nohup dockerd --data-root '$root/data' --exec-root '$root/exec' \
  --pidfile '$root/docker.pid' -H '$sock' --storage-driver overlay2 \
  >'$root/dockerd.log' 2>&1 &"

for _ in $(seq 1 60); do
  if answers "$sock"; then echo "DOCKER_HOST=$sock"; exit 0; fi
  sleep 1
done
echo "docker-up: dockerd did not answer within 60 s; its log follows" >&2
tail -n 40 "$root/dockerd.log" >&2 || true
exit 1
