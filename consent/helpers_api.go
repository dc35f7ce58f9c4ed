package consent

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/pod"
)

// HelperAccount is what the consent API needs to know of a helper account.
type HelperAccount struct {
	ID, Username, Name string
}

// Errors from Handler.FindHelper.
var (
	// ErrNotHelper: the username names no helper account.
	ErrNotHelper = errors.New("that is not a helper's username")
	// ErrTooManyLookups: too many usernames that named no helper, lately.
	ErrTooManyLookups = errors.New("too many usernames that name no helper")
)

func (h *Handler) helperRoutes(api *mux.Router) {
	api.HandleFunc("/helpers", h.addHelper).Methods(http.MethodPost)
	api.HandleFunc("/helpers", h.listHelpers).Methods(http.MethodGet)
	api.HandleFunc("/helpers/{username}", h.removeHelper).Methods(http.MethodDelete)
	api.HandleFunc("/chosen", h.chosen).Methods(http.MethodGet)
}

func (h *Handler) addHelper(w http.ResponseWriter, r *http.Request) {
	who, ok := h.owner(w, r, access.ManageHelpers)
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
	if errors.Is(err, ErrTooManyLookups) {
		w.Header().Set("Retry-After", "60")
		problem.Write(w, http.StatusTooManyRequests, "slow-down", "Too many usernames that did not match a helper. Wait a little, then try again.")
		return
	}
	if err != nil {
		problem.Write(w, http.StatusUnprocessableEntity, "invalid-helper", "There is no helper called "+req.Username+". Ask them for the username of their Satchel helper account.")
		return
	}
	d := Delegation{Pod: pod.PodID(who.Pod), LeaverName: who.Name, Helper: acct.ID, HelperUser: acct.Username, HelperName: acct.Name, Rights: rights}
	if err := h.Service.SetHelper(r.Context(), d); err != nil {
		h.fail(w, r, err)
		return
	}
	problem.JSON(w, http.StatusCreated, d)
}

func (h *Handler) listHelpers(w http.ResponseWriter, r *http.Request) {
	who, ok := h.owner(w, r, access.View)
	if !ok {
		return
	}
	ds, err := h.Service.Helpers(r.Context(), pod.PodID(who.Pod))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []Delegation{}
	}
	problem.JSON(w, http.StatusOK, map[string]any{"helpers": ds})
}

func (h *Handler) removeHelper(w http.ResponseWriter, r *http.Request) {
	who, ok := h.owner(w, r, access.ManageHelpers)
	if !ok {
		return
	}
	acct, err := h.FindHelper(r.Context(), mux.Vars(r)["username"])
	if err == nil {
		err = h.Service.RemoveHelper(r.Context(), pod.PodID(who.Pod), acct.ID)
	}
	if err != nil {
		problem.Write(w, http.StatusNotFound, "not-found", "You have not chosen a helper called "+mux.Vars(r)["username"]+".")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// chosen lists, for a helper, the people who chose them and what they may do.
func (h *Handler) chosen(w http.ResponseWriter, r *http.Request) {
	who := access.From(r.Context())
	if !who.SignedIn() {
		access.Write(w, access.ErrUnauthenticated, "")
		return
	}
	ds, err := h.Service.Chosen(r.Context(), who.Account)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, d := range ds {
		out = append(out, map[string]any{"leaverName": d.LeaverName, "pod": h.Service.PodURL(d.Pod), "rights": d.Rights})
	}
	problem.JSON(w, http.StatusOK, map[string]any{"chosenBy": out})
}

// acting is whose shares a request is about, and who asks.
type acting struct {
	who access.Principal
	// Pod is the pod acted in; LeaverName its owner's name.
	Pod        pod.PodID
	LeaverName string
	// Actor is the helper's name when a helper acts; "" for the owner.
	Actor     string
	delegated []access.Right
	now       time.Time
}

// may asks access.Can for right at path in a's pod, answering the client
// itself when refused.
func (a acting) may(w http.ResponseWriter, right access.Right, path string) bool {
	err := access.Can(a.who, access.Request{Right: right, Pod: string(a.Pod), Path: path, Delegated: a.delegated, Now: a.now})
	if err != nil {
		detail := ""
		if a.Actor != "" {
			detail = a.LeaverName + " has not allowed you to share this. A helper can share only what they have been allowed to see."
		}
		access.Write(w, err, detail)
		return false
	}
	return true
}

// seesLink reports whether a may see a share's link: the owner sees every
// one, a helper only the links of the shares they made themselves.
func (a acting) seesLink(sh Share) bool {
	return a.Actor == "" || sh.GrantedBy == a.who.Account
}

// actingFor resolves whose shares a request is about: the caller's own
// pod, or, for a helper the pod's owner let share, the pod named by podID.
// It answers the client itself when refused.
func (h *Handler) actingFor(w http.ResponseWriter, r *http.Request, podID string) (acting, bool) {
	who := access.From(r.Context())
	a := acting{who: who, Pod: pod.PodID(podID), now: h.Service.now()}
	if !who.SignedIn() {
		access.Write(w, access.ErrUnauthenticated, "")
		return a, false
	}
	if podID == "" || who.Owns(podID) {
		if who.Pod == "" {
			problem.Write(w, http.StatusForbidden, "no-pod", "Only the person whose pod it is, or a helper they chose to share for them, can share from it.")
			return a, false
		}
		a.Pod, a.LeaverName = pod.PodID(who.Pod), who.Name
		return a, a.may(w, access.Share, "")
	}
	if who.Kind == access.Helper {
		d, err := h.Service.Delegation(r.Context(), a.Pod, who.Account)
		if err != nil && !errors.Is(err, ErrNoDelegation) {
			h.fail(w, r, err)
			return a, false
		}
		a.delegated, a.LeaverName, a.Actor = d.Rights, d.LeaverName, access.Actor(who, podID)
	}
	return a, a.may(w, access.Share, "")
}

// recordShare writes a helper's share or withdrawal into the leaver's log.
func (h *Handler) recordShare(ctx context.Context, g Grant, actor, what string) error {
	return h.Service.Record(ctx, g.Pod, LogEntry{Type: what, Grant: g.ID, Recipient: g.Recipient, Purpose: g.Purpose, Who: actor})
}
