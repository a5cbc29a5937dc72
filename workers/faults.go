package workers

import (
	"fmt"
	"sync"
	"time"
)

// Faults records what happens to one target's connections while a run
// uses them: disconnects, reconnects, the time during which at least one
// connection was down, and the first connection lost for good (closed by
// the client library after its reconnects ran out, not by the harness).
//
// It knows no protocol: a driver reports its connections' events through
// ConnDown, ConnUp and ConnLost (the NATS kinds wire nats.go's handlers to
// them in faults_nats.go). It is safe for concurrent use; client libraries
// call it from their own goroutines. A nil *Faults records nothing.
type Faults struct {
	mu          sync.Mutex
	down        map[Conn]bool // connections now disconnected
	downSince   time.Time     // start of the current outage (len(down) > 0)
	spans       []outage      // finished outages
	disconnects int64
	reconnects  int64
	lost        chan struct{} // closed when a connection is lost for good
	lostErr     error
}

// Conn is one connection whose events a driver reports, as the driver
// knows it: any comparable value (a pointer) that says whether it is
// closed. A connection the harness closed while it was down stops counting
// as down; one lost for good counts as down to the end.
type Conn interface {
	IsClosed() bool
}

// Loss says which connection was lost for good, and why.
type Loss struct {
	Target string // the target's name
	Conn   string // the connection's name
	Why    string // why the client gave up, such as "maxReconnect exhausted"
	Err    error  // the connection's last error
}

// outage is a period during which at least one connection was down.
type outage struct{ from, to time.Time }

// NewFaults makes an empty record.
func NewFaults() *Faults {
	return &Faults{down: map[Conn]bool{}, lost: make(chan struct{})}
}

// ConnDown records that c lost its connection at at; its client may still
// reconnect.
func (f *Faults) ConnDown(c Conn, at time.Time) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.disconnects++
	if f.down[c] {
		return
	}
	if len(f.down) == 0 {
		f.downSince = at
	}
	f.down[c] = true
}

// ConnUp records that c reconnected at at.
func (f *Faults) ConnUp(c Conn, at time.Time) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reconnects++
	f.up(c, at)
}

// up marks c connected again; the caller holds mu.
func (f *Faults) up(c Conn, now time.Time) {
	if !f.down[c] {
		return
	}
	delete(f.down, c)
	if len(f.down) == 0 {
		f.spans = append(f.spans, outage{f.downSince, now})
	}
}

// ConnLost records c closed for good at at by its client, not by the
// harness: the broker was unreachable from the start of the connection's
// outage (at, if it was not down) and the client gave up. The first loss
// makes Lost ready.
func (f *Faults) ConnLost(c Conn, at time.Time, l Loss) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	from := at
	if f.down[c] {
		from = f.downSince
	}
	if f.lostErr == nil {
		f.lostErr = fmt.Errorf("target %q: the broker was unreachable from %s (%s): connection %s lost: %w",
			l.Target, formatWhen(from), l.Why, l.Conn, l.Err)
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
	for c := range f.down {
		if !c.IsClosed() || f.lostErr != nil {
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
	for c := range f.down {
		if c.IsClosed() && f.lostErr == nil {
			f.up(c, now)
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
