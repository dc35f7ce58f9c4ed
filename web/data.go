package web

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/auth"
	"github.com/satchel-project/satchel/internal/problem"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/schemas"
	"github.com/satchel-project/satchel/verifier"
)

func (p *Pages) myData(w http.ResponseWriter, r *http.Request, s *Session) {
	p.render(w, r, s, http.StatusOK, "data", nil)
}

// download sends everything in the pod as one zip file: every record (as
// JSON-LD) and document (as itself) at its path (made safe to unpack
// anywhere: see zipNames), the access log, and summary.txt, a readable list
// of it all.
func (p *Pages) download(w http.ResponseWriter, r *http.Request, s *Session) {
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "satchel-" + s.Username + ".zip"}))
	z := zip.NewWriter(w)
	var summary strings.Builder
	c := words(r.Context())
	fmt.Fprintf(&summary, "%s\n\n", c.Text("data.summary.heading", s.Name, c.DateTime(p.now())))
	names := newZipNames("summary.txt")
	ctl := http.NewResponseController(w)
	err := p.walk(r.Context(), s.Pod, "", func(path pod.Path, m pod.Member) error {
		// However many files there are, a slow connection that keeps
		// moving gets them all.
		ctl.SetWriteDeadline(time.Now().Add(fileTimeout))
		res, rc, err := p.Pods.Get(r.Context(), s.Pod, path)
		if err != nil {
			return err
		}
		defer rc.Close()
		name := names.name(string(path))
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: res.Modified})
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, rc); err != nil {
			return err
		}
		if path.IsAccessLog() {
			return nil
		}
		t := thing{Title: path.Name(), Kind: kindOf(res.ContentType)}
		if res.ContentType == "application/ld+json" {
			if t, err = p.readThing(r.Context(), s.Pod, path); err != nil {
				return err
			}
		}
		fmt.Fprintf(&summary, "%s (%s): %s\n", t.Title, c.Text(t.Kind), name)
		if t.Doc != nil {
			typ, _ := t.Doc["type"].(string)
			doc := t.Doc
			if subj, ok := doc["credentialSubject"].(map[string]any); ok {
				doc, typ = subj, schemas.SubjectType(t.Doc).Name
				fmt.Fprintf(&summary, "    %s\n", c.Text("things.signed-by", t.Signer))
			}
			for _, row := range verifier.Rows(r.Context(), typ, doc) {
				fmt.Fprintf(&summary, "    %s: %s\n", row.Label, row.Value)
			}
		}
		summary.WriteString("\n")
		return nil
	})
	if err == nil {
		var f io.Writer
		if f, err = z.Create("summary.txt"); err == nil {
			_, err = io.WriteString(f, summary.String())
		}
	}
	if err == nil {
		err = z.Close()
	}
	if err != nil {
		// The headers are gone; a broken zip is what the browser keeps,
		// and it will not open, so nothing half-written is mistaken for
		// the whole.
		p.Log.ErrorContext(r.Context(), "download failed", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// fileTimeout is how long one file of a download may take to send: 25 MiB
// at 15 KB/s.
const fileTimeout = 30 * time.Minute

// walk calls fn for every resource below container c of pod id.
func (p *Pages) walk(ctx context.Context, id pod.PodID, c pod.Path, fn func(pod.Path, pod.Member) error) error {
	_, members, err := p.Pods.List(ctx, id, c)
	if err != nil {
		return err
	}
	for _, m := range members {
		path := c.Child(m.Name)
		if m.IsContainer() {
			if err := p.walk(ctx, id, path, fn); err != nil {
				return err
			}
			continue
		}
		if path.IsDescription() {
			continue
		}
		if err := fn(path, m); err != nil {
			return err
		}
	}
	return nil
}

// deleteAccount warns, asks for the password, then deletes the account
// and everything kept for it (see Pages.DeleteAccount): shares, helpers,
// enrolments, the pod and the account. The pod's key is destroyed first,
// so nothing in it can be read again, even from a backup of the storage.
func (p *Pages) deleteAccount(w http.ResponseWriter, r *http.Request, s *Session) {
	if r.Method == http.MethodGet {
		p.render(w, r, s, http.StatusOK, "delete-account", nil)
		return
	}
	pw := r.PostFormValue("password")
	attempt, wait, err := p.Throttle.Begin(r.Context(), auth.UserKey(s.Username), auth.IPKey(r))
	if err != nil {
		p.Log.ErrorContext(r.Context(), "deleting an account failed", "err", err)
		p.fail(w, r, s)
		return
	}
	if attempt == nil {
		problem.RetryAfter(w, wait)
		p.render(w, r, s, http.StatusTooManyRequests, "delete-account", view{"Errors": []fieldError{{Field: "password", Key: "reset.error.wait"}}})
		return
	}
	defer attempt.Done()
	_, err = p.Accounts.Authenticate(r.Context(), s.Username, pw)
	if errors.Is(err, account.ErrBadPassword) || pw == "" {
		attempt.Fail()
		p.render(w, r, s, http.StatusUnprocessableEntity, "delete-account", view{"Errors": []fieldError{{Field: "password", Key: "delete-account.error"}}})
		return
	}
	if err != nil {
		p.fail(w, r, s)
		return
	}
	ctx := r.Context()
	err = p.DeleteAccount(ctx, s.Username)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "deleting an account failed", "err", err)
		p.fail(w, r, s)
		return
	}
	// Every sign-in has ended (Retire); the sessions and their list go too.
	if err := p.sessions.endAll(ctx, s.Account); err != nil {
		p.Log.WarnContext(r.Context(), "removing the sessions of a deleted account failed", "err", err)
	}
	p.sessions.end(ctx, w, r)
	p.render(w, r, nil, http.StatusOK, "problem", view{"Heading": "delete-account.done", "Body": "delete-account.done.body"})
}
