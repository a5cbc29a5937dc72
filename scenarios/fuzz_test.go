package scenarios

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// numericFields are YAML snippets with one numeric field each; %v is
// replaced by each of numericSeeds, so the fuzzer starts from negative,
// zero and huge values of every number a scenario holds.
var numericFields = []string{
	"producers: {counts: [%v]}",
	"producers: {counts: [2, %v]}",
	"producers: {counts: [%v]}\nphases: [{at: 1s, pause: 1}, {at: 2s, resume: all}]",
	"producers: {counts: [%v]}\nload: {rates: [10, 20]}",
	"producers: {counts: [3], maxPending: %v}",
	"message: {size: %v}",
	"message: {batch: %v}",
	"targets: [{kind: memphis-http, host: h, password: p}]\nmessage: {batch: %v}",
	"load: {repeat: %v}",
	"load: {duration: %vs}",
	"load: {warmup: %vs}",
	"load: {drain: %vms}",
	"load: {lateAfter: %vms}",
	"load: {rate: %v}",
	"load: {rates: [%v]}",
	"load: {findMaxRate: {p99: %vms, maxProbes: %v, precision: %v}}",
	"targets: [{url: 'nats://h:1', timeoutMs: %v, maxReconnect: %v, reconnectIntervalMs: %v}]",
	"targets: [{url: 'nats://h:1', port: %v, accountId: %v}]",
	"targets: [{kind: memphis, host: h, port: %v, accountId: %v, password: p}]",
	"station: {replicas: %v, partitions: %v, retentionValue: %v}",
	"targets: [{kind: memphis, host: h, password: p}]\nstation: {name: s, partitions: %v, retentionValue: %v, idempotencyWindow: %vs}",
	"thresholds: [{metric: errors, max: %v, producers: %v}]",
	"thresholds: [{metric: latency.p99, max: %vms}]",
	"phases: [{at: %vs, pause: %v}]",
	"producers: {counts: [4]}\nphases: [{at: 1s, pause: %v%}]",
	"trace: {sample: %v}",
}

var numericSeeds = []string{"-1", "0", "1", "-3", "10000", "10000000", "1000000000", "1e12",
	"9223372036854775807", "-9223372036854775808", "1e400", "0.5", ".nan", "-.inf"}

// FuzzParse checks that no input panics, anywhere the scenario goes after
// decoding: validation, Steps, the phases applied to every step as the
// runner applies them, Redacted and the JSON and YAML a result stores. A
// failure is an Errors naming at least one problem, in lines of bounded
// length; a success passes validate again.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, in := range []string{"name: &a [*a]\n", "targets: &a\n  - *a\n", "&a {load: *a, name: x}\n"} {
		f.Add([]byte(in)) // aliases that make a node contain itself
	}
	for _, field := range numericFields {
		for _, v := range numericSeeds {
			f.Add([]byte("name: f\n" + strings.ReplaceAll(field, "%v", v) + "\n"))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data, testEnv)
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty Errors", err, err)
			}
			for _, e := range es {
				if n := len(e.Error()); n > len("f.yaml:123456: ")+maxKeyShown+2+maxMsgShown {
					t.Fatalf("an error of %d bytes: %.200s", n, e.Error())
				}
			}
			return
		}
		exercise(t, s)
	})
}

// exercise does with a valid scenario what the rest of stationbench does.
func exercise(t *testing.T, s Scenario) {
	if err := s.validate(); err != nil {
		t.Fatalf("Parse accepted what validate rejects: %v", err)
	}
	for _, st := range s.Steps() {
		if st.Producers < 1 || st.Producers > MaxProducers {
			t.Fatalf("a step of %d producers", st.Producers)
		}
		paused := make([]bool, st.Producers)
		for _, p := range s.Phases {
			action, set := p.Action()
			idx, err := set.Select(paused, s.Producers.Name, action == "pause")
			if err != nil {
				t.Fatalf("phase %s %s with %d producers passed validation but fails: %v", action, set, st.Producers, err)
			}
			for _, k := range idx {
				paused[k] = action == "pause"
			}
		}
	}
	r := s.Redacted()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var back Scenario
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	if _, err := yaml.Marshal(r); err != nil {
		t.Fatalf("yaml: %v", err)
	}
}
