// Package requestid gives every HTTP request an ID that travels in its
// context, its answer's X-Request-Id header and every log line written
// while it is served, so that an operator can find one request's lines and
// a person can quote the ID from an error. An ID is never derived from
// anything a person typed.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
)

// Header is the HTTP header that carries the ID both ways.
const Header = "X-Request-Id"

type ctxKey struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the ID in ctx, or "" if there is none.
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Valid reports whether an ID a client sent may be used as it is: 1 to 64
// characters of A-Z, a-z, 0-9, '.', '_' and '-'.
func Valid(id string) bool {
	if len(id) < 1 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a random ID (80 bits, 16 characters).
func New() string {
	var b [10]byte
	rand.Read(b[:])
	return encoding.EncodeToString(b[:])
}

// Handler returns h with the ID of the request whose context a record is
// logged with added as the attribute request_id. Log with the *Context
// methods (InfoContext, ErrorContext...) to have it.
func Handler(h slog.Handler) slog.Handler {
	if _, ok := h.(handler); ok {
		return h
	}
	return handler{h}
}

type handler struct{ slog.Handler }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler {
	return handler{h.Handler.WithAttrs(as)}
}

func (h handler) WithGroup(name string) slog.Handler {
	return handler{h.Handler.WithGroup(name)}
}
