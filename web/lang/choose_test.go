package lang

import (
	"context"
	"net/http/httptest"
	"testing"
)

func TestChoose(t *testing.T) {
	for _, c := range []struct{ cookie, accept, want string }{
		{"", "", "en"},
		{"", "cy", "cy"},
		{"", "cy-GB,cy;q=0.9,en-GB;q=0.8", "cy"},
		{"", "en-GB,en;q=0.9,cy;q=0.8", "en"},
		{"", "fr,cy;q=0.5", "cy"},
		{"", "en;q=0.4,cy;q=0.6", "cy"},
		{"", "cy;q=0", "en"},
		{"", "CY", "cy"},
		{"", "de,fr", "en"},
		{"cy", "en", "cy"},
		{"en", "cy", "en"},
		{"xx", "cy", "cy"}, // a cookie naming no catalogue is ignored
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if c.cookie != "" {
			r.Header.Set("Cookie", Cookie+"="+c.cookie)
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if got := Choose(r); got != c.want {
			t.Errorf("cookie %q, Accept-Language %q: %q, want %q", c.cookie, c.accept, got, c.want)
		}
	}
}

func TestSafeBack(t *testing.T) {
	for back, want := range map[string]string{
		"/my/shares":            "/my/shares",
		"/my/share?step=who":    "/my/share?step=who",
		"/s/abc":                "/s/abc",
		"":                      "/",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"evil.example":          "/",
		"javascript:alert(1)":   "/",
		"/ok\r\nSet-Cookie: x":  "/",
		"/\tevil":               "/",
	} {
		if got := SafeBack(back); got != want {
			t.Errorf("SafeBack(%q) = %q, want %q", back, got, want)
		}
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if CodeOf(ctx) != "en" || Of(ctx)["month.1"] != "January" {
		t.Errorf("a bare context is not English")
	}
	ctx = WithCode(ctx, "cy")
	if CodeOf(ctx) != "cy" || Of(ctx)["month.1"] != "Ionawr" {
		t.Errorf("WithCode(cy) is %q", CodeOf(ctx))
	}
	if CodeOf(WithCode(ctx, "xx")) != "en" {
		t.Errorf("an unknown code is not English")
	}
}
