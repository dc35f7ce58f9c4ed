package vault

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/hashicorp/vault/api"
)

// ErrTokenRefused means Vault answered 403 Forbidden: the Vault token is
// wrong, expired, or lacks a capability the request needs. It is not
// ErrUnavailable: retrying will not help until the token or its policy is
// fixed. Errors that wrap it never contain the token.
var ErrTokenRefused = errors.New("the Vault token was refused")

// TransitConfig configures a Transit custodian.
type TransitConfig struct {
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

// Transit is a custodian backed by HashiCorp Vault's Transit secrets
// engine, reached with the official client (github.com/hashicorp/vault/api).
// Keys never leave Vault.
//
// Each wrapping name has its own aes256-gcm96 Transit key, called KeyPrefix
// followed by the name (so pod "pod-ID" uses "satchel-pod-ID"). The
// per-name key is what binds wrapped data to its name, and Destroy deletes
// it, which crypto-shreds everything wrapped under the name. Wrapped data is
// Vault's ciphertext ("vault:v1:..."). Signing keys are ed25519 Transit
// keys called KeyPrefix + "signing-" + name; wrapping names may therefore
// not begin with "signing-".
//
// Every failure to reach Vault, time-out, 5xx answer or sealed Vault is an
// error wrapping ErrUnavailable; a refused token is ErrTokenRefused. Transit
// never falls back to anything else. It is safe for concurrent use.
type Transit struct {
	c      *api.Client
	mount  string
	prefix string

	mu      sync.Mutex
	known   map[string]bool // keys this process has made sure exist
	signers map[string]*transitSigner
}

var _ Custodian = (*Transit)(nil)

// transitKeyName is Vault's pattern for key names.
var transitKeyName = regexp.MustCompile(`^\w(([\w\-.@]+)?\w)?$`)

// transitMount is the shape accepted for a mount path.
var transitMount = regexp.MustCompile(`^[A-Za-z0-9_\-.]+(/[A-Za-z0-9_\-.]+)*$`)

// NewTransit returns a Transit custodian for cfg. It does not contact
// Vault; call Health to check that Vault can be reached.
func NewTransit(cfg TransitConfig) (*Transit, error) {
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
	return &Transit{
		c:       c,
		mount:   cfg.Mount,
		prefix:  cfg.KeyPrefix,
		known:   map[string]bool{},
		signers: map[string]*transitSigner{},
	}, nil
}

// transitHTTPClient builds the HTTP client for cfg: HTTPS with cfg.TLS or
// the system roots (or CACertFile), TLS 1.2 at least, redirects left to
// the Vault client, which follows one from a standby to the active node.
func transitHTTPClient(cfg TransitConfig) (*http.Client, error) {
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

// ParseTransitURL reads a Transit configuration written as a URL:
//
//	vault://HOST[:PORT][/MOUNT][?tls=false&prefix=satchel-&timeout=10s&ca=FILE&namespace=NS]
//
// PORT defaults to 8200, MOUNT to "transit", tls to true (https). The
// token is deliberately not part of the URL, which ends up in command lines
// and configuration files: set Token from the VAULT_TOKEN environment
// variable. A URL with user information (vault://TOKEN@HOST) is refused.
func ParseTransitURL(s string) (TransitConfig, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse's error repeats the input; this one does not.
		return TransitConfig{}, errors.New("vault URL is not a valid URL; use vault://HOST:PORT/MOUNT")
	}
	if u.Scheme != "vault" || u.Host == "" || u.Opaque != "" {
		return TransitConfig{}, errors.New("vault URL must look like vault://HOST:PORT/MOUNT")
	}
	if u.User != nil {
		return TransitConfig{}, errors.New("vault URL must not carry credentials: put the Vault token in VAULT_TOKEN")
	}
	if u.Fragment != "" {
		return TransitConfig{}, errors.New("vault URL must not have a #fragment")
	}
	cfg := TransitConfig{Mount: strings.Trim(u.Path, "/")}
	scheme := "https"
	for k, vs := range u.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "tls":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return TransitConfig{}, fmt.Errorf("vault URL: tls=%q is not true or false", v)
			}
			if !b {
				scheme = "http"
			}
		case "prefix":
			cfg.KeyPrefix = v
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return TransitConfig{}, fmt.Errorf("vault URL: timeout=%q is not a duration such as 10s", v)
			}
			cfg.Timeout = d
		case "ca":
			cfg.CACertFile = v
		case "namespace":
			cfg.Namespace = v
		default:
			return TransitConfig{}, fmt.Errorf("vault URL: unknown setting %q (known: tls, prefix, timeout, ca, namespace)", k)
		}
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "8200")
	}
	cfg.Address = scheme + "://" + host
	return cfg, nil
}

// TransitConfigFromEnv reads the environment variables that Vault's own
// tools use: VAULT_ADDR (required), VAULT_TOKEN (required), VAULT_CACERT
// and VAULT_NAMESPACE. Mount and KeyPrefix are left to their defaults.
// VAULT_SKIP_VERIFY is ignored: certificates are always checked.
func TransitConfigFromEnv(getenv func(string) string) (TransitConfig, error) {
	cfg := TransitConfig{
		Address:    getenv("VAULT_ADDR"),
		Token:      getenv("VAULT_TOKEN"),
		CACertFile: getenv("VAULT_CACERT"),
		Namespace:  getenv("VAULT_NAMESPACE"),
	}
	if cfg.Address == "" {
		return TransitConfig{}, errors.New("VAULT_ADDR is not set")
	}
	if cfg.Token == "" {
		return TransitConfig{}, errors.New("VAULT_TOKEN is not set")
	}
	return cfg, nil
}

// wrapKey is the Transit key for wrapping name.
func (t *Transit) wrapKey(name string) (string, error) {
	if strings.HasPrefix(name, "signing-") {
		return "", fmt.Errorf("wrapping name %q: names beginning with signing- are kept for signing keys", name)
	}
	return t.keyName(name)
}

func (t *Transit) keyName(name string) (string, error) {
	k := t.prefix + name
	if name == "" || len(k) > 255 || !transitKeyName.MatchString(k) {
		return "", fmt.Errorf("key name %q: use letters, digits, _ - . and @, ending with a letter or digit", name)
	}
	return k, nil
}
