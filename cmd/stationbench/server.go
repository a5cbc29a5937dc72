package main

import (
	"context"
	"fmt"
	"io"

	"github.com/stationbench/stationbench/internal/embedded"
)

func serverCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("server", "server [--port N] [--store DIR]", serverExamples, stdout, stderr)
	port := fs.Int("port", 4222, "client port to listen on (0 picks a free one)")
	host := fs.String("host", "127.0.0.1", "address to listen on")
	store := fs.String("store", "", "JetStream storage directory (default: a temporary directory, removed on exit)")
	logs := fs.Bool("logs", false, "print the server's log")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("server: unexpected argument %q", fs.Arg(0))
	}
	srv, err := embedded.Start(ctx, embedded.Options{Host: *host, Port: *port, StoreDir: *store, Logs: *logs})
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	fmt.Fprintf(stdout, "nats-server %s with JetStream listening on %s (Ctrl-C to stop)\n", srv.Version(), srv.URL())
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	return nil
}
