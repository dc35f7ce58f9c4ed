package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/examples"
	podpkg "github.com/satchel-project/satchel/pod"
)

// BenchmarkGetRecord measures an authenticated GET of a 1 KiB record over
// loopback HTTP, decrypted from the fs back end, with parallel clients.
func BenchmarkGetRecord(b *testing.B) {
	s := newTestServer(b)
	pod, tok := s.leaver("bench")
	rec := `{"name":"` + strings.Repeat("x", 1000) + `"}`
	req, _ := http.NewRequest("PUT", pod+"housing/r.json", strings.NewReader(rec))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	c := &http.Client{Transport: tr}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", pod+"housing/r.json", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

// BenchmarkListing200 is a GET of a container with 200 members, as JSON-LD
// and as Turtle, one request at a time: time per request.
func BenchmarkListing200(b *testing.B) {
	s := newTestServer(b)
	pod, tok := s.leaver("bench")
	id := strings.Split(strings.TrimPrefix(pod, s.url+"/pods/"), "/")[0]
	ctx := context.Background()
	for i := 0; i < 200; i++ {
		body := fmt.Sprintf("letter %d", i)
		if _, _, err := s.b.Pods.Put(ctx, podpkg.PodID(id), podpkg.Path(fmt.Sprintf("documents/letter-%03d.txt", i)), "text/plain", int64(len(body)), strings.NewReader(body), podpkg.Preconditions{}); err != nil {
			b.Fatal(err)
		}
	}
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	for _, accept := range []string{"application/ld+json", "text/turtle"} {
		b.Run(strings.ReplaceAll(accept, "/", "_"), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest("GET", pod+"documents/", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Accept", accept)
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || n < 200*100 {
					b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
				}
			}
		})
	}
}

// BenchmarkMyThingsPage is the leaver's home page, My things, over the
// example pod (records and documents in six sections, each record read
// and decrypted for its title), signed in with a session cookie, one
// request at a time: the server's time per page.
func BenchmarkMyThingsPage(b *testing.B) {
	s := newTestServer(b)
	pod, _ := s.leaver("bench")
	id := podpkg.PodID(strings.Split(strings.TrimPrefix(pod, s.url+"/pods/"), "/")[0])
	ctx := context.Background()
	for _, f := range examples.Files() {
		if _, _, err := s.b.Pods.Put(ctx, id, podpkg.Path(f.Path), f.ContentType, int64(len(f.Data)), bytes.NewReader(f.Data), podpkg.Preconditions{}); err != nil {
			b.Fatal(err)
		}
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(s.url + "/sign-in")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil {
		b.Fatal("no csrf on the sign-in page")
	}
	resp, err = c.PostForm(s.url+"/sign-in", url.Values{"csrf": {string(csrf[1])}, "username": {"bench"}, "password": {webPassword}})
	if err != nil || resp.Request.URL.Path != "/my" {
		b.Fatalf("sign-in: %v", err)
	}
	resp.Body.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := c.Get(s.url + "/my")
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n < 1000 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
	}
}

// BenchmarkPutRecord measures an authenticated PUT replacing a 1 KiB record
// over loopback HTTP, encrypted onto the fs back end, with parallel clients.
func BenchmarkPutRecord(b *testing.B) {
	s := newTestServer(b)
	pod, tok := s.leaver("bench")
	rec := `{"name":"` + strings.Repeat("x", 1000) + `"}`
	put := func(c *http.Client) int {
		req, _ := http.NewRequest("PUT", pod+"housing/r.json", strings.NewReader(rec))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			b.Error(err)
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := put(http.DefaultClient); code != http.StatusCreated {
		b.Fatalf("first PUT: status %d", code)
	}
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if code := put(c); code != http.StatusNoContent && code != http.StatusOK {
				b.Errorf("status %d", code)
				return
			}
		}
	})
}
