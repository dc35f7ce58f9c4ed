package transit

import (
	"context"
	"errors"
	"fmt"

	"github.com/satchel-project/satchel/vault"
)

// Health checks that Vault can serve Satchel, and keeps the token alive.
// It asks sys/health (which needs no token) whether Vault is initialised
// and unsealed: a standby is healthy, since it forwards what it cannot
// answer. It then looks the token up (auth/token/lookup-self): a token
// that has expired or been revoked makes custody unavailable (an error
// wrapping vault.ErrTokenRefused and vault.ErrUnavailable) with a message
// that says so. A renewable token past half of its lifetime is renewed
// (auth/token/renew-self) for its full period again, so that a running
// server outlives its token's TTL up to the token's maximum TTL. Last,
// it learns new versions of the signing keys in use (see Signer).
func (t *Custodian) Health(ctx context.Context) error {
	h, err := t.c.Sys().HealthWithContext(ctx)
	if err != nil {
		err = t.classify("health check", "sys/health", `"read"`, err)
		if !errors.Is(err, vault.ErrUnavailable) {
			err = fmt.Errorf("%w: %w", vault.ErrUnavailable, err)
		}
		return err
	}
	switch {
	case !h.Initialized:
		return fmt.Errorf("%w: vault is not initialized", vault.ErrUnavailable)
	case h.Sealed:
		return fmt.Errorf("%w: vault is sealed", vault.ErrUnavailable)
	}
	if err := t.checkToken(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	signers := make([]*signer, 0, len(t.signers))
	for _, s := range t.signers {
		signers = append(signers, s)
	}
	t.mu.Unlock()
	for _, s := range signers {
		if err := s.Refresh(ctx); errors.Is(err, vault.ErrUnavailable) {
			return err
		}
	}
	return nil
}

// checkToken looks the token up and renews it when it is past half of its
// period. A token with no TTL (a root token) is never renewed.
func (t *Custodian) checkToken(ctx context.Context) error {
	s, err := t.c.Auth().Token().LookupSelfWithContext(ctx)
	if err = t.classify("look up its token", "auth/token/lookup-self", `"read"`, err); err != nil {
		return err
	}
	ttl, _ := dataInt(s, "ttl")
	period, _ := dataInt(s, "creation_ttl")
	if p, ok := dataInt(s, "period"); ok && p > 0 {
		period = p
	}
	renewable, _ := s.Data["renewable"].(bool)
	if !renewable || ttl <= 0 || period <= 0 || ttl > period/2 {
		return nil
	}
	// A failed renewal is tried again at the next check: the token still
	// has time, and custody is not down until it has none.
	t.c.Auth().Token().RenewSelfWithContext(ctx, period)
	return nil
}
