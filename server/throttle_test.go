package server_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Guessing passwords, as an attacker would: many at once, from one address
// and from many. Linux answers on every 127/8 address, so a test can dial
// from 127.0.0.2, 127.0.0.3… to be a different client.

// clientFrom is an HTTP client whose connections come from the loopback
// address ip. It keeps cookies and does not follow redirects, like browser.
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// loginWith is login through client c; it returns an error rather than
// failing, so that it may run on any goroutine.
func loginWith(c *http.Client, s *testServer, user, pass string) (response, error) {
	body := `{"username":` + quote(user) + `,"password":` + quote(pass) + `}`
	req, err := http.NewRequest("POST", s.url+"/auth/token", strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}, err
}

// inParallel runs n calls of f at once (all released together) and returns
// how many answered each status; a 429 without Retry-After fails t.
func inParallel(t *testing.T, n int, f func(i int) (response, error)) map[int]int {
	t.Helper()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[int]int{}
		errs   []error
		start  = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := f(i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			counts[r.status]++
			if r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") == "" {
				errs = append(errs, errNoRetryAfter)
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	return counts
}

var errNoRetryAfter = errors.New("a 429 without Retry-After")

// TestParallelGuessesAreHeldBeforeTheCheck: guesses sent all at once are
// counted while they are being checked, so no more reach the password check
// than would one after another (5 free, then one more before the first
// delay), and the rest are told to wait.
func TestParallelGuessesAreHeldBeforeTheCheck(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	c := clientFrom(t, "127.0.0.1")
	counts := inParallel(t, 100, func(i int) (response, error) {
		return loginWith(c, s, "jo", "wrong-password-"+string(rune('a'+i%26)))
	})
	checked := 100 - counts[http.StatusTooManyRequests]
	t.Logf("%d of 100 parallel guesses reached the password check (answers %v; throttle admitted %d)", checked, counts, s.b.Throttle.Admitted())
	if checked > 7 || counts[http.StatusUnauthorized] != checked || s.b.Throttle.Admitted() != int64(checked) {
		t.Fatalf("%d of 100 parallel guesses reached the password check (answers %v), want at most 5 free and 2 more", checked, counts)
	}
}

// TestParallelWebGuessesAreHeldBeforeTheCheck is the same through the
// sign-in page.
func TestParallelWebGuessesAreHeldBeforeTheCheck(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	const n = 40
	browsers := make([]*browser, n)
	for i := range browsers {
		browsers[i] = s.browser(t)
		browsers[i].form("/sign-in")
	}
	var waitShown sync.Map
	counts := inParallel(t, n, func(i int) (response, error) {
		b := browsers[i]
		v := url.Values{"username": {"jo"}, "password": {"wrong-password"}, "csrf": {b.csrf}}
		req, err := http.NewRequest("POST", s.url+"/sign-in", strings.NewReader(v.Encode()))
		if err != nil {
			return response{}, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := b.c.Do(req)
		if err != nil {
			return response{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusTooManyRequests && strings.Contains(string(body), "You typed a wrong password too many times") {
			waitShown.Store(i, true)
		}
		return response{resp.StatusCode, resp.Header, body}, err
	})
	checked := n - counts[http.StatusTooManyRequests]
	if checked > 7 || counts[http.StatusUnauthorized] != checked {
		t.Fatalf("%d of %d parallel guesses on the sign-in page reached the password check (answers %v), want at most 7", checked, n, counts)
	}
	shown := 0
	waitShown.Range(func(any, any) bool { shown++; return true })
	if shown != counts[http.StatusTooManyRequests] {
		t.Errorf("%d of %d refused pages say to wait", shown, counts[http.StatusTooManyRequests])
	}
}

// TestGuesserElsewhereDoesNotLockOut: someone guessing jo's password from
// one address is stopped there, while jo, elsewhere, still signs in, on the
// API and the pages.
func TestGuesserElsewhereDoesNotLockOut(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	guesser := clientFrom(t, "127.0.0.2")
	counts := map[int]int{}
	for range 10 {
		r, err := loginWith(guesser, s, "jo", "wrong-password-1")
		if err != nil {
			t.Fatal(err)
		}
		counts[r.status]++
	}
	if counts[http.StatusUnauthorized] > 7 || counts[http.StatusTooManyRequests] < 3 {
		t.Fatalf("10 guesses from one address answered %v, want the last ones refused", counts)
	}
	r, err := loginWith(guesser, s, "jo", webPassword)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r, http.StatusTooManyRequests)

	jo := clientFrom(t, "127.0.0.3")
	r, err = loginWith(jo, s, "jo", webPassword)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r, http.StatusOK)
	b := s.browser(t)
	b.c = clientFrom(t, "127.0.0.4")
	b.signIn("jo", webPassword).redirects("/my")
}

// TestGuessingFromManyAddressesMeetsTheCeiling: guesses for one username
// spread over many addresses, each under its own limit, are stopped by the
// username's ceiling (50, then one more before the first delay), and
// another username is not.
func TestGuessingFromManyAddressesMeetsTheCeiling(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	s.leaver("sam")
	counts := map[int]int{}
	for i := range 12 {
		c := clientFrom(t, "127.0.1."+strconv.Itoa(i+1))
		for range 5 {
			r, err := loginWith(c, s, "jo", "wrong-password-1")
			if err != nil {
				t.Fatal(err)
			}
			counts[r.status]++
			if r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if n := counts[http.StatusUnauthorized]; n < 51 || n > 53 {
		t.Fatalf("60 guesses from 12 addresses answered %v, want 51 checked and the rest refused", counts)
	}
	fresh := clientFrom(t, "127.0.2.1")
	r, err := loginWith(fresh, s, "jo", webPassword)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r, http.StatusTooManyRequests)
	r.problem(t)
	r, err = loginWith(fresh, s, "sam", webPassword)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r, http.StatusOK)
}
