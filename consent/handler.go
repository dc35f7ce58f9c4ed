package consent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/consent/qr"
	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
	"github.com/satchel-project/satchel/vault"
)

// Handler serves the consent API (/api/v1/grants, /api/v1/log,
// /api/v1/helpers), the status list and the published keys. What a
// recipient sees at a share link is package verifier's.
type Handler struct {
	Service *Service
	// FindHelper looks up a helper account by username.
	FindHelper func(ctx context.Context, username string) (HelperAccount, error)
	Log        *slog.Logger
}

// Routes adds the handler's routes to r.
func (h *Handler) Routes(r *mux.Router) {
	api := r.PathPrefix("/api/v1").Subrouter()
	api.HandleFunc("/grants", h.create).Methods(http.MethodPost)
	api.HandleFunc("/grants", h.list).Methods(http.MethodGet)
	api.HandleFunc("/grants/{id}", h.show).Methods(http.MethodGet)
	api.HandleFunc("/grants/{id}/revoke", h.revoke).Methods(http.MethodPost)
	api.HandleFunc("/grants/{id}/receipt", h.receipt).Methods(http.MethodGet)
	api.HandleFunc("/grants/{id}/qr.png", h.qrCode).Methods(http.MethodGet)
	api.HandleFunc("/grants/{id}/qr.svg", h.qrCode).Methods(http.MethodGet)
	api.HandleFunc("/log", h.accessLog).Methods(http.MethodGet)
	h.helperRoutes(api)
	r.HandleFunc(StatusListPath, h.statusList).Methods(http.MethodGet)
	r.HandleFunc("/.well-known/jwks.json", h.jwks).Methods(http.MethodGet)
	r.HandleFunc("/.well-known/did.json", h.didDocument).Methods(http.MethodGet)
}

// Who asks is the principal middleware put in the request's context
// (access.From); what they may do is access.Can's to say.

// owner answers for the caller's own pod: right in it must be allowed.
func (h *Handler) owner(w http.ResponseWriter, r *http.Request, right access.Right) (access.Principal, bool) {
	who := access.From(r.Context())
	if !who.SignedIn() {
		access.Write(w, access.ErrUnauthenticated, "")
		return who, false
	}
	if who.Pod == "" {
		problem.Write(w, http.StatusForbidden, "no-pod", "Only the person whose pod it is can do this.")
		return who, false
	}
	if err := access.Can(who, access.Request{Right: right, Pod: who.Pod, Now: h.Service.now()}); err != nil {
		access.Write(w, err, "")
		return who, false
	}
	return who, true
}

// grantRequest is the body of POST /api/v1/grants.
type grantRequest struct {
	Pod         string    `json:"pod"` // a helper sharing for someone: their pod ID
	SharedBy    string    `json:"sharedBy"`
	Recipient   Recipient `json:"recipient"`
	Purpose     string    `json:"purpose"`
	PurposeText string    `json:"purposeText"`
	Items       []Item    `json:"items"`
	NotBefore   time.Time `json:"notBefore"`
	Expires     time.Time `json:"expires"`
	ExpiresIn   string    `json:"expiresIn"`
	MaxViews    int       `json:"maxViews"`
}

// ParseTTL reads a share's length: "1d", "7d", "14d", "2w", "1m" (30 days)
// or a Go duration such as "36h".
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	units := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'm': 30 * 24 * time.Hour}
	if n := len(s); n >= 2 {
		if u, ok := units[s[n-1]]; ok {
			if k, err := strconv.Atoi(s[:n-1]); err == nil && k > 0 && k <= 90 {
				return time.Duration(k) * u, nil
			}
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a length of time like 1d, 7d, 2w or 1m", s)
	}
	return d, nil
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported-type", "Send the share as JSON (Content-Type: application/json).")
		return
	}
	var req grantRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", "This share request is not valid JSON, or has a field Satchel does not know.")
		return
	}
	a, ok := h.actingFor(w, r, req.Pod)
	if !ok {
		return
	}
	// Only what the sharer may see can be shared.
	for _, it := range req.Items {
		if !a.may(w, access.Share, string(it.Path)) {
			return
		}
	}
	n := NewGrant{
		Pod: a.Pod, GrantedBy: a.who.Account, SharedBy: req.SharedBy, Recipient: req.Recipient,
		Purpose: req.Purpose, PurposeText: req.PurposeText, Items: req.Items,
		NotBefore: req.NotBefore, Expires: req.Expires, MaxViews: req.MaxViews,
	}
	if a.Actor != "" {
		// A helper shares in the leaver's name, and says so.
		if req.SharedBy != "" {
			problem.Write(w, http.StatusUnprocessableEntity, "invalid-share", "A helper shares in the name of the person whose pod it is: leave out sharedBy.")
			return
		}
		n.SharedBy = SharedWithHelp(a.LeaverName, a.Actor)
	} else if n.SharedBy == "" {
		n.SharedBy = a.LeaverName
	}
	if req.ExpiresIn != "" {
		ttl, err := ParseTTL(req.ExpiresIn)
		if err != nil {
			problem.Write(w, http.StatusUnprocessableEntity, "invalid-share", problem.Sentence(err.Error()))
			return
		}
		n.TTL = ttl
	}
	g, err := h.Service.Create(r.Context(), n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if a.Actor != "" {
		if err := h.recordShare(r.Context(), g, a.Actor, "share"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Location", h.Service.baseURL+"/api/v1/grants/"+string(g.ID))
	code, err := h.Service.Code(r.Context(), g)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	problem.JSON(w, http.StatusCreated, h.view(Share{Grant: g, Status: status(g, State{}, h.Service.now()), Code: code}, true, true))
}

// view is the JSON a leaver's client sees of a share.
// withLink adds the share's link, its QR codes and receipt: only for those
// who may see them (the owner; a helper for the shares they made).
func (h *Handler) view(sh Share, withCredential, withLink bool) map[string]any {
	v := map[string]any{
		"id": sh.ID, "status": sh.Status, "sharedBy": sh.SharedBy,
		"recipient": sh.Recipient, "purpose": sh.Purpose, "purposeText": sh.PurposeText,
		"items": sh.Items, "notBefore": sh.NotBefore, "expires": sh.Expires,
		"maxViews": sh.MaxViews, "views": sh.Views, "created": sh.Created,
	}
	if withLink {
		base := h.Service.baseURL + "/api/v1/grants/" + string(sh.ID)
		v["shareURL"] = h.Service.ShareURL(sh.Token)
		v["qr"] = map[string]string{"png": base + "/qr.png", "svg": base + "/qr.svg"}
		v["receipt"] = base + "/receipt"
		if sh.Code != "" {
			v["shareCode"] = sh.Code
		}
		if withCredential {
			v["credential"] = sh.Credential
		}
	}
	if sh.Revoked {
		v["revokedAt"] = sh.RevokedAt
	}
	return v
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	a, ok := h.actingFor(w, r, r.URL.Query().Get("pod"))
	if !ok {
		return
	}
	shares, err := h.Service.List(r.Context(), a.Pod)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	want := r.URL.Query().Get("status")
	out := []map[string]any{}
	for _, sh := range shares {
		if want == "" || want == sh.Status {
			out = append(out, h.view(sh, false, a.seesLink(sh)))
		}
	}
	problem.JSON(w, http.StatusOK, map[string]any{"grants": out})
}

func (h *Handler) share(w http.ResponseWriter, r *http.Request) (Share, bool) {
	who, ok := h.owner(w, r, access.SeeTokens)
	if !ok {
		return Share{}, false
	}
	sh, err := h.Service.Get(r.Context(), pod.PodID(who.Pod), GrantID(mux.Vars(r)["id"]))
	if err != nil {
		h.fail(w, r, err)
		return Share{}, false
	}
	return sh, true
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	if sh, ok := h.share(w, r); ok {
		problem.JSON(w, http.StatusOK, h.view(sh, true, true))
	}
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	a, ok := h.actingFor(w, r, r.URL.Query().Get("pod"))
	if !ok {
		return
	}
	id := GrantID(mux.Vars(r)["id"])
	if err := h.Service.Revoke(r.Context(), a.Pod, id); err != nil {
		h.fail(w, r, err)
		return
	}
	if a.Actor != "" {
		if sh, err := h.Service.Get(r.Context(), a.Pod, id); err == nil {
			if err := h.recordShare(r.Context(), sh.Grant, a.Actor, "revoke"); err != nil {
				h.fail(w, r, err)
				return
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) receipt(w http.ResponseWriter, r *http.Request) {
	sh, ok := h.share(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="satchel-share-receipt.txt"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(Receipt(sh, h.Service.ShareURL(sh.Token), h.Service.DID())))
}

func (h *Handler) qrCode(w http.ResponseWriter, r *http.Request) {
	sh, ok := h.share(w, r)
	if !ok {
		return
	}
	code, err := qr.Encode(h.Service.ShareURL(sh.Token))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasSuffix(r.URL.Path, ".svg") {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Write(code.SVGTitled("Share link for " + sh.Recipient.Name))
		return
	}
	png, err := code.PNG(0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

func (h *Handler) accessLog(w http.ResponseWriter, r *http.Request) {
	who, ok := h.owner(w, r, access.ReadLog)
	if !ok {
		return
	}
	entries, err := h.Service.Log(r.Context(), pod.PodID(who.Pod))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if entries == nil {
		entries = []LogEntry{}
	}
	problem.JSON(w, http.StatusOK, map[string]any{"entries": entries})
}

func (h *Handler) statusList(w http.ResponseWriter, r *http.Request) {
	jwt, err := h.Service.StatusListCredential(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", CredentialType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write([]byte(jwt))
}

func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/jwk-set+json")
	json.NewEncoder(w).Encode(h.Service.Keys().JWKS())
}

func (h *Handler) didDocument(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/did+json")
	json.NewEncoder(w).Encode(h.Service.Keys().DIDDocument())
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var inv *InvalidError
	switch {
	case errors.As(err, &inv):
		problem.Write(w, http.StatusUnprocessableEntity, "invalid-share", problem.Sentence(inv.Reason))
	case errors.Is(err, ErrNoGrant):
		problem.Write(w, http.StatusNotFound, "not-found", "There is no share like that.")
	case errors.Is(err, pod.ErrBusy), errors.Is(err, state.ErrBusy), errors.Is(err, pod.ErrUnavailable), errors.Is(err, vault.ErrUnavailable), errors.Is(err, statuslist.ErrFull):
		w.Header().Set("Retry-After", "5")
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "Sharing is not available at the moment. Nothing was changed; try again in a minute.")
	default:
		h.Log.ErrorContext(r.Context(), "consent request failed", "err", err)
		problem.Write(w, http.StatusInternalServerError, "internal", "Something went wrong on our side. Nothing was changed; try again later.")
	}
}
