package schemas

import (
	"testing"
)

// BenchmarkValidateAddressHistory is validation plus offline expansion of a
// typical record: a three-address history.
func BenchmarkValidateAddressHistory(b *testing.B) {
	data := []byte(history)
	if _, err := Validate(data, "housing/history.jsonld"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Validate(data, "housing/history.jsonld"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateIdentity is the same for a small identity record.
func BenchmarkValidateIdentity(b *testing.B) {
	data := []byte(goodID)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Validate(data, "identity/card.jsonld"); err != nil {
			b.Fatal(err)
		}
	}
}
