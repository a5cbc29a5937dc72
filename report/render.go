package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/stationbench/stationbench/internal/atomicfile"
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
	ew.printf("\n<details><summary>Environment</summary>\n\n")
	e := r.Env
	ew.printf("- stationbench %s, %s %s/%s, GOMAXPROCS %d, %d CPUs, peak RSS %s\n", orDash(e.StationbenchVersion),
		orDash(e.GoVersion), e.GOOS, e.GOARCH, e.GOMAXPROCS, e.NumCPU, fmt.Sprintf("%.0f MiB", float64(e.PeakRSSBytes)/(1<<20)))
	for _, t := range e.Targets {
		ew.printf("- target %s: %s at %s, server %s\n", mdEscape(t.Name), t.Kind, mdEscape(t.URL), orDash(t.ServerVersion))
	}
	ew.printf("\n</details>\n")
	if ew.err != nil {
		return fmt.Errorf("markdown: %w", ew.err)
	}
	return nil
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

// csvHeader names the columns CSV writes, one row per run.
func csvHeader() []string {
	return []string{
		"target", "kind", "axis", "producers", "rate_msgs_per_sec", "repeat", "status", "duration_s",
		"offered", "sent", "acked", "errors", "late", "delivered", "lost",
		"throughput_msgs_per_sec", "throughput_bytes_per_sec",
		"p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us",
		"uncorrected_p50_us", "uncorrected_p99_us", "uncorrected_p999_us", "uncorrected_max_us", "error",
	}
}

// CSV writes one row per run with a header row; latencies in microseconds.
func CSV(w io.Writer, r *result.Result) error {
	if r == nil {
		return errors.New("csv: nil result")
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader()) // errors surface through cw.Error below
	f := func(v float64) string { return strconv.FormatFloat(result.Finite(v), 'f', -1, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	opt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return i(*p)
	}
	for _, run := range r.Runs {
		l, u := run.LatencyUs, run.LatencyUncorrectedUs
		_ = cw.Write([]string{
			run.Target, run.Kind, run.Axis, strconv.Itoa(run.Producers), f(run.RateMsgsPerSec), strconv.Itoa(run.Repeat),
			string(run.Status), f(run.DurationS),
			i(run.Offered), i(run.Sent), i(run.Acked), i(run.Errors), i(run.Late), opt(run.Delivered), opt(run.Lost),
			f(run.ThroughputMsgsPerSec), f(run.ThroughputBytesPerSec),
			f(l.P50), f(l.P90), f(l.P99), f(l.P999), f(l.Max), f(l.Mean),
			f(u.P50), f(u.P99), f(u.P999), f(u.Max), run.Error,
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// hgrmStep is one step's merged histogram for the .hgrm output.
type hgrmStep struct {
	name, label string
	hist        *hdrhistogram.Histogram
}

func hgrmSteps(r *result.Result) []hgrmStep {
	var out []hgrmStep
	used := map[string]bool{}
	for _, axis := range []string{result.AxisProducers, result.AxisRate} {
		for _, s := range chartDataAxis(r, axis).series {
			for _, pt := range s.points {
				h := pt.histogram()
				if h == nil || h.TotalCount() == 0 {
					continue
				}
				step := strconv.FormatFloat(pt.x, 'f', -1, 64) + "p"
				if axis == result.AxisRate {
					step = strconv.FormatFloat(pt.x, 'f', -1, 64) + "rate"
				}
				name := fileSafe(s.target + "-" + step)
				for i := 2; used[name]; i++ {
					name = fileSafe(fmt.Sprintf("%s-%s-%d", s.target, step, i))
				}
				used[name] = true
				out = append(out, hgrmStep{name: name, label: s.target + ", " + stepLabel(axis, pt.x), hist: h})
			}
		}
	}
	return out
}

// HGRM writes each step's latency histogram (repeats merged) in
// HdrHistogram's percentile-distribution text format, values in
// microseconds, 5 ticks per half distance: the layout of Java's
// outputPercentileDistribution, written by hdrhistogram-go's
// PercentilesPrint. Steps are separated by a "#[step: ...]" line and a
// blank line; WriteHGRM writes one file per step for tools that read one.
func HGRM(w io.Writer, r *result.Result) error {
	if r == nil {
		return errors.New("hgrm: nil result")
	}
	steps := hgrmSteps(r)
	if len(steps) == 0 {
		return errors.New("hgrm: no step has a latency histogram")
	}
	for i, s := range steps {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return fmt.Errorf("hgrm: %w", err)
			}
		}
		if _, err := fmt.Fprintf(w, "#[step: %s; values in microseconds]\n", s.label); err != nil {
			return fmt.Errorf("hgrm: %w", err)
		}
		if _, err := s.hist.PercentilesPrint(w, 5, 1e3); err != nil {
			return fmt.Errorf("hgrm %s: %w", s.label, err)
		}
	}
	return nil
}

// WriteHGRM writes one .hgrm file per step into dir (named
// "<target>-<N>p.hgrm" or "<target>-<rate>rate.hgrm") and returns the paths.
func WriteHGRM(dir string, r *result.Result) ([]string, error) {
	if r == nil {
		return nil, errors.New("hgrm: nil result")
	}
	var paths []string
	for _, s := range hgrmSteps(r) {
		var b strings.Builder
		if _, err := s.hist.PercentilesPrint(&b, 5, 1e3); err != nil {
			return paths, fmt.Errorf("hgrm %s: %w", s.label, err)
		}
		path := filepath.Join(dir, s.name+".hgrm")
		if err := atomicfile.Write(path, []byte(b.String())); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	if len(paths) == 0 {
		return nil, errors.New("hgrm: no step has a latency histogram")
	}
	return paths, nil
}
