#!/usr/bin/env bash
# `make bench`: runs every benchmark; results are printed as markdown tables for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { echo "== $1"; node --conditions=@lockstep/source --import tsx "$@"; }
run bench/sim-firehose.ts --seconds 10
