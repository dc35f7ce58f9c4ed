package issuer

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/schemas"
)

// farSite is another server over https with an issuer of its own: its DID
// document and its signed status list, counting requests by path.
type farSite struct {
	srv  *httptest.Server
	host string
	priv ed25519.PrivateKey
	at   func() time.Time

	mu    sync.Mutex
	hits  map[string]int
	list  *statuslist.List
	paths map[string]http.HandlerFunc // other answers, by path
}

func newFarSite(t *testing.T, at func() time.Time) *farSite {
	_, priv, _ := ed25519.GenerateKey(nil)
	f := &farSite{priv: priv, at: at, hits: map[string]int{}, list: statuslist.New(statuslist.MinBits), paths: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	f.host = f.srv.Listener.Addr().String()
	return f
}

func (f *farSite) did(name string) string {
	return "did:web:" + strings.ReplaceAll(f.host, ":", "%3A") + ":issuers:" + name
}
func (f *farSite) vm(name string) string { return f.did(name) + "#key-1" }
func (f *farSite) listURL(name string) string {
	return "https://" + f.host + "/issuers/" + name + "/status"
}
func (f *farSite) count(path string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.hits[path] }
func (f *farSite) revoke(i int)          { f.mu.Lock(); f.list.Set(i, true); f.mu.Unlock() }
func (f *farSite) handle(path string, h http.HandlerFunc) {
	f.mu.Lock()
	f.paths[path] = h
	f.mu.Unlock()
}

func (f *farSite) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits[r.URL.Path]++
	h := f.paths[r.URL.Path]
	f.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 3 || parts[0] != "issuers" {
		http.NotFound(w, r)
		return
	}
	name := parts[1]
	switch parts[2] {
	case "did.json":
		did := f.did(name)
		json.NewEncoder(w).Encode(map[string]any{
			"@context": []any{"https://www.w3.org/ns/did/v1"},
			"id":       did,
			"verificationMethod": []any{map[string]any{
				"id": "#key-1", "type": "Multikey", "controller": did,
				"publicKeyMultibase": dataintegrity.MultikeyEd25519(f.priv.Public().(ed25519.PublicKey)),
			}},
			"assertionMethod": []any{"#key-1"},
		})
	case "status":
		f.mu.Lock()
		vc, err := statuslist.Credential(f.listURL(name), f.did(name), "revocation", f.list, f.at().Add(-time.Hour), f.at().Add(24*time.Hour))
		f.mu.Unlock()
		if err == nil {
			vc, err = dataintegrity.Sign(vc, f.priv, f.vm(name), f.at(), "assertionMethod", dataintegrity.Options{Loader: schemas.DefaultLoader})
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		json.NewEncoder(w).Encode(vc)
	default:
		http.NotFound(w, r)
	}
}

// credential is a qualification signed by the far site's issuer name,
// with bit index of listURL as its status entry, claiming to be from
// claimed.
func (f *farSite) credential(t *testing.T, name, claimed, listURL string, index int) map[string]any {
	vc := qualificationVC(map[string]any{"id": f.did(name), "name": claimed})
	vc["credentialStatus"] = statuslist.Entry(listURL, index, "revocation")
	return signWithKey(t, vc, f.priv, f.vm(name))
}

// An issuer elsewhere that the operator trusts is named by the operator's
// name for it; its DID document and status list are fetched over https
// once per TTL, and its withdrawals show after that.
func TestTrustedIssuerElsewhere(t *testing.T) {
	var s *testService
	far := newFarSite(t, func() time.Time { return s.at })
	s = newTestService(t, Options{Trusted: []Trusted{{DID: far.did("college"), Name: "Example College"}}, Client: far.srv.Client(), CacheTTL: time.Hour})
	ctx := context.Background()
	vc := far.credential(t, "college", hmp, far.listURL("college"), 7)
	v := s.Verify(ctx, vc)
	if !v.Valid || !v.IssuerKnown || v.IssuerName != "Example College" {
		t.Fatalf("a trusted issuer's credential: %+v", v)
	}
	s.Verify(ctx, vc)
	if d, l := far.count("/issuers/college/did.json"), far.count("/issuers/college/status"); d != 1 || l != 1 {
		t.Fatalf("fetched the DID document %d times and the status list %d times, want once each", d, l)
	}
	far.revoke(7)
	if v := s.Verify(ctx, vc); !v.Valid {
		t.Fatalf("within the cache's TTL: %+v", v)
	}
	s.at = s.at.Add(time.Hour)
	if v := s.Verify(ctx, vc); v.Valid || v.Status != "revoked" || v.IssuerName != "Example College" {
		t.Fatalf("after the issuer withdrew it and the TTL passed: %+v", v)
	}
}

// Only the operator's list is fetched from: a did:web not on it is an
// unknown issuer, and its server is never asked anything.
func TestUntrustedDIDWebIsNeverFetched(t *testing.T) {
	var s *testService
	far := newFarSite(t, func() time.Time { return s.at })
	s = newTestService(t, Options{Trusted: []Trusted{{DID: far.did("college"), Name: "Example College"}}, Client: far.srv.Client()})
	v := s.Verify(context.Background(), far.credential(t, "other", hmp, far.listURL("other"), 1))
	if v.Valid || v.IssuerKnown || v.IssuerName != "" || !v.Unknown() {
		t.Fatalf("%+v", v)
	}
	mustFail(t, v, "issuer-known", ReasonUnknownIssuer)
	if n := far.count("/issuers/other/did.json"); n != 0 {
		t.Fatalf("an untrusted issuer's server was asked %d times", n)
	}
}

// Fetching a trusted issuer's documents has limits: no redirect to another
// host, no document over 64 KiB, no status list off the issuer's own site.
func TestTrustedIssuerFetchLimits(t *testing.T) {
	var s *testService
	clock := func() time.Time { return s.at }
	far, elsewhere := newFarSite(t, clock), newFarSite(t, clock)
	far.handle("/issuers/moved/did.json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+elsewhere.host+"/issuers/moved/did.json", http.StatusFound)
	})
	far.handle("/issuers/big/did.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id":"` + far.did("big") + `","padding":"` + strings.Repeat("x", MaxDIDDocument) + `"}`))
	})
	s = newTestService(t, Options{Client: far.srv.Client(), Trusted: []Trusted{
		{DID: far.did("moved"), Name: "Moved"}, {DID: far.did("big"), Name: "Big"}, {DID: far.did("college"), Name: "Example College"},
	}})
	ctx := context.Background()

	v := s.Verify(ctx, far.credential(t, "moved", "Moved", far.listURL("moved"), 1))
	mustFail(t, v, "proof", "another host")
	if v.IssuerKnown || elsewhere.count("/issuers/moved/did.json") != 0 {
		t.Fatalf("followed a redirect to another host: %+v", v)
	}
	v = s.Verify(ctx, far.credential(t, "big", "Big", far.listURL("big"), 1))
	mustFail(t, v, "proof", "larger than 64 KiB")

	v = s.Verify(ctx, far.credential(t, "college", "Example College", "https://"+elsewhere.host+"/issuers/college/status", 1))
	mustFail(t, v, "revocation", "not on the issuer's own site")
	if elsewhere.count("/issuers/college/status") != 0 {
		t.Fatal("fetched a status list from a host the credential chose")
	}
}

func TestParseTrusted(t *testing.T) {
	got, err := ParseTrusted(" did:web:college.example.org:issuers:education = Example College, Leeds ;\ndid:web:example.com%3A8443=Example")
	if err != nil {
		t.Fatal(err)
	}
	want := []Trusted{{"did:web:college.example.org:issuers:education", "Example College, Leeds"}, {"did:web:example.com%3A8443", "Example"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v", got)
	}
	for _, bad := range []string{
		"did:web:example.com", "did:key:z6Mk=Key", "did:web:example.com:..:x=Up", "did:web:example.com/x=Slash",
		"did:web:a.example=A;did:web:a.example=B", "did:web:=Nobody", "did:web:example.com:a%2Fb=Escaped",
	} {
		if _, err := ParseTrusted(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	for did, want := range map[string]string{
		"did:web:example.com":                  "https://example.com/.well-known/did.json",
		"did:web:example.com%3A8443:issuers:x": "https://example.com:8443/issuers/x/did.json",
	} {
		if u, err := didWebURL(did); err != nil || u.String() != want {
			t.Errorf("%s: %v %v, want %s", did, u, err, want)
		}
	}
}
