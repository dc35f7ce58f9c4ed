package verifier_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/satchel-project/satchel/verifier"
)

// TestExpiredShareShowsOnlyItsStatus: once a share has expired, verifying
// it says so and no more (not who it was for, nor what it shared), and its
// signed grant is no longer given out.
func TestExpiredShareShowsOnlyItsStatus(t *testing.T) {
	t.Parallel()
	v, _, g := setup(t)
	ctx := context.Background()
	if r, _, _, _ := v.VerifyToken(ctx, g.Token); r.Grant == nil || r.Status != "active" {
		t.Fatalf("before expiry: %+v", r)
	}
	verifier.SetClock(v, func() time.Time { return g.Expires.Add(time.Second) })
	r, _, _, err := v.VerifyToken(ctx, g.Token)
	if err != nil || r.Valid || r.Status != "expired" || r.Grant != nil || len(r.Checks) == 0 {
		t.Fatalf("expired token: %+v, %v", r, err)
	}
	if r := v.VerifyCredential(ctx, g.Credential); r.Valid || r.Status != "expired" || r.Grant != nil {
		t.Fatalf("expired grant: %+v", r)
	}
	b, _ := json.Marshal(r)
	if strings.Contains(string(b), "Acme") || strings.Contains(string(b), `"grant"`) {
		t.Fatalf("expired share in JSON: %s", b)
	}

	m := mux.NewRouter()
	(&verifier.Handler{Verifier: v}).Routes(m)
	ts := httptest.NewServer(m)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/s/" + g.Token + "/grant")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGone || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), "expired") || strings.Contains(string(body), "eyJ") {
		t.Fatalf("grant of an expired share: %d %s", resp.StatusCode, body)
	}
}
