package dataintegrity

import (
	"crypto/ed25519"
	"testing"
	"time"
)

// The benchmarks use a typical Satchel credential (qualification(): the
// W3C and Satchel contexts, 12 subject fields, a status entry) with the
// default Options, so that Verify ≈ 2 × Canonicalize (document and proof
// configuration) + Ed25519 + copying, and Sign the same with Ed25519
// signing (and a check of the signature) instead.

func BenchmarkCanonicalize(b *testing.B) {
	signed, _ := signedQualification(b)
	unsigned := clone(b, signed)
	proof := unsigned["proof"].(map[string]any)
	delete(unsigned, "proof")
	delete(proof, "proofValue")
	config := proofConfig(proof, unsigned["@context"])
	for _, c := range []struct {
		name string
		doc  map[string]any
	}{{"credential", unsigned}, {"proof-config", config}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Canonicalize(c.doc, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	key, vm := newKey(b)
	doc := qualification()
	created := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(doc, key, vm, created, AssertionMethod, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	signed, _ := signedQualification(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(signed, ResolveDIDKey, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519 is the signature alone, over the 64 bytes of hash data.
func BenchmarkEd25519(b *testing.B) {
	key, _ := newKey(b)
	data := make([]byte, 64)
	sig := ed25519.Sign(key, data)
	pub := key.Public().(ed25519.PublicKey)
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			ed25519.Sign(key, data)
		}
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			ed25519.Verify(pub, data, sig)
		}
	})
}
