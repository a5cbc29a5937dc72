package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/stationbench/stationbench/internal/distributed"
	"github.com/stationbench/stationbench/protocols"
	"github.com/stationbench/stationbench/scenarios"
)

// stopGrace is how long the launcher waits for its agents after passing
// them Ctrl-C (they write their partial results and clean up) before it
// kills them.
const stopGrace = 20 * time.Second

// launchAgents runs a scenario as N agent processes of this binary on this
// machine (run --agents N), with the same protocol as agents on many
// machines: one run id, one control server, --segment i/N each, one shared
// output folder (segment 0 writes the merged result into it, each agent
// its own into agent-<i>/). An embedded target becomes one embedded server
// that every agent uses as its target and control server. Ctrl-C is passed
// to every agent. It returns segment 0's verdict (the merged result's),
// or a failure when another agent failed.
func launchAgents(ctx context.Context, file string, sc scenarios.Scenario, f *agentFlags, args launchArgs, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--agents: this program's path: %w", err)
	}
	url, control := args.url, f.control
	if t := sc.Targets[0]; t.IsEmbedded() {
		srv, err := protocols.Embed(ctx, t)
		if err != nil {
			return fmt.Errorf("--agents: target %q: %w", t.Name, err)
		}
		defer srv.Shutdown()
		url, control = srv.URL(), srv.URL()
		fmt.Fprintf(stderr, "stationbench: --agents %d: one embedded server at %s for every agent (target and control)\n", f.agents, url)
	}
	runID := f.runID
	if runID == "" {
		runID = distributed.NewRunID()
	}
	n := f.agents
	procs := make([]*exec.Cmd, n)
	var outputs sync.WaitGroup
	for i := range n {
		cmd := exec.Command(exe, agentArgs(file, i, n, runID, url, control, f, args)...)
		cmd.Stdin = nil
		ownGroup(cmd) // launch_unix.go: Ctrl-C reaches it once, through stopAll
		if i == 0 {
			cmd.Stdout = stdout // the merged result's summary
		} else {
			cmd.Stdout = io.Discard
		}
		pipe, err := cmd.StderrPipe()
		if err != nil {
			stopAll(procs[:i])
			return fmt.Errorf("--agents: agent %d/%d: %w", i, n, err)
		}
		if err := cmd.Start(); err != nil {
			stopAll(procs[:i])
			return fmt.Errorf("--agents: start agent %d/%d: %w", i, n, err)
		}
		procs[i] = cmd
		fmt.Fprintf(stderr, "stationbench: agent %d/%d: pid %d\n", i, n, cmd.Process.Pid)
		outputs.Add(1)
		go func() {
			defer outputs.Done()
			prefixLines(pipe, stderr, fmt.Sprintf("[agent %d/%d] ", i, n))
		}()
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			stopAll(procs)
		case <-done:
		}
	}()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, cmd := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = cmd.Wait()
		}()
	}
	wg.Wait()
	close(done)
	outputs.Wait()
	return launchVerdict(ctx, errs)
}

// launchArgs are the run flags the launcher passes on to every agent.
type launchArgs struct {
	url, out     string
	quiet, force bool
	minFree      uint64
}

// agentArgs is the command line of agent i of n.
func agentArgs(file string, i, n int, runID, url, control string, f *agentFlags, a launchArgs) []string {
	args := []string{"run", file, "--segment", fmt.Sprintf("%d/%d", i, n), "--run-id", runID, "--out", a.out,
		"--agent-timeout", f.timeout.String(), "--max-clock-offset", f.maxOffset.String(),
		"--min-free-mib", strconv.FormatUint(a.minFree, 10)}
	if url != "" {
		args = append(args, "--url", url)
	}
	if control != "" {
		args = append(args, "--control", control)
	}
	if f.noMerge {
		args = append(args, "--no-merge")
	}
	if a.force {
		args = append(args, "--force")
	}
	if a.quiet || i > 0 { // one progress display: segment 0's
		args = append(args, "-q")
	}
	return args
}

// stopAll passes Ctrl-C to every agent still running and kills those that
// have not ended stopGrace later.
func stopAll(procs []*exec.Cmd) {
	for _, cmd := range procs {
		if cmd != nil && cmd.Process != nil {
			_ = cmd.Process.Signal(os.Interrupt)
		}
	}
	time.AfterFunc(stopGrace, func() {
		for _, cmd := range procs {
			if cmd != nil && cmd.Process != nil {
				_ = cmd.Process.Kill() // os.ErrProcessDone for those that ended
			}
		}
	})
}

// prefixLines copies r to w line by line, each line prefixed.
func prefixLines(r io.Reader, w io.Writer, prefix string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fmt.Fprintf(w, "%s%s\n", prefix, sc.Bytes())
	}
}

// launchVerdict is the launcher's verdict from its agents' exits: segment
// 0's (the merged result's), unless another agent failed while segment 0
// passed.
func launchVerdict(ctx context.Context, errs []error) error {
	code := func(err error) int {
		var ee *exec.ExitError
		switch {
		case err == nil:
			return exitOK
		case errors.As(err, &ee) && ee.ExitCode() >= 0:
			return ee.ExitCode()
		}
		return exitFailed // killed by a signal, or not waited for
	}
	lead := code(errs[0])
	switch lead {
	case exitOK:
		for i, err := range errs[1:] {
			if c := code(err); c != exitOK {
				return failedError{fmt.Errorf("agent %d/%d exited with code %d", i+1, len(errs), c)}
			}
		}
		return nil
	case exitThreshold:
		return gateError{errors.New("the merged result failed its thresholds (agent 0 said why)")}
	case exitUsage:
		return usageError{errors.New("agent 0 refused its command line (it said why)")}
	}
	if ctx.Err() != nil {
		return failedError{errors.New("interrupted: every agent was stopped")}
	}
	return failedError{fmt.Errorf("agent 0/%d exited with code %d (it said why)", len(errs), lead)}
}
