package distributed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// clockSamples is how many round trips the clock offset is measured over;
// the one with the shortest round trip bounds the offset best.
const clockSamples = 7

// now is this agent's clock: the machine's, plus the test hook's skew.
func (a *Agent) now() time.Time { return time.Now().Add(a.cfg.ClockSkew) }

// measureClock measures this agent's clock against the control server's:
// the server stamps each key-value entry it stores (its Created time), and
// that stamp lies within the round trip of the put that stored it, so the
// offset is the middle of the round trip minus the stamp, within half the
// round trip.
func (a *Agent) measureClock(ctx context.Context) error {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	key := "clock." + hex.EncodeToString(b[:])
	defer func() { _ = a.kv.Purge(context.WithoutCancel(ctx), key) }()
	a.rtt = -1
	for range clockSamples {
		t0 := a.now()
		rev, err := a.kv.Put(ctx, key, nil)
		t1 := a.now()
		if err != nil {
			return fmt.Errorf("measure the clock against the control server: %w", err)
		}
		e, err := a.kv.GetRevision(ctx, key, rev)
		if err != nil {
			return fmt.Errorf("measure the clock against the control server: %w", err)
		}
		rtt := t1.Sub(t0)
		if a.rtt < 0 || rtt < a.rtt {
			a.rtt = rtt
			a.offset = t0.Add(rtt / 2).Sub(e.Created())
		}
	}
	return nil
}

// clockRefusal says why this agent refuses to run, when its clock is
// further from the server's than the limit; nil when it is not.
func (a *Agent) clockRefusal() error {
	off := a.offset
	if off < 0 {
		off = -off
	}
	if off <= a.cfg.MaxClockOffset {
		return nil
	}
	way := "ahead of"
	if a.offset < 0 {
		way = "behind"
	}
	return fmt.Errorf("this machine's clock is %s %s the control server's (measured from the key-value bucket's timestamps, "+
		"within ±%s), more than --max-clock-offset %s: the agents' measured windows would not coincide; "+
		"synchronise the clock (NTP, chrony) or raise --max-clock-offset",
		off.Round(time.Microsecond), way, (a.rtt / 2).Round(time.Microsecond), a.cfg.MaxClockOffset)
}

// serverNow is the control server's clock now, as this agent reads it.
func (a *Agent) serverNow() time.Time { return a.now().Add(-a.offset) }

// local is the instant of this machine's clock (with its monotonic
// reading) at which the control server's clock reads t.
func (a *Agent) local(t time.Time) time.Time {
	now := time.Now()
	return now.Add(t.Sub(a.serverNow()))
}
