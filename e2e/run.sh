#!/usr/bin/env bash
# End-to-end test: a leaver signs in, adds a document and addresses, shares
# their current address, withdraws the share and sees who looked, in a real
# headless Chromium (driven by playwright-core) on a real Satchel server built
# from this tree, with axe-core checking every page (both pinned in
# package.json / package-lock.json); pages.test.mjs visits every other page
# and form error, and access.test.mjs does the leaver's flow without
# JavaScript and by keyboard alone, at 320 px wide; recipient.test.mjs the
# landlord's /check with a share code, About Satchel, Report a problem, Welsh
# pages, and times sharing and the landlord's page on slow 3G;
# onboard.test.mjs pre-release onboarding; org.test.mjs an organisation's
# pages (admin and staff) and a leaver joining and stopping it.
#
#   bash e2e/run.sh
#
# Needs Go, Node 20+, npm and curl, the npm registry (or a warm npm cache) for
# `npm ci`, and Debian's chromium package, which this script installs with
# apt-get if /usr/bin/chromium is missing (Playwright never downloads a
# browser of its own here). Everything else is local: the server listens on a
# free loopback port and keeps its data in a temporary directory that is
# removed on exit. If the test fails, the tail of the server log is printed
# and screenshots of the pages are kept in e2e/artifacts/ (with
# SATCHEL_E2E_SCREENSHOTS=1, one of every page the test checks, pass or
# fail). Exits with the test runner's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

chromium="${SATCHEL_CHROMIUM:-/usr/bin/chromium}"
artifacts="$here/artifacts"

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

if [ ! -x "$chromium" ]; then
  if [ "$chromium" != /usr/bin/chromium ]; then
    echo "SATCHEL_CHROMIUM is $chromium, but there is no program there." >&2
    exit 1
  fi
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
      sudo="sudo"
    else
      echo "Chromium is not installed, and this script cannot install it without root or sudo: run 'apt-get install chromium' as root." >&2
      exit 1
    fi
  fi
  echo "e2e: installing Debian's chromium package (once)" >&2
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >"$tmp/apt.log" 2>&1 \
    || [ ! -x "$chromium" ]; then
    cat "$tmp/apt.log" >&2
    echo "Could not install Chromium with apt-get, so the end-to-end test cannot run." >&2
    exit 1
  fi
fi

# Quiet unless it fails. playwright-core has no browser download step, and
# the variable makes sure nothing else tries one.
if ! PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1; then
  echo "npm ci failed:" >&2
  cat "$tmp/npm.log" >&2
  exit 1
fi

(cd "$root" && go build -o "$tmp/satchel" ./cmd/satchel)

random_password() {
  echo "e2e-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
}
leaver=jo
leaver_password="$(random_password)"
helper=sam
helper_password="$(random_password)"
# pages.test.mjs's own leaver: it resets this one's password.
pages_leaver=kim
pages_leaver_password="$(random_password)"
# access.test.mjs's own leaver (no JavaScript, keyboard alone).
access_leaver=ali
access_leaver_password="$(random_password)"
# recipient.test.mjs's own leaver, who shares with a landlord's share code.
recipient_leaver=lee
recipient_leaver_password="$(random_password)"
# onboard.test.mjs's resettlement officer.
staff=officer
staff_password="$(random_password)"
# org.test.mjs's organisation (its own, so that the tests do not see each
# other's people): an admin, a member of staff, and a leaver who joins it.
org_admin=college-admin
org_admin_password="$(random_password)"
org_staff=tutor
org_staff_password="$(random_password)"
org_leaver=max
org_leaver_password="$(random_password)"
# org.test.mjs's prison, which signs custody periods, stays and release
# documents (not courses): a member of its staff.
prison_staff=prison-officer
prison_staff_password="$(random_password)"

make_accounts() {
  if ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$leaver_password" "$tmp/satchel" account create \
    --username "$leaver" --display-name "Jo Bloggs" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$helper_password" "$tmp/satchel" account create \
      --kind helper --username "$helper" --display-name "Sam Support" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$pages_leaver_password" "$tmp/satchel" account create \
      --username "$pages_leaver" --display-name "Kim Example" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$access_leaver_password" "$tmp/satchel" account create \
      --username "$access_leaver" --display-name "Ali Example" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$recipient_leaver_password" "$tmp/satchel" account create \
      --username "$recipient_leaver" --display-name "Lee Example" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" "$tmp/satchel" issuer create --slug hmp-example-resettlement \
      --name "HMP Example Resettlement" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$staff_password" "$tmp/satchel" account create --kind issuer \
      --org hmp-example-resettlement --username "$staff" --display-name "Olu Officer" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" "$tmp/satchel" issuer create --slug example-college \
      --name "Example College" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$org_admin_password" "$tmp/satchel" account create --kind issuer \
      --org example-college --org-admin --username "$org_admin" --display-name "Ada Admin" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$org_staff_password" "$tmp/satchel" account create --kind issuer \
      --org example-college --username "$org_staff" --display-name "Tom Tutor" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$org_leaver_password" "$tmp/satchel" account create \
      --username "$org_leaver" --display-name "Max Example" --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" "$tmp/satchel" issuer create --slug hmp-example-prison \
      --name "HMP Example" --signs custody-period,stay,release --base-url "$2" >/dev/null 2>"$tmp/account.log" \
    || ! SATCHEL_DATA="$1" SATCHEL_PASSWORD="$prison_staff_password" "$tmp/satchel" account create --kind issuer \
      --org hmp-example-prison --username "$prison_staff" --display-name "Pat Prison" --base-url "$2" >/dev/null 2>"$tmp/account.log"; then
    cat "$tmp/account.log" >&2
    exit 1
  fi
}
start_server "$tmp/satchel" "$tmp"

rm -rf "$artifacts"
mkdir -p "$artifacts"

# In the background so that an interrupt stops the run at once (bash runs
# traps only between foreground commands). --test-timeout also limits each
# test file as a whole, so it is above the longest limit a test sets itself
# (200 s): on a busy machine pages.test.mjs was cut off at 120 s, inside
# its own limit.
SATCHEL_URL="$base" \
  SATCHEL_LEAVER_USERNAME="$leaver" SATCHEL_LEAVER_PASSWORD="$leaver_password" \
  SATCHEL_HELPER_USERNAME="$helper" SATCHEL_HELPER_PASSWORD="$helper_password" \
  SATCHEL_PAGES_LEAVER_USERNAME="$pages_leaver" SATCHEL_PAGES_LEAVER_PASSWORD="$pages_leaver_password" \
  SATCHEL_ACCESS_LEAVER_USERNAME="$access_leaver" SATCHEL_ACCESS_LEAVER_PASSWORD="$access_leaver_password" \
  SATCHEL_RECIPIENT_LEAVER_USERNAME="$recipient_leaver" SATCHEL_RECIPIENT_LEAVER_PASSWORD="$recipient_leaver_password" \
  SATCHEL_STAFF_USERNAME="$staff" SATCHEL_STAFF_PASSWORD="$staff_password" \
  SATCHEL_ORG_ADMIN_USERNAME="$org_admin" SATCHEL_ORG_ADMIN_PASSWORD="$org_admin_password" \
  SATCHEL_ORG_STAFF_USERNAME="$org_staff" SATCHEL_ORG_STAFF_PASSWORD="$org_staff_password" \
  SATCHEL_ORG_LEAVER_USERNAME="$org_leaver" SATCHEL_ORG_LEAVER_PASSWORD="$org_leaver_password" \
  SATCHEL_PRISON_STAFF_USERNAME="$prison_staff" SATCHEL_PRISON_STAFF_PASSWORD="$prison_staff_password" \
  SATCHEL_CHROMIUM="$chromium" SATCHEL_E2E_ARTIFACTS="$artifacts" \
  node --test --test-timeout=300000 ${SATCHEL_E2E_TESTS:-leaver.test.mjs pages.test.mjs access.test.mjs recipient.test.mjs onboard.test.mjs org.test.mjs} &
test_pid=$!
status=0
wait "$test_pid" || status=$?
test_pid=""

if [ "$status" -ne 0 ]; then
  echo "--- server log (last 50 lines) ---" >&2
  tail -n 50 "$tmp/server.log" >&2
  if [ -n "$(ls -A "$artifacts")" ]; then
    echo "--- screenshots and HTML of the pages when it failed: $artifacts ---" >&2
    ls "$artifacts" >&2
  fi
elif [ "${SATCHEL_E2E_SCREENSHOTS:-}" = 1 ]; then
  echo "screenshots of every page checked: $artifacts" >&2
else
  rm -rf "$artifacts"
fi
exit "$status"
