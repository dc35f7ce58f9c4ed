package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/satchel-project/satchel/account"
	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/pod/fsstore"
	"github.com/satchel-project/satchel/vault/local"
)

var cheap = account.Params{Memory: 1024, Time: 1, Threads: 1}

func openStore(t *testing.T) (*account.Store, *pod.Service) {
	t.Helper()
	st, err := fsstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cust, _, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := pod.NewService(st, pod.NewKeyring(st, cust, 0))
	s, err := account.Open(context.Background(), svc, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return s, svc
}

func TestCreateAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	s, svc := openStore(t)
	a, err := s.Create(ctx, "Jo", account.Leaver, "Jo Bloggs", "correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	if a.Username != "jo" || !a.Pod.Valid() || !strings.HasPrefix(a.PasswordHash, "$argon2id$v=19$") {
		t.Fatalf("account %+v", a)
	}
	if _, _, err := svc.List(ctx, a.Pod, "inbox/"); err != nil {
		t.Fatalf("new pod has no inbox/: %v", err)
	}
	got, err := s.Authenticate(ctx, "JO", "correct-horse-battery")
	if err != nil || got.ID != a.ID {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	if _, err := s.Authenticate(ctx, "jo", "correct-horse-batterY"); !errors.Is(err, account.ErrBadPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "nobody", "correct-horse-battery"); !errors.Is(err, account.ErrBadPassword) {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := s.Create(ctx, "jo", account.Helper, "Another Jo", "another-password"); !errors.Is(err, account.ErrTaken) {
		t.Fatalf("duplicate username: %v", err)
	}
	h, err := s.Create(ctx, "sam.helper", account.Helper, "Sam", "another-password")
	if err != nil || h.Pod != "" {
		t.Fatalf("helper account %+v, %v: helpers get no pod", h, err)
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	s, _ := openStore(t)
	for _, c := range []struct{ user, name, pw string }{
		{"j", "Jo", "long-enough-pw"},
		{"jo bloggs", "Jo", "long-enough-pw"},
		{"-jo", "Jo", "long-enough-pw"},
		{"jo", "", "long-enough-pw"},
		{"jo", "Jo", "short"},
		{"jo", "Jo", strings.Repeat("x", 2000)},
	} {
		if _, err := s.Create(context.Background(), c.user, account.Leaver, c.name, c.pw); err == nil {
			t.Errorf("Create(%q, %q, %d-char password) succeeded", c.user, c.name, len(c.pw))
		}
	}
}

func TestVerifyRejectsDamagedHashes(t *testing.T) {
	h, _ := cheap.Hash("password-one")
	for _, bad := range []string{"", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA", strings.Replace(h, "m=1024", "m=99999999", 1), h[:len(h)-4]} {
		if ok, err := cheap.Verify(bad, "password-one"); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v", bad, ok, err)
		}
	}
	if ok, err := cheap.Verify(h, "password-one"); !ok || err != nil {
		t.Fatalf("Verify of a good hash = %v, %v", ok, err)
	}
}
