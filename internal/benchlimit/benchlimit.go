// Package benchlimit checks that the harness is not the bottleneck it
// measures: against one server it runs the harness and a bare nats.go
// publishing loop with the same settings, and compares their rates and the
// client CPU each spends per message. The bare loops are the leanest a
// user would write: they count, and look at the clock and the context
// only every few thousand messages.
package benchlimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/protocols"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// Options tune a comparison.
type Options struct {
	URL      string        // the server both sides publish to
	Duration time.Duration // per measurement
	Size     int           // payload bytes
	Rounds   int           // alternating measurements per side; the median is kept
	Window   int           // JetStream async: unacknowledged messages allowed
}

// Case is one compared setting.
type Case struct {
	Name string
	// Bare and Harness are the median rates (msgs/s) and client CPU per
	// message (ns) of each side.
	BareRate, HarnessRate   float64
	BareCPUNs, HarnessCPUNs float64
}

// Ratio is the harness's rate over the bare loop's.
func (c Case) Ratio() float64 {
	if c.BareRate == 0 {
		return 0
	}
	return c.HarnessRate / c.BareRate
}

// measure is one side's way to publish for a while; it returns the
// messages completed (sent, acked or delivered, as the case counts them)
// and the time spent publishing them (connecting and setting up excluded,
// waiting for the last acks or deliveries included in neither).
type measure func(ctx context.Context) (int64, time.Duration, error)

// Run compares every case and writes a line per case to w as it goes.
func Run(ctx context.Context, o Options, w io.Writer) ([]Case, error) {
	cases := []struct {
		name          string
		bare, harness measure
	}{
		{fmt.Sprintf("core-%dB", o.Size), bareCore(o, 1, false), harness(o, scenarios.KindNATS, 1, false)},
		{fmt.Sprintf("core-%dB-4conn", o.Size), bareCore(o, 4, false), harness(o, scenarios.KindNATS, 4, false)},
		{fmt.Sprintf("core-%dB-subscribed", o.Size), bareCore(o, 1, true), harness(o, scenarios.KindNATS, 1, true)},
		{fmt.Sprintf("jetstream-async-%dB", o.Size), bareJetStream(o), harness(o, scenarios.KindJetStream, 1, false)},
	}
	var out []Case
	for _, c := range cases {
		var bare, harn []sample
		for range o.Rounds {
			b, err := timed(ctx, c.bare)
			if err != nil {
				return out, fmt.Errorf("%s bare: %w", c.name, err)
			}
			h, err := timed(ctx, c.harness)
			if err != nil {
				return out, fmt.Errorf("%s harness: %w", c.name, err)
			}
			bare, harn = append(bare, b), append(harn, h)
		}
		res := Case{Name: c.name}
		res.BareRate, res.BareCPUNs = median(bare)
		res.HarnessRate, res.HarnessCPUNs = median(harn)
		fmt.Fprintf(w, "%s ratio %.2f  (harness %.0f msgs/s, %.0f ns CPU/msg; bare %.0f msgs/s, %.0f ns CPU/msg)\n",
			res.Name, res.Ratio(), res.HarnessRate, res.HarnessCPUNs, res.BareRate, res.BareCPUNs)
		out = append(out, res)
	}
	return out, nil
}

type sample struct{ rate, cpuNs float64 }

// timed runs m and measures its rate and the process's CPU per message
// (setup and drain included, for both sides alike).
func timed(ctx context.Context, m measure) (sample, error) {
	cpu0 := cpuTime()
	n, elapsed, err := m(ctx)
	cpu := cpuTime() - cpu0
	if err != nil || n == 0 {
		return sample{}, fmt.Errorf("%d messages: %w", n, err)
	}
	return sample{rate: float64(n) / elapsed.Seconds(), cpuNs: float64(cpu.Nanoseconds()) / float64(n)}, nil
}

// median returns the median rate and the CPU of that same sample.
func median(s []sample) (rate, cpuNs float64) {
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b sample) int {
		switch {
		case a.rate < b.rate:
			return -1
		case a.rate > b.rate:
			return 1
		}
		return 0
	})
	m := s[len(s)/2]
	return m.rate, m.cpuNs
}

// cpuTime is the user plus system CPU this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The bare loops' station (stream) and subject: the same shape and length
// as the harness's station "limit" and its producer "bench-1", so that the
// server does the same work for a message of either side (a subject six
// bytes shorter made the bare core loop some 15 % faster here).
const (
	bareStation = "plain"
	bareSubject = bareStation + ".bench-1"
)

// Every how many messages the bare loops look at the clock and the
// context: a plain loop counts, and checks its deadline now and then.
const (
	coreCheckEvery      = 4096 // about a millisecond of core NATS
	jetStreamCheckEvery = 1024 // about ten milliseconds of JetStream
)

// bareCore publishes core NATS messages in plain counting loops, one per
// connection (conns of them, each on its own goroutine); with subscribed,
// a plain subscriber on its own connection counts deliveries.
func bareCore(o Options, conns int, subscribed bool) measure {
	return func(ctx context.Context) (int64, time.Duration, error) {
		ncs := make([]*nats.Conn, conns)
		for i := range ncs {
			nc, err := nats.Connect(o.URL)
			if err != nil {
				return 0, 0, err
			}
			defer nc.Close()
			ncs[i] = nc
		}
		var delivered func() int64
		if subscribed {
			sc, err := nats.Connect(o.URL)
			if err != nil {
				return 0, 0, err
			}
			defer sc.Close()
			var n int64
			done := make(chan int64, 1)
			sub, err := sc.Subscribe(bareStation+".>", func(*nats.Msg) { n++ })
			if err != nil {
				return 0, 0, err
			}
			_ = sub.SetPendingLimits(4<<20, 1<<30)
			if err := sc.Flush(); err != nil {
				return 0, 0, err
			}
			delivered = func() int64 {
				_ = sc.Flush()
				for p, _, _ := sub.Pending(); p > 0; p, _, _ = sub.Pending() {
					time.Sleep(time.Millisecond)
				}
				_ = sub.Unsubscribe() // callbacks have finished once pending is 0 and Unsubscribe returns
				done <- n
				return <-done
			}
		}
		type count struct {
			sent    int64
			elapsed time.Duration
			err     error
		}
		counts := make(chan count, conns)
		start := time.Now()
		deadline := start.Add(o.Duration)
		for i, nc := range ncs {
			go func() {
				subject := fmt.Sprintf("%s.bench-%d", bareStation, i+1)
				payload := make([]byte, o.Size)
				var sent int64
				for {
					for range coreCheckEvery {
						if err := nc.Publish(subject, payload); err != nil {
							counts <- count{sent: sent, err: err}
							return
						}
					}
					sent += coreCheckEvery
					if time.Now().After(deadline) || ctx.Err() != nil {
						break
					}
				}
				counts <- count{sent: sent, elapsed: time.Since(start), err: nc.Flush()}
			}()
		}
		var sent int64
		var elapsed time.Duration
		var err error
		for range conns {
			c := <-counts
			sent, elapsed, err = sent+c.sent, max(elapsed, c.elapsed), errors.Join(err, c.err)
		}
		if err != nil {
			return sent, 0, err
		}
		if delivered != nil {
			return delivered(), elapsed, nil
		}
		return sent, elapsed, nil
	}
}

// bareJetStream publishes with nats.go's own asynchronous JetStream
// publisher, at most o.Window unacknowledged, and counts acks.
func bareJetStream(o Options) measure {
	return func(ctx context.Context) (int64, time.Duration, error) {
		nc, err := nats.Connect(o.URL)
		if err != nil {
			return 0, 0, err
		}
		defer nc.Close()
		js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(o.Window))
		if err != nil {
			return 0, 0, err
		}
		cfg := jetstream.StreamConfig{Name: bareStation, Subjects: []string{bareStation + ".>"}, Storage: jetstream.FileStorage}
		if _, err := js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return 0, 0, err
		}
		defer js.DeleteStream(context.WithoutCancel(ctx), bareStation)
		payload := make([]byte, o.Size)
		var sent int64
		start := time.Now()
		deadline := start.Add(o.Duration)
		for {
			for range jetStreamCheckEvery {
				if _, err := js.PublishAsync(bareSubject, payload); err != nil {
					if err := stalled(ctx, js, payload, err); err != nil {
						return sent, 0, err
					}
				}
			}
			sent += jetStreamCheckEvery
			if time.Now().After(deadline) || ctx.Err() != nil {
				break
			}
		}
		elapsed := time.Since(start)
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(30 * time.Second):
			return sent, 0, fmt.Errorf("acks did not all arrive")
		}
		return sent, elapsed, nil
	}
}

// stalled handles a PublishAsync that failed with err: when the window
// stayed full for nats.go's stall wait (a slow server: the harness waits
// as long as its ack timeout), it publishes the message again until it
// goes, for up to 30 s; any other error is returned.
func stalled(ctx context.Context, js jetstream.JetStream, payload []byte, err error) error {
	for give := time.Now().Add(30 * time.Second); errors.Is(err, jetstream.ErrTooManyStalledMsgs); {
		if time.Now().After(give) || ctx.Err() != nil {
			return fmt.Errorf("window full for 30 s: %w", err)
		}
		_, err = js.PublishAsync(bareSubject, payload)
	}
	return err
}

// harness runs stationbench itself: producers on connections of their
// own, no warmup, the same size, window and storage.
func harness(o Options, kind scenarios.Kind, producers int, subscribe bool) measure {
	return func(ctx context.Context) (int64, time.Duration, error) {
		sc := scenarios.Scenario{
			Name:    "bench-limit",
			Targets: []scenarios.Target{{Name: "limit", Kind: kind, URL: o.URL, RequestTimeout: scenarios.Milliseconds(5 * time.Second), MaxReconnect: 1}},
			Station: scenarios.Station{Name: "limit", Storage: "file", Replicas: 1, Cleanup: "delete", Subscribe: &subscribe},
			Producers: scenarios.Producers{Name: "bench", Counts: []int{producers}, Connections: scenarios.ConnPerProducer,
				Ack: scenarios.AckAsync, MaxPending: o.Window},
			Message: scenarios.Message{Size: scenarios.ByteSize(o.Size)},
			Load: scenarios.Load{Duration: scenarios.Duration(o.Duration), Repeat: 1,
				Drain: scenarios.Duration(30 * time.Second), LateAfter: scenarios.Duration(time.Millisecond)},
		}
		res := runner.Run(ctx, sc, runner.Options{})
		if res.Status != result.StatusComplete || len(res.Runs) != 1 {
			return 0, 0, fmt.Errorf("harness run %s: %s", res.Status, res.Error)
		}
		r := res.Runs[0]
		elapsed := time.Duration(r.DurationS * float64(time.Second))
		if p, _ := protocols.Lookup(kind); !p.Acks && !subscribe { // nothing acknowledged or delivered: count sends
			return r.Sent, elapsed, nil
		}
		return r.Acked, elapsed, nil
	}
}
