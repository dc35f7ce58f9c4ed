package consent

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/vault"
)

// Media type and header values of a grant (VC-JOSE-COSE).
const (
	CredentialType = "application/vc+jwt"
	credentialsV2  = "https://www.w3.org/ns/credentials/v2"
	grantType      = "SatchelAccessGrant"
	typHeader      = "vc+jwt"
	ctyHeader      = "vc"
)

// DIDWeb is the did:web identifier of the service at baseURL: the host,
// with a port's colon percent-encoded, as the did:web method says.
func DIDWeb(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("the base URL %q has no host", baseURL)
	}
	did := "did:web:" + strings.ReplaceAll(u.Host, ":", "%3A")
	if p := strings.Trim(u.Path, "/"); p != "" {
		did += ":" + strings.ReplaceAll(p, "/", ":")
	}
	return did, nil
}

// PurposeIRI names a purpose code as an IRI.
func PurposeIRI(code string) string { return "https://w3id.org/satchel/purposes#" + code }

// ItemURLs are the URLs of what an item shares: the resource, or one URL
// per field, the field's JSON Pointer percent-encoded as the fragment.
func ItemURLs(podURL string, it Item) []string {
	base := podURL + it.Path.Escaped()
	if len(it.Fields) == 0 {
		return []string{base}
	}
	out := make([]string, len(it.Fields))
	for i, f := range it.Fields {
		out[i] = base + "#" + url.PathEscape(f)
	}
	return out
}

// buildCredential is g as an unsigned W3C Verifiable Credential (Data Model
// 2.0) shaped like a Solid access grant: the subject is the leaver's pod,
// and providedConsent says what, to whom and why, in GConsent terms.
func buildCredential(g Grant, issuerDID, podURL string, status map[string]any) map[string]any {
	var data []string
	for _, it := range g.Items {
		data = append(data, ItemURLs(podURL, it)...)
	}
	consent := map[string]any{
		"mode":            []string{"Read"},
		"hasStatus":       "ConsentStatusExplicitlyGiven",
		"forPersonalData": data,
		"forPurpose":      PurposeIRI(g.Purpose),
		"isProvidedTo": map[string]any{
			"type":          "Organization",
			"name":          g.Recipient.Name,
			"recipientKind": string(g.Recipient.Kind),
		},
	}
	if g.PurposeText != "" {
		consent["purposeDescription"] = g.PurposeText
	}
	if g.MaxViews > 0 {
		consent["maxViews"] = g.MaxViews
	}
	return map[string]any{
		"@context":   []string{credentialsV2, schemas.ConsentContextURL},
		"id":         "urn:satchel:grant:" + string(g.ID),
		"type":       []string{"VerifiableCredential", grantType},
		"issuer":     issuerDID,
		"validFrom":  g.NotBefore.UTC().Format(time.RFC3339),
		"validUntil": g.Expires.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id":              podURL,
			"sharedBy":        g.SharedBy,
			"providedConsent": consent,
		},
		"credentialStatus": status,
	}
}

// signCredential secures vc as a compact JWS: EdDSA, typ "vc+jwt", cty
// "vc", kid the DID URL of the signing key. The payload is the credential
// itself, as VC-JOSE-COSE requires.
func signCredential(vc map[string]any, signer vault.Signer, kid string) (string, error) {
	payload, err := json.Marshal(vc)
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	for k, v := range map[string]string{jws.TypeKey: typHeader, jws.ContentTypeKey: ctyHeader, jws.KeyIDKey: kid} {
		if err := hdr.Set(k, v); err != nil {
			return "", err
		}
	}
	out, err := jws.Sign(payload, jws.WithKey(jwa.EdDSA, signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("sign grant: %w", err)
	}
	return string(out), nil
}

// CheckError is a failed check of a grant credential: which check, and why
// in plain words.
type CheckError struct {
	Check  string // "format", "signature", "issuer", "expiry", "not-before", "type"
	Reason string
}

func (e *CheckError) Error() string { return e.Reason }

// Verified is a grant credential whose signature, issuer, type and dates
// have been checked.
type Verified struct {
	Credential map[string]any
	KeyID      string
	ValidFrom  time.Time
	ValidUntil time.Time
	// StatusList and StatusIndex locate its revocation bit.
	StatusList  string
	StatusIndex int
}

// MaxCredentialBytes bounds a credential presented for verification.
const MaxCredentialBytes = 64 << 10

// VerifyCredential checks a grant credential offline: the JWS headers, the
// EdDSA signature by a key in keys (a kid must name it), the issuer, the
// credential types and the validity window at now. Revocation is the
// caller's to check, through the status list the credential names.
func VerifyCredential(token string, keys jwk.Set, issuerDID string, now time.Time) (*Verified, error) {
	vc, kid, err := verifySigned(token, keys, issuerDID)
	if err != nil {
		return nil, err
	}
	if !hasType(vc["type"], grantType) {
		return nil, &CheckError{"type", "this credential is not a Satchel access grant"}
	}
	v := &Verified{Credential: vc, KeyID: kid}
	from, err1 := time.Parse(time.RFC3339, str(vc["validFrom"]))
	until, err2 := time.Parse(time.RFC3339, str(vc["validUntil"]))
	if err1 != nil || err2 != nil {
		return nil, &CheckError{"format", "the grant's dates are missing or malformed"}
	}
	v.ValidFrom, v.ValidUntil = from, until
	if now.Before(from) {
		return v, &CheckError{"not-before", "this link cannot be used yet"}
	}
	if !now.Before(until) {
		return v, &CheckError{"expiry", string(Expired)}
	}
	st, _ := vc["credentialStatus"].(map[string]any)
	v.StatusList = str(st["statusListCredential"])
	if _, err := fmt.Sscanf(str(st["statusListIndex"]), "%d", &v.StatusIndex); err != nil || v.StatusList == "" {
		return v, &CheckError{"format", "the grant has no revocation status entry"}
	}
	return v, nil
}

// verifySigned checks what every credential this service signs has in
// common: the JWS headers, an EdDSA signature by a published key of
// issuerDID, a VC 2.0 payload naming issuerDID as issuer.
func verifySigned(token string, keys jwk.Set, issuerDID string) (map[string]any, string, error) {
	if len(token) > MaxCredentialBytes {
		return nil, "", &CheckError{"format", "this credential is too large"}
	}
	msg, err := jws.Parse([]byte(token))
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, "", &CheckError{"format", "this is not a signed credential (a compact JWS was expected)"}
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	if h.Algorithm() != jwa.EdDSA || h.Type() != typHeader || h.ContentType() != ctyHeader {
		return nil, "", &CheckError{"format", "this is not a Satchel credential: its header must say alg EdDSA, typ vc+jwt, cty vc"}
	}
	kid := h.KeyID()
	key, ok := keys.LookupKeyID(kid)
	if !ok || !strings.HasPrefix(kid, issuerDID+"#") {
		return nil, "", &CheckError{"issuer", "this was signed with a key this service does not publish"}
	}
	var pub ed25519.PublicKey
	if err := key.Raw(&pub); err != nil {
		return nil, "", &CheckError{"issuer", "the signing key is not an Ed25519 key"}
	}
	payload, err := jws.Verify([]byte(token), jws.WithKey(jwa.EdDSA, pub))
	if err != nil {
		return nil, "", &CheckError{"signature", "the signature does not match: this was changed or forged"}
	}
	var vc map[string]any
	if err := json.Unmarshal(payload, &vc); err != nil {
		return nil, "", &CheckError{"format", "the credential's content is not JSON"}
	}
	if ctx, _ := vc["@context"].([]any); len(ctx) == 0 || ctx[0] != credentialsV2 {
		return nil, "", &CheckError{"format", "this is not a W3C Verifiable Credential 2.0"}
	}
	if !hasType(vc["type"], "VerifiableCredential") {
		return nil, "", &CheckError{"type", "this is not a Verifiable Credential"}
	}
	if vc["issuer"] != issuerDID {
		return nil, "", &CheckError{"issuer", "this names another issuer than the key that signed it"}
	}
	return vc, kid, nil
}

// VerifyStatusList checks a status list credential this service signed and
// returns its credentialSubject, for statuslist.Check.
func VerifyStatusList(token string, keys jwk.Set, issuerDID string, now time.Time) (map[string]any, error) {
	vc, _, err := verifySigned(token, keys, issuerDID)
	if err != nil {
		return nil, err
	}
	if !hasType(vc["type"], "BitstringStatusListCredential") {
		return nil, &CheckError{"type", "this is not a status list"}
	}
	if until, err := time.Parse(time.RFC3339, str(vc["validUntil"])); err == nil && !now.Before(until) {
		return nil, &CheckError{"expiry", "this status list is out of date: fetch it again"}
	}
	subj, ok := vc["credentialSubject"].(map[string]any)
	if !ok {
		return nil, &CheckError{"format", "the status list has no subject"}
	}
	return subj, nil
}

func hasType(v any, t string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

func str(v any) string { s, _ := v.(string); return s }
