// Package metrics serves a run's live progress as Prometheus metrics. The
// collector reads the running workers' atomic progress counters when it is
// scraped, so the publish path does no extra work for it.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stationbench/stationbench/workers"
)

// Collector is a prometheus.Collector over the steps of a run. The runner
// shows it each step's workers (it implements runner.Live); counters carry
// on across steps, labelled by target and producer count.
type Collector struct {
	mu      sync.Mutex
	current map[string][]*workers.Worker // target -> the running step's workers
	done    map[key]*totals              // what finished steps counted
	bounds  []float64                    // latency bucket bounds, seconds

	sent, acked, errs, latency *prometheus.Desc
	producers, paused, flight  *prometheus.Desc
}

// key names a series: a target and a producer count.
type key struct {
	target    string
	producers int
}

// totals is what a series has counted.
type totals struct {
	sent, acked, errs int64
	buckets           [workers.LiveBuckets + 1]int64
	sumNs             int64
}

// NewCollector makes a collector with no step running.
func NewCollector() *Collector {
	series := []string{"target", "producers"}
	c := &Collector{
		current:   map[string][]*workers.Worker{},
		done:      map[key]*totals{},
		sent:      prometheus.NewDesc("stationbench_messages_sent_total", "Messages handed to the connection, warmup included.", series, nil),
		acked:     prometheus.NewDesc("stationbench_messages_acked_total", "Messages acknowledged, warmup included.", series, nil),
		errs:      prometheus.NewDesc("stationbench_errors_total", "Failed publishes, negative acks and ack timeouts.", series, nil),
		latency:   prometheus.NewDesc("stationbench_latency_seconds", "Corrected publish-to-ack latency of measured messages, filled a second at a time.", series, nil),
		producers: prometheus.NewDesc("stationbench_producers", "Producers of the step running now.", []string{"target"}, nil),
		paused:    prometheus.NewDesc("stationbench_producers_paused", "Producers paused by a phase now.", []string{"target"}, nil),
		flight:    prometheus.NewDesc("stationbench_in_flight_messages", "Messages sent and not yet acknowledged.", []string{"target"}, nil),
	}
	for _, b := range workers.LiveBoundsNs() {
		c.bounds = append(c.bounds, float64(b)/1e9)
	}
	return c
}

// StepStarted shows the collector a step's workers.
func (c *Collector) StepStarted(target string, ws []*workers.Worker) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current[target] = ws
}

// StepFinished adds what a step's workers counted to its series and forgets
// them.
func (c *Collector) StepFinished(target string, ws []*workers.Worker) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.series(key{target, len(ws)})
	for _, w := range ws {
		t.add(w.Live())
	}
	delete(c.current, target)
}

func (c *Collector) series(k key) *totals {
	t := c.done[k]
	if t == nil {
		t = &totals{}
		c.done[k] = t
	}
	return t
}

func (t *totals) add(s workers.LiveSnapshot) {
	t.sent += s.Sent
	t.acked += s.Acked
	t.errs += s.Errors
	for i, n := range s.Buckets {
		t.buckets[i] += n
	}
	t.sumNs += s.SumNs
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.sent, c.acked, c.errs, c.latency, c.producers, c.paused, c.flight} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: it reads the running workers'
// counters and adds them to what finished steps counted.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	all := make(map[key]totals, len(c.done)+len(c.current))
	for k, t := range c.done {
		all[k] = *t
	}
	for target, ws := range c.current {
		k := key{target, len(ws)}
		t := all[k]
		var paused, flight int64
		for _, w := range ws {
			s := w.Live()
			t.add(s)
			flight += s.InFlight
			if s.Paused {
				paused++
			}
		}
		all[k] = t
		tl := []string{target}
		c.constant(ch, c.producers, prometheus.GaugeValue, float64(len(ws)), tl)
		c.constant(ch, c.paused, prometheus.GaugeValue, float64(paused), tl)
		c.constant(ch, c.flight, prometheus.GaugeValue, float64(flight), tl)
	}
	for k, t := range all {
		labels := []string{k.target, strconv.Itoa(k.producers)}
		c.constant(ch, c.sent, prometheus.CounterValue, float64(t.sent), labels)
		c.constant(ch, c.acked, prometheus.CounterValue, float64(t.acked), labels)
		c.constant(ch, c.errs, prometheus.CounterValue, float64(t.errs), labels)
		buckets := make(map[float64]uint64, len(c.bounds))
		var cum int64
		for i, b := range c.bounds {
			cum += t.buckets[i]
			buckets[b] = uint64(cum)
		}
		count := uint64(cum + t.buckets[len(c.bounds)])
		m, err := prometheus.NewConstHistogram(c.latency, count, float64(t.sumNs)/1e9, buckets, labels...)
		if err != nil {
			m = prometheus.NewInvalidMetric(c.latency, err)
		}
		ch <- m
	}
}

// constant sends a constant metric, or an invalid one saying why it could
// not be made.
func (c *Collector) constant(ch chan<- prometheus.Metric, d *prometheus.Desc, t prometheus.ValueType, v float64, labels []string) {
	m, err := prometheus.NewConstMetric(d, t, v, labels...)
	if err != nil {
		m = prometheus.NewInvalidMetric(d, err)
	}
	ch <- m
}

// Server serves /metrics over HTTP.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// Serve listens on addr (host:port; port 0 picks one) and serves c's
// metrics at /metrics until Close.
func Serve(addr string, c *Collector) (*Server, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln: ln, done: make(chan error, 1)}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server, waiting (up to ctx) for scrapes in progress.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
