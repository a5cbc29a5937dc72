package workers

import (
	"time"

	"github.com/nats-io/nats.go"
)

// natsFaultOptions are the nats.go handlers that report a NATS
// connection's events to f (see Faults). NoCallbacksAfterClientClose makes
// the closed handler fire only for connections the harness did not close
// itself. onReconnect, when set, is told each time the connection comes
// back, whether or not f is set.
func natsFaultOptions(f *Faults, target string, onReconnect func()) []nats.Option {
	if onReconnect == nil {
		onReconnect = func() {}
	}
	if f == nil {
		return []nats.Option{nats.ReconnectHandler(func(*nats.Conn) { onReconnect() })}
	}
	return []nats.Option{
		nats.NoCallbacksAfterClientClose(),
		nats.DisconnectErrHandler(func(nc *nats.Conn, _ error) { f.ConnDown(nc, time.Now()) }),
		nats.ReconnectHandler(func(nc *nats.Conn) { f.ConnUp(nc, time.Now()); onReconnect() }),
		nats.ClosedHandler(func(nc *nats.Conn) { f.ConnLost(nc, time.Now(), natsLoss(target, nc)) }),
	}
}

// natsLoss says why the client closed nc on its own: its reconnects ran
// out, or were off.
func natsLoss(target string, nc *nats.Conn) Loss {
	err := nc.LastError()
	if err == nil {
		err = nats.ErrConnectionClosed
	}
	why := "maxReconnect exhausted"
	if !nc.Opts.AllowReconnect {
		why = "reconnect is off"
	}
	return Loss{Target: target, Conn: nc.Opts.Name, Why: why, Err: err}
}
