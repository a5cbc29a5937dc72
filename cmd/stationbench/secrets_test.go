package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// checkNoSecret fails the test if any file under dir, or stdout or stderr,
// holds one of secrets.
func checkNoSecret(t *testing.T, p *process, dir string, secrets ...string) {
	t.Helper()
	outputs := map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String()}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		outputs[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(outputs) < 4 {
		t.Fatalf("only %d outputs to check: %v", len(outputs), dir)
	}
	for name, text := range outputs {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the secret %q", name, s)
			}
		}
	}
}

func TestSecretsNeverWritten(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	const password = "Pa55-never-printed-91"
	srv := natstest.Start(t, func(o *server.Options) { o.Username, o.Password = "bench", password })
	file := writeScenario(t, fmt.Sprintf(`
name: secrets
targets: [{name: guarded, kind: jetstream, url: %q, username: bench, password: "${SB_TEST_PASSWORD}"}]
station: {name: secrets, storage: memory}
load: {duration: 1s, warmup: 0s}
`, srv.URL()))
	out := filepath.Join(t.TempDir(), "out")
	p := startEnv(t, []string{"SB_TEST_PASSWORD=" + password}, bin, "run", file, "--out", out)
	if err := p.wait(t, 60*time.Second); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, p.stderr.String())
	}
	res, err := result.ReadJSON(filepath.Join(out, report.FileResult))
	if err != nil || res.Status != result.StatusComplete || res.Scenario.Targets[0].Password != "***" {
		t.Fatalf("result: %v, %+v", err, res)
	}
	checkNoSecret(t, p, out, password)
}

func TestWrongCredentialsFailClearly(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	const token, wrongToken, wrongPassword = "T0ken-right-17", "T0ken-wrong-42", "Pa55-wrong-in-url-63"
	tokens := natstest.Start(t, func(o *server.Options) { o.Authorization = token })
	users := natstest.Start(t, func(o *server.Options) { o.Username, o.Password = "bench", "right" })
	file := writeScenario(t, fmt.Sprintf(`
name: wrong-credentials
targets:
  - {name: by-token, kind: jetstream, url: %q, connectionToken: "${SB_TEST_TOKEN}"}
  - {name: by-url, kind: jetstream, url: "nats://bench:%s@%s"}
load: {duration: 1s, warmup: 0s}
`, tokens.URL(), wrongPassword, strings.TrimPrefix(users.URL(), "nats://")))
	out := filepath.Join(t.TempDir(), "out")
	started := time.Now()
	p := startEnv(t, []string{"SB_TEST_TOKEN=" + wrongToken}, bin, "run", file, "--out", out)
	err := p.wait(t, 60*time.Second)
	if code := exitCodeOf(err); code != exitFailed {
		t.Errorf("exit code %d, want %d", code, exitFailed)
	}
	if took := time.Since(started); took > 10*time.Second {
		t.Errorf("took %s: wrong credentials must fail at once", took)
	}
	stderr := p.stderr.String()
	for _, want := range []string{`target "by-token"`, `target "by-url"`, "Authorization Violation"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	res, rerr := result.ReadJSON(filepath.Join(out, report.FileResult))
	if rerr != nil || res.Status != result.StatusFailed || len(res.Runs) != 0 {
		t.Errorf("result: %v, status %v, %d runs: want failed with no runs", rerr, res.Status, len(res.Runs))
	}
	checkNoSecret(t, p, out, wrongToken, wrongPassword)
}

// startEnv is start with extra environment variables.
func startEnv(t *testing.T, env []string, bin string, args ...string) *process {
	t.Helper()
	return startWith(t, append(os.Environ(), env...), bin, args...)
}

// TestServerListSecretNeverWritten: a password in the second URL of a
// server list stays out of the output, the result's target address and the
// connect error. It runs in-process.
func TestServerListSecretNeverWritten(t *testing.T) {
	t.Parallel()
	const wrong = "S3cret-list-55"
	srv := natstest.Start(t, func(o *server.Options) { o.Username, o.Password = "bench", "right" })
	file := writeScenario(t, fmt.Sprintf(`
name: server-list
targets: [{name: listed, kind: jetstream, url: "nats://127.0.0.1:1,nats://bench:%s@%s", timeoutMs: 2000, maxReconnect: 0}]
load: {duration: 1s, warmup: 0s}
`, wrong, strings.TrimPrefix(srv.URL(), "nats://")))
	out := filepath.Join(t.TempDir(), "out")
	p := &process{}
	code := run(t.Context(), []string{"run", file, "--out", out}, &p.stdout, &p.stderr)
	if code != exitFailed {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", code, exitFailed, p.stderr.String())
	}
	res, err := result.ReadJSON(filepath.Join(out, report.FileResult))
	if err != nil || len(res.Env.Targets) != 1 {
		t.Fatalf("result: %v, %+v", err, res)
	}
	if got, want := res.Env.Targets[0].URL, "nats://127.0.0.1:1,nats://bench:***@"+strings.TrimPrefix(srv.URL(), "nats://"); got != want {
		t.Errorf("env target URL = %q, want %q", got, want)
	}
	checkNoSecret(t, p, out, wrong)
}

// TestValidateNeverPrintsSecrets runs `stationbench validate` in-process on
// scenarios whose secrets are malformed.
func TestValidateNeverPrintsSecrets(t *testing.T) {
	const secret = "pw-SECRET-789"
	t.Setenv("SB_TEST_PW", secret)
	for _, doc := range []string{
		`targets: [{url: "nats://user:pw-SECRET-789@127.0.0.1:bad port"}]`,
		`targets: [{url: "nats://127.0.0.1:1,nats://user:${SB_TEST_PW}@127.0.0.1:bad"}]`,
		`targets: [{url: "nats://h:1", username: u, password: ["pw-SECRET-789"]}]`,
		`targets: [{url: "nats://h:1", connectionToken: {t: "pw-SECRET-789"}}]`,
		`targets: [{kind: memphis, host: h, password: "${pw-SECRET-789"}]`,
	} {
		file := writeScenario(t, "name: v\n"+doc+"\n")
		var stdout, stderr strings.Builder
		code := run(t.Context(), []string{"validate", file}, &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), file+":2: targets[0].") {
			t.Errorf("validate %s: exit %d, stderr:\n%s\nwant exit %d and the file and line", doc, code, stderr.String(), exitUsage)
		}
		if out := stdout.String() + stderr.String(); strings.Contains(out, "SECRET") {
			t.Errorf("validate %s shows the secret:\n%s", doc, out)
		}
	}
}
