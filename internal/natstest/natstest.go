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
	return start(t, embedded.Options{StoreDir: t.TempDir()}, configure)
}

// StartWebSocket is Start with a WebSocket listener (no TLS) on 127.0.0.1
// as well: its ws:// URL is the server's WebSocketURL.
func StartWebSocket(t testing.TB, configure ...func(*server.Options)) *embedded.Server {
	t.Helper()
	return start(t, embedded.Options{StoreDir: t.TempDir(), WebSocket: true}, configure)
}

func start(t testing.TB, o embedded.Options, configure []func(*server.Options)) *embedded.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
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
