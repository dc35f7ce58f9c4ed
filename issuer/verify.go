package issuer

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/schemas"
)

// Check is one thing checked about a credential, with the reason.
type Check struct {
	Check  string `json:"check"`
	Passed bool   `json:"passed"`
	Reason string `json:"reason"`
}

// Verification is the outcome of checking a credential.
type Verification struct {
	Valid      bool    `json:"valid"`
	Status     string  `json:"status"` // active, revoked, invalid
	IssuerName string  `json:"issuerName,omitempty"`
	Issuer     string  `json:"issuer,omitempty"`
	Checks     []Check `json:"checks"`
}

// resolveKey finds the public key of a verification method: did:web
// identifiers of this server's organisations and did:key. Any other DID, or
// a did:web elsewhere, is refused: nothing is fetched from an address a
// credential names.
func (s *Service) resolveKey(ctx context.Context, vm string) (ed25519.PublicKey, error) {
	did, frag, _ := strings.Cut(vm, "#")
	if strings.HasPrefix(did, "did:key:") {
		return dataintegrity.ResolveDIDKey(vm)
	}
	slug, ok := s.SlugFromDID(did)
	if !ok {
		return nil, fmt.Errorf("the issuer %s is not one this service can check (only its own issuers and did:key)", did)
	}
	pub, kid, err := s.PublicKey(ctx, slug)
	if err != nil {
		return nil, err
	}
	if _, err := s.Org(ctx, slug); err != nil {
		return nil, err
	}
	if frag != kid {
		return nil, fmt.Errorf("%s is not a key of %s", vm, did)
	}
	return pub, nil
}

// Verify checks a credential with a Data Integrity proof: the proof
// (eddsa-rdfc-2022), the issuer and its key, the validity dates and, for
// this server's issuers, whether the issuer withdrew it.
func (s *Service) Verify(ctx context.Context, vc map[string]any) Verification {
	v := Verification{Status: "active"}
	issuerID, name := issuerOf(vc)
	v.Issuer, v.IssuerName = issuerID, name
	proof, err := dataintegrity.Verify(vc, func(vm string) (ed25519.PublicKey, error) {
		if did, _, _ := strings.Cut(vm, "#"); did != issuerID {
			return nil, errors.New("the proof was made with a key of someone other than the issuer")
		}
		return s.resolveKey(ctx, vm)
	}, dataintegrity.Options{Loader: schemas.DefaultLoader})
	if err != nil {
		v.Status = "invalid"
		v.Checks = append(v.Checks, Check{"proof", false, err.Error()})
		return v
	}
	v.Checks = append(v.Checks, Check{"proof", true, "signed by " + issuerID + " (" + proof.Cryptosuite + "), nothing changed since"})
	now := s.now()
	if from, err := time.Parse(time.RFC3339, str(vc["validFrom"])); err == nil && now.Before(from) {
		v.Checks = append(v.Checks, Check{"not-before", false, "this credential is not valid yet"})
	}
	if until, err := time.Parse(time.RFC3339, str(vc["validUntil"])); err == nil && !now.Before(until) {
		v.Checks = append(v.Checks, Check{"expiry", false, "this credential has expired"})
	}
	v.Checks = append(v.Checks, s.status(ctx, vc, issuerID))
	v.Valid = true
	for _, c := range v.Checks {
		if !c.Passed {
			v.Valid = false
			if c.Check == "revocation" && v.Status == "active" {
				v.Status = "revoked"
			}
		}
	}
	return v
}

func (s *Service) status(ctx context.Context, vc map[string]any, issuerID string) Check {
	st, ok := vc["credentialStatus"].(map[string]any)
	if !ok {
		return Check{"revocation", true, "the issuer gave no way to withdraw this credential"}
	}
	slug, ours := s.SlugFromDID(issuerID)
	list := str(st["statusListCredential"])
	if !ours || list != s.StatusListURL(slug) {
		return Check{"revocation", false, "the issuer's status list is not on this service, so whether it was withdrawn cannot be checked"}
	}
	idx, err := strconv.Atoi(str(st["statusListIndex"]))
	if err != nil {
		return Check{"revocation", false, "the credential's status entry is malformed"}
	}
	set, err := s.Revoked(ctx, slug, idx)
	if err != nil {
		return Check{"revocation", false, "the issuer's status list could not be read: try again later"}
	}
	if set {
		return Check{"revocation", false, "withdrawn by the issuer"}
	}
	return Check{"revocation", true, "not withdrawn by the issuer"}
}

func issuerOf(vc map[string]any) (id, name string) {
	switch x := vc["issuer"].(type) {
	case string:
		return x, ""
	case map[string]any:
		return str(x["id"]), str(x["name"])
	}
	return "", ""
}

func str(v any) string { s, _ := v.(string); return s }
