package workers

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/redact"
	"github.com/stationbench/stationbench/scenarios"
)

// Connect opens a NATS connection with a target's settings; name is the
// connection's name, as the server shows it.
func Connect(ctx context.Context, c Config, name string) (*nats.Conn, error) {
	return ConnectProducer(ctx, c, name, nil)
}

// ConnectProducer opens a producer's own connection; onReconnect, when set,
// is told each time the connection comes back.
func ConnectProducer(ctx context.Context, c Config, name string, onReconnect func()) (*nats.Conn, error) {
	t := c.Target
	opts := []nats.Option{
		nats.Name(name),
		nats.Timeout(t.Timeout()),
		nats.MaxReconnects(t.MaxReconnect),
		nats.ReconnectWait(t.ReconnectInterval()),
		// The harness reports errors itself; nats.go's default handler
		// would print to stderr.
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
	}
	if !t.ReconnectEnabled() {
		opts = append(opts, nats.NoReconnect())
	}
	opts = append(opts, natsFaultOptions(c.Faults, t.Name, onReconnect)...)
	auth, err := authOptions(t)
	if err != nil {
		return nil, err
	}
	opts = append(opts, auth...)
	type result struct {
		nc  *nats.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		nc, err := nats.Connect(c.URL, opts...)
		done <- result{nc, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("target %q (%s): connect: %w", t.Name, redact.URL(c.URL), r.err)
		}
		return r.nc, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.nc != nil {
				r.nc.Close()
			}
		}()
		return nil, fmt.Errorf("target %q (%s): connect: %w", t.Name, redact.URL(c.URL), ctx.Err())
	}
}

// JetStreamOn is the JetStream API on a control connection; it closes nc
// when that fails.
func JetStreamOn(nc *nats.Conn, t scenarios.Target) (jetstream.JetStream, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("target %q: %w", t.Name, err)
	}
	return js, nil
}

// StationSubjects is the subject space of a station: its own subject when
// the scenario names one.
func StationSubjects(st scenarios.Station) string {
	if st.Subject != "" {
		return st.Subject
	}
	return st.Name + ".>"
}

// producerSubject is where one producer publishes.
func producerSubject(st scenarios.Station, p ProducerSpec) string {
	if st.Subject != "" {
		return st.Subject
	}
	return st.Name + "." + p.Name
}
