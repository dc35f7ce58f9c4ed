package consent_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod/podtest"
	"github.com/satchel-project/satchel/vault"
)

// forge signs payload with signer under the given headers, as a
// credential this service might have made (or an attacker with its key).
func forge(t *testing.T, signer vault.Signer, payload any, headers map[string]string) string {
	t.Helper()
	b, ok := payload.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(payload); err != nil {
			t.Fatal(err)
		}
	}
	hdr := jws.NewHeaders()
	for k, v := range headers {
		hdr.Set(k, v)
	}
	out, err := jws.Sign(b, jws.WithKey(jwa.EdDSA, signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func checkOf(err error) string {
	var ce *consent.CheckError
	if errors.As(err, &ce) {
		return ce.Check
	}
	return ""
}

// TestVerifyCredentialRefusals: each thing a verifier checks, wrong alone,
// is refused with the check it failed; right, the credential passes.
func TestVerifyCredentialRefusals(t *testing.T) {
	t.Parallel()
	keyDir := t.TempDir()
	f := newFixture(t, keyDir)
	signer := mustSigner(t, keyDir)
	keys, did := f.svc.Keys().JWKS(), f.svc.DID()
	kid := f.svc.Keys().KeyURL(signer.KeyID())
	from := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	until := from.Add(time.Hour)
	vc := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{
			"@context":   []string{"https://www.w3.org/ns/credentials/v2"},
			"type":       []string{"VerifiableCredential", "SatchelAccessGrant"},
			"issuer":     did,
			"validFrom":  from.Format(time.RFC3339),
			"validUntil": until.Format(time.RFC3339),
			"credentialStatus": map[string]any{
				"statusListCredential": base + consent.StatusListPath, "statusListIndex": "42",
			},
		}
		if mod != nil {
			mod(m)
		}
		return m
	}
	hdr := func(mod func(h map[string]string)) map[string]string {
		h := map[string]string{jws.TypeKey: "vc+jwt", jws.ContentTypeKey: "vc", jws.KeyIDKey: kid}
		if mod != nil {
			mod(h)
		}
		return h
	}
	at := from.Add(time.Minute)
	good := forge(t, signer, vc(nil), hdr(nil))
	v, err := consent.VerifyCredential(good, keys, did, at)
	if err != nil || v.StatusIndex != 42 || v.StatusList != base+consent.StatusListPath || v.KeyID != kid {
		t.Fatalf("a good credential: %+v %v", v, err)
	}
	if _, err := consent.VerifyCredential(good, keys, did, from); err != nil {
		t.Errorf("at the instant it starts: %v", err)
	}
	if _, err := consent.VerifyCredential(good, keys, did, until.Add(-time.Nanosecond)); err != nil {
		t.Errorf("just before it ends: %v", err)
	}
	parts := strings.Split(good, ".")
	for _, c := range []struct {
		name, token, check string
		at                 time.Time
	}{
		{"a nanosecond early", good, "not-before", from.Add(-time.Nanosecond)},
		{"at the end", good, "expiry", until},
		{"too large", good + strings.Repeat("A", consent.MaxCredentialBytes), "format", at},
		{"not a JWS", "hello", "format", at},
		{"two dots only", parts[0] + "." + parts[1], "format", at},
		{"a changed payload", parts[0] + "." + strings.TrimRight(parts[1], "=") + "AA." + parts[2], "signature", at},
		{"another signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), "signature", at},
		{"typ JWT", forge(t, signer, vc(nil), hdr(func(h map[string]string) { h[jws.TypeKey] = "JWT" })), "format", at},
		{"cty json", forge(t, signer, vc(nil), hdr(func(h map[string]string) { h[jws.ContentTypeKey] = "json" })), "format", at},
		{"no kid", forge(t, signer, vc(nil), hdr(func(h map[string]string) { delete(h, jws.KeyIDKey) })), "issuer", at},
		{"a kid of another DID", forge(t, signer, vc(nil), hdr(func(h map[string]string) { h[jws.KeyIDKey] = "did:web:evil.example#" + signer.KeyID() })), "issuer", at},
		{"not JSON", forge(t, signer, []byte("not json"), hdr(nil)), "format", at},
		{"a VC 1.1 context", forge(t, signer, vc(func(m map[string]any) { m["@context"] = []string{"https://www.w3.org/2018/credentials/v1"} }), hdr(nil)), "format", at},
		{"no context", forge(t, signer, vc(func(m map[string]any) { delete(m, "@context") }), hdr(nil)), "format", at},
		{"not a VC", forge(t, signer, vc(func(m map[string]any) { m["type"] = []string{"SatchelAccessGrant"} }), hdr(nil)), "type", at},
		{"not a grant", forge(t, signer, vc(func(m map[string]any) { m["type"] = []string{"VerifiableCredential"} }), hdr(nil)), "type", at},
		{"another issuer", forge(t, signer, vc(func(m map[string]any) { m["issuer"] = "did:web:evil.example" }), hdr(nil)), "issuer", at},
		{"no start", forge(t, signer, vc(func(m map[string]any) { delete(m, "validFrom") }), hdr(nil)), "format", at},
		{"a bad end", forge(t, signer, vc(func(m map[string]any) { m["validUntil"] = "tomorrow" }), hdr(nil)), "format", at},
		{"no status", forge(t, signer, vc(func(m map[string]any) { delete(m, "credentialStatus") }), hdr(nil)), "format", at},
		{"no status list", forge(t, signer, vc(func(m map[string]any) { delete(m["credentialStatus"].(map[string]any), "statusListCredential") }), hdr(nil)), "format", at},
		{"a bad index", forge(t, signer, vc(func(m map[string]any) { m["credentialStatus"].(map[string]any)["statusListIndex"] = "x" }), hdr(nil)), "format", at},
	} {
		if _, err := consent.VerifyCredential(c.token, keys, did, c.at); checkOf(err) != c.check {
			t.Errorf("%s: %v (check %q), want check %q", c.name, err, checkOf(err), c.check)
		}
	}
	// A grant from another Satchel is not this one's.
	g, err := f.svc.Create(context.Background(), newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := newFixture(t, t.TempDir())
	if _, err := consent.VerifyCredential(g.Credential, elsewhere.svc.Keys().JWKS(), elsewhere.svc.DID(), time.Now()); checkOf(err) != "issuer" {
		t.Errorf("a grant checked against another service's keys: %v", err)
	}
	if _, err := consent.VerifyCredential(g.Credential, keys, "did:web:satchel.example.org:other", time.Now()); checkOf(err) != "issuer" {
		t.Errorf("a grant checked for another DID: %v", err)
	}
	// VerifyOwn does not remember a forgery.
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	for i := 0; i < 2; i++ {
		if _, err := f.svc.VerifyOwn(forged, at); checkOf(err) != "signature" {
			t.Errorf("VerifyOwn of a forgery, time %d: %v", i, err)
		}
	}
	// The status list is signed by the same key but is not a grant.
	sl, err := f.svc.StatusListCredential(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := consent.VerifyCredential(sl, keys, did, time.Now()); checkOf(err) != "type" {
		t.Errorf("the status list as a grant: %v", err)
	}
	if _, err := consent.VerifyStatusList(g.Credential, keys, did, time.Now()); checkOf(err) != "type" {
		t.Errorf("a grant as the status list: %v", err)
	}
	if _, err := consent.VerifyStatusList("hello", keys, did, time.Now()); checkOf(err) != "format" {
		t.Errorf("a status list that is not a JWS: %v", err)
	}
	noSubject := forge(t, signer, vc(func(m map[string]any) { m["type"] = []string{"VerifiableCredential", "BitstringStatusListCredential"} }), hdr(nil))
	if _, err := consent.VerifyStatusList(noSubject, keys, did, at); checkOf(err) != "format" {
		t.Errorf("a status list without a subject: %v", err)
	}
}

// TestStatusListCredential: the published list is valid a day from when it
// was signed, is re-signed when it changes or after an hour, and not
// before.
func TestStatusListCredential(t *testing.T) {
	t.Parallel()
	f := newFixture(t, t.TempDir())
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clockAt(f, &now)
	g, err := f.svc.Create(ctx, newGrant(f.pod))
	if err != nil {
		t.Fatal(err)
	}
	keys, did := f.svc.Keys().JWKS(), f.svc.DID()
	if v, err := f.svc.VerifyOwn(g.Credential, now); err != nil || f.svc.StatusListURL() != "https://satchel.example.org/status/revocation" || v.StatusList != f.svc.StatusListURL() {
		t.Errorf("the status list is at %s; the grant names %+v (%v)", f.svc.StatusListURL(), v, err)
	}
	first, err := f.svc.StatusListCredential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := consent.VerifyStatusList(first, keys, did, now.Add(24*time.Hour-time.Second)); err != nil {
		t.Errorf("a second before a day is out: %v", err)
	}
	if _, err := consent.VerifyStatusList(first, keys, did, now.Add(24*time.Hour)); checkOf(err) != "expiry" {
		t.Errorf("a day after it was signed: %v", err)
	}
	now = now.Add(time.Hour - time.Second)
	if again, _ := f.svc.StatusListCredential(ctx); again != first {
		t.Errorf("re-signed within the hour although nothing changed")
	}
	now = now.Add(time.Second)
	hour, err := f.svc.StatusListCredential(ctx)
	if err != nil || hour == first {
		t.Fatalf("not re-signed after an hour (%v)", err)
	}
	if _, err := consent.VerifyStatusList(hour, keys, did, now.Add(24*time.Hour-time.Second)); err != nil {
		t.Errorf("the list signed an hour later is not valid a day from then: %v", err)
	}
	now = now.Add(time.Minute)
	if err := f.svc.Revoke(ctx, f.pod, g.ID); err != nil {
		t.Fatal(err)
	}
	changed, err := f.svc.StatusListCredential(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subj, err := consent.VerifyStatusList(changed, keys, did, now)
	if err != nil {
		t.Fatal(err)
	}
	if set, err := statuslist.Check(subj, g.StatusIndex); err != nil || !set {
		t.Errorf("the list signed after a withdrawal shows bit %d as %v (%v)", g.StatusIndex, set, err)
	}
}

// TestPublishedKeys: the endpoints a verifier fetches, and every key the
// service ever signed with listed in both.
func TestPublishedKeys(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	ctx := context.Background()
	if _, err := a.svc.Create(ctx, newGrant(a.pod)); err != nil {
		t.Fatal(err)
	}
	r := a.do(t, a.owner, "GET", consent.StatusListPath, "").want(http.StatusOK, "")
	if r.Header().Get("Content-Type") != consent.CredentialType || r.Header().Get("Cache-Control") != "no-cache" || r.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("status list headers: %v", r.Header())
	}
	if _, err := consent.VerifyStatusList(r.Body.String(), a.svc.Keys().JWKS(), a.svc.DID(), a.now); err != nil {
		t.Errorf("the served status list: %v", err)
	}
	r = a.do(t, a.owner, "GET", "/.well-known/jwks.json", "").want(http.StatusOK, "")
	if r.Header().Get("Content-Type") != "application/jwk-set+json" || r.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("jwks headers: %v", r.Header())
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(r.Body.Bytes(), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("jwks: %s %v", r.Body, err)
	}
	if k := set.Keys[0]; k["kty"] != "OKP" || k["alg"] != "EdDSA" || k["use"] != "sig" || !strings.HasPrefix(k["kid"].(string), a.svc.DID()+"#") || k["d"] != nil {
		t.Errorf("published key %v", k)
	}

	// A second key: both are published, in both forms, sorted by ID.
	pods, _ := podtest.Open(t, a.dir, time.Minute)
	rotated, err := consent.Open(ctx, pods, mustSigner(t, t.TempDir()), base)
	if err != nil {
		t.Fatal(err)
	}
	doc := rotated.Keys().DIDDocument()
	kids := doc["assertionMethod"].([]string)
	methods := doc["verificationMethod"].([]map[string]any)
	if doc["id"] != "did:web:satchel.example.org" || len(kids) != 2 || kids[0] >= kids[1] || len(methods) != 2 {
		t.Fatalf("did document %v", doc)
	}
	for i, m := range methods {
		if m["id"] != kids[i] || m["type"] != "JsonWebKey" || m["controller"] != doc["id"] || m["publicKeyJwk"] == nil {
			t.Errorf("verification method %d: %v", i, m)
		}
	}
	b, _ := json.Marshal(doc)
	if strings.Contains(string(b), `"d"`) {
		t.Errorf("the did document holds a private key: %s", b)
	}
	a.do(t, a.owner, "GET", "/.well-known/did.json", "").want(http.StatusOK, "")
	r = a.do(t, a.owner, "GET", "/.well-known/did.json", "")
	if r.Header().Get("Content-Type") != "application/did+json" || r.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.Body.String(), set.Keys[0]["kid"].(string)) {
		t.Errorf("did.json: %v %s", r.Header(), r.Body)
	}
	// Adding a key again changes nothing.
	k := consent.NewKeys("did:web:x")
	pub := mustSigner(t, t.TempDir()).Public().(ed25519.PublicKey)
	for i := 0; i < 2; i++ {
		if err := k.Add("one", pub); err != nil {
			t.Fatal(err)
		}
	}
	if k.JWKS().Len() != 1 || !k.Has("one") || k.Has("two") || len(k.DIDDocument()["assertionMethod"].([]string)) != 1 {
		t.Errorf("a key added twice: %d keys", k.JWKS().Len())
	}
}

// TestDIDWeb: the did:web of a base URL, and refusals.
func TestDIDWeb(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://satchel.example.org":     "did:web:satchel.example.org",
		"https://satchel.example.org/":    "did:web:satchel.example.org",
		"http://localhost:8443/a/b/":      "did:web:localhost%3A8443:a:b",
		"https://satchel.example.org/sub": "did:web:satchel.example.org:sub",
	} {
		if got, err := consent.DIDWeb(in); err != nil || got != want {
			t.Errorf("DIDWeb(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "satchel.example.org", "://x", "/path"} {
		if got, err := consent.DIDWeb(in); err == nil {
			t.Errorf("DIDWeb(%q) = %q, want a refusal", in, got)
		}
	}
	pods, _ := podtest.New(t)
	if _, err := consent.Open(context.Background(), pods, mustSigner(t, t.TempDir()), "nohost"); err == nil {
		t.Errorf("Open with a base URL without a host")
	}
}

// TestItemURLs: one URL for a resource, one per part of a record.
func TestItemURLs(t *testing.T) {
	t.Parallel()
	pod := "https://s.example/pods/p/"
	if got := consent.ItemURLs(pod, consent.Item{Path: "documents/a b.pdf"}); !reflect.DeepEqual(got, []string{pod + "documents/a%20b.pdf"}) {
		t.Errorf("a file: %v", got)
	}
	got := consent.ItemURLs(pod, consent.Item{Path: "housing/h.jsonld", Fields: []string{"/a/b", "/c"}})
	if want := []string{pod + "housing/h.jsonld#%2Fa%2Fb", pod + "housing/h.jsonld#%2Fc"}; !reflect.DeepEqual(got, want) {
		t.Errorf("parts: %v, want %v", got, want)
	}
}

// TestReceiptWords: what the receipt says for each kind of item and limit.
func TestReceiptWords(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 30, 9, 5, 0, 0, time.UTC)
	sh := consent.Share{Grant: consent.Grant{
		ID: "abc", SharedBy: "Jo", Recipient: consent.Recipient{Name: "Acme", Kind: consent.Employer}, Purpose: "job-application",
		Items:     []consent.Item{{Path: "documents/cv.pdf"}, {Path: "housing/h.jsonld", Fields: []string{"/a", "/b"}}},
		NotBefore: t0, Expires: t0.Add(48 * time.Hour), Created: t0,
	}}
	rec := consent.Receipt(sh, "https://s.example/s/tok", "did:web:s.example")
	for _, words := range []string{
		"as \"Jo\"\nwith Acme (employer),\nto apply for a job.\n",
		"  - documents/cv.pdf\n", "  - housing/h.jsonld, only these parts: /a, /b\n",
		"From Monday 30 November 2026 at 09:05 UTC\nuntil Wednesday 2 December 2026 at 09:05 UTC.\n",
		"The link they have: https://s.example/s/tok\n", "satchel revoke abc\n", "Made: 2026-11-30T09:05:00Z",
	} {
		if !strings.Contains(rec, words) {
			t.Errorf("the receipt does not say %q:\n%s", words, rec)
		}
	}
	for _, words := range []string{"open it", "minutes"} {
		if strings.Contains(rec, words) {
			t.Errorf("a receipt with no view limit says %q:\n%s", words, rec)
		}
	}
	sh.MaxViews = 3
	rec = consent.Receipt(sh, "l", "d")
	if !strings.Contains(rec, "They can open it at most 3 times.\nEach time, they can look at and download what you shared for 10 minutes.\n") || strings.Contains(rec, "open it once") {
		t.Errorf("three views:\n%s", rec)
	}
	sh.MaxViews = 1
	if rec = consent.Receipt(sh, "l", "d"); !strings.Contains(rec, "They can open it once.\nEach time") || strings.Contains(rec, "at most") {
		t.Errorf("one view:\n%s", rec)
	}
}
