package scenarios

import (
	"net/url"
	"strings"
)

// EmbeddedWS is the URL value that selects the in-process nats-server, as
// Embedded does, reached over its WebSocket listener on 127.0.0.1 instead
// of its TCP port.
const EmbeddedWS = Embedded + "+ws"

// Transports: how a target's client reaches its broker, as results and
// reports name it.
const (
	TransportTCP          = "tcp"           // nats://, plain TCP
	TransportTLS          = "tls"           // tls://, or nats:// with TLS files
	TransportWebSocket    = "websocket"     // ws://, or embedded+ws
	TransportWebSocketTLS = "websocket+tls" // wss://, or ws:// with TLS files
	TransportHTTP         = "http"          // http:// (memphis-http)
	TransportHTTPS        = "https"         // https:// (memphis-http)
)

// Transport names how the target's client reaches its broker, from what
// the scenario asks: the scheme of its url (the first, for a list; the
// client refuses to mix WebSocket and other URLs) and its TLS files. A
// server that requires TLS of a nats:// client gets it even so; the
// result records the transport asked for.
func (t Target) Transport() string {
	switch {
	case t.URL == EmbeddedWS:
		return TransportWebSocket
	case t.IsEmbedded():
		return TransportTCP
	}
	tlsFiles := t.CAFile != "" || t.CertFile != ""
	first, _, _ := strings.Cut(t.URL, ",")
	u, err := url.Parse(strings.TrimSpace(first))
	if err != nil {
		return TransportTCP
	}
	switch strings.ToLower(u.Scheme) {
	case "ws":
		if tlsFiles {
			return TransportWebSocketTLS
		}
		return TransportWebSocket
	case "wss":
		return TransportWebSocketTLS
	case "tls":
		return TransportTLS
	case "http":
		return TransportHTTP
	case "https":
		return TransportHTTPS
	}
	if tlsFiles {
		return TransportTLS
	}
	return TransportTCP
}

// isWebSocketScheme reports whether a URL scheme is WebSocket's.
func isWebSocketScheme(scheme string) bool { return scheme == "ws" || scheme == "wss" }

// embeddedSpelling reports whether v is meant as the embedded server but
// is not one of its spellings (Embedded, EmbeddedWS): "embedded+wss",
// "Embedded", "embedded-ws".
func embeddedSpelling(v string) bool {
	lv := strings.ToLower(strings.TrimSpace(v))
	return strings.HasPrefix(lv, "embed") && v != Embedded && v != EmbeddedWS
}
