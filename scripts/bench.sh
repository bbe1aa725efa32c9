#!/usr/bin/env bash
# `make bench`: runs every benchmark; results are printed as markdown tables for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "== $1"; node --conditions=@lockstep/source --import tsx "$@"; }
# The engine benchmarks run with the engine's own V8 flags (see the `engine` script in package.json).
engine() { echo "== $1"; node --max-semi-space-size=32 --conditions=@lockstep/source --import tsx "$@"; }
run bench/sim-firehose.ts --seconds 10
engine bench/engine-firehose.ts --seconds 6
engine bench/engine-replay.ts --frames 200000
echo "== bench/engine-heap.ts"
node --expose-gc --max-semi-space-size=32 --conditions=@lockstep/source --import tsx bench/engine-heap.ts --agents 100000
run bench/incidents.ts
run bench/incidents.ts --rules 4
echo "== bench/notifier.ts"
for mode in throughput latency memory; do
  node --expose-gc --conditions=@lockstep/source --import tsx bench/notifier.ts --mode "$mode"
done
run bench/admin-api.ts --agents 100000 --seconds 10
run bench/corrections.ts --agents 1000 --limit 300 --percent 90
run bench/declarations.ts --seats 30 --limit 300 --runs 3
