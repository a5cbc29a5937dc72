package compare

import (
	"math"
	"testing"
)

// exactP computes the two-sided exact Mann-Whitney p-value by enumerating
// every way to split the pooled values into groups of len(x) and len(y)
// (ties count 1/2): an independent check of the library, for small samples.
func exactP(x, y []float64) float64 {
	pool := append(append([]float64{}, x...), y...)
	n1 := len(x)
	u := func(in []bool) float64 {
		var s float64
		for i := range pool {
			if !in[i] {
				continue
			}
			for j := range pool {
				switch {
				case in[j]:
				case pool[i] > pool[j]:
					s++
				case pool[i] == pool[j]:
					s += 0.5
				}
			}
		}
		return s
	}
	first := make([]bool, len(pool))
	for i := 0; i < n1; i++ {
		first[i] = true
	}
	obs := u(first)
	mean := float64(n1*len(y)) / 2
	var total, extreme float64
	in := make([]bool, len(pool))
	var walk func(i, left int)
	walk = func(i, left int) {
		if left == 0 {
			total++
			if math.Abs(u(in)-mean) >= math.Abs(obs-mean)-1e-9 {
				extreme++
			}
			return
		}
		if len(pool)-i < left {
			return
		}
		in[i] = true
		walk(i+1, left-1)
		in[i] = false
		walk(i+1, left)
	}
	walk(0, n1)
	return extreme / total
}

func TestUTestPublished(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		// R's ?wilcox.test example (Hollander & Wolfe, depression scores):
		// W = 35, one-sided p = 0.1272, so two-sided 0.2544.
		{"R wilcox.test example",
			[]float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46},
			[]float64{1.15, 0.88, 0.90, 0.74, 1.21}, 0.2544},
		// Complete separation: the smallest p for each size, 2/C(2n, n),
		// as in benchmath's own uTestMinP table.
		{"3 vs 3 separated", []float64{1, 2, 3}, []float64{4, 5, 6}, 0.1},
		{"4 vs 4 separated", []float64{1, 2, 3, 4}, []float64{5, 6, 7, 8}, 0.02857142857142857},
		{"5 vs 5 separated", []float64{10, 11, 12, 13, 14}, []float64{1, 2, 3, 4, 5}, 0.007936507936507936},
		// U = 1 of 16 for 4 vs 4: 4/70.
		{"4 vs 4 one swap", []float64{1, 2, 3, 5}, []float64{4, 6, 7, 8}, 0.05714285714285714},
		{"interleaved", []float64{1, 3, 5, 7}, []float64{2, 4, 6, 8}, 0.6857142857142857},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := uTest(tt.x, tt.y, 0.05)
			if math.Abs(p-tt.want) > 5e-5 {
				t.Errorf("uTest p = %.6f, want %.6f", p, tt.want)
			}
			if e := exactP(tt.x, tt.y); math.Abs(e-p) > 1e-9 {
				t.Errorf("enumeration gives %.9f, library %.9f", e, p)
			}
		})
	}
}

func TestUTestAgainstEnumeration(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
	}{
		{"ties across samples", []float64{1, 2, 2, 3, 5}, []float64{2, 3, 4, 4, 6}},
		{"unequal sizes", []float64{1.1, 0.9, 1.3, 1.2}, []float64{1.5, 1.4, 1.0, 1.6, 1.7, 1.8}},
		{"throughput-like", []float64{290806, 301000, 287000, 295500}, []float64{262000, 270100, 281000, 259000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := uTest(tt.x, tt.y, 0.05)
			if e := exactP(tt.x, tt.y); math.Abs(e-p) > 1e-9 {
				t.Errorf("uTest p = %.9f, enumeration %.9f", p, e)
			}
		})
	}
}

func TestUTestDoesNotReorder(t *testing.T) {
	x, y := []float64{3, 1, 2}, []float64{6, 4, 5}
	uTest(x, y, 0.05)
	if x[0] != 3 || y[0] != 6 {
		t.Errorf("samples reordered: %v %v", x, y)
	}
}

func TestUTestAllEqual(t *testing.T) {
	p, warnings := uTest([]float64{0, 0, 0, 0}, []float64{0, 0, 0, 0}, 0.05)
	if p != 1 || len(warnings) == 0 {
		t.Errorf("all equal: p = %v, warnings %v; want 1 and a warning", p, warnings)
	}
}

func TestMinP(t *testing.T) {
	tests := []struct {
		n1, n2 int
		want   float64
	}{
		{0, 5, 1}, {1, 1, 1}, {2, 2, 1.0 / 3}, {3, 3, 0.1}, {4, 4, 0.02857142857142857},
		{5, 5, 0.007936507936507936}, {9, 9, 4.113533525298231e-05}, // benchmath's uTestMinP
		{3, 4, 2.0 / 35}, {3, 5, 2.0 / 56}, {2, 10, 2.0 / 66},
	}
	for _, tt := range tests {
		if got := minP(tt.n1, tt.n2); math.Abs(got-tt.want) > 1e-12*math.Max(1, tt.want) && math.Abs(got/tt.want-1) > 1e-9 {
			t.Errorf("minP(%d, %d) = %.12g, want %.12g", tt.n1, tt.n2, got, tt.want)
		}
	}
	for _, tt := range []struct {
		alpha float64
		want  int
	}{{0.05, 4}, {0.1, 3}, {0.01, 5}, {0.001, 7}} {
		if got := repeatsNeeded(tt.alpha); got != tt.want {
			t.Errorf("repeatsNeeded(%g) = %d, want %d", tt.alpha, got, tt.want)
		}
	}
}

func TestMedianAndChange(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}}
	for _, tt := range tests {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) is not NaN")
	}
	for _, tt := range []struct{ base, cur, want float64 }{{100, 110, 0.1}, {100, 50, -0.5}, {0, 0, 0}, {5, 5, 0}} {
		if got := change(tt.base, tt.cur); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("change(%v, %v) = %v, want %v", tt.base, tt.cur, got, tt.want)
		}
	}
	if !math.IsInf(change(0, 1), 1) || formatPct(change(0, 1)) != "n/a (base 0)" || formatPct(-0.1234) != "-12.3%" {
		t.Error("change from 0 or formatPct is off")
	}
}

// TestMDE checks the minimum detectable effect and the spread tolerance
// against Student's t quantiles from published tables: t(0.975; 6) =
// 2.446912, t(0.8; 6) = 0.905703, t(0.975; 3) = 3.182446.
func TestMDE(t *testing.T) {
	base, cur := []float64{98, 100, 100, 102}, []float64{97, 99, 99, 101} // MAD 1 each: robust s = 1.4826
	want := (2.446912 + 0.905703) * 1.4826 * math.Sqrt(0.5) * math.Sqrt(math.Pi/3) / 100
	got, ok := mde(base, cur, 0.05, 0.8)
	if !ok || math.Abs(got-want) > 1e-5 {
		t.Errorf("mde = %v, %v; want %v", got, ok, want)
	}
	if _, ok := mde([]float64{100}, []float64{90}, 0.05, 0.8); ok {
		t.Error("mde with one run a side: want no answer")
	}
	if got, ok := mde([]float64{100}, cur, 0.05, 0.8); !ok || got <= 0 {
		t.Errorf("mde with spread from the new side only = %v, %v", got, ok)
	}
	tol, ok := spreadTolerance(base, 1, 0.05)
	if want := 3.182446 * math.Sqrt(8.0/3) * math.Sqrt(1.0/4+1) / 100; !ok || math.Abs(tol-want) > 1e-5 {
		t.Errorf("spreadTolerance = %v, %v; want %v", tol, ok, want)
	}
	if got := robustSD([]float64{5, 5, 5, 9}); math.Abs(got-2) > 1e-12 { // MAD 0: the standard deviation
		t.Errorf("robustSD with MAD 0 = %v, want 2", got)
	}
	if _, ok := spreadTolerance([]float64{100}, 1, 0.05); ok {
		t.Error("spreadTolerance with one base run: want no answer")
	}
}
