package dataintegrity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/schemas"
)

// signedQualification signs qualification() with a fresh did:key.
func signedQualification(t testing.TB) (map[string]any, ed25519.PrivateKey) {
	t.Helper()
	key, vm := newKey(t)
	signed, err := Sign(qualification(), key, vm, time.Now(), AssertionMethod, Options{Loader: schemas.DefaultLoader})
	if err != nil {
		t.Fatal(err)
	}
	return signed, key
}

func proofOf(doc map[string]any) map[string]any { return doc["proof"].(map[string]any) }

func TestSignVerifyQualification(t *testing.T) {
	in := qualification()
	before := clone(t, in)
	key, vm := newKey(t)
	created := time.Date(2024, 3, 1, 9, 30, 12, 987654321, time.FixedZone("BST", 3600))
	signed, err := Sign(in, key, vm, created, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, qualification()) || !reflect.DeepEqual(clone(t, in), before) {
		t.Fatal("Sign changed its input")
	}
	p := proofOf(signed)
	if p["created"] != "2024-03-01T08:30:12Z" || p["proofPurpose"] != "assertionMethod" || p["type"] != "DataIntegrityProof" || p["cryptosuite"] != "eddsa-rdfc-2022" {
		t.Fatalf("proof %v", p)
	}
	if _, has := p["@context"]; has {
		t.Fatal("the proof carries @context; the specification's signed credential does not")
	}
	delete(signed, "proof")
	if !reflect.DeepEqual(signed, before) {
		t.Fatal("the signed credential is not the input plus a proof")
	}
	signed["proof"] = p
	got, err := Verify(signed, ResolveDIDKey, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.VerificationMethod != vm || !got.Created.Equal(created.Truncate(time.Second)) {
		t.Fatalf("%+v", got)
	}
	// A proof given as a list of one is the same proof.
	signed["proof"] = []any{p}
	if _, err := Verify(signed, ResolveDIDKey, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	signed, _ := signedQualification(t)
	other, otherVM := newKey(t)
	cases := []struct {
		name    string
		change  func(doc map[string]any)
		resolve func(string) (ed25519.PublicKey, error)
		check   string
	}{
		{"field changed after signing", func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["grade"] = "Distinction"
		}, nil, "signature"},
		{"field added after signing", func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["awardDate"] = "2024-02-23"
		}, nil, "signature"},
		{"type changed", func(d map[string]any) { d["type"] = []any{"VerifiableCredential"} }, nil, "signature"},
		{"created changed", func(d map[string]any) { proofOf(d)["created"] = "2020-01-01T00:00:00Z" }, nil, "signature"},
		{"another key's method", func(d map[string]any) { proofOf(d)["verificationMethod"] = otherVM }, nil, "signature"},
		{"resolver gives another key", func(d map[string]any) {}, func(string) (ed25519.PublicKey, error) {
			return other.Public().(ed25519.PublicKey), nil
		}, "signature"},
		{"resolver refuses the method", func(d map[string]any) {}, func(string) (ed25519.PublicKey, error) {
			return nil, errors.New("not a key of this issuer")
		}, "verification-method"},
		{"did:key fragment of another key", func(d map[string]any) {
			vm := proofOf(d)["verificationMethod"].(string)
			did, _, _ := strings.Cut(vm, "#")
			_, frag, _ := strings.Cut(otherVM, "#")
			proofOf(d)["verificationMethod"] = did + "#" + frag
		}, nil, "verification-method"},
		{"eddsa-jcs-2022", func(d map[string]any) { proofOf(d)["cryptosuite"] = "eddsa-jcs-2022" }, nil, "cryptosuite"},
		{"ecdsa-rdfc-2019", func(d map[string]any) { proofOf(d)["cryptosuite"] = "ecdsa-rdfc-2019" }, nil, "cryptosuite"},
		{"no cryptosuite", func(d map[string]any) { delete(proofOf(d), "cryptosuite") }, nil, "cryptosuite"},
		{"Ed25519Signature2020", func(d map[string]any) { proofOf(d)["type"] = "Ed25519Signature2020" }, nil, "proof-format"},
		{"authentication purpose", func(d map[string]any) { proofOf(d)["proofPurpose"] = "authentication" }, nil, "proof-purpose"},
		{"no proof", func(d map[string]any) { delete(d, "proof") }, nil, "proof-format"},
		{"two proofs", func(d map[string]any) { d["proof"] = []any{proofOf(d), proofOf(d)} }, nil, "proof-format"},
		{"proof chain", func(d map[string]any) { proofOf(d)["previousProof"] = "urn:uuid:1" }, nil, "proof-format"},
		{"proof not an object", func(d map[string]any) { d["proof"] = "z123" }, nil, "proof-format"},
		{"no verification method", func(d map[string]any) { delete(proofOf(d), "verificationMethod") }, nil, "proof-format"},
		{"proofValue without z", func(d map[string]any) { p := proofOf(d); p["proofValue"] = p["proofValue"].(string)[1:] }, nil, "proof-format"},
		{"proofValue base64url", func(d map[string]any) { proofOf(d)["proofValue"] = "u" + strings.Repeat("A", 86) }, nil, "proof-format"},
		{"proofValue not base58", func(d map[string]any) { proofOf(d)["proofValue"] = "z0OIl" }, nil, "proof-format"},
		{"proofValue short", func(d map[string]any) { proofOf(d)["proofValue"] = "z" + base58Encode(make([]byte, 63)) }, nil, "proof-format"},
		{"proofValue huge", func(d map[string]any) { proofOf(d)["proofValue"] = "z" + strings.Repeat("2", 5000) }, nil, "proof-format"},
		{"created not a dateTime", func(d map[string]any) { proofOf(d)["created"] = "yesterday" }, nil, "proof-format"},
		{"created without time zone", func(d map[string]any) { proofOf(d)["created"] = "2024-03-01T09:30:00" }, nil, "proof-format"},
		{"expired proof", func(d map[string]any) { proofOf(d)["expires"] = "2020-01-01T00:00:00Z" }, nil, "proof-format"},
		{"proof context differs", func(d map[string]any) {
			proofOf(d)["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}
		}, nil, "context"},
		{"no document context", func(d map[string]any) { delete(d, "@context") }, nil, "context"},
		{"undefined term added", func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["favouriteColour"] = "green"
		}, nil, "canonicalization"},
		{"undefined term added to the proof", func(d map[string]any) { proofOf(d)["comment"] = "hello" }, nil, "canonicalization"},
		{"control character", func(d map[string]any) { d["credentialSubject"].(map[string]any)["name"] = "Alex\u0008Example" }, nil, "canonicalization"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := clone(t, signed)
			c.change(doc)
			resolve := c.resolve
			if resolve == nil {
				resolve = ResolveDIDKey
			}
			_, err := Verify(doc, resolve, Options{})
			e := wantCheck(t, err, c.check)
			if e.Reason == "" {
				t.Error("no reason given")
			}
			t.Log(err)
		})
	}
	// And the untouched credential still verifies.
	if _, err := Verify(signed, ResolveDIDKey, Options{}); err != nil {
		t.Fatal(err)
	}
}

// A context swapped for a look-alike URL is refused by the loader, as an
// error: nothing is fetched.
func TestLookAlikeContext(t *testing.T) {
	loader := newTestLoader(t)
	opt := Options{Loader: loader}
	signed := readJSON(t, "signed-credential.json")
	for _, fake := range []string{
		"https://www.w3.org/ns/credentials/v2/",
		"https://www.w3.org/ns/credentials/v2#",
		"https://www.w3.org/ns/credentiaIs/v2",
		"http://www.w3.org/ns/credentials/v2",
		"https://www.w3.org.example/ns/credentials/v2",
	} {
		doc := clone(t, signed)
		doc["@context"].([]any)[0] = fake
		_, err := Verify(doc, ResolveDIDKey, opt)
		wantCheck(t, err, "canonicalization")
		var remote *schemas.ErrRemoteContext
		if !errors.As(err, &remote) || remote.URL != fake {
			t.Fatalf("%s: %v is not the loader's refusal", fake, err)
		}
		if !loader.wasAsked(fake) {
			t.Fatalf("%s: the loader was not asked", fake)
		}
		unsigned := clone(t, doc)
		delete(unsigned, "proof")
		_, err = Sign(unsigned, vectorKey(t), "did:example:1#k", vectorCreated, "", opt)
		if !errors.As(err, &remote) {
			t.Fatalf("Sign with %s: %v", fake, err)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	key, vm := newKey(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signed, _ := signedQualification(t)
	noContext := qualification()
	delete(noContext, "@context")
	undefined := qualification()
	undefined["credentialSubject"].(map[string]any)["favouriteColour"] = "green"
	relative := qualification()
	relative["type"] = []any{"VerifiableCredential", "QualificationCredentia1"}
	relativeID := qualification()
	relativeID["credentialSubject"].(map[string]any)["id"] = "#subject"
	cases := []struct {
		name   string
		doc    map[string]any
		signer crypto.Signer
		vm     string
		pp     string
		check  string
	}{
		{"already signed", signed, key, vm, "", "proof-format"},
		{"no context", noContext, key, vm, "", "context"},
		{"ECDSA key", qualification(), ec, vm, "", "verification-method"},
		{"no verification method", qualification(), key, "", "", "verification-method"},
		{"authentication purpose", qualification(), key, vm, "authentication", "proof-purpose"},
		{"undefined term", undefined, key, vm, "", "canonicalization"},
		{"undefined type", relative, key, vm, "", "canonicalization"},
		{"relative id", relativeID, key, vm, "", "canonicalization"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Sign(c.doc, c.signer, c.vm, time.Now(), c.pp, Options{})
			wantCheck(t, err, c.check)
		})
	}
	if _, err := Sign(qualification(), nil, vm, time.Now(), "", Options{}); err == nil {
		t.Fatal("signed with no key")
	}
}

// Eight goroutines verifying at once share the loader and json-gold; run
// with -race.
func TestConcurrentVerify(t *testing.T) {
	opt := Options{Loader: newTestLoader(t)}
	vector := readJSON(t, "signed-credential.json")
	ours, _ := signedQualification(t)
	tampered := clone(t, ours)
	tampered["credentialSubject"].(map[string]any)["grade"] = "Merit"
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := Verify(vector, ResolveDIDKey, opt); err != nil {
					errs <- err
					return
				}
				if _, err := Verify(ours, ResolveDIDKey, opt); err != nil {
					errs <- err
					return
				}
				if i%2 == 0 {
					if _, err := Verify(tampered, ResolveDIDKey, opt); err == nil {
						errs <- errors.New("a tampered credential verified")
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
