package transit

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/vault/transittest"
)

func TestParseTransitURL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Config
	}{
		{"vault://vault.example.org", Config{Address: "https://vault.example.org:8200"}},
		{"vault://127.0.0.1:8300/kms/transit?tls=false&prefix=s1-",
			Config{Address: "http://127.0.0.1:8300", Mount: "kms/transit", KeyPrefix: "s1-"}},
		{"vault://[::1]/transit?timeout=3s&ca=/etc/vault/ca.pem&namespace=team",
			Config{Address: "https://[::1]:8200", Mount: "transit", Timeout: 3 * time.Second, CACertFile: "/etc/vault/ca.pem", Namespace: "team"}},
	} {
		got, err := ParseURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	const secret = "hvs.SECRETTOKEN"
	for _, in := range []string{
		"https://vault.example.org:8200",
		"vault://" + secret + "@vault.example.org",
		"vault://user:" + secret + "@vault.example.org",
		"vault://" + secret + "@vault.example.org:notaport",
		"vault:///transit",
		"vault://h?tls=maybe",
		"vault://h?timeout=-1s",
		"vault://h?token=" + secret,
	} {
		_, err := ParseURL(in)
		if err == nil {
			t.Errorf("ParseURL(%q) accepted it", in)
		} else if strings.Contains(err.Error(), "SECRETTOKEN") {
			t.Errorf("ParseURL(%q) error repeats the token: %v", in, err)
		}
	}
}

func TestTransitConfigFromEnv(t *testing.T) {
	env := map[string]string{"VAULT_ADDR": "https://v:8200", "VAULT_TOKEN": "hvs.t", "VAULT_CACERT": "/ca.pem", "VAULT_NAMESPACE": "ns"}
	cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
	want := Config{Address: "https://v:8200", Token: "hvs.t", CACertFile: "/ca.pem", Namespace: "ns"}
	if err != nil || cfg != want {
		t.Fatalf("ConfigFromEnv = %+v, %v", cfg, err)
	}
	for _, k := range []string{"VAULT_ADDR", "VAULT_TOKEN"} {
		v := env[k]
		delete(env, k)
		if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("without %s: %v", k, err)
		}
		env[k] = v
	}
}

func TestNewTransitRefuses(t *testing.T) {
	const secret = "hvs.SECRETTOKEN"
	for _, cfg := range []Config{
		{Address: "", Token: "t"},
		{Address: "vault.example.org:8200", Token: "t"},
		{Address: "https://" + secret + "@vault.example.org", Token: "t"},
		{Address: "https://v:8200"},
		{Address: "https://v:8200", Token: secret + "\n"},
		{Address: "https://v:8200", Token: "t", Mount: "../sys"},
		{Address: "https://v:8200", Token: "t", KeyPrefix: "a/b"},
		{Address: "https://v:8200", Token: "t", CACertFile: "/nonexistent/ca.pem"},
	} {
		_, err := New(cfg)
		if err == nil {
			t.Errorf("New(%+v) accepted it", cfg)
		} else if strings.Contains(err.Error(), "SECRETTOKEN") {
			t.Errorf("error repeats the token: %v", err)
		}
	}
}

// New uses the configured token, not one the Vault client library
// would pick up from the process environment by itself.
func TestTransitIgnoresAmbientToken(t *testing.T) {
	srv := transittest.New(t)
	t.Setenv("VAULT_TOKEN", "hvs.ambient")
	tr := newTestTransit(t, srv)
	if _, err := tr.Wrap(context.Background(), "pod-a", []byte("x")); err != nil {
		t.Fatal(err)
	}
}

func TestTransitCACertFile(t *testing.T) {
	srv := transittest.NewTLS(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tr, err := New(Config{Address: srv.URL, Token: srv.Token, CACertFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := tr.Wrap(ctx, "pod-a", []byte("over tls"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tr.Unwrap(ctx, "pod-a", w); err != nil || string(got) != "over tls" {
		t.Fatalf("Unwrap = %q, %v", got, err)
	}
}

func TestTransitWrongMount(t *testing.T) {
	srv := transittest.New(t)
	tr, err := New(Config{Address: srv.URL, Token: srv.Token, Mount: "elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Wrap(context.Background(), "pod-a", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "mounted at elsewhere") {
		t.Fatalf("Wrap on an unmounted path: %v", err)
	}
	srv.Mount("elsewhere")
	if _, err := tr.Wrap(context.Background(), "pod-a", []byte("x")); err != nil {
		t.Fatal(err)
	}
}
