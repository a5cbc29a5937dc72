package runner

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/stationbench/stationbench/scenarios"
)

// TestRecordKeepsTheScenarioShape: the scenario the result keeps (its own
// types) is written exactly as the scenario itself was written into
// result.json before it had them, as JSON and as the YAML the HTML report
// shows, for every example scenario and one that sets the observability
// keys and thresholds; secrets are "***".
func TestRecordKeepsTheScenarioShape(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example scenarios: %v", err)
	}
	env := func(k string) (string, bool) {
		if strings.Contains(k, "PASSWORD") || strings.Contains(k, "TOKEN") {
			return "s3cret-" + strings.ToLower(k), true
		}
		return "value-of-" + strings.ToLower(k), true
	}
	var scs []scenarios.Scenario
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenarios.Parse(f, b, env)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		scs = append(scs, sc)
	}
	scs = append(scs, scenario(t, `
name: observed
targets: [{name: local, kind: jetstream, url: "nats://bench:s3cret-pw@127.0.0.1:4222"}]
producers: {counts: [4]}
load: {duration: 2s, warmup: 1s, repeat: 2}
labels: {git: abc123}
trace: {types: [publish, ack], sample: 0.5}
phases:
  - {at: 500ms, pause: 50%}
  - {at: 700ms, resume: all}
  - {at: 900ms, pause: 1}
  - {at: 1100ms, resume: [bench-1]}
thresholds:
  - {metric: latency.p99, max: 20ms, target: local}
  - {metric: throughput, min: 5000, producers: 4}
`))
	for _, sc := range scs {
		want, err := json.Marshal(sc.Redacted())
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(record(sc))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: JSON differs:\n got %s\nwant %s", sc.Name, got, want)
		}
		if bytes.Contains(got, []byte("s3cret")) {
			t.Errorf("%s: a secret reached the record: %s", sc.Name, got)
		}
		wantY, err := yaml.Marshal(sc.Redacted())
		if err != nil {
			t.Fatal(err)
		}
		gotY, err := yaml.Marshal(record(sc))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotY, wantY) {
			t.Errorf("%s: YAML differs:\n got %s\nwant %s", sc.Name, gotY, wantY)
		}
	}
}
