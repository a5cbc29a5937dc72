package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mapEnv makes an env lookup from a map.
func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

var testEnv = mapEnv(map[string]string{
	"STATIONBENCH_USER":     "bench",
	"STATIONBENCH_PASSWORD": "pa55word",
	"STATIONBENCH_TOKEN":    "t0ken",
	"STATIONBENCH_SUFFIX":   "x",
	"STATIONBENCH_N":        "4",
})

type wantErr struct {
	line int
	key  string
	msg  string // a substring of the message
}

// invalidFiles lists, for each file under testdata/invalid, every problem
// Parse must report, in order.
var invalidFiles = map[string][]wantErr{
	"auth-conflicts.yaml": {
		{5, "targets[0].nkeyFile", "either credsFile or nkeyFile"},
		{7, "targets[1].username", "one way to authenticate"},
		{10, "station.verify", `want true or false, got "yes"`},
	},
	"bad-station-name.yaml": {
		{1, "name", "only letters, digits"},
		{3, "station.name", `"orders.events" may hold only`},
		{4, "station.storage", "want file or memory"},
		{5, "station.replicas", "must be 1 to 5, got 0"},
		{6, "station.cleanup", "want delete or keep"},
	},
	"bad-url.yaml": {
		{4, "targets[0].url", "nats://, tls://"},
		{6, "targets[1].url", `"nats://" has no host`},
		{9, "targets[2].timeoutMs", "more than 0"},
		{10, "targets[2].maxReconnect", "-1 (forever) or more"},
		{11, "targets[2].reconnectIntervalMs", "not be negative"},
	},
	"comments-only.yaml": {{1, "", "empty"}},
	"duplicate-key.yaml": {{4, "name", "repeated"}},
	"empty.yaml":         {{1, "", "empty"}},
	"empty-counts.yaml":  {{3, "producers.counts", "at least one"}},
	"two-documents.yaml": {{2, "", "one YAML document"}},
	"syntax-error.yaml":  {{3, "", "did not find expected key"}},
	"not-mapping.yaml":   {{1, "", "want a mapping of keys (name:, targets:, load: ...) at the top level, got a list"}},
	"unknown-kind.yaml":  {{3, "targets[0].kind", `"amqp" is not a kind`}},
	"duplicate-targets.yaml": {
		{6, "targets[2].name", `"a" is already the name of another target`},
	},
	"huge-number.yaml": {
		{3, "load.repeat", "too large for an integer"},
		{5, "producers.maxPending", "too large for an integer"},
		{6, "producers.counts[1]", "want an integer"},
	},
	"nats-small-message.yaml": {{5, "message.size", "needs at least 16 bytes"}},
	"negative-duration.yaml": {
		{3, "load.duration", "got -5s"},
		{4, "load.warmup", "must not be negative, got -1s"},
		{5, "load.drain", "more than 0, got 0s"},
		{6, "load.lateAfter", "want a duration like 10s, got 10 (add a unit"},
	},
	"password-and-token.yaml": {
		{7, "targets[0].connectionToken", "either password or connectionToken"},
		{10, "targets[1].password", "needs a username"},
		{13, "targets[2].certFile", "needs keyFile"},
	},
	"rate-and-rates.yaml": {
		{4, "load.rates", "either load.rate or load.rates"},
		{4, "load.rates[1]", "more than 0 msgs/s, got 0"},
		{4, "load.rates[2]", "got -5"},
	},
	"rates-with-counts.yaml": {
		{5, "load.rates", "a sweep varies either producers.counts or load.rates, not both"},
	},
	"several-errors.yaml": {
		{1, "name", "only letters"},
		{4, "targets[0].kind", `"amqp"`},
		{5, "targets[0].timeoutMs", "got -1"},
		{7, "producers.counts[1]", `want an integer, got "x"`},
		{8, "producers.ack", "want sync or async"},
		{9, "producers.maxPending", "got 0"},
		{11, "message.size", "64MiB"},
		{13, "load.duration", "at most 24h"},
		{14, "load.repeat", "got 0"},
		{15, "load.extra", "unknown key"},
	},
	"unknown-key.yaml": {
		{4, "load.durtion", `unknown key (did you mean "duration"?)`},
		{7, "targets[0].usrname", `did you mean "username"?`},
		{8, "targets[0].colour", "valid keys here: accountId, ack, batchBytes, caFile,"},
	},
	"unset-var.yaml": {
		{5, "targets[0].password", "STATIONBENCH_TEST_UNSET is not set"},
		{6, "targets[0].connectionToken", "not a variable reference"},
	},
	"wrong-type.yaml": {
		{3, "load.duration", "want a duration like 10s, got [1, 2]"},
		{4, "load.repeat", `want an integer, got "three"`},
		{5, "load.rate", `want a number, got "fast"`},
		{7, "station.reset", `want true or false, got "maybe"`},
		{8, "station.replicas", "want an integer, got 2.5"},
		{10, "message.size", `want a size like 128, 4KB or 1MiB, got "big"`},
		{11, "targets", `want a list of targets`},
	},
	"zero-producers.yaml": {
		{3, "producers.counts[0]", "must be 1 to 10000 producers, got 0"},
		{3, "producers.counts[2]", "2 is listed twice"},
		{3, "producers.counts[3]", "got 10001"},
	},
}

func TestParseInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := invalidFiles[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(name, data, testEnv)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Parse error = %v (%T), want Errors", err, err)
			}
			if len(es) != len(want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(es), len(want), err)
			}
			for i, w := range want {
				e := es[i]
				if e.File != name || e.Line != w.line || e.Key != w.key || !strings.Contains(e.Msg, w.msg) {
					t.Errorf("problem %d = %q (line %d, key %q), want line %d, key %q, message containing %q",
						i, e.Error(), e.Line, e.Key, w.line, w.key, w.msg)
				}
			}
		})
	}
	for name := range invalidFiles {
		if !seen[name] {
			t.Errorf("expectations for missing file testdata/invalid/%s", name)
		}
	}
}

// TestLoadFileUnreadable: a scenario path that cannot be read fails with
// an error naming it, before anything is parsed.
func TestLoadFileUnreadable(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadFile(dir, Overrides{}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("LoadFile(a folder) = %v, want an error naming it", err)
	}
	path := filepath.Join(dir, "locked.yaml")
	if err := os.WriteFile(path, []byte("name: x\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(path); err == nil {
		// Root reads any file on disk, whatever its mode. A write-only
		// sysctl is refused to root too: procfs checks its mode bits, not
		// the capability that lets root past them.
		f.Close()
		path = "/proc/sys/vm/drop_caches"
	}
	if _, err := LoadFile(path, Overrides{}); !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadFile(unreadable) = %v, want a permission error naming the file", err)
	}
}

func TestErrorsFormat(t *testing.T) {
	_, err := Parse("s.yaml", []byte("name: x\nload:\n  duration: 0s\n  repeat: 0\n"), nil)
	want := "s.yaml:3: load.duration: must be more than 0 and at most 24h, got 0s\n" +
		"s.yaml:4: load.repeat: must be 1 to 1000, got 0"
	if err == nil || err.Error() != want {
		t.Fatalf("error =\n%v\nwant\n%s", err, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != "load.duration" || fe.Line != 3 {
		t.Errorf("errors.As *FieldError = %+v", fe)
	}
}

func TestLoadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := LoadFile(path, Overrides{})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadFile(missing) = %v, want an os.ErrNotExist naming the file", err)
	}
}

// TestShippedScenarios loads every scenario the repository ships.
func TestShippedScenarios(t *testing.T) {
	t.Setenv("NATS_USER", "bench")
	t.Setenv("NATS_PASSWORD", "pa55word")
	files, _ := filepath.Glob("examples/*.yaml")
	files = append(files, "quickstart.yaml")
	valid, err := filepath.Glob("testdata/valid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, valid...)
	if len(files) < 8 {
		t.Fatalf("found only %v", files)
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			for k, v := range map[string]string{"STATIONBENCH_USER": "u", "STATIONBENCH_PASSWORD": "p",
				"STATIONBENCH_TOKEN": "t", "STATIONBENCH_SUFFIX": "s", "STATIONBENCH_N": "4"} {
				t.Setenv(k, v)
			}
			s, err := LoadFile(path, Overrides{})
			if err != nil {
				t.Fatal(err)
			}
			if s.File != path {
				t.Errorf("File = %q, want %q", s.File, path)
			}
			if err := s.validate(); err != nil {
				t.Errorf("validate after LoadFile: %v", err)
			}
		})
	}
}
