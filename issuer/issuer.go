// Package issuer lets organisations, prison education departments first,
// issue signed qualification records into leavers' pods: organisations with
// a signing key held by the key custodian and a did:web identity, leavers'
// enrolments (permission to deliver into inbox/), issuing one credential or
// a CSV of them, and withdrawal through the issuer's own status list.
package issuer

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
	"github.com/satchel-project/satchel/vault"
)

// Org is an issuing organisation.
type Org struct {
	Slug    string    `json:"slug"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Signs are the kinds of record (in schemas.Types) it may sign; nil
	// for an organisation registered before there was such a list, which
	// may sign every kind (signs.go).
	Signs []string `json:"signs,omitempty"`
}

// Errors from Service.
var (
	ErrNoOrg       = errors.New("there is no issuer with that name")
	ErrNotEnrolled = errors.New("this person has not allowed this issuer to send them records")
)

// space holds organisations, enrolments, issued-credential records and
// status lists (package state).
const space = "issuers"

// Service runs issuing for one server.
type Service struct {
	pods    *pod.Service
	db      *state.DB
	cust    vault.Custodian
	baseURL string
	now     func() time.Time
	trusted map[string]Trusted // issuers elsewhere, by DID
	remote  *remote

	mu    sync.Mutex
	lists map[string]*statuslist.Decoded // by organisation
	orgs  map[string]cachedOrg           // decoded organisation records, by slug
}

// cachedOrg is an organisation record as decoded, with the version (ETag)
// of the object it came from: it is used only while that is still current.
type cachedOrg struct {
	etag string
	org  Org
}

// Options are a Service's settings beyond its storage and keys.
type Options struct {
	// Trusted are issuers on other servers whose credentials are shown as
	// theirs, under the name given here. Their DID documents and status
	// lists are fetched over https.
	Trusted []Trusted
	// Client fetches trusted issuers' documents (nil: a plain client). It
	// never follows a redirect to another host.
	Client *http.Client
	// FetchTimeout bounds one fetch (0: DefaultFetchTimeout).
	FetchTimeout time.Duration
	// CacheTTL is how long a fetched document is kept (0: DefaultCacheTTL).
	CacheTTL time.Duration
}

// Open returns the issuing service, creating its records on first use.
func Open(ctx context.Context, pods *pod.Service, cust vault.Custodian, baseURL string, opt Options) (*Service, error) {
	db, err := state.Open(ctx, pods.Store(), pods.Keyring(), space)
	if err != nil {
		return nil, fmt.Errorf("open issuers: %w", err)
	}
	s := &Service{pods: pods, db: db, cust: cust, baseURL: baseURL, now: time.Now, lists: map[string]*statuslist.Decoded{}, trusted: map[string]Trusted{}}
	for _, t := range opt.Trusted {
		if _, err := didWebURL(t.DID); err != nil {
			return nil, fmt.Errorf("trusted issuer %s: %w", t.DID, err)
		}
		if _, ours := s.SlugFromDID(t.DID); ours {
			return nil, fmt.Errorf("trusted issuer %s is on this server: register it with satchel issuer create instead", t.DID)
		}
		s.trusted[t.DID] = t
	}
	s.remote = newRemote(opt.Client, opt.FetchTimeout, opt.CacheTTL, func() time.Time { return s.now() })
	return s, nil
}

// CheckSlug checks an organisation's short name: 3 to 40 of a-z, 0-9, "-".
func CheckSlug(slug string) error {
	if len(slug) < 3 || len(slug) > 40 || strings.Trim(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || strings.HasPrefix(slug, "-") {
		return errors.New("an issuer's short name must be 3 to 40 lower-case letters, digits and dashes, like hmp-example-education")
	}
	return nil
}

func orgPath(slug string) state.Name { return state.Name("orgs/" + slug + ".json") }

// CreateOrg registers an organisation and makes its signing key. signs
// are the kinds of record it may sign (kinds in schemas.Types, like
// "Qualification"); with none it may sign every kind, as organisations
// could before there was a list (satchel issuer create asks for
// qualifications unless told otherwise).
func (s *Service) CreateOrg(ctx context.Context, slug, name string, signs ...string) (Org, error) {
	if err := CheckSlug(slug); err != nil {
		return Org{}, err
	}
	if len(signs) > 0 {
		if err := checkKinds(signs); err != nil {
			return Org{}, err
		}
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return Org{}, errors.New("an issuer's name must be 1 to 200 characters")
	}
	o := Org{Slug: slug, Name: name, Created: s.now().UTC(), Signs: slices.Clone(signs)}
	if err := s.db.WriteJSON(ctx, orgPath(slug), o, state.CreateOnly()); err != nil {
		if errors.Is(err, state.ErrPrecondition) {
			return Org{}, fmt.Errorf("there is already an issuer called %s", slug)
		}
		return Org{}, err
	}
	if _, err := s.signer(ctx, slug); err != nil {
		return Org{}, err
	}
	blob, _ := statuslist.NewAllocator(statuslist.MinBits).MarshalBinary()
	if err := s.db.WriteRaw(ctx, statusPath(slug), blob, state.CreateOnly()); err != nil && !errors.Is(err, state.ErrPrecondition) {
		return Org{}, err
	}
	return o, nil
}

// Org returns the organisation called slug.
func (s *Service) Org(ctx context.Context, slug string) (Org, error) {
	if CheckSlug(slug) != nil {
		return Org{}, ErrNoOrg
	}
	// Checking the object's version costs a stat, not a decryption: every
	// verification of an organisation's credential looks it up.
	etag, err := s.db.Version(ctx, orgPath(slug))
	if errors.Is(err, state.ErrNotFound) {
		return Org{}, ErrNoOrg
	}
	if err != nil {
		return Org{}, err
	}
	s.mu.Lock()
	c, ok := s.orgs[slug]
	s.mu.Unlock()
	if ok && c.etag == etag {
		return c.org, nil
	}
	var o Org
	etag, err = s.db.ReadJSON(ctx, orgPath(slug), &o)
	if err != nil {
		if errors.Is(err, state.ErrNotFound) {
			return Org{}, ErrNoOrg
		}
		return Org{}, err
	}
	s.mu.Lock()
	if s.orgs == nil || len(s.orgs) > 1000 {
		s.orgs = map[string]cachedOrg{}
	}
	s.orgs[slug] = cachedOrg{etag, o}
	s.mu.Unlock()
	return o, nil
}

// signer is organisation slug's signing key, which the custodian makes on
// first use: call it only for an organisation known to be registered.
func (s *Service) signer(ctx context.Context, slug string) (vault.Signer, error) {
	return s.cust.Signer(ctx, "issuer-"+slug)
}

// DID is the did:web identifier of organisation slug on this server; its
// document is served at BASE/issuers/SLUG/did.json.
func (s *Service) DID(slug string) string {
	u, _ := url.Parse(s.baseURL)
	did := "did:web:" + strings.ReplaceAll(u.Host, ":", "%3A")
	if p := strings.Trim(u.Path, "/"); p != "" {
		did += ":" + strings.ReplaceAll(p, "/", ":")
	}
	return did + ":issuers:" + slug
}

// PublicKey is organisation slug's signing key, never its private part. An
// organisation that is not registered has none (ErrNoOrg): reading never
// makes a key.
func (s *Service) PublicKey(ctx context.Context, slug string) (ed25519.PublicKey, string, error) {
	_, pub, kid, err := s.orgKey(ctx, slug)
	return pub, kid, err
}

// orgKey is organisation slug and its public key, looked up in that order
// so that no key is made for an organisation nobody registered.
func (s *Service) orgKey(ctx context.Context, slug string) (Org, ed25519.PublicKey, string, error) {
	o, err := s.Org(ctx, slug)
	if err != nil {
		return Org{}, nil, "", err
	}
	sg, err := s.signer(ctx, slug)
	if err != nil {
		return Org{}, nil, "", err
	}
	pub, ok := sg.Public().(ed25519.PublicKey)
	if !ok {
		return Org{}, nil, "", errors.New("the issuer's key is not Ed25519")
	}
	return o, pub, sg.KeyID(), nil
}

// SlugFromDID returns the organisation a did:web identifier of this server
// names, or false.
func (s *Service) SlugFromDID(did string) (string, bool) {
	prefix := strings.TrimSuffix(s.DID("x"), "x")
	slug, ok := strings.CutPrefix(did, prefix)
	return slug, ok && CheckSlug(slug) == nil
}
