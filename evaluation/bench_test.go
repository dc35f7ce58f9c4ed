package evaluation

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
	"github.com/satchel-project/satchel/state"
)

// BenchmarkExport10000 exports a quarter of 10,000 participants, each with
// every data point and an answer, seeded in-process over the local
// directory store; outcomes come from a stub observer, so this is the
// export's own cost (reading the space, writing the CSV and counts).
func BenchmarkExport10000(b *testing.B) { benchmarkExport(b, 10000) }

// BenchmarkExport1000 is the same for 1,000, quick enough to profile.
func BenchmarkExport1000(b *testing.B) { benchmarkExport(b, 1000) }

func benchmarkExport(b *testing.B, n int) {
	s, _ := open(b)
	agreed := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		// Seeded as Agree, Enter and AnswerSettled leave it, in one write.
		per := Person{Pod: pod.NewPodID(), Events: []Event{{At: agreed, What: "agreed"}},
			Details: &Details{NomisID: fmt.Sprintf("A%04dBC", i), PNCNumber: "2001/0012345X", DeliusNumber: "X123456", DateOfBirth: "1990-01-01",
				FirstName: "Jo", Surname: "Bloggs", DateOfRelease: "2026-10-01", DateOfEnrolment: "2026-09-01", DateInterventionBegan: "2026-09-02",
				EstablishmentReleasedFrom: fmt.Sprintf("HMP %d", i%20), ProbationArea: "Yorkshire", LocalAuthority: "Leeds", Gender: "male", Ethnicity: "White British"},
			EnteredBy: "o", EnteredAt: agreed, Answers: []Answer{{At: agreed, Settled: "yes"}}}
		if err := s.db.WriteJSON(ctx, personName(per.Pod), per, state.CreateOnly()); err != nil {
			b.Fatal(err)
		}
	}
	q, _ := ParseQuarter("2026Q4")
	obs := func(context.Context, pod.PodID, time.Time, time.Time) (Observed, error) {
		return Observed{SettledAtRelease: "yes", SharesToLandlords: 1}, nil
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		l, err := s.Export(ctx, q, "bench", obs, io.Discard, io.Discard)
		if err != nil || l.Rows != n {
			b.Fatal(l, err)
		}
	}
}
