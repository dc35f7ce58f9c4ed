package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkGetRecord measures an authenticated GET of a 1 KiB record over
// loopback HTTP, decrypted from the fs back end, with parallel clients.
func BenchmarkGetRecord(b *testing.B) {
	s := newTestServer(&testing.T{})
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
