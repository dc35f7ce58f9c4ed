package server_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
)

// The upload script's request gets 204 and the next page's address, so the
// browser loads that page (and its "saved" message) as it would after a
// form; the same form sent by the browser itself still gets a 303.
func TestUploadScriptIsToldWhereToGoNext(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	b := s.signedIn(t, "jo", webPassword, "/my")
	b.form("/my/documents/add")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.csrf)
	mw.WriteField("title", photoTitle)
	mw.WriteField("where", "identity/")
	fw, _ := mw.CreateFormFile("file", "id-card.png")
	fw.Write(idCardPNG(t))
	mw.Close()
	p := b.do("POST", "/my/documents/add", &buf, "Content-Type", mw.FormDataContentType(), "X-Satchel-Upload", "1")
	p.want(http.StatusNoContent)
	if next := p.header.Get("X-Satchel-Next"); next != "/my" {
		t.Fatalf("X-Satchel-Next %q, want /my", next)
	}
	b.get("/my").want(http.StatusOK).shows("Your document is saved.", photoTitle)
}
