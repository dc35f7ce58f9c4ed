package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// event is a fault the script injected, and when.
type event struct {
	name string
	at   time.Time
}

// readEvents reads "NAME UNIXNANO" lines, in time order.
func readEvents(path string) ([]event, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var evs []event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 2 {
			continue
		}
		ns, err := strconv.ParseInt(fs[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("events file: %q: %v", sc.Text(), err)
		}
		evs = append(evs, event{fs[0], time.Unix(0, ns)})
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	return evs, sc.Err()
}

// window sums the writes that began in [from, to).
type window struct {
	from, to  time.Time
	n, acked  int
	latencies []time.Duration // of acknowledged writes
	errs      map[string]int
	lastErr   time.Time // end of the last failed write
	firstOK   time.Time // end of the first acknowledged write
	longGap   time.Duration
}

func summarise(ops []op, from, to time.Time) *window {
	w := &window{from: from, to: to, errs: map[string]int{}}
	var oks []time.Time // ends of acknowledged writes
	for _, o := range ops {
		if o.start.Before(from) || !o.start.Before(to) || o.errKind == cutOff {
			continue
		}
		w.n++
		end := o.start.Add(o.duration)
		if o.ok() {
			w.acked++
			w.latencies = append(w.latencies, o.duration)
			oks = append(oks, end)
			if w.firstOK.IsZero() || end.Before(w.firstOK) {
				w.firstOK = end
			}
			continue
		}
		w.errs[o.method+" "+o.kind()]++
		if end.After(w.lastErr) {
			w.lastErr = end
		}
	}
	// The longest time in the window with no write acknowledged.
	slices.SortFunc(oks, func(a, b time.Time) int { return a.Compare(b) })
	prev := from
	for _, t := range append(oks, to) {
		if t.After(to) {
			t = to
		}
		if g := t.Sub(prev); g > w.longGap {
			w.longGap = g
		}
		if t.After(prev) {
			prev = t
		}
	}
	return w
}

func (w *window) rate() float64    { return float64(w.n) / w.to.Sub(w.from).Seconds() }
func (w *window) ackRate() float64 { return float64(w.acked) / w.to.Sub(w.from).Seconds() }

func (w *window) p(q float64) time.Duration {
	if len(w.latencies) == 0 {
		return 0
	}
	slices.Sort(w.latencies)
	return w.latencies[int(q*float64(len(w.latencies)-1))]
}

func (w *window) errString() string {
	if len(w.errs) == 0 {
		return "none"
	}
	var ks []string
	for k := range w.errs {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%d × %s", w.errs[k], k))
	}
	return strings.Join(parts, ", ")
}

func (w *window) line(out io.Writer, name string) {
	fmt.Fprintf(out, "  %-28s %5.1fs  %6.0f req/s  %6.0f acked/s  p50 %5.1f ms  p99 %6.1f ms  errors: %s\n",
		name, w.to.Sub(w.from).Seconds(), w.rate(), w.ackRate(),
		ms(w.p(0.5)), ms(w.p(0.99)), w.errString())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report prints throughput before, between and after the faults, the errors
// each fault caused and how long until writes were all acknowledged again.
func report(out io.Writer, ops []op, start, end time.Time, events []event) {
	total := summarise(ops, start, end)
	fmt.Fprintf(out, "\nload: %d writes in %.1fs through the balancer (%d acknowledged)\n", total.n, end.Sub(start).Seconds(), total.acked)
	// The first second warms caches and connections; leave it out of the
	// before-faults rate when there is room.
	from := start
	if len(events) > 0 && events[0].at.Sub(start) > 3*time.Second {
		from = start.Add(time.Second)
	}
	bounds := []time.Time{from}
	names := []string{"before the faults"}
	for _, e := range events {
		bounds = append(bounds, e.at)
		names = append(names, "after "+e.name)
	}
	bounds = append(bounds, end) // every write began before the end
	for i := range names {
		summarise(ops, bounds[i], bounds[i+1]).line(out, names[i])
	}
	for i, e := range events {
		w := summarise(ops, e.at, bounds[i+2])
		if len(w.errs) == 0 {
			fmt.Fprintf(out, "  %s: no write failed; longest wait for an acknowledgement %.0f ms\n", e.name, ms(w.longGap))
			continue
		}
		fmt.Fprintf(out, "  %s: %d writes failed (%s); all writes acknowledged again %.0f ms after it; longest wait for an acknowledgement %.0f ms\n",
			e.name, w.n-w.acked, w.errString(), ms(w.lastErr.Sub(e.at)), ms(w.longGap))
	}
	fmt.Fprintf(out, "  all errors: %s\n", total.errString())
	for _, what := range []string{"PUT record", "PUT document", "POST document"} {
		w := summarise(slices.DeleteFunc(slices.Clone(ops), func(o op) bool { return o.what != what }), start, end)
		fmt.Fprintf(out, "  %-13s %5d acknowledged, p50 %5.1f ms, p99 %6.1f ms\n", what, w.acked, ms(w.p(0.5)), ms(w.p(0.99)))
	}
	slowest(out, ops, start, 5)
}

// slowest prints the n writes that took longest, to show where a stall was.
func slowest(out io.Writer, ops []op, start time.Time, n int) {
	s := slices.Clone(ops)
	slices.SortFunc(s, func(a, b op) int { return cmp.Compare(b.duration, a.duration) })
	fmt.Fprintf(out, "  slowest writes:")
	s = slices.DeleteFunc(s, func(o op) bool { return o.errKind == cutOff || o.start.Before(start) })
	for _, o := range s[:min(n, len(s))] {
		fmt.Fprintf(out, " %s %s at +%.1fs took %.0f ms (%s);", o.method, o.target[strings.LastIndex(o.target[:len(o.target)-1], "/")+1:],
			o.start.Sub(start).Seconds(), ms(o.duration), o.kind())
	}
	fmt.Fprintln(out)
}
