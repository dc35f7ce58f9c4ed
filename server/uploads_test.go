package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowBody is an upload from a phone on a weak signal: it sends the form's
// fields and the start of the file, then nothing until released. started
// is closed when the server first reads it (the request is sent with
// Expect: 100-continue, so the body goes only once the server asks for it).
type slowBody struct {
	head, tail []byte
	started    chan struct{}
	release    <-chan struct{}
	once       sync.Once
}

func (b *slowBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	<-b.release
	if len(b.tail) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.tail)
	b.tail = b.tail[n:]
	return n, nil
}

// photoForm is the add-document form with the ID card photo, as a browser
// sends it.
func photoForm(t *testing.T, csrf, title string) (body []byte, contentType string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", csrf)
	mw.WriteField("title", title)
	mw.WriteField("where", "identity/")
	w, _ := mw.CreateFormFile("file", "id-card.png")
	w.Write(idCardPNG(t))
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

type uploadResult struct {
	status int
	body   string
	err    error
}

// startSlowUpload sends a document from b that stalls halfway until release
// is closed. It returns the body (whose started says the server is reading
// it) and where the answer will come.
func (b *browser) startSlowUpload(title string, release <-chan struct{}) (*slowBody, <-chan uploadResult) {
	b.t.Helper()
	data, ct := photoForm(b.t, b.csrf, title)
	half := len(data) / 2
	body := &slowBody{head: data[:half], tail: data[half:], started: make(chan struct{}), release: release}
	req, err := http.NewRequest("POST", b.s.url+"/my/documents/add", body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.ContentLength = int64(len(data))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Expect", "100-continue")
	c := *b.c
	tr := &http.Transport{ExpectContinueTimeout: time.Hour}
	b.t.Cleanup(tr.CloseIdleConnections)
	c.Transport = tr
	done := make(chan uploadResult, 1)
	go func() {
		resp, err := c.Do(req)
		if err != nil {
			done <- uploadResult{err: err}
			return
		}
		defer resp.Body.Close()
		page, err := io.ReadAll(resp.Body)
		done <- uploadResult{resp.StatusCode, string(page), err}
	}()
	return body, done
}

// TestSlowUploadsHoldUpOnlyTheirOwnAccount: one person sending four
// documents over a weak signal holds two upload slots, is told to wait for
// the others, and does not stop another person adding a document.
func TestSlowUploadsHoldUpOnlyTheirOwnAccount(t *testing.T) {
	s := newTestServer(t)
	s.leaver("ann")
	s.leaver("ben")
	ann := s.signedIn(t, "ann", webPassword, "/my")
	ben := s.signedIn(t, "ben", webPassword, "/my")
	ann.form("/my/documents/add")
	release := make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	defer free()
	bound := time.After(time.Minute) // a failure, not a pause: nothing here waits on time
	var slow []<-chan uploadResult
	for i := range 4 {
		body, done := ann.startSlowUpload("Slow photo "+string(rune('1'+i)), release)
		select {
		case <-body.started:
			slow = append(slow, done)
		case r := <-done:
			if i < 2 || r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "You are already sending two files") {
				t.Fatalf("upload %d of a slow four: %d %v, want it read (the first two) or 429 saying to wait; page: %.300s", i+1, r.status, r.err, r.body)
			}
		case <-bound:
			t.Fatalf("upload %d of a slow four neither read nor answered", i+1)
		}
	}

	// Ben's upload goes through while Ann's are stalled.
	data, ct := photoForm(t, ben.form("/my/documents/add").find(`name="csrf" value="([^"]*)"`), "Ben's photo")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.url+"/my/documents/add", bytes.NewReader(data))
	req.Header.Set("Content-Type", ct)
	resp, err := ben.c.Do(req)
	if err != nil {
		free()
		t.Fatalf("Ben's upload was held up by Ann's %d slow ones: %v", len(slow), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Ben's upload: status %d", resp.StatusCode)
	}
	ben.get("/my").want(http.StatusOK).shows("Ben&#39;s photo")

	// Ann's finish once her signal comes back.
	free()
	for i, done := range slow {
		if r := <-done; r.status != http.StatusSeeOther {
			t.Fatalf("Ann's slow upload %d: %d %v", i+1, r.status, r.err)
		}
	}
	ann.get("/my").want(http.StatusOK).shows("Slow photo 1", "Slow photo 2")
}
