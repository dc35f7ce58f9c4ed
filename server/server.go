// Package server assembles Satchel: it opens storage and key custody from a
// Config, and serves the HTTP API (health, sign-in, pods). cmd/satchel is a
// thin wrapper around it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/blob/cache"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/evaluation"
	"github.com/satchel-project/satchel/internal/metrics"
	"github.com/satchel-project/satchel/internal/requestid"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/limits"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/s3store"
	"github.com/satchel-project/satchel/vault"
	"github.com/satchel-project/satchel/verifier"
	"github.com/satchel-project/satchel/web"
)

// Config is everything a Satchel server or command needs to find its data.
type Config struct {
	// Addr is where to listen, e.g. 127.0.0.1:8080.
	Addr string
	// DataDir holds storage (objects/) and the local key custodian (keys/)
	// unless Storage and Keys say otherwise.
	DataDir string
	// Storage names the storage back end (see OpenStore); "" is DataDir.
	Storage string
	// Keys names the key custodian: "" or "local" (DataDir/keys), "vault"
	// or "vault://HOST:PORT/MOUNT" (HashiCorp Vault Transit).
	Keys string
	// Getenv reads credentials (AWS_*, VAULT_*); nil means os.Getenv.
	Getenv func(string) string
	// BaseURL is the public URL of the server, without a trailing slash.
	BaseURL string
	// MaxUpload is the largest request body accepted, in bytes.
	MaxUpload int64
	// KeyCacheTTL is how long unwrapped pod keys stay in memory (zero: the
	// default; negative: not at all).
	KeyCacheTTL time.Duration
	// HealthInterval is how often a running server checks key custody
	// (default 5s), dropping cached keys as soon as custody is down.
	HealthInterval time.Duration
	// LinkRateLimit is how many requests a minute one client address, or
	// one share token, may make of share links and /api/v1/verify (default
	// 300; negative: no limit).
	LinkRateLimit int
	// TrustedIssuers are issuers on other servers (did:web) whose
	// credentials are shown under the name given here; see
	// issuer.ParseTrusted. Any other issuer's credential is shown as the
	// person's own word.
	TrustedIssuers []issuer.Trusted
	// IssuerClient fetches trusted issuers' DID documents and status lists
	// (nil: a plain client; tests give one that trusts their TLS server).
	IssuerClient *http.Client
	// Passwords sets the cost of password hashing.
	Passwords account.Params
	// Store, if set, is an open store used instead of opening Storage
	// (tests run two instances over one).
	Store pod.Store
	// ReadCache is how many bytes of objects a server on S3 storage keeps
	// in memory (zero: cache.DefaultMaxBytes; negative: none). Every
	// process on the same storage keeps the others right (package
	// blob/cache); local storage is never cached.
	ReadCache int64
	// PeerURL is where the other servers on the same storage reach this
	// one to say what they changed (default: http:// and the listening
	// address, or this host's name when it listens on every address).
	PeerURL string
	// Log receives operational messages and a line for each request
	// answered. It never receives secrets. Lines logged while a request is
	// served carry its ID (request_id).
	Log *slog.Logger
}

// Defaults for Config.
const (
	DefaultAddr      = "127.0.0.1:8080"
	DefaultDataDir   = "satchel-data"
	DefaultMaxUpload = 25 << 20
	DefaultKeyTTL    = 5 * time.Minute
	DefaultHealth    = 5 * time.Second

	DefaultLinkRateLimit = 300
)

// Backend is storage, custody and the services built on them: what both the
// server and the account commands use.
type Backend struct {
	Config   Config
	Store    pod.Store
	Keys     vault.Custodian
	Pods     *pod.Service
	Accounts *account.Store
	Tokens   *auth.Tokens
	Consent  *consent.Service
	Issuers  *issuer.Service
	Verifier *verifier.Verifier
	Web      *web.Pages
	// Throttle counts failed sign-ins, shared by every way of signing in.
	Throttle *auth.Throttle
	// Limits holds the counts behind the throttle, link rate limits and
	// upload slots, in storage, so that every instance counts together.
	Limits *limits.Store
	// Evaluation holds the Ministry's evaluation data, in a space of its
	// own, for those who agreed to take part.
	Evaluation *evaluation.Store
	// Metrics counts requests, storage and custody calls, cache hits and
	// refusals; MetricsHandler serves them.
	Metrics *metrics.Metrics
	// Cache keeps objects read from S3 storage while serving, and tells
	// the other processes on the same storage of every write; nil on
	// local storage.
	Cache   *cache.Store
	keyring *pod.Keyring
	// Created lists what was made on this start (a sentence each), so that
	// the first start can say where things are.
	Created []string
}

// Open prepares the backend described by cfg, creating the data directory,
// master key and signing key on first use.
func Open(ctx context.Context, cfg Config) (*Backend, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.Passwords == (account.Params{}) {
		cfg.Passwords = account.DefaultParams
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	cfg.Log = slog.New(requestid.Handler(cfg.Log.Handler()))
	base, err := normalizeBaseURL(cfg.BaseURL, cfg.Addr)
	if err != nil {
		return nil, err
	}
	cfg.BaseURL = base
	b := &Backend{Config: cfg, Metrics: metrics.New()}
	if _, err := os.Stat(cfg.DataDir); errors.Is(err, os.ErrNotExist) {
		b.Created = append(b.Created, "created the data directory "+abs(cfg.DataDir))
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the data directory %s: %w", cfg.DataDir, err)
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	b.Config.Getenv = cfg.Getenv
	store := cfg.Store
	if store == nil {
		if store, err = OpenStore(ctx, cfg.Storage, cfg.DataDir, cfg.Getenv); err != nil {
			return nil, err
		}
	}
	local := cfg.Storage == "" || cfg.Storage == "fs"
	cust, created, err := openCustodian(cfg.Keys, cfg.DataDir, local, cfg.Getenv)
	if err != nil {
		return nil, err
	}
	if created {
		b.Created = append(b.Created, "created a new master key in "+abs(filepath.Join(cfg.DataDir, "keys", "master.key"))+" (back it up: without it the data cannot be read)")
	}
	// The services see storage and custody through the metrics; b.Keys
	// stays the custodian itself, for its optional interfaces.
	store = b.Metrics.Store(store)
	if shared(cfg.Storage, cfg.Store) {
		b.Cache = cache.New(store, cache.Options{MaxBytes: cfg.ReadCache, Log: cfg.Log, Count: b.Metrics.Cache("objects")})
		store = b.Cache
	}
	b.Store, b.Keys = store, cust
	cust = b.Metrics.Custodian(cust)
	ttl := cfg.KeyCacheTTL
	if ttl == 0 {
		ttl = DefaultKeyTTL
	}
	b.keyring = pod.NewKeyring(store, cust, ttl)
	b.keyring.CountLookups(b.Metrics.Cache("pod_keys"))
	b.keyring.CountObjectKeyLookups(b.Metrics.Cache("object_keys"))
	b.Pods = pod.NewService(store, b.keyring)
	if b.Accounts, err = account.Open(ctx, b.Pods, cfg.Passwords); err != nil {
		return nil, err
	}
	if b.Cache != nil {
		// Reads of sessions records are cheap and right on every instance
		// through the cache: "sign out everywhere" holds on all at once.
		b.Accounts.SetSessionCache(0, nil)
	}
	signer, err := cust.Signer(ctx, "tokens")
	if err != nil {
		return nil, err
	}
	if b.Tokens, err = auth.NewTokens(signer, cfg.BaseURL); err != nil {
		return nil, err
	}
	b.Tokens.SignIns = b.Accounts
	grantSigner, err := cust.Signer(ctx, "grants")
	if err != nil {
		return nil, err
	}
	if b.Consent, err = consent.Open(ctx, b.Pods, grantSigner, cfg.BaseURL); err != nil {
		return nil, err
	}
	if b.Issuers, err = issuer.Open(ctx, b.Pods, cust, cfg.BaseURL, issuer.Options{Trusted: cfg.TrustedIssuers, Client: cfg.IssuerClient}); err != nil {
		return nil, err
	}
	b.Verifier = verifier.New(b.Consent, b.Pods, b.Issuers)
	if b.Limits, err = limits.Open(ctx, b.Pods); err != nil {
		return nil, err
	}
	if b.Evaluation, err = evaluation.Open(ctx, b.Pods); err != nil {
		return nil, err
	}
	b.Throttle = auth.NewThrottle()
	b.Throttle.Counters = b.Limits
	b.Web = &web.Pages{
		Accounts:  b.Accounts,
		Pods:      b.Pods,
		Consent:   b.Consent,
		Issuers:   b.Issuers,
		Verifier:  b.Verifier,
		Throttle:  b.Throttle,
		Limits:    b.Limits,
		BaseURL:   cfg.BaseURL,
		MaxUpload: cfg.MaxUpload,
		Log:       cfg.Log,

		DeleteAccount: b.DeleteAccount,
	}
	if err := b.Web.Open(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// shared reports whether storage may be written by other processes at the
// same time (S3), so that what one keeps in memory must be kept right.
func shared(spec string, st pod.Store) bool {
	if st != nil {
		_, ok := st.(*s3store.Store)
		return ok
	}
	return strings.HasPrefix(spec, "s3://")
}

// PodURL is the public URL of a pod's root.
func (b *Backend) PodURL(id pod.PodID) string {
	return b.Config.BaseURL + pod.Prefix + string(id) + "/"
}

func normalizeBaseURL(base, addr string) (string, error) {
	if base == "" {
		if addr == "" {
			addr = DefaultAddr
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("the address %q is not host:port", addr)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		base = "http://" + net.JoinHostPort(host, port)
	}
	base = strings.TrimRight(base, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return "", fmt.Errorf("the base URL %q must start with http:// or https://", base)
	}
	return base, nil
}

// hasPods reports whether the fs store in dataDir holds any pod.
func hasPods(dataDir string) bool {
	entries, _ := os.ReadDir(filepath.Join(dataDir, "objects", "pods"))
	return len(entries) > 0
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
