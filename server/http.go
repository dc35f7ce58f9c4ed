package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/blob/cache"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/limits"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/verifier"
)

// Handler returns the server's HTTP API.
// Every request gets an ID, is counted and has a line in the log (observe).
func (b *Backend) Handler() http.Handler { return b.observe(securityHeaders(b.Router())) }

// Router returns every route the server answers, each behind the
// middleware that puts the caller's principal in the request context.
func (b *Backend) Router() *mux.Router {
	r := mux.NewRouter()
	// Pod paths are checked by pod.ParsePath, which refuses "..", encoded
	// slashes and the rest; mux must not clean or decode them first.
	r.SkipClean(true)
	r.UseEncodedPath()
	// observe counts and logs a request by its route, never its URL.
	r.Use(noteRoute)
	// Every route finds the caller in its request context (access.From):
	// a bearer token's principal here; the web pages add their sessions'.
	r.Use(b.Tokens.Authenticate)
	r.HandleFunc("/healthz", health).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", b.readyz).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/auth/token", &auth.Login{
		Accounts: b.Accounts,
		Tokens:   b.Tokens,
		Throttle: b.Throttle,
		PodURL:   b.PodURL,
		Log:      b.Config.Log,
	})
	r.HandleFunc("/auth/sign-out-everywhere", b.signOutEverywhere).Methods(http.MethodPost)
	// Other servers on the same storage say here what they changed.
	r.Handle(cache.InvalidatePath, b.invalidations())
	r.PathPrefix(pod.Prefix).Handler(&pod.Handler{
		Service:      b.Pods,
		BaseURL:      b.Config.BaseURL,
		MaxUpload:    b.Config.MaxUpload,
		Delegated:    b.delegated,
		Audit:        b.audit,
		CheckRecord:  checkRecord,
		RecordLinks:  schemas.Links,
		RenderRecord: renderRecord,
		Log:          b.Config.Log,
		// Solid clients write records as Turtle and change them with
		// patches.
		RecordFromTurtle: schemas.RecordFromTurtle,
		PatchRecord:      schemas.PatchRecord,
	})
	b.routeSchemas(r)
	(&consent.Handler{
		Service:    b.Consent,
		FindHelper: b.findHelper,
		Log:        b.Config.Log,
	}).Routes(r)
	limit := b.Config.LinkRateLimit
	if limit == 0 {
		limit = DefaultLinkRateLimit
	}
	(&issuer.Handler{
		Service: b.Issuers,
		Grants:  b.Verifier,
		Log:     b.Config.Log,
	}).Routes(r)
	(&verifier.Handler{
		Verifier:     b.Verifier,
		Limit:        limits.NewRate(b.Limits, limit),
		RefusalFloor: 50 * time.Millisecond,
		Log:          b.Config.Log,
	}).Routes(r)
	b.evaluationRoutes(r)
	b.Web.Routes(r)
	r.NotFoundHandler = http.HandlerFunc(notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, http.StatusMethodNotAllowed, "method-not-allowed", "This address does not support "+r.Method+".")
	})
	return r
}

func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// Serve answers HTTP on l until ctx is cancelled, then shuts down
// gracefully, letting requests in flight finish for up to 10 seconds.
// Every part of an exchange has a time limit (see deadlines).
func (b *Backend) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           deadlines(b.Handler(), bodyTimeout, uploadTimeout, answerTimeout),
		ReadHeaderTimeout: headerTimeout,
		// The longest any request may take; deadlines sets each one's.
		ReadTimeout:    uploadTimeout,
		WriteTimeout:   uploadTimeout + answerTimeout,
		IdleTimeout:    idleTimeout,
		MaxHeaderBytes: 16 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	interval := b.Config.HealthInterval
	if interval == 0 {
		interval = DefaultHealth
	}
	if err := b.joinPeers(wctx, l); err != nil {
		srv.Close()
		<-errc
		return err
	}
	go b.watchCustody(wctx, interval)
	go b.Web.SweepEvery(wctx, time.Hour)
	go b.sweepLimitsEvery(wctx, time.Hour)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// invalidations answers other servers' invalidations, or 404 when this
// server keeps nothing (local storage).
func (b *Backend) invalidations() http.Handler {
	if b.Cache == nil {
		return http.HandlerFunc(notFound)
	}
	return b.Cache.Handler()
}

// notFound is the answer where there is nothing.
func notFound(w http.ResponseWriter, r *http.Request) {
	problem.Write(w, http.StatusNotFound, "not-found", "There is nothing at this address.")
}

// joinPeers makes a server on S3 storage a member of the processes that
// keep each other's caches right, reached at PeerURL, unless ReadCache is
// negative.
func (b *Backend) joinPeers(ctx context.Context, l net.Listener) error {
	if b.Cache == nil || b.Config.ReadCache < 0 {
		return nil
	}
	url := b.Config.PeerURL
	if url == "" {
		host, port, err := net.SplitHostPort(l.Addr().String())
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
			if host, err = os.Hostname(); err != nil {
				return fmt.Errorf("cannot name this host for the other servers (set --peer-url): %w", err)
			}
		}
		url = "http://" + net.JoinHostPort(host, port)
	}
	if err := b.Cache.Start(ctx, url); err != nil {
		return err
	}
	b.Config.Log.Info("keeping objects in memory; other servers on this storage reach this one at " + url)
	return nil
}
