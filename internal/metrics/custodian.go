package metrics

import (
	"context"
	"crypto"
	"errors"
	"io"
	"time"

	"github.com/satchel-project/satchel/vault"
)

// Custodian returns c with every call timed in
// satchel_custodian_duration_seconds, and the signers it gives out timed
// too. The result has only Custodian's methods: keep c itself for optional
// interfaces such as vault.HealthChecker and vault.Rotator.
func (m *Metrics) Custodian(c vault.Custodian) vault.Custodian {
	if m == nil {
		return c
	}
	return &custodian{c: c, m: m}
}

type custodian struct {
	c vault.Custodian
	m *Metrics
}

func (m *Metrics) observeCustody(op string, start time.Time, err error) {
	result := "ok"
	switch {
	case err == nil:
	case errors.Is(err, vault.ErrNoKey):
		result = "no_key"
	case errors.Is(err, vault.ErrUnavailable):
		result = "unavailable"
	default:
		result = otherResult(err)
	}
	m.custody.WithLabelValues(op, result).Observe(time.Since(start).Seconds())
}

func (c *custodian) Wrap(ctx context.Context, name string, secret []byte) ([]byte, error) {
	start := time.Now()
	b, err := c.c.Wrap(ctx, name, secret)
	c.m.observeCustody("wrap", start, err)
	return b, err
}

func (c *custodian) Unwrap(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	start := time.Now()
	b, err := c.c.Unwrap(ctx, name, wrapped)
	c.m.observeCustody("unwrap", start, err)
	return b, err
}

func (c *custodian) Destroy(ctx context.Context, name string) error {
	start := time.Now()
	err := c.c.Destroy(ctx, name)
	c.m.observeCustody("destroy", start, err)
	return err
}

func (c *custodian) Signer(ctx context.Context, name string) (vault.Signer, error) {
	start := time.Now()
	s, err := c.c.Signer(ctx, name)
	c.m.observeCustody("signer", start, err)
	if err != nil {
		return nil, err
	}
	return c.m.Signer(s), nil
}

// Signer returns s with each signature timed; a vault.Versioned signer
// stays one.
func (m *Metrics) Signer(s vault.Signer) vault.Signer {
	if m == nil {
		return s
	}
	if v, ok := s.(vault.Versioned); ok {
		return &versionedSigner{signer{v, m}, v}
	}
	return &signer{s, m}
}

type signer struct {
	vault.Signer
	m *Metrics
}

func (s *signer) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	start := time.Now()
	sig, err := s.Signer.Sign(rand, digest, opts)
	s.m.observeCustody("sign", start, err)
	return sig, err
}

type versionedSigner struct {
	signer
	v vault.Versioned
}

func (s *versionedSigner) Keys() []vault.PublicKey { return s.v.Keys() }

func (s *versionedSigner) Refresh(ctx context.Context) error {
	start := time.Now()
	err := s.v.Refresh(ctx)
	s.m.observeCustody("refresh", start, err)
	return err
}
