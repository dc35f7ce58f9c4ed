package issuer

import (
	"context"
	"testing"
	"time"
)

// validFrom and validUntil must be XML Schema dateTimeStamps, as the VC
// Data Model 2.0 says; anything else makes the credential invalid, with a
// reason, even when its issuer is known and its signature checks.
func TestMalformedDatesAreInvalid(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example-education", hmp)
	for _, c := range []struct{ field, value, check string }{
		{"validFrom", "2020-01-01", "not-before"},
		{"validFrom", "2020-01-01T00:00:00z", "not-before"},
		{"validFrom", "2020-01-01t00:00:00Z", "not-before"},
		{"validFrom", "2020-01-01T00:00:00", "not-before"},
		{"validFrom", "2021-02-29T00:00:00Z", "not-before"},
		{"validUntil", "2099-01-01", "expiry"},
		{"validUntil", "2099-01-01T00:00:00z", "expiry"},
		{"validUntil", "2099-01-01T00:00:00+1:00", "expiry"},
		{"validUntil", "next year", "expiry"},
	} {
		vc := qualificationVC(s.DID("hmp-example-education"))
		vc[c.field] = c.value
		v := s.Verify(context.Background(), s.signAs(t, "hmp-example-education", vc, true))
		t.Run(c.field+"="+c.value, func(t *testing.T) { mustFail(t, v, c.check, "is not a valid date") })
	}
	vc := qualificationVC(s.DID("hmp-example-education"))
	vc["validFrom"] = 20200101
	mustFail(t, s.Verify(context.Background(), s.signAs(t, "hmp-example-education", vc, true)), "not-before", "is not a valid date")
}

// A credential is valid only from validFrom, and until validUntil.
func TestValidityPeriod(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example-education", hmp)
	ctx := context.Background()
	start := s.at
	vc := qualificationVC(s.DID("hmp-example-education"))
	vc["validFrom"] = start.Add(time.Hour).Format(time.RFC3339)
	// validUntil in +01:00, with a fraction of a second: 47 hours on in UTC.
	vc["validUntil"] = start.Add(47 * time.Hour).In(time.FixedZone("", 3600)).Format("2006-01-02T15:04:05.000Z07:00")
	signed := s.signAs(t, "hmp-example-education", vc, true)

	mustFail(t, s.Verify(ctx, signed), "not-before", "not valid yet")
	s.at = start.Add(2 * time.Hour)
	if v := s.Verify(ctx, signed); !v.Valid {
		t.Fatalf("within its validity period: %+v", v)
	}
	s.at = start.Add(47*time.Hour - time.Second)
	if v := s.Verify(ctx, signed); !v.Valid {
		t.Fatalf("a second before it ends: %+v", v)
	}
	s.at = start.Add(47 * time.Hour)
	mustFail(t, s.Verify(ctx, signed), "expiry", "has expired")
}

// Dates given in the long forms XML Schema allows are read as such.
func TestLongFormDates(t *testing.T) {
	s := newTestService(t, Options{})
	s.org(t, "hmp-example-education", hmp)
	vc := qualificationVC(s.DID("hmp-example-education"))
	vc["validFrom"] = "2025-12-31T24:00:00Z"
	vc["validUntil"] = "10000-01-01T00:00:00.123456789123-14:00"
	if v := s.Verify(context.Background(), s.signAs(t, "hmp-example-education", vc, true)); !v.Valid {
		t.Fatalf("%+v", v)
	}
}
