package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestRunTableRSSColumns: RSS is each run's own peak; RSS/prod is its
// growth per producer over its own target's fewest producers (the mean of
// that count's repeats), blank at that count; a run without a peak shows
// "-". The text and markdown reports say what the columns are.
func TestRunTableRSSColumns(t *testing.T) {
	const mib = 1 << 20
	run := func(target string, producers, repeat int, peak int64) result.Run {
		return result.Run{Target: target, Producers: producers, Repeat: repeat, Status: result.StatusComplete, PeakRSSBytes: peak}
	}
	runs := []result.Run{
		run("core", 1, 1, 40*mib), run("core", 1, 2, 42*mib), // base: 41 MiB
		run("core", 101, 1, 141*mib), // (141 - 41) MiB / 100 = 1024 KiB
		run("js", 10, 1, 200*mib),
		run("js", 1010, 1, 200*mib+1000*512), // 0.5 KiB each
		run("js", 2010, 1, 0),                // refused before any load: no peak
	}
	cols, rows, _ := runTable(runs)
	at := func(c string) int {
		for i, name := range cols {
			if name == c {
				return i
			}
		}
		t.Fatalf("no column %q in %q", c, cols)
		return -1
	}
	rss, per := at("RSS"), at("RSS/prod")
	want := [][2]string{ // in step order, repeats together
		{"40.0 MiB", ""}, {"42.0 MiB", ""}, {"141 MiB", "1024.0 KiB"}, {"200 MiB", ""}, {"200 MiB", "0.5 KiB"}, {"-", ""},
	}
	for i, row := range rows {
		if got := [2]string{row[rss], row[per]}; got != want[i] {
			t.Errorf("row %d (%s, %s producers): RSS %q, RSS/prod %q, want %q", i, row[0], row[1], got[0], got[1], want[i])
		}
	}
	r := &result.Result{Status: result.StatusComplete, Runs: runs}
	var text, md bytes.Buffer
	if err := Summary(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), rssLegend) || !strings.Contains(md.String(), "RSS/prod: its growth per producer") {
		t.Errorf("no legend of the RSS columns:\n%s\n%s", text.String(), md.String())
	}
	var page bytes.Buffer
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "RSS/prod: its growth per producer") {
		t.Errorf("no legend of the RSS columns in the HTML report")
	}

	cols, _, _ = runTable([]result.Run{run("core", 1, 1, 0)})
	for _, c := range cols {
		if strings.HasPrefix(c, "RSS") {
			t.Errorf("column %q shown for runs without a peak", c)
		}
	}
}

// TestCSVHasPacerLagAndRSS: runs.csv carries each run's pacer lag (empty
// in closed loop) and its peak RSS (empty when not measured).
func TestCSVHasPacerLagAndRSS(t *testing.T) {
	r := &result.Result{Runs: []result.Run{
		{Target: "core", Producers: 1, RateMsgsPerSec: 1000, PacerLagUs: &result.Percentiles{P50: 1.5, P99: 42, Max: 900}, PeakRSSBytes: 52428800},
		{Target: "core", Producers: 2},
	}}
	var b bytes.Buffer
	if err := CSV(&b, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], ",pacer_lag_p50_us,pacer_lag_p99_us,pacer_lag_max_us,peak_rss_bytes") ||
		!strings.HasSuffix(lines[1], ",1.5,42,900,52428800") || !strings.HasSuffix(lines[2], ",,,,") {
		t.Errorf("runs.csv:\n%s", b.String())
	}
}
