package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// TestTransportURLs: nats, jetstream and memphis targets take ws:// and
// wss:// URLs, "embedded+ws" is the embedded server over WebSocket, and
// Target.Transport names each.
func TestTransportURLs(t *testing.T) {
	for _, tc := range []struct {
		name, target string
		embedded     bool
		want         string
	}{
		{"embedded", "kind: jetstream\n    url: embedded", true, TransportTCP},
		{"default url", "kind: jetstream", true, TransportTCP},
		{"embedded over websocket", "kind: jetstream\n    url: embedded+ws", true, TransportWebSocket},
		{"nats embedded over websocket", "kind: nats\n    url: embedded+ws", true, TransportWebSocket},
		{"nats", "kind: nats\n    url: nats://127.0.0.1:4222", false, TransportTCP},
		{"nats with a CA", "kind: jetstream\n    url: nats://127.0.0.1:4222\n    caFile: ca.pem", false, TransportTLS},
		{"tls", "kind: jetstream\n    url: tls://127.0.0.1:4222", false, TransportTLS},
		{"ws", "kind: jetstream\n    url: ws://127.0.0.1:8080", false, TransportWebSocket},
		{"ws list", "kind: jetstream\n    url: ws://127.0.0.1:8080,ws://127.0.0.1:8081", false, TransportWebSocket},
		{"wss", "kind: nats\n    url: wss://broker.example:443", false, TransportWebSocketTLS},
		{"ws with a CA", "kind: nats\n    url: ws://broker.example:443\n    caFile: ca.pem", false, TransportWebSocketTLS},
		{"memphis over ws", "kind: memphis\n    url: ws://127.0.0.1:7777\n    password: p", false, TransportWebSocket},
		{"memphis host and port", "kind: memphis\n    host: broker\n    password: p", false, TransportTCP},
		{"memphis-http", "kind: memphis-http\n    url: https://gw:4444\n    password: p", false, TransportHTTPS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "name: x\ntargets:\n  - " + tc.target + "\n"
			s, err := Parse("x.yaml", []byte(doc), nil)
			if err != nil {
				t.Fatal(err)
			}
			tg := s.Targets[0]
			if tg.IsEmbedded() != tc.embedded {
				t.Errorf("IsEmbedded = %v, want %v", tg.IsEmbedded(), tc.embedded)
			}
			if got := tg.Transport(); got != tc.want {
				t.Errorf("Transport = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTransportURLsInvalid: a misspelt embedded server, a WebSocket URL
// mixed with others and a memphis target on the embedded server are
// refused with the file, line and field.
func TestTransportURLsInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, target string
		msg          string
	}{
		{"embedded+wss", "kind: jetstream\n    url: embedded+wss", `"embedded+wss": the embedded server is spelled "embedded" (over TCP) or "embedded+ws" (over WebSocket)`},
		{"embedded+websocket", "kind: nats\n    url: embedded+websocket", `spelled "embedded" (over TCP) or "embedded+ws"`},
		{"Embedded", "kind: jetstream\n    url: Embedded+WS", `spelled "embedded" (over TCP)`},
		{"mqtt scheme", "kind: jetstream\n    url: mqtt://127.0.0.1:1883", `want "embedded", "embedded+ws" or a nats://, tls://, ws:// or wss:// URL`},
		{"mixed", "kind: jetstream\n    url: ws://127.0.0.1:8080,nats://127.0.0.1:4222", "mixes ws:// or wss:// URLs with others"},
		{"memphis embedded+ws", "kind: memphis\n    url: embedded+ws\n    password: p", "needs a broker"},
		{"memphis misspelt", "kind: memphis\n    url: embeded\n    password: p", `spelled "embedded"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "name: x\ntargets:\n  - " + tc.target + "\n"
			_, err := Parse("x.yaml", []byte(doc), nil)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("err = %v, want Errors", err)
			}
			if len(es) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(es), err)
			}
			e := es[0]
			if e.File != "x.yaml" || e.Line != 4 || e.Key != "targets[0].url" || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %q (line %d, key %q), want x.yaml line 4, targets[0].url, containing %q", e.Error(), e.Line, e.Key, tc.msg)
			}
		})
	}
}

// TestTransportURLOverride: --url embedded+ws selects the embedded server
// over WebSocket; a misspelling names the flag.
func TestTransportURLOverride(t *testing.T) {
	s, err := parse("x.yaml", []byte("name: x\ntargets:\n  - kind: jetstream\n    url: nats://127.0.0.1:4222\n"), nil, Overrides{URL: EmbeddedWS})
	if err != nil {
		t.Fatal(err)
	}
	if tg := s.Targets[0]; !tg.IsEmbedded() || tg.Transport() != TransportWebSocket {
		t.Errorf("target %+v: want the embedded server over websocket", tg)
	}
	_, err = parse("x.yaml", []byte("name: x\n"), nil, Overrides{URL: "embedded-ws"})
	if err == nil || !strings.Contains(err.Error(), "--url") || !strings.Contains(err.Error(), `"embedded+ws"`) {
		t.Errorf("err = %v, want the flag and the spellings named", err)
	}
}
