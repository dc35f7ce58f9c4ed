package issuer

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/credentials/dataintegrity"
)

// didDoc is the DID document of the far site's issuer name, listing keys
// (by fragment) with their controller.
func (f *farSite) didDoc(name string, keys map[string]ed25519.PublicKey, controller string) []byte {
	did := f.did(name)
	var vms, am []any
	for frag, pub := range keys {
		vms = append(vms, map[string]any{"id": "#" + frag, "type": "Multikey", "controller": controller, "publicKeyMultibase": dataintegrity.MultikeyEd25519(pub)})
		am = append(am, "#"+frag)
	}
	b, _ := json.Marshal(map[string]any{"@context": []any{"https://www.w3.org/ns/did/v1"}, "id": did, "verificationMethod": vms, "assertionMethod": am})
	return b
}

func (f *farSite) pub() ed25519.PublicKey { return f.priv.Public().(ed25519.PublicKey) }

// A trusted issuer's DID document may be reached through up to two
// redirects on its own host over https; a third, or one to plain http, is
// refused and the issuer is not taken as known.
func TestTrustedIssuerRedirects(t *testing.T) {
	var s *testService
	far := newFarSite(t, func() time.Time { return s.at })
	doc := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Write(far.didDoc(name, map[string]ed25519.PublicKey{"key-1": far.pub()}, far.did(name)))
		}
	}
	hop := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) }
	}
	base := "https://" + far.host
	far.handle("/issuers/two/did.json", hop(base+"/hop/two/1"))
	far.handle("/hop/two/1", hop(base+"/hop/two/2"))
	far.handle("/hop/two/2", doc("two"))
	far.handle("/issuers/three/did.json", hop(base+"/hop/three/1"))
	far.handle("/hop/three/1", hop(base+"/hop/three/2"))
	far.handle("/hop/three/2", hop(base+"/hop/three/3"))
	far.handle("/hop/three/3", doc("three"))
	far.handle("/issuers/plain/did.json", hop("http://"+far.host+"/hop/plain"))
	far.handle("/hop/plain", doc("plain"))
	s = newTestService(t, Options{Client: far.srv.Client(), Trusted: []Trusted{
		{DID: far.did("two"), Name: "Two"}, {DID: far.did("three"), Name: "Three"}, {DID: far.did("plain"), Name: "Plain"},
	}})
	ctx := context.Background()
	if v := s.Verify(ctx, far.credential(t, "two", "Two", far.listURL("two"), 1)); !v.IssuerKnown || v.IssuerName != "Two" {
		t.Errorf("two redirects on the issuer's host: %+v", v)
	}
	for _, name := range []string{"three", "plain"} {
		if v := s.Verify(ctx, far.credential(t, name, name, far.listURL(name), 1)); v.IssuerKnown || v.Valid {
			t.Errorf("%s: the issuer was taken as known: %+v", name, v)
		}
	}
	if far.count("/hop/three/3") != 0 || far.count("/hop/plain") != 0 {
		t.Error("a third redirect, or one to http, was followed")
	}
}

// A failed fetch of a trusted issuer's document is retried after the
// failure's short TTL, well before the cache's TTL; a good document is
// kept for the whole cache TTL, and a key it did not list is looked for
// again only after a minute.
func TestTrustedIssuerRefetch(t *testing.T) {
	var s *testService
	far := newFarSite(t, func() time.Time { return s.at })
	down := true
	var next ed25519.PrivateKey
	far.handle("/issuers/college/did.json", func(w http.ResponseWriter, r *http.Request) {
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		keys := map[string]ed25519.PublicKey{"key-1": far.pub()}
		if next != nil {
			keys["key-2"] = next.Public().(ed25519.PublicKey)
		}
		w.Write(far.didDoc("college", keys, far.did("college")))
	})
	s = newTestService(t, Options{Client: far.srv.Client(), CacheTTL: time.Hour, Trusted: []Trusted{{DID: far.did("college"), Name: "Example College"}}})
	ctx := context.Background()
	vc := far.credential(t, "college", "Example College", far.listURL("college"), 3)
	const doc = "/issuers/college/did.json"
	if v := s.Verify(ctx, vc); v.IssuerKnown {
		t.Fatalf("with the issuer's site down: %+v", v)
	}
	down = false
	s.at = s.at.Add(10 * time.Second)
	if v := s.Verify(ctx, vc); v.IssuerKnown || far.count(doc) != 1 {
		t.Fatalf("10 s after a failure: fetched %d times, %+v; want the failure remembered", far.count(doc), v)
	}
	s.at = s.at.Add(25 * time.Second)
	if v := s.Verify(ctx, vc); !v.Valid || far.count(doc) != 2 {
		t.Fatalf("35 s after a failure: fetched %d times, %+v; want fetched again and valid", far.count(doc), v)
	}
	s.at = s.at.Add(30 * time.Minute)
	if v := s.Verify(ctx, vc); !v.Valid || far.count(doc) != 2 {
		t.Fatalf("30 minutes on, within the hour's TTL: fetched %d times, want 2", far.count(doc))
	}

	// The issuer adds a key and signs with it.
	_, next, _ = ed25519.GenerateKey(nil)
	vc2 := qualificationVC(map[string]any{"id": far.did("college"), "name": "Example College"})
	vc2 = signWithKey(t, vc2, next, far.did("college")+"#key-2")
	if v := s.Verify(ctx, vc2); !v.IssuerKnown || far.count(doc) != 3 {
		t.Fatalf("a key not in the cached document, more than a minute after the last fetch: fetched %d times, %+v; want fetched again and the key known", far.count(doc), v)
	}
	// A key the document still does not list is not looked for again
	// within the minute: a stream of made-up keys costs the issuer nothing.
	_, stray, _ := ed25519.GenerateKey(nil)
	vc3 := signWithKey(t, qualificationVC(map[string]any{"id": far.did("college"), "name": "Example College"}), stray, far.did("college")+"#key-9")
	s.at = s.at.Add(30 * time.Second)
	if v := s.Verify(ctx, vc3); v.IssuerKnown || far.count(doc) != 3 {
		t.Fatalf("an unlisted key 30 s after a fetch: fetched %d times, %+v; want no fetch and not known", far.count(doc), v)
	}
	s.at = s.at.Add(30 * time.Second) // exactly refetchAfter since the last fetch
	if v := s.Verify(ctx, vc3); v.IssuerKnown || far.count(doc) != 4 {
		t.Fatalf("an unlisted key a minute after the last fetch: fetched %d times, %+v; want one more fetch, still not known", far.count(doc), v)
	}
}

// The zero CacheTTL means the default, not "never cache": two checks a
// minute apart fetch the document once.
func TestTrustedIssuerDefaultTTL(t *testing.T) {
	var s *testService
	far := newFarSite(t, func() time.Time { return s.at })
	s = newTestService(t, Options{Client: far.srv.Client(), Trusted: []Trusted{{DID: far.did("college"), Name: "Example College"}}})
	vc := far.credential(t, "college", "Example College", far.listURL("college"), 3)
	s.Verify(context.Background(), vc)
	s.at = s.at.Add(time.Minute)
	if v := s.Verify(context.Background(), vc); !v.Valid || far.count("/issuers/college/did.json") != 1 {
		t.Errorf("fetched %d times in a minute with the default TTL, want once: %+v", far.count("/issuers/college/did.json"), v)
	}
}

// A key in a trusted issuer's document that someone else controls is not
// the issuer's: a credential signed with it is not the issuer's word. A
// document of exactly MaxDIDDocument bytes is read.
func TestTrustedIssuerKeyController(t *testing.T) {
	var s *testService
	far := newFarSite(t, func() time.Time { return s.at })
	far.handle("/issuers/lent/did.json", func(w http.ResponseWriter, r *http.Request) {
		w.Write(far.didDoc("lent", map[string]ed25519.PublicKey{"key-1": far.pub()}, "did:web:elsewhere.example"))
	})
	far.handle("/issuers/full/did.json", func(w http.ResponseWriter, r *http.Request) {
		var doc map[string]any
		json.Unmarshal(far.didDoc("full", map[string]ed25519.PublicKey{"key-1": far.pub()}, far.did("full")), &doc)
		doc["padding"] = ""
		b, _ := json.Marshal(doc)
		doc["padding"] = strings.Repeat("x", MaxDIDDocument-len(b))
		b, _ = json.Marshal(doc)
		if len(b) != MaxDIDDocument {
			t.Errorf("padded document is %d bytes", len(b))
		}
		w.Write(b)
	})
	s = newTestService(t, Options{Client: far.srv.Client(), Trusted: []Trusted{{DID: far.did("lent"), Name: "Lent"}, {DID: far.did("full"), Name: "Full"}}})
	ctx := context.Background()
	if v := s.Verify(ctx, far.credential(t, "lent", "Lent", far.listURL("lent"), 1)); v.IssuerKnown || v.Valid {
		t.Errorf("a key controlled by another DID: %+v", v)
	}
	if v := s.Verify(ctx, far.credential(t, "full", "Full", far.listURL("full"), 1)); !v.IssuerKnown || !v.Valid {
		t.Errorf("a document of exactly %d bytes: %+v", MaxDIDDocument, v)
	}
}
