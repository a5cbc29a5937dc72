package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// seq writes a YAML flow list of n numbers from..from+n-1.
func seq(from, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(from + i)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

const memphisTarget = "targets: [{kind: memphis, host: h, password: p}]\n"

// TestNumericRanges: every numeric field is range-checked, with an error
// naming file, line and key, and no value makes Parse panic or allocate
// without bound.
func TestNumericRanges(t *testing.T) {
	tests := []struct {
		name, doc string
		line      int
		key, msg  string
	}{
		{"negative count", "producers: {counts: [-1]}", 2, "producers.counts[0]", "must be 1 to 10000 producers, got -1"},
		{"negative second count", "producers: {counts: [2, -3]}", 2, "producers.counts[1]", "got -3"},
		{"negative count with phases", "producers: {counts: [-1]}\nphases: [{at: 1s, pause: 1}]", 2, "producers.counts[0]", "got -1"},
		{"negative count with rates", "producers: {counts: [-4]}\nload: {rates: [10, 20]}", 2, "producers.counts[0]", "got -4"},
		{"ten million producers", "producers: {counts: [10000000]}", 2, "producers.counts[0]", "got 10000000"},
		{"too many steps", "producers: {counts: " + seq(1, 101) + "}", 2, "producers.counts", "at most 100 steps"},
		{"too many rates", "load: {rates: " + seq(1, 101) + "}", 2, "load.rates", "at most 100 steps"},
		{"negative maxPending", "producers: {maxPending: -1}", 2, "producers.maxPending", "got -1"},
		{"in-flight memory", "producers: {counts: [10000], maxPending: 1000000}", 2, "producers.counts", "GiB of memory"},
		{"payload memory", "producers: {counts: [10000]}\nmessage: {size: 64MiB}", 2, "producers.counts", "GiB of memory"},
		{"terabyte message", "message: {size: 1099511627776}", 2, "message.size", "1 byte to 64MiB"},
		{"negative message", "message: {size: -1}", 2, "message.size", "1 byte to 64MiB"},
		{"negative batch", "message: {batch: -1}", 2, "message.batch", "got -1"},
		{"huge batch", "targets: [{kind: memphis-http, host: h, password: p}]\nmessage: {batch: 1000000000}", 3, "message.batch", "got 1000000000"},
		{"repeat 1e9", "load: {repeat: 1000000000}", 2, "load.repeat", "must be 1 to 1000"},
		{"negative repeat", "load: {repeat: -1}", 2, "load.repeat", "must be 1 to 1000"},
		{"negative duration", "load: {duration: -1s}", 2, "load.duration", "got -1s"},
		{"negative warmup", "load: {warmup: -1s}", 2, "load.warmup", "not be negative"},
		{"huge warmup", "load: {warmup: 1000h}", 2, "load.warmup", "at most 24h"},
		{"negative drain", "load: {drain: -1s}", 2, "load.drain", "more than 0"},
		{"huge drain", "load: {drain: 1000h}", 2, "load.drain", "at most 1h"},
		{"huge lateAfter", "load: {lateAfter: 1000h}", 2, "load.lateAfter", "at most 1h"},
		{"negative rate", "load: {rate: -5}", 2, "load.rate", "not be negative"},
		{"huge rate", "load: {rate: 1e12}", 2, "load.rate", "at most 1e+09"},
		{"tiny rate", "load: {rate: 1e-9}", 2, "load.rate", "fewer than one message"},
		{"huge rates entry", "load: {rates: [10, 1e300]}", 2, "load.rates[1]", "at most 1e+09"},
		{"tiny rates entry", "load: {rates: [1e-300]}", 2, "load.rates[0]", "fewer than one message"},
		{"run too long", "producers: {counts: " + seq(1, 100) + "}\nload: {duration: 24h, repeat: 1000}", 3, "load.repeat", "would take about"},
		{"negative timeout", "targets: [{url: 'nats://h:1', timeoutMs: -1}]", 2, "targets[0].timeoutMs", "got -1"},
		{"huge timeout", "targets: [{url: 'nats://h:1', timeoutMs: 100000000000000}]", 2, "targets[0].timeoutMs", "at most 3600000"},
		{"huge reconnect interval", "targets: [{url: 'nats://h:1', reconnectIntervalMs: 100000000000000}]", 2, "targets[0].reconnectIntervalMs", "at most 3600000"},
		{"negative reconnect interval", "targets: [{url: 'nats://h:1', reconnectIntervalMs: -1}]", 2, "targets[0].reconnectIntervalMs", "not be negative"},
		{"huge maxReconnect", "targets: [{url: 'nats://h:1', maxReconnect: 100000000000}]", 2, "targets[0].maxReconnect", "at most 1000000"},
		{"negative maxReconnect", "targets: [{url: 'nats://h:1', maxReconnect: -2}]", 2, "targets[0].maxReconnect", "-1 (forever)"},
		{"port out of range", "targets: [{kind: memphis, host: h, port: 70000, password: p}]", 2, "targets[0].port", "1 to 65535"},
		{"negative port", "targets: [{kind: memphis, host: h, port: -1, password: p}]", 2, "targets[0].port", "1 to 65535"},
		{"port on nats target", "targets: [{url: 'nats://h:1', port: -5}]", 2, "targets[0].port", "1 to 65535"},
		{"negative accountId", "targets: [{url: 'nats://h:1', accountId: -5}]", 2, "targets[0].accountId", "got -5"},
		{"huge accountId", "targets: [{kind: memphis, host: h, password: p, accountId: 100000000000}]", 2, "targets[0].accountId", "got 100000000000"},
		{"too many targets", "targets: [" + strings.Repeat("{url: 'nats://h:1'}, ", 65) + "]", 2, "targets", "at most 64 targets"},
		{"replicas", "station: {replicas: -1}", 2, "station.replicas", "1 to 5"},
		{"negative partitions", "station: {partitions: -1}", 2, "station.partitions", "got -1"},
		{"huge partitions", memphisTarget + "station: {name: s, partitions: 1000000}", 3, "station.partitions", "got 1000000"},
		{"negative retention", "station: {retentionValue: -1}", 2, "station.retentionValue", "got -1"},
		{"huge retention age", memphisTarget + "station: {name: s, retentionValue: 100000000000000}", 3, "station.retentionValue", "at most"},
		{"negative idempotency", "station: {idempotencyWindow: -1s}", 2, "station.idempotencyWindow", "not be negative"},
		{"huge idempotency", memphisTarget + "station: {name: s, idempotencyWindow: 1000h}", 3, "station.idempotencyWindow", "at most 24h"},
		{"negative threshold", "thresholds: [{metric: errors, max: -1}]", 2, "thresholds[0].max", "not be negative"},
		{"threshold producers", "thresholds: [{metric: errors, max: 1, producers: -1}]", 2, "thresholds[0].producers", "1 or more"},
		{"too many thresholds", "thresholds: [" + strings.Repeat("{metric: errors, max: 1}, ", 101) + "]", 2, "thresholds", "at most 100 thresholds"},
		{"negative phase", "phases: [{at: -1s, pause: 1}]", 2, "phases[0].at", "outside"},
		{"phase count", "phases: [{at: 1s, pause: 100000000000}]", 2, "phases[0].pause", "at most 10000, got 100000000000"},
		{"too many phases", "phases: [" + strings.Repeat("{at: 1s, pause: 1}, {at: 1s, resume: 1}, ", 51) + "]", 2, "phases", "at most 100 phases"},
		{"trace sample", "trace: {sample: -1}", 2, "trace.sample", "must not be negative"},
		{"findMaxRate p99", "load: {findMaxRate: {p99: -1ms}}", 2, "load.findMaxRate.p99", "more than 0"},
		{"findMaxRate huge p99", "load: {findMaxRate: {p99: 1000h}}", 2, "load.findMaxRate.p99", "at most 24h"},
		{"findMaxRate probes", "load: {findMaxRate: {p99: 1ms, maxProbes: -1}}", 2, "load.findMaxRate.maxProbes", "1 to 50"},
		{"findMaxRate precision", "load: {findMaxRate: {p99: 1ms, precision: -1}}", 2, "load.findMaxRate.precision", "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte("name: t\n"+tt.doc+"\n"), nil)
			want := fmt.Sprintf("t.yaml:%d: %s: ", tt.line, tt.key)
			if err == nil || !hasLine(err.Error(), want, tt.msg) {
				t.Fatalf("error =\n%v\nwant a line starting %q holding %q", err, want, tt.msg)
			}
		})
	}
}

// hasLine reports whether some line of text starts with prefix and holds msg.
func hasLine(text, prefix, msg string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, msg) {
			return true
		}
	}
	return false
}

// TestLargeValidScenario: the bounds leave room for real runs: 10,000
// producers (a capacity sweep may run counts: [10000]), 100 steps, 64 MiB messages
// with one producer.
func TestLargeValidScenario(t *testing.T) {
	for _, doc := range []string{
		"producers: {counts: [10000]}",
		"producers: {counts: [10000], maxPending: 1000}\nmessage: {size: 64KiB}",
		"producers: {counts: " + seq(1, 100) + "}",
		"load: {rates: " + seq(1, 100) + ", duration: 1h}",
		"message: {size: 64MiB}\nload: {duration: 24h, repeat: 10}",
		"load: {rate: 1000000000}",
		"load: {rate: 0.1}",
		"targets: [{url: 'nats://h:1', timeoutMs: 3600000, maxReconnect: -1}]",
		"description: " + strings.Repeat("d", 64<<10),
	} {
		if _, err := Parse("t.yaml", []byte("name: t\n"+doc+"\n"), nil); err != nil {
			t.Errorf("%.80s...: %v", doc, err)
		}
	}
}

// TestFreeTextBounds: free-text fields are bounded, and every error line
// stays short however long the value it is about.
func TestFreeTextBounds(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, doc string
		line      int
		key, msg  string
	}{
		{"description", "description: " + long(64<<10+1), 2, "description", "at most 64 KiB"},
		{"fifty megabyte description", "description: " + long(50<<20), 1, "", "at most 1 MiB"},
		{"name", "station: {name: " + long(100000) + ".x}", 2, "station.name", "too long"},
		{"producer name", "producers: {name: " + long(100000) + "}", 2, "producers.name", "too long"},
		{"target name", "targets: [{name: " + long(100000) + ", url: 'nats://h:1'}]", 2, "targets[0].name", "too long"},
		{"label value", "labels: {git: " + long(1025) + "}", 2, "labels.git", "at most 1024"},
		{"label key", "labels:\n  ? " + long(100000) + "\n  : v", 3, "labels.xxxxxxxx", "at most 64"},
		{"many labels", "labels: {" + strings.Repeat("a: 1, ", 0) + labelsN(65) + "}", 2, "labels", "at most 64 labels"},
		{"subject", "station: {subject: " + long(100000) + "}", 2, "station.subject", "at most 256"},
		{"url", "targets: [{url: 'nats://" + long(100000) + "'}]", 2, "targets[0].url", "at most 4096"},
		{"username", "targets: [{url: 'nats://h:1', username: " + long(100000) + ", password: p}]", 2, "targets[0].username", "at most 256"},
		{"password", "targets: [{url: 'nats://h:1', username: u, password: " + long(100000) + "}]", 2, "targets[0].password", "at most 4096"},
		{"token", "targets: [{url: 'nats://h:1', connectionToken: " + long(100000) + "}]", 2, "targets[0].connectionToken", "at most 4096"},
		{"creds file", "targets: [{url: 'nats://h:1', credsFile: " + long(100000) + "}]", 2, "targets[0].credsFile", "at most 4096"},
		{"host", "targets: [{kind: memphis, password: p, host: " + long(100000) + "}]", 2, "targets[0].host", "at most 253"},
		{"metric", "thresholds: [{metric: " + long(100000) + ", max: 1}]", 2, "thresholds[0].metric", "not a metric"},
		{"threshold target", "thresholds: [{metric: errors, max: 1, target: " + long(100000) + "}]", 2, "thresholds[0].target", "not a target"},
		{"storage", "station: {storage: " + long(100000) + "}", 2, "station.storage", "want file or memory"},
		{"phase names", "phases: [{at: 1s, pause: [" + long(100000) + "]}]", 2, "phases[0].pause", "no producer"},
		{"unknown key", "? " + long(100000) + "\n: 1", 2, "xxxxxxxx", "unknown key"},
		{"trace type", "trace: {types: [" + long(100000) + "]}", 2, "trace.types[0]", "not a trace type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte("name: t\n"+tt.doc+"\n"), nil)
			if err == nil {
				t.Fatal("no error")
			}
			prefix := fmt.Sprintf("t.yaml:%d: %s", tt.line, tt.key)
			if !hasLine(err.Error(), prefix, tt.msg) {
				t.Errorf("error =\n%.2000s\nwant a line starting %q holding %q", err, prefix, tt.msg)
			}
			for _, l := range strings.Split(err.Error(), "\n") {
				if len(l) > 512 {
					t.Errorf("an error line of %d bytes: %.200s...", len(l), l)
				}
			}
		})
	}
}

func labelsN(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("l%d: v", i)
	}
	return strings.Join(parts, ", ")
}
