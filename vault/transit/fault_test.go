package transit

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/transittest"
)

func TestTransitSealed(t *testing.T) {
	ctx := context.Background()
	srv := transittest.New(t)
	tr := newTestTransit(t, srv)
	w, err := tr.Wrap(ctx, "pod-a", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Health(ctx); err != nil {
		t.Fatalf("Health: %v", err)
	}
	srv.Seal()
	if _, err := tr.Wrap(ctx, "pod-a", []byte("x")); !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Wrap while sealed: %v", err)
	}
	if _, err := tr.Wrap(ctx, "pod-new", []byte("x")); !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Wrap of a new name while sealed: %v", err)
	}
	if _, err := tr.Unwrap(ctx, "pod-a", w); !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Unwrap while sealed: %v", err)
	}
	if err := tr.Destroy(ctx, "pod-a"); !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Destroy while sealed: %v", err)
	}
	if _, err := tr.Signer(ctx, "tokens"); !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Signer while sealed: %v", err)
	}
	if err := tr.Health(ctx); !errors.Is(err, vault.ErrUnavailable) || !strings.Contains(err.Error(), "sealed") {
		t.Fatalf("Health while sealed: %v", err)
	}
	srv.Unseal()
	if err := tr.Health(ctx); err != nil {
		t.Fatalf("Health after unseal: %v", err)
	}
	if got, err := tr.Unwrap(ctx, "pod-a", w); err != nil || string(got) != "secret" {
		t.Fatalf("Unwrap after unseal: %q, %v", got, err)
	}
}

func TestTransitServerDown(t *testing.T) {
	ctx := context.Background()
	srv := transittest.New(t)
	tr, err := New(Config{Address: srv.URL, Token: srv.Token, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	start := time.Now()
	_, err = tr.Wrap(ctx, "pod-a", []byte("x"))
	if !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Wrap with Vault down: %v", err)
	}
	if _, err := tr.Unwrap(ctx, "pod-a", []byte("vault:v1:AAAA")); !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Unwrap with Vault down: %v", err)
	}
	if err := tr.Health(ctx); !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Health with Vault down: %v", err)
	}
	if d := time.Since(start); d >= 2*time.Second {
		t.Fatalf("failing took %v; a refused connection should fail at once", d)
	}
	if strings.Contains(err.Error(), srv.Token) {
		t.Fatal("error holds the token")
	}
}

// TestTransitTimeout uses a listener that accepts connections and never
// answers: the request must end at the configured time-out.
func TestTransitTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				<-done
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })

	tr, err := New(Config{Address: "http://" + ln.Addr().String(), Token: "hvs.x", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = tr.Wrap(context.Background(), "pod-a", []byte("x"))
	if !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Wrap against a silent server: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("time-out took %v", d)
	}
}

func TestTransitBadToken(t *testing.T) {
	srv := transittest.New(t)
	const bad = "hvs.not-the-right-token-0123456789"
	tr, err := New(Config{Address: srv.URL, Token: bad})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Wrap(context.Background(), "pod-a", []byte("x"))
	if !errors.Is(err, vault.ErrUnavailable) || !errors.Is(err, vault.ErrTokenRefused) {
		t.Fatalf("Wrap with a bad token: %v", err)
	}
	if strings.Contains(err.Error(), bad) || strings.Contains(err.Error(), srv.Token) {
		t.Fatalf("error holds a token: %v", err)
	}
	if !strings.Contains(err.Error(), "token was refused") || !strings.Contains(err.Error(), "expired or been revoked") {
		t.Fatalf("error does not say the token was refused: %v", err)
	}
}

func TestTransitTLS(t *testing.T) {
	srv := transittest.NewTLS(t)
	ctx := context.Background()
	// Without trusting the test certificate, TLS fails: unavailable.
	tr, err := New(Config{Address: srv.URL, Token: srv.Token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Wrap(ctx, "pod-a", []byte("x")); !errors.Is(err, vault.ErrUnavailable) {
		t.Fatalf("Wrap with an untrusted certificate: %v", err)
	}
	tr, err = New(Config{Address: srv.URL, Token: srv.Token, HTTPClient: srv.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Wrap(ctx, "pod-a", []byte("x")); err != nil {
		t.Fatalf("Wrap over TLS: %v", err)
	}
}
