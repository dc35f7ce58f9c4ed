package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/server"
)

// lockedBuffer is a log destination that handlers may write concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitForLog waits until the log holds s: a request's line is written once
// its handler returns, which may be after the client has its answer.
func waitForLog(t *testing.T, log *lockedBuffer, s string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log.String(), s); {
		if time.Now().After(deadline) {
			t.Fatalf("the log never held %q:\n%s", s, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLogsHoldNoSecrets runs what a leaver, a landlord and a stranger do
// (sign in by API and by page, save a record, share it, open the share by
// link and by code, get things wrong) with the server logging everything
// down to debug, and finds none of their secrets, names or words in the
// log, in either format.
func TestLogsHoldNoSecrets(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) { logsHoldNoSecrets(t, format) })
	}
}

func logsHoldNoSecrets(t *testing.T, format string) {
	log := &lockedBuffer{}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	var h slog.Handler = slog.NewTextHandler(log, opts)
	if format == "json" {
		h = slog.NewJSONHandler(log, opts)
	}
	s := newTestServer(t, func(c *server.Config) { c.Log = slog.New(h) })
	const (
		username    = "zebedee-quill"
		displayName = "Zebedee Quixotic-Marchbanks"
		password    = "violet-harbour-ninety-seven"
		wrongPass   = "plover-xyzzy-wrong-guess"
		recordValue = "17 Quillwort Gardens"
		badRecord   = "Wobblethorpe-Unlisted"
	)
	a, err := s.b.Accounts.Create(context.Background(), username, account.Leaver, displayName, password)
	if err != nil {
		t.Fatal(err)
	}
	pod := s.podURL(string(a.Pod))
	secrets := []string{username, displayName, "Quixotic", "Marchbanks", password, wrongPass,
		recordValue, "Quillwort", badRecord, string(a.Pod)}

	// The API: sign in, a wrong password, save records, one that is wrong,
	// ask for what is not there, share.
	expect(t, login(s, username, wrongPass), http.StatusUnauthorized)
	expect(t, login(s, "nobody-"+username, wrongPass), http.StatusUnauthorized)
	r := login(s, username, password)
	expect(t, r, http.StatusOK)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(r.body, &tr)
	tok := tr.AccessToken
	secrets = append(secrets, tok)
	history := strings.Replace(coveringHistory, "2 Park Row", recordValue, 1)
	expect(t, s.do("PUT", pod+"housing/history.jsonld", tok, strings.NewReader(history), "Content-Type", "application/ld+json"), http.StatusCreated)
	expect(t, s.do("PUT", pod+"identity/birth.jsonld", tok, strings.NewReader(birthCertificate), "Content-Type", "application/ld+json"), http.StatusCreated)
	bad := `{"@context":"https://w3id.org/satchel/v1","type":"BirthCertificate","name":"` + badRecord + `","birthDate":"not a date"}`
	expect(t, s.do("PUT", pod+"identity/other.jsonld", tok, strings.NewReader(bad), "Content-Type", "application/ld+json"), http.StatusUnprocessableEntity)
	expect(t, s.do("GET", pod+"housing/"+badRecord+".jsonld", tok, nil), http.StatusNotFound)
	expect(t, s.do("GET", s.url+"/nothing/"+badRecord, "", nil), http.StatusNotFound)
	expect(t, s.do("GET", pod+"housing/history.jsonld", tok, nil), http.StatusOK)
	r = s.do("POST", s.url+"/api/v1/grants", tok, strings.NewReader(currentAddressOnly), "Content-Type", "application/json")
	expect(t, r, http.StatusCreated)
	var g struct{ ID, ShareURL, ShareCode string }
	json.Unmarshal(r.body, &g)
	link := g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:]
	secrets = append(secrets, link, g.ID, g.ShareCode, strings.ReplaceAll(g.ShareCode, "-", ""))
	expect(t, s.do("GET", s.url+"/api/v1/grants/"+g.ID, tok, nil), http.StatusOK)

	// The landlord opens the link, its grant, and the share by its code.
	expect(t, s.do("GET", s.url+"/s/"+link, "", nil), http.StatusOK)
	expect(t, s.do("GET", s.url+"/s/"+link+"/grant", "", nil), http.StatusOK)
	expect(t, s.do("GET", s.url+"/s/"+link+"x", "", nil), http.StatusGone)
	landlord := s.browser(t)
	landlord.checkCode(g.ShareCode, "27", "3", "1985").want(http.StatusSeeOther)
	landlord.get("/s/" + link).want(http.StatusOK).shows(recordValue)
	landlord.checkCode("AAA-BBB-CCC", "27", "3", "1985").want(http.StatusUnprocessableEntity)

	// The leaver at a browser: a wrong password, then in, and around.
	jo := s.browser(t)
	jo.signIn(username, wrongPass).want(http.StatusUnauthorized)
	jo.signIn(username, password).redirects("/my")
	secrets = append(secrets, jo.csrf)
	jo.get("/my").want(http.StatusOK).shows("Birth certificate")
	jo.get("/my/shares/" + g.ID).want(http.StatusOK).shows(g.ShareCode)
	jo.get("/my/things/" + badRecord).want(http.StatusNotFound)
	for _, who := range []*http.Client{jo.c, landlord.c} {
		u, _ := url.Parse(s.url)
		for _, c := range who.Jar.Cookies(u) {
			if len(c.Value) >= 8 {
				secrets = append(secrets, c.Value)
			}
		}
	}
	expect(t, s.do("GET", s.url+"/healthz", "", nil), http.StatusOK)
	waitForLog(t, log, "/healthz")

	out := log.String()
	for _, secret := range secrets {
		if secret == "" {
			t.Fatal("a secret of the run is empty: the run went wrong")
		}
		if strings.Contains(out, secret) {
			t.Errorf("the %s log holds %q:\n%s", format, secret, out)
		}
	}
	if regexp.MustCompile(`/pods/[^"\s]|/s/[A-Za-z0-9_-]`).MatchString(out) {
		t.Errorf("the %s log holds a URL:\n%s", format, out)
	}

	// Each request has one line, with its route template and its ID.
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if format == "json" {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("not a JSON line: %s", line)
			}
			if rec["msg"] != "request" {
				continue
			}
			lines++
			if id, _ := rec["request_id"].(string); id == "" || rec["route"] == "" || rec["status"] == nil || rec["method"] == nil {
				t.Errorf("an access line without its ID, route, method or status: %s", line)
			}
			continue
		}
		if !strings.Contains(line, "msg=request ") {
			continue
		}
		lines++
		if !regexp.MustCompile(`request_id=[A-Za-z0-9._-]+`).MatchString(line) || !strings.Contains(line, "route=") {
			t.Errorf("an access line without its ID or route: %s", line)
		}
	}
	if lines < 25 {
		t.Errorf("%d access lines, want one a request:\n%s", lines, out)
	}
	for _, want := range []string{"/s/{token}", "/pods/", "/sign-in", "(none)", "/api/v1/grants/{id}"} {
		if !strings.Contains(out, want) {
			t.Errorf("no access line for %s:\n%s", want, out)
		}
	}
}

// TestRequestID: every answer carries an ID, the client's own when it is
// well formed, and a problem document quotes it.
func TestRequestID(t *testing.T) {
	s := newTestServer(t)
	r := s.do("GET", s.url+"/healthz", "", nil)
	if id := r.header.Get("X-Request-Id"); !regexp.MustCompile(`^[A-Za-z0-9._-]{16,64}$`).MatchString(id) {
		t.Fatalf("generated X-Request-Id %q", id)
	}
	if a, b := r.header.Get("X-Request-Id"), s.do("GET", s.url+"/healthz", "", nil).header.Get("X-Request-Id"); a == b {
		t.Fatalf("two requests share the ID %q", a)
	}
	r = s.do("GET", s.url+"/healthz", "", nil, "X-Request-Id", "lb-42.a_B")
	if id := r.header.Get("X-Request-Id"); id != "lb-42.a_B" {
		t.Fatalf("X-Request-Id %q, want the client's", id)
	}
	for _, bad := range []string{"has space", strings.Repeat("a", 65), "semi;colon", "<script>"} {
		r = s.do("GET", s.url+"/healthz", "", nil, "X-Request-Id", bad)
		if id := r.header.Get("X-Request-Id"); id == bad || id == "" {
			t.Fatalf("X-Request-Id %q for %q, want a new one", id, bad)
		}
	}
	r = s.do("GET", s.url+"/nothing", "", nil, "X-Request-Id", "quote-me")
	expect(t, r, http.StatusNotFound)
	if p := r.problem(t); p["requestId"] != "quote-me" {
		t.Fatalf("problem %v without the request's ID", p)
	}
}

// TestMetrics: the metrics listener counts requests by route family and
// status, refusals by problem, storage and custody calls and the pod key
// cache; the public address has no /metrics.
func TestMetrics(t *testing.T) {
	s := newTestServer(t, func(c *server.Config) { c.LinkRateLimit = 1 })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.b.ServeMetrics(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	metricsURL := "http://" + l.Addr().String() + "/metrics"

	pod, tok := leaverWithHistory(t, s)
	expect(t, s.do("GET", pod+"housing/history.jsonld", tok, nil), http.StatusOK)
	g, r := s.share(tok, currentAddressOnly)
	expect(t, r, http.StatusCreated)
	expect(t, s.do("GET", g.ShareURL, "", nil), http.StatusOK)
	expect(t, s.do("GET", g.ShareURL, "", nil), http.StatusTooManyRequests)
	expect(t, s.do("GET", s.url+"/metrics", "", nil), http.StatusNotFound)
	expect(t, s.do("GET", s.url+"/healthz", "", nil), http.StatusOK)
	expect(t, s.do("POST", s.url+"/internal/cache/invalidate", "", strings.NewReader(`{"keys":["x"]}`)), http.StatusNotFound)

	var body string
	for deadline := time.Now().Add(5 * time.Second); ; {
		resp, err := http.Get(metricsURL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/metrics: %d", resp.StatusCode)
		}
		body = string(b)
		if strings.Contains(body, `satchel_http_requests_total{family="health",status="200"} 1`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range []string{
		`satchel_http_requests_total{family="health",status="200"} 1`,
		`satchel_http_requests_total{family="none",status="404"} 1`,
		`satchel_http_requests_total{family="cluster",status="404"} 1`,
		`satchel_http_requests_total{family="pods",status="201"} 1`,
		`satchel_http_requests_total{family="pods",status="200"} 1`,
		`satchel_http_requests_total{family="consent",status="201"} 1`,
		`satchel_http_requests_total{family="verify",status="200"} 1`,
		`satchel_http_requests_total{family="verify",status="429"} 1`,
		`satchel_http_refusals_total{family="verify",problem="slow-down"} 1`,
		`satchel_http_request_duration_seconds_count{family="pods",status="201"} 1`,
		`satchel_storage_duration_seconds_count{op="put",result="ok"}`,
		`satchel_storage_duration_seconds_count{op="get",result="ok"}`,
		`satchel_custodian_duration_seconds_count{op="wrap",result="ok"}`,
		`satchel_custodian_duration_seconds_count{op="sign",result="ok"}`,
		`satchel_cache_hits_total{cache="pod_keys"}`,
		`satchel_cache_misses_total{cache="pod_keys"}`,
		`satchel_cache_hits_total{cache="object_keys"}`,
		`satchel_cache_misses_total{cache="object_keys"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	token := g.ShareURL[strings.LastIndex(g.ShareURL, "/")+1:]
	podID := strings.TrimSuffix(strings.TrimPrefix(pod, s.url+"/pods/"), "/")
	for _, secret := range []string{token, podID, "/pods/" + podID} {
		if strings.Contains(body, secret) {
			t.Errorf("metrics hold %q", secret)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}
