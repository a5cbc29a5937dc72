package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func parseText(t *testing.T, text string) (Scenario, error) {
	t.Helper()
	return Parse("s.yaml", []byte(text), func(string) (string, bool) { return "", false })
}

func TestPhasesLabelsTraceParse(t *testing.T) {
	sc, err := parseText(t, `
name: p
producers: {counts: [4, 6]}
load: {duration: 30s}
labels: {git: abc123, cluster: east, build: 42}
phases:
  - {at: 10s, pause: 50%}
  - {at: 12s, pause: [bench-4]}
  - {at: 15s, resume: 1}
  - {at: 20s, resume: all}
trace: {types: [publish, pause]}
`)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"git": "abc123", "cluster": "east", "build": "42"}; !reflect.DeepEqual(sc.Labels, want) {
		t.Errorf("labels %v", sc.Labels)
	}
	want := []Phase{
		{At: Duration(10e9), Pause: &ProducerSet{Percent: 50}},
		{At: Duration(12e9), Pause: &ProducerSet{Names: []string{"bench-4"}}},
		{At: Duration(15e9), Resume: &ProducerSet{Count: 1}},
		{At: Duration(20e9), Resume: &ProducerSet{All: true}},
	}
	if !reflect.DeepEqual(sc.Phases, want) {
		t.Errorf("phases %+v", sc.Phases)
	}
	if sc.Trace == nil || sc.Trace.Sample != DefaultTraceSample || !reflect.DeepEqual(sc.Trace.Types, []string{"publish", "pause"}) {
		t.Errorf("trace %+v", sc.Trace)
	}
	// The result carries the scenario as JSON; sets keep their written form.
	b, err := json.Marshal(sc.Redacted().Phases)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.Contains(got, `"pause":"50%"`) || !strings.Contains(got, `"pause":["bench-4"]`) ||
		!strings.Contains(got, `"resume":1`) || !strings.Contains(got, `"resume":"all"`) {
		t.Errorf("json %s", got)
	}
	var back []Phase
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, want) {
		t.Errorf("round trip: %v %+v", err, back)
	}
}

func TestTraceDefaults(t *testing.T) {
	sc, err := parseText(t, "name: p\ntrace: {}\n")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sc.Trace.Types, TraceTypes()) || sc.Trace.Sample != DefaultTraceSample {
		t.Errorf("trace %+v", sc.Trace)
	}
	if sc, _ := parseText(t, "name: p\n"); sc.Trace != nil {
		t.Error("trace on without trace:")
	}
}

func TestPhasesValidation(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"after the window", "load: {duration: 10s}\nphases: [{at: 10s, pause: 1}]", []string{"s.yaml:3: phases[0].at: 10s is outside"}},
		{"negative", "phases: [{at: -1s, pause: 1}]", []string{"phases[0].at: -1s is outside"}},
		{"out of order", "load: {duration: 30s}\nphases: [{at: 5s, pause: 1}, {at: 2s, resume: 1}]", []string{"phases[1].at: 2s comes before"}},
		{"both", "phases: [{at: 1s, pause: 1, resume: 1}]", []string{"phases[0]: set either pause or resume"}},
		{"neither", "phases: [{at: 1s}]", []string{"phases[0]: needs pause: or resume:"}},
		{"more than exist", "producers: {counts: [2, 4]}\nphases: [{at: 1s, pause: 3}]", []string{"phases[0].pause: with 2 producers: pause 3: 3 producers, but only 2 of 2 are running"}},
		{"more than are running", "producers: {counts: [4]}\nphases: [{at: 1s, pause: 3}, {at: 2s, pause: 50%}]", []string{"phases[1].pause: with 4 producers: pause 50%: 2 producers, but only 1 of 4"}},
		{"resume what is not paused", "producers: {counts: [4]}\nphases: [{at: 1s, resume: 1}]", []string{"phases[0].resume: with 4 producers: resume 1: 1 producers, but only 0 of 4 are paused"}},
		{"unknown name", "producers: {counts: [2]}\nphases: [{at: 1s, pause: [bench-3]}]", []string{`no producer "bench-3" among bench-1 ... bench-2`}},
		{"bad share", "phases: [{at: 1s, pause: 150%}]", []string{"phases[0].pause: \"150%\": want a percentage"}},
		{"zero count", "phases: [{at: 1s, pause: 0}]", []string{"phases[0].pause: want at least 1 producer"}},
		{"bad trace", "trace: {types: [publish, send, publish], sample: 2}", []string{
			`trace.types[1]: "send" is not a trace type`, `trace.types[2]: "publish" is listed twice`, `trace.sample: "2" is ambiguous: a bare number is a fraction below 1; write 2% for a percentage`}},
		{"bad label", "labels: {\"git rev\": x}", []string{`labels.git rev: label name "git rev"`}},
		{"label not scalar", "labels: {git: [a]}", []string{"labels.git: want a text or number value"}},
	} {
		_, err := parseText(t, "name: p\n"+tc.yaml+"\n")
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error\n%v\nlacks %q", tc.name, err, w)
			}
		}
	}
}

func TestProducerSetSelect(t *testing.T) {
	paused := []bool{false, true, false, false}
	for _, tc := range []struct {
		set   ProducerSet
		pause bool
		want  []int
	}{
		{ProducerSet{All: true}, true, []int{0, 2, 3}},
		{ProducerSet{All: true}, false, []int{1}},
		{ProducerSet{Percent: 50}, true, []int{0, 2}},
		{ProducerSet{Percent: 10}, true, []int{0}}, // rounds to at least 1
		{ProducerSet{Count: 3}, true, []int{0, 2, 3}},
		{ProducerSet{Names: []string{"w-4", "w-1"}}, true, []int{3, 0}},
	} {
		got, err := tc.set.Select(paused, "w", tc.pause)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s pause=%v: %v %v, want %v", tc.set, tc.pause, got, err, tc.want)
		}
	}
	for _, bad := range []ProducerSet{{Names: []string{"w-2"}}, {Names: []string{"w-01"}}, {Names: []string{"x-1"}}, {Names: []string{"w-1", "w-1"}}, {Count: 4}} {
		if _, err := bad.Select(paused, "w", true); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
