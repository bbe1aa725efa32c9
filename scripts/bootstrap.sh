#!/usr/bin/env bash
# Installs what a fresh machine lacks for `make demo` and `make test`: npm dependencies and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."

need_node_major=20
need_node_minor=19
ver=$(node -p 'process.versions.node' 2>/dev/null || true)
if [ -z "$ver" ]; then
  echo "bootstrap: Node.js is not installed. lockstep needs Node.js ${need_node_major}.${need_node_minor}+ (20, 22 or 24)." >&2
  exit 1
fi
major=${ver%%.*}; rest=${ver#*.}; minor=${rest%%.*}
if [ "$major" -lt "$need_node_major" ] || { [ "$major" -eq "$need_node_major" ] && [ "$minor" -lt "$need_node_minor" ]; }; then
  echo "bootstrap: Node.js $ver is too old; lockstep needs ${need_node_major}.${need_node_minor}+." >&2
  exit 1
fi

# npm dependencies: install when missing or when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# redis-server: tests and the demo start their own instance on a free loopback port.
if ! command -v redis-server >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "bootstrap: redis-server is missing and installing it needs root (apt-get install redis-server)." >&2
        exit 1
      fi
    fi
    echo "bootstrap: installing redis-server with apt-get"
    if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
           $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; }; then
      echo "bootstrap: apt-get could not install redis-server. Install Redis 7+ so that 'redis-server' is on PATH, then retry." >&2
      exit 1
    fi
  else
    echo "bootstrap: redis-server is missing and apt-get is not available. Install Redis 7+ so that 'redis-server' is on PATH." >&2
    exit 1
  fi
fi
