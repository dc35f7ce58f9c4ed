package lang

import (
	"testing"
	"time"
)

func TestDatesInWords(t *testing.T) {
	at := time.Date(2024, 12, 3, 14, 15, 0, 0, time.UTC) // London is on GMT in December
	if got, want := English.DateTime(at), "Tuesday 3 December 2024 at 2:15pm"; got != want {
		t.Errorf("dateTime = %q, want %q", got, want)
	}
	summer := time.Date(2025, 7, 1, 13, 5, 0, 0, time.UTC) // BST: an hour ahead
	if got, want := English.DateTime(summer), "Tuesday 1 July 2025 at 2:05pm"; got != want {
		t.Errorf("dateTime = %q, want %q", got, want)
	}
	if got, want := English.MonthYear(at), "December 2024"; got != want {
		t.Errorf("monthYear = %q, want %q", got, want)
	}
	if got := English.Text("no.such.key"); got != "[no.such.key]" {
		t.Errorf("a missing key shows as %q", got)
	}
}
