// Package metrics counts what an operator watches on a running Satchel:
// HTTP requests by route family and status, storage and key-custody calls
// by operation and result, cache hits and misses, and refusals (429). It
// keeps its own Prometheus registry, which the server serves only on a
// separate listener; no label ever holds a path, token, name or pod ID.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one server's set of metrics. The zero value is not usable;
// a nil *Metrics records nothing.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	refusals *prometheus.CounterVec
	storage  *prometheus.HistogramVec
	custody  *prometheus.HistogramVec
	hits     *prometheus.CounterVec
	misses   *prometheus.CounterVec
}

// New returns metrics registered in a registry of their own (never
// Prometheus's global one), with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "satchel_http_requests_total",
			Help: "HTTP requests answered, by route family and status code.",
		}, []string{"family", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "satchel_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its answer, by route family and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"family", "status"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "satchel_http_refusals_total",
			Help: "Requests refused with 429 Too Many Requests (throttles and rate limits), by route family and problem: the problem code of an API answer, or the route of a web page.",
		}, []string{"family", "problem"}),
		storage: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "satchel_storage_duration_seconds",
			Help:    "Storage back end calls, by operation (get, stat, put, delete, list) and result.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"op", "result"}),
		custody: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "satchel_custodian_duration_seconds",
			Help:    "Key custodian calls, by operation (wrap, unwrap, destroy, signer, sign, refresh) and result.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"op", "result"}),
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "satchel_cache_hits_total",
			Help: "Lookups answered from an in-memory cache, by cache.",
		}, []string{"cache"}),
		misses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "satchel_cache_misses_total",
			Help: "Lookups an in-memory cache could not answer, by cache.",
		}, []string{"cache"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.refusals, m.storage, m.custody, m.hits, m.misses,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format. Serve it only on
// the metrics listener.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request records one answered request: its route family (a small fixed
// set, never a URL), status code and duration.
func (m *Metrics) Request(family string, status int, d time.Duration) {
	if m == nil {
		return
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(family, code).Inc()
	m.latency.WithLabelValues(family, code).Observe(d.Seconds())
}

// Refusal records a 429 answer in family; problem says which throttle or
// limit refused (a problem code or a route template).
func (m *Metrics) Refusal(family, problem string) {
	if m == nil {
		return
	}
	m.refusals.WithLabelValues(family, problem).Inc()
}

// Cache returns a function that records a hit (true) or miss (false) of
// the cache called name, for a cache to call on every lookup.
func (m *Metrics) Cache(name string) func(hit bool) {
	if m == nil {
		return func(bool) {}
	}
	hit, miss := m.hits.WithLabelValues(name), m.misses.WithLabelValues(name)
	return func(h bool) {
		if h {
			hit.Inc()
		} else {
			miss.Inc()
		}
	}
}
