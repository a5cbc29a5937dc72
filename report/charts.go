package report

import (
	"fmt"
	"strings"

	"github.com/stationbench/stationbench/result"
)

// Chart is one chart of a result, ready to render in any format gonum/plot
// writes (png, svg, pdf, ...).
type Chart struct {
	// Name is the file name without extension: "throughput",
	// "timeseries-local".
	Name string
	// Title says what the chart shows, for a page heading.
	Title string
	build func() figure
}

// Render draws the chart in format ("png", "svg", ...).
func (c Chart) Render(format string) ([]byte, error) {
	b, err := renderFigure(c.build(), format)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.Name, err)
	}
	return b, nil
}

// Save renders the chart into path, in the format of its extension.
func (c Chart) Save(path string) error {
	if err := saveChart(c.build(), path); err != nil {
		return fmt.Errorf("chart %s: %w", c.Name, err)
	}
	return nil
}

// Charts lists every chart that applies to r: throughput and latency
// against the step, the percentile distribution, latency against offered
// rate when some steps vary the rate, the probes of each findMaxRate
// search, and one time series per target that has per-second data.
func Charts(r *result.Result) []Chart {
	if r == nil {
		return nil
	}
	x := chartData(r).xLabel
	out := []Chart{
		{Name: "throughput", Title: "Throughput against " + x, build: func() figure { return throughputPlot(r) }},
		{Name: "latency", Title: "Latency against " + x, build: func() figure { return latencyPlot(r, chartData(r), "latency", nil, nil) }},
	}
	if _, ok := percentilePlot(r); ok {
		out = append(out, Chart{Name: "percentiles", Title: "Latency by percentile (HdrHistogram distribution)",
			build: func() figure { p, _ := percentilePlot(r); return p }})
	}
	if len(chartDataAxis(r, result.AxisRate).series) > 0 {
		out = append(out, Chart{Name: "latency-rate", Title: "Latency against offered rate",
			build: func() figure { return latencyRatePlot(r) }})
	}
	out = append(out, maxRateCharts(r)...) // plotmaxrate.go
	used := map[string]bool{}
	for _, t := range seriesTargets(r) {
		name := "timeseries-" + fileSafe(t)
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("timeseries-%s-%d", fileSafe(t), i)
		}
		used[name] = true
		out = append(out, Chart{Name: name, Title: "Per-second series, target " + t,
			build: func() figure { return timeSeriesFigure(r, t) }})
	}
	return out
}

// fileSafe maps a name to letters, digits, '-', '_' and '.'.
func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
	if s == "" || strings.Trim(s, ".") == "" {
		return "_"
	}
	return s
}
