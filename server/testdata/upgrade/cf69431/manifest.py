"""Writes manifest.json for the upgrade fixture from what make.sh collected.

Usage (make.sh runs it): python3 manifest.py FACTS DATA RELEASE BASE_URL
"""
import base64
import hashlib
import json
import os
import re
import sys

facts, data, release, base = sys.argv[1:5]


def read(name):
    with open(os.path.join(facts, name), encoding="utf-8") as f:
        return f.read()


def readjson(name):
    return json.loads(read(name))


PASSWORDS = {
    "tutor": "tutor-pw-Correct-Horse-1",
    "jo": "jo-pw-Correct-Horse-2",
    "alex": "alex-pw-Correct-Horse-3",
    "sam": "sam-pw-Correct-Horse-4",
}
KINDS = {"tutor": "issuer", "jo": "leaver", "alex": "leaver", "sam": "helper", "kim": "leaver"}
NAMES = {"tutor": "Terry Tutor", "jo": "Jo Bloggs", "alex": "Alex Taylor", "sam": "Sam Support", "kim": "Kim Lee"}

accounts = []
for u in ["tutor", "jo", "alex", "sam", "kim"]:
    out = read("account-" + u + ".out")
    a = {"username": u, "kind": KINDS[u], "displayName": NAMES[u]}
    if u in PASSWORDS:
        a["password"] = PASSWORDS[u]
    m = re.search(r"/pods/([a-z0-9]+)/", out)
    if m:
        a["pod"] = m.group(1)
    if u == "tutor":
        a["org"] = "hmp-example-education"
    accounts.append(a)
pods = {a["username"]: a["pod"] for a in accounts if "pod" in a}

kim = read("account-kim.out")
setup = {
    "username": "kim",
    "code": re.search(r"Code:\s+(\S+)", kim).group(1),
    "validFor": "7 days from when it was made",
    "note": "no password was ever set; the code is how Kim sets one at /start",
}
reset_out = read("reset.out")
m = re.search(r"Code:\s+(\S+)", reset_out) or re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", reset_out)
reset = {
    "username": "alex",
    "code": m.group(1) if m else None,
    "checkedBy": "Pat Jones, Leeds Hub",
    "validFor": "24 hours from when it was made",
    "output": reset_out,
}

did = re.search(r"(did:web:\S+)", read("issuer.out")).group(1).rstrip(".")


def resource(user, rel):
    path = os.path.join(facts, "pod-" + user, "files", rel)
    with open(path, "rb") as f:
        b = f.read()
    with open(path + ".type", encoding="utf-8") as f:
        ctype = f.read().strip()
    r = {"path": rel, "contentType": ctype, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
    if rel.startswith("access-log/"):
        r["accessLog"] = True
    try:
        text = b.decode("utf-8")
        if ctype.startswith(("application/ld+json", "application/json", "text/")):
            r["content"] = text
        else:
            r["base64"] = base64.b64encode(b).decode()
    except UnicodeDecodeError:
        r["base64"] = base64.b64encode(b).decode()
    return r


pod_out = {}
for user in ["jo", "alex"]:
    pod = pods[user]
    prefix = base + "/pods/" + pod + "/"
    containers = {}
    resources = []
    d = os.path.join(facts, "pod-" + user)
    for name in sorted(os.listdir(d)):
        if not name.startswith("listing-"):
            continue
        listing = json.loads(open(os.path.join(d, name), encoding="utf-8").read())
        node = listing["@graph"][0]  # the container itself comes first
        members = sorted(m["@id"][len(prefix):] for m in node.get("ldp:contains", []))
        containers[node["@id"][len(prefix):]] = members
    for c, members in sorted(containers.items()):
        for m in members:
            if not m.endswith("/"):
                resources.append(resource(user, m))
    pod_out[user] = {"id": pod, "url": prefix, "containers": containers, "resources": resources}


def share(name, made_by):
    s = readjson(name)
    url = s["shareURL"]
    out = {
        "id": s["id"],
        "madeBy": made_by,
        "owner": "jo",
        "status": s["status"],
        "shareURL": url,
        "token": url.rsplit("/", 1)[1],
        "recipient": s["recipient"],
        "purpose": s["purpose"],
        "sharedBy": s["sharedBy"],
        "items": s["items"],
        "notBefore": s["notBefore"],
        "expires": s["expires"],
        "created": s["created"],
    }
    for k in ["shareCode", "revokedAt", "purposeText"]:
        if s.get(k):
            out[k] = s[k]
    return out


shares = {
    "live": share("share-live.json", "jo"),
    "revoked": share("share-revoked.json", "jo"),
    "byHelper": share("share-helper.json", "sam"),
}
shares["live"]["birthDate"] = "1990-04-23"
shares["live"]["openedBy"] = "curl with a browser User-Agent: the page, then documents/licence-conditions.pdf"

credentials = []
for user in ["jo", "alex"]:
    path = read(user + "-credential")
    cred = json.loads(open(os.path.join(facts, "pod-" + user, "files", path), encoding="utf-8").read())
    v = readjson("verify-" + user + ".json")
    credentials.append({
        "owner": user,
        "path": path,
        "id": cred["id"],
        "issuer": cred["issuer"]["id"] if isinstance(cred["issuer"], dict) else cred["issuer"],
        "issuerName": v.get("issuerName"),
        "enrolment": read(user + "-enrolment"),
        "verifiedByRelease": v,
    })

helpers = [{
    "leaver": "jo",
    "helper": "sam",
    "rights": readjson("helpers-jo.json")["helpers"][0]["rights"],
    "added": read("sam-added"),
    "release": readjson("helpers-jo.json"),
}]

logs = {}
for user in ["jo", "alex"]:
    logs[user] = readjson("log-" + user + ".json")

size = 0
nfiles = 0
for root, _, files in os.walk(data):
    for f in files:
        size += os.path.getsize(os.path.join(root, f))
        nfiles += 1

manifest = {
    "release": release,
    "made": read("made").strip(),
    "baseURL": base,
    "storage": "fs (data/objects)",
    "keys": "local (data/keys: master.key and signing keys; test data, not a secret)",
    "dataFiles": nfiles,
    "dataBytes": size,
    "notes": [
        "Made by make.sh with the release at 'release', through its command line and HTTP API. Never regenerate it with a newer release.",
        "Serve it with base URL 'baseURL': grants, share links, pod URLs in grants and the issuer's did:web name that host and port.",
        "Git does not keep file modes: keys/master.key must be made 0600 before a server opens the copy.",
        "Share expiries, the web session (12 hours), the set-up code (7 days) and the reset code (24 hours) run on the wall clock from 'made'.",
    ],
    "issuer": {"slug": "hmp-example-education", "name": "HMP Example - Education Department", "did": did},
    "accounts": accounts,
    "setupCode": setup,
    "resetCode": reset,
    "webSession": {"username": "jo", "cookie": "satchel", "value": read("web-session"), "note": "ends 12 hours after 'made' (30 minutes idle)"},
    "pods": pod_out,
    "shares": shares,
    "credentials": credentials,
    "helpers": helpers,
    "accessLog": logs,
}
json.dump(manifest, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")
