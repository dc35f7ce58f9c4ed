package issuer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/satchel-project/satchel/consent/statuslist"
	"github.com/satchel-project/satchel/credentials/dataintegrity"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/state"
)

// Qualification is a course completion as prison education systems hold
// it.
type Qualification struct {
	CourseName    string `json:"courseName"`
	CourseCode    string `json:"courseCode,omitempty"`
	Accredited    bool   `json:"accredited"`
	AwardingBody  string `json:"awardingBody,omitempty"`
	Level         string `json:"level"`
	LearningStart string `json:"learningStart"`
	LearningEnd   string `json:"learningEnd"`
	Outcome       string `json:"outcome"`
	Grade         string `json:"grade,omitempty"`
	Establishment string `json:"establishment"`
}

// Check says, in plain words, what is wrong with q.
func (q Qualification) Check() error {
	var probs []string
	need := func(v, what string, max int) {
		v = strings.TrimSpace(v)
		if v == "" {
			probs = append(probs, what+" is missing")
		} else if len(v) > max {
			probs = append(probs, fmt.Sprintf("%s is longer than %d characters", what, max))
		}
	}
	need(q.CourseName, "the course name", 200)
	need(q.Level, "the level", 50)
	need(q.Outcome, "the outcome", 100)
	need(q.Establishment, "where it was studied", 200)
	for _, opt := range []struct{ v, what string }{{q.CourseCode, "the course code"}, {q.AwardingBody, "the awarding body"}, {q.Grade, "the grade"}} {
		if len(opt.v) > 200 {
			probs = append(probs, opt.what+" is too long")
		}
	}
	for _, f := range []struct{ v, what string }{{q.CourseName, "the course name"}, {q.CourseCode, "the course code"}, {q.AwardingBody, "the awarding body"},
		{q.Level, "the level"}, {q.Outcome, "the outcome"}, {q.Grade, "the grade"}, {q.Establishment, "where it was studied"}} {
		if !plainText(f.v) {
			probs = append(probs, f.what+" holds a line break, a control character or bytes that are not text; retype it")
		}
	}
	start, err1 := time.Parse(time.DateOnly, q.LearningStart)
	end, err2 := time.Parse(time.DateOnly, q.LearningEnd)
	if err1 != nil {
		probs = append(probs, "the start date must be a date like 2024-09-02")
	}
	if err2 != nil {
		probs = append(probs, "the end date must be a date like 2025-03-28")
	}
	if err1 == nil && err2 == nil && end.Before(start) {
		probs = append(probs, "the course cannot end before it starts")
	}
	if len(probs) > 0 {
		return &InvalidError{strings.Join(probs, "; ")}
	}
	return nil
}

// plainText reports whether s is UTF-8 without control characters: what a
// credential can hold and show as it was entered.
func plainText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// InvalidError is an issuance request that cannot be issued, in plain words.
type InvalidError struct{ Reason string }

func (e *InvalidError) Error() string { return e.Reason }

// Issued records a credential an organisation issued, for withdrawal.
type Issued struct {
	ID          string    `json:"id"`
	Org         string    `json:"org"`
	Enrolment   string    `json:"enrolment"`
	Pod         pod.PodID `json:"pod"`
	Delivered   pod.Path  `json:"delivered"`
	StatusIndex int       `json:"statusIndex"`
	CourseName  string    `json:"courseName"`     // what it says: the course, or "In custody at HMP Example"
	Kind        string    `json:"kind,omitempty"` // its kind of record; "" (a qualification) in records from before there were others
	Issued      time.Time `json:"issued"`
	Revoked     bool      `json:"revoked,omitempty"`
}

func issuedPath(org, id string) state.Name {
	return state.Name("issued/" + org + "/" + id + ".json")
}

// StatusListURL is where organisation org's status list is served.
func (s *Service) StatusListURL(org string) string { return s.baseURL + "/issuers/" + org + "/status" }

// VerificationMethod is the DID URL of org's signing key.
func (s *Service) VerificationMethod(ctx context.Context, org string) (string, error) {
	_, kid, err := s.PublicKey(ctx, org)
	if err != nil {
		return "", err
	}
	return s.DID(org) + "#" + kid, nil
}

// Issue signs a qualification credential for the leaver behind enrolment
// enrolmentID and delivers it into their pod's inbox/ (IssueRecord).
func (s *Service) Issue(ctx context.Context, org, enrolmentID string, q Qualification) (map[string]any, Issued, error) {
	return s.IssueRecord(ctx, org, enrolmentID, q)
}

// IssueRecord signs a credential of r's kind (a qualification, a custody
// period, a stay, a release document) for the leaver behind enrolment
// enrolmentID and delivers it into their pod's inbox/. An organisation can
// write nowhere else, and only to leavers enrolled with it. Nothing is
// signed that r.Check or its kind's schema refuses (*InvalidError).
func (s *Service) IssueRecord(ctx context.Context, org, enrolmentID string, r Record) (map[string]any, Issued, error) {
	o, err := s.Org(ctx, org)
	if err != nil {
		return nil, Issued{}, err
	}
	if err := o.maySign(r.Kind()); err != nil {
		return nil, Issued{}, err
	}
	e, err := s.enrolment(ctx, org, enrolmentID)
	if err != nil {
		return nil, Issued{}, err
	}
	if err := r.Check(); err != nil {
		return nil, Issued{}, err
	}
	kind := schemas.Types[r.Kind()]
	// The subject's id is new for every credential: the enrolment code (or
	// anything else kept between credentials) would let everyone shown two
	// of one person's credentials tie them together, and tie them to the
	// issuer's records.
	subject := r.subject()
	subject["id"] = "urn:uuid:" + newUUID()
	subject["type"] = kind.Name
	subject["name"] = e.LeaverName
	if err := checkSubject(r, subject); err != nil {
		return nil, Issued{}, err
	}
	idx, err := s.allocateStatus(ctx, org)
	if err != nil {
		return nil, Issued{}, err
	}
	id := newUUID()
	now := s.now().UTC().Truncate(time.Second)
	vc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", schemas.ContextURL},
		"id":                "urn:uuid:" + id,
		"type":              []any{"VerifiableCredential", kind.Credential},
		"issuer":            map[string]any{"id": s.DID(org), "name": o.Name},
		"validFrom":         now.Format(time.RFC3339),
		"credentialSubject": subject,
		"credentialStatus":  statuslist.Entry(s.StatusListURL(org), idx, "revocation"),
	}
	signer, err := s.signer(ctx, org)
	if err != nil {
		return nil, Issued{}, err
	}
	vm := s.DID(org) + "#" + signer.KeyID()
	signed, err := dataintegrity.Sign(vc, signer, vm, now, "assertionMethod", dataintegrity.Options{Loader: schemas.DefaultLoader})
	if err != nil {
		return nil, Issued{}, fmt.Errorf("sign credential: %w", err)
	}
	body, _ := json.Marshal(signed)
	slug := strings.TrimSuffix(kind.Schema, ".json") + "-" + r.Title() // "custody-period-In custody at HMP Example"
	p, _, err := s.pods.Post(ctx, e.Pod, pod.Path("inbox/"), slug, "application/ld+json", int64(len(body)), bytes.NewReader(body))
	if err != nil {
		return nil, Issued{}, fmt.Errorf("deliver credential: %w", err)
	}
	rec := Issued{ID: id, Org: org, Enrolment: e.ID, Pod: e.Pod, Delivered: p, StatusIndex: idx, CourseName: r.Title(), Kind: kind.Name, Issued: now}
	if err := s.db.WriteJSON(ctx, issuedPath(org, id), rec, state.CreateOnly()); err != nil {
		return nil, Issued{}, err
	}
	return signed, rec, nil
}

// Revoke withdraws a credential org issued (entered in error): its bit in
// org's status list is set, and verifiers say "withdrawn by the issuer".
func (s *Service) Revoke(ctx context.Context, org, id string) error {
	var rec Issued
	if _, err := s.db.ReadJSON(ctx, issuedPath(org, id), &rec); err != nil {
		return errors.New("this issuer has issued no credential with that ID")
	}
	if err := s.updateStatus(ctx, org, func(a *statuslist.Allocator) error { return a.Set(rec.StatusIndex, true) }); err != nil {
		return err
	}
	rec.Revoked = true
	return s.db.WriteJSON(ctx, issuedPath(org, id), rec, state.Cond{})
}

// Revoked reads bit idx of org's status list, from a decoded copy kept
// until the list changes.
func (s *Service) Revoked(ctx context.Context, org string, idx int) (bool, error) {
	etag, err := s.db.Version(ctx, statusPath(org))
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	d, ok := s.lists[org]
	if !ok {
		d = &statuslist.Decoded{}
		s.lists[org] = d
	}
	s.mu.Unlock()
	return d.Bit(etag, idx, func() ([]byte, string, error) { return s.db.ReadRaw(ctx, statusPath(org)) })
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
