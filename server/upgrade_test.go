package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/internal/cli"
	"github.com/satchel-project/satchel/server"
)

// upgradeFixture is what release cf69431 wrote: a data directory (fs
// storage, local keys) made through that release's command line and HTTP
// API by make.sh beside it, and a manifest of what it holds. It must never
// be regenerated with a newer release.
const upgradeFixture = "testdata/upgrade/cf69431"

// upgradeManifest is the part of manifest.json the test checks against.
type upgradeManifest struct {
	Release string    `json:"release"`
	Made    time.Time `json:"made"`
	BaseURL string    `json:"baseURL"`
	Issuer  struct {
		Slug, Name, DID string
	} `json:"issuer"`
	Accounts []struct {
		Username    string `json:"username"`
		Kind        string `json:"kind"`
		DisplayName string `json:"displayName"`
		Password    string `json:"password"`
		Pod         string `json:"pod"`
		Org         string `json:"org"`
	} `json:"accounts"`
	SetupCode struct {
		Username, Code string
	} `json:"setupCode"`
	ResetCode struct {
		Username, Code, CheckedBy string
	} `json:"resetCode"`
	WebSession struct {
		Username, Cookie, Value string
	} `json:"webSession"`
	Pods map[string]struct {
		ID         string              `json:"id"`
		URL        string              `json:"url"`
		Containers map[string][]string `json:"containers"`
		Resources  []struct {
			Path        string `json:"path"`
			ContentType string `json:"contentType"`
			Size        int    `json:"size"`
			SHA256      string `json:"sha256"`
			Content     string `json:"content"`
		} `json:"resources"`
	} `json:"pods"`
	Shares      map[string]upgradeShare `json:"shares"`
	Credentials []struct {
		Owner, Path, ID, Issuer, IssuerName, Enrolment string
	} `json:"credentials"`
	Helpers []struct {
		Leaver, Helper, Added string
		Rights                []string
	} `json:"helpers"`
	AccessLog map[string]struct {
		Entries []map[string]any `json:"entries"`
	} `json:"accessLog"`
}

type upgradeShare struct {
	ID        string    `json:"id"`
	Owner     string    `json:"owner"`
	MadeBy    string    `json:"madeBy"`
	Status    string    `json:"status"`
	ShareURL  string    `json:"shareURL"`
	Token     string    `json:"token"`
	ShareCode string    `json:"shareCode"`
	SharedBy  string    `json:"sharedBy"`
	BirthDate string    `json:"birthDate"`
	Expires   time.Time `json:"expires"`
	Recipient struct{ Name, Kind string }
	Items     []struct {
		Path   string   `json:"path"`
		Fields []string `json:"fields"`
	} `json:"items"`
}

// TestUpgradeFromCf69431 serves the data release cf69431 wrote with
// today's code and checks, as its people would, that all of it still
// works: from the data directory as it was left, and from a fresh MinIO
// bucket holding every object of it (as "satchel migrate" copies them).
//
// The release baked its base URL (http://127.0.0.1:8080) into grants,
// share links and its issuer's did:web name, so the server is given that
// base URL while it listens on a port of its own; requests go to the port,
// and URLs from the data are compared as they are.
func TestUpgradeFromCf69431(t *testing.T) {
	m := readUpgradeManifest(t)
	t.Run("fs", func(t *testing.T) {
		data := copyUpgradeFixture(t)
		s := newTestServer(t, func(c *server.Config) {
			c.DataDir = data
			c.BaseURL = m.BaseURL
		})
		checkUpgrade(t, s, m)
	})
	t.Run("minio", func(t *testing.T) {
		spec, getenv := s3Env(t)
		spec = freshBucket(t, spec)
		data := copyUpgradeFixture(t)
		var out, errs bytes.Buffer
		env := &cli.Env{Stdout: &out, Stderr: &errs, Getenv: getenv, ConfigDir: t.TempDir()}
		if rc := cli.Main(context.Background(), env, []string{"migrate", "--data", data, "--from", "fs", "--to", spec}); rc != 0 {
			t.Fatalf("satchel migrate: exit %d: %s%s", rc, out.String(), errs.String())
		}
		t.Log(strings.TrimSpace(out.String()))
		// Only the bucket holds the objects now; the keys stay in data/keys.
		if err := os.RemoveAll(filepath.Join(data, "objects")); err != nil {
			t.Fatal(err)
		}
		s := newTestServer(t, func(c *server.Config) {
			c.DataDir = data
			c.Storage, c.Getenv = spec, getenv
			c.BaseURL = m.BaseURL
		})
		checkUpgrade(t, s, m)
	})
}

func readUpgradeManifest(t *testing.T) *upgradeManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(upgradeFixture, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m upgradeManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return &m
}

// copyUpgradeFixture copies the fixture's data directory to a temporary
// one, with the modes the release gave it (git keeps none: the server
// refuses a master key others can read).
func copyUpgradeFixture(t *testing.T) string {
	t.Helper()
	from := filepath.Join(upgradeFixture, "data")
	to := filepath.Join(t.TempDir(), "data")
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// freshBucket points an s3:// storage URL at a new bucket of its own.
func freshBucket(t *testing.T, spec string) string {
	t.Helper()
	u, err := url.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	u.Host = "upgrade-" + hex.EncodeToString(b)
	q := u.Query()
	q.Set("create", "true")
	u.RawQuery = q.Encode()
	return u.String()
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// local turns a URL under the release's base URL into one on this
// server's own address.
func (s *testServer) local(m *upgradeManifest, u string) string {
	return s.url + strings.TrimPrefix(u, m.BaseURL)
}

func checkUpgrade(t *testing.T, s *testServer, m *upgradeManifest) {
	now := time.Now()
	tokens := map[string]string{}

	// Everyone with a password signs in with it, and finds their own pod.
	for _, a := range m.Accounts {
		body, _ := json.Marshal(map[string]string{"username": a.Username, "password": a.Password})
		if a.Password == "" {
			body, _ = json.Marshal(map[string]string{"username": a.Username, "password": "not-set-up-yet"})
			expect(t, s.do("POST", s.url+"/auth/token", "", bytes.NewReader(body), "Content-Type", "application/json"), http.StatusUnauthorized)
			continue
		}
		r := s.do("POST", s.url+"/auth/token", "", bytes.NewReader(body), "Content-Type", "application/json")
		expect(t, r, http.StatusOK)
		var tok struct {
			AccessToken string `json:"access_token"`
			Pod         string `json:"pod"`
		}
		if err := json.Unmarshal(r.body, &tok); err != nil || tok.AccessToken == "" {
			t.Fatalf("%s signing in: %s", a.Username, r.body)
		}
		if a.Pod != "" && !strings.Contains(tok.Pod, a.Pod) {
			t.Fatalf("%s signed in to pod %q, want %s", a.Username, tok.Pod, a.Pod)
		}
		tokens[a.Username] = tok.AccessToken
	}

	// Each leaver's pod lists what it listed, and every record and document
	// reads back byte for byte, with its content type.
	for user, p := range m.Pods {
		tok := tokens[user]
		for c, want := range p.Containers {
			r := s.do("GET", s.local(m, p.URL+c), tok, nil, "Accept", "application/ld+json")
			expect(t, r, http.StatusOK)
			var listing struct {
				Graph []struct {
					ID       string `json:"@id"`
					Contains []struct {
						ID string `json:"@id"`
					} `json:"ldp:contains"`
				} `json:"@graph"`
			}
			if err := json.Unmarshal(r.body, &listing); err != nil || len(listing.Graph) == 0 {
				t.Fatalf("%s's %q: listing %s", user, c, r.body)
			}
			got := []string{}
			for _, m := range listing.Graph[0].Contains {
				got = append(got, strings.TrimPrefix(m.ID, p.URL))
			}
			sort.Strings(got)
			if want == nil {
				want = []string{}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s's %q lists %q, want %q", user, c, got, want)
			}
		}
		for _, res := range p.Resources {
			r := s.do("GET", s.local(m, p.URL+res.Path), tok, nil, "Accept", "*/*")
			expect(t, r, http.StatusOK)
			if ct := r.header.Get("Content-Type"); ct != res.ContentType {
				t.Errorf("%s's %s: Content-Type %q, want %q", user, res.Path, ct, res.ContentType)
			}
			if got := sum(r.body); got != res.SHA256 || len(r.body) != res.Size {
				t.Errorf("%s's %s: %d bytes, SHA-256 %s; want %d bytes, %s", user, res.Path, len(r.body), got, res.Size, res.SHA256)
			}
		}
		// The access log as the owner reads it.
		r := s.do("GET", s.url+"/api/v1/log", tok, nil)
		expect(t, r, http.StatusOK)
		var log struct {
			Entries []map[string]any `json:"entries"`
		}
		json.Unmarshal(r.body, &log)
		if want := m.AccessLog[user].Entries; !reflect.DeepEqual(log.Entries, want) {
			t.Errorf("%s's access log:\n got %v\nwant %v", user, log.Entries, want)
		}
	}
	if r := s.do("GET", s.url+"/api/v1/log", tokens[m.ResetCode.Username], nil); !strings.Contains(string(r.body), m.ResetCode.CheckedBy) {
		t.Errorf("%s's log does not say who checked them for the reset code: %s", m.ResetCode.Username, r.body)
	}

	// The credentials the organisation issued verify, under its name.
	for _, c := range m.Credentials {
		p := m.Pods[c.Owner]
		r := s.do("GET", s.local(m, p.URL+c.Path), tokens[c.Owner], nil)
		expect(t, r, http.StatusOK)
		body := `{"verifiableCredential":` + string(r.body) + `}`
		v := s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(body), "Content-Type", "application/json")
		expect(t, v, http.StatusOK)
		var ans struct {
			Valid       bool   `json:"valid"`
			IssuerKnown bool   `json:"issuerKnown"`
			IssuerName  string `json:"issuerName"`
			Issuer      string `json:"issuer"`
		}
		json.Unmarshal(v.body, &ans)
		if !ans.Valid || !ans.IssuerKnown || ans.IssuerName != c.IssuerName || ans.Issuer != m.Issuer.DID || !strings.Contains(string(r.body), c.ID) {
			t.Errorf("%s's credential %s: %s", c.Owner, c.ID, v.body)
		}
	}
	expect(t, s.do("GET", s.url+"/issuers/"+m.Issuer.Slug+"/did.json", "", nil), http.StatusOK)

	// The shares are listed as they were, with their links.
	owner := m.Shares["live"].Owner
	r := s.do("GET", s.url+"/api/v1/grants", tokens[owner], nil)
	expect(t, r, http.StatusOK)
	var list struct {
		Grants []struct {
			ID, Status, ShareURL, ShareCode, SharedBy string
		} `json:"grants"`
	}
	json.Unmarshal(r.body, &list)
	for name, sh := range m.Shares {
		found := false
		for _, g := range list.Grants {
			if g.ID != sh.ID {
				continue
			}
			found = true
			want := sh.Status
			if want == "active" && !now.Before(sh.Expires) {
				want = "expired"
			}
			if g.Status != want || g.ShareURL != sh.ShareURL || g.ShareCode != sh.ShareCode || g.SharedBy != sh.SharedBy {
				t.Errorf("the %s share is now %+v, want status %s, link %s, code %s, shared by %s", name, g, want, sh.ShareURL, sh.ShareCode, sh.SharedBy)
			}
		}
		if !found {
			t.Errorf("the %s share %s is not listed: %s", name, sh.ID, r.body)
		}
	}

	// The live link opens and shows its items (until it expires, 90 days
	// after the fixture was made: the release could give no longer); the
	// withdrawn one says it was withdrawn.
	live := m.Shares["live"]
	landlord := s.browser(t)
	if now.Before(live.Expires) {
		landlord.get(s.local(m, live.ShareURL)).want(http.StatusOK).shows(
			"This link is valid, and "+live.SharedBy+" shared these with you.",
			"Issued and signed by "+m.Issuer.Name+". Signature checked, not withdrawn.")
		for _, it := range live.Items {
			for _, res := range m.Pods[live.Owner].Resources {
				if res.Path != it.Path || len(it.Fields) > 0 || strings.HasSuffix(res.Path, ".jsonld") {
					continue
				}
				p := landlord.get(s.local(m, live.ShareURL) + "/items/" + it.Path).want(http.StatusOK)
				if sum([]byte(p.body)) != res.SHA256 {
					t.Errorf("%s through the live link: not the bytes stored", it.Path)
				}
			}
		}
		v := s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(`{"token":"`+live.Token+`"}`), "Content-Type", "application/json")
		if expect(t, v, http.StatusOK); !strings.Contains(string(v.body), `"valid":true`) {
			t.Errorf("verifying the live link: %s", v.body)
		}
		if live.ShareCode != "" {
			dob := strings.Split(live.BirthDate, "-")
			s.browser(t).send("/check", url.Values{"code": {live.ShareCode}, "dob-day": {dob[2]}, "dob-month": {dob[1]}, "dob-year": {dob[0]}}).
				want(http.StatusSeeOther)
		}
		// Opening it was written to the owner's log.
		r := s.do("GET", s.url+"/api/v1/log", tokens[owner], nil)
		var after struct{ Entries []any }
		json.Unmarshal(r.body, &after)
		if len(after.Entries) <= len(m.AccessLog[owner].Entries) {
			t.Errorf("opening the live link left no new entry in the log: %s", r.body)
		}
	} else {
		t.Logf("the live share expired on %s: checking that it says so", live.Expires.Format(time.DateOnly))
		landlord.get(s.local(m, live.ShareURL)).want(http.StatusGone)
	}
	revoked := m.Shares["revoked"]
	s.browser(t).get(s.local(m, revoked.ShareURL)).want(http.StatusGone).
		shows("This link has been withdrawn by the person who shared it.")
	v := s.do("POST", s.url+"/api/v1/verify", "", strings.NewReader(`{"token":"`+revoked.Token+`"}`), "Content-Type", "application/json")
	if !strings.Contains(string(v.body), `"status":"revoked"`) || strings.Contains(string(v.body), `"valid":true`) {
		t.Errorf("verifying the withdrawn link: %s", v.body)
	}
	expect(t, s.do("GET", s.local(m, revoked.ShareURL)+"/grant", "", nil), http.StatusGone)

	// The helper still has the rights the leaver gave: view, add, share
	// (only the links of the shares they made), and no more.
	for _, h := range m.Helpers {
		tok := tokens[h.Helper]
		p := m.Pods[h.Leaver]
		r := s.do("GET", s.url+"/api/v1/chosen", tok, nil)
		expect(t, r, http.StatusOK)
		var chosen struct {
			ChosenBy []struct {
				Pod    string   `json:"pod"`
				Rights []string `json:"rights"`
			} `json:"chosenBy"`
		}
		json.Unmarshal(r.body, &chosen)
		if len(chosen.ChosenBy) != 1 || !strings.Contains(chosen.ChosenBy[0].Pod, p.ID) || !reflect.DeepEqual(chosen.ChosenBy[0].Rights, h.Rights) {
			t.Errorf("%s was chosen by %s with %v; now: %s", h.Helper, h.Leaver, h.Rights, r.body)
		}
		for _, res := range p.Resources {
			r := s.do("GET", s.local(m, p.URL+res.Path), tok, nil, "Accept", "*/*")
			if strings.HasPrefix(res.Path, "access-log/") {
				if r.status < 400 {
					t.Errorf("helper %s read the access log %s: %d", h.Helper, res.Path, r.status)
				}
				continue
			}
			if r.status != http.StatusOK || sum(r.body) != res.SHA256 {
				t.Errorf("helper %s viewing %s: %d, %d bytes", h.Helper, res.Path, r.status, len(r.body))
			}
		}
		pdf := "%PDF-1.4\n%%EOF\n"
		expect(t, s.do("PUT", s.local(m, p.URL+"documents/after-upgrade.pdf"), tok, strings.NewReader(pdf), "Content-Type", "application/pdf"), http.StatusCreated)
		// add never replaces (the release answered 412: a helper's PUT is
		// create-only), whatever the refusal's status.
		if r := s.do("PUT", s.local(m, p.URL+h.Added), tok, strings.NewReader(pdf), "Content-Type", "application/pdf"); r.status != http.StatusForbidden && r.status != http.StatusPreconditionFailed {
			t.Errorf("helper %s replacing %s: %d, want 403 or 412", h.Helper, h.Added, r.status)
		}
		for _, res := range p.Resources {
			if res.Path == h.Added {
				if r := s.do("GET", s.local(m, p.URL+h.Added), tokens[h.Leaver], nil); sum(r.body) != res.SHA256 {
					t.Errorf("%s changed after helper %s tried to replace it", h.Added, h.Helper)
				}
			}
		}
		r = s.do("GET", s.url+"/api/v1/grants?pod="+p.ID, tok, nil)
		expect(t, r, http.StatusOK)
		var theirs struct {
			Grants []struct{ ID, ShareURL string } `json:"grants"`
		}
		json.Unmarshal(r.body, &theirs)
		for _, g := range theirs.Grants {
			for _, sh := range m.Shares {
				if sh.ID == g.ID && (g.ShareURL != "") != (sh.MadeBy == h.Helper) {
					t.Errorf("helper %s sees share %s (made by %s) with link %q", h.Helper, sh.ID, sh.MadeBy, g.ShareURL)
				}
			}
		}
	}

	// The organisation's staff can still issue to an enrolment made then.
	for _, c := range m.Credentials {
		body := `{"enrolment":"` + c.Enrolment + `","qualification":{"courseName":"After the upgrade","level":"Level 1","learningStart":"2026-01-05","learningEnd":"2026-03-27","outcome":"Achieved","establishment":"HMP Example"}}`
		r := s.do("POST", s.url+"/api/v1/issuers/"+m.Issuer.Slug+"/issue", tokens["tutor"], strings.NewReader(body), "Content-Type", "application/json")
		if r.status != http.StatusCreated && r.status != http.StatusOK {
			t.Errorf("issuing to %s's enrolment: %d %s", c.Owner, r.status, r.body)
		}
	}
	// Registered before organisations had a list of the kinds they may
	// sign, it still signs every kind: a custody period too.
	for _, c := range m.Credentials[:1] {
		body := `{"enrolment":"` + c.Enrolment + `","custodyPeriod":{"establishment":"HMP Example","from":"2023-02-01","to":"2025-01-31"}}`
		r := s.do("POST", s.url+"/api/v1/issuers/"+m.Issuer.Slug+"/issue", tokens["tutor"], strings.NewReader(body), "Content-Type", "application/json")
		if r.status != http.StatusCreated {
			t.Errorf("a custody period from the organisation from before: %d %s", r.status, r.body)
		}
	}

	// The web session the release started has ended by now (30 minutes
	// idle): it is refused plainly, and signing in again works.
	b := s.browser(t)
	b.c.Jar.SetCookies(mustURL(t, s.url), []*http.Cookie{{Name: m.WebSession.Cookie, Value: m.WebSession.Value}})
	if p := b.get("/my"); now.Before(m.Made.Add(30 * time.Minute)) {
		p.want(http.StatusOK)
	} else if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "sign-in") {
		t.Errorf("the release's ended session on /my: %d, Location %q", p.status, p.header.Get("Location"))
	}
	for _, a := range m.Accounts {
		if a.Kind == "leaver" && a.Password != "" {
			s.signedIn(t, a.Username, a.Password, "/my").get("/my").want(http.StatusOK)
		}
	}

	// Codes given out then: the set-up code (7 days) and the reset code
	// (24 hours) work while they last, and are refused plainly after.
	setup := s.browser(t).send("/start", url.Values{"username": {m.SetupCode.Username}, "code": {m.SetupCode.Code}, "password": {"kims-own-password"}, "password2": {"kims-own-password"}})
	if now.Before(m.Made.Add(7 * 24 * time.Hour)) {
		setup.want(http.StatusSeeOther)
	} else {
		setup.want(http.StatusUnprocessableEntity)
	}
	reset := s.browser(t).send("/reset", url.Values{"username": {m.ResetCode.Username}, "code": {m.ResetCode.Code}, "password": {"a-new-password"}, "password2": {"a-new-password"}})
	if now.Before(m.Made.Add(24 * time.Hour)) {
		reset.want(http.StatusOK).shows("Your password is changed")
	} else {
		reset.want(http.StatusUnprocessableEntity)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
