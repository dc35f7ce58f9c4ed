package issuer

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/credentials/xsd"
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
	Valid  bool   `json:"valid"`
	Status string `json:"status"` // active, revoked, invalid
	// IssuerName is the registry's name for the issuer: an organisation
	// registered on this server, or one the operator trusts. It is empty
	// unless IssuerKnown; a credential's own issuer.name is never used.
	IssuerName string `json:"issuerName,omitempty"`
	// Issuer is the issuer's identifier as the credential gives it.
	Issuer string `json:"issuer,omitempty"`
	// IssuerKnown says the credential was signed, as it stands, with a key
	// of an issuer Satchel knows. If not, it is no organisation's word:
	// treat it as entered by the person who holds it.
	IssuerKnown bool    `json:"issuerKnown"`
	Checks      []Check `json:"checks"`

	// changed is a proof that did not match a key it could be checked
	// with: the credential was altered, or is not what it claims.
	changed bool
}

// ReasonUnknownIssuer is the issuer-known check's reason when Satchel does
// not know the key a credential was signed with.
const ReasonUnknownIssuer = "signed by a key Satchel does not know — treat it as entered by the person"

// ReasonNoStatus is the revocation check's reason when a known issuer gave
// no way to withdraw a credential.
const ReasonNoStatus = "the issuer gave no way to withdraw this credential"

// Unknown reports whether v's credential is to be read as entered by the
// person who holds it: its signer is not an issuer Satchel knows, and no
// signature check showed it was altered.
func (v Verification) Unknown() bool { return !v.IssuerKnown && !v.changed }

// holder is what the registry says of the key a credential was signed
// with.
type holder struct {
	known   bool
	name    string
	slug    string // an organisation registered on this server
	trusted bool   // an issuer elsewhere that the operator trusts
}

// resolveKey finds the public key of a verification method, and who holds
// it: this server's registered organisations, issuers elsewhere on the
// operator's list (their DID documents fetched with limits), and did:key
// (known to nobody). Anything else is refused: nothing is fetched from an
// address a credential names, and nothing is created.
func (s *Service) resolveKey(ctx context.Context, vm string) (ed25519.PublicKey, holder, error) {
	did, frag, _ := strings.Cut(vm, "#")
	if strings.HasPrefix(did, "did:key:") {
		pub, err := dataintegrity.ResolveDIDKey(vm)
		return pub, holder{}, err
	}
	if slug, ok := s.SlugFromDID(did); ok {
		o, pub, kid, err := s.orgKey(ctx, slug)
		if errors.Is(err, ErrNoOrg) {
			return nil, holder{}, fmt.Errorf("no issuer called %s is registered on this service", slug)
		}
		if err != nil {
			return nil, holder{}, err
		}
		if frag != kid {
			return nil, holder{}, fmt.Errorf("%s is not a key of %s", vm, did)
		}
		return pub, holder{known: true, name: o.Name, slug: slug}, nil
	}
	if t, ok := s.trusted[did]; ok {
		pub, err := s.remote.key(ctx, did, vm)
		if err != nil {
			return nil, holder{}, err
		}
		return pub, holder{known: true, name: t.Name, trusted: true}, nil
	}
	return nil, holder{}, fmt.Errorf("the issuer %s is not one this service can check (only its own issuers, those its operator trusts, and did:key)", did)
}

// Verify checks a credential with a Data Integrity proof: the proof
// (eddsa-rdfc-2022); whether its key belongs to an issuer Satchel knows
// (which alone gives the name shown); the validity dates, which must be
// XML Schema dateTimeStamps; and, for a known issuer, whether it withdrew
// the credential. It reads and fetches, and never creates anything.
func (s *Service) Verify(ctx context.Context, vc map[string]any) Verification {
	v := Verification{Status: "active"}
	issuerID, _ := issuerOf(vc)
	v.Issuer = issuerID
	var who holder
	proof, err := dataintegrity.VerifyContext(ctx, vc, func(vm string) (ed25519.PublicKey, error) {
		if did, _, _ := strings.Cut(vm, "#"); did != issuerID {
			return nil, errors.New("the proof was made with a key of someone other than the issuer")
		}
		pub, h, err := s.resolveKey(ctx, vm)
		who = h
		return pub, err
	}, dataintegrity.Options{Loader: schemas.DefaultLoader})
	if err != nil {
		var de *dataintegrity.Error
		v.changed = !errors.As(err, &de) || de.Check != "verification-method"
		v.Status = "invalid"
		v.Checks = append(v.Checks, Check{"proof", false, err.Error()})
		if !v.changed {
			v.Checks = append(v.Checks, Check{"issuer-known", false, ReasonUnknownIssuer})
		}
		return v
	}
	v.Checks = append(v.Checks, Check{"proof", true, "signed by " + issuerID + " (" + proof.Cryptosuite + "), nothing changed since"})
	if who.known {
		v.IssuerKnown, v.IssuerName = true, who.name
		where := "registered on this service"
		if who.trusted {
			where = "trusted by this service's operator"
		}
		v.Checks = append(v.Checks, Check{"issuer-known", true, "signed by " + who.name + ", an issuer " + where})
	} else {
		v.Checks = append(v.Checks, Check{"issuer-known", false, ReasonUnknownIssuer})
	}
	v.Checks = append(v.Checks, dates(vc, s.now())...)
	if who.known {
		c, withdrawn := s.status(ctx, vc, issuerID, who)
		v.Checks = append(v.Checks, c)
		if withdrawn {
			v.Status = "revoked"
		}
	}
	v.Valid = true
	for _, c := range v.Checks {
		v.Valid = v.Valid && c.Passed
	}
	return v
}

// dates checks a credential's validFrom and validUntil, which must be XML
// Schema dateTimeStamps, against now.
func dates(vc map[string]any, now time.Time) []Check {
	var out []Check
	for _, d := range []struct{ field, check string }{{"validFrom", "not-before"}, {"validUntil", "expiry"}} {
		raw, has := vc[d.field]
		if !has {
			continue
		}
		s, _ := raw.(string)
		t, err := xsd.ParseDateTimeStamp(s)
		switch {
		case err != nil:
			out = append(out, Check{d.check, false, "the credential's " + d.field + " is not a valid date: " + err.Error()})
		case d.field == "validFrom" && now.Before(t):
			out = append(out, Check{d.check, false, "this credential is not valid yet (from " + t.UTC().Format(time.RFC3339) + ")"})
		case d.field == "validUntil" && !now.Before(t):
			out = append(out, Check{d.check, false, "this credential has expired (on " + t.UTC().Format(time.RFC3339) + ")"})
		case d.field == "validFrom":
			out = append(out, Check{d.check, true, "valid from " + t.UTC().Format(time.RFC3339)})
		default:
			out = append(out, Check{d.check, true, "valid until " + t.UTC().Format(time.RFC3339)})
		}
	}
	return out
}

// status checks whether a known issuer withdrew a credential: through this
// server's status list for its organisations, or the trusted issuer's own.
// A credential with no status entry fails: the issuer gave no way to
// withdraw it.
func (s *Service) status(ctx context.Context, vc map[string]any, issuerID string, who holder) (c Check, withdrawn bool) {
	st, ok := vc["credentialStatus"].(map[string]any)
	if list, isList := vc["credentialStatus"].([]any); isList && len(list) == 1 {
		st, ok = list[0].(map[string]any)
	}
	if !ok {
		if _, has := vc["credentialStatus"]; has {
			return Check{"revocation", false, "the credential's status entry is malformed"}, false
		}
		return Check{"revocation", false, ReasonNoStatus}, false
	}
	list, idx, purpose, err := statuslist.ParseEntry(st)
	if err != nil {
		return Check{"revocation", false, "the credential's status entry is malformed"}, false
	}
	if purpose != statuslist.PurposeRevocation {
		return Check{"revocation", false, "the credential's status entry is for " + purpose + ", which this service cannot check"}, false
	}
	var set bool
	switch {
	case who.slug != "":
		if list != s.StatusListURL(who.slug) {
			return Check{"revocation", false, "the credential's status list is not its issuer's, so whether it was withdrawn cannot be checked"}, false
		}
		if set, err = s.Revoked(ctx, who.slug, idx); err != nil {
			return Check{"revocation", false, "the issuer's status list could not be read: try again later"}, false
		}
	default:
		if set, err = s.remote.revoked(ctx, issuerID, list, idx, purpose); err != nil {
			return Check{"revocation", false, "whether the issuer withdrew it cannot be checked: " + err.Error()}, false
		}
	}
	if set {
		return Check{"revocation", false, "withdrawn by the issuer"}, true
	}
	return Check{"revocation", true, "not withdrawn by the issuer"}, false
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
