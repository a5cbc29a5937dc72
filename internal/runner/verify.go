package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/workers"
)

// verifyTimeout bounds reading a station's state before or after a step.
const verifyTimeout = 5 * time.Second

// probe is what a step's checks need from before its load: the connection
// fault record's mark and the station's count.
type probe struct {
	faults *workers.Faults
	mark   workers.FaultMark
	// verifier is nil when the step is not verified.
	verifier workers.Verifier
	before   workers.StationState
	note     string // why verification was skipped, if it was
}

// beginChecks takes the marks a step's checks start from. Call it after
// the station is ready and before any message is sent.
func (r *run) beginChecks(ctx context.Context, drv workers.Driver, s workers.Step) probe {
	p := probe{faults: r.faults, mark: r.faults.Mark()}
	v, ok := drv.(workers.Verifier)
	if !ok || !s.Acked() || !r.sc.Station.VerifyEnabled() {
		return p
	}
	vctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	before, err := v.StationState(vctx)
	if err != nil {
		p.note = fmt.Sprintf("verify skipped: could not read the station before the step: %v", err)
		return p
	}
	p.verifier, p.before = v, before
	return p
}

// endChecks adds to a step's record what happened to the connections
// during the measured window from (wall time), and compares what the
// station gained with what was acknowledged. It returns the error that
// fails the step (a connection lost for good, messages lost), if any.
func (r *run) endChecks(ctx context.Context, out *report.Run, p probe, from time.Time) error {
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
	}
	if p.note != "" {
		out.Notes = append(out.Notes, p.note)
	}
	if p.verifier == nil {
		return errors.Join(errs...)
	}
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), verifyTimeout)
	defer cancel()
	after, err := p.verifier.StationState(vctx)
	if err != nil {
		out.Notes = append(out.Notes, fmt.Sprintf("verify skipped: could not read the station after the step: %v", err))
		return errors.Join(errs...)
	}
	stored := after.Gained(p.before)
	acked := out.Acked + out.WarmupAcked
	sent := out.Sent + out.WarmupSent
	lost, dups := max(0, acked-stored), max(0, stored-sent)
	out.Stored, out.Lost, out.Duplicates = &stored, &lost, &dups
	if lost > 0 {
		errs = append(errs, fmt.Errorf("verify: %d acknowledged messages are not in the station (acked %d, station gained %d)",
			lost, acked, stored))
	}
	return errors.Join(errs...)
}
