#!/usr/bin/env bash
# `make test-compose`: builds the image, brings up the compose `demo` profile on a real Docker engine and checks the
# product from the outside: every service healthy, agents tracked and a finding open through the admin API, a
# signed alert at the receiver, an engine killed and restarted that converges again. Prints the compose logs when a
# check fails and always takes the stack down with its volumes. Needs `docker` with compose v2; NODE_IMAGE and
# REDIS_IMAGE pick the base images (defaults: the official ones).
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=lockstep-test
DEADLINE=$((SECONDS + ${TEST_COMPOSE_TIMEOUT_S:-600}))
export API_PORT=${TEST_COMPOSE_API_PORT:-18088}
export LOCKSTEP_IMAGE=lockstep:test-compose
export LOCKSTEP_BOOTSTRAP_ADMIN_KEY=${LOCKSTEP_BOOTSTRAP_ADMIN_KEY:-lsk_test_compose_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
export ADMIN_API_PUBLISH="127.0.0.1:${API_PORT}"
export NODE_IMAGE=${NODE_IMAGE:-node:24-slim}
# The demo settings of .env.demo (the notifier may reach the receiver on the compose network).
set -a
. ./.env.demo
set +a
DEMO_WEBHOOK_SECRET=${DEMO_WEBHOOK_SECRET:-whsec_bG9ja3N0ZXAtZGVtby13ZWJob29rLXNlY3JldC0zMmI=}
export REDIS_IMAGE=${REDIS_IMAGE:-redis:8}
compose() { docker compose -p "$PROJECT" "$@"; }

step() { printf 'test-compose: %s\n' "$*"; }
fail() {
  printf 'test-compose: FAILED: %s\n' "$*" >&2
  compose ps -a >&2 || true
  compose logs --no-color --tail 200 >&2 || true
  exit 1
}
cleanup() { compose down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

left() { echo $((DEADLINE - SECONDS)); }
# until_ok <what> <seconds> <command...>: retries the command every second until it succeeds or time runs out.
until_ok() {
  local what=$1 limit=$2; shift 2
  local end=$((SECONDS + limit))
  while ! "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] && [ "$(left)" -gt 0 ] || fail "$what (waited ${limit}s)"
    sleep 1
  done
}
api() { curl -fsS -H "authorization: Bearer ${LOCKSTEP_BOOTSTRAP_ADMIN_KEY}" "http://127.0.0.1:${API_PORT}$1"; }
# Exits 0 when the JSON object on stdin holds a non-empty list (e.g. `{"agents":[...],"nextCursor":...}`).
json_count() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);const l=Object.values(v).find(Array.isArray)??[];process.exit(l.length>0?0:1)})'; }

step "building the image from ${NODE_IMAGE}"
t0=$SECONDS
docker build -q --network host --build-arg "NODE_IMAGE=${NODE_IMAGE}" -t "$LOCKSTEP_IMAGE" . >/dev/null \
  || fail "docker build"
step "image built in $((SECONDS - t0)) s, $(docker image inspect -f '{{.Size}}' "$LOCKSTEP_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

cleanup
step "bringing up the demo profile"
compose up -d --no-build --wait --wait-timeout "$(left)" || fail "compose up --wait"

step "agents tracked and a finding open, through the admin API"
until_ok "admin API answers /readyz" 60 curl -fsS "http://127.0.0.1:${API_PORT}/readyz"
until_ok "agents listed by the admin API" 60 bash -c "$(declare -f api json_count); api /v1/agents?limit=5 | json_count"
until_ok "a finding open" 180 bash -c "$(declare -f api json_count); api /v1/findings?status=open | json_count"

step "a webhook subscription for the receiver, through the admin API"
curl -fsS -X POST -H "authorization: Bearer ${LOCKSTEP_BOOTSTRAP_ADMIN_KEY}" -H 'content-type: application/json' \
  -d "{\"url\":\"http://webhook-receiver:9000/\",\"secret\":\"${DEMO_WEBHOOK_SECRET}\",\"description\":\"compose test\"}" \
  "http://127.0.0.1:${API_PORT}/v1/webhooks" >/dev/null || fail "creating the webhook subscription"

step "a signed alert at the receiver"
until_ok "a verified alert printed by the webhook receiver" 120 \
  sh -c "docker compose -p $PROJECT logs --no-color webhook-receiver | grep -q 'finding.opened'"

step "the engine killed: it restarts and converges"
compose exec -T engine sh -c 'kill -9 -1' || true
until_ok "the engine container restarted" 60 \
  sh -c "[ \"\$(docker inspect -f '{{.RestartCount}}' \$(docker compose -p $PROJECT ps -q engine))\" -ge 1 ]"
until_ok "the engine healthy again" 90 \
  sh -c "[ \"\$(docker inspect -f '{{.State.Health.Status}}' \$(docker compose -p $PROJECT ps -q engine))\" = healthy ]"
until_ok "agents listed after the restart" 60 bash -c "$(declare -f api json_count); api /v1/agents?limit=5 | json_count"

step "taking the stack down"
compose down -v --remove-orphans >/dev/null || fail "compose down"
trap - EXIT
echo "test-compose: 1 passed, 0 failed"
