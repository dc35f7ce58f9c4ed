// Package transit is the key custodian backed by HashiCorp Vault's Transit
// secrets engine (or OpenBao's, which has the same HTTP API), reached with
// the official client, github.com/hashicorp/vault/api: the only package
// that imports it. Keys never leave Vault; policy.hcl is the least
// privilege its token needs.
package transit

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/hashicorp/vault/api"

	"github.com/satchel-project/satchel/vault"
)

// Config configures a Transit custodian.
type Config struct {
	// Address is Vault's base URL, such as https://vault.example.org:8200.
	Address string
	// Token authenticates every request (the X-Vault-Token header). It is
	// never written into errors.
	Token string
	// Namespace is a Vault Enterprise namespace; empty for none.
	Namespace string
	// Mount is where the Transit secrets engine is mounted; default
	// "transit".
	Mount string
	// KeyPrefix begins the name of every Transit key Satchel makes; default
	// "satchel-".
	KeyPrefix string
	// Timeout bounds each call to Vault, retries included; default 10s.
	Timeout time.Duration
	// MaxRetries is how many times a request that failed for a transient
	// reason (a network error or a 5xx answer) is retried. Zero means none,
	// so that a sealed or absent Vault is reported at once.
	MaxRetries int
	// HTTPClient, if set, is used as it is; TLS and CACertFile must then be
	// empty.
	HTTPClient *http.Client
	// TLS configures HTTPS when HTTPClient is nil; nil means the system's
	// roots and at least TLS 1.2.
	TLS *tls.Config
	// CACertFile names a PEM file of the certificate authorities to trust
	// instead of the system's (VAULT_CACERT).
	CACertFile string
}

// Custodian is a vault.Custodian backed by Vault Transit. Keys never leave
// Vault.
//
// Each wrapping name has its own aes256-gcm96 Transit key, called KeyPrefix
// followed by the name (so pod "pod-ID" uses "satchel-pod-ID"). The
// per-name key is what binds wrapped data to its name, and Destroy deletes
// it, which crypto-shreds everything wrapped under the name. Wrapped data is
// Vault's ciphertext ("vault:v1:..."). Signing keys are ed25519 Transit
// keys called KeyPrefix + "signing-" + name; wrapping names may therefore
// not begin with "signing-".
//
// Signing keys have versions: an operator may rotate one in Vault (and
// retire old versions with min_decryption_version) while Satchel runs;
// Health learns the new versions, and each Signer then signs with the
// newest and lists the ones that still verify (vault.Versioned).
//
// Every failure to reach Vault, time-out, 5xx answer or sealed Vault is an
// error wrapping vault.ErrUnavailable; a refused token (403) wraps
// vault.ErrTokenRefused as well, with the path and capability that were
// refused. It never falls back to anything else, and is safe for
// concurrent use.
type Custodian struct {
	c      *api.Client
	mount  string
	prefix string
	// readRetries and readBackoff bound the retries of a read that a
	// standby answers before it has caught up with a write.
	readRetries int
	readBackoff time.Duration

	mu      sync.Mutex
	known   map[string]bool // keys this process has made sure exist
	signers map[string]*signer
}

var _ vault.Custodian = (*Custodian)(nil)

// transitKeyName is Vault's pattern for key names.
var transitKeyName = regexp.MustCompile(`^\w(([\w\-.@]+)?\w)?$`)

// transitMount is the shape accepted for a mount path.
var transitMount = regexp.MustCompile(`^[A-Za-z0-9_\-.]+(/[A-Za-z0-9_\-.]+)*$`)

// New returns a custodian for cfg. It does not contact
// Vault; call Health to check that Vault can be reached.
func New(cfg Config) (*Custodian, error) {
	if cfg.Mount == "" {
		cfg.Mount = "transit"
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "satchel-"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	cfg.Mount = strings.Trim(cfg.Mount, "/")
	if !transitMount.MatchString(cfg.Mount) || strings.Contains("/"+cfg.Mount+"/", "/../") || strings.Contains("/"+cfg.Mount+"/", "/./") {
		return nil, fmt.Errorf("vault transit mount %q is not a valid path", cfg.Mount)
	}
	if !transitKeyName.MatchString(cfg.KeyPrefix + "x") {
		return nil, fmt.Errorf("vault transit key prefix %q: use letters, digits, _ - . and @, starting with a letter or digit", cfg.KeyPrefix)
	}
	u, err := url.Parse(cfg.Address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		// The address is not echoed: a mistaken one might hold a secret.
		return nil, errors.New("vault address must be an http:// or https:// URL with a host, such as https://vault.example.org:8200")
	}
	if cfg.Token == "" {
		return nil, errors.New("no Vault token: set VAULT_TOKEN")
	}
	if strings.ContainsFunc(cfg.Token, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) {
		return nil, errors.New("the Vault token contains spaces or unprintable characters")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		if hc, err = transitHTTPClient(cfg); err != nil {
			return nil, err
		}
	} else if cfg.TLS != nil || cfg.CACertFile != "" {
		return nil, errors.New("vault transit: set either HTTPClient or TLS and CACertFile, not both")
	}
	c, err := api.NewClient(&api.Config{
		Address:    u.String(),
		HttpClient: hc,
		Timeout:    cfg.Timeout,
		MaxRetries: cfg.MaxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("vault client: %w", err)
	}
	// NewClient reads VAULT_TOKEN and VAULT_NAMESPACE by itself; what is
	// configured here wins.
	c.SetToken(cfg.Token)
	if cfg.Namespace != "" {
		c.SetNamespace(cfg.Namespace)
	} else {
		c.ClearNamespace()
	}
	return &Custodian{
		c:           c,
		mount:       cfg.Mount,
		prefix:      cfg.KeyPrefix,
		readRetries: 5,
		readBackoff: 20 * time.Millisecond,
		known:       map[string]bool{},
		signers:     map[string]*signer{},
	}, nil
}

// transitHTTPClient builds the HTTP client for cfg: HTTPS with cfg.TLS or
// the system roots (or CACertFile), TLS 1.2 at least, redirects left to
// the Vault client, which follows one from a standby to the active node.
func transitHTTPClient(cfg Config) (*http.Client, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLS != nil {
		tc = cfg.TLS.Clone()
		if tc.MinVersion < tls.VersionTLS12 {
			tc.MinVersion = tls.VersionTLS12
		}
	}
	if cfg.CACertFile != "" {
		pem, err := os.ReadFile(cfg.CACertFile)
		if err != nil {
			return nil, fmt.Errorf("vault CA certificates: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("vault CA certificates: %s holds no PEM certificate", cfg.CACertFile)
		}
		tc.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	tr.TLSHandshakeTimeout = cfg.Timeout
	return &http.Client{
		Transport:     tr,
		Timeout:       cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// wrapKey is the Transit key for wrapping name.
func (t *Custodian) wrapKey(name string) (string, error) {
	if strings.HasPrefix(name, "signing-") {
		return "", fmt.Errorf("wrapping name %q: names beginning with signing- are kept for signing keys", name)
	}
	return t.keyName(name)
}

func (t *Custodian) keyName(name string) (string, error) {
	k := t.prefix + name
	if name == "" || len(k) > 255 || !transitKeyName.MatchString(k) {
		return "", fmt.Errorf("key name %q: use letters, digits, _ - . and @, ending with a letter or digit", name)
	}
	return k, nil
}
