package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
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
		err := h.Health(ctx)
		if err != nil {
			r.Keys = "unavailable"
			b.keyring.SetCustodyDown(fmt.Errorf("%w: %v", vault.ErrUnavailable, err))
		} else {
			b.keyring.SetCustodyDown(nil)
		}
		b.logCustody(err)
	}
	return r
}

// custodyState is the last health of each backend's custodian, so that a
// change is logged once, not at every check.
var custodyState sync.Map // *Backend → string ("" when healthy)

// logCustody tells the operator when key custody goes down, why (a sealed
// Vault, a token that expired or was revoked, a policy that lacks a
// capability: the error says which), and when it is back.
func (b *Backend) logCustody(err error) {
	now := ""
	if err != nil {
		now = err.Error()
	}
	prev, _ := custodyState.Swap(b, now)
	if p, _ := prev.(string); p == now || b.Config.Log == nil {
		return
	}
	if err != nil {
		b.Config.Log.Error("key custody is unavailable: pods fail closed (503) until it is back", "err", err)
	} else if prev != nil {
		b.Config.Log.Info("key custody is available again")
	}
}

// watchCustody runs CheckReady every interval until ctx ends.
func (b *Backend) watchCustody(ctx context.Context, interval time.Duration) {
	if _, ok := b.Keys.(vault.HealthChecker); !ok || interval <= 0 {
		return
	}
	repeat(ctx, interval, func() { b.CheckReady(ctx) })
}

// repeat calls f every interval, the first time one interval from now,
// until ctx ends.
func repeat(ctx context.Context, interval time.Duration, f func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
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
