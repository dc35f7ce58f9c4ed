#!/usr/bin/env bash
# Interoperability test: Inrupt's Solid client library (@inrupt/solid-client,
# pinned in package.json / package-lock.json) reads and writes a pod on a real
# Satchel server built from this tree.
#
#   bash interop/solid-client/run.sh
#
# Needs Go, Node 20+, npm and curl, and the npm registry (or a warm npm cache)
# for `npm ci`. Everything else is local: the server listens on a free
# loopback port and keeps its data in a temporary directory that is removed
# on exit. Exits with the test runner's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

tmp="$(mktemp -d)"
server_pid=""
test_pid=""
# stop, free_port, start_server
source "$root/scripts/lib/server.sh"
cleanup() {
  stop "$test_pid"
  stop "$server_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Quiet unless it fails.
if ! npm ci --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1; then
  echo "npm ci failed:" >&2
  cat "$tmp/npm.log" >&2
  exit 1
fi

(cd "$root" && go build -o "$tmp/satchel" ./cmd/satchel)

username=interop
password="interop-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"

make_accounts() {
  pod_url="$(SATCHEL_DATA="$1" SATCHEL_PASSWORD="$password" "$tmp/satchel" account create \
    --username "$username" --display-name "Interop Test" --base-url "$2" 2>"$tmp/account.log")" || {
    cat "$tmp/account.log" >&2
    exit 1
  }
}
start_server "$tmp/satchel" "$tmp"

# In the background so that an interrupt stops the run at once (bash runs
# traps only between foreground commands).
SATCHEL_URL="$base" SATCHEL_POD="$pod_url" SATCHEL_USERNAME="$username" SATCHEL_PASSWORD="$password" \
  node --test --test-timeout=30000 pod.test.mjs &
test_pid=$!
status=0
wait "$test_pid" || status=$?
test_pid=""

if [ "$status" -ne 0 ]; then
  echo "--- server log ---" >&2
  tail -n 50 "$tmp/server.log" >&2
fi
exit "$status"
