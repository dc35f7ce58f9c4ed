package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/internal/requestid"
)

// observe gives every request an ID (X-Request-Id, kept from the client
// when it is well formed), then, once it is answered, counts it in the
// metrics and writes one access log line. Neither holds the request's URL,
// which carries pod IDs and share tokens: only its route template (from
// the route middleware, which the router runs once it has matched).
func (b *Backend) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(requestid.Header)
		if !requestid.Valid(id) {
			id = requestid.New()
		}
		w.Header().Set(requestid.Header, id)
		info := &requestInfo{}
		ctx := requestid.With(r.Context(), id)
		ctx = withRequestInfo(ctx, info)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			d := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			family := routeFamily(info.route)
			b.Metrics.Request(family, status, d)
			if status == http.StatusTooManyRequests {
				b.Metrics.Refusal(family, rec.problem(info.route))
			}
			route := info.route
			if route == "" {
				route = "(none)"
			}
			b.Config.Log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", d),
				slog.Int64("bytes", rec.bytes))
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// requestInfo is what the router learns about a request for observe.
type requestInfo struct{ route string }

// noteRoute is router middleware: it tells observe which route matched.
func noteRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := requestInfoFrom(r.Context()); info != nil {
			if route := mux.CurrentRoute(r); route != nil {
				if t, err := route.GetPathTemplate(); err == nil {
					info.route = t
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// routeFamily sorts a route template into the few families the metrics
// count by: pods (the Solid API), consent (the grants API), verify (share
// links and verification), issuer, auth, public (keys, status lists,
// contexts and schemas), health, static (assets), cluster (servers telling
// each other what they changed), web (the pages), or none when no route
// matched.
func routeFamily(route string) string {
	switch {
	case route == "":
		return "none"
	case strings.HasPrefix(route, "/pods/"):
		return "pods"
	case strings.HasPrefix(route, "/s/"), route == "/api/v1/verify",
		route == "/credentials/verify", route == "/presentations/verify":
		return "verify"
	case strings.HasPrefix(route, "/api/v1/grants"), route == "/api/v1/log":
		return "consent"
	case strings.HasPrefix(route, "/issuers/"), strings.HasPrefix(route, "/api/v1/issuers/"),
		route == "/api/v1/enrolments", route == "/credentials/issue":
		return "issuer"
	case strings.HasPrefix(route, "/auth/"):
		return "auth"
	case strings.HasPrefix(route, "/.well-known/"), strings.HasPrefix(route, "/status/"),
		strings.HasPrefix(route, "/ns/"), strings.HasPrefix(route, SchemasPath):
		return "public"
	case route == "/healthz", route == "/readyz":
		return "health"
	case strings.HasPrefix(route, "/assets/"):
		return "static"
	case strings.HasPrefix(route, "/internal/"):
		return "cluster"
	}
	return "web"
}

// recorder notes what an answer's status and size were, and keeps the
// start of a 429's body to learn its problem code.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	head   []byte
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status == http.StatusTooManyRequests && len(w.head) < 1024 {
		w.head = append(w.head, p[:min(len(p), 1024-len(w.head))]...)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Flush lets a handler send what it has written so far.
func (w *recorder) Flush() {
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// problem names what refused a 429: the code of a problem document, or
// else (a web page) its route template.
func (w *recorder) problem(route string) string {
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
		var p struct{ Code string }
		if json.Unmarshal(w.head, &p) == nil && p.Code != "" && len(p.Code) <= 40 {
			return p.Code
		}
		return "unknown"
	}
	if route == "" {
		return "unknown"
	}
	return route
}

type infoKey struct{}

func withRequestInfo(ctx context.Context, info *requestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// MetricsHandler serves the server's metrics (Prometheus's text format).
// Serve it only on a listener of its own, never beside Handler.
func (b *Backend) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", b.Metrics.Handler())
	return mux
}

// ServeMetrics answers GET /metrics on l until ctx is cancelled.
func (b *Backend) ServeMetrics(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           b.MetricsHandler(),
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       bodyTimeout,
		WriteTimeout:      bodyTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    16 << 10,
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
