package transit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/satchel-project/satchel/vault"
)

var timeAfter = time.After

// transitError is a request that Vault refused for a reason other than
// being unavailable or refusing the token (a 4xx answer).
type transitError struct {
	op, path string
	status   int
	msg      string
}

func (e *transitError) Error() string {
	return fmt.Sprintf("vault transit %s (%s): %s (HTTP %d)", e.op, e.path, e.msg, e.status)
}

// refusedError is a 403 answer: the token has expired or been revoked, or
// its policy does not grant capability on path. It wraps both
// vault.ErrTokenRefused and vault.ErrUnavailable.
type refusedError struct {
	op, path, capability string
	// invalid: Vault said "invalid token", which it says of a token that
	// has expired, been revoked or never existed.
	invalid bool
}

func (e *refusedError) Error() string {
	if e.invalid {
		return fmt.Sprintf("vault transit %s: the Vault token was refused (permission denied, invalid token): it has expired or been revoked; give Satchel a new token (VAULT_TOKEN) and restart it", e.op)
	}
	return fmt.Sprintf("vault transit %s: the Vault token was refused (permission denied) on %s: its policy must grant %s there; give it the policy that \"satchel keys policy\" prints", e.op, e.path, e.capability)
}

func (e *refusedError) Is(target error) bool {
	return target == vault.ErrTokenRefused || target == vault.ErrUnavailable
}

// classify turns an error from the Vault client into this package's
// errors: vault.ErrUnavailable for anything that says Vault cannot serve
// now, *refusedError for 403, and *transitError for other refusals. path
// is below the mount, unless it begins with "auth/" or "sys/"; capability
// is what the request needs. The errors hold Vault's messages and the
// request path, never the token.
func (t *Custodian) classify(op, path, capability string, err error) error {
	if err == nil {
		return nil
	}
	var re *api.ResponseError
	if !errors.As(err, &re) {
		// Connection refused, DNS, TLS, time-out, cancelled context...
		return fmt.Errorf("vault transit %s: %w: %w", op, vault.ErrUnavailable, err)
	}
	msg := vaultMessage(re.Errors)
	full := path
	if !strings.HasPrefix(path, "auth/") && !strings.HasPrefix(path, "sys/") {
		full = t.mount + "/" + path
	}
	switch {
	case re.StatusCode == 403:
		return &refusedError{op: op, path: full, capability: capability, invalid: strings.Contains(msg, "invalid token")}
	case re.StatusCode >= 500 || re.StatusCode == 429 || re.StatusCode == 412:
		return fmt.Errorf("vault transit %s: %w: %s (HTTP %d)", op, vault.ErrUnavailable, msg, re.StatusCode)
	}
	if msg == "" {
		msg = strings.ToLower(http.StatusText(re.StatusCode))
	}
	if re.StatusCode == 404 {
		msg += fmt.Sprintf(" (is the Transit secrets engine mounted at %s?)", t.mount)
	}
	return &transitError{op: op, path: path, status: re.StatusCode, msg: msg}
}

// vaultMessage joins Vault's error texts, unwrapping the "1 error
// occurred:\n\t* ..." form that Vault gives errors from its core, and
// bounds the length.
func vaultMessage(errs []string) string {
	var out []string
	for _, e := range errs {
		if m := multiError.FindStringSubmatch(e); m != nil {
			for _, line := range strings.Split(m[1], "\n") {
				if item, ok := strings.CutPrefix(strings.TrimSpace(line), "* "); ok {
					out = append(out, item)
				}
			}
			continue
		}
		out = append(out, strings.TrimSpace(e))
	}
	msg := strings.Join(out, "; ")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}

// multiError is the form of go-multierror's text, which Vault uses for
// errors from its core: "1 error occurred:\n\t* permission denied\n\n".
var multiError = regexp.MustCompile(`^\d+ errors? occurred:\n((?s).*)$`)

// isTransitMsg reports whether err is a 4xx refusal whose message contains
// s.
func isTransitMsg(err error, s string) bool {
	var te *transitError
	return errors.As(err, &te) && strings.Contains(te.msg, s)
}

// noKey turns Vault's "encryption key not found" into vault.ErrNoKey.
func noKey(err error, key string) error {
	if isTransitMsg(err, "encryption key not found") {
		return fmt.Errorf("vault transit key %s: %w", key, vault.ErrNoKey)
	}
	return err
}

// dataString returns the string field k of a response's data.
func dataString(s *api.Secret, k string) string {
	if s == nil {
		return ""
	}
	v, _ := s.Data[k].(string)
	return v
}

// dataInt returns the integer field k of a response's data.
func dataInt(s *api.Secret, k string) (int, bool) {
	if s == nil {
		return 0, false
	}
	return toInt(s.Data[k])
}

func toInt(v any) (int, bool) {
	switch v := v.(type) {
	case json.Number:
		n, err := strconv.Atoi(v.String())
		return n, err == nil
	case float64:
		return int(v), v == float64(int(v))
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	return 0, false
}
