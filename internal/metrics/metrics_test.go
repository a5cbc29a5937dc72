package metrics

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/internal/runner"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// scraper scrapes the metrics once during the run, when load has gone on
// long enough for a latency second to close.
type scraper struct {
	url  string
	body string
	err  error
}

func (s *scraper) StepStarted(runner.StepInfo)              {}
func (s *scraper) StepFinished(runner.StepInfo, result.Run) {}
func (s *scraper) Tick(_ runner.StepInfo, t runner.Tick) {
	if s.body != "" || t.Elapsed < 1500*time.Millisecond {
		return
	}
	resp, err := http.Get(s.url)
	if err != nil {
		s.err = err
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	s.body, s.err = string(b), err
}

func TestScrapeDuringRun(t *testing.T) {
	srv := natstest.Start(t)
	sc, err := scenarios.Parse("m.yaml", []byte(`
name: metrics
targets:
  - {name: local, kind: jetstream, url: `+srv.URL()+`}
station: {name: metrics, storage: memory}
producers: {counts: [2], maxPending: 32}
load: {duration: 2s, warmup: 200ms}
phases: [{at: 0s, pause: 1}]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector()
	ms, err := Serve("127.0.0.1:0", c)
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close(context.Background())
	s := &scraper{url: "http://" + ms.Addr() + "/metrics"}
	res := runner.Run(context.Background(), sc, runner.Options{Progress: s, TickEvery: 100 * time.Millisecond, Live: c})
	if res.Status != result.StatusComplete {
		t.Fatalf("run %s: %s", res.Status, res.Error)
	}
	if s.err != nil || s.body == "" {
		t.Fatalf("scrape: %v (%d bytes)", s.err, len(s.body))
	}
	for _, want := range []string{
		`stationbench_messages_sent_total{producers="2",target="local"}`,
		`stationbench_messages_acked_total{producers="2",target="local"}`,
		`stationbench_errors_total{producers="2",target="local"} 0`,
		`stationbench_producers{target="local"} 2`,
		`stationbench_producers_paused{target="local"} 1`,
		`stationbench_in_flight_messages{target="local"}`,
		`stationbench_latency_seconds_bucket{producers="2",target="local",le="0.001"}`,
		`stationbench_latency_seconds_count{producers="2",target="local"}`,
	} {
		if !strings.Contains(s.body, want) {
			t.Errorf("scrape lacks %s:\n%s", want, s.body)
		}
	}
	if strings.Contains(s.body, `stationbench_messages_sent_total{producers="2",target="local"} 0`+"\n") {
		t.Error("nothing sent at scrape time")
	}
	if strings.Contains(s.body, `stationbench_latency_seconds_count{producers="2",target="local"} 0`+"\n") {
		t.Error("no latency at scrape time")
	}

	// After the run the step's counts stay, and no step is current.
	resp, err := http.Get(s.url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	after := string(b)
	if strings.Contains(after, "stationbench_producers{") || !strings.Contains(after, `stationbench_messages_sent_total{producers="2",target="local"}`) {
		t.Errorf("after the run:\n%s", after)
	}
}
