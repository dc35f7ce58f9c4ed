package server_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/server"
)

// TestNothingReadableAtRest writes a record and a document whose content,
// name and folder carry marker strings, and proves that no marker appears
// anywhere under the data directory, in file contents or in file names,
// and that every stored object is an age file.
func TestNothingReadableAtRest(t *testing.T) {
	s := newTestServer(t)
	pod, tok := s.leaver("markeruser")
	const (
		content = "MARKER-CONTENT-7f3a"
		name    = "MARKERNAME-passport"
		folder  = "MARKERFOLDER"
	)
	rec := `{"@context":"https://w3id.org/satchel/v1","type":"IdentityDocument","documentType":"passport","holder":{"type":"Person","name":"` + content + `","birthDate":"1990-04-23"}}`
	expect(t, s.do("PUT", pod+"identity/"+folder+"/"+name+".jsonld", tok, strings.NewReader(rec), "Content-Type", "application/ld+json"), http.StatusCreated)
	expect(t, s.do("POST", pod+"documents/", tok, strings.NewReader("%PDF-1.4\n"+content), "Content-Type", "application/pdf", "Slug", name), http.StatusCreated)

	markers := []string{content, name, folder, "markeruser", "Test markeruser", "application/pdf", "ld+json"}
	objects := 0
	err := filepath.WalkDir(s.data, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		for _, m := range markers {
			if strings.Contains(strings.ToLower(p), strings.ToLower(m)) {
				t.Errorf("file name %s reveals %q", p, m)
			}
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range markers {
			if bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(m))) {
				t.Errorf("%s contains %q in the clear", p, m)
			}
		}
		if strings.Contains(filepath.ToSlash(p), "/o/") {
			objects++
			if !bytes.HasPrefix(data, []byte("age-encryption.org/v1\n-> X25519 ")) {
				t.Errorf("%s is not an age file for an X25519 recipient", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if objects < 10 {
		t.Fatalf("found only %d objects: the walk missed the store", objects)
	}
}

func TestMasterKeyIsPrivate(t *testing.T) {
	s := newTestServer(t)
	fi, err := os.Stat(filepath.Join(s.data, "keys", "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("master.key mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestRefusesToStartWithoutTheMasterKey(t *testing.T) {
	s := newTestServer(t)
	s.leaver("jo")
	if err := os.Remove(filepath.Join(s.data, "keys", "master.key")); err != nil {
		t.Fatal(err)
	}
	_, err := server.Open(context.Background(), server.Config{DataDir: s.data, Log: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "restore") {
		t.Fatalf("Open without master.key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.data, "keys", "master.key")); err == nil {
		t.Fatal("a new master key was made over existing pods")
	}
}
