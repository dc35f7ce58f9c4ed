package transit

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/satchel-project/satchel/vault"
)

// transitPrefix begins every Transit ciphertext and signature.
const transitPrefix = "vault:v"

// Wrap implements vault.Custodian. It makes sure the name's Transit key
// exists (creating an aes256-gcm96 key the first time), then encrypts
// secret under it. The result is Vault's ciphertext, "vault:vN:...".
func (t *Custodian) Wrap(ctx context.Context, name string, secret []byte) ([]byte, error) {
	key, err := t.wrapKey(name)
	if err != nil {
		return nil, err
	}
	if _, err := t.ensureKey(ctx, key, "aes256-gcm96"); err != nil {
		return nil, err
	}
	// A standby that has not yet seen the key judges this a "create".
	s, err := t.write(ctx, "encrypt", "encrypt/"+key, `"create" and "update"`, map[string]any{
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

// Unwrap implements vault.Custodian. Data wrapped under another name, or
// altered, fails to decrypt; a deleted key is vault.ErrNoKey.
func (t *Custodian) Unwrap(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	key, err := t.wrapKey(name)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(string(wrapped), transitPrefix) {
		return nil, errors.New("wrapped key is not in the Vault Transit format")
	}
	s, err := t.write(ctx, "decrypt", "decrypt/"+key, `"update"`, map[string]any{"ciphertext": string(wrapped)})
	if err != nil {
		return nil, noKey(err, key)
	}
	pt, err := base64.StdEncoding.DecodeString(dataString(s, "plaintext"))
	if err != nil || s == nil || s.Data["plaintext"] == nil {
		return nil, fmt.Errorf("vault transit decrypt with key %s: the answer holds no plaintext", key)
	}
	return pt, nil
}

// Destroy implements vault.Custodian: it allows deletion of the name's
// Transit key and deletes it, so that nothing wrapped under the name can be
// unwrapped again. Destroying a key that does not exist is not an error.
func (t *Custodian) Destroy(ctx context.Context, name string) error {
	key, err := t.wrapKey(name)
	if err != nil {
		return err
	}
	t.mu.Lock()
	delete(t.known, key)
	t.mu.Unlock()
	_, err = t.write(ctx, "destroy", "keys/"+key+"/config", `"update"`, map[string]any{"deletion_allowed": true})
	if isTransitMsg(err, "no existing key named") {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = t.c.Logical().DeleteWithContext(ctx, t.mount+"/keys/"+key)
	// Vault: "could not delete key; not found" for a key deleted meanwhile.
	if err = t.classify("destroy", "keys/"+key, `"delete"`, err); isTransitMsg(err, "not found") {
		return nil
	}
	return err
}

// Rotate adds a new version to the name's Transit key. Later Wraps use it;
// data wrapped before still unwraps (until Vault's min_decryption_version
// is raised) and can be moved to the new version with Rewrap. Rotating a
// key that does not exist is vault.ErrNoKey.
func (t *Custodian) Rotate(ctx context.Context, name string) error {
	key, err := t.wrapKey(name)
	if err != nil {
		return err
	}
	_, err = t.write(ctx, "rotate", "keys/"+key+"/rotate", `"update"`, nil)
	if isTransitMsg(err, "not found") {
		return fmt.Errorf("vault transit key %s: %w", key, vault.ErrNoKey)
	}
	return err
}

// Rewrap re-encrypts wrapped data under the newest version of the name's
// Transit key, inside Vault: the secret is never seen here. The result
// unwraps like the original.
func (t *Custodian) Rewrap(ctx context.Context, name string, wrapped []byte) ([]byte, error) {
	key, err := t.wrapKey(name)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(string(wrapped), transitPrefix) {
		return nil, errors.New("wrapped key is not in the Vault Transit format")
	}
	s, err := t.write(ctx, "rewrap", "rewrap/"+key, `"update"`, map[string]any{"ciphertext": string(wrapped)})
	if err != nil {
		return nil, noKey(err, key)
	}
	ct := dataString(s, "ciphertext")
	if !strings.HasPrefix(ct, transitPrefix) {
		return nil, fmt.Errorf("vault transit rewrap with key %s: the answer holds no ciphertext", key)
	}
	return []byte(ct), nil
}

// ensureKey creates the Transit key called key, of type typ, unless this
// process already knows it exists, and returns Vault's answer: the key's
// description (Vault 1.12 and later; nil from older ones, which answer
// 204). Creating an existing key changes nothing in Vault, so racing
// creators are harmless. The answer is used as it is rather than reading
// the key again, which a standby might answer before it has the key.
func (t *Custodian) ensureKey(ctx context.Context, key, typ string) (*api.Secret, error) {
	t.mu.Lock()
	known := t.known[key]
	t.mu.Unlock()
	if known {
		return nil, nil
	}
	s, err := t.write(ctx, "create key", "keys/"+key, `"update"`, map[string]any{"type": typ})
	if err != nil {
		return nil, err
	}
	if got := dataString(s, "type"); got != "" && got != typ {
		return nil, fmt.Errorf("vault transit key %s has type %s, not %s", key, got, typ)
	}
	t.mu.Lock()
	t.known[key] = true
	t.mu.Unlock()
	return s, nil
}

// readKey reads the description of the Transit key called key. A standby
// may not have caught up with a write that made the key, so a key that is
// not there is read again a few times, with a short pause, before it is
// vault.ErrNoKey.
func (t *Custodian) readKey(ctx context.Context, key string) (*api.Secret, error) {
	pause := t.readBackoff
	for i := 0; ; i++ {
		s, err := t.c.Logical().ReadWithContext(ctx, t.mount+"/keys/"+key)
		if err = t.classify("read key", "keys/"+key, `"read"`, err); err != nil {
			return nil, err
		}
		if s != nil {
			return s, nil
		}
		if i >= t.readRetries {
			return nil, fmt.Errorf("vault transit key %s: %w", key, vault.ErrNoKey)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("vault transit read key %s: %w: %w", key, vault.ErrUnavailable, ctx.Err())
		case <-timeAfter(pause):
		}
		pause *= 2
	}
}

// write sends an update request to path below the Transit mount; capability
// is what the token's policy must grant for it, for the error if refused.
func (t *Custodian) write(ctx context.Context, op, path, capability string, data map[string]any) (*api.Secret, error) {
	s, err := t.c.Logical().WriteWithContext(ctx, t.mount+"/"+path, data)
	return s, t.classify(op, path, capability, err)
}
