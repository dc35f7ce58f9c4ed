# Shell functions for test scripts that run a real Satchel server on
# loopback (interop/solid-client/run.sh, e2e/run.sh). Source it; it needs
# bash, node (for a free port) and curl.
#
#   stop PID                  stop a background process and wait for it
#   start_server BIN TMP      start BIN serve on a free loopback port over a
#                             fresh data directory under TMP, after calling
#                             make_accounts DATA BASE (the caller's function,
#                             which creates its accounts with BIN account
#                             create); sets base, data and server_pid, and
#                             logs to TMP/server.log. Exits the script if the
#                             server will not start.

stop() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

free_port() {
  node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start_server() {
  local bin="$1" tmp="$2" port attempt started=""
  # Another process could take the port between free_port and serve; then
  # the server exits at once and we try again with a new port and a fresh
  # data directory.
  for attempt in 1 2 3; do
    port="$(free_port)"
    base="http://127.0.0.1:$port"
    data="$tmp/data-$attempt"
    make_accounts "$data" "$base"
    "$bin" serve --data "$data" --addr "127.0.0.1:$port" --base-url "$base" >"$tmp/server.log" 2>&1 &
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
      return 0
    fi
    started=""
    echo "server did not start on port $port (attempt $attempt):" >&2
    cat "$tmp/server.log" >&2
    stop "$server_pid"
    server_pid=""
  done
  echo "giving up: the Satchel server would not start" >&2
  exit 1
}
