package compare

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// MismatchError says two results come from scenarios too different to
// compare fairly. Compare returns it unless Options.Force is set.
type MismatchError struct {
	Diffs []string // one line per difference: "message.size: 128 vs 1024"
}

// Error lists the differences and how to compare anyway.
func (e *MismatchError) Error() string {
	return "the two results come from different scenarios, so their numbers are not comparable:\n  " +
		strings.Join(e.Diffs, "\n  ") + "\nrun both from the same scenario, or pass --force to compare anyway"
}

// scenarioDiffs lists the differences between the two results' scenarios
// that change what is measured: message size, station settings, targets
// (names, kinds, embedded or not), ack mode and producer settings.
func scenarioDiffs(base, cur *result.Result) []string {
	a, b := base.Scenario, cur.Scenario
	var diffs []string
	diff := func(key string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			diffs = append(diffs, fmt.Sprintf("%s: %v (base) vs %v (new)", key, x, y))
		}
	}
	diff("message.size", a.Message.Size, b.Message.Size)
	diff("station.storage", a.Station.Storage, b.Station.Storage)
	diff("station.replicas", a.Station.Replicas, b.Station.Replicas)
	diff("station.reset", a.Station.ResetEnabled(), b.Station.ResetEnabled())
	diff("station.subscribe", a.Station.SubscribeEnabled(), b.Station.SubscribeEnabled())
	diff("producers.ack", a.Producers.Ack, b.Producers.Ack)
	diff("producers.connections", a.Producers.Connections, b.Producers.Connections)
	diff("producers.maxPending", a.Producers.MaxPending, b.Producers.MaxPending)
	diff("targets", targetList(a.Targets), targetList(b.Targets))
	return diffs
}

// targetList describes targets by what matters to a comparison: name,
// kind, whether the server is embedded (URLs differ between machines), and
// the transport when it is not plain TCP.
func targetList(ts []result.Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		where := "remote"
		if t.IsEmbedded() {
			where = "embedded"
		}
		tr := scenarios.Target{URL: t.URL, CAFile: t.CAFile, CertFile: t.CertFile}.Transport()
		if tr != scenarios.TransportTCP {
			where += ", " + tr
		}
		parts[i] = fmt.Sprintf("%s (%s, %s)", t.Name, t.Kind, where)
	}
	slices.Sort(parts)
	return "[" + strings.Join(parts, ", ") + "]"
}

// contextNotes lists what a reader should know without it being a reason
// to refuse: changed load settings, another machine or server version.
func contextNotes(base, cur *result.Result) []string {
	var notes []string // an incomplete result fails the gate instead (gateFailures)
	a, b := base.Scenario, cur.Scenario
	note := func(what string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			notes = append(notes, fmt.Sprintf("%s differs: %v (base) vs %v (new)", what, x, y))
		}
	}
	note("scenario name", a.Name, b.Name)
	note("load.duration", a.Load.Duration, b.Load.Duration)
	note("load.warmup", a.Load.Warmup, b.Load.Warmup)
	note("load.repeat", a.Load.Repeat, b.Load.Repeat)
	note("load.order", orderText(a.Load.Order), orderText(b.Load.Order))
	note("load.pacer", pacerText(a.Load.Pacer), pacerText(b.Load.Pacer))
	note("GOMAXPROCS", base.Env.GOMAXPROCS, cur.Env.GOMAXPROCS)
	note("CPU count", base.Env.NumCPU, cur.Env.NumCPU)
	note("server versions", serverVersions(base.Env), serverVersions(cur.Env))
	return notes
}

func serverVersions(e result.Env) string {
	parts := make([]string, 0, len(e.Targets))
	for _, t := range e.Targets {
		parts = append(parts, t.Name+" "+t.ServerVersion)
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// orderText names a result's repeat order; results from before load.order
// ran their repeats in sequence.
// pacerText is a result's pacer; results from before load.pacer existed
// slept.
func pacerText(p string) string {
	if p == "" {
		return scenarios.PacerSleep
	}
	return p
}

func orderText(o string) string {
	if o == "" {
		return scenarios.OrderSequential
	}
	return o
}
