package merge

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/stationbench/stationbench/result"
)

// gen makes the results of a distributed run's agents, as the agents would
// write them: steps producer steps of a jetstream target, each agent
// running perAgent producers of each step, seconds seconds of series with
// per-second histograms, latencies drawn from a log-normal distribution
// around 2 ms (a realistic spread over the histogram's buckets).
type gen struct {
	agents, steps, seconds, perAgent int
	// valuesPerSecond is what each agent records per second of a step.
	valuesPerSecond int
	// skew is how much later than agent 0 agent i's measured windows
	// begin (nil: all together).
	skew func(seg int) time.Duration
	// templates, when > 0, makes only that many distinct agents' worth of
	// histograms and reuses them (the benchmark: setup time).
	templates int
	// keep: record every value into all (per step) and allSeconds (per
	// step and merged second), for asserts.
	keep       bool
	all        []*hdrhistogram.Histogram
	allSeconds [][]*hdrhistogram.Histogram
}

// start is the wall clock of agent 0's first measured window.
var start = time.Date(2026, 12, 2, 10, 0, 0, 900e6, time.UTC)

func (g *gen) parts(t testing.TB) []*result.Result {
	t.Helper()
	if g.keep {
		g.all = make([]*hdrhistogram.Histogram, g.steps)
		g.allSeconds = make([][]*hdrhistogram.Histogram, g.steps)
		for s := range g.steps {
			g.all[s] = result.NewHistogram()
		}
	}
	type encoded struct {
		hist, histU string
		seconds     []string
		p99s        []float64
		lat, latU   result.Percentiles
	}
	cache := map[[2]int]encoded{}
	out := make([]*result.Result, g.agents)
	for seg := range g.agents {
		rng := rand.New(rand.NewPCG(uint64(seg), 7))
		skew := time.Duration(0)
		if g.skew != nil {
			skew = g.skew(seg)
		}
		shift := int(math.Round(skew.Seconds()))
		r := &result.Result{
			SchemaVersion: result.SchemaVersion,
			Status:        result.StatusComplete,
			StartedAt:     start.Add(-3 * time.Second).Add(skew),
			FinishedAt:    start.Add(time.Duration(g.steps*(g.seconds+3)) * time.Second).Add(skew),
			Scenario: result.Scenario{Name: "gen", Targets: []result.Target{{Name: "js", Kind: "jetstream", URL: "nats://127.0.0.1:4222"}},
				Message: result.Message{Size: 128}},
			Env: result.Env{StationbenchVersion: "test", Hostname: fmt.Sprintf("agent-%d", seg), PeakRSSBytes: int64(1e6 * (seg + 1)),
				Targets: []result.TargetEnv{{Name: "js", Kind: "jetstream", URL: "nats://127.0.0.1:4222"}},
				Agents: []result.Agent{{Segment: seg, Segments: g.agents, Host: fmt.Sprintf("agent-%d", seg), Version: "test",
					ClockOffsetUs: float64(seg*37%200) - 100}}},
			RunID: "20261202T100000Z-abcd",
		}
		for step := range g.steps {
			producers := g.perAgent * g.agents * (step + 1)
			mine := g.perAgent * (step + 1)
			from := start.Add(time.Duration(step*(g.seconds+3))*time.Second + skew)
			run := result.Run{Target: "js", Kind: "jetstream", Axis: result.AxisProducers, Producers: producers, Repeat: 1,
				Status: result.StatusComplete, StartedAt: from.Add(-2 * time.Second), MeasuredFrom: from,
				DurationS: float64(g.seconds), WarmupS: 1, PeakRSSBytes: int64(1e6 * (seg + 1) * (step + 1))}
			key := [2]int{seg, step}
			if g.templates > 0 {
				key[0] = seg % g.templates
			}
			enc, cached := cache[key]
			h, hu := result.NewHistogram(), result.NewHistogram()
			second := result.NewHistogram()
			if g.keep && g.allSeconds[step] == nil {
				g.allSeconds[step] = make([]*hdrhistogram.Histogram, g.seconds+g.agents+2)
			}
			for sec := range g.seconds {
				n := int64(g.valuesPerSecond)
				s := result.Second{Second: sec, Offered: n, Sent: n, Acked: n}
				if !cached {
					second.Reset()
					for range n {
						v := int64(math.Exp(rng.NormFloat64()*0.5 + math.Log(2e6)))
						_ = h.RecordValue(v)
						_ = hu.RecordValue(v * 9 / 10)
						_ = second.RecordValue(v)
						if g.keep {
							_ = g.all[step].RecordValue(v)
							at := &g.allSeconds[step][sec+shift]
							if *at == nil {
								*at = result.NewHistogram()
							}
							_ = (*at).RecordValue(v)
						}
					}
					enc.seconds = append(enc.seconds, mustEncode(t, second))
					enc.p99s = append(enc.p99s, float64(second.ValueAtQuantile(99))/1e3)
				}
				s.Histogram, s.P99Us = enc.seconds[sec], enc.p99s[sec]
				run.Series = append(run.Series, s)
				run.Offered += n
				run.Sent += n
				run.Acked += n
			}
			if !cached {
				enc.hist, enc.histU = mustEncode(t, h), mustEncode(t, hu)
				enc.lat, enc.latU = result.Latency(h), result.Latency(hu)
				cache[key] = enc
			}
			run.Histogram, run.HistogramUncorrected = enc.hist, enc.histU
			run.LatencyUs, run.LatencyUncorrectedUs = enc.lat, enc.latU
			run.ThroughputMsgsPerSec = float64(run.Acked) / run.DurationS
			run.ThroughputBytesPerSec = run.ThroughputMsgsPerSec * 128
			for k := range mine {
				name := fmt.Sprintf("bench-%d", seg+k*g.agents+1) // striped: agent i runs i+1, i+1+N, ...
				sent := run.Sent / int64(mine)
				run.ProducerStats = append(run.ProducerStats, result.ProducerStats{ID: name, Name: name, Sent: sent, Acked: sent,
					ThroughputMsgsPerSec: float64(sent) / run.DurationS, LatencyUs: result.ProducerLatency{P50: 2000, P99: 4000 + float64(seg), Max: 9000},
					Score: 10, ScoreBasis: "median"})
			}
			f := 1.0
			run.Fairness = &f
			if seg == 0 {
				stored, lost, dup := int64(g.agents)*run.Acked, int64(0), int64(0)
				run.Stored, run.Lost, run.Duplicates = &stored, &lost, &dup
			}
			r.Runs = append(r.Runs, run)
		}
		out[seg] = r
	}
	return out
}

func mustEncode(t testing.TB, h *hdrhistogram.Histogram) string {
	t.Helper()
	s, err := result.EncodeHistogram(h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
