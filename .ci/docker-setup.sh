#!/usr/bin/env bash
# Makes this machine ready for the container-mode tests: a Docker engine that answers, and the
# local base image cairn-base:local (an empty filesystem; there is no registry to pull from).
# Idempotent: each step is skipped when already done. Bounded: gives up if dockerd does not answer.
set -euo pipefail

BASE_IMAGE="${CAIRN_BASE_IMAGE:-cairn-base:local}"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"

if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
  echo "docker-setup: installing docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
else
  echo "docker-setup: docker.io already installed"
fi

if docker version >/dev/null 2>&1; then
  echo "docker-setup: dockerd already answers"
else
  if pgrep -x dockerd >/dev/null 2>&1; then
    echo "docker-setup: dockerd is starting; waiting for it"
  else
    echo "docker-setup: starting dockerd (log: $DOCKERD_LOG)"
    nohup dockerd >"$DOCKERD_LOG" 2>&1 &
  fi
  deadline=$((SECONDS + WAIT_SECONDS))
  until docker version >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "docker-setup: dockerd did not answer within ${WAIT_SECONDS}s; last lines of $DOCKERD_LOG:" >&2
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  echo "docker-setup: dockerd answers"
fi
docker version --format 'docker-setup: engine {{.Server.Version}} (API {{.Server.APIVersion}})'

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  echo "docker-setup: $BASE_IMAGE already present"
else
  echo "docker-setup: creating $BASE_IMAGE from an empty tar"
  head -c 1024 /dev/zero | docker import - "$BASE_IMAGE" >/dev/null
fi
