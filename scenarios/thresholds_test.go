package scenarios

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestThresholdsValid(t *testing.T) {
	s, err := LoadFile(filepath.Join("testdata", "thresholds", "valid.yaml"), Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		metric, op string
		value      float64
		target     string
		producers  int
	}{
		{MetricLatencyP99, "max", 20000, "local", 4},
		{MetricThroughput, "min", 50000, "", 0},
		{MetricErrors, "max", 0, "", 0},
		{MetricLost, "max", 10, "core", 0},
		{MetricLatencyMax, "max", 1.5e6, "", 0},
	}
	if len(s.Thresholds) != len(want) {
		t.Fatalf("got %d thresholds, want %d: %+v", len(s.Thresholds), len(want), s.Thresholds)
	}
	for i, w := range want {
		th := s.Thresholds[i]
		op, l := th.Bound()
		if th.Metric != w.metric || op != w.op || l == nil || l.Value() != w.value || th.Target != w.target || th.Producers != w.producers {
			t.Errorf("thresholds[%d] = %+v (%s %v), want %+v", i, th, op, l, w)
		}
	}
	if err := s.validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
}

func TestThresholdsInvalid(t *testing.T) {
	tests := []struct {
		file string
		want []wantErr
	}{
		{"invalid.yaml", []wantErr{
			{7, "thresholds[0].metric", `"latency.p95" is not a metric: want one of latency.p50`},
			{10, "thresholds[1].max", "latency.p99 is a latency: want a duration like 20ms, got 20 (add a unit"},
			{12, "thresholds[2].min", "throughput is not a latency: want a number, got 10ms"},
			{13, "thresholds[3]", "needs a bound: max (an upper limit) or min (a lower limit)"},
			{16, "thresholds[4].min", "set either max or min, not both"},
			{19, "thresholds[5].target", `"remote" is not a target of this scenario: want one of local`},
			{20, "thresholds[5].producers", "8 is not a producer count of this scenario's steps: want one of 1, 4"},
			{22, "thresholds[6].max", "errors is a count of messages: want a whole number, got 1.5"},
			{24, "thresholds[7].min", "must not be negative, got -3"},
			{25, "thresholds[8].metric", "required: one of latency.p50"},
			{27, "thresholds[9].max", `want a duration like 20ms (latency) or a number`},
			{28, "thresholds[9].producers", "must be 1 or more, got 0"},
			{31, "thresholds[10].colour", "unknown key"},
		}},
		{"not-a-list.yaml", []wantErr{{3, "thresholds", "want a list of thresholds"}}},
		{"rates.yaml", []wantErr{{12, "thresholds[1].producers", "1000 is not a producer count of this scenario's steps: want one of 2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "thresholds", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(tt.file, data, nil)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Parse error = %v (%T), want Errors", err, err)
			}
			if len(es) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(es), len(tt.want), err)
			}
			for i, w := range tt.want {
				e := es[i]
				if e.Line != w.line || e.Key != w.key || !strings.Contains(e.Msg, w.msg) {
					t.Errorf("problem %d = %q (line %d, key %q), want line %d, key %q, message containing %q",
						i, e.Error(), e.Line, e.Key, w.line, w.key, w.msg)
				}
			}
		})
	}
}

func TestThresholdsValidateInCode(t *testing.T) {
	s, err := Parse("s.yaml", []byte("name: x\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Thresholds = []Threshold{{Metric: MetricThroughput, Max: &Limit{Number: 5}, Target: "nope"}}
	err = s.validate()
	if err == nil || !strings.Contains(err.Error(), `thresholds[0].target: "nope" is not a target`) {
		t.Fatalf("validate = %v, want the unknown target", err)
	}
}

func TestLimitJSON(t *testing.T) {
	tests := []struct {
		in   Limit
		json string
	}{
		{Limit{Duration: Duration(20 * time.Millisecond), IsDuration: true}, `"20ms"`},
		{Limit{Number: 50000}, `50000`},
		{Limit{Number: 0.5}, `0.5`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if err != nil || string(b) != tt.json {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tt.in, b, err, tt.json)
			continue
		}
		var back Limit
		if err := json.Unmarshal(b, &back); err != nil || back != tt.in {
			t.Errorf("Unmarshal(%s) = %+v, %v; want %+v", b, back, err, tt.in)
		}
	}
	var l Limit
	if err := json.Unmarshal([]byte(`"soon"`), &l); err == nil {
		t.Error(`Unmarshal("soon") succeeded`)
	}
}
