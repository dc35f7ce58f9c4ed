#!/usr/bin/env bash
# Verifies a Satchel share without Satchel's code: only curl, openssl (3.x)
# and python3's standard library. A landlord's or bank's own system can do
# the same in any language.
#
#   examples/verify-offline/verify.sh SHARE_URL [GRANT_FILE]
#
# 1. Download the signed grant from the link (SHARE_URL/grant): a compact
#    JWS, header.payload.signature, each part base64url. A link that has
#    ended (withdrawn, expired, used up) no longer gives it out: it answers
#    410 with only its status, which is reported (exit 3 if withdrawn). To
#    check a grant saved while the link worked, give it as GRANT_FILE.
# 2. Check the header: alg EdDSA, typ vc+jwt, cty vc, and a kid naming a
#    key of the issuer's did:web document.
# 3. Fetch the issuer's keys (https://HOST/.well-known/jwks.json), take the
#    key whose kid matches, and check the Ed25519 signature over
#    "header.payload".
# 4. Check validFrom <= now < validUntil.
# 5. Fetch the status list named in credentialStatus, check its signature
#    the same way, then read bit statusListIndex of its encodedList (a "u",
#    then base64url of a GZIP of the bitstring; bit 0 is the left-most bit
#    of the first byte). 1 means withdrawn.
set -euo pipefail
[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: $0 SHARE_URL [GRANT_FILE]" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
share=$1
origin=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(p.scheme+"://"+p.netloc)' "$share")

if [ $# -eq 2 ]; then
  cp "$2" "$work/grant.jwt"
else
  code=$(curl -s "$share/grant" -o "$work/grant.jwt" -w '%{http_code}')
  if [ "$code" = 410 ]; then
    python3 - "$work/grant.jwt" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
words = {"revoked": "WITHDRAWN", "expired": "EXPIRED", "used-up": "USED UP", "unknown-link": "NOT A SHARE"}
print("status: %s (%s)" % (words.get(p.get("code"), "ENDED"), p.get("detail", "")))
sys.exit(3 if p.get("code") == "revoked" else 1)
PY
  fi
  [ "$code" = 200 ] || { echo "the signed grant could not be downloaded (HTTP $code)" >&2; exit 1; }
fi
curl -sf "$origin/.well-known/jwks.json" -o "$work/jwks.json"

# verify_jws FILE: checks one compact JWS against jwks.json, prints its payload.
verify_jws() {
  python3 - "$1" "$work" <<'PY'
import base64, json, subprocess, sys
jws_file, work = sys.argv[1], sys.argv[2]
def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
h, p, s = open(jws_file).read().strip().split(".")
hdr = json.loads(b64(h))
assert hdr.get("alg") == "EdDSA" and hdr.get("typ") == "vc+jwt" and hdr.get("cty") == "vc", "unexpected JWS header %r" % hdr
keys = {k["kid"]: k for k in json.load(open(work + "/jwks.json"))["keys"]}
key = keys.get(hdr["kid"])
assert key and key["kty"] == "OKP" and key["crv"] == "Ed25519", "the signing key is not published"
# An Ed25519 public key in DER (SubjectPublicKeyInfo) is a fixed 12-byte prefix and the 32 raw bytes.
der = bytes.fromhex("302a300506032b6570032100") + b64(key["x"])
open(work + "/pub.der", "wb").write(der)
open(work + "/msg", "wb").write((h + "." + p).encode())
open(work + "/sig", "wb").write(b64(s))
r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", work + "/pub.der",
                    "-rawin", "-in", work + "/msg", "-sigfile", work + "/sig"], capture_output=True)
assert r.returncode == 0, "SIGNATURE DOES NOT MATCH"
vc = json.loads(b64(p))
assert vc["issuer"] == hdr["kid"].split("#")[0], "the key belongs to another issuer"
print(json.dumps(vc))
PY
}

verify_jws "$work/grant.jwt" > "$work/grant.json"
json_get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v:=v[k] for k in sys.argv[2:]]; print(v)' "$@"; }
echo "signature: checked against $(json_get "$work/grant.json" issuer)'s published key"

python3 - "$work/grant.json" <<'PY'
import json, sys, datetime
vc = json.load(open(sys.argv[1]))
now = datetime.datetime.now(datetime.timezone.utc)
f = datetime.datetime.fromisoformat(vc["validFrom"].replace("Z", "+00:00"))
u = datetime.datetime.fromisoformat(vc["validUntil"].replace("Z", "+00:00"))
assert f <= now < u, "NOT VALID NOW (valid %s to %s)" % (f, u)
pc = vc["credentialSubject"]["providedConsent"]
print("dates: valid from %s until %s" % (f, u))
print("shared by %s with %s for %s:" % (vc["credentialSubject"]["sharedBy"], pc["isProvidedTo"]["name"], pc["forPurpose"]))
for d in pc["forPersonalData"]: print("  " + d)
PY

status_url=$(json_get "$work/grant.json" credentialStatus statusListCredential)
index=$(json_get "$work/grant.json" credentialStatus statusListIndex)
curl -sf "$status_url" -o "$work/status.jwt"
verify_jws "$work/status.jwt" > "$work/status.json"
python3 - "$work/status.json" "$index" <<'PY'
import base64, gzip, json, sys
vc = json.load(open(sys.argv[1])); i = int(sys.argv[2])
enc = vc["credentialSubject"]["encodedList"]
assert enc[0] == "u", "encodedList lacks the multibase u prefix"
bits = gzip.decompress(base64.urlsafe_b64decode(enc[1:] + "=" * (-len(enc[1:]) % 4)))
withdrawn = (bits[i // 8] >> (7 - i % 8)) & 1
print("status: bit %d of %d is %d -> %s" % (i, len(bits) * 8, withdrawn, "WITHDRAWN" if withdrawn else "not withdrawn"))
sys.exit(3 if withdrawn else 0)
PY
echo "VALID"
