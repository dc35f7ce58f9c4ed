package consent

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/pod"
)

// HelperAccount is what the consent API needs to know of a helper account.
type HelperAccount struct {
	ID, Username, Name string
}

// ErrNotHelper: the username names no helper account.
var ErrNotHelper = errors.New("that is not a helper's username")

func (h *Handler) helperRoutes(api *mux.Router) {
	api.HandleFunc("/helpers", h.addHelper).Methods(http.MethodPost)
	api.HandleFunc("/helpers", h.listHelpers).Methods(http.MethodGet)
	api.HandleFunc("/helpers/{username}", h.removeHelper).Methods(http.MethodDelete)
	api.HandleFunc("/chosen", h.chosen).Methods(http.MethodGet)
}

func (h *Handler) addHelper(w http.ResponseWriter, r *http.Request) {
	c, ok := h.owner(w, r)
	if !ok {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported-type", "Send JSON: {\"username\": \"...\", \"rights\": [\"view\", \"add\", \"share\"]}.")
		return
	}
	var req struct {
		Username string   `json:"username"`
		Rights   []string `json:"rights"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", "Send JSON: {\"username\": \"...\", \"rights\": [\"view\", \"add\", \"share\"]}.")
		return
	}
	var joined string
	for i, x := range req.Rights {
		if i > 0 {
			joined += ","
		}
		joined += x
	}
	rights, err := ParseRights(joined)
	if err != nil {
		problem.Write(w, http.StatusUnprocessableEntity, "invalid-helper", problem.Sentence(err.Error()))
		return
	}
	acct, err := h.FindHelper(r.Context(), req.Username)
	if err != nil {
		problem.Write(w, http.StatusUnprocessableEntity, "invalid-helper", "There is no helper called "+req.Username+". Ask them for the username of their Satchel helper account.")
		return
	}
	d := Delegation{Pod: c.Pod, LeaverName: c.Name, Helper: acct.ID, HelperUser: acct.Username, HelperName: acct.Name, Rights: rights}
	if err := h.Service.SetHelper(r.Context(), d); err != nil {
		h.fail(w, err)
		return
	}
	problem.JSON(w, http.StatusCreated, d)
}

func (h *Handler) listHelpers(w http.ResponseWriter, r *http.Request) {
	c, ok := h.owner(w, r)
	if !ok {
		return
	}
	ds, err := h.Service.Helpers(r.Context(), c.Pod)
	if err != nil {
		h.fail(w, err)
		return
	}
	if ds == nil {
		ds = []Delegation{}
	}
	problem.JSON(w, http.StatusOK, map[string]any{"helpers": ds})
}

func (h *Handler) removeHelper(w http.ResponseWriter, r *http.Request) {
	c, ok := h.owner(w, r)
	if !ok {
		return
	}
	acct, err := h.FindHelper(r.Context(), mux.Vars(r)["username"])
	if err == nil {
		err = h.Service.RemoveHelper(r.Context(), c.Pod, acct.ID)
	}
	if err != nil {
		problem.Write(w, http.StatusNotFound, "not-found", "You have not chosen a helper called "+mux.Vars(r)["username"]+".")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// chosen lists, for a helper, the people who chose them and what they may do.
func (h *Handler) chosen(w http.ResponseWriter, r *http.Request) {
	c, err := h.Caller(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="satchel"`)
		problem.Write(w, http.StatusUnauthorized, "unauthenticated", "Sign in first: this needs a valid access token.")
		return
	}
	ds, err := h.Service.Chosen(r.Context(), c.Account)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := []map[string]any{}
	for _, d := range ds {
		out = append(out, map[string]any{"leaverName": d.LeaverName, "pod": h.Service.PodURL(d.Pod), "rights": d.Rights})
	}
	problem.JSON(w, http.StatusOK, map[string]any{"chosenBy": out})
}

// actingFor resolves whose shares a request is about: the caller's own
// pod, or, for a helper with the "share" right, the pod named by podID.
// It answers the client itself when refused.
func (h *Handler) actingFor(w http.ResponseWriter, r *http.Request, podID string) (Caller, string, bool) {
	c, err := h.Caller(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="satchel"`)
		problem.Write(w, http.StatusUnauthorized, "unauthenticated", "Sign in first: this needs a valid access token.")
		return Caller{}, "", false
	}
	if podID == "" || pod.PodID(podID) == c.Pod {
		if c.Pod == "" {
			problem.Write(w, http.StatusForbidden, "no-pod", "Only the person whose pod it is, or a helper they chose to share for them, can share from it.")
			return Caller{}, "", false
		}
		return c, "", true
	}
	d, err := h.Service.Delegation(r.Context(), pod.PodID(podID), c.Account)
	if err != nil {
		problem.Write(w, http.StatusNotFound, "not-found", "Nothing is stored at this address.")
		return Caller{}, "", false
	}
	if !d.Can(RightShare) {
		problem.Write(w, http.StatusForbidden, "not-delegated", d.LeaverName+" has not allowed you to share on their behalf.")
		return Caller{}, "", false
	}
	return Caller{Account: c.Account, Name: d.LeaverName, Pod: d.Pod}, c.Name, true
}

// recordShare writes a helper's share or withdrawal into the leaver's log.
func (h *Handler) recordShare(ctx context.Context, g Grant, actor, what string) error {
	return h.Service.Record(ctx, g.Pod, LogEntry{Type: what, Grant: g.ID, Recipient: g.Recipient, Purpose: g.Purpose, Who: actor})
}
