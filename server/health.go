package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/satchel-project/satchel/vault"
)

// Readiness is what /readyz reports: each part "ok" or a short reason.
type Readiness struct {
	Storage string `json:"storage"`
	Keys    string `json:"keys"`
}

// OK reports whether every part is ready.
func (r Readiness) OK() bool { return r.Storage == "ok" && r.Keys == "ok" }

// CheckReady asks storage and key custody whether they answer, and tells
// the keyring, so that pods fail closed (503) while custody is down and work
// again as soon as it is back.
func (b *Backend) CheckReady(ctx context.Context) Readiness {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r := Readiness{Storage: "ok", Keys: "ok"}
	// The accounts pod's key exists in every store this server has opened.
	if _, err := b.Store.Stat(ctx, "pods/accounts/key"); err != nil {
		r.Storage = "unavailable"
	}
	if h, ok := b.Keys.(vault.HealthChecker); ok {
		if err := h.Health(ctx); err != nil {
			r.Keys = "unavailable"
			b.keyring.SetCustodyDown(fmt.Errorf("%w: %v", vault.ErrUnavailable, err))
		} else {
			b.keyring.SetCustodyDown(nil)
		}
	}
	return r
}

// watchCustody runs CheckReady every interval until ctx ends.
func (b *Backend) watchCustody(ctx context.Context, interval time.Duration) {
	if _, ok := b.Keys.(vault.HealthChecker); !ok || interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.CheckReady(ctx)
		}
	}
}

func (b *Backend) readyz(w http.ResponseWriter, r *http.Request) {
	rd := b.CheckReady(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !rd.OK() {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(rd)
}
