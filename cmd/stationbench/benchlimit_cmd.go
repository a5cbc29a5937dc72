package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/stationbench/stationbench/internal/benchlimit"
	"github.com/stationbench/stationbench/internal/redact"
)

func benchLimitCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench-limit", "bench-limit [flags]", benchLimitExamples, stdout, stderr)
	url := fs.String("url", "", "server to use (default: start `stationbench server` as a separate process, so client CPU is measured alone)")
	o := benchlimit.Options{}
	fs.DurationVar(&o.Duration, "duration", 3*time.Second, "time each measurement publishes")
	fs.IntVar(&o.Size, "size", 128, "payload bytes")
	fs.IntVar(&o.Rounds, "rounds", 3, "alternating measurements per side (the median is reported)")
	fs.IntVar(&o.Window, "window", 256, "JetStream async: unacknowledged messages allowed")
	if err := fs.parse(args); err != nil {
		return err
	}
	if o.Duration <= 0 || o.Size < 16 || o.Rounds < 1 || o.Window < 1 {
		return usagef("bench-limit: want --duration > 0, --size >= 16, --rounds >= 1, --window >= 1")
	}
	o.URL = *url
	if o.URL == "" {
		u, stop, err := startServerProcess(ctx)
		if err != nil {
			return err
		}
		defer stop()
		o.URL = u
	}
	fmt.Fprintf(stdout, "bench-limit: harness against a bare nats.go loop, %d B, %s x %d rounds each, server %s\n",
		o.Size, o.Duration, o.Rounds, redact.URL(o.URL))
	_, err := benchlimit.Run(ctx, o, stdout)
	return err
}

// startServerProcess runs `stationbench server` on a free port as a child
// process and waits until it accepts connections.
func startServerProcess(ctx context.Context) (url string, stop func(), err error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("bench-limit: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("bench-limit: free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	store, err := os.MkdirTemp("", "stationbench-limit-")
	if err != nil {
		return "", nil, fmt.Errorf("bench-limit: %w", err)
	}
	cmd := exec.Command(exe, "server", "--port", strconv.Itoa(port), "--store", store)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(store)
		return "", nil, fmt.Errorf("bench-limit: start server: %w", err)
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(store)
	}
	url = fmt.Sprintf("nats://127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		nc, err := nats.Connect(url)
		if err == nil {
			nc.Close()
			return url, stop, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return "", nil, fmt.Errorf("bench-limit: server did not start: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
