// Package problem writes RFC 9457 problem details: the one shape every HTTP
// error in Satchel takes, with a plain sentence a person can act on; and,
// for the same APIs, their successful JSON answers.
package problem

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/satchel-project/satchel/internal/requestid"
)

// Details is an RFC 9457 problem document. Code is an extension member that
// names the problem in a stable, machine-readable way.
type Details struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code,omitempty"`
}

// Write sends a problem+json response with the given status, a short stable
// code and a plain-English detail. The title is the standard status text.
func Write(w http.ResponseWriter, status int, code, detail string) {
	WriteExtra(w, status, code, detail, nil)
}

// WriteExtra is Write with extension members (RFC 9457 section 3.2) added
// to the body, such as the list of fields a record got wrong.
func WriteExtra(w http.ResponseWriter, status int, code, detail string, extra map[string]any) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("ETag")
	h.Del("Last-Modified")
	h.Del("Content-Length")
	w.WriteHeader(status)
	body := map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
		"code":   code,
	}
	if detail != "" {
		body["detail"] = detail
	}
	// The request's ID, which observe has set on the answer already, lets
	// a person quote the failure to an operator.
	if id := h.Get(requestid.Header); id != "" {
		body["requestId"] = id
	}
	for k, v := range extra {
		if _, taken := body[k]; !taken {
			body[k] = v
		}
	}
	_ = json.NewEncoder(w).Encode(body)
}

// RetryAfter sets the Retry-After header to d, rounded up to whole seconds.
func RetryAfter(w http.ResponseWriter, d time.Duration) {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
}

// Sentence makes a reason read as a sentence for a detail: capital first
// letter, full stop at the end. An empty reason stays empty.
func Sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// JSON writes a successful JSON answer that is never cached: the other
// half of an API whose failures are problem documents.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
