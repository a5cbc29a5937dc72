package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestPacerWarningWhenMaterial: the summary and the markdown report warn
// about an open-loop run whose pacer lag p99 is more than a tenth of its
// corrected p99, and about no other.
func TestPacerWarningWhenMaterial(t *testing.T) {
	run := func(lagP99, p99 float64) result.Run {
		r := result.Run{Target: "core", Kind: "nats", Producers: 1, RateMsgsPerSec: 1000, Repeat: 1,
			Status: result.StatusComplete, LatencyUs: result.Percentiles{P50: p99 / 2, P99: p99}}
		if lagP99 >= 0 {
			r.PacerLagUs = &result.Percentiles{P50: lagP99 / 2, P99: lagP99}
		}
		return r
	}
	tests := []struct {
		name string
		run  result.Run
		warn bool
	}{
		{"the timer's millisecond in a 1.2 ms tail", run(1000, 1200), true},
		{"just over a tenth", run(101, 1000), true},
		{"a tenth exactly", run(100, 1000), false},
		{"a precise pacer", run(30, 1000), false},
		{"closed loop: no lag recorded", run(-1, 1000), false},
		{"no latency measured", run(500, 0), false},
	}
	for _, tt := range tests {
		r := &result.Result{SchemaVersion: result.SchemaVersion, Status: result.StatusComplete, Runs: []result.Run{tt.run}}
		for name, render := range map[string]func(*bytes.Buffer, *result.Result) error{
			"summary":  func(b *bytes.Buffer, r *result.Result) error { return Summary(b, r) },
			"markdown": func(b *bytes.Buffer, r *result.Result) error { return Markdown(b, r) },
		} {
			var buf bytes.Buffer
			if err := render(&buf, r); err != nil {
				t.Fatalf("%s: %s: %v", tt.name, name, err)
			}
			if got := strings.Contains(buf.String(), "the pacer's own lag"); got != tt.warn {
				t.Errorf("%s: %s warns %v, want %v:\n%s", tt.name, name, got, tt.warn, buf.String())
			}
			if tt.warn && !strings.Contains(buf.String(), "load.pacer: spin waits actively") {
				t.Errorf("%s: %s warns without the way out:\n%s", tt.name, name, buf.String())
			}
		}
	}
}
