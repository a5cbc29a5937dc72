package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelpOnStdout: every subcommand's --help goes to stdout, with
// examples, and exits 0; a bad flag prints the usage on stderr, exit 2.
func TestHelpOnStdout(t *testing.T) {
	for _, cmd := range []string{"run", "validate", "compare", "report", "plot", "server", "bench-limit"} {
		t.Run(cmd, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{cmd, "--help"}, &out, &errOut); code != exitOK {
				t.Fatalf("--help: exit %d, want 0\n%s", code, errOut.String())
			}
			help := out.String()
			for _, want := range []string{"Usage: stationbench " + cmd, "Examples:\n  stationbench " + cmd, "Flags:", "--help"} {
				if !strings.Contains(help, want) {
					t.Errorf("--help stdout lacks %q:\n%s", want, help)
				}
			}
			if errOut.Len() != 0 {
				t.Errorf("--help wrote to stderr: %q", errOut.String())
			}
			out.Reset()
			errOut.Reset()
			if code := run(context.Background(), []string{cmd, "--no-such-flag"}, &out, &errOut); code != exitUsage {
				t.Errorf("bad flag: exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errOut.String(), "Usage: stationbench "+cmd) || out.Len() != 0 {
				t.Errorf("bad flag: stdout %q, stderr %q: want the usage on stderr only", out.String(), errOut.String())
			}
			if n := strings.Count(errOut.String(), "unknown flag"); n != 1 {
				t.Errorf("bad flag: the error is printed %d times, want once:\n%s", n, errOut.String())
			}
		})
	}
}
