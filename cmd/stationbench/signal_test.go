package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// binary is the stationbench that buildBinary builds, once for all the
// package's tests; TestMain removes its folder.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain runs the tests, then removes the binary they shared.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// buildBinary returns the path of stationbench built from this package,
// building it on the first call.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "stationbench-test-"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "stationbench")
		if out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// process is a running stationbench with its output captured.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	done           chan struct{} // closed when the process has exited
	err            error         // what Wait returned; read after done
}

// lockedBuffer is a bytes.Buffer the process's output goroutines write
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs the binary with args; the test kills it if it is still
// running at the end.
func start(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	return startWith(t, nil, bin, args...)
}

// startWith is start with the environment env (nil: the test's own).
func startWith(t *testing.T, env []string, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits up to limit for the process to exit and returns its error.
func (p *process) wait(t *testing.T, limit time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(limit):
		t.Fatalf("still running after %s\nstderr:\n%s", limit, p.stderr.String())
		return nil
	}
}

// streamHasMessages polls (up to limit) until the stream holds more than n
// messages, which shows that load is flowing.
func streamHasMessages(t *testing.T, url, stream string, n uint64, limit time.Duration) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s, err := js.Stream(ctx, stream)
		if err == nil {
			var info *jetstream.StreamInfo
			if info, err = s.Info(ctx); err == nil && info.State.Msgs > n {
				cancel()
				return
			}
		}
		cancel()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("stream %q got no messages in %s", stream, limit)
}

func writeScenario(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func exitCodeOf(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestInterruptWritesPartialResult(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: interrupt
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: interrupted, storage: memory, cleanup: delete}
producers: {counts: [2, 4]}
load: {duration: 60s, warmup: 0s}
`, srv.URL()))
	out := filepath.Join(t.TempDir(), "out")
	p := start(t, bin, "run", file, "--out", out)
	streamHasMessages(t, srv.URL(), "interrupted", 10000, 30*time.Second)

	sent := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := p.wait(t, 20*time.Second)
	took := time.Since(sent)
	t.Logf("exited %s after SIGINT", took.Round(time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("took %s to stop after SIGINT, want about 2s", took)
	}
	if code := exitCodeOf(err); code != exitFailed {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", code, exitFailed, p.stderr.String())
	}
	res, rerr := result.ReadJSON(filepath.Join(out, report.FileResult))
	if rerr != nil {
		t.Fatalf("result.json: %v", rerr)
	}
	if res.Status != result.StatusInterrupted {
		t.Errorf("status %s, want interrupted", res.Status)
	}
	if len(res.Runs) != 1 || res.Runs[0].Status != result.StatusInterrupted || res.Runs[0].Sent == 0 {
		t.Errorf("runs %+v: want the one interrupted step with what it measured", res.Runs)
	}
	if _, err := os.Stat(filepath.Join(out, report.FileSummary)); err != nil {
		t.Errorf("summary: %v", err)
	}
	// The station the run created is deleted, as cleanup says.
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.Stream(context.Background(), "interrupted"); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("stream after the interrupted run: %v, want it deleted", err)
	}
}

// startBroker runs `stationbench server` as a process of its own, so the
// test can freeze it (SIGSTOP), and returns its URL.
func startBroker(t *testing.T, bin string) (string, *os.Process) {
	t.Helper()
	cmd := exec.Command(bin, "server", "--port", "0", "--store", t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	_, url, ok := strings.Cut(line, "listening on ")
	if !ok {
		t.Fatalf("server said %q", line)
	}
	url, _, _ = strings.Cut(url, " ")
	return url, cmd.Process
}

func TestSecondInterruptExitsAtOnce(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	url, broker := startBroker(t, bin)
	// A long drain: once the broker is frozen, the first Ctrl-C waits for
	// acks that do not come.
	file := writeScenario(t, fmt.Sprintf(`
name: twice
targets: [{name: stalled, kind: jetstream, url: %q, timeoutMs: 60000}]
station: {name: twice, storage: memory}
producers: {counts: [1]}
load: {duration: 60s, warmup: 100ms, drain: 60s}
`, url))
	p := start(t, bin, "run", file, "--out", filepath.Join(t.TempDir(), "out"), "-q")
	streamHasMessages(t, url, "twice", 100, 30*time.Second)
	if err := broker.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}

	first := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// Ctrl-C again until it takes: the first one must have been seen.
	var exitErr error
	for exited := false; !exited; {
		select {
		case <-p.done:
			exitErr, exited = p.err, true
		case <-time.After(200 * time.Millisecond):
			if time.Since(first) > 10*time.Second {
				t.Fatal("still running 10s after the second Ctrl-C")
			}
			_ = p.cmd.Process.Signal(os.Interrupt)
		}
	}
	t.Logf("exited %s after the first SIGINT", time.Since(first).Round(time.Millisecond))
	if code := exitCodeOf(exitErr); code != exitSignalled {
		t.Errorf("exit %v, want %d: ended by the second SIGINT (the drain lasts 60s)", exitErr, exitSignalled)
	}
}

func TestRunRefusesUnwritableOutputBeforeLoad(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	srv := natstest.Start(t)
	file := writeScenario(t, fmt.Sprintf(`
name: unwritable
targets: [{name: local, kind: jetstream, url: %q}]
load: {duration: 1s, warmup: 0s}
`, srv.URL()))
	blocker := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p := start(t, bin, "run", file, "--out", filepath.Join(blocker, "out"))
	err := p.wait(t, 20*time.Second)
	if code := exitCodeOf(err); code != exitUsage {
		t.Errorf("exit code %d, want %d", code, exitUsage)
	}
	if !strings.Contains(p.stderr.String(), "output folder") {
		t.Errorf("stderr %q does not name the output folder", p.stderr.String())
	}
	vz, err := srv.Server().Varz(nil)
	if err != nil {
		t.Fatal(err)
	}
	if vz.TotalConnections != 0 {
		t.Errorf("the server saw %d connections: load was sent before the output folder was checked", vz.TotalConnections)
	}
}
