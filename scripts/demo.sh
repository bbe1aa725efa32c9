#!/usr/bin/env bash
# `make demo`: the whole product on the local Genesys simulator, without Docker (see scripts/demo.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --conditions=@lockstep/source --import tsx scripts/demo.ts "$@"
