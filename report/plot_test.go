package report

import (
	"bytes"
	"image"
	_ "image/png" // image.Decode reads the charts
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// plotCases are results whose charts must render without error or panic.
func plotCases(t *testing.T) map[string]*result.Result {
	t.Helper()
	allFailed := closedResult(t)
	for i := range allFailed.Runs {
		allFailed.Runs[i].Acked = 0
		allFailed.Runs[i].ThroughputMsgsPerSec = 0
		allFailed.Runs[i].Status = result.StatusFailed
	}
	zeroLatency := openResult(t)
	for i := range zeroLatency.Runs {
		zeroLatency.Runs[i].LatencyUs = result.Percentiles{}
		zeroLatency.Runs[i].Histogram = ""
	}
	single := closedResult(t)
	single.Runs = single.Runs[:1]
	badHist := closedResult(t)
	badHist.Runs[0].Histogram = "garbage"
	for _, r := range []*result.Result{allFailed, zeroLatency, single, badHist} {
		r.Analysis = analysis.Analyze(r, nil) // the charts draw the analysis's steps
	}
	return map[string]*result.Result{
		"closed":       closedResult(t),
		"open":         openResult(t),
		"empty":        {SchemaVersion: result.SchemaVersion, Status: result.StatusFailed},
		"all failed":   allFailed,
		"zero latency": zeroLatency,
		"single run":   single,
		"bad hist":     badHist,
	}
}

func TestPlots(t *testing.T) {
	t.Parallel()
	plots := map[string]func(*result.Result, string) error{
		"throughput":   PlotThroughput,
		"latency":      PlotLatency,
		"latency-rate": PlotLatencyRate,
		"percentiles":  PlotPercentiles,
		"timeseries": func(r *result.Result, path string) error {
			target := ""
			if len(r.Runs) > 0 {
				target = r.Runs[0].Target
			}
			return PlotTimeSeries(r, target, path)
		},
	}
	for name, r := range plotCases(t) {
		for kind, plot := range plots {
			t.Run(name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				png := filepath.Join(dir, kind+".png")
				if err := plot(r, png); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(png)
				if err != nil {
					t.Fatal(err)
				}
				img, format, err := image.Decode(bytes.NewReader(b))
				if err != nil || format != "png" {
					t.Fatalf("decode %s: format %q, %v", png, format, err)
				}
				if w := img.Bounds().Dx(); w < 500 {
					t.Errorf("image width %d px, want a chart about 8 in wide", w)
				}
				svg := filepath.Join(dir, kind+".svg")
				if err := plot(r, svg); err != nil {
					t.Fatal(err)
				}
				b, err = os.ReadFile(svg)
				if err != nil {
					t.Fatal(err)
				}
				if s := strings.TrimSpace(string(b)); !strings.HasPrefix(s, "<?xml") && !strings.HasPrefix(s, "<svg") {
					t.Errorf("%s does not look like SVG: %.40q", svg, s)
				}
			})
		}
	}
}

func TestPlotErrors(t *testing.T) {
	t.Parallel()
	r := closedResult(t)
	dir := t.TempDir()
	for _, path := range []string{
		filepath.Join(dir, "noext"),
		filepath.Join(dir, "chart.bmp"),
		filepath.Join(dir, "missing", "chart.png"),
	} {
		if err := PlotThroughput(r, path); err == nil {
			t.Errorf("PlotThroughput(%s) succeeded, want error", path)
		}
		if err := PlotLatency(r, path); err == nil {
			t.Errorf("PlotLatency(%s) succeeded, want error", path)
		}
	}
	if err := PlotThroughput(nil, filepath.Join(dir, "x.png")); err == nil {
		t.Error("PlotThroughput(nil) succeeded")
	}
}

func TestWriteAll(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "run")
	r := closedResult(t)
	if err := WriteAll(dir, r); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{FileResult, FileSummary, FileThroughput, FileLatency} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v (size %v)", f, err, fi)
		}
	}
	got, err := result.ReadJSON(filepath.Join(dir, FileResult))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Runs) != len(r.Runs) {
		t.Errorf("result.json holds %d runs, want %d", len(got.Runs), len(r.Runs))
	}

	// A chart that cannot be written does not cost result.json.
	dir2 := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir2, FileLatency), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(dir2, r); err == nil || !strings.Contains(err.Error(), FileLatency) {
		t.Errorf("WriteAll error = %v, want one naming %s", err, FileLatency)
	}
	if _, err := result.ReadJSON(filepath.Join(dir2, FileResult)); err != nil {
		t.Errorf("result.json not written beside a failing chart: %v", err)
	}
}

func TestChartData(t *testing.T) {
	t.Parallel()
	c := chartData(closedResult(t))
	if c.xLabel != "producers" || len(c.series) != 2 || len(c.xs) != 4 {
		t.Fatalf("chart: label %q, %d series, xs %v", c.xLabel, len(c.series), c.xs)
	}
	remote := c.series[1]
	if remote.target != "remote" || len(remote.points) != 4 || len(remote.points[3].runs) != 1 {
		t.Fatalf("remote series %+v: the failed run should be left out", remote)
	}
	pt := c.series[0].points[3] // local, 8 producers, repeats 1 and 2
	mean, lo, hi, ok := pt.throughput()
	if !ok || lo != 168000 || hi != 176000 || mean != 172000 {
		t.Errorf("throughput = %v [%v, %v] %v, want 172000 [168000, 176000]", mean, lo, hi, ok)
	}
	l, a, b := pt.latency(), pt.runs[0].LatencyUs, pt.runs[1].LatencyUs
	if !(a.P50 <= l.P50 && l.P50 <= b.P50) || l.Max != max(a.Max, b.Max) {
		t.Errorf("merged latency %+v not between repeats %+v and %+v", l, a, b)
	}

	if c := chartData(openResult(t)); c.xLabel != "offered rate (msgs/s)" || len(c.xs) != 3 {
		t.Errorf("open result: label %q, xs %v", c.xLabel, c.xs)
	}
}
