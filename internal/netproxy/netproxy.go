// Package netproxy is a TCP proxy for tests that adds a known one-way
// delay to every byte in both directions, without limiting throughput
// (chunks are pipelined, each released at its arrival time plus the
// delay), and can stall all traffic for a while, as a paused broker would.
package netproxy

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards connections from its listener to an upstream address.
type Proxy struct {
	ln       net.Listener
	upstream string
	delay    time.Duration
	stallTo  atomic.Int64 // unix nanoseconds until which nothing is released
	mu       sync.Mutex
	conns    []net.Conn
	wg       sync.WaitGroup
}

// Start listens on 127.0.0.1 and forwards to upstream (host:port) with the
// given one-way delay.
func Start(upstream string, delay time.Duration) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("netproxy: %w", err)
	}
	p := &Proxy{ln: ln, upstream: upstream, delay: delay}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is the proxy's address as a nats:// URL.
func (p *Proxy) URL() string { return "nats://" + p.Addr() }

// Stall holds all traffic, both ways, for d from now.
func (p *Proxy) Stall(d time.Duration) { p.stallTo.Store(time.Now().Add(d).UnixNano()) }

// Close stops the proxy and every connection through it.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.upstream)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(server, client)
		go p.pipe(client, server)
	}
}

type chunk struct {
	data []byte
	at   time.Time
}

// pipe copies src to dst, releasing each chunk read at its arrival time
// plus the delay (or when a stall ends, if later).
func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	queue := make(chan chunk, 4096)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				queue <- chunk{buf[:n], time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	defer dst.Close()
	for c := range queue {
		due := c.at.Add(p.delay)
		if stall := time.Unix(0, p.stallTo.Load()); stall.After(due) {
			due = stall
		}
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		if _, err := dst.Write(c.data); err != nil {
			src.Close()
			for range queue { // let the reader finish
			}
			return
		}
	}
}
