package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverrideURLBeforeDefaults: --url replaces a memphis target's address
// before the defaults fill host and port from nothing, so the scenario is
// valid and the target goes to the URL given.
func TestOverrideURLBeforeDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.yaml")
	doc := "name: m\ntargets:\n  - {name: a, kind: memphis, password: pw}\n  - {name: b, kind: memphis, host: there, port: 7777, password: pw}\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(path, Overrides{URL: "nats://127.0.0.1:4222"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range s.Targets {
		if tg.URL != "nats://127.0.0.1:4222" || tg.Host != "" || tg.Port != 0 {
			t.Errorf("target %s: url %q host %q port %d, want the URL given alone", tg.Name, tg.URL, tg.Host, tg.Port)
		}
	}
	if s, err := LoadFile(path, Overrides{}); err != nil || s.Targets[0].URL != "nats://localhost:6666" {
		t.Errorf("no override: %v, %+v: want the default address", err, s.Targets)
	}
}

// TestOverrideURLNoTargets: a file without targets gets one at the URL.
func TestOverrideURLNoTargets(t *testing.T) {
	s, err := parse("q.yaml", []byte("name: q\n"), nil, Overrides{URL: "nats://127.0.0.1:4222"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Targets) != 1 || s.Targets[0].URL != "nats://127.0.0.1:4222" || s.Targets[0].Kind != KindJetStream || s.Targets[0].Name != "target" {
		t.Errorf("targets %+v, want one jetstream target named target at the URL", s.Targets)
	}
}

// TestOverrideErrorNamesFlag: a problem with an overridden value names the
// flag instead of a line of the file, and hides the URL's password.
func TestOverrideErrorNamesFlag(t *testing.T) {
	_, err := parse("m.yaml", []byte("name: m\ntargets:\n  - {name: a, kind: jetstream}\n"), nil,
		Overrides{URL: "ftp://user:hunter22@127.0.0.1:1"})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Flag != "--url" || fe.Line != 0 || fe.Key != "targets[0].url" {
		t.Fatalf("error %v, want one on targets[0].url from --url", err)
	}
	if got := err.Error(); !strings.HasPrefix(got, "m.yaml: targets[0].url (--url): ") || strings.Contains(got, "hunter22") {
		t.Errorf("error %q: want it to start with m.yaml: targets[0].url (--url): and hide the password", got)
	}
}
