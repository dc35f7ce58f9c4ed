package statuslist

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ContextV2 is the JSON-LD context of the VC Data Model 2.0, which defines
// the Bitstring Status List terms.
const ContextV2 = "https://www.w3.org/ns/credentials/v2"

// Status purposes with a meaning fixed by the specification. Any other
// non-empty string is allowed except "message", which needs status entries
// wider than one bit, which this package does not support.
const (
	// PurposeRevocation marks a credential cancelled for good.
	PurposeRevocation = "revocation"
	// PurposeSuspension marks a credential held back until the bit is cleared.
	PurposeSuspension = "suspension"
)

// Type names from the specification.
const (
	typeCredential = "BitstringStatusListCredential"
	typeList       = "BitstringStatusList"
	typeEntry      = "BitstringStatusListEntry"
)

// checkPurpose refuses a purpose this package cannot express.
func checkPurpose(purpose string) error {
	switch purpose {
	case "":
		return fmt.Errorf("%w: empty statusPurpose", ErrMalformed)
	case "message":
		return fmt.Errorf("%w: statusPurpose %q needs statusSize > 1, which is not supported", ErrMalformed, purpose)
	}
	return nil
}

// Credential returns the unsigned BitstringStatusListCredential that
// publishes l, as a map ready for JSON or JSON-LD processing (arrays are
// []any). id is the credential's URL, which every entry's
// statusListCredential points at; the list itself gets the id id+"#list".
// A zero validFrom or validUntil is left out. The caller adds a ttl to the
// credentialSubject if it wants one, then signs and publishes.
func Credential(id, issuer string, purpose string, l *List, validFrom time.Time, validUntil time.Time) (map[string]any, error) {
	u, err := url.Parse(id)
	if err != nil || !u.IsAbs() || strings.Contains(id, "#") {
		return nil, fmt.Errorf("%w: credential id %q is not an absolute URL without a fragment", ErrMalformed, id)
	}
	if issuer == "" {
		return nil, fmt.Errorf("%w: empty issuer", ErrMalformed)
	}
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	if !validFrom.IsZero() && !validUntil.IsZero() && !validUntil.After(validFrom) {
		return nil, fmt.Errorf("%w: validUntil %s is not after validFrom %s", ErrMalformed, validUntil, validFrom)
	}
	enc, err := l.Encode()
	if err != nil {
		return nil, err
	}
	c := map[string]any{
		"@context": []any{ContextV2},
		"id":       id,
		"type":     []any{"VerifiableCredential", typeCredential},
		"issuer":   issuer,
		"credentialSubject": map[string]any{
			"id":            id + "#list",
			"type":          typeList,
			"statusPurpose": purpose,
			"encodedList":   enc,
		},
	}
	if !validFrom.IsZero() {
		c["validFrom"] = validFrom.UTC().Format(time.RFC3339)
	}
	if !validUntil.IsZero() {
		c["validUntil"] = validUntil.UTC().Format(time.RFC3339)
	}
	return c, nil
}

// Entry returns the credentialStatus entry that points a grant at bit index
// of the list published at listURL. Its id is listURL#index, never listURL
// itself, and statusListIndex is the index as a base-10 string, as the
// specification requires. Entry does not validate its arguments: index
// comes from Allocator.Allocate and listURL from the caller's configuration.
func Entry(listURL string, index int, purpose string) map[string]any {
	idx := strconv.Itoa(index)
	return map[string]any{
		"id":                   listURL + "#" + idx,
		"type":                 typeEntry,
		"statusPurpose":        purpose,
		"statusListIndex":      idx,
		"statusListCredential": listURL,
	}
}

// ParseEntry reads a credentialStatus entry as a verifier receives it
// (parsed JSON), refusing one that is not a one-bit BitstringStatusListEntry,
// whose statusListIndex is not a string of decimal digits, or whose index
// could not be in any list this package accepts (ErrRange).
func ParseEntry(entry map[string]any) (listURL string, index int, purpose string, err error) {
	if t, _ := entry["type"].(string); t != typeEntry {
		return "", 0, "", fmt.Errorf("%w: entry type is %v, want %s", ErrMalformed, entry["type"], typeEntry)
	}
	purpose, _ = entry["statusPurpose"].(string)
	if err := checkPurpose(purpose); err != nil {
		return "", 0, "", err
	}
	if err := checkSize(entry); err != nil {
		return "", 0, "", err
	}
	listURL, _ = entry["statusListCredential"].(string)
	if u, err := url.Parse(listURL); err != nil || !u.IsAbs() {
		return "", 0, "", fmt.Errorf("%w: statusListCredential %q is not an absolute URL", ErrMalformed, listURL)
	}
	s, ok := entry["statusListIndex"].(string)
	if !ok || s == "" || len(s) > 10 {
		return "", 0, "", fmt.Errorf("%w: statusListIndex %v is not a string of up to 10 digits", ErrMalformed, entry["statusListIndex"])
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", 0, "", fmt.Errorf("%w: statusListIndex %q is not base-10 digits", ErrMalformed, s)
		}
	}
	n, _ := strconv.ParseInt(s, 10, 64) // at most 10 digits: cannot fail
	if n >= MaxBits {
		return "", 0, "", fmt.Errorf("%w: statusListIndex %d", ErrRange, n)
	}
	return listURL, int(n), purpose, nil
}

// checkSize refuses a statusSize other than 1 in an entry or list subject.
func checkSize(m map[string]any) error {
	v, ok := m["statusSize"]
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case float64:
		if v == 1 {
			return nil
		}
	case int:
		if v == 1 {
			return nil
		}
	case json.Number:
		if v.String() == "1" {
			return nil
		}
	}
	return fmt.Errorf("%w: statusSize %v is not supported, only 1", ErrMalformed, v)
}

// Check reads bit index of the revocation list in credentialSubject, the
// parsed subject of a BitstringStatusListCredential whose proof and validity
// period the caller has already verified. set true means revoked.
func Check(credentialSubject map[string]any, index int) (set bool, err error) {
	return CheckPurpose(credentialSubject, index, PurposeRevocation)
}

// CheckPurpose is Check for any status purpose: it refuses a subject whose
// type is not BitstringStatusList (ErrMalformed) or whose statusPurpose, a
// string or an array of strings, does not include purpose (ErrPurpose),
// then decodes encodedList and reads bit index.
func CheckPurpose(credentialSubject map[string]any, index int, purpose string) (set bool, err error) {
	if credentialSubject == nil {
		return false, fmt.Errorf("%w: no credentialSubject", ErrMalformed)
	}
	if !hasString(credentialSubject["type"], typeList) {
		return false, fmt.Errorf("%w: credentialSubject type %v, want %s", ErrMalformed, credentialSubject["type"], typeList)
	}
	p, ok := credentialSubject["statusPurpose"]
	if !ok {
		return false, fmt.Errorf("%w: credentialSubject has no statusPurpose", ErrMalformed)
	}
	if !hasString(p, purpose) {
		return false, fmt.Errorf("%w: list is for %v, not %q", ErrPurpose, p, purpose)
	}
	if err := checkSize(credentialSubject); err != nil {
		return false, err
	}
	enc, ok := credentialSubject["encodedList"].(string)
	if !ok {
		return false, fmt.Errorf("%w: credentialSubject has no encodedList string", ErrMalformed)
	}
	l, err := Decode(enc)
	if err != nil {
		return false, err
	}
	return l.Get(index)
}

// hasString reports whether v, a string or an array of strings, is or
// contains want.
func hasString(v any, want string) bool {
	switch v := v.(type) {
	case string:
		return v == want
	case []any:
		for _, e := range v {
			if s, _ := e.(string); s == want {
				return true
			}
		}
	case []string:
		for _, s := range v {
			if s == want {
				return true
			}
		}
	}
	return false
}
