package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	s, err := Parse("minimal.yaml", []byte("name: minimal\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	want := Scenario{
		Name: "minimal",
		Targets: []Target{{
			Name: "embedded", Kind: KindJetStream, URL: Embedded, Reconnect: &yes,
			MaxReconnect: 60, ReconnectWait: Milliseconds(2 * time.Second), RequestTimeout: Milliseconds(5 * time.Second),
		}},
		Station: Station{Name: "stationbench", Storage: "file", Replicas: 1, Reset: &yes,
			Cleanup: "delete", Subscribe: &yes, Verify: &yes},
		Producers: Producers{Name: "bench", Counts: []int{1}, Connections: ConnPerProducer,
			Ack: AckAsync, MaxPending: 256},
		Message: Message{Size: 128},
		Load: Load{Duration: Duration(10 * time.Second), Warmup: Duration(2 * time.Second),
			Repeat: 1, Order: OrderInterleaved, Drain: Duration(5 * time.Second), LateAfter: Duration(time.Millisecond), Pacer: PacerSleep},
		File: "minimal.yaml",
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Parse(minimal) =\n%+v\nwant\n%+v", s, want)
	}
}

func TestTargetDefaults(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // target names
	}{
		{"empty list", "name: x\ntargets: []\n", []string{"embedded"}},
		{"one embedded", "name: x\ntargets:\n  - kind: nats\n    url: \"\"\n", []string{"embedded"}},
		{"one remote", "name: x\ntargets:\n  - url: nats://h:4222\n", []string{"target"}},
		{"named", "name: x\ntargets:\n  - name: a\n  - name: b\n", []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tg := range s.Targets {
				got = append(got, tg.Name)
				if tg.Kind == "" || tg.URL == "" || tg.RequestTimeout != DefaultTimeout {
					t.Errorf("target %+v not defaulted", tg)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("names = %v, want %v", got, tt.want)
			}
		})
	}
	_, err := Parse("t.yaml", []byte("name: x\ntargets:\n  - kind: nats\n  - name: b\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "t.yaml:3: targets[0].name: required when there is more than one target") {
		t.Errorf("unnamed target among two: %v", err)
	}
}

func TestSyncForcesMaxPending(t *testing.T) {
	s, err := Parse("t.yaml", []byte("name: x\nproducers:\n  ack: sync\n  maxPending: 500\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Producers.MaxPending != 1 {
		t.Errorf("MaxPending = %d, want 1 with sync acks", s.Producers.MaxPending)
	}
}

func TestExplicitZeroIsKept(t *testing.T) {
	s, err := Parse("t.yaml", []byte("name: x\ntargets:\n  - maxReconnect: 0\n    reconnectIntervalMs: 0\nload:\n  warmup: 0s\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if tg := s.Targets[0]; tg.MaxReconnect != 0 || tg.ReconnectWait != 0 {
		t.Errorf("target = %+v, want explicit zeros kept", tg)
	}
	if s.Load.Warmup != 0 {
		t.Errorf("warmup = %v, want 0", s.Load.Warmup)
	}
}

func TestFullFile(t *testing.T) {
	s, err := LoadFileWithEnv(t, "testdata/valid/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t0, t1 := s.Targets[0], s.Targets[1]
	if t0.Username != "bench" || t0.Password.Value() != "pa55word" || t0.ReconnectEnabled() ||
		t0.MaxReconnect != -1 || t0.ReconnectWait != 0 || t0.Timeout() != 250*time.Millisecond ||
		t0.KeyFile == "" || t0.CertFile == "" || t0.CAFile == "" {
		t.Errorf("targets[0] = %#v", t0)
	}
	if t1.Kind != KindNATS || t1.ConnectionToken.Value() != "t0ken" {
		t.Errorf("targets[1] = %#v", t1)
	}
	if s.Description != "every key: no description" {
		t.Errorf("description = %q", s.Description)
	}
	st := s.Station
	if st.Name != "orders-x" || st.Storage != "memory" || st.Replicas != 3 || st.ResetEnabled() ||
		st.Cleanup != "keep" || st.SubscribeEnabled() {
		t.Errorf("station = %+v", st)
	}
	p := s.Producers
	if p.Name != "pub" || !reflect.DeepEqual(p.Counts, []int{1, 4, 16}) || p.Connections != ConnShared ||
		p.Ack != AckSync || p.MaxPending != 1 {
		t.Errorf("producers = %+v", p)
	}
	if s.Message.Size != 4096 {
		t.Errorf("size = %d", s.Message.Size)
	}
	l := s.Load
	if l.Duration.D() != 90*time.Second || l.Warmup != 0 || l.Repeat != 3 || l.Drain.D() != 500*time.Millisecond ||
		l.Rate != 1000.5 || l.LateAfter.D() != 250*time.Microsecond {
		t.Errorf("load = %+v", l)
	}
}

// LoadFileWithEnv parses path with testEnv.
func LoadFileWithEnv(t *testing.T, path string) (Scenario, error) {
	t.Helper()
	s, err := Parse(path, mustRead(t, path), testEnv)
	return s, err
}

func TestAnchorsAndEscapes(t *testing.T) {
	s, err := Parse("a.yaml", mustRead(t, "testdata/valid/anchors.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Description != "costs ${HOME} and $5" {
		t.Errorf("description = %q", s.Description)
	}
	if s.Targets[1].Kind != KindNATS || s.Targets[1].ReconnectInterval() != time.Second {
		t.Errorf("targets[1] = %+v", s.Targets[1])
	}
	if s.Message.Size != 1_000_000 || !reflect.DeepEqual(s.Load.Rates, []float64{100, 2500}) {
		t.Errorf("size %d rates %v", s.Message.Size, s.Load.Rates)
	}
}

func TestSecretsDoNotLeak(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`name: x
targets:
  - name: up
    url: nats://bench:urlpass@h:4222
    username: bench
    password: hunter2
  - name: tok
    url: nats://h:4222
    connectionToken: tokentoken
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"password":"***"`) || strings.Contains(string(js), "hunter2") ||
		strings.Contains(string(js), "tokentoken") {
		t.Errorf("json = %s", js)
	}
	r := s.Redacted()
	if r.Targets[0].Password.Value() != Redacted || r.Targets[1].ConnectionToken.Value() != Redacted {
		t.Errorf("Redacted secrets = %#v", r.Targets)
	}
	if strings.Contains(r.Targets[0].URL, "urlpass") || !strings.Contains(r.Targets[0].URL, "bench:***@h:4222") {
		t.Errorf("Redacted URL = %q", r.Targets[0].URL)
	}
	if s.Targets[0].Password.Value() != "hunter2" {
		t.Error("Redacted changed the original")
	}
	*r.Station.Reset = false
	r.Producers.Counts[0] = 99
	if !s.Station.ResetEnabled() || s.Producers.Counts[0] != 1 {
		t.Error("Redacted is not a deep copy")
	}
}
