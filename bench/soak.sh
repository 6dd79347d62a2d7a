#!/usr/bin/env bash
# The long soak: 1,000 keep-alive clients for 10 minutes against the real hoard
# binary on loopback (80 % hits, 15 % metadata revalidations, 5 % cold misses, a
# publish now and then, clients aborting mid-body, upstream faults 1 % of the
# time). It asserts what TestSoak asserts (no wrong body served as complete, no
# leaked fill, goroutines and open files back to their start) and writes the
# table to bench/SOAK.md and the plot to bench/soak.svg.
#
#   bash bench/soak.sh                      # 10 minutes, 1,000 clients
#   HOARD_SOAK=2m HOARD_SOAK_CLIENTS=300 bash bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export HOARD_SOAK="${HOARD_SOAK:-10m}" HOARD_SOAK_CLIENTS="${HOARD_SOAK_CLIENTS:-1000}"
export HOARD_SOAK_REPORT="$PWD/bench/SOAK.md" HOARD_SOAK_PLOT="$PWD/bench/soak.svg"
# Enough descriptors for a client and a server side per connection, and the fills.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
log="$(mktemp)"
status=0
go test -count=1 -timeout 60m -run '^TestSoak$' -v ./cmd/hoard >"$log" 2>&1 || status=$?
grep -E '^(--- |\s+soak_e2e_test.go|ok|FAIL|PASS)' "$log" || true
if [ "$status" != 0 ]; then
  echo "soak: failed; the whole log is $log" >&2
  exit "$status"
fi
echo "soak: wrote bench/SOAK.md and bench/soak.svg"
