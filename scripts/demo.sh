#!/usr/bin/env bash
# `make demo`: runs lockstep on the local Genesys simulator and prints findings as they open and resolve.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --conditions=@lockstep/source --import tsx scripts/demo.ts
