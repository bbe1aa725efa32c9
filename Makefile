# The two commands of the Quick start. Both install what a fresh machine lacks first.
.PHONY: demo test test-compose bootstrap lint typecheck build unit bench

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	@scripts/demo.sh

test: bootstrap
	npm run lint
	npm run typecheck
	npx vitest run

# A real docker compose run of the demo profile (needs a Docker engine with compose v2; see scripts/test-compose.sh).
test-compose:
	@scripts/test-compose.sh

build: bootstrap
	npm run build

bench: bootstrap
	@scripts/bench.sh
