package sealed

import (
	"context"
	"testing"
	"time"

	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/vault/local"
	"github.com/satchel-project/satchel/vault/transit"
	"github.com/satchel-project/satchel/vault/transittest"
)

// memStore is the smallest Store for benchmarks of key handling.
func benchKeyring(b *testing.B, cust vault.Custodian, ttl time.Duration) (*Keyring, string) {
	b.Helper()
	st := newMemStore()
	k := NewKeyring(st, cust, ttl)
	id := "benchpod"
	if _, err := k.Create(context.Background(), id); err != nil {
		b.Fatal(err)
	}
	k.Forget(id)
	return k, id
}

func benchUnwrap(b *testing.B, cust vault.Custodian) {
	for _, c := range []struct {
		name string
		ttl  time.Duration
	}{{"cache", time.Minute}, {"nocache", 0}} {
		b.Run(c.name, func(b *testing.B) {
			k, id := benchKeyring(b, cust, c.ttl)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := k.Keys(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPodKeyTransit is getting a pod's key through Vault Transit (the
// emulator on loopback), with and without the in-memory cache.
func BenchmarkPodKeyTransit(b *testing.B) {
	v := transittest.New(b)
	t, err := transit.New(transit.Config{Address: v.URL, Token: v.Token})
	if err != nil {
		b.Fatal(err)
	}
	benchUnwrap(b, t)
}

// BenchmarkPodKeyLocal is the same with the local master-key custodian.
func BenchmarkPodKeyLocal(b *testing.B) {
	l, _, err := local.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	benchUnwrap(b, l)
}
