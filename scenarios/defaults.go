package scenarios

import (
	"fmt"
	"time"
)

// Defaults for fields a scenario file leaves out.
const (
	DefaultMaxReconnect  = 60
	DefaultReconnectWait = Milliseconds(2 * time.Second)
	DefaultTimeout       = Milliseconds(5 * time.Second)
	DefaultStationName   = "stationbench"
	DefaultStorage       = "file"
	DefaultReplicas      = 1
	DefaultCleanup       = "delete"
	DefaultProducerName  = "bench"
	DefaultMaxPending    = 256
	DefaultMessageSize   = ByteSize(128)
	DefaultDuration      = Duration(10 * time.Second)
	DefaultWarmup        = Duration(2 * time.Second)
	DefaultRepeat        = 1
	DefaultDrain         = Duration(5 * time.Second)
	DefaultLateAfter     = Duration(time.Millisecond)
)

// applyDefaults fills what the file left out. set reports whether the file
// gave a key a value; numbers use it so that an explicit 0 stays 0 (and is
// then judged by the checks), while empty strings always take the default.
func applyDefaults(s *Scenario, set func(key string) bool) {
	if len(s.Targets) == 0 {
		s.Targets = []Target{{Name: Embedded, Kind: KindJetStream, URL: Embedded}}
	}
	for i := range s.Targets {
		t := &s.Targets[i]
		key := fmt.Sprintf("targets[%d].", i)
		if t.Kind == "" {
			t.Kind = KindJetStream
		}
		kindTargetDefaults(t) // before the URL default: memphis kinds have no embedded server
		if t.URL == "" {
			t.URL = Embedded
		}
		if t.Name == "" && len(s.Targets) == 1 {
			t.Name = "target"
			if t.IsEmbedded() {
				t.Name = Embedded
			}
		}
		t.Reconnect = boolOr(t.Reconnect, true)
		if !set(key + "maxReconnect") {
			t.MaxReconnect = DefaultMaxReconnect
		}
		if !set(key + "reconnectIntervalMs") {
			t.ReconnectWait = DefaultReconnectWait
		}
		if !set(key + "timeoutMs") {
			t.RequestTimeout = DefaultTimeout
		}
	}

	st := &s.Station
	st.Name = strOr(st.Name, DefaultStationName)
	st.Storage = strOr(st.Storage, DefaultStorage)
	st.Cleanup = strOr(st.Cleanup, DefaultCleanup)
	if !set("station.replicas") {
		st.Replicas = DefaultReplicas
	}
	st.Reset = boolOr(st.Reset, true)
	st.Subscribe = boolOr(st.Subscribe, true)
	st.Verify = boolOr(st.Verify, true)

	p := &s.Producers
	p.Name = strOr(p.Name, DefaultProducerName)
	if !set("producers.counts") {
		p.Counts = []int{1}
	}
	p.Connections = strOr(p.Connections, ConnPerProducer)
	p.Ack = strOr(p.Ack, AckAsync)
	if !set("producers.maxPending") {
		p.MaxPending = DefaultMaxPending
	}
	if p.Ack == AckSync {
		p.MaxPending = 1 // one message in flight is what sync means
	}

	if !set("message.size") {
		s.Message.Size = DefaultMessageSize
	}
	kindDefaults(s, set) // each kind's own options: kind_*.go
	observeDefaults(s, set)

	l := &s.Load
	defaultDur(&l.Duration, set("load.duration"), DefaultDuration)
	defaultDur(&l.Warmup, set("load.warmup"), DefaultWarmup)
	defaultDur(&l.Drain, set("load.drain"), DefaultDrain)
	defaultDur(&l.LateAfter, set("load.lateAfter"), DefaultLateAfter)
	if !set("load.repeat") {
		l.Repeat = DefaultRepeat
	}
	l.Order = strOr(l.Order, OrderInterleaved)
	l.Pacer = strOr(l.Pacer, PacerSleep)
}

func strOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func boolOr(v *bool, def bool) *bool {
	if v != nil {
		return v
	}
	return &def
}

func defaultDur(d *Duration, set bool, def Duration) {
	if !set {
		*d = def
	}
}
