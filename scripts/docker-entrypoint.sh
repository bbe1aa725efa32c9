#!/bin/sh
# The image's entry point: the first argument names the service, the rest are its arguments.
# Signals reach node directly (exec); run the container with an init (`init: true` in compose, `docker run --init`).
set -e
service="${1:-engine}"
[ "$#" -gt 0 ] && shift
case "$service" in
  engine) exec node --max-semi-space-size=32 services/engine/dist/main.js "$@" ;;
  notifier | admin-api | genesys-sim) exec node "services/$service/dist/main.js" "$@" ;;
  webhook-receiver) exec node services/notifier/dist/receiver-main.js "$@" ;;
  # The compose demo's one-shot set-up: registers the demo receiver, prints a read-only API key.
  demo-setup) exec node services/admin-api/dist/demo-setup/main.js "$@" ;;
  lockstep | cli) exec node services/engine/dist/cli.js "$@" ;;
  *) exec "$service" "$@" ;;
esac
