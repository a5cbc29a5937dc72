package runner

import (
	"os"
	"runtime"
	"strconv"

	"github.com/stationbench/stationbench/result"
)

// method states what the numbers of a result mean.
const method = "Latency is recorded per message in HDR histograms (1 ns to 60 s, 3 significant digits): " +
	"each producer buffers its latencies and records them into the step's exact histograms. jetstream: from the intended send time to the PubAck. " +
	"nats: from the intended send time to delivery at the harness's own subscriber. " +
	"kafka: from the intended send time to the record's produce callback, when the broker acknowledged it at the target's ack level " +
	"(with ack none, when the client wrote it), topic end offsets verified. " +
	"Closed loop: the intended time is the send time. Open loop: intended times follow an absolute " +
	"schedule, so latency includes any wait behind a slow send (corrected for coordinated omission); " +
	"latency_uncorrected_us is from the actual send time, and pacer_lag_us is the load generator's own " +
	"lateness: how long after its intended time the pacer released each message it waited for " +
	"(part of the corrected latency, never the broker's). Counts, throughput and latency cover the " +
	"measured window only: messages intended during warmup are sent but not recorded. " +
	"Throughput is acknowledged (jetstream, kafka) or delivered (nats with subscriber; sent without) messages over the measured duration."

func newEnv(version string) result.Env {
	host, _ := os.Hostname()
	return result.Env{
		StationbenchVersion: version,
		GoVersion:           runtime.Version(),
		GOOS:                runtime.GOOS,
		GOARCH:              runtime.GOARCH,
		GOMAXPROCS:          runtime.GOMAXPROCS(0),
		NumCPU:              runtime.NumCPU(),
		Hostname:            host,
		Targets:             []result.TargetEnv{},
		Method:              method,
	}
}

// methodNoter is an embedded broker whose numbers need a word in the
// result's method text: a fake of the broker its kind stands for (the
// kafka kind's kfake).
type methodNoter interface {
	MethodNote() string
}

// noteMethod adds what target's embedded broker says of its numbers, if
// anything, to the result's method text.
func noteMethod(env *result.Env, target string, b any) {
	if n, ok := b.(methodNoter); ok {
		env.Method += " Target " + strconv.Quote(target) + " " + n.MethodNote()
	}
}

// peakRSS is the process's peak resident set size in bytes (VmHWM), or 0
// where /proc is not available.
func peakRSS() int64 {
	return procStatusBytes("/proc/self/status", "VmHWM:")
}
