package consent

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/state"
	"github.com/satchel-project/satchel/vault"
)

// Errors from Service.
var (
	// ErrNoGrant: no grant by that ID in this pod, or no grant behind a
	// share token. Callers must not tell the two apart for a visitor.
	ErrNoGrant = errors.New("there is no share like that")
)

// Service issues, stores, lists, revokes and checks grants. Its records
// are in the server's state (package state), so several server instances
// over one store share them.
type Service struct {
	pods    *pod.Service
	db      *state.DB
	signer  vault.Signer
	keys    *Keys
	did     string
	baseURL string
	now     func() time.Time
	rand    io.Reader
	tokens  func() string // makes share tokens: newToken, or a test's choice

	slMu    sync.Mutex
	slCache signedList

	// Grants never change once made (their state does): the verifier's
	// hot path keeps them, their checked credentials and the decoded
	// status list in memory.
	cacheMu  sync.Mutex
	grants   map[string]Grant     // by token
	verified map[string]*Verified // by credential
	bits     statuslist.Decoded   // the revocation bits, decoded once per version
}

// maxCached bounds each in-memory cache.
const maxCached = 10000

// StatusListPath is where the revocation status list credential is served.
const StatusListPath = "/status/revocation"

// Open returns the consent service of the server at baseURL, signing with
// signer. It creates its records and status list on first use and
// publishes signer's key beside every key used before.
func Open(ctx context.Context, pods *pod.Service, signer vault.Signer, baseURL string) (*Service, error) {
	did, err := DIDWeb(baseURL)
	if err != nil {
		return nil, err
	}
	db, err := state.Open(ctx, pods.Store(), pods.Keyring(), space)
	if err != nil {
		return nil, fmt.Errorf("open consent store: %w", err)
	}
	s := &Service{pods: pods, db: db, signer: signer, keys: NewKeys(did), did: did, baseURL: baseURL, now: time.Now, rand: rand.Reader, tokens: newToken,
		grants: map[string]Grant{}, verified: map[string]*Verified{}}
	if _, err := s.signingKey(ctx); err != nil {
		return nil, err
	}
	if err := s.loadKeys(ctx); err != nil {
		return nil, err
	}
	blob, _ := statuslist.NewAllocator(statuslist.MinBits).MarshalBinary()
	if err := s.db.WriteRaw(ctx, statusPath, blob, state.CreateOnly()); err != nil && !errors.Is(err, state.ErrPrecondition) {
		return nil, err
	}
	return s, nil
}

type publishedKey struct {
	KeyID  string            `json:"keyId"`
	Public ed25519.PublicKey `json:"publicKey"`
	Added  time.Time         `json:"added"`
}

// signingKey returns the DID URL of the key that signs now, publishing it
// first if it is new: an operator may rotate the key in the custodian
// while the server runs (vault.Versioned), and a grant must verify from the
// moment it is signed.
func (s *Service) signingKey(ctx context.Context) (string, error) {
	kid := s.signer.KeyID()
	if s.keys.Has(kid) {
		return s.keys.KeyURL(kid), nil
	}
	pub, ok := s.signer.Public().(ed25519.PublicKey)
	if !ok || vault.KeyID(pub) != kid {
		return "", errors.New("the grant-signing key is not Ed25519, or changed while it was read")
	}
	rec := publishedKey{KeyID: kid, Public: pub, Added: s.now().UTC()}
	if err := s.db.WriteJSON(ctx, keyPath(rec.KeyID), rec, state.CreateOnly()); err != nil && !errors.Is(err, state.ErrPrecondition) {
		return "", err
	}
	if err := s.keys.Add(kid, pub); err != nil {
		return "", err
	}
	return s.keys.KeyURL(kid), nil
}

// loadKeys reads every key this service ever signed with: a handful, one
// for each rotation.
func (s *Service) loadKeys(ctx context.Context) error {
	names, err := s.db.List(ctx, "keys/")
	if err != nil {
		return err
	}
	for _, n := range names {
		var k publishedKey
		if _, err := s.db.ReadJSON(ctx, n, &k); err != nil {
			return err
		}
		if err := s.keys.Add(k.KeyID, k.Public); err != nil {
			return err
		}
	}
	return nil
}

// Keys are the published grant-signing keys.
func (s *Service) Keys() *Keys { return s.keys }

// DID is the service's did:web identifier.
func (s *Service) DID() string { return s.did }

// StatusListURL is the URL of the revocation status list.
func (s *Service) StatusListURL() string { return s.baseURL + StatusListPath }

// ShareURL is the link a recipient opens.
func (s *Service) ShareURL(token string) string { return s.baseURL + "/s/" + token }

// PodURL is the URL of a pod's root.
func (s *Service) PodURL(id pod.PodID) string { return s.baseURL + pod.Prefix + string(id) + "/" }

// NewGrant is what a leaver (or a helper on their behalf) asks to share.
type NewGrant struct {
	Pod         pod.PodID
	GrantedBy   string
	SharedBy    string
	Recipient   Recipient
	Purpose     string
	PurposeText string
	Items       []Item
	NotBefore   time.Time     // zero: now
	Expires     time.Time     // zero: NotBefore + TTL
	TTL         time.Duration // zero: DefaultTTL
	MaxViews    int
	// BirthDate is the leaver's date of birth, which a recipient types
	// with the share code. Zero: the one the pod's identity records give;
	// with none, the share has no code (see MakeCode).
	BirthDate time.Time
}

// Create checks, signs and stores a new grant and returns it with its
// share token. Every item must exist in the granter's pod and every field
// must name something in its record.
func (s *Service) Create(ctx context.Context, n NewGrant) (Grant, error) {
	now := s.now().UTC().Truncate(time.Second)
	g := Grant{
		Pod: n.Pod, GrantedBy: n.GrantedBy, SharedBy: strings.TrimSpace(n.SharedBy),
		Recipient: Recipient{Name: strings.TrimSpace(n.Recipient.Name), Kind: n.Recipient.Kind},
		Purpose:   n.Purpose, PurposeText: strings.TrimSpace(n.PurposeText),
		Items: n.Items, NotBefore: n.NotBefore.UTC().Truncate(time.Second), Expires: n.Expires.UTC().Truncate(time.Second),
		MaxViews: n.MaxViews, Created: now,
	}
	if g.NotBefore.IsZero() {
		g.NotBefore = now
	}
	if g.Expires.IsZero() {
		ttl := n.TTL
		if ttl == 0 {
			ttl = DefaultTTL
		}
		g.Expires = g.NotBefore.Add(ttl)
	}
	if g.SharedBy == "" || len(g.SharedBy) > 200 {
		return Grant{}, &InvalidError{"say what name the recipient should see as the person sharing (1 to 200 characters)"}
	}
	if err := g.Check(); err != nil {
		return Grant{}, &InvalidError{err.Error()}
	}
	if !g.Expires.After(now) {
		return Grant{}, &InvalidError{"the share would end in the past: choose a later end"}
	}
	if g.NotBefore.After(now.Add(MaxTTL)) {
		return Grant{}, &InvalidError{"a share can start at most 90 days from now"}
	}
	if err := s.checkItems(ctx, g); err != nil {
		return Grant{}, err
	}
	idx, err := s.allocateStatus(ctx)
	if err != nil {
		return Grant{}, err
	}
	g.ID, g.StatusIndex, g.Token = newGrantID(), idx, s.tokens()
	if err := s.claimCode(ctx, &g, n.BirthDate); err != nil {
		return Grant{}, fmt.Errorf("share code: %w", err)
	}
	vc := buildCredential(g, s.did, s.PodURL(g.Pod), statuslist.Entry(s.baseURL+StatusListPath, idx, "revocation"))
	kid, err := s.signingKey(ctx)
	if err != nil {
		return Grant{}, err
	}
	if g.Credential, err = signCredential(vc, s.signer, kid); err != nil {
		return Grant{}, err
	}
	for _, w := range []struct {
		p state.Name
		v any
	}{
		{grantPath(g.ID), g},
		{statePath(g.ID), State{}},
		{tokenPath(g.Token), tokenEntry{Grant: g.ID}},
		{podIndex(g.Pod).Child(string(g.ID)), struct{}{}},
	} {
		if err := s.db.WriteJSON(ctx, w.p, w.v, state.CreateOnly()); err != nil {
			return Grant{}, fmt.Errorf("store grant: %w", err)
		}
	}
	return g, nil
}

type tokenEntry struct {
	Grant GrantID `json:"grant"`
}

// InvalidError is a grant request that cannot be granted, in plain words.
type InvalidError struct{ Reason string }

func (e *InvalidError) Error() string { return e.Reason }

// checkItems refuses items that are not in the pod and fields that name
// nothing in their record.
func (s *Service) checkItems(ctx context.Context, g Grant) error {
	for _, it := range g.Items {
		res, err := s.pods.Stat(ctx, g.Pod, it.Path)
		if errors.Is(err, pod.ErrNotFound) {
			return &InvalidError{fmt.Sprintf("there is nothing called %s in your pod", it.Path)}
		}
		if err != nil {
			return err
		}
		if len(it.Fields) == 0 {
			continue
		}
		if res.ContentType != "application/ld+json" {
			return &InvalidError{fmt.Sprintf("parts can only be chosen of a record, and %s is a file: share it whole", it.Path)}
		}
		_, rc, err := s.pods.Get(ctx, g.Pod, it.Path)
		if err != nil {
			return err
		}
		var doc any
		err = json.NewDecoder(io.LimitReader(rc, pod.MaxRecord)).Decode(&doc)
		rc.Close()
		if err != nil {
			return err
		}
		for _, f := range it.Fields {
			if _, err := schemas.Resolve(doc, f); err != nil {
				return &InvalidError{fmt.Sprintf("the record %s has no part %s", it.Path, f)}
			}
		}
	}
	return nil
}

// allocateStatus claims a random free index in the revocation list.
func (s *Service) allocateStatus(ctx context.Context) (int, error) {
	var idx int
	err := s.db.Update(ctx, statusPath, func(b []byte) ([]byte, error) {
		return statuslist.UpdateBlob(b, func(a *statuslist.Allocator) (err error) {
			idx, err = a.Allocate(s.rand)
			return err
		})
	})
	return idx, err
}

func newGrantID() GrantID {
	b := make([]byte, 17)
	rand.Read(b)
	return GrantID(strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:26])
}

// newToken is a share token: 128 random bits, 22 characters of base64url.
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
