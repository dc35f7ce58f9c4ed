package issuer

import (
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"mime"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/access"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/pod"
)

// Handler serves issuers' public identities and the issuing API.
type Handler struct {
	Service *Service
	// Grants checks grants given to /credentials/verify as enveloped
	// credentials (nil: they are refused).
	Grants GrantChecker
	Log    *slog.Logger
}

// Routes adds the handler's routes to r.
func (h *Handler) Routes(r *mux.Router) {
	r.HandleFunc("/issuers/{org}", h.page).Methods(http.MethodGet)
	r.HandleFunc("/issuers/{org}/did.json", h.didDocument).Methods(http.MethodGet)
	r.HandleFunc("/issuers/{org}/status", h.statusList).Methods(http.MethodGet)
	api := r.PathPrefix("/api/v1").Subrouter()
	api.HandleFunc("/enrolments", h.enrolments).Methods(http.MethodGet)
	api.HandleFunc("/issuers/{org}/enrolment", h.enrol).Methods(http.MethodPost)
	api.HandleFunc("/issuers/{org}/enrolment", h.withdraw).Methods(http.MethodDelete)
	api.HandleFunc("/issuers/{org}/enrolled", h.enrolled).Methods(http.MethodGet)
	api.HandleFunc("/issuers/{org}/issue", h.issue).Methods(http.MethodPost)
	api.HandleFunc("/issuers/{org}/issue.csv", h.issueCSV).Methods(http.MethodPost)
	api.HandleFunc("/issuers/{org}/credentials/{id}/revoke", h.revoke).Methods(http.MethodPost)
	r.HandleFunc("/credentials/issue", h.vcapiIssue).Methods(http.MethodPost)
	r.HandleFunc("/credentials/verify", h.vcapiVerify).Methods(http.MethodPost)
	r.HandleFunc("/presentations/verify", h.vcapiVerifyPresentation).Methods(http.MethodPost)
}

// who is the signed-in caller, from the principal middleware put in the
// request's context.
func (h *Handler) who(w http.ResponseWriter, r *http.Request) (access.Principal, bool) {
	c := access.From(r.Context())
	if !c.SignedIn() {
		access.Write(w, access.ErrUnauthenticated, "")
		return c, false
	}
	return c, true
}

// staff checks, with access.CanOrg, that the caller may use right for the
// organisation in the URL.
func (h *Handler) staff(w http.ResponseWriter, r *http.Request, right access.Right) (access.Principal, string, bool) {
	c, ok := h.who(w, r)
	if !ok {
		return c, "", false
	}
	org := mux.Vars(r)["org"]
	if access.CanOrg(c, right, org) != nil {
		problem.Write(w, http.StatusForbidden, "not-staff", "Only staff of this issuer can do this.")
		return c, "", false
	}
	return c, org, true
}

func (h *Handler) leaver(w http.ResponseWriter, r *http.Request) (access.Principal, bool) {
	c, ok := h.who(w, r)
	if ok && c.Pod == "" {
		problem.Write(w, http.StatusForbidden, "no-pod", "Only a person with a pod can let an issuer send them records.")
		return c, false
	}
	return c, ok
}

func (h *Handler) enrol(w http.ResponseWriter, r *http.Request) {
	c, ok := h.leaver(w, r)
	if !ok {
		return
	}
	var req struct {
		Name string `json:"name"`
	}
	json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req)
	if req.Name == "" {
		req.Name = c.Name
	}
	e, err := h.Service.Enrol(r.Context(), pod.PodID(c.Pod), mux.Vars(r)["org"], req.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	problem.JSON(w, http.StatusCreated, e)
}

func (h *Handler) withdraw(w http.ResponseWriter, r *http.Request) {
	c, ok := h.leaver(w, r)
	if !ok {
		return
	}
	if err := h.Service.Withdraw(r.Context(), pod.PodID(c.Pod), mux.Vars(r)["org"]); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) enrolments(w http.ResponseWriter, r *http.Request) {
	c, ok := h.leaver(w, r)
	if !ok {
		return
	}
	es, err := h.Service.Enrolments(r.Context(), pod.PodID(c.Pod))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	problem.JSON(w, http.StatusOK, map[string]any{"enrolments": es})
}

func (h *Handler) enrolled(w http.ResponseWriter, r *http.Request) {
	_, org, ok := h.staff(w, r, access.Manage)
	if !ok {
		return
	}
	es, err := h.Service.Enrolled(r.Context(), org)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []map[string]string{}
	for _, e := range es {
		out = append(out, map[string]string{"enrolment": e.ID, "leaverName": e.LeaverName})
	}
	problem.JSON(w, http.StatusOK, map[string]any{"enrolled": out})
}

// issueRequest is one record to issue: exactly one of its kinds is given.
type issueRequest struct {
	Enrolment       string           `json:"enrolment"`
	Qualification   *Qualification   `json:"qualification"`
	CustodyPeriod   *CustodyPeriod   `json:"custodyPeriod"`
	Stay            *Stay            `json:"stay"`
	ReleaseDocument *ReleaseDocument `json:"releaseDocument"`
}

// record is the one record r asks to issue (a qualification, as before
// there were other kinds, if it names none), or nil if it names more.
func (r issueRequest) record() Record {
	out := []Record{}
	if r.Qualification != nil {
		out = append(out, *r.Qualification)
	}
	if r.CustodyPeriod != nil {
		out = append(out, *r.CustodyPeriod)
	}
	if r.Stay != nil {
		out = append(out, *r.Stay)
	}
	if r.ReleaseDocument != nil {
		out = append(out, *r.ReleaseDocument)
	}
	switch len(out) {
	case 0:
		return Qualification{}
	case 1:
		return out[0]
	}
	return nil
}

func (h *Handler) issue(w http.ResponseWriter, r *http.Request) {
	_, org, ok := h.staff(w, r, access.Issue)
	if !ok {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		problem.Write(w, http.StatusUnsupportedMediaType, "unsupported-type", "Send the record as JSON.")
		return
	}
	var req issueRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.record() == nil {
		problem.Write(w, http.StatusBadRequest, "bad-request", "This is not a valid issuance request: send {\"enrolment\": \"...\"} with one of \"qualification\", \"custodyPeriod\", \"stay\" or \"releaseDocument\": {...}.")
		return
	}
	vc, rec, err := h.Service.IssueRecord(r.Context(), org, req.Enrolment, req.record())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	problem.JSON(w, http.StatusCreated, map[string]any{"id": rec.ID, "verifiableCredential": vc})
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	_, org, ok := h.staff(w, r, access.Manage)
	if !ok {
		return
	}
	if err := h.Service.Revoke(r.Context(), org, mux.Vars(r)["id"]); err != nil {
		problem.Write(w, http.StatusNotFound, "not-found", "This issuer has issued no credential with that ID.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) didDocument(w http.ResponseWriter, r *http.Request) {
	org := mux.Vars(r)["org"]
	if _, err := h.Service.Org(r.Context(), org); err != nil {
		h.fail(w, r, err)
		return
	}
	pub, kid, err := h.Service.PublicKey(r.Context(), org)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	did := h.Service.DID(org)
	vm := did + "#" + kid
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/did+json")
	json.NewEncoder(w).Encode(map[string]any{
		"@context": []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
		"id":       did,
		"verificationMethod": []map[string]any{{
			"id": vm, "type": "Multikey", "controller": did,
			"publicKeyMultibase": dataintegrity.MultikeyEd25519(pub),
		}},
		"assertionMethod": []string{vm},
	})
}

var pageTmpl = template.Must(template.New("issuer").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Name}} – issuer on Satchel</title>
<style>body{font-family:Arial,Helvetica,sans-serif;font-size:1.1875rem;line-height:1.45;max-width:40rem;margin:0 auto;padding:1rem;color:#0b0c0c}code{overflow-wrap:anywhere}</style></head>
<body><main><h1>{{.Name}}</h1>
<p>{{.Name}} issues signed records of courses and qualifications to people who asked it to, through Satchel.</p>
<p>Its records are W3C Verifiable Credentials signed with the key in its identity document. Anyone can check them.</p>
<dl><dt>Identifier</dt><dd><code>{{.DID}}</code></dd><dt>Identity document</dt><dd><a href="{{.DIDURL}}">{{.DIDURL}}</a></dd>
<dt>Withdrawn records</dt><dd><a href="{{.Status}}">{{.Status}}</a></dd></dl></main></body></html>`))

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	org := mux.Vars(r)["org"]
	o, err := h.Service.Org(r.Context(), org)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, map[string]string{
		"Name": o.Name, "DID": h.Service.DID(org),
		"DIDURL": h.Service.baseURL + "/issuers/" + org + "/did.json", "Status": h.Service.StatusListURL(org),
	})
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var inv *InvalidError
	var cannot *CannotSignError
	switch {
	case errors.As(err, &inv):
		problem.Write(w, http.StatusUnprocessableEntity, "invalid-record", problem.Sentence(inv.Reason))
	case errors.As(err, &cannot):
		problem.Write(w, http.StatusForbidden, "cannot-sign", cannot.Error()+" Nothing was signed.")
	case errors.Is(err, ErrNoOrg):
		problem.Write(w, http.StatusNotFound, "not-found", "There is no issuer with that name.")
	case errors.Is(err, ErrNotEnrolled):
		problem.Write(w, http.StatusForbidden, "not-enrolled", "This person has not allowed this issuer to send them records (or has withdrawn it).")
	default:
		h.Log.ErrorContext(r.Context(), "issuer request failed", "err", err)
		problem.Write(w, http.StatusServiceUnavailable, "unavailable", "This could not be done at the moment. Nothing was issued; try again later.")
	}
}
