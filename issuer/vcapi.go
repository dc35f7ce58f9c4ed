package issuer

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/credentials/presentation"
	"github.com/satchel-project/satchel/credentials/xsd"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/state"
)

// OtherIssuerError is a credential, given to an organisation to sign, that
// names another issuer: it is refused, never signed in the other's name.
type OtherIssuerError struct{ Named, Own string }

func (e *OtherIssuerError) Error() string {
	return fmt.Sprintf("the credential names the issuer %s; your organisation can sign only as itself (%s)", e.Named, e.Own)
}

var uuidURN = regexp.MustCompile(`^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// IssueCredential signs an unsigned credential as organisation org (the
// VC-API's issue): its issuer becomes org's identifier and registered name,
// whatever it said, and a credential naming another issuer (by identifier
// or name) is refused with *OtherIssuerError. It gets an entry in org's
// status list, so that org can withdraw it (Revoke, with the returned
// record's ID), and a validFrom of now if it has none; dates that are not
// XML Schema dateTimeStamps are refused. Nothing is delivered.
func (s *Service) IssueCredential(ctx context.Context, org string, vc map[string]any) (map[string]any, Issued, error) {
	o, err := s.Org(ctx, org)
	if err != nil {
		return nil, Issued{}, err
	}
	did := s.DID(org)
	if err := checkDataModel(vc); err != nil {
		return nil, Issued{}, err
	}
	if err := o.maySignCredential(vc); err != nil {
		return nil, Issued{}, err
	}
	switch x := vc["issuer"].(type) {
	case nil:
	case string:
		if x != did {
			return nil, Issued{}, &OtherIssuerError{Named: x, Own: did}
		}
	case map[string]any:
		for k, v := range x {
			switch {
			case k == "id" && v != did:
				return nil, Issued{}, &OtherIssuerError{Named: fmt.Sprint(v), Own: did}
			case k == "name" && v != o.Name:
				return nil, Issued{}, &OtherIssuerError{Named: fmt.Sprintf("%q", fmt.Sprint(v)), Own: fmt.Sprintf("%q", o.Name)}
			case k != "id" && k != "name":
				return nil, Issued{}, &InvalidError{"the issuer is set by Satchel: give only its id and name, or leave it out"}
			}
		}
	default:
		return nil, Issued{}, &InvalidError{"the issuer must be your organisation's identifier, or left out"}
	}
	if _, has := vc["credentialStatus"]; has {
		return nil, Issued{}, &InvalidError{"leave out credentialStatus: Satchel adds an entry in your status list, so that you can withdraw the credential"}
	}
	for _, f := range []string{"validFrom", "validUntil"} {
		if v, has := vc[f]; has {
			if _, err := xsd.ParseDateTimeStamp(str(v)); err != nil {
				return nil, Issued{}, &InvalidError{"the credential's " + f + " is not a valid date: " + err.Error()}
			}
		}
	}
	now := s.now().UTC().Truncate(time.Second)
	id := newUUID()
	if v, has := vc["id"]; has {
		m := uuidURN.FindStringSubmatch(str(v))
		if str(v) == "" {
			return nil, Issued{}, &InvalidError{"the credential's id must be a URL"}
		}
		if m != nil {
			id = m[1]
		}
	} else {
		vc["id"] = "urn:uuid:" + id
	}
	vc["issuer"] = map[string]any{"id": did, "name": o.Name}
	if _, has := vc["validFrom"]; !has {
		vc["validFrom"] = now.Format(time.RFC3339)
	}
	opt := dataintegrity.Options{Loader: schemas.DefaultLoader}
	// Refuse what cannot be signed before a status bit is spent on it.
	if _, err := dataintegrity.Canonicalize(vc, opt); err != nil {
		return nil, Issued{}, &InvalidError{"this credential cannot be signed: " + err.Error()}
	}
	if _, err := s.db.ReadJSON(ctx, issuedPath(org, id), &Issued{}); err == nil {
		return nil, Issued{}, &InvalidError{"your organisation has already issued a credential with this id"}
	}
	idx, err := s.allocateStatus(ctx, org)
	if err != nil {
		return nil, Issued{}, err
	}
	vc["credentialStatus"] = statuslist.Entry(s.StatusListURL(org), idx, statuslist.PurposeRevocation)
	signer, err := s.signer(ctx, org)
	if err != nil {
		return nil, Issued{}, err
	}
	signed, err := dataintegrity.Sign(vc, signer, did+"#"+signer.KeyID(), now, "assertionMethod", opt)
	if err != nil {
		return nil, Issued{}, &InvalidError{"this credential cannot be signed: " + err.Error()}
	}
	subj, _ := vc["credentialSubject"].(map[string]any)
	title := str(subj["title"])
	if title == "" {
		title = str(subj["name"])
	}
	if len(title) > 200 {
		title = title[:200]
	}
	rec := Issued{ID: id, Org: org, StatusIndex: idx, CourseName: strings.TrimSpace(title), Issued: now}
	if err := s.db.WriteJSON(ctx, issuedPath(org, id), rec, state.CreateOnly()); err != nil {
		if errors.Is(err, state.ErrPrecondition) {
			return nil, Issued{}, &InvalidError{"your organisation has already issued a credential with this id"}
		}
		return nil, Issued{}, err
	}
	return signed, rec, nil
}

// GrantChecker checks a grant this service signed (a compact JWS,
// application/vc+jwt) as the share-link verifier does: the service's
// published keys, the dates, the status list and the scope.
type GrantChecker interface {
	VerifyGrant(ctx context.Context, jws string) Verification
}

// vcapiIssue is the VC-API's POST /credentials/issue for issuer staff: it
// signs the credential given as the staff member's own organisation
// (Service.IssueCredential) and answers 201 {"verifiableCredential": …};
// it delivers nothing. A credential naming another issuer is refused
// (403).
func (h *Handler) vcapiIssue(w http.ResponseWriter, r *http.Request) {
	c, ok := h.who(w, r)
	if !ok {
		return
	}
	if access.CanOrg(c, access.Issue, c.Org) != nil {
		problem.Write(w, http.StatusForbidden, "not-staff", "Only issuer staff can issue credentials.")
		return
	}
	var req struct {
		Credential map[string]any `json:"credential"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&req); err != nil || req.Credential == nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", `Send {"credential": {...}}, an unsigned Verifiable Credential.`)
		return
	}
	signed, _, err := h.Service.IssueCredential(r.Context(), c.Org, req.Credential)
	var other *OtherIssuerError
	switch {
	case errors.As(err, &other):
		problem.Write(w, http.StatusForbidden, "other-issuer", problem.Sentence(other.Error())+" Nothing was signed.")
	case errors.Is(err, ErrNoOrg):
		problem.Write(w, http.StatusForbidden, "not-staff", "Your organisation is not registered on this service any more. Nothing was signed.")
	case err != nil:
		h.fail(w, r, err)
	default:
		problem.JSON(w, http.StatusCreated, map[string]any{"verifiableCredential": signed})
	}
}

// Enveloped credentials: a grant secured as a JWS, carried in a data: URL.
const (
	envelopedType   = "EnvelopedVerifiableCredential"
	envelopedPrefix = "data:application/vc+jwt,"
)

// compactJWS is the shape of a compact JWS: three base64url parts, the
// last two possibly empty only for unsecured ones, which are refused.
var compactJWS = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

// badInput is a request that cannot be verified as it is: 422 with the
// reason.
type badInput struct{ reason string }

func (e *badInput) Error() string { return e.reason }

// verifyOne checks one credential of a VC-API request: a Data Integrity
// credential (Service.Verify), or an EnvelopedVerifiableCredential holding
// a grant this service signed (h.Grants). An envelope that does not hold
// a compact JWS is a *badInput.
func (h *Handler) verifyOne(ctx context.Context, vc map[string]any) (Verification, error) {
	if !hasType(vc["type"], envelopedType) {
		return h.Service.Verify(ctx, vc), nil
	}
	id := str(vc["id"])
	switch {
	case !strings.HasPrefix(id, "data:"):
		return Verification{}, &badInput{"an EnvelopedVerifiableCredential's id must be a data: URL holding the credential (data:application/vc+jwt,JWS)"}
	case !strings.HasPrefix(id, envelopedPrefix):
		mt, _, _ := strings.Cut(strings.TrimPrefix(id, "data:"), ",")
		return Verification{}, &badInput{fmt.Sprintf("this service verifies enveloped credentials of type application/vc+jwt only, not %q", mt)}
	}
	jws := strings.TrimPrefix(id, envelopedPrefix)
	if !compactJWS.MatchString(jws) {
		return Verification{}, &badInput{"the enveloped credential is not a JWS: after data:application/vc+jwt, there must be a compact JWS (three base64url parts separated by dots)"}
	}
	if h.Grants == nil {
		return Verification{}, &badInput{"this service does not verify enveloped credentials"}
	}
	return h.Grants.VerifyGrant(ctx, jws), nil
}

func hasType(v any, want string) bool {
	switch t := v.(type) {
	case string:
		return t == want
	case []any:
		for _, e := range t {
			if e == want {
				return true
			}
		}
	}
	return false
}

// vcapiVerify is the VC-API's POST /credentials/verify: {"verifiableCredential":
// …}, a credential with a Data Integrity proof or an enveloped grant. It
// answers 200 when every check passed, 400 when one failed (both with
// verified, checks, warnings, errors), 422 for an envelope that holds no
// JWS.
func (h *Handler) vcapiVerify(w http.ResponseWriter, r *http.Request) {
	var req struct {
		VC map[string]any `json:"verifiableCredential"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&req); err != nil || req.VC == nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", `Send {"verifiableCredential": {...}}.`)
		return
	}
	v, err := h.verifyOne(r.Context(), req.VC)
	if err != nil {
		problem.Write(w, http.StatusUnprocessableEntity, "not-verifiable", problem.Sentence(err.Error()))
		return
	}
	checks, errs := []string{}, []string{}
	for _, c := range v.Checks {
		if c.Passed {
			checks = append(checks, c.Check)
		} else {
			errs = append(errs, c.Check+": "+c.Reason)
		}
	}
	status := http.StatusOK
	if !v.Valid {
		status = http.StatusBadRequest
	}
	problem.JSON(w, status, map[string]any{"verified": v.Valid, "checks": checks, "warnings": []string{}, "errors": errs, "satchel": v})
}

// vcapiVerifyPresentation is the VC-API's POST /presentations/verify:
// {"verifiablePresentation": …, "options": {"challenge", "domain"}}. The
// holder's proof (Data Integrity, eddsa-rdfc-2022, proofPurpose
// authentication) must be there and carry the verifier's challenge and
// domain; each credential in the presentation is then verified as
// /credentials/verify does. 200 when all passed, else 400 with the
// reasons; 422 for an envelope that holds no JWS.
func (h *Handler) vcapiVerifyPresentation(w http.ResponseWriter, r *http.Request) {
	var req struct {
		VP      map[string]any `json:"verifiablePresentation"`
		Options struct {
			Challenge string `json:"challenge"`
			Domain    string `json:"domain"`
		} `json:"options"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || req.VP == nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", `Send {"verifiablePresentation": {...}, "options": {"challenge": "...", "domain": "..."}}.`)
		return
	}
	var vcs []map[string]any
	switch x := req.VP["verifiableCredential"].(type) {
	case nil:
	case map[string]any:
		vcs = []map[string]any{x}
	case []any:
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				problem.Write(w, http.StatusBadRequest, "bad-request", "Each of a presentation's verifiableCredential must be a credential (a JSON object), not a string or a number.")
				return
			}
			vcs = append(vcs, m)
		}
	default:
		problem.Write(w, http.StatusBadRequest, "bad-request", "A presentation's verifiableCredential must be a credential or a list of them.")
		return
	}
	if len(vcs) > 20 {
		problem.Write(w, http.StatusBadRequest, "bad-request", "A presentation can hold at most 20 credentials.")
		return
	}
	checks, warnings, errs := []string{}, []string{}, []string{}
	if req.Options.Challenge == "" {
		warnings = append(warnings, "no challenge was given in options: the holder's proof is checked, but this presentation could be a replay of one made for someone else")
	}
	_, err := presentation.Verify(req.VP, presentation.Options{Challenge: req.Options.Challenge, Domain: req.Options.Domain}, func(vm string) (ed25519.PublicKey, error) {
		pub, _, err := h.Service.resolveKey(r.Context(), vm)
		return pub, err
	}, dataintegrity.Options{Loader: schemas.DefaultLoader})
	var de *dataintegrity.Error
	switch {
	case errors.As(err, &de):
		errs = append(errs, de.Check+": "+de.Reason)
	case err != nil:
		errs = append(errs, "holder-proof: "+err.Error())
	default:
		checks = append(checks, "holder-proof")
		if req.Options.Challenge != "" {
			checks = append(checks, "challenge")
		}
		if req.Options.Domain != "" {
			checks = append(checks, "domain")
		}
	}
	results := []Verification{}
	for i, vc := range vcs {
		v, err := h.verifyOne(r.Context(), vc)
		if err != nil {
			problem.Write(w, http.StatusUnprocessableEntity, "not-verifiable", problem.Sentence(fmt.Sprintf("credential %d: %s", i+1, err.Error())))
			return
		}
		results = append(results, v)
		for _, c := range v.Checks {
			if !c.Passed {
				errs = append(errs, fmt.Sprintf("credential %d: %s: %s", i+1, c.Check, c.Reason))
			}
		}
	}
	if len(vcs) > 0 {
		checks = append(checks, "credentials")
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusBadRequest
	}
	problem.JSON(w, status, map[string]any{"verified": len(errs) == 0, "checks": checks, "warnings": warnings, "errors": errs, "satchel": results})
}
