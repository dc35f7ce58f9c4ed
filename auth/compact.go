package auth

import (
	"encoding/base64"
	"strings"
)

// compact reports whether token is a JWS in compact serialization, as Issue
// writes it: three parts of unpadded base64url with no stray bits. The
// parser alone also takes the standard alphabet, padding, line breaks and
// non-zero trailing bits, so that one token could be spelt many ways, each
// a different string to anything that keys on a token (the verified cache,
// logs, lists of ended tokens).
func compact(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if _, err := base64.RawURLEncoding.Strict().DecodeString(p); err != nil || strings.ContainsAny(p, "\r\n") {
			return false
		}
	}
	return true
}
