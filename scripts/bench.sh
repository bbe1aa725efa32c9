#!/usr/bin/env bash
# `make bench`: runs every benchmark; results are printed as markdown tables for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "== $1"; node --conditions=@lockstep/source --import tsx "$@"; }
run bench/sim-firehose.ts --seconds 10
run bench/engine-firehose.ts --seconds 6
run bench/engine-replay.ts --frames 200000
echo "== bench/engine-heap.ts"
node --expose-gc --conditions=@lockstep/source --import tsx bench/engine-heap.ts --agents 100000
