package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestMillisecondsFields: timeoutMs and reconnectIntervalMs are written in
// milliseconds in YAML and JSON, held as durations, and marshal to the same
// JSON as when they were plain integers.
func TestMillisecondsFields(t *testing.T) {
	s, err := Parse("t.yaml", []byte("name: x\ntargets: [{url: 'nats://h:1', timeoutMs: 250, reconnectIntervalMs: 1500}]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tg := s.Targets[0]
	if tg.RequestTimeout.D() != 250*time.Millisecond || tg.Timeout() != 250*time.Millisecond || tg.ReconnectInterval() != 1500*time.Millisecond {
		t.Errorf("timeout %v, reconnect wait %v: want 250ms and 1.5s", tg.Timeout(), tg.ReconnectInterval())
	}
	b, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"reconnect":true,"maxReconnect":60,"reconnectIntervalMs":1500,"timeoutMs":250}`; !strings.HasSuffix(string(b), want) {
		t.Errorf("JSON %s, want it to end %s", b, want)
	}
	var back Target
	if err := json.Unmarshal(b, &back); err != nil || back.RequestTimeout != tg.RequestTimeout || back.ReconnectWait != tg.ReconnectWait {
		t.Errorf("read back %+v (%v), want %+v", back, err, tg)
	}
	if err := json.Unmarshal([]byte(`{"timeoutMs": 1e300}`), &back); err == nil {
		t.Error("timeoutMs 1e300 read without error")
	}
}
