package vault

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/hashicorp/vault/api"
)

// transitPrefix begins every Transit ciphertext and signature.
const transitPrefix = "vault:v"

// Wrap implements Custodian. It makes sure the name's Transit key exists
// (creating an aes256-gcm96 key the first time), then encrypts secret under
// it. The result is Vault's ciphertext, "vault:vN:...".
func (t *Transit) Wrap(ctx context.Context, name string, secret []byte) ([]byte, error) {
	key, err := t.wrapKey(name)
	if err != nil {
		return nil, err
	}
	if err := t.ensureKey(ctx, key, "aes256-gcm96"); err != nil {
		return nil, err
	}
	s, err := t.write(ctx, "encrypt", "encrypt/"+key, map[string]any{
		"plaintext": base64.StdEncoding.EncodeToString(secret),
	})
	if err != nil {
		return nil, err
	}
	ct := dataString(s, "ciphertext")
	if !strings.HasPrefix(ct, transitPrefix) {
		return nil, fmt.Errorf("vault transit encrypt with key %s: the answer holds no ciphertext", key)
	}
	return []byte(ct), nil
}

// Unwrap implements Custodian. Data wrapped under another name, or altered,
// fails to decrypt; a deleted key is ErrNoKey.
func (t *Transit) Unwrap(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	key, err := t.wrapKey(name)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(string(wrapped), transitPrefix) {
		return nil, errors.New("wrapped key is not in the Vault Transit format")
	}
	s, err := t.write(ctx, "decrypt", "decrypt/"+key, map[string]any{"ciphertext": string(wrapped)})
	if err != nil {
		return nil, noKey(err, key)
	}
	pt, err := base64.StdEncoding.DecodeString(dataString(s, "plaintext"))
	if err != nil || s == nil || s.Data["plaintext"] == nil {
		return nil, fmt.Errorf("vault transit decrypt with key %s: the answer holds no plaintext", key)
	}
	return pt, nil
}

// Destroy implements Custodian: it allows deletion of the name's Transit
// key and deletes it, so that nothing wrapped under the name can be
// unwrapped again. Destroying a key that does not exist is not an error.
func (t *Transit) Destroy(ctx context.Context, name string) error {
	key, err := t.wrapKey(name)
	if err != nil {
		return err
	}
	t.mu.Lock()
	delete(t.known, key)
	t.mu.Unlock()
	_, err = t.write(ctx, "destroy", "keys/"+key+"/config", map[string]any{"deletion_allowed": true})
	if isTransitMsg(err, "no existing key named") {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = t.c.Logical().DeleteWithContext(ctx, t.mount+"/keys/"+key)
	if err = t.classify("destroy", "keys/"+key, err); isTransitMsg(err, "not found") {
		return nil
	}
	return err
}

// Rotate adds a new version to the name's Transit key. Later Wraps use it;
// data wrapped before still unwraps (until Vault's min_decryption_version
// is raised) and can be moved to the new version with Rewrap. Rotating a
// key that does not exist is ErrNoKey.
func (t *Transit) Rotate(ctx context.Context, name string) error {
	key, err := t.wrapKey(name)
	if err != nil {
		return err
	}
	_, err = t.write(ctx, "rotate", "keys/"+key+"/rotate", nil)
	if isTransitMsg(err, "not found") {
		return fmt.Errorf("vault transit key %s: %w", key, ErrNoKey)
	}
	return err
}

// Rewrap re-encrypts wrapped data under the newest version of the name's
// Transit key, inside Vault: the secret is never seen here. The result
// unwraps like the original.
func (t *Transit) Rewrap(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	key, err := t.wrapKey(name)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(string(wrapped), transitPrefix) {
		return nil, errors.New("wrapped key is not in the Vault Transit format")
	}
	s, err := t.write(ctx, "rewrap", "rewrap/"+key, map[string]any{"ciphertext": string(wrapped)})
	if err != nil {
		return nil, noKey(err, key)
	}
	ct := dataString(s, "ciphertext")
	if !strings.HasPrefix(ct, transitPrefix) {
		return nil, fmt.Errorf("vault transit rewrap with key %s: the answer holds no ciphertext", key)
	}
	return []byte(ct), nil
}

// Health checks that Vault can be reached, is initialised and is unsealed
// (GET /v1/sys/health, which needs no token); otherwise it returns an
// error wrapping ErrUnavailable. It does not check the token.
func (t *Transit) Health(ctx context.Context) error {
	h, err := t.c.Sys().HealthWithContext(ctx)
	if err != nil {
		err = t.classify("health check", "sys/health", err)
		if !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	switch {
	case !h.Initialized:
		return fmt.Errorf("%w: vault is not initialized", ErrUnavailable)
	case h.Sealed:
		return fmt.Errorf("%w: vault is sealed", ErrUnavailable)
	}
	return nil
}

// ensureKey creates the Transit key called key, of type typ, unless this
// process already knows it exists. Creating an existing key changes
// nothing in Vault, so racing creators are harmless.
func (t *Transit) ensureKey(ctx context.Context, key, typ string) error {
	t.mu.Lock()
	known := t.known[key]
	t.mu.Unlock()
	if known {
		return nil
	}
	s, err := t.write(ctx, "create key", "keys/"+key, map[string]any{"type": typ})
	if err != nil {
		return err
	}
	// Vault 1.12 and later describe the key in the answer; older ones
	// answer 204 and are checked when the key is used.
	if got := dataString(s, "type"); got != "" && got != typ {
		return fmt.Errorf("vault transit key %s has type %s, not %s", key, got, typ)
	}
	t.mu.Lock()
	t.known[key] = true
	t.mu.Unlock()
	return nil
}

// write sends an update request to path below the Transit mount.
func (t *Transit) write(ctx context.Context, op, path string, data map[string]any) (*api.Secret, error) {
	s, err := t.c.Logical().WriteWithContext(ctx, t.mount+"/"+path, data)
	return s, t.classify(op, path, err)
}

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

// classify turns an error from the Vault client into this package's
// errors: ErrUnavailable for anything that says Vault cannot serve now,
// ErrTokenRefused for 403, and *transitError for other refusals. The
// errors hold Vault's messages and the request path, never the token.
func (t *Transit) classify(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var re *api.ResponseError
	if !errors.As(err, &re) {
		// Connection refused, DNS, TLS, time-out, cancelled context...
		return fmt.Errorf("vault transit %s: %w: %w", op, ErrUnavailable, err)
	}
	msg := strings.Join(re.Errors, "; ")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	switch {
	case re.StatusCode == 403:
		return fmt.Errorf("vault transit %s (%s): %w (permission denied)", op, path, ErrTokenRefused)
	case re.StatusCode >= 500 || re.StatusCode == 429 || re.StatusCode == 412:
		return fmt.Errorf("vault transit %s: %w: %s (HTTP %d)", op, ErrUnavailable, msg, re.StatusCode)
	}
	if msg == "" {
		msg = strings.ToLower(http.StatusText(re.StatusCode))
	}
	if re.StatusCode == 404 {
		msg += fmt.Sprintf(" (is the Transit secrets engine mounted at %s?)", t.mount)
	}
	return &transitError{op: op, path: path, status: re.StatusCode, msg: msg}
}

// isTransitMsg reports whether err is a 4xx refusal whose message contains
// s.
func isTransitMsg(err error, s string) bool {
	var te *transitError
	return errors.As(err, &te) && strings.Contains(te.msg, s)
}

// noKey turns Vault's "encryption key not found" into ErrNoKey.
func noKey(err error, key string) error {
	if isTransitMsg(err, "encryption key not found") {
		return fmt.Errorf("vault transit key %s: %w", key, ErrNoKey)
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
	switch v := s.Data[k].(type) {
	case json.Number:
		n, err := strconv.Atoi(v.String())
		return n, err == nil
	case float64:
		return int(v), v == float64(int(v))
	}
	return 0, false
}
