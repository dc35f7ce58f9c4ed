package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

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
