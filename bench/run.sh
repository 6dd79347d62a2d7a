#!/usr/bin/env bash
# Hoard's comparative benchmark in one command, from anywhere in the repository:
#   bash bench/run.sh                 # full run (about sixteen minutes), writes bench/RESULTS.md
#   bash bench/run.sh -quick -out -   # a one-minute check of the harness, printed
# Flags are hoardbench's (go run ./bench/cmd/hoardbench -h). Installs nginx from
# Debian and, when npm is present, Verdaccio from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/sbin:/usr/local/go/bin:$PATH"
bash .ci/install-bench
if command -v npm >/dev/null 2>&1; then
  bash .ci/install-npm || echo "run.sh: Verdaccio could not be installed; the run goes on without it" >&2
fi
exec go run ./bench/cmd/hoardbench "$@"
