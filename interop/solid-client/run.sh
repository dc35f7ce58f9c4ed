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
stop() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
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

free_port() {
  node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

username=interop
password="interop-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"

# Another process could take the port between free_port and serve; then the
# server exits at once and we try again with a new port and a fresh data dir.
started=""
for attempt in 1 2 3; do
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  data="$tmp/data-$attempt"
  pod_url="$(SATCHEL_DATA="$data" SATCHEL_PASSWORD="$password" "$tmp/satchel" account create \
    --username "$username" --display-name "Interop Test" --base-url "$base" 2>"$tmp/account.log")" || {
    cat "$tmp/account.log" >&2
    exit 1
  }
  "$tmp/satchel" serve --data "$data" --addr "127.0.0.1:$port" --base-url "$base" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  # Startup wait: at most ~10 s for /healthz to answer.
  for _ in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      break
    fi
    if curl -fsS -o /dev/null --max-time 1 "$base/healthz" 2>/dev/null; then
      started=1
      break
    fi
    sleep 0.1
  done
  if [ -n "$started" ] && kill -0 "$server_pid" 2>/dev/null; then
    break
  fi
  started=""
  echo "server did not start on port $port (attempt $attempt):" >&2
  cat "$tmp/server.log" >&2
  stop "$server_pid"
  server_pid=""
done
if [ -z "$started" ]; then
  echo "giving up: the Satchel server would not start" >&2
  exit 1
fi

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
