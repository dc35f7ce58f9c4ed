package s3store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestKeys(t *testing.T) {
	s := &Store{prefix: "run/"}
	for _, k := range []string{"pods/abc/key", "a", "a.b/c-d_e", "A9/.hidden"} {
		if name, err := s.object(k); err != nil || name != "run/"+k {
			t.Errorf("object(%q) = %q, %v", k, name, err)
		}
	}
	bad := []string{"", "/a", "a/", "a//b", "..", "a/../b", "a/..", "a..b", ".", "./a", "a/./b", "a/.",
		"a b", "a\x00b", "a\\b", "a%2Fb", "ä", "a?b", "a#b", strings.Repeat("x", 1025)}
	for _, k := range bad {
		if _, err := s.object(k); err == nil {
			t.Errorf("object(%q) accepted", k)
		}
	}
}

func TestCleanPrefix(t *testing.T) {
	for in, want := range map[string]string{"": "", "p": "p/", "a/b/": "a/b/"} {
		if got, err := cleanPrefix(in); err != nil || got != want {
			t.Errorf("cleanPrefix(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, p := range []string{"/p", "a//b", "a/../b", "a b"} {
		if _, err := cleanPrefix(p); err == nil {
			t.Errorf("cleanPrefix(%q) accepted", p)
		}
	}
}

func TestExactReader(t *testing.T) {
	data := []byte("0123456789")
	read := func(r io.Reader, size int64) ([]byte, error) {
		return io.ReadAll(&exactReader{r: r, size: size})
	}
	for _, size := range []int64{10, -1} {
		got, err := read(bytes.NewReader(data), size)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("size %d: got %q, %v", size, got, err)
		}
		got, err = read(iotest.OneByteReader(bytes.NewReader(data)), size)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("size %d, one byte at a time: got %q, %v", size, got, err)
		}
	}
	if got, err := read(bytes.NewReader(nil), 0); err != nil || len(got) != 0 {
		t.Errorf("empty: %q, %v", got, err)
	}
	// Failures withhold the bytes of the read that found them, so that the
	// request body is always short.
	for name, c := range map[string]struct {
		r    io.Reader
		size int64
	}{
		"short":          {bytes.NewReader(data), 11},
		"long":           {bytes.NewReader(data), 9},
		"long, empty":    {bytes.NewReader(data), 0},
		"fails":          {io.MultiReader(bytes.NewReader(data[:5]), iotest.ErrReader(errors.New("boom"))), 10},
		"fails at end":   {io.MultiReader(bytes.NewReader(data), iotest.ErrReader(errors.New("boom"))), 10},
		"fails, unknown": {io.MultiReader(bytes.NewReader(data[:5]), iotest.ErrReader(errors.New("boom"))), -1},
	} {
		er := &exactReader{r: c.r, size: c.size}
		got, err := io.ReadAll(er)
		if err == nil || er.err == nil {
			t.Errorf("%s: no error", name)
		}
		if c.size > 0 && int64(len(got)) >= c.size {
			t.Errorf("%s: passed on %d bytes of %d", name, len(got), c.size)
		}
	}
}

func TestConfigHidesCredentials(t *testing.T) {
	c := Config{Bucket: "b", AccessKeyID: "AKIDSECRETLOOKING", SecretAccessKey: "hunter2hunter2", SessionToken: "tok3n"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(f, c)
		for _, secret := range []string{c.AccessKeyID, c.SecretAccessKey, c.SessionToken} {
			if strings.Contains(s, secret) {
				t.Errorf("%s prints a credential: %s", f, s)
			}
		}
	}
}
