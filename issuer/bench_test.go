package issuer_test

import (
	"context"
	"testing"

	"github.com/satchel-project/satchel/issuer"
	"github.com/satchel-project/satchel/pod/podtest"
)

func benchService(b *testing.B) (*issuer.Service, string) {
	pods, cust := podtest.New(b)
	ctx := context.Background()
	s, err := issuer.Open(ctx, pods, cust, "https://satchel.example.org", issuer.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateOrg(ctx, "hmp-example", "HMP Example Education"); err != nil {
		b.Fatal(err)
	}
	id, _ := pods.CreatePod(ctx)
	e, err := s.Enrol(ctx, id, "hmp-example", "Jo")
	if err != nil {
		b.Fatal(err)
	}
	return s, e.ID
}

var q = issuer.Qualification{CourseName: "Functional Skills English", CourseCode: "FSE-L1", Accredited: true, AwardingBody: "Pearson",
	Level: "Level 1", LearningStart: "2025-01-06", LearningEnd: "2025-06-27", Outcome: "Achieved", Grade: "Pass", Establishment: "HMP Example"}

// BenchmarkIssue is issuing one qualification: checks, a status index,
// signing (canonicalisation and Ed25519) and delivery into the inbox.
func BenchmarkIssue(b *testing.B) {
	s, enrolment := benchService(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.Issue(ctx, "hmp-example", enrolment, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is verifying a typical qualification credential: the
// Data Integrity proof, the issuer's key and its status bit.
func BenchmarkVerify(b *testing.B) {
	s, enrolment := benchService(b)
	ctx := context.Background()
	vc, _, err := s.Issue(ctx, "hmp-example", enrolment, q)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := s.Verify(ctx, vc); !v.Valid {
			b.Fatalf("%+v", v)
		}
	}
}
