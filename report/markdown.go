package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/stationbench/stationbench/result"
)

// Markdown writes r as GitHub-flavoured markdown, suitable for a CI step
// summary: the status, the run table, the capacity analysis and the
// environment.
func Markdown(w io.Writer, r *result.Result) error {
	if r == nil {
		return errors.New("markdown: nil result")
	}
	ew := &errWriter{w: w}
	ew.printf("## stationbench: %s (%s)\n\n", mdEscape(orDash(r.Scenario.Name)), statusText(r.Status))
	if r.Status != result.StatusComplete {
		ew.printf("> **%s**", strings.ToUpper(statusText(r.Status)))
		if r.Error != "" {
			ew.printf(": %s", mdEscape(r.Error))
		}
		ew.printf("\n\n")
	}
	if d := r.Scenario.Description; d != "" {
		ew.printf("%s\n\n", mdEscape(d))
	}
	sc := r.Scenario
	ew.printf("Message %s, ack %s; duration %s, warmup %s, repeat %d", formatBytes(int64(sc.Message.Size)),
		orDash(sc.Producers.Ack), sc.Load.Duration, sc.Load.Warmup, sc.Load.Repeat)
	if !r.StartedAt.IsZero() {
		ew.printf("; started %s", r.StartedAt.UTC().Format(time.RFC3339))
	}
	ew.printf(".\n\n")
	if len(r.Labels) > 0 {
		ew.printf("Labels: %s.\n\n", mdEscape(labelText(r.Labels)))
	}
	writeVerdictsMD(ew, r) // verdicts.go
	if len(r.Runs) == 0 {
		ew.printf("No runs.\n")
	} else {
		cols, rows, failures := runTable(r.Runs)
		writeMDTable(ew, cols, rows)
		if slices.Contains(cols, "RSS") {
			ew.printf("\n%s\n", mdEscape(rssLegend))
		}
		if len(failures) > 0 {
			ew.printf("\n")
		}
		for i, f := range failures {
			ew.printf("- [%d] %s\n", i+1, mdEscape(f))
		}
	}
	writeNotesMD(ew, r) // notes.go
	if head, rows := Comparison(r); len(rows) > 0 {
		ew.printf("\n### Targets side by side\n\nRatio: msgs/s against the first target.\n\n")
		writeMDTable(ew, head, rows)
	}
	if caps := multiStep(capacities(r)); len(caps) > 0 {
		ew.printf("\n### Capacity\n\n%s.\n\n", efficiencyRule(caps[0].Base))
		for _, c := range caps {
			ew.printf("- **%s**: %s. %s.\n", mdEscape(c.Target), mdEscape(scalingVerdict(c)), mdEscape(fitText(c)))
		}
	}
	if lags := deliveryLags(r); len(lags) > 0 { // lag.go
		ew.printf("\n> **Delivery lagged the publishers** (core NATS, closed loop; said when %s):\n", lagRule())
		for _, l := range lags {
			ew.printf("> - %s\n", mdEscape(lagText(l)))
		}
		ew.printf(">\n> %s.\n", mdEscape(lagAdvice))
	}
	writeObserveMD(ew, Observe(r)) // producers.go
	writeSpreadMD(ew, Spread(r))   // spread.go
	ew.printf("\n<details><summary>Environment</summary>\n\n")
	e := r.Env
	ew.printf("- stationbench %s, %s %s/%s, GOMAXPROCS %d, %d CPUs, peak RSS %s\n", orDash(e.StationbenchVersion),
		orDash(e.GoVersion), e.GOOS, e.GOARCH, e.GOMAXPROCS, e.NumCPU, fmt.Sprintf("%.0f MiB", float64(e.PeakRSSBytes)/(1<<20)))
	for _, t := range e.Targets {
		ew.printf("- target %s: %s%s at %s, server %s\n", mdEscape(t.Name), t.Kind, overTransport(t), mdEscape(t.URL), orDash(t.ServerVersion))
	}
	ew.printf("\n</details>\n")
	if ew.err != nil {
		return fmt.Errorf("markdown: %w", ew.err)
	}
	return nil
}

// overTransport is " over <transport>" for a target whose result records
// its transport, and nothing for one from before it was recorded.
func overTransport(t result.TargetEnv) string {
	if t.Transport == "" {
		return ""
	}
	return " over " + t.Transport
}

// multiStep keeps the analyses with more than one producer count.
func multiStep(all []result.Scaling) []result.Scaling {
	var out []result.Scaling
	for _, c := range all {
		if len(c.Steps) > 1 {
			out = append(out, c)
		}
	}
	return out
}

func writeMDTable(w *errWriter, cols []string, rows [][]string) {
	w.printf("| %s |\n|", strings.Join(cols, " | "))
	for i := range cols {
		if i == 0 || cols[i] == "status" || cols[i] == "rate" {
			w.printf(" --- |")
		} else {
			w.printf(" ---: |")
		}
	}
	w.printf("\n")
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = mdEscape(c)
		}
		w.printf("| %s |\n", strings.Join(cells, " | "))
	}
}

// mdEscape keeps text from breaking a markdown table or turning into markup.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`).Replace(s)
}
