package statuslist

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

const listURL = "https://satchel.example/status/1"

// roundTrip passes v through JSON, as a verifier would receive it.
func roundTrip(t testing.TB, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCredential(t *testing.T) {
	l := New(MinBits)
	_ = l.Set(94567, true)
	from := time.Date(2026, 3, 1, 9, 30, 15, 500, time.FixedZone("BST", 3600))
	c, err := Credential(listURL, "did:web:satchel.example", PurposeRevocation, l, from, from.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	m := roundTrip(t, c)
	want := map[string]any{
		"@context":   []any{"https://www.w3.org/ns/credentials/v2"},
		"id":         listURL,
		"type":       []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":     "did:web:satchel.example",
		"validFrom":  "2026-03-01T08:30:15Z",
		"validUntil": "2026-03-02T08:30:15Z",
	}
	for k, v := range want {
		if !reflect.DeepEqual(m[k], v) {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	sub, _ := m["credentialSubject"].(map[string]any)
	if sub["id"] != listURL+"#list" || sub["type"] != "BitstringStatusList" || sub["statusPurpose"] != "revocation" {
		t.Errorf("credentialSubject = %v", sub)
	}
	for i, want := range map[int]bool{94567: true, 94566: false, 0: false} {
		if got, err := Check(sub, i); err != nil || got != want {
			t.Errorf("Check(%d) = %v, %v; want %v", i, got, err, want)
		}
	}
	c, err = Credential(listURL, "did:web:satchel.example", PurposeSuspension, l, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c["validFrom"]; ok {
		t.Error("zero validFrom was not left out")
	}
}

func TestCredentialRefuses(t *testing.T) {
	now := time.Now()
	type args struct {
		id, issuer, purpose string
		l                   *List
		until               time.Time
	}
	for name, a := range map[string]args{
		"relative id":  {"/status/1", "did:x", "revocation", New(0), time.Time{}},
		"id fragment":  {listURL + "#x", "did:x", "revocation", New(0), time.Time{}},
		"empty hash":   {listURL + "#", "did:x", "revocation", New(0), time.Time{}},
		"no issuer":    {listURL, "", "revocation", New(0), time.Time{}},
		"no purpose":   {listURL, "did:x", "", New(0), time.Time{}},
		"message":      {listURL, "did:x", "message", New(0), time.Time{}},
		"until before": {listURL, "did:x", "revocation", New(0), now.Add(-1)},
		"nil list":     {listURL, "did:x", "revocation", nil, time.Time{}},
	} {
		if _, err := Credential(a.id, a.issuer, a.purpose, a.l, now, a.until); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLength) {
			t.Errorf("%s: Credential = %v, want ErrMalformed or ErrLength", name, err)
		}
	}
}

func TestEntry(t *testing.T) {
	// The shape of the specification's first example entry.
	spec := `{"id": "https://example.com/credentials/status/3#94567",
		"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
		"statusListIndex": "94567",
		"statusListCredential": "https://example.com/credentials/status/3"}`
	var want map[string]any
	if err := json.Unmarshal([]byte(spec), &want); err != nil {
		t.Fatal(err)
	}
	got := roundTrip(t, Entry("https://example.com/credentials/status/3", 94567, "revocation"))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Entry = %v\nwant %v", got, want)
	}
	u, i, p, err := ParseEntry(got)
	if err != nil || u != "https://example.com/credentials/status/3" || i != 94567 || p != "revocation" {
		t.Errorf("ParseEntry = %q, %d, %q, %v", u, i, p, err)
	}
}

func TestParseEntryRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		key  string
		val  any
		want error
	}{
		"number index":   {"statusListIndex", 94567.0, ErrMalformed},
		"negative":       {"statusListIndex", "-1", ErrMalformed},
		"plus sign":      {"statusListIndex", "+1", ErrMalformed},
		"exponent":       {"statusListIndex", "1e3", ErrMalformed},
		"space":          {"statusListIndex", " 1", ErrMalformed},
		"empty index":    {"statusListIndex", "", ErrMalformed},
		"hex":            {"statusListIndex", "0x10", ErrMalformed},
		"11 digits":      {"statusListIndex", "12345678901", ErrMalformed},
		"beyond MaxBits": {"statusListIndex", "999999999", ErrRange},
		"wrong type":     {"type", "StatusList2021Entry", ErrMalformed},
		"message":        {"statusPurpose", "message", ErrMalformed},
		"statusSize 2":   {"statusSize", 2.0, ErrMalformed},
		"relative list":  {"statusListCredential", "/status/3", ErrMalformed},
	} {
		e := roundTrip(t, Entry(listURL, 5, "revocation"))
		e[c.key] = c.val
		if _, _, _, err := ParseEntry(e); !errors.Is(err, c.want) {
			t.Errorf("%s: ParseEntry = %v, want %v", name, err, c.want)
		}
	}
	e := roundTrip(t, Entry(listURL, 5, "revocation"))
	e["statusSize"] = 1.0
	if _, i, _, err := ParseEntry(e); err != nil || i != 5 {
		t.Errorf("statusSize 1: ParseEntry = %d, %v", i, err)
	}
}

func TestCheckRefuses(t *testing.T) {
	enc, _ := New(MinBits).Encode()
	subject := func(k string, v any) map[string]any {
		s := map[string]any{"type": "BitstringStatusList", "statusPurpose": "revocation", "encodedList": enc}
		if v == nil {
			delete(s, k)
		} else {
			s[k] = v
		}
		return s
	}
	for name, c := range map[string]struct {
		sub   map[string]any
		index int
		want  error
	}{
		"nil subject":   {nil, 0, ErrMalformed},
		"wrong type":    {subject("type", "StatusList2021"), 0, ErrMalformed},
		"no purpose":    {subject("statusPurpose", nil), 0, ErrMalformed},
		"suspension":    {subject("statusPurpose", "suspension"), 0, ErrPurpose},
		"purpose array": {subject("statusPurpose", []any{"suspension", "refresh"}), 0, ErrPurpose},
		"no list":       {subject("encodedList", nil), 0, ErrMalformed},
		"list a number": {subject("encodedList", 3.0), 0, ErrMalformed},
		"no prefix":     {subject("encodedList", enc[1:]), 0, ErrMalformed},
		"short list":    {subject("encodedList", "u"+suiteShort), 0, ErrLength},
		"statusSize 2":  {subject("statusSize", 2.0), 0, ErrMalformed},
		"index -1":      {subject("type", "BitstringStatusList"), -1, ErrRange},
		"index = Len":   {subject("type", "BitstringStatusList"), MinBits, ErrRange},
	} {
		if _, err := Check(c.sub, c.index); !errors.Is(err, c.want) {
			t.Errorf("%s: Check = %v, want %v", name, err, c.want)
		}
	}
	// The W3C suite's multi-purpose list, with the multibase prefix added.
	multi := map[string]any{"type": []any{"BitstringStatusList"}, "statusPurpose": []any{"revocation", "suspension"}, "encodedList": "u" + suiteList}
	for _, p := range []string{PurposeRevocation, PurposeSuspension} {
		if set, err := CheckPurpose(multi, 201, p); !set || err != nil {
			t.Errorf("CheckPurpose(suite list, 201, %s) = %v, %v; want true", p, set, err)
		}
	}
}

// onePercent returns a MinBits list with 1% of its bits set at random.
func onePercent() *List {
	r := rand.New(rand.NewPCG(5, 6))
	l := New(MinBits)
	for l.Count() < MinBits/100 {
		_ = l.Set(r.IntN(MinBits), true)
	}
	return l
}

func BenchmarkEncode(b *testing.B) {
	l := onePercent()
	var enc string
	for b.Loop() {
		var err error
		if enc, err = l.Encode(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(enc)), "chars")
}

func BenchmarkCheck(b *testing.B) {
	c, err := Credential(listURL, "did:x", PurposeRevocation, onePercent(), time.Time{}, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	sub := roundTrip(b, c)["credentialSubject"].(map[string]any)
	for b.Loop() {
		if _, err := Check(sub, 12345); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAllocate(b *testing.B) {
	for b.Loop() {
		a := NewAllocator(MinBits)
		for range 1000 {
			if _, err := a.Allocate(nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}
