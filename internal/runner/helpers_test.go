package runner

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// scenario parses a scenario from YAML text, failing the test on error.
func scenario(t *testing.T, text string) scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("test.yaml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	return sc
}

// onLoad is a Progress that calls do once, on the first tick at least at
// into a step's load with acknowledgements seen.
type onLoad struct {
	nopProgress
	at    time.Duration
	do    func()
	once  sync.Once
	fired atomic.Bool
}

func (o *onLoad) Tick(_ StepInfo, t Tick) {
	if t.Elapsed >= o.at && t.Acked > 0 {
		o.once.Do(func() { o.do(); o.fired.Store(true) })
	}
}

// onMeasured calls do once, on the first tick after a worker of the step
// has recorded a measured acknowledgement: the workers' live latency
// buckets count measured acks only, never warmup ones, a second at a time.
// Use it through options, which makes it the run's Progress and Live.
type onMeasured struct {
	nopProgress
	live measuredLive
	do   func()
	once sync.Once
}

// options are run options that call o.do once acks are measured.
func (o *onMeasured) options() Options {
	return Options{Progress: o, Live: &o.live, TickEvery: 50 * time.Millisecond}
}

func (o *onMeasured) Tick(StepInfo, Tick) {
	ws := o.live.ws.Load()
	if ws == nil {
		return
	}
	for _, w := range *ws {
		for _, n := range w.Live().Buckets {
			if n > 0 {
				o.once.Do(o.do)
				return
			}
		}
	}
}

// measuredLive is the Live half of onMeasured: it holds the running
// step's workers.
type measuredLive struct {
	ws atomic.Pointer[[]*workers.Worker]
}

func (m *measuredLive) StepStarted(_ string, ws []*workers.Worker) { m.ws.Store(&ws) }
func (m *measuredLive) StepFinished(string, []*workers.Worker)     { m.ws.Store(nil) }

// runMeasuredInBackground is runInBackground with measured closed once a
// worker has recorded a measured acknowledgement (not a warmup one).
func runMeasuredInBackground(sc scenarios.Scenario) (measured <-chan struct{}, done <-chan *result.Result) {
	m := make(chan struct{})
	d := make(chan *result.Result, 1)
	o := &onMeasured{do: func() { close(m) }}
	go func() { d <- Run(context.Background(), sc, o.options()) }()
	return m, d
}

// runInBackground runs sc in its own goroutine: loaded closes once load
// has run for after (with acks seen), and done delivers the result.
func runInBackground(sc scenarios.Scenario, after time.Duration) (loaded <-chan struct{}, done <-chan *result.Result) {
	l := make(chan struct{})
	d := make(chan *result.Result, 1)
	p := &onLoad{at: after, do: func() { close(l) }}
	go func() { d <- Run(context.Background(), sc, Options{Progress: p, TickEvery: 50 * time.Millisecond}) }()
	return l, d
}

// waitFor receives from ch, failing the test after limit.
func waitFor[T any](t *testing.T, ch <-chan T, limit time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(limit):
		t.Fatalf("timed out after %s waiting for %s", limit, what)
		var zero T
		return zero
	}
}
