package embedded

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/scenarios"
)

// TestStartNATSByTransport: a target at "embedded" gets the nats:// URL, one
// at "embedded+ws" the ws:// URL of a WebSocket listener on 127.0.0.1, and
// a JetStream publish over it is acknowledged.
func TestStartNATSByTransport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ url, scheme string }{
		{scenarios.Embedded, "nats://127.0.0.1:"},
		{scenarios.EmbeddedWS, "ws://127.0.0.1:"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			b, err := StartNATS(ctx, scenarios.Target{Name: "t", Kind: scenarios.KindJetStream, URL: tc.url})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Shutdown()
			if !strings.HasPrefix(b.URL(), tc.scheme) {
				t.Fatalf("URL %q, want %s...", b.URL(), tc.scheme)
			}
			nc, err := nats.Connect(b.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			js, err := jetstream.New(nc)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ws", Subjects: []string{"ws.>"}, Storage: jetstream.MemoryStorage}); err != nil {
				t.Fatal(err)
			}
			ack, err := js.Publish(ctx, "ws.one", []byte("hello"))
			if err != nil || ack.Sequence != 1 {
				t.Fatalf("publish over %s: ack %+v, %v", b.URL(), ack, err)
			}
		})
	}
}

// TestWebSocketPort: a server started with a WebSocket listener on a
// given port listens there, and one without reports none.
func TestWebSocketPort(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Start(ctx, Options{WebSocket: true})
	if err != nil {
		t.Fatal(err)
	}
	port := s.WebSocketPort()
	s.Shutdown()
	if port <= 0 {
		t.Fatalf("WebSocketPort = %d with a listener", port)
	}
	s, err = Start(ctx, Options{WebSocket: true, WebSocketPort: port})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	if got := s.WebSocketPort(); got != port {
		t.Errorf("WebSocketPort = %d, want %d", got, port)
	}
	plain, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Shutdown()
	if plain.WebSocketURL() != "" || plain.WebSocketPort() != 0 {
		t.Errorf("no listener, yet URL %q port %d", plain.WebSocketURL(), plain.WebSocketPort())
	}
}
