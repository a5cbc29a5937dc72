package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers/kafka"
)

// topicHasRecords polls (up to limit) until the fake's topic holds more
// than n records, which shows that load is flowing.
func topicHasRecords(t *testing.T, f *kafka.Fake, topic string, n int64, limit time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var sum int64
		for _, p := range f.Cluster().PartitionInfos(topic) {
			sum += p.HighWatermark
		}
		if sum > n {
			return
		}
	}
	t.Fatalf("topic %q got no records in %s", topic, limit)
}

// Ctrl-C during a kafka run writes the partial result, as for the other
// kinds, and the topic the run created is deleted.
func TestInterruptKafkaWritesPartialResult(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	f, err := kafka.StartFake(scenarios.Target{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Shutdown()
	file := writeScenario(t, fmt.Sprintf(`
name: interrupt
targets: [{name: k, kind: kafka, url: %q}]
station: {name: interrupted, cleanup: delete}
producers: {counts: [2, 4]}
load: {duration: 60s, warmup: 0s}
`, f.URL()))
	out := filepath.Join(t.TempDir(), "out")
	p := start(t, bin, "run", file, "--out", out)
	topicHasRecords(t, f, "interrupted", 10000, 30*time.Second)

	sent := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = p.wait(t, 20*time.Second)
	t.Logf("exited %s after SIGINT", time.Since(sent).Round(time.Millisecond))
	if code := exitCodeOf(err); code != exitFailed {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", code, exitFailed, p.stderr.String())
	}
	res, rerr := result.ReadJSON(filepath.Join(out, report.FileResult))
	if rerr != nil {
		t.Fatalf("result.json: %v", rerr)
	}
	if res.Status != result.StatusInterrupted {
		t.Errorf("status %s, want interrupted", res.Status)
	}
	if len(res.Runs) != 1 || res.Runs[0].Status != result.StatusInterrupted || res.Runs[0].Acked == 0 {
		t.Errorf("runs %+v: want the one interrupted step with what it measured", res.Runs)
	}
	if f.Cluster().TopicInfo("interrupted") != nil {
		t.Error("the topic the run created is still there: want it deleted, as cleanup says")
	}
}
