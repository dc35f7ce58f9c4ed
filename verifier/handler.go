package verifier

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/consent"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/limits"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/web/lang"
)

// Handler serves share links (/s/TOKEN, its items and its signed grant)
// and POST /api/v1/verify.
type Handler struct {
	Verifier *Verifier
	// Limit counts requests per client address and per token (nil: no
	// limit).
	Limit *limits.Rate
	// RefusalFloor is the least time a refused link takes to answer, so an
	// unknown link and a withdrawn one cannot be told apart by timing.
	RefusalFloor time.Duration
	Log          *slog.Logger
}

// Routes adds the handler's routes to r.
func (h *Handler) Routes(r *mux.Router) {
	r.HandleFunc("/s/{token}", h.page).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/s/{token}/grant", h.credential).Methods(http.MethodGet)
	r.PathPrefix("/s/{token}/items/").HandlerFunc(h.itemHandler).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/api/v1/verify", h.verify).Methods(http.MethodPost)
}

// headers are set on everything a share link serves: never cached, never
// indexed, the link never leaked in a Referer, no framing, and only this
// server's own stylesheet, script and images (no inline style or script).
func headers(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
}

// limited applies the rate limits, answering 429 itself when over.
func (h *Handler) limited(w http.ResponseWriter, r *http.Request, token string) bool {
	keys := []string{auth.IPKey(r)} // the client address, as sign-in counts it
	if token != "" {
		keys = append(keys, "t:"+token)
	}
	ok, wait, err := h.Limit.Allow(r.Context(), keys...)
	if err != nil {
		h.fail(w, r, err)
		return true
	}
	if !ok {
		problem.RetryAfter(w, wait)
		problem.Write(w, http.StatusTooManyRequests, "slow-down", "Too many requests from here. Wait a minute, then try again.")
	}
	return !ok
}

// floor waits until RefusalFloor has passed since start.
func (h *Handler) floor(start time.Time) {
	if d := h.RefusalFloor - time.Since(start); d > 0 {
		time.Sleep(d)
	}
}

// refuse answers a link that does not work, for a consent decision's
// reason ("" for an unknown link), after the timing floor, in the
// visitor's language.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, start time.Time, status int, reason consent.Reason) {
	h.floor(start)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	code := lang.Choose(r)
	pageTmpl.Execute(w, pageData{Lang: code, Refused: refusal(lang.Catalogues[code], reason),
		LangLink: lang.SwitchLink(lang.Other(code), "/s/"+tokenOf(r))})
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	headers(w)
	token := mux.Vars(r)["token"]
	if h.limited(w, r, token) {
		return
	}
	if strings.Contains(r.Header.Get("Accept"), consent.CredentialType) {
		h.credential(w, r)
		return
	}
	if linkPreview(r) {
		h.neutral(w, r)
		return
	}
	res, g, _, err := h.Verifier.VerifyToken(r.Context(), token)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if res.Status == "unknown" {
		h.refuse(w, r, start, http.StatusGone, "")
		return
	}
	req := consent.Request{Path: g.Items[0].Path, Opening: true, Reopens: reopens(r, token)}
	d, err := h.Verifier.Consent.Use(r.Context(), g, consent.Visit{Request: req, Who: g.Recipient.Name})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !d.Allowed {
		h.refuse(w, r, start, http.StatusGone, d.Reason)
		return
	}
	h.remember(w, token, d.OpenedAt)
	data := h.pageData(r, g, res)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, data)
}

// credential serves the signed grant behind a link, for machine
// verifiers. It is not a view. A link that has ended (withdrawn, expired,
// used up outside the window of its last opening) or that names no grant
// answers 410 with the status only, after the timing floor.
func (h *Handler) credential(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	headers(w)
	token := mux.Vars(r)["token"]
	if h.limited(w, r, token) {
		return
	}
	g, st, err := h.Verifier.Consent.Resolve(r.Context(), token)
	if errors.Is(err, consent.ErrNoGrant) {
		h.floor(start)
		problem.Write(w, http.StatusGone, "unknown-link", refusal(lang.English, ""))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// As an item is: the grant is part of an opening of the share.
	if d := consent.Decide(g, st, consent.Request{Path: g.Items[0].Path}, h.Verifier.now()); !d.Allowed && d.Reason != consent.NotYetValid {
		h.floor(start)
		problem.Write(w, http.StatusGone, endedType[d.Reason], refusal(lang.English, d.Reason))
		return
	}
	w.Header().Set("Content-Type", consent.CredentialType)
	w.Write([]byte(g.Credential))
}

// endedType is the problem type of a link that has ended, by reason.
var endedType = map[consent.Reason]string{
	consent.Revoked: "revoked",
	consent.Expired: "expired",
	consent.UsedUp:  "used-up",
}

// itemHandler serves one shared item: a document as it is, a record with
// only the shared fields. Each is logged in the leaver's access log before
// a byte is sent. Within consent.OpeningWindow of the page being opened an
// item is part of that view; outside it, reading an item uses a view.
func (h *Handler) itemHandler(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	headers(w)
	token := mux.Vars(r)["token"]
	if h.limited(w, r, token) {
		return
	}
	if linkPreview(r) {
		h.neutral(w, r)
		return
	}
	raw := strings.TrimPrefix(r.URL.EscapedPath(), "/s/"+token+"/items/")
	p, err := pod.ParsePath(raw)
	if err != nil || p.IsContainer() {
		problem.Write(w, http.StatusBadRequest, "bad-path", "This address is not allowed.")
		return
	}
	g, _, err := h.Verifier.Consent.Resolve(r.Context(), token)
	if errors.Is(err, consent.ErrNoGrant) {
		h.refuse(w, r, start, http.StatusGone, "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.Verifier.Consent.Use(r.Context(), g, consent.Visit{Request: consent.Request{Path: p}, Who: g.Recipient.Name})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !d.Allowed {
		if d.Reason == consent.OutOfScope {
			problem.Write(w, http.StatusNotFound, "not-shared", "This was not shared through this link.")
			return
		}
		h.refuse(w, r, start, http.StatusGone, d.Reason)
		return
	}
	disposition := "inline"
	if r.URL.Query().Get("download") != "" {
		disposition = "attachment"
	}
	name := p.Name()
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	res, rc, err := h.Verifier.Pods.Get(r.Context(), g.Pod, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer rc.Close()
	if d.Fields != nil || res.ContentType == "application/ld+json" {
		// A record: only the shared fields, and no relative ids, which
		// would resolve against this address and so hold the token.
		body, err := shared(rc, g, p, d.Fields)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/ld+json")
		w.Write(body)
		return
	}
	w.Header().Set("Content-Type", res.ContentType)
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	if _, err := io.Copy(w, rc); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// verify is POST /api/v1/verify: {"token": "..."} or {"credential": "JWS"},
// or a JWS as application/vc+jwt. It never counts as a view.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	headers(w)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, consent.MaxCredentialBytes+1024))
	if err != nil {
		problem.Write(w, http.StatusRequestEntityTooLarge, "too-large", "This is too large to be a grant.")
		return
	}
	var in struct {
		Token      string         `json:"token"`
		Credential string         `json:"credential"`
		VC         map[string]any `json:"verifiableCredential"`
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case consent.CredentialType:
		in.Credential = string(body)
	case "application/json":
		err := json.Unmarshal(body, &in)
		given := 0
		for _, set := range []bool{in.Token != "", in.Credential != "", in.VC != nil} {
			if set {
				given++
			}
		}
		if err != nil || given != 1 {
			problem.Write(w, http.StatusBadRequest, "bad-request", `Send {"token": "..."} (from the share link), {"credential": "..."} (the signed grant) or {"verifiableCredential": {...}} (a credential from an issuer).`)
			return
		}
	default:
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported-type", "Send JSON, or the signed grant as application/vc+jwt.")
		return
	}
	if token := strings.TrimPrefix(in.Token, h.Verifier.Consent.ShareURL("")); h.limited(w, r, token) {
		return
	}
	var res Result
	if in.VC != nil && h.Verifier.Issuers != nil {
		iv := h.Verifier.Issuers.Verify(r.Context(), in.VC)
		res = Result{Valid: iv.Valid, Status: iv.Status}
		for _, c := range iv.Checks {
			res.Checks = append(res.Checks, Check{c.Check, c.Passed, c.Reason})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"valid": res.Valid, "status": res.Status, "checks": res.Checks, "issuer": iv.Issuer, "issuerName": iv.IssuerName, "issuerKnown": iv.IssuerKnown})
		return
	}
	if in.Credential != "" {
		res = h.Verifier.VerifyCredential(r.Context(), in.Credential)
	} else {
		token := in.Token[strings.LastIndex(in.Token, "/")+1:]
		if res, _, _, err = h.Verifier.VerifyToken(r.Context(), token); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(res)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, pod.ErrUnavailable) || errors.Is(err, pod.ErrBusy) {
		w.Header().Set("Retry-After", "5")
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "This cannot be shown at the moment. Try again in a minute.")
		return
	}
	h.Log.ErrorContext(r.Context(), "verifier request failed", "err", err)
	problem.Write(w, http.StatusServiceUnavailable, "unavailable", "This cannot be shown at the moment. Nothing was shown; try again in a minute.")
}

// openingCookie names this browser's opening of a share. It is scoped to
// the share's own address, lasts as long as an opening's window, and holds
// the exact time of the opening, which only a browser that made it knows.
const openingCookie = "satchel-opening"

// reopens is the opening this browser made of the share at token, from its
// cookie (zero if none): opening the page again within that opening's
// window, to change language or after going back, is the same view.
func reopens(r *http.Request, token string) time.Time {
	c, err := r.Cookie(openingCookie)
	if err != nil {
		return time.Time{}
	}
	n, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// remember gives the browser the cookie for the share's last opening.
func (h *Handler) remember(w http.ResponseWriter, token string, opened time.Time) {
	if opened.IsZero() {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: openingCookie, Value: strconv.FormatInt(opened.UnixNano(), 10),
		Path: "/s/" + token, MaxAge: int(consent.OpeningWindow / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(h.Verifier.Consent.ShareURL(""), "https://"),
	})
}
