package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/workers"
)

// verifyTimeout bounds reading a station's state before or after a step.
const verifyTimeout = 5 * time.Second

// interruptedVerify bounds the same after an interrupt: the partial result
// is written after it, and a frozen broker must not hold that up.
const interruptedVerify = 500 * time.Millisecond

// probe is what a step's checks need from before its load: the connection
// fault record's mark and the station's count.
type probe struct {
	faults *workers.Faults
	mark   workers.FaultMark
	// verifier is nil when the step is not verified.
	verifier workers.Verifier
	before   workers.StationState
	// totals, in a distributed run, is what every agent sent and had
	// acknowledged: the station is verified against their sum.
	totals *StepCounts
	// err says why the station could not be read before the step; the
	// step then fails without load (verification cannot be done).
	err error
}

// beginChecks takes the marks a step's checks start from; verify says
// whether the step is verified against the station. Call it after the
// station is ready and before any message is sent.
func (r *run) beginChecks(ctx context.Context, drv workers.Driver, s workers.Step, verify bool) probe {
	p := probe{faults: r.faults, mark: r.faults.Mark()}
	v, ok := drv.(workers.Verifier)
	if !ok || !s.Acked() || !verify {
		return p
	}
	vctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	before, err := v.StationState(vctx)
	if err != nil {
		p.err = fmt.Errorf("verification cannot be done (station.verify: false turns it off): could not read the station before the step: %w", err)
		return p
	}
	p.verifier, p.before = v, before
	return p
}

// endChecks adds to a step's record what happened to the connections
// during the measured window from (wall time), and compares what the
// station gained with what was acknowledged. It returns the error that
// fails the step (a connection lost for good, messages lost), if any.
func (r *run) endChecks(ctx context.Context, out *result.Run, p probe, from time.Time) error {
	to := from.Add(time.Duration(out.DurationS * float64(time.Second)))
	fs := p.faults.Since(p.mark, from, to)
	out.Disconnects, out.Reconnects = fs.Disconnects, fs.Reconnects
	out.DisconnectedS = fs.Disconnected.Seconds()
	for i := range out.Series {
		if i < len(fs.PerSecond) {
			out.Series[i].DisconnectedS = fs.PerSecond[i].Seconds()
		}
	}
	var errs []error
	if err := p.faults.LostErr(); err != nil {
		errs = append(errs, err)
	} else if since, down := p.faults.Unreachable(); down {
		errs = append(errs, fmt.Errorf("%s to the end of the step (still reconnecting)", workers.UnreachableText(since)))
	}
	if p.verifier == nil {
		return errors.Join(errs...)
	}
	d := verifyTimeout
	switch {
	case ctx.Err() != nil:
		d = interruptedVerify // the partial result waits for this
	case len(errs) > 0:
		d = min(d, interruptedCleanup) // do not wait long on a broker that is gone
	}
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d)
	defer cancel()
	acked := out.Acked + out.WarmupAcked
	sent := out.Sent + out.WarmupSent
	if p.totals != nil {
		acked, sent = p.totals.Acked, p.totals.Sent
		out.Notes = append(out.Notes, fmt.Sprintf("the station is verified once, by this agent, against every agent's messages: sent %d, acknowledged %d (warmup included)", sent, acked))
	}
	after, err := p.verifier.StationState(vctx)
	switch {
	case errors.Is(err, workers.ErrStationGone):
		// Everything the gone stream acknowledged went with it.
		stored, lost, dups := int64(0), acked, int64(0)
		out.Stored, out.Lost, out.Duplicates = &stored, &lost, &dups
		return errors.Join(append(errs, fmt.Errorf("verify: the station is gone (deleted during the step, or lost with its server): all %d acknowledged messages are lost (acked %d + warmup %d): %w",
			lost, out.Acked, out.WarmupAcked, err))...)
	case err != nil:
		return errors.Join(append(errs, fmt.Errorf("verification could not be done (station.verify: false turns it off): could not read the station after the step: %w", err))...)
	}
	if gone := after.Recreated(p.before); len(gone) > 0 {
		// A recreated stream lost what it held: what this step gained in
		// the new stream cannot be told from what went, so every
		// acknowledged message is counted lost.
		stored, lost, dups := after.Gained(p.before), acked, int64(0)
		out.Stored, out.Lost, out.Duplicates = &stored, &lost, &dups
		return errors.Join(append(errs, fmt.Errorf("verify: stream %s was recreated during the step (its last sequence went back from %d to %d): all %d acknowledged messages are counted lost, not in the station as acknowledged (acked %d + warmup %d; the new stream holds %d)",
			strings.Join(gone, ", "), p.before[gone[0]].LastSeq, after[gone[0]].LastSeq, lost, out.Acked, out.WarmupAcked, stored))...)
	}
	stored := after.Gained(p.before)
	lost, dups := max(0, acked-stored), max(0, stored-sent)
	out.Stored, out.Lost, out.Duplicates = &stored, &lost, &dups
	if lost > 0 {
		errs = append(errs, fmt.Errorf("verify: %d acknowledged messages are not in the station (acked %d, station gained %d)",
			lost, acked, stored))
	}
	return errors.Join(errs...)
}
