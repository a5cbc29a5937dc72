package natstest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/stationbench/stationbench/internal/embedded"
)

// StartMQTT starts an embedded nats-server with JetStream and an MQTT
// listener, both on free ports, with its store in a test temp directory;
// configure, when given, adjusts the server's options first.
func StartMQTT(t testing.TB, configure ...func(*server.Options)) *embedded.MQTTServer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o := embedded.Options{StoreDir: t.TempDir(), Configure: func(opts *server.Options) {
		for _, c := range configure {
			c(opts)
		}
	}}
	srv, err := embedded.StartMQTTWith(ctx, o)
	if err != nil {
		t.Fatalf("start nats-server with MQTT: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}
