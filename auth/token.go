// Package auth signs people in: it checks passwords (through package
// account), slows down repeated failures, and issues and verifies the
// short-lived bearer tokens that the API accepts. Tokens are JWTs signed
// with the service's Ed25519 key from the key custodian, via jwx.
package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/vault"
)

// TokenTTL is how long an access token lasts.
const TokenTTL = 15 * time.Minute

// ErrBadToken covers every way a token can fail; the reason is not told to
// the client.
var ErrBadToken = errors.New("access token is not valid")

// Claims are what a verified token says about its bearer.
type Claims struct {
	Subject string // account ID
	Name    string // display name
	Org     string // an issuer's organisation
	Kind    account.Kind
	Pod     pod.PodID
	Expires time.Time
	// IssuedAt is when the token was made (whole seconds); AuthTime when
	// its bearer's password was checked (to the microsecond).
	IssuedAt time.Time
	AuthTime time.Time
}

// SignIns says whether a sign-in made at signedIn still counts for an
// account (it was not ended by a password change, "sign out everywhere"
// or deletion since); *account.Store is one.
type SignIns interface {
	CheckSignIn(ctx context.Context, accountID string, signedIn time.Time) error
}

// Tokens issues and verifies access tokens for one server.
type Tokens struct {
	signer   vault.Signer
	keys     jwk.Set  // guarded by mu where the signer is vault.Versioned
	keyIDs   []string // of keys, to notice a rotated signer
	issuer   string
	ttl      time.Duration
	now      func() time.Time
	maxBytes int

	// verified remembers tokens that passed Verify, by their SHA-256, so
	// that a client's repeated requests cost one signature check.
	mu       sync.Mutex
	verified map[[32]byte]Claims

	// SignIns, if set (before the first Check), makes Check refuse tokens
	// whose sign-in has been ended.
	SignIns SignIns
}

// maxVerified bounds the verified-token cache.
const maxVerified = 10000

// NewTokens returns a Tokens signing with signer, naming issuer (the
// server's base URL) as "iss" and "aud".
func NewTokens(signer vault.Signer, issuer string) (*Tokens, error) {
	pub, ok := signer.Public().(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("token signing key is not Ed25519")
	}
	k, err := jwk.FromRaw(pub)
	if err != nil {
		return nil, err
	}
	k.Set(jwk.KeyIDKey, signer.KeyID())
	k.Set(jwk.AlgorithmKey, jwa.EdDSA)
	k.Set(jwk.KeyUsageKey, "sig")
	set := jwk.NewSet()
	set.AddKey(k)
	return &Tokens{signer: signer, keys: set, issuer: issuer, ttl: TokenTTL, now: time.Now, maxBytes: 4096, verified: map[[32]byte]Claims{}}, nil
}

// Issue returns a signed token for a and its lifetime. Its auth_time claim
// is a.SignedIn (when Authenticate checked the password), or now.
func (t *Tokens) Issue(a account.Account) (string, time.Duration, error) {
	now := t.now()
	authTime := a.SignedIn
	if authTime.IsZero() || authTime.After(now) {
		authTime = now
	}
	tok, err := jwt.NewBuilder().
		Issuer(t.issuer).
		Audience([]string{t.issuer}).
		Subject(a.ID).
		IssuedAt(now).
		NotBefore(now).
		Expiration(now.Add(t.ttl)).
		JwtID(newJTI()).
		Claim("kind", string(a.Kind)).
		Claim("name", a.DisplayName).
		Claim("org", a.Org).
		Claim("pod", string(a.Pod)).
		Claim("auth_time", float64(authTime.UnixMicro())/1e6).
		Build()
	if err != nil {
		return "", 0, err
	}
	hdr := jws.NewHeaders()
	hdr.Set(jws.KeyIDKey, t.signer.KeyID())
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA, t.signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", 0, fmt.Errorf("sign token: %w", err)
	}
	return string(signed), t.ttl, nil
}

// unavailable reports whether err says that storage or key custody cannot
// answer now, rather than anything about a token.
func unavailable(err error) bool {
	return errors.Is(err, vault.ErrUnavailable) || errors.Is(err, pod.ErrUnavailable)
}

// Check is Verify, then asks SignIns whether the token's sign-in still
// counts: a token made before its account's password was changed or reset,
// before "sign out everywhere", or of a deleted account, is ErrBadToken.
func (t *Tokens) Check(ctx context.Context, token string) (Claims, error) {
	c, err := t.Verify(token)
	if err != nil || t.SignIns == nil {
		return c, err
	}
	if err := t.SignIns.CheckSignIn(ctx, c.Subject, c.AuthTime); err != nil {
		if unavailable(err) {
			// Storage or key custody is down: the token may be good.
			return Claims{}, err
		}
		return Claims{}, ErrBadToken
	}
	return c, nil
}

// Verify checks a token's signature, issuer, audience and times. It does
// not ask whether the sign-in was ended since: Check does.
func (t *Tokens) Verify(token string) (Claims, error) {
	if len(token) > t.maxBytes || !compact(token) {
		return Claims{}, ErrBadToken
	}
	sum := sha256.Sum256([]byte(token))
	set := t.keySet()
	t.mu.Lock()
	c, ok := t.verified[sum]
	t.mu.Unlock()
	if ok {
		if t.now().Before(c.Expires) {
			return c, nil
		}
		t.mu.Lock()
		delete(t.verified, sum)
		t.mu.Unlock()
		return Claims{}, ErrBadToken
	}
	c, err := t.verify(token, set)
	if err != nil {
		return Claims{}, err
	}
	t.mu.Lock()
	if len(t.verified) >= maxVerified {
		clear(t.verified)
	}
	t.verified[sum] = c
	t.mu.Unlock()
	return c, nil
}

func (t *Tokens) verify(token string, keys jwk.Set) (Claims, error) {
	tok, err := jwt.ParseString(token,
		jwt.WithKeySet(keys, jws.WithRequireKid(true)),
		jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(t.now)),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.issuer),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithAcceptableSkew(30*time.Second),
	)
	if err != nil {
		return Claims{}, ErrBadToken
	}
	c := Claims{Subject: tok.Subject(), Expires: tok.Expiration(), IssuedAt: tok.IssuedAt(), AuthTime: tok.IssuedAt()}
	if v, ok := tok.Get("auth_time"); ok {
		if f, ok := v.(float64); ok && f > 0 && f < 1e11 {
			c.AuthTime = time.UnixMicro(int64(math.Round(f * 1e6)))
		}
	}
	if v, ok := tok.Get("kind"); ok {
		s, _ := v.(string)
		c.Kind = account.Kind(s)
	}
	if v, ok := tok.Get("name"); ok {
		c.Name, _ = v.(string)
	}
	if v, ok := tok.Get("org"); ok {
		c.Org, _ = v.(string)
	}
	if v, ok := tok.Get("pod"); ok {
		s, _ := v.(string)
		c.Pod = pod.PodID(s)
	}
	if c.Subject == "" {
		return Claims{}, ErrBadToken
	}
	return c, nil
}

// PublicKeys is the JWK Set that verifies tokens.
func (t *Tokens) PublicKeys() jwk.Set { return t.keySet() }

// keySet is the JWK Set that verifies tokens now. A signer whose key an
// operator rotates (vault.Versioned) brings its new versions, and takes
// away those retired: tokens they signed no longer verify, even ones
// verified before.
func (t *Tokens) keySet() jwk.Set {
	v, ok := t.signer.(vault.Versioned)
	if !ok {
		return t.keys
	}
	ks := v.Keys()
	ids := make([]string, len(ks))
	for i, k := range ks {
		ids[i] = k.KeyID
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if slices.Equal(ids, t.keyIDs) {
		return t.keys
	}
	set := jwk.NewSet()
	for _, k := range ks {
		jk, err := jwk.FromRaw(k.Key)
		if err != nil {
			return t.keys
		}
		jk.Set(jwk.KeyIDKey, k.KeyID)
		jk.Set(jwk.AlgorithmKey, jwa.EdDSA)
		jk.Set(jwk.KeyUsageKey, "sig")
		set.AddKey(jk)
	}
	t.keys, t.keyIDs = set, ids
	clear(t.verified)
	return set
}
