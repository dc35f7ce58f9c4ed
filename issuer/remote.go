package issuer

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/credentials/xsd"
	"github.com/satchel-project/satchel/schemas"
)

// Limits on what is fetched from trusted issuers elsewhere.
const (
	// MaxDIDDocument is the largest DID document read.
	MaxDIDDocument = 64 << 10
	// MaxStatusList is the largest status list credential read.
	MaxStatusList = 256 << 10
	// DefaultFetchTimeout bounds one fetch, connection to last byte.
	DefaultFetchTimeout = 10 * time.Second
	// DefaultCacheTTL is how long a fetched DID document or status list is
	// used before it is fetched again; a withdrawal by an issuer elsewhere
	// shows within this time.
	DefaultCacheTTL = 5 * time.Minute
	// failureTTL is how long a failed fetch is remembered, so that a flood
	// of credentials naming a trusted issuer cannot become a flood of
	// requests to it.
	failureTTL = 30 * time.Second
	// refetchAfter is how old a DID document must be before a key it does
	// not list makes it be fetched again (the issuer may have a new key).
	refetchAfter = time.Minute
)

// remote reads trusted issuers' DID documents and status lists over https,
// with a timeout, a size limit and no redirect to another host, and keeps
// what it read for a while. It fetches only from the operator's list, never
// from an address a credential chose: status lists only on the host of the
// issuer's own identifier.
type remote struct {
	client  *http.Client
	timeout time.Duration
	ttl     time.Duration
	now     func() time.Time

	mu    sync.Mutex
	docs  map[string]*fetched // by DID
	lists map[string]*fetched // by status list URL
}

// fetched is one cached document; its own lock lets one fetch run at a time.
type fetched struct {
	mu      sync.Mutex
	at      time.Time
	err     error
	keys    map[string]ed25519.PublicKey // a DID document's assertion keys
	subject map[string]any               // a verified status list's subject
}

func newRemote(client *http.Client, timeout, ttl time.Duration, now func() time.Time) *remote {
	if client == nil {
		client = &http.Client{}
	}
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many redirects")
		}
		if req.URL.Scheme != "https" || req.URL.Host != via[0].URL.Host {
			return fmt.Errorf("redirected to %s, another host", req.URL.Host)
		}
		return nil
	}
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	c.Timeout = timeout
	return &remote{client: &c, timeout: timeout, ttl: ttl, now: now, docs: map[string]*fetched{}, lists: map[string]*fetched{}}
}

func (r *remote) entry(m map[string]*fetched, key string) *fetched {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := m[key]
	if !ok {
		f = &fetched{}
		m[key] = f
	}
	return f
}

// fresh reports whether f can be used as it is.
func (r *remote) fresh(f *fetched) bool {
	if f.at.IsZero() {
		return false
	}
	age := r.now().Sub(f.at)
	if f.err != nil {
		return age < min(failureTTL, r.ttl)
	}
	return age < r.ttl
}

// get reads u over https, at most max bytes.
func (r *remote) get(ctx context.Context, u string, max int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/did+json, application/did+ld+json, application/vc+ld+json, application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("could not be fetched from %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("could not be read from %s: %w", u, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d KiB", u, max>>10)
	}
	return b, nil
}

// key returns the assertion key vm of trusted issuer did, from its DID
// document.
func (r *remote) key(ctx context.Context, did, vm string) (ed25519.PublicKey, error) {
	f := r.entry(r.docs, did)
	f.mu.Lock()
	defer f.mu.Unlock()
	stale := !r.fresh(f) || f.err == nil && f.keys[vm] == nil && r.now().Sub(f.at) >= refetchAfter
	if stale {
		f.keys, f.err = r.fetchDID(ctx, did)
		f.at = r.now()
	}
	if f.err != nil {
		return nil, fmt.Errorf("the identity document of %s: %w", did, f.err)
	}
	pub, ok := f.keys[vm]
	if !ok {
		return nil, fmt.Errorf("%s is not a key %s uses to issue credentials", vm, did)
	}
	return pub, nil
}

func (r *remote) fetchDID(ctx context.Context, did string) (map[string]ed25519.PublicKey, error) {
	u, err := didWebURL(did)
	if err != nil {
		return nil, err
	}
	b, err := r.get(ctx, u.String(), MaxDIDDocument)
	if err != nil {
		return nil, err
	}
	return parseDIDDocument(did, b)
}

// parseDIDDocument returns the Ed25519 keys that DID document b lists for
// assertionMethod, by their absolute DID URL. Keys are Multikey or
// Ed25519VerificationKey2020 (publicKeyMultibase), or JsonWebKey with an
// OKP Ed25519 publicKeyJwk; a key controlled by anyone else is ignored.
func parseDIDDocument(did string, b []byte) (map[string]ed25519.PublicKey, error) {
	var doc struct {
		ID                 string `json:"id"`
		VerificationMethod []any  `json:"verificationMethod"`
		AssertionMethod    []any  `json:"assertionMethod"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, errors.New("it is not a DID document")
	}
	if doc.ID != did {
		return nil, fmt.Errorf("it is the document of %q, not of %s", doc.ID, did)
	}
	abs := func(id string) string {
		if strings.HasPrefix(id, "#") {
			return did + id
		}
		return id
	}
	methods := map[string]map[string]any{}
	for _, m := range doc.VerificationMethod {
		if vm, ok := m.(map[string]any); ok {
			methods[abs(str(vm["id"]))] = vm
		}
	}
	keys := map[string]ed25519.PublicKey{}
	for _, a := range doc.AssertionMethod {
		var vm map[string]any
		switch x := a.(type) {
		case string:
			vm = methods[abs(x)]
		case map[string]any:
			vm = x
		}
		id := abs(str(vm["id"]))
		if vm == nil || !strings.HasPrefix(id, did+"#") {
			continue
		}
		if c := str(vm["controller"]); c != "" && c != did {
			continue
		}
		if pub, err := methodKey(vm); err == nil {
			keys[id] = pub
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("it lists no Ed25519 key for issuing credentials")
	}
	return keys, nil
}

func methodKey(vm map[string]any) (ed25519.PublicKey, error) {
	switch str(vm["type"]) {
	case "Multikey", "Ed25519VerificationKey2020":
		return dataintegrity.ParseMultikeyEd25519(str(vm["publicKeyMultibase"]))
	case "JsonWebKey", "JsonWebKey2020":
		jwk, _ := vm["publicKeyJwk"].(map[string]any)
		if str(jwk["kty"]) != "OKP" || str(jwk["crv"]) != "Ed25519" {
			return nil, errors.New("not an Ed25519 key")
		}
		b, err := base64.RawURLEncoding.DecodeString(str(jwk["x"]))
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, errors.New("not an Ed25519 key")
		}
		return ed25519.PublicKey(b), nil
	}
	return nil, errors.New("not a key type this service reads")
}

// revoked reads bit idx of trusted issuer did's status list at listURL,
// which must be on the host of did's own identity document. The list is a
// status list credential signed by did, within its validity period.
func (r *remote) revoked(ctx context.Context, did, listURL string, idx int, purpose string) (bool, error) {
	home, err := didWebURL(did)
	if err != nil {
		return false, err
	}
	u, err := url.Parse(listURL)
	if err != nil || u.Scheme != "https" || u.Host != home.Host || u.User != nil || u.Fragment != "" {
		return false, fmt.Errorf("its status list is not on the issuer's own site (%s)", home.Host)
	}
	f := r.entry(r.lists, listURL)
	f.mu.Lock()
	if !r.fresh(f) {
		f.subject, f.err = r.fetchList(ctx, did, listURL)
		f.at = r.now()
	}
	subject, err := f.subject, f.err
	f.mu.Unlock()
	if err != nil {
		return false, err
	}
	return statuslist.CheckPurpose(subject, idx, purpose)
}

func (r *remote) fetchList(ctx context.Context, did, listURL string) (map[string]any, error) {
	b, err := r.get(ctx, listURL, MaxStatusList)
	if err != nil {
		return nil, err
	}
	var vc map[string]any
	if err := json.Unmarshal(b, &vc); err != nil {
		return nil, errors.New("the status list is not JSON")
	}
	if id, _ := issuerOf(vc); id != did {
		return nil, errors.New("the status list was not issued by the issuer")
	}
	if str(vc["id"]) != listURL {
		return nil, errors.New("the status list is not the one the credential names")
	}
	if _, err := dataintegrity.Verify(vc, func(vm string) (ed25519.PublicKey, error) {
		if d, _, _ := strings.Cut(vm, "#"); d != did {
			return nil, errors.New("signed by someone other than the issuer")
		}
		return r.key(ctx, did, vm)
	}, dataintegrity.Options{Loader: schemas.DefaultLoader}); err != nil {
		return nil, fmt.Errorf("the status list's signature does not check out: %w", err)
	}
	now := r.now()
	if s, ok := vc["validUntil"].(string); ok {
		until, err := xsd.ParseDateTimeStamp(s)
		if err != nil || !now.Before(until) {
			return nil, errors.New("the status list has expired")
		}
	}
	if s, ok := vc["validFrom"].(string); ok {
		from, err := xsd.ParseDateTimeStamp(s)
		if err != nil || now.Before(from) {
			return nil, errors.New("the status list is not valid yet")
		}
	}
	subject, _ := vc["credentialSubject"].(map[string]any)
	if subject == nil {
		return nil, errors.New("the status list has no credentialSubject")
	}
	return subject, nil
}
