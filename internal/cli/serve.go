package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/server"
)

func init() {
	register("serve", "run the Satchel server", runServe)
	register("account", "manage accounts: satchel account create|reset-code|delete ...", runAccount)
}

// serverFlags are the settings shared by serve and the commands that work
// on the server's data directly.
type serverFlags struct {
	addr, data, baseURL, maxUpload string
	storage, keys, keyCache        string
	linkRate                       int
	trustedIssuers                 string
}

func addServerFlags(env *Env, fs interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}, f *serverFlags) {
	fs.StringVar(&f.addr, "addr", envOr(env, "SATCHEL_ADDR", server.DefaultAddr), "address to listen on (SATCHEL_ADDR)")
	fs.StringVar(&f.data, "data", envOr(env, "SATCHEL_DATA", server.DefaultDataDir), "data directory: storage and keys (SATCHEL_DATA)")
	fs.StringVar(&f.baseURL, "base-url", envOr(env, "SATCHEL_BASE_URL", ""), "public URL of the server (SATCHEL_BASE_URL; default http://ADDR)")
	fs.StringVar(&f.maxUpload, "max-upload", envOr(env, "SATCHEL_MAX_UPLOAD", "25MiB"), "largest upload accepted, e.g. 25MiB (SATCHEL_MAX_UPLOAD)")
	fs.StringVar(&f.storage, "storage", envOr(env, "SATCHEL_STORAGE", ""), "storage: fs (the data directory), fs:DIR, or s3://BUCKET?endpoint=HOST:PORT&region=R&tls=false with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (SATCHEL_STORAGE)")
	fs.StringVar(&f.keys, "keys", envOr(env, "SATCHEL_KEYS", ""), "key custody: local (the data directory), local:DIR, vault (VAULT_ADDR) or vault://HOST:PORT/MOUNT, with VAULT_TOKEN (SATCHEL_KEYS)")
	fs.StringVar(&f.keyCache, "key-cache", envOr(env, "SATCHEL_KEY_CACHE", "5m"), "how long unwrapped pod keys stay in memory; 0 turns the cache off (SATCHEL_KEY_CACHE)")
	rate, _ := strconv.Atoi(envOr(env, "SATCHEL_LINK_RATE_LIMIT", strconv.Itoa(server.DefaultLinkRateLimit)))
	fs.IntVar(&f.linkRate, "link-rate-limit", rate, "requests a minute one address or one share link may make of share links and /api/v1/verify; 0: no limit (SATCHEL_LINK_RATE_LIMIT)")
	fs.StringVar(&f.trustedIssuers, "trusted-issuers", envOr(env, "SATCHEL_TRUSTED_ISSUERS", ""), "issuers on other servers whose credentials are shown as theirs: did:web:HOST...=Name shown, separated by ; (SATCHEL_TRUSTED_ISSUERS)")
}

func (f *serverFlags) config(env *Env) (server.Config, error) {
	max, err := parseSize(f.maxUpload)
	if err != nil {
		return server.Config{}, usagef("--max-upload: %v", err)
	}
	ttl, err := time.ParseDuration(f.keyCache)
	if err != nil || ttl < 0 {
		return server.Config{}, usagef("--key-cache: %q is not a duration like 5m", f.keyCache)
	}
	if ttl == 0 {
		ttl = -1 // off
	}
	rate := f.linkRate
	if rate <= 0 {
		rate = -1 // off
	}
	trusted, err := issuer.ParseTrusted(f.trustedIssuers)
	if err != nil {
		return server.Config{}, usagef("--trusted-issuers: %v", err)
	}
	return server.Config{
		Addr:          f.addr,
		DataDir:       f.data,
		BaseURL:       f.baseURL,
		MaxUpload:     max,
		Storage:       f.storage,
		Keys:          f.keys,
		KeyCacheTTL:   ttl,
		LinkRateLimit: rate,
		Getenv:        env.Getenv,
		Log:           slog.New(slog.NewTextHandler(env.Stderr, nil)),

		TrustedIssuers: trusted,
	}, nil
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "serve", "[--addr HOST:PORT] [--data DIR] [--base-url URL] [--max-upload SIZE] [--metrics-addr HOST:PORT] [--log-format text|json] [--read-cache SIZE] [--peer-url URL]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	metricsAddr := fs.String("metrics-addr", envOr(env, "SATCHEL_METRICS_ADDR", ""), "address to serve Prometheus metrics on, at /metrics; off when empty. Keep it private: not the public address (SATCHEL_METRICS_ADDR)")
	logFormat := fs.String("log-format", envOr(env, "SATCHEL_LOG_FORMAT", "text"), "log lines as text (key=value) or json (SATCHEL_LOG_FORMAT)")
	claimDays := fs.Int("claim-code-days", 30, "how many days the code on a claim letter works (pre-release onboarding)")
	unclaimedDays := fs.Int("unclaimed-days", 180, "how many days a pod started for someone in custody is kept if nobody claims it")
	readCache := fs.String("read-cache", envOr(env, "SATCHEL_READ_CACHE", "64MiB"), "memory for objects read from S3 storage, e.g. 64MiB; 0 turns it off. Every server on the same storage keeps the others right (SATCHEL_READ_CACHE)")
	peerURL := fs.String("peer-url", envOr(env, "SATCHEL_PEER_URL", ""), "where the other servers on the same S3 storage reach this one, e.g. http://10.0.0.5:8080 (SATCHEL_PEER_URL; default http:// and --addr)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *claimDays < 1 || *unclaimedDays < 1 || *claimDays > *unclaimedDays {
		return usagef("--claim-code-days and --unclaimed-days must be at least 1, and a code cannot outlast the pod")
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	if cfg.Log, err = newLogger(env.Stderr, *logFormat); err != nil {
		return err
	}
	if strings.TrimSpace(*readCache) == "0" {
		cfg.ReadCache = -1
	} else if cfg.ReadCache, err = parseSize(*readCache); err != nil {
		return usagef("--read-cache: %v", err)
	}
	if *peerURL != "" && !strings.HasPrefix(*peerURL, "http://") && !strings.HasPrefix(*peerURL, "https://") {
		return usagef("--peer-url: %q must start with http:// or https://", *peerURL)
	}
	cfg.PeerURL = *peerURL
	if env.Getenv("GOGC") == "" {
		// Reading an object makes short-lived garbage (age's 64 KiB chunk
		// buffers) on a small live heap; collecting less often saves CPU
		// and costs a few MiB.
		debug.SetGCPercent(400)
	}
	b, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	b.Web.Onboard.CodeTTL = time.Duration(*claimDays) * 24 * time.Hour
	b.Web.Onboard.UnclaimedTTL = time.Duration(*unclaimedDays) * 24 * time.Hour
	for _, c := range b.Created {
		fmt.Fprintf(env.Stderr, "First start: %s.\n", c)
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v", cfg.Addr, err)
	}
	if *metricsAddr != "" {
		ml, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			l.Close()
			return fmt.Errorf("cannot listen for metrics on %s: %v", *metricsAddr, err)
		}
		fmt.Fprintf(env.Stderr, "Metrics are at http://%s/metrics.\n", ml.Addr())
		go func() {
			if err := b.ServeMetrics(ctx, ml); err != nil {
				b.Config.Log.Error("serving metrics failed", "err", err)
			}
		}()
	}
	// Unclaimed pods whose time is up are erased hourly (and by
	// "satchel unclaimed expire").
	go b.SweepUnclaimed(ctx, time.Hour)
	fmt.Fprintf(env.Stderr, "Satchel is serving %s (listening on %s, data in %s).\n", b.Config.BaseURL, l.Addr(), cfg.DataDir)
	return b.Serve(ctx, l)
}

// newLogger returns the server's logger writing to w in format: text
// (key=value pairs) or json (one object a line).
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, usagef("--log-format: %q is not text or json", format)
}

func runAccount(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "delete" {
		return runAccountDelete(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "reset-code" {
		return runResetCode(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "create" {
		return usagef("use: satchel account create --kind leaver --username NAME --display-name \"Full Name\", satchel account reset-code --username NAME --checked-by \"Your Name\", or satchel account delete --username NAME --yes")
	}
	fs := flags(env, "account create", "--kind KIND --username NAME --display-name NAME [--ask-password] [--data DIR] [--base-url URL]")
	var f serverFlags
	addServerFlags(env, fs, &f)
	kind := fs.String("kind", "leaver", "leaver, helper, issuer, operator or evaluator (exports the evaluation: see satchel evaluation)")
	username := fs.String("username", "", "the name to sign in with")
	display := fs.String("display-name", "", "the name shown to people")
	org := fs.String("org", "", "for an issuer's staff: the organisation's short name (see satchel issuer create)")
	orgAdmin := fs.Bool("org-admin", false, "with --org: the account may add and remove the organisation's staff on its web pages")
	ask := fs.Bool("ask-password", false, "type the account's password here instead of giving its owner a set-up code (SATCHEL_PASSWORD sets one too)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" || *display == "" {
		return usagef("give both --username and --display-name")
	}
	k, err := account.ParseKind(*kind)
	if err != nil {
		return usagef("%v", err)
	}
	if _, err := account.NormalizeUsername(*username); err != nil {
		return usagef("%v", err)
	}
	if *orgAdmin && *org == "" {
		return usagef("--org-admin needs --org: only an organisation's staff can be its admin")
	}
	cfg, err := f.config(env)
	if err != nil {
		return err
	}
	cfg.Log = slog.New(slog.DiscardHandler)
	// The owner chooses their own password with a set-up code, unless one
	// is given (by scripts and tests) or asked for.
	pw := env.Getenv("SATCHEL_PASSWORD")
	if pw == "" && *ask {
		if pw, err = password(env, "Password for "+*username+": "); err != nil {
			return err
		}
	}
	b, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	for _, c := range b.Created {
		fmt.Fprintf(env.Stderr, "First start: %s.\n", c)
	}
	if *org != "" {
		if _, err := b.Issuers.Org(ctx, *org); err != nil {
			return fmt.Errorf("there is no issuer called %q: register it first with satchel issuer create", *org)
		}
	}
	if pw == "" {
		a, code, err := b.Accounts.CreateWithSetup(ctx, *username, k, *display, *org)
		if err != nil {
			return err
		}
		if *orgAdmin {
			if a, err = b.Accounts.SetOrgAdmin(ctx, a.Username, true); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "%s is an admin of %s: they add and remove its staff.\n", a.DisplayName, a.Org)
		}
		if a.Pod != "" {
			fmt.Fprintf(env.Stderr, "Created %s account %q for %s, with a pod at %s\n", a.Kind, a.Username, a.DisplayName, b.PodURL(a.Pod))
		} else {
			fmt.Fprintf(env.Stderr, "Created %s account %q for %s.\n", a.Kind, a.Username, a.DisplayName)
		}
		codeSheet(env, b.Config.BaseURL+"/start", a, code, "a set-up code", "choose their own password")
		return nil
	}
	a, err := b.Accounts.CreateWith(ctx, *username, k, *display, pw, *org)
	if err != nil {
		return err
	}
	if *orgAdmin {
		if a, err = b.Accounts.SetOrgAdmin(ctx, a.Username, true); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "%s is an admin of %s: they add and remove its staff.\n", a.DisplayName, a.Org)
	}
	if a.Pod != "" {
		fmt.Fprintf(env.Stderr, "Created %s account %q for %s, with a pod at:\n", a.Kind, a.Username, a.DisplayName)
		fmt.Fprintln(env.Stdout, b.PodURL(a.Pod))
	} else {
		fmt.Fprintf(env.Stderr, "Created %s account %q for %s.\n", a.Kind, a.Username, a.DisplayName)
	}
	return nil
}

// parseSize reads sizes like 25MiB, 100MB, 1048576.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size like 25MiB", s)
	}
	return n * mult, nil
}
