#!/usr/bin/env bash
# `make test-compose`: builds the image, brings up the compose `demo` profile on a real Docker engine exactly as a
# user does (`docker compose --profile demo up`: no env file, no demo settings) and checks the product from the
# outside: every service healthy, demo-setup done (one subscription for the receiver, a working read key printed),
# agents tracked and a finding open through the admin API, corrections planned in dry-run, a signed alert at the
# receiver, the SSRF guard still closed to everything but the receiver's name, demo-setup idempotent when run
# again, an engine killed and restarted that converges again. Prints the compose logs when a check fails and always
# takes the stack down with its volumes. Needs `docker` with compose v2; NODE_IMAGE and REDIS_IMAGE pick the base
# images (defaults: the official ones). The admin key comes from the environment (a random one by default); the
# published port and the image tag are the test's own, so that it disturbs no other stack on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=lockstep-test
DEADLINE=$((SECONDS + ${TEST_COMPOSE_TIMEOUT_S:-600}))
export API_PORT=${TEST_COMPOSE_API_PORT:-18088}
export LOCKSTEP_IMAGE=lockstep:test-compose
export LOCKSTEP_BOOTSTRAP_ADMIN_KEY=${LOCKSTEP_BOOTSTRAP_ADMIN_KEY:-lsk_test_compose_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
export ADMIN_API_PUBLISH="127.0.0.1:${API_PORT}"
export NODE_IMAGE=${NODE_IMAGE:-node:24-slim}
export REDIS_IMAGE=${REDIS_IMAGE:-redis:8}
compose() { docker compose -p "$PROJECT" --profile demo "$@"; }

step() { printf 'test-compose: [%3d s] %s\n' "$SECONDS" "$*"; }
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
# Prints the ids of the subscriptions whose URL is $1 (the JSON of GET /v1/webhooks on stdin), one a line.
subs_for() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const w of JSON.parse(s).webhooks)if(w.url===process.argv[1])console.log(w.id)})' "$1"; }
# The read key demo-setup printed (its last run's).
printed_key() { compose logs --no-color demo-setup | grep -o 'lsk_[0-9a-f]\{16\}_[A-Za-z0-9_-]\{43\}' | tail -1; }
# The demo-setup container's exit code once it has finished, else nothing.
setup_exit() { docker inspect -f '{{if eq .State.Status "exited"}}{{.State.ExitCode}}{{end}}' "$(compose ps -aq demo-setup)"; }
# The engine's count of correction attempts with outcome $1, read from its metrics inside its container.
engine_outcomes() {
  compose exec -T engine node -e 'fetch("http://127.0.0.1:9464/metrics").then(r=>r.text()).then(t=>{const m=new RegExp("^lockstep_correction_outcomes_total\\{outcome=\""+process.argv[1]+"\"\\} (\\d+)","m").exec(t);console.log(m?m[1]:0)})' "$1"
}

step "building the image from ${NODE_IMAGE}"
t0=$SECONDS
docker build -q --network host --build-arg "NODE_IMAGE=${NODE_IMAGE}" -t "$LOCKSTEP_IMAGE" . >/dev/null \
  || fail "docker build"
step "image built in $((SECONDS - t0)) s, $(docker image inspect -f '{{.Size}}' "$LOCKSTEP_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

cleanup
step "bringing up the demo profile (docker compose --profile demo up, no env file)"
t_up=$SECONDS
compose up -d --no-build --wait --wait-timeout "$(left)" || fail "compose up --wait"
step "every service healthy in $((SECONDS - t_up)) s"

step "demo-setup: done, one subscription for the receiver, a working read key in its log"
setup_done() { [ -n "$(setup_exit)" ]; }
until_ok "demo-setup finished" 60 setup_done
[ "$(setup_exit)" = 0 ] || fail "demo-setup exited with code $(setup_exit)"
read_key=$(printed_key)
[ -n "$read_key" ] || fail "demo-setup printed no read key"
compose logs --no-color demo-setup | grep -qF "curl -H 'authorization: Bearer ${read_key}'" \
  || fail "demo-setup printed no ready-to-run curl line"
# The receiver's secret is the compose default; demo-setup must not print it.
if compose logs --no-color demo-setup | grep -q 'whsec_'; then fail "demo-setup printed a webhook secret"; fi
subs=$(api /v1/webhooks | subs_for 'http://webhook-receiver:9000/')
[ "$(printf '%s\n' "$subs" | grep -c .)" = 1 ] || fail "expected one subscription for the receiver, got: ${subs:-none}"

step "agents tracked and a finding open, through the admin API (with the printed read key)"
read_api() { curl -fsS -H "authorization: Bearer $1" "http://127.0.0.1:${API_PORT}$2"; }
until_ok "admin API answers /readyz" 60 curl -fsS "http://127.0.0.1:${API_PORT}/readyz"
agents_listed() { read_api "$read_key" '/v1/agents?limit=5' | json_count; }
finding_open() { read_api "$read_key" '/v1/findings?status=open' | json_count; }
until_ok "agents listed by the admin API" 60 agents_listed
until_ok "a finding open" 180 finding_open
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "authorization: Bearer ${read_key}" \
  -H 'content-type: application/json' -d '{"url":"https://hooks.example.com/x"}' "http://127.0.0.1:${API_PORT}/v1/webhooks")
[ "$code" = 403 ] || fail "the read key could create a webhook (HTTP $code, expected 403)"

step "the SSRF guard: the receiver's name is trusted, nothing else"
post_webhook() {
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "authorization: Bearer ${LOCKSTEP_BOOTSTRAP_ADMIN_KEY}" \
    -H 'content-type: application/json' -d "{\"url\":\"$1\",\"description\":\"compose test\"}" \
    "http://127.0.0.1:${API_PORT}/v1/webhooks"
}
created=$(curl -fsS -X POST -H "authorization: Bearer ${LOCKSTEP_BOOTSTRAP_ADMIN_KEY}" -H 'content-type: application/json' \
  -d '{"url":"http://webhook-receiver:9000/compose-test","description":"compose test"}' \
  "http://127.0.0.1:${API_PORT}/v1/webhooks") || fail "the admin API refused the trusted receiver name"
created_id=$(printf '%s' "$created" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')
curl -fsS -X DELETE -H "authorization: Bearer ${LOCKSTEP_BOOTSTRAP_ADMIN_KEY}" \
  "http://127.0.0.1:${API_PORT}/v1/webhooks/${created_id}" >/dev/null || fail "deleting the test subscription"
for refused in http://redis:6379/ http://172.17.0.1:9000/ https://10.0.0.1/ http://webhook-receiver.example.com/; do
  code=$(post_webhook "$refused")
  [ "$code" = 422 ] || fail "the admin API accepted $refused (HTTP $code, expected 422 URL_REFUSED)"
done

step "corrections planned in dry-run (the compose default)"
dry_run_recorded() { [ "$(engine_outcomes dry-run)" -gt 0 ]; }
until_ok "a dry-run correction recorded by the engine" 240 dry_run_recorded
[ "$(engine_outcomes applied)" = 0 ] || fail "the engine applied a correction in its default dry-run mode"

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

step "demo-setup run again: still one subscription, a new read key, the old one revoked"
compose up --no-build --no-deps demo-setup >/dev/null 2>&1 || fail "demo-setup run again"
[ "$(setup_exit)" = 0 ] || fail "demo-setup exited with code $(setup_exit) when run again"
new_key=$(printed_key)
[ -n "$new_key" ] && [ "$new_key" != "$read_key" ] || fail "demo-setup printed no new read key"
[ "$(api /v1/webhooks | subs_for 'http://webhook-receiver:9000/')" = "$subs" ] \
  || fail "demo-setup run again changed the receiver's subscription"
read_api "$new_key" /v1/agents?limit=1 >/dev/null || fail "the new read key is refused"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer ${read_key}" "http://127.0.0.1:${API_PORT}/v1/agents?limit=1")
[ "$code" = 401 ] || fail "the previous demo read key still opens the API (HTTP $code, expected 401)"

step "taking the stack down"
compose down -v --remove-orphans >/dev/null || fail "compose down"
trap - EXIT
echo "test-compose: 1 passed, 0 failed ($((SECONDS - t0)) s from the build)"
