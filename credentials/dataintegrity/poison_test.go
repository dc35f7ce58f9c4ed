package dataintegrity

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// poisoned is the qualification credential with a subject that is a
// clique of n blank nodes ("_:n0" … each knowing every other): the poison
// graph of issue 14, about 1.7 KB for 8 nodes.
func poisoned(n int) map[string]any {
	doc := qualification()
	var subjects []any
	for i := range n {
		var knows []any
		for j := range n {
			if j != i {
				knows = append(knows, map[string]any{"@id": fmt.Sprintf("_:n%d", j)})
			}
		}
		subjects = append(subjects, map[string]any{"@id": fmt.Sprintf("_:n%d", i), "https://schema.org/knows": knows})
	}
	doc["credentialSubject"] = subjects
	return doc
}

// withProof gives doc the proof of a genuine credential: well formed, so
// that verification gets as far as canonicalization.
func withProof(t testing.TB, doc map[string]any) map[string]any {
	signed, _ := signedQualification(t)
	doc["proof"] = signed["proof"]
	return doc
}

// TestPoisonGraphsAreRefused: signing, verifying and canonicalizing a
// credential whose subject is a clique of blank nodes fail with
// ErrPoisonGraph, with a reason a person can act on. The time is a
// generous bound (loaded machines, -race); BenchmarkRefusePoison measures
// it.
func TestPoisonGraphsAreRefused(t *testing.T) {
	key, vm := newKey(t)
	for _, n := range []int{6, 8, 12} {
		start := time.Now()
		_, err := Canonicalize(poisoned(n), Options{})
		wantErr(t, err, ErrPoisonGraph)
		var e *Error
		errors.As(err, &e)
		if want := "give them ids"; !strings.Contains(e.Reason, want) {
			t.Errorf("reason %q does not say %q", e.Reason, want)
		}
		_, err = Verify(withProof(t, poisoned(n)), ResolveDIDKey, Options{})
		wantErr(t, err, ErrPoisonGraph)
		_, err = Sign(poisoned(n), key, vm, time.Now(), "", Options{})
		wantErr(t, err, ErrPoisonGraph)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("clique of %d: refused three times in %v", n, d)
		}
	}
}

// TestCancelledVerification: a verification whose caller has gone stops.
func TestCancelledVerification(t *testing.T) {
	signed, _ := signedQualification(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := VerifyContext(ctx, signed, ResolveDIDKey, Options{})
	wantErr(t, err, context.Canceled)
	if _, err := VerifyContext(context.Background(), signed, func(string) (ed25519.PublicKey, error) {
		return ResolveDIDKey(signed["proof"].(map[string]any)["verificationMethod"].(string))
	}, Options{}); err != nil {
		t.Fatalf("the same credential with a live context: %v", err)
	}
}

// BenchmarkRefusePoison is the time to refuse the poison credentials.
func BenchmarkRefusePoison(b *testing.B) {
	for _, n := range []int{6, 8, 12} {
		doc := withProof(b, poisoned(n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			defer cpuPerOp(b)()
			for b.Loop() {
				if _, err := Verify(doc, ResolveDIDKey, Options{}); !errors.Is(err, ErrPoisonGraph) {
					b.Fatal(err)
				}
			}
		})
	}
}
