// Package natstest starts real nats-servers for tests: the embedded server
// with JetStream, stopped by t.Cleanup.
package natstest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/stationbench/stationbench/internal/embedded"
)

// Start starts an embedded nats-server with JetStream on a free port, with
// its store in a test temp directory. configure, when given, adjusts the
// server's options first.
func Start(t testing.TB, configure ...func(*server.Options)) *embedded.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o := embedded.Options{StoreDir: t.TempDir()}
	if len(configure) > 0 {
		o.Configure = func(opts *server.Options) {
			for _, c := range configure {
				c(opts)
			}
		}
	}
	srv, err := embedded.Start(ctx, o)
	if err != nil {
		t.Fatalf("start nats-server: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}
