package report

import (
	"bytes"
	"image"
	_ "image/png" // image.Decode reads the charts
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/analysis"
	"github.com/stationbench/stationbench/result"
)

// quickstart is a real result of scenarios/quickstart.yaml.
// quickstart is a committed version-1 result.json, read as every command
// reads one (analysis.Read computes its analysis).
func quickstart(t *testing.T) *result.Result {
	t.Helper()
	r, err := analysis.Read(filepath.Join("testdata", "quickstart.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update rewrites it)\ngot:\n%s", name, got)
	}
}

func TestRenderersGolden(t *testing.T) {
	t.Parallel()
	renderers := map[string]func(io.Writer, *result.Result) error{
		"txt":  Summary,
		"md":   Markdown,
		"csv":  CSV,
		"hgrm": HGRM,
	}
	inputs := map[string]func(*testing.T) *result.Result{
		"quickstart": quickstart,
		"closed":     closedResult,
		"open":       openResult,
	}
	for in, load := range inputs {
		for ext, render := range renderers {
			t.Run(in+"."+ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := render(&buf, load(t)); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, "render_"+in+"."+ext+".golden", buf.Bytes())
			})
		}
	}
}

func TestHGRMLayout(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := HGRM(&buf, quickstart(t)); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{"Value\tPercentile\tTotalCount\t1/(1-Percentile)", "#[Mean    =", "#[Max     =", "Total count"} {
		if !strings.Contains(s, want) {
			t.Errorf("hgrm lacks %q", want)
		}
	}
	if n := strings.Count(s, "#[step: "); n != 4 {
		t.Errorf("%d steps, want 4", n)
	}
	if err := HGRM(io.Discard, &result.Result{}); err == nil {
		t.Error("HGRM of a result without histograms: no error")
	}
	paths, err := WriteHGRM(t.TempDir(), quickstart(t))
	if err != nil || len(paths) != 4 {
		t.Fatalf("WriteHGRM = %v, %v", paths, err)
	}
}

func TestCapacityQuickstart(t *testing.T) {
	caps := analysis.Capacity(quickstart(t))
	if len(caps) != 1 {
		t.Fatalf("%d targets, want 1", len(caps))
	}
	c := caps[0]
	if c.StopAt != 4 || c.Best != 2 {
		t.Errorf("stop at %d, best %d; want 4 and 2 (throughput fell from 2 to 4 producers)", c.StopAt, c.Best)
	}
	if c.Steps[0].Efficiency != 1 || c.Steps[3].Efficiency > 0.2 {
		t.Errorf("efficiency %+v", c.Steps)
	}
	if c.Fit == nil {
		t.Errorf("no USL fit: %s", c.FitError)
	}
}

func TestChartDataKeepsUnackedThroughput(t *testing.T) {
	r := openResult(t)
	for i := range r.Runs {
		r.Runs[i].Acked = 0 // core NATS without a subscriber
	}
	r.Runs[0].ThroughputMsgsPerSec = 0
	r.Analysis = analysis.Analyze(r, nil) // the charts draw the analysis's steps
	c := chartData(r)
	if len(c.series) != 1 || len(c.series[0].points) != 2 {
		t.Fatalf("chart data %+v, want the two runs with a throughput", c)
	}
}

// networkRef finds attributes that would load something.
var networkRef = regexp.MustCompile(`(?i)(src|href|xlink:href)\s*=\s*["']?\s*(https?:)?//`)

func TestWriteAllAndHTML(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]*result.Result{"quickstart": quickstart(t), "closed": closedResult(t), "open": openResult(t)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := WriteAll(dir, r); err != nil {
				t.Fatal(err)
			}
			charts := Charts(r)
			if len(charts) < 3 {
				t.Errorf("%d charts", len(charts))
			}
			for _, c := range charts {
				b, err := os.ReadFile(filepath.Join(dir, c.Name+".png"))
				if err != nil {
					t.Fatal(err)
				}
				img, _, err := image.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s.png: %v", c.Name, err)
				}
				if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 300 {
					t.Errorf("%s.png is %dx%d", c.Name, b.Dx(), b.Dy())
				}
				svg, err := os.ReadFile(filepath.Join(dir, c.Name+".svg"))
				if err != nil || !bytes.Contains(svg, []byte("<svg")) {
					t.Errorf("%s.svg: %v", c.Name, err)
				}
			}
			for _, f := range []string{FileResult, FileSummary} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
			b, err := os.ReadFile(filepath.Join(dir, FileHTML))
			if err != nil {
				t.Fatal(err)
			}
			checkHTML(t, string(b), len(charts))
		})
	}
}

func checkHTML(t *testing.T, s string, charts int) {
	t.Helper()
	if !strings.HasPrefix(s, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(s), "</html>") {
		t.Error("not a complete HTML document")
	}
	if n := strings.Count(s, "<svg"); n != charts {
		t.Errorf("%d inline SVGs, want %d", n, charts)
	}
	if strings.Count(s, "<svg") != strings.Count(s, "</svg>") {
		t.Error("unbalanced <svg>")
	}
	if m := networkRef.FindString(s); m != "" {
		t.Errorf("HTML references the network: %q", m)
	}
	// The only URLs allowed are the SVG namespace names, which load nothing.
	rest := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "").Replace(s)
	if strings.Contains(rest, "http://") || strings.Contains(rest, "https://") {
		i := strings.Index(rest, "http")
		t.Errorf("URL in HTML: %q", rest[max(0, i-60):min(len(rest), i+60)])
	}
	for _, bad := range []string{"<script", "<link", "@import", "url(", "<img", "<iframe"} {
		if strings.Contains(s, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	for _, want := range []string{"Summary", "Environment", "Scenario"} {
		if !strings.Contains(s, "<h2>"+want+"</h2>") {
			t.Errorf("HTML lacks section %q", want)
		}
	}
}

func TestOverlay(t *testing.T) {
	t.Parallel()
	a, b := quickstart(t), quickstart(t)
	o, err := Overlay([]*result.Result{a, b}, []string{"x/old.json", "y/new.json"})
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, run := range o.Runs {
		targets[run.Target] = true
	}
	if !targets["old/embedded"] || !targets["new/embedded"] || len(targets) != 2 {
		t.Errorf("targets %v, want old/embedded and new/embedded", targets)
	}
	c, _ := Overlay([]*result.Result{closedResult(t), openResult(t)}, nil)
	if c.Status != result.StatusInterrupted || len(c.Runs) != len(closedResult(t).Runs)+3 {
		t.Errorf("overlay status %s, %d runs", c.Status, len(c.Runs))
	}
	same, _ := Overlay([]*result.Result{a, b}, []string{"r/result.json", "r/result.json"})
	if same.Runs[0].Target == same.Runs[len(same.Runs)-1].Target {
		t.Error("identical paths give identical series names")
	}
	var buf bytes.Buffer
	if err := HTML(&buf, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Comparison of targets") {
		t.Error("overlay HTML has no comparison table")
	}
}
