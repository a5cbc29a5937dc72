package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWritePageDrawsEachChartOnce: writing the chart files and report.html
// builds each chart once per file format (PNG, SVG) and inlines in the page
// the very SVG written to its file. Before, report.html drew every SVG a
// second time (3 builds per chart: PNG, SVG file, SVG for the page).
func TestWritePageDrawsEachChartOnce(t *testing.T) {
	r := closedResult(t)
	charts := Charts(r)
	builds := make([]int, len(charts))
	for i := range charts {
		build := charts[i].build
		charts[i].build = func() figure { builds[i]++; return build() }
	}
	dir := t.TempDir()
	if _, err := writePage(dir, r, charts); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, FileHTML))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range charts {
		if builds[i] != 2 {
			t.Errorf("chart %s built %d times, want 2 (PNG and SVG)", c.Name, builds[i])
		}
		svg, err := os.ReadFile(filepath.Join(dir, c.Name+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(page, []byte(inlineSVG(svg))) {
			t.Errorf("report.html does not inline %s.svg as written", c.Name)
		}
	}
}
