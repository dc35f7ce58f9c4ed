// Package xsd parses the XML Schema date and time values that Verifiable
// Credentials carry. The VC Data Model 2.0 says validFrom and validUntil
// are xsd:dateTimeStamp values: a date, an upper-case "T", a time and a time
// zone that must be given. Go's RFC 3339 parser accepts more than that (a
// lower-case "t" or "z") and less (years of more than four digits, 24:00:00),
// so credentials are read with ParseDateTimeStamp instead.
package xsd

import (
	"fmt"
	"strconv"
	"time"
)

// MaxYearDigits bounds the year of a value ParseDateTimeStamp accepts: the
// lexical space has no limit, a time.Time does.
const MaxYearDigits = 9

// ParseDateTimeStamp parses s as an xsd:dateTimeStamp, the lexical form
// the VC Data Model 2.0 gives as
//
//	-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])
//	T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))
//	(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))
//
// with the day also within its month (29 February only in leap years, year
// 0000 being one, as XML Schema 1.1 counts). 24:00:00 is the first moment
// of the next day, as XML Schema says. Fractions of a second beyond
// nanoseconds are dropped. Years of more than MaxYearDigits digits are
// refused. The result is in the value's own time zone.
func ParseDateTimeStamp(s string) (time.Time, error) {
	p := parser{s: s}
	t, ok := p.dateTimeStamp()
	if !ok {
		return time.Time{}, &Error{Value: s, Reason: p.why}
	}
	return t, nil
}

// Error is a value that is not an xsd:dateTimeStamp, with the reason.
type Error struct {
	Value, Reason string
}

func (e *Error) Error() string {
	v := e.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return fmt.Sprintf("%q is not a date and time with a time zone like 2025-01-06T09:00:00Z: %s", v, e.Reason)
}

type parser struct {
	s   string
	i   int
	why string
}

func (p *parser) fail(why string) bool {
	if p.why == "" {
		p.why = why
	}
	return false
}

// digits reads exactly n digits (n > 0), or at least -n digits (n < 0).
func (p *parser) digits(n int) (string, bool) {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
		if n > 0 && p.i-start == n {
			break
		}
	}
	got := p.i - start
	if n > 0 && got != n || n < 0 && got < -n {
		return "", false
	}
	return p.s[start:p.i], true
}

func (p *parser) byte(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) number(n int, what string, lo, hi int) (int, bool) {
	d, ok := p.digits(n)
	if !ok {
		return 0, p.fail(fmt.Sprintf("the %s must be %d digits", what, n))
	}
	v, _ := strconv.Atoi(d)
	if v < lo || v > hi {
		return 0, p.fail(fmt.Sprintf("the %s %s is out of range", what, d))
	}
	return v, true
}

func (p *parser) dateTimeStamp() (time.Time, bool) {
	neg := p.byte('-')
	yd, ok := p.digits(-4)
	if !ok {
		return time.Time{}, p.fail("the year must have at least 4 digits")
	}
	if len(yd) > 4 && yd[0] == '0' {
		return time.Time{}, p.fail("a year of more than 4 digits cannot start with 0")
	}
	if len(yd) > MaxYearDigits {
		return time.Time{}, p.fail("the year is too far away")
	}
	year, _ := strconv.Atoi(yd)
	if neg {
		year = -year
	}
	if !p.byte('-') {
		return time.Time{}, p.fail("the year must be followed by -")
	}
	month, ok := p.number(2, "month", 1, 12)
	if !ok || !p.byte('-') {
		return time.Time{}, p.fail("the month must be followed by -")
	}
	day, ok := p.number(2, "day", 1, 31)
	if !ok {
		return time.Time{}, false
	}
	if day > daysIn(year, month) {
		return time.Time{}, p.fail(fmt.Sprintf("that month has no day %d", day))
	}
	if !p.byte('T') {
		return time.Time{}, p.fail("the date must be followed by an upper-case T and a time")
	}
	hour, ok := p.number(2, "hour", 0, 24)
	if !ok || !p.byte(':') {
		return time.Time{}, p.fail("the time must be hh:mm:ss")
	}
	min, ok := p.number(2, "minute", 0, 59)
	if !ok || !p.byte(':') {
		return time.Time{}, p.fail("the time must be hh:mm:ss")
	}
	sec, ok := p.number(2, "second", 0, 59)
	if !ok {
		return time.Time{}, false
	}
	nsec := 0
	if p.byte('.') {
		f, ok := p.digits(-1)
		if !ok {
			return time.Time{}, p.fail("a decimal point must be followed by digits")
		}
		for i := 0; i < 9; i++ {
			nsec *= 10
			if i < len(f) {
				nsec += int(f[i] - '0')
			}
		}
		if hour == 24 && trimZeros(f) != "" {
			return time.Time{}, p.fail("24:00:00 can have no fraction of a second")
		}
	}
	if hour == 24 && (min != 0 || sec != 0) {
		return time.Time{}, p.fail("the hour 24 is only allowed as 24:00:00")
	}
	loc, ok := p.zone()
	if !ok {
		return time.Time{}, false
	}
	if p.i != len(p.s) {
		return time.Time{}, p.fail("there is more after the time zone")
	}
	// time.Date normalises hour 24 into the next day, as XML Schema does.
	return time.Date(year, time.Month(month), day, hour, min, sec, nsec, loc), true
}

func (p *parser) zone() (*time.Location, bool) {
	if p.byte('Z') {
		return time.UTC, true
	}
	sign := 1
	switch {
	case p.byte('+'):
	case p.byte('-'):
		sign = -1
	default:
		if p.i < len(p.s) && p.s[p.i] == 'z' {
			return nil, p.fail("the time zone must be an upper-case Z")
		}
		return nil, p.fail("a time zone (Z, or +hh:mm or -hh:mm) is required")
	}
	h, ok := p.number(2, "time zone hour", 0, 14)
	if !ok || !p.byte(':') {
		return nil, p.fail("the time zone must be +hh:mm or -hh:mm")
	}
	m, ok := p.number(2, "time zone minute", 0, 59)
	if !ok {
		return nil, false
	}
	if h == 14 && m != 0 {
		return nil, p.fail("a time zone is at most 14:00 from UTC")
	}
	off := sign * (h*3600 + m*60)
	if off == 0 {
		return time.UTC, true
	}
	return time.FixedZone("", off), true
}

func trimZeros(f string) string {
	for len(f) > 0 && f[len(f)-1] == '0' {
		f = f[:len(f)-1]
	}
	return f
}

// daysIn is the number of days in month of year, in the proleptic
// Gregorian calendar that XML Schema 1.1 uses (year 0 is a leap year).
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
