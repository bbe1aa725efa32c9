#!/usr/bin/env bash
# `make demo`: plays a seed story on the local Genesys simulator and prints what happens.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --conditions=@lockstep/source --import tsx scripts/demo-watch.ts
