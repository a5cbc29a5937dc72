package compare

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
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

// spread returns the spread to judge a rank test's noise by, and its
// degrees of freedom: a robust standard deviation (1.4826 x the median
// absolute deviation, which equals the standard deviation for normal noise
// but is not blown up by one outlying repeat, as the rank test is not),
// pooled over both samples when each has two values or more, else that of
// the one that has; ok is false when neither has.
func spread(base, cur []float64) (s float64, df int, ok bool) {
	n1, n2 := len(base), len(cur)
	switch {
	case n1 >= 2 && n2 >= 2:
		s1, s2 := robustSD(base), robustSD(cur)
		df = n1 + n2 - 2
		return math.Sqrt((float64(n1-1)*s1*s1 + float64(n2-1)*s2*s2) / float64(df)), df, true
	case n1 >= 2:
		return robustSD(base), n1 - 1, true
	case n2 >= 2:
		return robustSD(cur), n2 - 1, true
	}
	return 0, 0, false
}

// robustSD is 1.4826 x the median absolute deviation of xs, or the sample
// standard deviation (gonum's stat) when most values are equal and the
// MAD is 0 although they are not all equal.
func robustSD(xs []float64) float64 {
	m := median(xs)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - m)
	}
	if mad := 1.4826 * median(dev); mad > 0 {
		return mad
	}
	return stat.StdDev(xs, nil)
}

// tQuantile is Student's t distribution's p-quantile with df degrees of
// freedom (gonum's stat/distuv).
func tQuantile(p float64, df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(p)
}

// mde is the minimum detectable effect of comparing base with cur, as a
// fraction of the base median: the smallest shift a two-sided test at
// alpha detects with probability power, given the samples' spread and
// sizes. It is the textbook two-sample formula
//
//	(t(1-alpha/2; df) + t(power; df)) * s * sqrt(1/n1 + 1/n2) * sqrt(pi/3) / |median(base)|
//
// with s the pooled robust standard deviation and df its degrees of
// freedom (see spread); sqrt(pi/3) turns the t test's figure into the Mann-Whitney
// test's, whose efficiency against the t test is 3/pi for normal noise.
// It is a normal-theory approximation: with few repeats the rank test is
// coarser still, so the figure is a lower bound. ok is false when there
// is no spread to go on (one run a side) or the base median is 0.
func mde(base, cur []float64, alpha, power float64) (float64, bool) {
	s, df, ok := spread(base, cur)
	m := math.Abs(median(base))
	if !ok || m == 0 || len(cur) == 0 {
		return 0, false
	}
	n1, n2 := float64(len(base)), float64(len(cur))
	d := (tQuantile(1-alpha/2, df) + tQuantile(power, df)) * s * math.Sqrt(1/n1+1/n2) * math.Sqrt(math.Pi/3)
	return d / m, true
}

// spreadTolerance is the change of a new median from n2 runs against the
// base median that the base's own noise alone exceeds with probability
// alpha: the half-width of a two-sided prediction interval,
//
//	t(1-alpha/2; n1-1) * s_base * sqrt(1/n1 + 1/n2) / |median(base)|
//
// with s_base the base's sample standard deviation: here an outlying
// repeat is part of the noise a lone new run can land in. A default
// tolerance widens to it where the test cannot decide, so that
// a tolerance-only gate does not fail on noise. ok is false with fewer
// than two base repeats or a base median of 0.
func spreadTolerance(base []float64, n2 int, alpha float64) (float64, bool) {
	m := math.Abs(median(base))
	if len(base) < 2 || n2 < 1 || m == 0 {
		return 0, false
	}
	n1 := float64(len(base))
	return tQuantile(1-alpha/2, len(base)-1) * stat.StdDev(base, nil) * math.Sqrt(1/n1+1/float64(n2)) / m, true
}
