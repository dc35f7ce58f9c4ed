package dataintegrity

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// The tests below follow VC-DI-EDDSA Appendix B.1 (eddsa-rdfc-2022) step by
// step; testdata/SOURCE.md says where each file comes from.

func hexFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimSpace(string(readFile(t, name))))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

func TestVectorKeyPair(t *testing.T) {
	key := vectorKey(t)
	pub := key.Public().(ed25519.PublicKey)
	if got := MultikeyEd25519(pub); got != "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2" {
		t.Errorf("MultikeyEd25519 = %s", got)
	}
}

// Transformation: the canonical N-Quads of the credential without proof.
func TestVectorCanonicalDocument(t *testing.T) {
	got, err := Canonicalize(readJSON(t, "credential.json"), Options{Loader: newTestLoader(t)})
	if err != nil {
		t.Fatal(err)
	}
	if want := readFile(t, "credential.nq"); string(got) != string(want) {
		t.Fatalf("canonical document differs\n got: %q\nwant: %q", got, want)
	}
	if h := sha256.Sum256(got); string(h[:]) != string(hexFile(t, "credential.sha256.hex")) {
		t.Errorf("document hash %x", h)
	}
}

// Proof Configuration: the proof options with the document's @context,
// canonicalized.
func TestVectorCanonicalProofOptions(t *testing.T) {
	opt := Options{Loader: newTestLoader(t)}
	options := readJSON(t, "proof-options.json")
	got, err := Canonicalize(options, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := readFile(t, "proof-options.nq")
	if string(got) != string(want) {
		t.Fatalf("canonical proof options differ\n got: %q\nwant: %q", got, want)
	}
	if h := sha256.Sum256(got); string(h[:]) != string(hexFile(t, "proof-options.sha256.hex")) {
		t.Errorf("proof options hash %x", h)
	}
	// The same, built as Sign builds it: the options without @context,
	// given the credential's.
	delete(options, "@context")
	cfg := proofConfig(options, readJSON(t, "credential.json")["@context"])
	got, err = Canonicalize(cfg, opt)
	if err != nil || string(got) != string(want) {
		t.Fatalf("proofConfig: %q, %v", got, err)
	}
}

// Hashing: SHA-256 of the proof configuration, then of the document.
func TestVectorHashData(t *testing.T) {
	got := hashData(readFile(t, "proof-options.nq"), readFile(t, "credential.nq"))
	if want := hexFile(t, "hash-data.hex"); string(got) != string(want) {
		t.Fatalf("hash data %x, want %x", got, want)
	}
}

// Proof Serialization: Ed25519 over the hash data; proofValue is "z" and
// base58-btc.
func TestVectorSignature(t *testing.T) {
	sig := ed25519.Sign(vectorKey(t), hexFile(t, "hash-data.hex"))
	if want := hexFile(t, "signature.hex"); string(sig) != string(want) {
		t.Fatalf("signature %x, want %x", sig, want)
	}
	if got, want := "z"+base58Encode(sig), string(readFile(t, "proof-value.txt")); got != want {
		t.Fatalf("proofValue %s, want %s", got, want)
	}
}

// Sign reproduces the signed credential exactly: Ed25519 is deterministic.
func TestVectorSign(t *testing.T) {
	want := readJSON(t, "signed-credential.json")
	vm := want["proof"].(map[string]any)["verificationMethod"].(string)
	got, err := Sign(readJSON(t, "credential.json"), vectorKey(t), vm, vectorCreated, AssertionMethod, Options{Loader: newTestLoader(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("signed credential differs\n got: %v\nwant: %v", got, want)
	}
}

func TestVectorVerify(t *testing.T) {
	signed := readJSON(t, "signed-credential.json")
	p, err := Verify(signed, ResolveDIDKey, Options{Loader: newTestLoader(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(signed, readJSON(t, "signed-credential.json")) {
		t.Fatal("Verify changed the document")
	}
	want := Proof{
		VerificationMethod: "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
		Created:            vectorCreated,
		Cryptosuite:        "eddsa-rdfc-2022",
		ProofPurpose:       "assertionMethod",
	}
	if *p != want {
		t.Fatalf("proof %+v, want %+v", *p, want)
	}
}

// The repository's TestVectors files: the same credential and key, an
// https verification method.
func TestRepositoryVector(t *testing.T) {
	opt := Options{Loader: newTestLoader(t)}
	signed := readJSON(t, "repo/signedDataInt.json")
	proof := signed["proof"].(map[string]any)
	vm := proof["verificationMethod"].(string)
	key := vectorKey(t)
	resolve := func(m string) (ed25519.PublicKey, error) {
		if m != vm {
			return nil, fmt.Errorf("unknown key %s", m)
		}
		return key.Public().(ed25519.PublicKey), nil
	}
	if _, err := Verify(signed, resolve, opt); err != nil {
		t.Fatal(err)
	}

	options := map[string]any{}
	for k, v := range proof {
		if k != "proofValue" {
			options[k] = v
		}
	}
	unsigned := clone(t, signed)
	delete(unsigned, "proof")
	canonCfg, err := Canonicalize(proofConfig(options, signed["@context"]), opt)
	if err != nil {
		t.Fatal(err)
	}
	if want := readFile(t, "repo/proofCanonDataInt.txt"); string(canonCfg) != string(want) {
		t.Fatalf("canonical proof configuration\n got: %q\nwant: %q", canonCfg, want)
	}
	h := sha256.Sum256(canonCfg)
	if got, want := hex.EncodeToString(h[:]), string(readFile(t, "repo/proofHashDataInt.txt")); got != want {
		t.Errorf("proof hash %s, want %s", got, want)
	}
	canonDoc, err := Canonicalize(unsigned, opt)
	if err != nil {
		t.Fatal(err)
	}
	data := hashData(canonCfg, canonDoc)
	if got, want := hex.EncodeToString(data), string(readFile(t, "repo/combinedHashDataInt.txt")); got != want {
		t.Errorf("hash data %s, want %s", got, want)
	}
	if got, want := hex.EncodeToString(ed25519.Sign(key, data)), string(readFile(t, "repo/sigHexDataInt.txt")); got != want {
		t.Errorf("signature %s, want %s", got, want)
	}

	resigned, err := Sign(unsigned, key, vm, vectorCreated, "", opt)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := resigned["proof"].(map[string]any)["proofValue"], string(readFile(t, "repo/sigBTC58DataInt.txt")); got != want {
		t.Errorf("proofValue %s, want %s", got, want)
	}
	if !reflect.DeepEqual(resigned, signed) {
		t.Errorf("re-signed credential differs:\n got: %v\nwant: %v", resigned, signed)
	}
}
