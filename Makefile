# The two commands of the Quick start. Both install what a fresh machine lacks first.
.PHONY: demo test bootstrap lint typecheck build unit bench

bootstrap:
	@scripts/bootstrap.sh

demo: bootstrap
	@scripts/demo.sh

test: bootstrap
	npm run lint
	npm run typecheck
	npx vitest run

build: bootstrap
	npm run build

bench: bootstrap
	@scripts/bench.sh
