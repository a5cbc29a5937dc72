package workers

import (
	"sync/atomic"
	"time"
)

// gate lets the runner stop a receiver goroutine it does not own (a nats.go
// subscription callback) and then read what that goroutine recorded, without
// a lock on the receive path: a receiver enters before recording and exits
// after; close waits until no receiver is inside, and later receivers are
// turned away.
type gate struct {
	closed atomic.Bool
	busy   atomic.Int32
}

func (g *gate) enter() bool {
	g.busy.Add(1)
	if g.closed.Load() {
		g.busy.Add(-1)
		return false
	}
	return true
}

func (g *gate) exit() { g.busy.Add(-1) }

// close turns later receivers away and waits for the ones inside.
func (g *gate) close() {
	g.closed.Store(true)
	for g.busy.Load() != 0 {
		time.Sleep(50 * time.Microsecond)
	}
}
