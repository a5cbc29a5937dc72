package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/stationbench/stationbench/internal/metrics"
	"github.com/stationbench/stationbench/internal/runner"
)

// startMetrics serves live Prometheus metrics on addr for the length of a
// run; with no addr it does nothing. stop closes the server.
func startMetrics(addr string, stderr io.Writer) (live runner.Live, stop func(), err error) {
	if addr == "" {
		return nil, func() {}, nil
	}
	c := metrics.NewCollector()
	srv, err := metrics.Serve(addr, c)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("--metrics-addr: %w", err)}
	}
	fmt.Fprintf(stderr, "metrics: http://%s/metrics\n", srv.Addr())
	return c, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
		}
	}, nil
}
