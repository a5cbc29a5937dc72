package scenarios

import (
	"errors"
	"testing"
	"time"
)

func TestFindMaxRate(t *testing.T) {
	ok, err := Parse("ok.yaml", []byte("name: m\nload:\n  findMaxRate: {p99: 10ms}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := ok.Load.FindMaxRate
	if f == nil || f.P99.D() != 10*time.Millisecond || f.MaxProbes != DefaultMaxProbes || f.Precision != DefaultPrecision {
		t.Fatalf("findMaxRate = %+v", f)
	}
	if slo := f.SLO(); len(slo) != 1 || slo[0].Percentile != "p99" {
		t.Errorf("SLO = %+v", slo)
	}
	tests := []struct {
		yaml string
		line int
		key  string
	}{
		{"name: m\nload:\n  findMaxRate: {maxProbes: 3}\n", 3, "load.findMaxRate"},
		{"name: m\nload:\n  findMaxRate: {p99: 10ms, maxProbes: 51}\n", 3, "load.findMaxRate.maxProbes"},
		{"name: m\nload:\n  findMaxRate: {p99: 10ms, precision: 5}\n", 3, "load.findMaxRate.precision"},
		{"name: m\nload:\n  rate: 1000\n  findMaxRate: {p99: 10ms}\n", 4, "load.findMaxRate"},
		{"name: m\nload:\n  findMaxRate: {p95: 10ms}\n", 3, "load.findMaxRate.p95"},
	}
	for _, tt := range tests {
		_, err := Parse("bad.yaml", []byte(tt.yaml), nil)
		var es Errors
		if !errors.As(err, &es) {
			t.Errorf("%q: err = %v, want field errors", tt.yaml, err)
			continue
		}
		found := false
		for _, fe := range es {
			found = found || fe.Line == tt.line && fe.Key == tt.key
		}
		if !found {
			t.Errorf("%q: got %v, want line %d key %s", tt.yaml, es, tt.line, tt.key)
		}
	}
}
