package workers

import (
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Faults records what happens to one target's connections while a run
// uses them: disconnects, reconnects, the time during which at least one
// connection was down, and the first connection lost for good (closed by
// the client library after its reconnects ran out, not by the harness).
// It is safe for concurrent use; nats.go calls it from its own goroutines.
// A nil *Faults records nothing.
type Faults struct {
	mu          sync.Mutex
	down        map[*nats.Conn]bool // connections now disconnected
	downSince   time.Time           // start of the current outage (len(down) > 0)
	spans       []outage            // finished outages
	disconnects int64
	reconnects  int64
	lost        chan struct{} // closed when a connection is lost for good
	lostErr     error
}

// outage is a period during which at least one connection was down.
type outage struct{ from, to time.Time }

// NewFaults makes an empty record.
func NewFaults() *Faults {
	return &Faults{down: map[*nats.Conn]bool{}, lost: make(chan struct{})}
}

// options are the nats.go handlers that feed the record. NoCallbacksAfter
// ClientClose makes the closed handler fire only for connections the
// harness did not close itself.
func (f *Faults) options(target string, onReconnect func()) []nats.Option {
	if onReconnect == nil {
		onReconnect = func() {}
	}
	if f == nil {
		return []nats.Option{nats.ReconnectHandler(func(*nats.Conn) { onReconnect() })}
	}
	return []nats.Option{
		nats.NoCallbacksAfterClientClose(),
		nats.DisconnectErrHandler(func(nc *nats.Conn, _ error) { f.disconnected(nc, time.Now()) }),
		nats.ReconnectHandler(func(nc *nats.Conn) { f.reconnected(nc, time.Now()); onReconnect() }),
		nats.ClosedHandler(func(nc *nats.Conn) { f.closed(target, nc, time.Now()) }),
	}
}

func (f *Faults) disconnected(nc *nats.Conn, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disconnects++
	if f.down[nc] {
		return
	}
	if len(f.down) == 0 {
		f.downSince = now
	}
	f.down[nc] = true
}

func (f *Faults) reconnected(nc *nats.Conn, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reconnects++
	f.up(nc, now)
}

// up marks nc connected again; the caller holds mu.
func (f *Faults) up(nc *nats.Conn, now time.Time) {
	if !f.down[nc] {
		return
	}
	delete(f.down, nc)
	if len(f.down) == 0 {
		f.spans = append(f.spans, outage{f.downSince, now})
	}
}

// closed records nc closed by the client library: the broker was
// unreachable from the start of the connection's outage (now, if it was
// not down) and the reconnects ran out (or were off).
func (f *Faults) closed(target string, nc *nats.Conn, now time.Time) {
	err := nc.LastError()
	if err == nil {
		err = nats.ErrConnectionClosed
	}
	why := "maxReconnect exhausted"
	if !nc.Opts.AllowReconnect {
		why = "reconnect is off"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	from := now
	if f.down[nc] {
		from = f.downSince
	}
	if f.lostErr == nil {
		f.lostErr = fmt.Errorf("target %q: the broker was unreachable from %s (%s): connection %s lost: %w",
			target, formatWhen(from), why, nc.Opts.Name, err)
		close(f.lost)
	}
}

// formatWhen writes a wall time in UTC to the millisecond.
func formatWhen(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Unreachable reports whether an open connection of the target is down
// now, and since when (the start of the current outage).
func (f *Faults) Unreachable() (since time.Time, down bool) {
	if f == nil {
		return time.Time{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for nc := range f.down {
		if !nc.IsClosed() || f.lostErr != nil {
			return f.downSince, true
		}
	}
	return time.Time{}, false
}

// UnreachableText says since when the broker was unreachable, for an
// error that names the cause.
func UnreachableText(since time.Time) string {
	return "the broker was unreachable from " + formatWhen(since)
}

// Lost is closed when a connection of the target is lost for good. A nil
// record gives a nil channel, which never becomes ready.
func (f *Faults) Lost() <-chan struct{} {
	if f == nil {
		return nil
	}
	return f.lost
}

// LostErr says which connection was lost for good and why; nil while none
// was.
func (f *Faults) LostErr() error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lostErr
}

// FaultMark is a point in a Faults record, from which Since counts.
type FaultMark struct {
	disconnects, reconnects int64
}

// Mark returns the record's counters now.
func (f *Faults) Mark() FaultMark {
	if f == nil {
		return FaultMark{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return FaultMark{f.disconnects, f.reconnects}
}

// FaultStats is what happened to a target's connections in a period.
type FaultStats struct {
	Disconnects  int64
	Reconnects   int64
	Disconnected time.Duration // time with at least one connection down
	// PerSecond is Disconnected split into the seconds of the period.
	PerSecond []time.Duration
}

// Since reports the disconnects and reconnects after mark, and the time in
// [from, to) during which a connection was down, also per second from
// from. Connections the harness closed while they were down count as down
// until this call.
func (f *Faults) Since(mark FaultMark, from, to time.Time) FaultStats {
	if f == nil || !to.After(from) {
		return FaultStats{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	for nc := range f.down {
		if nc.IsClosed() && f.lostErr == nil {
			f.up(nc, now)
		}
	}
	spans := f.spans
	if len(f.down) > 0 {
		spans = append(spans[:len(spans):len(spans)], outage{f.downSince, now})
	}
	n := int((to.Sub(from) + time.Second - 1) / time.Second)
	out := FaultStats{
		Disconnects: f.disconnects - mark.disconnects,
		Reconnects:  f.reconnects - mark.reconnects,
		PerSecond:   make([]time.Duration, n),
	}
	for _, s := range spans {
		lo, hi := later(s.from, from), earlier(s.to, to)
		if !hi.After(lo) {
			continue
		}
		out.Disconnected += hi.Sub(lo)
		for sec := int(lo.Sub(from) / time.Second); sec < n; sec++ {
			a := from.Add(time.Duration(sec) * time.Second)
			b := a.Add(time.Second)
			if !b.After(lo) {
				continue
			}
			if !hi.After(a) {
				break
			}
			out.PerSecond[sec] += earlier(b, hi).Sub(later(a, lo))
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
