package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/stationbench/stationbench/result"
)

// Summary writes a human-readable text summary of r: a header describing the
// scenario and environment, then one table row per run. The output depends
// only on r.
func Summary(w io.Writer, r *result.Result) error {
	if r == nil {
		return fmt.Errorf("summary: nil result")
	}
	ew := &errWriter{w: w}
	writeHeader(ew, r)
	if ew.err != nil {
		return fmt.Errorf("summary: %w", ew.err)
	}
	if len(r.Runs) == 0 {
		ew.printf("\nno runs\n")
		writeNotesText(ew, r) // notes.go
		if ew.err != nil {
			return fmt.Errorf("summary: %w", ew.err)
		}
		return nil
	}
	ew.printf("\n")
	if err := writeRunTable(ew, r.Runs); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	writeNotesText(ew, r) // notes.go
	if err := writeComparison(ew, r); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	writeCapacity(ew, capacities(r))
	writeDeliveryLag(ew, deliveryLags(r))
	writeObserveText(ew, Observe(r)) // producers.go
	writeSpread(ew, Spread(r))       // spread.go
	if err := WriteMaxRate(ew, r.MaxRate); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	if vs := thresholdVerdicts(r); len(vs) > 0 {
		ew.printf("\n")
		if err := WriteThresholds(ew, vs); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
	}
	if ew.err != nil {
		return fmt.Errorf("summary: %w", ew.err)
	}
	return nil
}

// errWriter keeps the first write error so the formatting code stays flat.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(e, format, args...) // the error is kept in e.err
}

func writeHeader(w *errWriter, r *result.Result) {
	if r.Status != result.StatusComplete {
		w.printf("*** RESULT %s", strings.ToUpper(statusText(r.Status)))
		if r.Error != "" {
			w.printf(": %s", r.Error)
		}
		w.printf(" ***\n")
	}
	sc := r.Scenario
	w.printf("scenario:   %s\n", orDash(sc.Name))
	w.printf("status:     %s\n", statusText(r.Status))
	if !r.StartedAt.IsZero() {
		w.printf("started:    %s", r.StartedAt.Format(time.RFC3339))
		if !r.FinishedAt.IsZero() && r.FinishedAt.After(r.StartedAt) {
			w.printf(" (took %s)", r.FinishedAt.Sub(r.StartedAt).Round(time.Second))
		}
		w.printf("\n")
	}
	w.printf("message:    %s, ack %s\n", formatBytes(int64(sc.Message.Size)), orDash(sc.Producers.Ack))
	w.printf("load:       duration %s, warmup %s", sc.Load.Duration, sc.Load.Warmup)
	if sc.Load.Repeat > 1 {
		w.printf(", repeat %d", sc.Load.Repeat)
	}
	w.printf("\n")
	w.printf("gomaxprocs: %d (cpus %d)\n", r.Env.GOMAXPROCS, r.Env.NumCPU)
	if len(r.Labels) > 0 {
		w.printf("labels:     %s\n", labelText(r.Labels))
	}
	for _, t := range r.Env.Targets {
		w.printf("target:     %s (%s", t.Name, t.Kind)
		if t.Embedded {
			w.printf(", embedded")
		}
		if t.Transport != "" { // empty in results from before it was recorded
			w.printf(", %s", t.Transport)
		}
		w.printf(") server %s", orDash(t.ServerVersion))
		if t.Error != "" {
			w.printf(", error: %s", t.Error)
		}
		w.printf("\n")
	}
}

// statusWidth is the width of the text table's status column.
const statusWidth = len("INTERRUPTED [99]")

// runTable lays out one row per run: the column names, the cells, and the
// error of every run that did not complete (the status cell refers to it
// as [i]). Text, markdown and HTML render the same table.
func runTable(runs []result.Run) (cols []string, rows [][]string, failures []string) {
	runs = result.ByStep(runs) // repeats interleave when they run
	var repeats, open, lost, dups, faults, rss, notes bool
	for _, run := range runs {
		rss = rss || run.PeakRSSBytes > 0
		repeats = repeats || run.Repeat > 1
		open = open || run.RateMsgsPerSec > 0
		lost = lost || run.Lost != nil
		dups = dups || (run.Duplicates != nil && *run.Duplicates > 0)
		faults = faults || run.Disconnects > 0
		notes = notes || run.Status != result.StatusComplete
	}
	cols = []string{"target", "producers", "rate"}
	if repeats {
		cols = append(cols, "repeat")
	}
	cols = append(cols, "msgs/s", "MB/s", "p50", "p99", "p99.9", "max", "errors")
	if open {
		cols = append(cols, "offered", "sent", "late")
	}
	if lost {
		cols = append(cols, "lost")
	}
	if dups {
		cols = append(cols, "dups")
	}
	if faults {
		cols = append(cols, "disconnects", "down")
	}
	bases := rssBases(runs) // rss.go
	if rss {
		cols = append(cols, "RSS", "RSS/prod")
	}
	if notes {
		cols = append(cols, "status")
	}
	for _, run := range runs {
		row := []string{run.Target, strconv.Itoa(run.Producers), formatRate(run.RateMsgsPerSec)}
		if repeats {
			row = append(row, strconv.Itoa(run.Repeat))
		}
		lat := run.LatencyUs
		row = append(row,
			fmt.Sprintf("%.0f", run.ThroughputMsgsPerSec),
			fmt.Sprintf("%.2f", run.ThroughputBytesPerSec/1e6))
		if run.Acked > 0 || lat.Max > 0 {
			row = append(row, FormatLatencyUs(lat.P50), FormatLatencyUs(lat.P99),
				FormatLatencyUs(lat.P999), FormatLatencyUs(lat.Max))
		} else {
			row = append(row, "-", "-", "-", "-")
		}
		row = append(row, strconv.FormatInt(run.Errors, 10))
		if open {
			row = append(row, strconv.FormatInt(run.Offered, 10), strconv.FormatInt(run.Sent, 10),
				strconv.FormatInt(run.Late, 10))
		}
		if lost {
			row = append(row, optInt(run.Lost))
		}
		if dups {
			row = append(row, optInt(run.Duplicates))
		}
		if faults {
			row = append(row, strconv.FormatInt(run.Disconnects, 10), fmt.Sprintf("%.1fs", run.DisconnectedS))
		}
		if rss {
			peak, perProducer := bases.cells(run)
			row = append(row, peak, perProducer)
		}
		if notes {
			note := ""
			if run.Status != result.StatusComplete {
				failures = append(failures, runFailure(run))
				note = fmt.Sprintf("%s [%d]", strings.ToUpper(statusText(run.Status)), len(failures))
			}
			row = append(row, note)
		}
		rows = append(rows, row)
	}
	return cols, rows, failures
}

// writeRunTable writes the per-run table and, below it, the error of every
// run that did not complete.
func writeRunTable(w *errWriter, runs []result.Run) error {
	cols, rows, failures := runTable(runs)
	// Numbers align right; the target and status columns are padded to
	// their widest cell so that they read left-aligned.
	targetWidth := len("target")
	for _, row := range rows {
		targetWidth = max(targetWidth, utf8.RuneCountInString(row[0]))
	}
	notes := cols[len(cols)-1] == "status"
	pad := func(row []string) []string {
		row = append([]string(nil), row...)
		row[0] = padRight(row[0], targetWidth)
		if notes {
			row[len(row)-1] = padRight(row[len(row)-1], statusWidth)
		}
		return row
	}
	padded := [][]string{pad(cols)}
	for _, row := range rows {
		padded = append(padded, pad(row))
	}
	if err := writeAligned(w, padded); err != nil {
		return err
	}
	if slices.Contains(cols, "RSS") {
		w.printf("%s\n", rssLegend)
	}
	if len(failures) > 0 {
		w.printf("\n")
		for i, f := range failures {
			w.printf("[%d] %s\n", i+1, f)
		}
	}
	return nil
}

func runFailure(run result.Run) string {
	var b strings.Builder
	b.WriteString(runName(run))
	fmt.Fprintf(&b, ": %s", statusText(run.Status))
	if run.Error != "" {
		fmt.Fprintf(&b, ": %s", run.Error)
	}
	return b.String()
}

// padRight pads s with spaces to width runes.
// writeAligned writes rows (the header first) as a text table indented by
// two spaces, every cell aligned right with two spaces between columns and
// no trailing spaces; a column meant to read left-aligned comes padded to
// its width (padRight).
func writeAligned(w *errWriter, rows [][]string) error {
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, row := range rows {
		_, _ = fmt.Fprintln(tw, strings.Join(row, "\t")+"\t") // writes to a buffer
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(table.String(), "\n") {
		w.printf("%s", strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			w.printf("\n")
		}
	}
	return nil
}

func padRight(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

func statusText(s result.Status) string {
	if s == "" {
		return "unknown"
	}
	return string(s)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func optInt(p *int64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatInt(*p, 10)
}

func formatRate(rate float64) string {
	if rate <= 0 {
		return "closed"
	}
	return strconv.FormatFloat(rate, 'f', -1, 64)
}

// formatBytes writes n in the largest binary unit that divides it exactly.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d B", n)
	}
}

// FormatDurationUs writes microseconds as a Go duration rounded to about
// three significant digits ("4.21ms", "1.234s"), for tables that compare
// values.
func FormatDurationUs(us float64) string {
	d := time.Duration(us * float64(time.Microsecond))
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d >= time.Microsecond:
		return d.Round(10 * time.Nanosecond).String()
	}
	return d.String()
}

// FormatLatencyUs formats a latency given in microseconds with three
// significant digits and an adaptive unit: "850ns", "312µs", "4.21ms", "1.2s".
func FormatLatencyUs(us float64) string {
	switch {
	case math.IsNaN(us) || math.IsInf(us, 0):
		return "-"
	case us <= 0:
		return "0"
	}
	v := roundSig(us, 3)
	switch {
	case v < 1:
		return trimFloat(roundSig(v*1e3, 3)) + "ns"
	case v < 1e3:
		return trimFloat(v) + "µs"
	case v < 1e6:
		return trimFloat(roundSig(v/1e3, 3)) + "ms"
	default:
		return trimFloat(roundSig(v/1e6, 3)) + "s"
	}
}

// roundSig rounds v (> 0) to n significant digits.
func roundSig(v float64, n int) float64 {
	scale := math.Pow10(int(math.Floor(math.Log10(v))) - n + 1)
	return math.Round(v/scale) * scale
}

// trimFloat prints v with at most two decimals and no trailing zeros.
func trimFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
