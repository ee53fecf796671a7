#!/bin/sh
# Entrypoint of the temporal service in docker-compose.yml: runs temporal-server with
# deploy/temporal/mcpflow.yaml (mounted at /etc/temporal/mcpflow). Other members of the cluster
# reach this one at its container address, which only the container itself knows.
set -eu
if [ -z "${TEMPORAL_BROADCAST_ADDRESS:-}" ]; then
  # shellcheck disable=SC2046
  set -- $(hostname -i)
  export TEMPORAL_BROADCAST_ADDRESS="$1"
fi
exec temporal-server --root / --config etc/temporal/mcpflow --env mcpflow --allow-no-auth start
