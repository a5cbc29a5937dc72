package plan

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/stationbench/stationbench/scenarios"
)

// WriteText prints the plan for a reader: a heading, one line per run in
// the order they run (one per findMaxRate search, with its bounds), and
// the estimate.
func (p Plan) WriteText(w io.Writer) error {
	var b bytes.Buffer
	p.writeText(&b)
	_, err := w.Write(b.Bytes())
	return err
}

func (p Plan) writeText(w *bytes.Buffer) {
	runs := p.Runs()
	most := ""
	if p.hasSearch() {
		most = "at most "
	}
	fmt.Fprintf(w, "plan of %s: %s%s on %s, in the order they run\n", p.Scenario, most, count(runs, "run"), count(len(p.Targets), "target"))
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\ttarget\tkind\tproducers\trate\trepeat\twarmup\tmeasured\tdrain\tsize\tack\tmaxPending\tconnections\t")
	n := 0
	for _, t := range p.Targets {
		for _, e := range t.Entries {
			first := n + 1
			n += e.runs()
			st := e.step()
			index, rate, repeat, search := strconv.Itoa(first), "closed loop", fmt.Sprintf("%d/%d", st.Repeat, st.Repeats), ""
			if st.Rate > 0 {
				rate = strconv.FormatFloat(st.Rate, 'f', -1, 64) + "/s"
			}
			if e.Search != nil {
				index, rate, repeat, search = fmt.Sprintf("%d-%d", first, n), "max-rate search", "-", searchText(*e.Search)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%dB\t%s\t%d\t%s\t%s\n", index, st.Target, st.Kind, st.Producers,
				rate, repeat, st.Warmup, st.Duration, st.Drain, st.MessageSize, st.Ack, st.MaxPending, st.Connections, search)
		}
	}
	tw.Flush() // into a buffer: no error
	for _, line := range strings.SplitAfter(table.String(), "\n") {
		w.WriteString(strings.TrimRight(line, " \n"))
		if line != "" {
			w.WriteString("\n")
		}
	}
	e := p.Estimate()
	fmt.Fprintf(w, "estimate: about %s of load (warmup + measured time of %s%s); at most %s with every drain waited out; "+
		"connecting and station setup come on top\n", e.Load, count(runs, "run"), searchNote(p), e.Most())
}

// searchText says what a search does and within which bounds.
func searchText(s Search) string {
	var slo []string
	for _, b := range s.Spec.SLO() {
		slo = append(slo, fmt.Sprintf("%s<=%s", b.Percentile, b.Max))
	}
	return fmt.Sprintf("a closed-loop probe, then up to %d open-loop probes between 0 and its rate, and 1 confirming; "+
		"stops within %s of the answer; objectives %s", s.Spec.MaxProbes, scenarios.FormatFraction(s.Spec.Precision), strings.Join(slo, ", "))
}

// searchNote says how searches were counted, when there are any.
func searchNote(p Plan) string {
	if p.hasSearch() {
		return ", a search counted at its most runs"
	}
	return ""
}

// hasSearch reports whether the plan holds a findMaxRate search.
func (p Plan) hasSearch() bool {
	for _, t := range p.Targets {
		for _, e := range t.Entries {
			if e.Search != nil {
				return true
			}
		}
	}
	return false
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
