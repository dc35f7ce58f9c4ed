package rdfc

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// clique is n blank nodes, each related to every other.
func clique(n int) []Quad {
	var qs []Quad
	for i := range n {
		for j := range n {
			if i != j {
				qs = append(qs, Quad{
					Subject:   Term{Kind: BlankNode, Value: fmt.Sprintf("n%d", i)},
					Predicate: Term{Kind: IRI, Value: "http://example.org/knows"},
					Object:    Term{Kind: BlankNode, Value: fmt.Sprintf("n%d", j)},
				})
			}
		}
	}
	return qs
}

// TestCliquesAreRefused: the poison graphs of issue 14 fail with the
// budget error, after work bounded by the budget (a generous time bound,
// for a loaded machine and -race; the figures are measured elsewhere).
func TestCliquesAreRefused(t *testing.T) {
	for _, n := range []int{5, 6, 8, 12, 30} {
		start := time.Now()
		_, err := Canonicalize(context.Background(), clique(n), Options{})
		var be *BudgetError
		if !errors.Is(err, ErrPoisonGraph) || !errors.As(err, &be) {
			t.Fatalf("clique of %d: got %v, want ErrPoisonGraph", n, err)
		}
		if be.BlankNodes != n || be.Budget != n*DefaultIterationsPerNode {
			t.Errorf("clique of %d: %+v", n, be)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("clique of %d took %v to refuse", n, d)
		}
	}
	// A small clique is within the budget, and canonical whatever its
	// labels.
	a, err := Canonicalize(context.Background(), clique(4), Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := clique(4)
	for i := range q {
		q[i].Subject.Value, q[i].Object.Value = "x"+q[i].Subject.Value, "x"+q[i].Object.Value
	}
	b, err := Canonicalize(context.Background(), q, Options{})
	if err != nil || string(a) != string(b) {
		t.Errorf("relabelled clique: %v\n%s\n%s", err, a, b)
	}
}

// TestCancelStopsTheWork: with no budget to speak of, cancelling the
// context stops a canonicalization that would otherwise take years.
func TestCancelStopsTheWork(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Canonicalize(ctx, clique(12), Options{IterationsPerNode: 1 << 40})
		done <- err
	}()
	time.AfterFunc(20*time.Millisecond, cancel)
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the canonicalization went on after its context was cancelled")
	}
}

// TestCancelledBeforeStart: a context already done does no work at all.
func TestCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Canonicalize(ctx, clique(2), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestNoDeepIterations(t *testing.T) {
	_, err := Canonicalize(context.Background(), clique(2), Options{IterationsPerNode: -1})
	if !errors.Is(err, ErrPoisonGraph) {
		t.Fatalf("got %v", err)
	}
}

// BenchmarkRefuseClique is the time to refuse the cliques of issue 14.
func BenchmarkRefuseClique(b *testing.B) {
	for _, n := range []int{6, 8, 12} {
		q := clique(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Canonicalize(context.Background(), q, Options{}); !errors.Is(err, ErrPoisonGraph) {
					b.Fatal(err)
				}
			}
		})
	}
}
