package evaluation

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/satchel-project/satchel/pod"
)

// BenchmarkExport10000 exports a quarter of 10,000 participants, each with
// every data point and an answer, seeded in-process over the local
// directory store; outcomes come from a stub observer, so this is the
// export's own cost (reading the space, writing the CSV and counts).
func BenchmarkExport10000(b *testing.B) {
	s, pods := open(b)
	s.SetClock(func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) })
	_ = pods
	for i := range 10000 {
		id := pod.NewPodID()
		if _, err := s.Agree(ctx, id); err != nil {
			b.Fatal(err)
		}
		d := Details{NomisID: fmt.Sprintf("A%04dBC", i), PNCNumber: "2001/0012345X", DeliusNumber: "X123456", DateOfBirth: "1990-01-01",
			FirstName: "Jo", Surname: "Bloggs", DateOfRelease: "2026-10-01", DateOfEnrolment: "2026-09-01", DateInterventionBegan: "2026-09-02",
			EstablishmentReleasedFrom: fmt.Sprintf("HMP %d", i%20), ProbationArea: "Yorkshire", LocalAuthority: "Leeds", Gender: "male", Ethnicity: "White British"}
		if _, err := s.Enter(ctx, "o", id, d); err != nil {
			b.Fatal(err)
		}
		if _, err := s.AnswerSettled(ctx, id, "yes"); err != nil {
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
		if err != nil || l.Rows != 10000 {
			b.Fatal(l, err)
		}
	}
}
