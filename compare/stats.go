package compare

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// uTest runs the two-sided Mann-Whitney U test (benchstat's test, through
// golang.org/x/perf/benchmath) on two samples and returns its p-value and
// any warnings the library raised. The samples are not modified.
func uTest(base, cur []float64, alpha float64) (p float64, warnings []string) {
	th := &benchmath.Thresholds{CompareAlpha: alpha}
	// NewSample sorts in place: hand it copies.
	s1 := benchmath.NewSample(slices.Clone(base), th)
	s2 := benchmath.NewSample(slices.Clone(cur), th)
	c := benchmath.AssumeNothing.Compare(s1, s2)
	for _, w := range c.Warnings {
		warnings = append(warnings, w.Error())
	}
	return c.P, warnings
}

// minP is the smallest p-value the two-sided Mann-Whitney U test can give
// for samples of n1 and n2 values: 2 / C(n1+n2, n1), reached when the two
// samples do not overlap at all (and there are no ties). With 3 and 3 it is
// 0.1, so such a test can never be significant at 0.05.
func minP(n1, n2 int) float64 {
	if n1 < 1 || n2 < 1 {
		return 1
	}
	// log C(n1+n2, n1) through lgamma, exact enough for any repeat count.
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
	logC := lg(n1+n2) - lg(n1) - lg(n2)
	return math.Min(1, 2*math.Exp(-logC))
}

// repeatsNeeded is the smallest n for which n repeats a side can reach
// alpha, given the other side has at least as many.
func repeatsNeeded(alpha float64) int {
	for n := 1; n <= 1000; n++ {
		if minP(n, n) <= alpha {
			return n
		}
	}
	return 1000
}

// median is the middle of xs (the mean of the middle two for an even
// count); NaN for none. xs is not modified.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// change is the relative change from base to cur: 0.1 for 10% more. A
// base of 0 gives 0 when cur is 0 too, else +Inf.
func change(base, cur float64) float64 {
	switch {
	case base == cur:
		return 0
	case base == 0:
		return math.Inf(1)
	}
	return cur/base - 1
}

// formatPct writes a relative change as a signed percentage.
func formatPct(c float64) string {
	switch {
	case math.IsNaN(c):
		return "n/a"
	case math.IsInf(c, 0):
		return "n/a (base 0)"
	}
	return fmt.Sprintf("%+.1f%%", 100*c)
}
