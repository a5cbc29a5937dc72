package scenarios

import (
	"math"
	"time"
	"unicode/utf8"
)

// Bounds on sizes and counts, so that no scenario can make the harness
// run out of memory or time by accident. Each is far above a sensible run.
const (
	MaxFileSize       = 1 << 20  // bytes of a scenario file
	MaxDescriptionLen = 64 << 10 // bytes of description
	MaxLabels         = 64       // labels
	MaxLabelNameLen   = 64       // characters of a label name
	MaxLabelValueLen  = 1024     // characters of a label value
	MaxSubjectLen     = 256      // characters of station.subject
	MaxURLLen         = 4096     // characters of a target url
	MaxUsernameLen    = 256      // characters of a username
	MaxSecretLen      = 4096     // characters of a password or connectionToken
	MaxPathLen        = 4096     // characters of a key, certificate or credentials path
	MaxHostLen        = 253      // characters of a host name
	MaxTargets        = 64       // targets
	MaxSteps          = 100      // producers.counts or load.rates entries
	MaxThresholds     = 100      // thresholds
	MaxPhases         = 100      // phases
	MaxTimeout        = Milliseconds(time.Hour)
	MaxReconnectWait  = Milliseconds(time.Hour)
	MaxMaxReconnect   = 1000000 // reconnect attempts
	MaxAccountID      = math.MaxInt32
	MaxRate           = 1e9 // msgs/s, the whole step
	MaxDrain          = Duration(time.Hour)
	MaxLateAfter      = Duration(time.Hour)
	MaxRunTime        = Duration(30 * 24 * time.Hour)
	// MaxStepMemory bounds what a step's producers hold in memory: their
	// payloads, in-flight windows and per-second records.
	MaxStepMemory = 16 << 30

	MaxIdempotencyWindow = Duration(24 * time.Hour)
	MaxRetentionAgeSec   = 100 * 365 * 24 * 3600 // a century
	MaxRetentionMessages = 1_000_000_000_000
	MaxRetentionBytes    = 1 << 50 // 1 PiB
)

// Memory a producer needs, for MaxStepMemory: one in-flight slot per
// pending message and one send and one ack record per second.
const (
	inFlightSlotBytes = 24
	secondRecordBytes = 96
)

// textLen reports a text field longer than limit characters. It never
// shows the value: the field may be a credential.
func (c *checker) textLen(key, v string, limit int) bool {
	if n := utf8.RuneCountInString(v); n > limit {
		c.bad(key, "%d characters is too long: at most %d", n, limit)
		return false
	}
	return true
}

// positive reports a duration that is not more than 0 or is above limit.
func (c *checker) positive(key string, d, limit Duration) {
	switch {
	case d <= 0:
		c.bad(key, "must be more than 0, got %s", d)
	case d > limit:
		c.bad(key, "must be at most %s, got %s", limit, d)
	}
}

// intRange reports v outside [lo, hi].
func (c *checker) intRange(key string, v, lo, hi int) {
	if v < lo || v > hi {
		c.bad(key, "must be %d to %d, got %d", lo, hi, v)
	}
}

// rate checks one offered rate (total msgs/s of a step) against the
// measured window it is sent in.
func (c *checker) rate(key string, r float64, window Duration) {
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0):
		c.bad(key, "must be a finite number of msgs/s, got %g", r)
	case r <= 0:
		c.bad(key, "must be more than 0 msgs/s, got %g", r)
	case r > MaxRate:
		c.bad(key, "must be at most %g msgs/s, got %g", MaxRate, r)
	case window > 0 && r*window.D().Seconds() < 1:
		c.bad(key, "%g msgs/s sends fewer than one message in the %s measured window", r, window)
	}
}

// totals checks what the sections make together: the memory a step needs
// and the time the whole run takes. It runs only once the parts are in
// range, so that it never reports the same problem twice.
func (c *checker) totals(s Scenario) {
	steps := s.Steps()
	perTarget := float64(len(steps) * s.Load.Repeat)
	if f := s.Load.FindMaxRate; f != nil {
		perTarget = float64(len(s.Producers.Counts) * (1 + f.MaxProbes))
	}
	per := (s.Load.Warmup + s.Load.Duration).D().Seconds()
	if total := float64(len(s.Targets)) * perTarget * per; total > MaxRunTime.D().Seconds() {
		c.bad("load.repeat", "the run would take about %.0f days (%d targets x %.0f steps and repeats x (warmup + duration)): at most %.0f days",
			total/86400, len(s.Targets), perTarget, MaxRunTime.D().Hours()/24)
	}
	most := 0
	for _, st := range steps {
		most = max(most, st.Producers)
	}
	batch := max(s.Message.Batch, 1)
	seconds := (s.Load.Duration + s.Load.Drain).D().Seconds() + 2
	each := float64(s.Message.Size)*float64(batch) + float64(s.Producers.MaxPending)*inFlightSlotBytes + seconds*secondRecordBytes
	if need := float64(most) * each; need > MaxStepMemory {
		c.bad("producers.counts", "%d producers need about %.1f GiB of memory (each holds message.size x batch, maxPending in-flight slots "+
			"and a record per second of duration and drain): at most %d GiB", most, need/(1<<30), MaxStepMemory>>30)
	}
}

// freeText checks the bounds of the fields that are text for people to
// read: the description and the labels.
func (c *checker) freeText(s Scenario) {
	if len(s.Description) > MaxDescriptionLen {
		c.bad("description", "%d bytes is too long: at most 64 KiB (link to longer notes instead)", len(s.Description))
	}
	if len(s.Labels) > MaxLabels {
		c.bad("labels", "%d labels: at most %d labels", len(s.Labels), MaxLabels)
	}
}

// count reports a list longer than limit.
func (c *checker) count(key string, n, limit int, what string) bool {
	if n > limit {
		c.bad(key, "%d %s: at most %d %s", n, what, limit, what)
		return false
	}
	return true
}
