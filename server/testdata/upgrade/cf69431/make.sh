#!/usr/bin/env bash
# Makes the upgrade fixture beside this script (data/ and manifest.json) with
# the release at commit cf69431, through that release's own command line and
# HTTP API: nothing here writes a file under data/ by hand.
#
# NEVER run this with a newer release: the point of the fixture is that it
# holds what cf69431 wrote. It checks out cf69431 in a temporary git worktree
# and builds it there; /work/main's working files are not touched.
#
#   server/testdata/upgrade/cf69431/make.sh            # remake data/ and manifest.json
#
# Needs: git, go, curl, jq, python3, and 127.0.0.1:8080 free (the base URL
# http://127.0.0.1:8080 is baked into grants, issuer DIDs and tokens, and the
# client follows the pod URLs the server gives it, so the server must listen
# on exactly that address).
set -euo pipefail

RELEASE=cf694312062e310488ce921ebc097b6686aaed21
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(git -C "$HERE" rev-parse --show-toplevel)
BASE=http://127.0.0.1:8080
ADDR=127.0.0.1:8080

WORK=$(mktemp -d /tmp/satchel-fixture.XXXXXX)
DATA=$WORK/data
SERVE_PID=
cleanup() {
	if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
	git -C "$REPO" worktree remove --force "$WORK/release" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

if curl -s -o /dev/null "$BASE/healthz"; then
	echo "something is already listening on $ADDR: stop it first" >&2
	exit 1
fi

# The release, built from its own tree.
git -C "$REPO" worktree add --detach "$WORK/release" "$RELEASE" >/dev/null
[ "$(git -C "$WORK/release" rev-parse HEAD)" = "$RELEASE" ]
(cd "$WORK/release" && go build -o "$WORK/satchel" ./cmd/satchel)
SATCHEL=$WORK/satchel
EXAMPLES=$WORK/release/examples/pod

# Everything the test needs to know is collected here, then made into
# manifest.json at the end.
FACTS=$WORK/facts
mkdir -p "$FACTS"
fact() { printf '%s' "$2" >"$FACTS/$1"; }

# ---- Operator commands on the data directory (server not yet running) ----
export SATCHEL_DATA=$DATA SATCHEL_BASE_URL=$BASE
$SATCHEL issuer create --slug hmp-example-education --name "HMP Example - Education Department" | tee "$FACTS/issuer.out"

acct() { # username password kind display-name [extra flags]
	local u=$1 pw=$2 kind=$3 name=$4
	shift 4
	SATCHEL_PASSWORD=$pw $SATCHEL account create --kind "$kind" --username "$u" --display-name "$name" "$@" 2>&1 | tee "$FACTS/account-$u.out"
}
acct tutor 'tutor-pw-Correct-Horse-1' issuer "Terry Tutor" --org hmp-example-education
acct jo 'jo-pw-Correct-Horse-2' leaver "Jo Bloggs"
acct alex 'alex-pw-Correct-Horse-3' leaver "Alex Taylor"
acct sam 'sam-pw-Correct-Horse-4' helper "Sam Support"
# Kim never chose a password: a set-up code, valid 7 days.
$SATCHEL account create --kind leaver --username kim --display-name "Kim Lee" 2>&1 | tee "$FACTS/account-kim.out"

start() {
	$SATCHEL serve --addr "$ADDR" >>"$WORK/serve.log" 2>&1 &
	SERVE_PID=$!
	for _ in $(seq 100); do
		curl -sf -o /dev/null "$BASE/readyz" && return 0
		sleep 0.1
	done
	cat "$WORK/serve.log" >&2
	exit 1
}
stop() {
	kill -INT "$SERVE_PID"
	wait "$SERVE_PID" || true
	SERVE_PID=
}
start

# ---- Each person signs in with the release's own client ----
as() { # username command...: run the client with that person's session
	local u=$1
	shift
	XDG_CONFIG_HOME=$WORK/config-$u HOME=$WORK/home-$u "$SATCHEL" "$@"
}
login() { SATCHEL_PASSWORD=$2 as "$1" login --server "$BASE" --username "$1"; }
login jo 'jo-pw-Correct-Horse-2'
login alex 'alex-pw-Correct-Horse-3'
login sam 'sam-pw-Correct-Horse-4'
login tutor 'tutor-pw-Correct-Horse-1'
token() { jq -r .access_token "$WORK/config-$1/satchel/session.json"; }
podurl() { jq -r .pod "$WORK/config-$1/satchel/session.json"; }
api() { # username method url [curl args]: an authenticated API call, failing on >= 400
	local u=$1 m=$2 url=$3
	shift 3
	curl -sS --fail-with-body -X "$m" -H "Authorization: Bearer $(token "$u")" "$@" "$url"
}

# Jo: the fictional example pod (ID card and its scan, birth certificate,
# National Insurance number, five-year address history, two self-reported
# qualifications, bank details, licence conditions as a PDF and a record).
as jo examples load
# Alex: records and a photo written one by one.
cat >"$WORK/alex-birth.jsonld" <<'EOF'
{
  "@context": "https://w3id.org/satchel/v1",
  "id": "#certificate",
  "type": "BirthCertificate",
  "certificateForm": "full",
  "name": "Alex Taylor",
  "birthDate": "1985-11-02",
  "placeOfBirth": "Sheffield",
  "registrationDistrict": "Sheffield",
  "issueDate": "2023-09-14"
}
EOF
cat >"$WORK/alex-history.jsonld" <<'EOF'
{
  "@context": "https://w3id.org/satchel/v1",
  "id": "#history",
  "type": "AddressHistory",
  "entries": [
    {
      "id": "#flat-sheffield",
      "type": "AddressHistoryEntry",
      "address": {"type": "PostalAddress", "streetAddress": "3 Example Walk", "addressLocality": "Sheffield", "postalCode": "S1 9ZZ"},
      "from": "2020-01-06",
      "to": "2023-02-10",
      "accommodationKind": "own-tenancy"
    },
    {
      "id": "#current",
      "type": "AddressHistoryEntry",
      "address": {"type": "PostalAddress", "streetAddress": "Room 4, 12 Hill Street", "addressLocality": "Rotherham", "postalCode": "S60 9ZZ"},
      "from": "2023-02-10",
      "accommodationKind": "friends"
    }
  ]
}
EOF
# A 1×1 PNG (67 bytes) and a PDF of a few hundred bytes.
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==' | base64 -d >"$WORK/photo.png"
printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' >"$WORK/letter.pdf"
as alex put "$WORK/alex-birth.jsonld" identity/birth-certificate.jsonld
as alex put "$WORK/alex-history.jsonld" housing/address-history.jsonld
as alex put "$WORK/photo.png" documents/photo.png
as alex put "$WORK/letter.pdf" documents/letter.pdf

# ---- Qualifications issued by the organisation through enrolment ----
enrol_code() { as "$1" enrol hmp-example-education | tee /dev/stderr | sed -n 's/.*enrolment code: \([^ ]*\)$/\1/p'; }
JO_ENROL=$(enrol_code jo)
ALEX_ENROL=$(enrol_code alex)
fact jo-enrolment "$JO_ENROL"
fact alex-enrolment "$ALEX_ENROL"
as tutor issue qualification --to "$JO_ENROL" --course "Functional Skills English" --level "Level 1" \
	--start 2025-01-06 --end 2025-06-27 --outcome Achieved --establishment "HMP Example" --accredited
as tutor issue qualification --to "$ALEX_ENROL" --course "Food Hygiene" --level "Level 2" \
	--start 2025-03-03 --end 2025-04-25 --outcome Achieved --grade Pass --establishment "HMP Example"
# Jo files hers into qualifications/; Alex's stays in the inbox.
as jo ls inbox/
JO_CRED=$(as jo ls inbox/ | grep -o 'qualification[^ ]*\.jsonld' | head -1)
as jo file "inbox/$JO_CRED"
fact jo-credential "qualifications/$JO_CRED"
ALEX_CRED=$(as alex ls inbox/ | grep -o 'qualification[^ ]*\.jsonld' | head -1)
fact alex-credential "inbox/$ALEX_CRED"

# ---- Jo chooses Sam as a helper, who adds a document and shares for Jo ----
as jo helpers add sam --can view,add,share
JO_POD=$(podurl jo)
api sam PUT "${JO_POD}documents/from-sam.pdf" -H 'Content-Type: application/pdf' --data-binary @"$WORK/letter.pdf" -o /dev/null
fact sam-added documents/from-sam.pdf
JO_POD_ID=$(basename "$JO_POD")
api sam POST "$BASE/api/v1/grants" -H 'Content-Type: application/json' -d '{
  "pod": "'"$JO_POD_ID"'",
  "recipient": {"name": "Leeds Support Service", "kind": "support-service"},
  "purpose": "support-referral",
  "items": [{"path": "identity/national-insurance.jsonld"}],
  "expiresIn": "90d"
}' >"$FACTS/share-helper.json"

# ---- Jo's shares: one live (90 days, the longest), one withdrawn ----
api jo POST "$BASE/api/v1/grants" -H 'Content-Type: application/json' -d '{
  "recipient": {"name": "Acme Lettings", "kind": "landlord"},
  "purpose": "tenancy-application",
  "purposeText": "Room at 5 Example Street",
  "items": [
    {"path": "housing/address-history.jsonld", "fields": ["/entries/#current/address"]},
    {"path": "identity/birth-certificate.jsonld"},
    {"path": "documents/licence-conditions.pdf"},
    {"path": "qualifications/'"$JO_CRED"'"}
  ],
  "expiresIn": "90d"
}' >"$FACTS/share-live.json"
api jo POST "$BASE/api/v1/grants" -H 'Content-Type: application/json' -d '{
  "recipient": {"name": "Example Bank", "kind": "bank"},
  "purpose": "open-bank-account",
  "items": [{"path": "identity/id-card.jsonld"}, {"path": "documents/id-card.png"}],
  "expiresIn": "7d"
}' >"$FACTS/share-revoked.json"
api jo POST "$BASE/api/v1/grants/$(jq -r .id "$FACTS/share-revoked.json")/revoke" -o /dev/null
api jo GET "$BASE/api/v1/grants/$(jq -r .id "$FACTS/share-revoked.json")" >"$FACTS/share-revoked.json"
as jo shares --status all

# ---- The landlord opens the live link (an access-log entry) and one item ----
LIVE_URL=$(jq -r .shareURL "$FACTS/share-live.json")
REVOKED_URL=$(jq -r .shareURL "$FACTS/share-revoked.json")
UA='Mozilla/5.0 (X11; Linux x86_64) satchel-fixture'
curl -sS -A "$UA" -c "$WORK/landlord" -b "$WORK/landlord" -o /dev/null -w 'live link: %{http_code}\n' "$LIVE_URL"
curl -sS -A "$UA" -c "$WORK/landlord" -b "$WORK/landlord" -o /dev/null -w 'live item: %{http_code}\n' "$LIVE_URL/items/documents/licence-conditions.pdf"
curl -sS -A "$UA" -o /dev/null -w 'revoked link: %{http_code}\n' "$REVOKED_URL"
as jo log

# ---- Jo signs in on the web pages: a session ----
CSRF=$(curl -sS -c "$WORK/browser" "$BASE/sign-in" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -sS -b "$WORK/browser" -c "$WORK/browser" -o /dev/null -w 'web sign-in: %{http_code}\n' \
	--data-urlencode "csrf=$CSRF" --data-urlencode username=jo --data-urlencode 'password=jo-pw-Correct-Horse-2' "$BASE/sign-in"
fact web-session "$(awk '$6 == "satchel" {print $7}' "$WORK/browser")"
curl -sS -b "$WORK/browser" -o /dev/null -w 'web /my: %{http_code}\n' "$BASE/my"
date -u +%Y-%m-%dT%H:%M:%SZ >"$FACTS/made"

# ---- A password reset code for Alex, given in person (an operator command) ----
stop
$SATCHEL account reset-code --username alex --checked-by "Pat Jones, Leeds Hub" 2>&1 | tee "$FACTS/reset.out"

# ---- Read back everything the manifest lists, through the API ----
start
for u in jo alex; do
	SATCHEL_PASSWORD=$([ $u = jo ] && echo 'jo-pw-Correct-Horse-2' || echo 'alex-pw-Correct-Horse-3') as $u login --server "$BASE" --username $u >/dev/null
done
login tutor 'tutor-pw-Correct-Horse-1' >/dev/null
for u in jo alex; do
	pod=$(podurl $u)
	mkdir -p "$FACTS/pod-$u"
	walk() { # container path ("" for the root)
		local listing
		listing=$(api $u GET "$pod$1" -H 'Accept: application/ld+json')
		echo "$listing" >"$FACTS/pod-$u/listing-$(echo "${1:-root}" | tr / _)json"
		for m in $(echo "$listing" | jq -r --arg c "$pod$1" '."@graph"[] | select(."@id" == $c) | ."ldp:contains"[]?."@id"'); do
			local rel=${m#"$pod"}
			case $rel in
			*/) walk "$rel" ;;
			*)
				mkdir -p "$FACTS/pod-$u/files/$(dirname "$rel")"
				api $u GET "$m" -H 'Accept: */*' -D "$FACTS/pod-$u/headers.tmp" -o "$FACTS/pod-$u/files/$rel"
				tr -d '\r' <"$FACTS/pod-$u/headers.tmp" | sed -n 's/^[Cc]ontent-[Tt]ype: //p' >"$FACTS/pod-$u/files/$rel.type"
				;;
			esac
		done
	}
	walk ""
	api $u GET "$BASE/api/v1/log" >"$FACTS/log-$u.json"
done
api jo GET "$BASE/api/v1/helpers" >"$FACTS/helpers-jo.json"
for u in jo alex; do
	cred=$(cat "$FACTS/$u-credential")
	curl -sS -H 'Content-Type: application/json' \
		-d "{\"verifiableCredential\": $(cat "$FACTS/pod-$u/files/$cred")}" "$BASE/api/v1/verify" >"$FACTS/verify-$u.json" || true
done
stop

# ---- Into the repository ----
rm -rf "$HERE/data"
cp -a "$DATA" "$HERE/data"
find "$HERE/data" -name '.tmp-*' -print -delete
python3 "$HERE/manifest.py" "$FACTS" "$HERE/data" "$RELEASE" "$BASE" >"$HERE/manifest.json"
du -sh --apparent-size "$HERE/data"
echo "made $HERE/data and $HERE/manifest.json"
