package xsd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/satchel-project/satchel/credentials/xsd"
)

func TestParseDateTimeStamp(t *testing.T) {
	plus1 := time.FixedZone("", 3600)
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"2025-01-06T09:00:00Z", time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)},
		{"2025-01-06T09:00:00.5Z", time.Date(2025, 1, 6, 9, 0, 0, 500_000_000, time.UTC)},
		{"2025-01-06T09:00:00.123456789123Z", time.Date(2025, 1, 6, 9, 0, 0, 123456789, time.UTC)},
		{"2025-01-06T10:00:00+01:00", time.Date(2025, 1, 6, 10, 0, 0, 0, plus1)},
		{"2025-01-06T09:00:00-00:00", time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)},
		{"2025-01-06T23:00:00+14:00", time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)},
		{"2024-02-29T00:00:00Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2000-02-29T00:00:00Z", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"0000-02-29T00:00:00Z", time.Date(0, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"12025-01-06T09:00:00Z", time.Date(12025, 1, 6, 9, 0, 0, 0, time.UTC)},
		{"-0044-03-15T12:00:00Z", time.Date(-44, 3, 15, 12, 0, 0, 0, time.UTC)},
		// 24:00:00 is the first moment of the next day.
		{"2025-12-31T24:00:00Z", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2025-12-31T24:00:00.000Z", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		got, err := xsd.ParseDateTimeStamp(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseDateTimeStampRefuses(t *testing.T) {
	for in, why := range map[string]string{
		"":                           "at least 4 digits",
		"2020-01-01":                 "upper-case T",
		"2020-01-01T00:00:00":        "time zone",
		"2020-01-01T00:00:00z":       "upper-case Z",
		"2020-01-01t00:00:00Z":       "upper-case T",
		"2020-01-01 00:00:00Z":       "upper-case T",
		"2020-01-01T00:00Z":          "hh:mm:ss",
		"2020-1-01T00:00:00Z":        "month",
		"2020-13-01T00:00:00Z":       "month 13",
		"2020-00-01T00:00:00Z":       "month 00",
		"2021-02-29T00:00:00Z":       "no day 29",
		"1900-02-29T00:00:00Z":       "no day 29",
		"2020-04-31T00:00:00Z":       "no day 31",
		"2020-01-32T00:00:00Z":       "day 32",
		"2020-01-01T25:00:00Z":       "hour 25",
		"2020-01-01T24:00:01Z":       "24:00:00",
		"2020-01-01T24:00:00.1Z":     "fraction",
		"2020-01-01T23:60:00Z":       "minute 60",
		"2020-01-01T23:59:60Z":       "second 60",
		"2020-01-01T00:00:00.Z":      "digits",
		"2020-01-01T00:00:00+1:00":   "time zone hour",
		"2020-01-01T00:00:00+0100":   "+hh:mm",
		"2020-01-01T00:00:00+15:00":  "time zone hour 15",
		"2020-01-01T00:00:00+14:30":  "at most 14:00",
		"2020-01-01T00:00:00ZZ":      "more after",
		"2020-01-01T00:00:00Z\n":     "more after",
		"02020-01-01T00:00:00Z":      "cannot start with 0",
		"202-01-01T00:00:00Z":        "at least 4 digits",
		"+2020-01-01T00:00:00Z":      "at least 4 digits",
		"1234567890-01-01T00:00:00Z": "too far",
		"２０２０-01-01T00:00:00Z":       "at least 4 digits",
	} {
		_, err := xsd.ParseDateTimeStamp(in)
		if err == nil {
			t.Errorf("%q was accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %v, want a reason saying %q", in, err, why)
		}
	}
}
