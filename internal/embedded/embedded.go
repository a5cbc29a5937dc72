// Package embedded runs an in-process nats-server with JetStream: the default
// target when a scenario names no broker, the `stationbench server` command,
// and the real server the tests run against.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/stationbench/stationbench/scenarios"
)

// Broker is an in-process broker started for a target whose url is
// "embedded": the NATS server here, or another protocol's own.
type Broker interface {
	// URL is what the target's driver connects to.
	URL() string
	// Version is the broker's version, as the result records it.
	Version() string
	// Shutdown stops the broker and removes what it stored.
	Shutdown()
}

// StartNATS starts the embedded NATS server with JetStream for a target of
// a NATS-protocol kind (its signature is that of protocols.Protocol.Embed).
// For a target over WebSocket (url "embedded+ws") the server opens a
// WebSocket listener on 127.0.0.1 as well, and the broker's URL is that
// listener's ws:// URL; otherwise it is the nats:// client URL.
func StartNATS(ctx context.Context, t scenarios.Target) (Broker, error) {
	if t.Transport() != scenarios.TransportWebSocket {
		return Start(ctx, Options{})
	}
	s, err := Start(ctx, Options{WebSocket: true})
	if err != nil {
		return nil, err
	}
	return webSocketBroker{s}, nil
}

// webSocketBroker is the embedded server reached over its WebSocket
// listener.
type webSocketBroker struct{ *Server }

// URL is the ws:// URL of the server's WebSocket listener.
func (b webSocketBroker) URL() string { return b.WebSocketURL() }

// Options configure an embedded server.
type Options struct {
	// Host to listen on; default 127.0.0.1.
	Host string
	// Port to listen on; 0 picks a free port.
	Port int
	// StoreDir holds JetStream's file storage; empty makes a temporary
	// directory that Shutdown removes.
	StoreDir string
	// WebSocket opens a WebSocket listener (no TLS) on Host as well, on
	// WebSocketPort (0: a free port).
	WebSocket     bool
	WebSocketPort int
	// Logs sends the server's own log lines to stderr.
	Logs bool
	// Configure, when set, may adjust the server options before start (tests
	// use it to add TLS or authentication).
	Configure func(*server.Options)
}

// Server is a running in-process nats-server.
type Server struct {
	ns      *server.Server
	tempDir string
	// webSocket: the server has a WebSocket listener.
	webSocket bool
}

// Start starts a server and waits until it accepts connections.
func Start(ctx context.Context, o Options) (*Server, error) {
	s := &Server{webSocket: o.WebSocket}
	store := o.StoreDir
	if store == "" {
		dir, err := os.MkdirTemp("", "stationbench-js-")
		if err != nil {
			return nil, fmt.Errorf("embedded server: store directory: %w", err)
		}
		s.tempDir, store = dir, dir
	}
	host := o.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port := o.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	opts := &server.Options{
		ServerName: "stationbench-embedded",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   store,
		NoSigs:     true,
		NoLog:      !o.Logs,
		// Benchmarks push hard; the defaults would flag a busy client as slow.
		MaxPending: 256 << 20,
	}
	if o.WebSocket {
		wsPort := o.WebSocketPort
		if wsPort == 0 {
			wsPort = server.RANDOM_PORT
		}
		opts.Websocket = server.WebsocketOpts{Host: host, Port: wsPort, NoTLS: true}
	}
	if o.Configure != nil {
		o.Configure(opts)
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	if o.Logs {
		ns.ConfigureLogger()
	}
	s.ns = ns
	go ns.Start()
	deadline := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		deadline = time.Until(d)
	}
	if !ns.ReadyForConnections(deadline) {
		s.Shutdown()
		return nil, errors.New("embedded server: not ready for connections in time")
	}
	if !ns.JetStreamEnabled() {
		s.Shutdown()
		return nil, errors.New("embedded server: JetStream did not start")
	}
	return s, nil
}

// URL is the client URL of the server.
func (s *Server) URL() string { return s.ns.ClientURL() }

// Port is the client port the server listens on.
func (s *Server) Port() int {
	if a, ok := s.ns.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// WebSocketURL is the ws:// URL of the server's WebSocket listener; empty
// when it has none (Options.WebSocket).
func (s *Server) WebSocketURL() string {
	if !s.webSocket {
		return ""
	}
	return s.ns.WebsocketURL()
}

// WebSocketPort is the port of the server's WebSocket listener; 0 when it
// has none.
func (s *Server) WebSocketPort() int {
	u, err := url.Parse(s.WebSocketURL())
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(u.Port())
	return p
}

// Version is the nats-server version.
func (s *Server) Version() string { return server.VERSION }

// Server exposes the underlying nats-server (tests stop and restart it).
func (s *Server) Server() *server.Server { return s.ns }

// Shutdown stops the server and removes a temporary store.
func (s *Server) Shutdown() {
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
	}
	s.removeTemp()
}

func (s *Server) removeTemp() {
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
		s.tempDir = ""
	}
}
