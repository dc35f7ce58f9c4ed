package issuer

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Trusted is an issuer on another server that this server's operator
// vouches for: its did:web identifier and the name to show for it. Only
// the operator's word names an issuer; a credential's own issuer.name is
// never shown.
type Trusted struct {
	DID  string `json:"did"`
	Name string `json:"name"`
}

// ParseTrusted reads the operator's list of trusted issuers elsewhere
// (--trusted-issuers, SATCHEL_TRUSTED_ISSUERS): entries separated by ";"
// or new lines, each a did:web identifier, "=", and the name to show, like
//
//	did:web:college.example.org:issuers:education=Example College Education
func ParseTrusted(s string) ([]Trusted, error) {
	var out []Trusted
	seen := map[string]bool{}
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		did, name, ok := strings.Cut(e, "=")
		did, name = strings.TrimSpace(did), strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("trusted issuer %q: write it as did:web:HOST...=Name shown", e)
		}
		if len(name) > 200 {
			return nil, fmt.Errorf("trusted issuer %s: the name is longer than 200 characters", did)
		}
		if _, err := didWebURL(did); err != nil {
			return nil, fmt.Errorf("trusted issuer %q: %v", did, err)
		}
		if seen[did] {
			return nil, fmt.Errorf("trusted issuer %s is listed twice", did)
		}
		seen[did] = true
		out = append(out, Trusted{DID: did, Name: name})
	}
	return out, nil
}

// didWebURL is where the DID document of a did:web identifier is, as the
// did:web method says: did:web:HOST is https://HOST/.well-known/did.json,
// did:web:HOST:a:b is https://HOST/a/b/did.json, and a port is written
// %3A. Only https, and no path segment that is empty, "." or "..".
func didWebURL(did string) (*url.URL, error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok {
		return nil, errors.New("only did:web identifiers can be trusted")
	}
	if strings.ContainsAny(rest, "/?#@ \\") {
		return nil, errors.New("a did:web identifier has no /, ?, #, @, spaces or backslashes")
	}
	parts := strings.Split(rest, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil || host == "" || strings.ContainsAny(host, "%/@") {
		return nil, errors.New("the identifier names no host")
	}
	u := &url.URL{Scheme: "https", Host: host, Path: "/.well-known/did.json"}
	if u.Hostname() == "" {
		return nil, errors.New("the identifier names no host")
	}
	if len(parts) > 1 {
		for _, p := range parts[1:] {
			if p == "" || p == "." || p == ".." || strings.Contains(p, "%") {
				return nil, errors.New("the identifier's path is not plain words")
			}
		}
		u.Path = "/" + strings.Join(parts[1:], "/") + "/did.json"
	}
	return u, nil
}
