package report

import (
	"fmt"

	"github.com/stationbench/stationbench/result"
)

// rssLegend says what the run table's RSS columns are, under the table.
const rssLegend = "RSS: this process's peak resident set during the step (an embedded server's included); " +
	"RSS/prod: its growth per producer over the target's fewest producers, (RSS(N) - RSS(fewest)) / (N - fewest)."

// rssBase is, per target, the fewest producers of its runs that recorded a
// peak resident set and the mean peak of those runs (repeats), the base
// that RSS/prod is measured from.
type rssBase map[string]struct {
	producers int
	peak      float64
}

// rssBases finds each target's base among runs; empty when no run
// recorded a peak (results from before it was recorded, or not Linux).
func rssBases(runs []result.Run) rssBase {
	type acc struct {
		producers, n int
		sum          float64
	}
	accs := map[string]*acc{}
	for _, run := range runs {
		if run.PeakRSSBytes <= 0 {
			continue
		}
		a, ok := accs[run.Target]
		switch {
		case !ok:
			accs[run.Target] = &acc{producers: run.Producers, n: 1, sum: float64(run.PeakRSSBytes)}
		case run.Producers < a.producers:
			*a = acc{producers: run.Producers, n: 1, sum: float64(run.PeakRSSBytes)}
		case run.Producers == a.producers:
			a.n++
			a.sum += float64(run.PeakRSSBytes)
		}
	}
	out := rssBase{}
	for t, a := range accs {
		out[t] = struct {
			producers int
			peak      float64
		}{a.producers, a.sum / float64(a.n)}
	}
	return out
}

// rssCells are a run's RSS and RSS/prod cells: "-" without a peak, the
// second blank for a run at its target's fewest producers.
func (b rssBase) cells(run result.Run) (rss, perProducer string) {
	if run.PeakRSSBytes <= 0 {
		return "-", ""
	}
	rss = formatMiB(float64(run.PeakRSSBytes))
	base, ok := b[run.Target]
	if !ok || run.Producers <= base.producers {
		return rss, ""
	}
	per := (float64(run.PeakRSSBytes) - base.peak) / float64(run.Producers-base.producers)
	return rss, fmt.Sprintf("%.1f KiB", per/(1<<10))
}

// formatMiB writes bytes as MiB, one decimal below 100 MiB.
func formatMiB(b float64) string {
	if m := b / (1 << 20); m < 100 {
		return fmt.Sprintf("%.1f MiB", m)
	}
	return fmt.Sprintf("%.0f MiB", b/(1<<20))
}

// RSSCells are the RSS and RSS/prod cells of each of runs, in their order,
// as the run table shows them (for tables made elsewhere: make scale's).
func RSSCells(runs []result.Run) [][2]string {
	b := rssBases(runs)
	out := make([][2]string, len(runs))
	for i, run := range runs {
		out[i][0], out[i][1] = b.cells(run)
	}
	return out
}
