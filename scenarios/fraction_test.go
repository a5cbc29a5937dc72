package scenarios

import (
	"strings"
	"testing"
)

func TestParseFraction(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{"15%", 0.15, ""}, {"0.15", 0.15, ""}, {" 5 % ", 0.05, ""}, {"0", 0, ""}, {"0%", 0, ""},
		{"250%", 2.5, ""}, {"0.5%", 0.005, ""}, {"1e-3", 0.001, ""},
		{"15", 0, `"15" is ambiguous: a bare number is a fraction below 1; write 15% for a percentage, or 0.15 for that fraction`},
		{"1", 0, "write 1% for a percentage, or 0.01 for that fraction"},
		{"-0.1", 0, "must not be negative"}, {"-5%", 0, "must not be negative"},
		{"lots", 0, "want a percentage like 15% or a fraction like 0.15"}, {"NaN", 0, "want a percentage"}, {"x%", 0, "want a percentage"},
	}
	for _, tt := range tests {
		got, err := ParseFraction(tt.in)
		if tt.err == "" && (err != nil || got != tt.want) || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("ParseFraction(%q) = %v, %v; want %v, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
	for _, f := range []float64{0.15, 0.05, 2, 0.001} {
		if got, err := ParseFraction(FormatFraction(f)); err != nil || got != f {
			t.Errorf("ParseFraction(FormatFraction(%v)) = %v, %v", f, got, err)
		}
	}
}

// TestFractionFields: the scenario's percentage-like fields read 5% and
// 0.05 alike and refuse a bare number of 1 or more, naming line and key.
func TestFractionFields(t *testing.T) {
	for _, in := range []string{"5%", "0.05"} {
		sc, err := Parse("m.yaml", []byte("name: m\nload:\n  findMaxRate: {p99: 10ms, precision: "+in+"}\ntrace: {sample: "+in+"}\n"), nil)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if sc.Load.FindMaxRate.Precision != 0.05 || sc.Trace.Sample != 0.05 {
			t.Errorf("%s: precision %v sample %v, want 0.05", in, sc.Load.FindMaxRate.Precision, sc.Trace.Sample)
		}
	}
	_, err := Parse("m.yaml", []byte("name: m\nload:\n  findMaxRate: {p99: 10ms, precision: 5}\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `m.yaml:3`) || !strings.Contains(err.Error(), `load.findMaxRate.precision: "5" is ambiguous`) {
		t.Errorf("precision 5: %v", err)
	}
}

// TestLoadOrder: repeats interleave unless the file asks for sequential;
// anything else is refused with its line.
func TestLoadOrder(t *testing.T) {
	for in, want := range map[string]string{"": OrderInterleaved, "order: sequential": OrderSequential, "order: interleaved": OrderInterleaved} {
		sc, err := Parse("o.yaml", []byte("name: o\nload:\n  repeat: 2\n  "+in+"\n"), nil)
		if err != nil || sc.Load.Order != want || sc.Load.Interleaved() != (want == OrderInterleaved) {
			t.Errorf("%q: order %q, %v; want %q", in, sc.Load.Order, err, want)
		}
	}
	_, err := Parse("o.yaml", []byte("name: o\nload:\n  order: random\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `o.yaml:3`) || !strings.Contains(err.Error(), `load.order: must be interleaved or sequential, got "random"`) {
		t.Errorf("order random: %v", err)
	}
}

// TestLoadPacer: the pacer sleeps unless the file asks it to spin;
// anything else is refused with its line.
func TestLoadPacer(t *testing.T) {
	for in, want := range map[string]string{"": PacerSleep, "pacer: spin": PacerSpin, "pacer: sleep": PacerSleep} {
		sc, err := Parse("p.yaml", []byte("name: p\nload:\n  rate: 100\n  "+in+"\n"), nil)
		if err != nil || sc.Load.Pacer != want {
			t.Errorf("%q: pacer %q, %v; want %q", in, sc.Load.Pacer, err, want)
		}
	}
	_, err := Parse("p.yaml", []byte("name: p\nload:\n  rate: 100\n  pacer: busy\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `p.yaml:4`) || !strings.Contains(err.Error(), `load.pacer: must be sleep or spin, got "busy"`) {
		t.Errorf("pacer busy: %v", err)
	}
}
