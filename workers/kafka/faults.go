package kafka

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stationbench/stationbench/workers"
)

// connHooks report one client's broker connections to the target's
// workers.Faults. franz-go redials a broker by itself for as long as the
// client lives, and closes idle connections as a matter of course, so a
// connection counts as down from a failed read, write or dial (not from a
// plain disconnect) until a dial succeeds again. The target's reconnect
// settings decide when the harness gives up: after maxReconnect failed
// dials in a row to one broker (none with reconnect: false), the
// connection is lost for good and the target fails.
type connHooks struct {
	faults *workers.Faults
	target string
	client string // the client id
	// maxFails is the failed dials in a row allowed; -1: no limit.
	maxFails int
	up       func() // told when a connection comes back; may be nil
	closed   atomic.Bool

	mu    sync.Mutex
	conns map[string]*brokerConn // by the broker's host:port
}

// brokerConn is one broker's connections of one client, as
// workers.Faults knows it: all of them, the seed connection included,
// since franz-go may redial the broker on any one.
type brokerConn struct {
	hooks *connHooks
	name  string
	down  bool
	fails int
	lost  bool
}

// IsClosed reports whether the harness closed the client.
func (c *brokerConn) IsClosed() bool { return c.hooks.closed.Load() }

func newConnHooks(c workers.Config, client string, up func()) *connHooks {
	t := c.Target
	maxFails := t.MaxReconnect
	if !t.ReconnectEnabled() {
		maxFails = 0
	}
	return &connHooks{faults: c.Faults, target: t.Name, client: client, maxFails: maxFails, up: up, conns: map[string]*brokerConn{}}
}

// closing marks the client closed by the harness; call before Close.
func (h *connHooks) closing() { h.closed.Store(true) }

// conn is the record of the broker meta names; the caller holds mu.
func (h *connHooks) conn(meta kgo.BrokerMetadata) *brokerConn {
	addr := net.JoinHostPort(meta.Host, strconv.Itoa(int(meta.Port)))
	c := h.conns[addr]
	if c == nil {
		c = &brokerConn{hooks: h, name: h.client + " to " + addr}
		h.conns[addr] = c
	}
	return c
}

// failed records a failed read, write or dial.
func (h *connHooks) failed(meta kgo.BrokerMetadata, dial bool, err error) {
	if h.closed.Load() || errors.Is(err, kgo.ErrClientClosed) {
		return
	}
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.conn(meta)
	if !c.down {
		c.down = true
		h.faults.ConnDown(c, now)
	}
	if !dial {
		return
	}
	c.fails++
	if h.maxFails >= 0 && c.fails > h.maxFails && !c.lost {
		c.lost = true
		why := "maxReconnect exhausted"
		if h.maxFails == 0 {
			why = "reconnect is off"
		}
		h.faults.ConnLost(c, now, workers.Loss{Target: h.target, Conn: c.name, Why: why, Err: err})
	}
}

// OnBrokerConnect implements kgo.HookBrokerConnect.
func (h *connHooks) OnBrokerConnect(meta kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	if err != nil {
		h.failed(meta, true, err)
		return
	}
	h.mu.Lock()
	c := h.conn(meta)
	back := c.down && !c.lost
	c.down, c.fails = false, 0
	if back {
		h.faults.ConnUp(c, time.Now())
	}
	h.mu.Unlock()
	if back && h.up != nil {
		h.up()
	}
}

// OnBrokerWrite implements kgo.HookBrokerWrite.
func (h *connHooks) OnBrokerWrite(meta kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	if err != nil {
		h.failed(meta, false, err)
	}
}

// OnBrokerRead implements kgo.HookBrokerRead.
func (h *connHooks) OnBrokerRead(meta kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	if err != nil {
		h.failed(meta, false, err)
	}
}

var (
	_ kgo.HookBrokerConnect = (*connHooks)(nil)
	_ kgo.HookBrokerWrite   = (*connHooks)(nil)
	_ kgo.HookBrokerRead    = (*connHooks)(nil)
)
