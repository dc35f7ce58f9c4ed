package server

import (
	"net/http"
	"time"
)

// How long a connection may take over each part of an exchange, so that a
// client that stalls (on purpose or on a weak signal) holds nothing for
// ever. Request headers must arrive within headerTimeout; a request's body
// within bodyTimeout, or uploadTimeout when it may carry a document (25 MiB
// from a phone at 50 KB/s takes about nine minutes); the answer within
// answerTimeout of that; an idle connection is closed after idleTimeout.
const (
	headerTimeout = 10 * time.Second
	bodyTimeout   = time.Minute
	uploadTimeout = 15 * time.Minute
	answerTimeout = 30 * time.Minute
	idleTimeout   = 2 * time.Minute
)

// deadlines sets the read and write deadlines of each request that h
// serves: body to send the body (upload for one over 64 KiB or of unknown
// length, which may be a document), then answer to take the answer. (A
// single http.Server.ReadTimeout would give every small form as long as a
// document.) A request without a body gets no read deadline: net/http has
// lifted it to watch for the client going away, and one set again would
// cancel the request's context when it passed.
func deadlines(h http.Handler, body, upload, answer time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		if r.Body == nil || r.Body == http.NoBody {
			rc.SetWriteDeadline(now.Add(answer))
		} else {
			d := body
			if r.ContentLength < 0 || r.ContentLength > 64<<10 {
				d = upload
			}
			// net/http lifts it once the body has been read.
			rc.SetReadDeadline(now.Add(d))
			rc.SetWriteDeadline(now.Add(d + answer))
		}
		h.ServeHTTP(w, r)
	})
}
