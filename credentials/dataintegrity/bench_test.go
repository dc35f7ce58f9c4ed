package dataintegrity

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/satchel-project/satchel/schemas"
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

// cpuPerOp reports the CPU time of the process per operation, beside the
// wall-clock ns/op: on a machine shared with other work, the time one core
// spends on each operation.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkSign(b *testing.B) {
	key, vm := newKey(b)
	doc := qualification()
	created := time.Now()
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		if _, err := Sign(doc, key, vm, created, AssertionMethod, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	signed := benchCredential(b)
	b.ReportAllocs()
	defer cpuPerOp(b)()
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

// benchCredential is the credential BenchmarkVerify verifies: the one in
// the file $SATCHEL_BENCH_CREDENTIAL names, when it does (scripts/bench
// has Digital Bazaar's verifier check the same file), else a fresh one.
func benchCredential(b *testing.B) map[string]any {
	path := os.Getenv("SATCHEL_BENCH_CREDENTIAL")
	if path == "" {
		signed, _ := signedQualification(b)
		return signed
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var f struct {
		Credential map[string]any
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		b.Fatal(err)
	}
	return f.Credential
}

// TestWriteBenchCredential writes a signed qualification credential (a
// did:key issuer), and the contexts Satchel's loader serves, to the file
// $SATCHEL_BENCH_CREDENTIAL names, for scripts/bench.
func TestWriteBenchCredential(t *testing.T) {
	path := os.Getenv("SATCHEL_BENCH_CREDENTIAL")
	if path == "" {
		t.Skip("SATCHEL_BENCH_CREDENTIAL not set")
	}
	// The issuer is the key's did:key, so that any verifier can tell that
	// the key speaks for it.
	key, vm := newKey(t)
	doc := qualification()
	doc["issuer"].(map[string]any)["id"] = DIDKey(key.Public().(ed25519.PublicKey))
	signed, err := Sign(doc, key, vm, time.Now(), AssertionMethod, Options{})
	if err != nil {
		t.Fatal(err)
	}
	contexts := map[string]any{}
	for u := range schemas.Contexts {
		rd, err := schemas.DefaultLoader.LoadDocument(u)
		if err != nil {
			t.Fatal(err)
		}
		contexts[u] = rd.Document
	}
	out, err := json.MarshalIndent(map[string]any{"credential": signed, "contexts": contexts}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
