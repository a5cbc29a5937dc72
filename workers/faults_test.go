package workers

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

func TestFaultsSince(t *testing.T) {
	f := NewFaults()
	t0 := time.Unix(1000, 0)
	a, b := &nats.Conn{}, &nats.Conn{}
	mark := f.Mark()
	// a is down 0.5s-1.5s, b 1.2s-2.0s: one outage 0.5s-2.0s.
	f.disconnected(a, t0.Add(500*time.Millisecond))
	f.disconnected(b, t0.Add(1200*time.Millisecond))
	f.reconnected(a, t0.Add(1500*time.Millisecond))
	f.reconnected(b, t0.Add(2000*time.Millisecond))
	// a again 3.9s-4.2s, cut by the end of the period at 4s.
	f.disconnected(a, t0.Add(3900*time.Millisecond))
	f.reconnected(a, t0.Add(4200*time.Millisecond))

	got := f.Since(mark, t0, t0.Add(4*time.Second))
	if got.Disconnects != 3 || got.Reconnects != 3 {
		t.Errorf("disconnects %d reconnects %d, want 3 and 3", got.Disconnects, got.Reconnects)
	}
	if want := 1600 * time.Millisecond; got.Disconnected != want {
		t.Errorf("disconnected %s, want %s", got.Disconnected, want)
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 0, 100 * time.Millisecond}
	if len(got.PerSecond) != len(want) {
		t.Fatalf("per second %v, want %v", got.PerSecond, want)
	}
	for i := range want {
		if got.PerSecond[i] != want[i] {
			t.Errorf("second %d: %s, want %s", i, got.PerSecond[i], want[i])
		}
	}
	if f.LostErr() != nil {
		t.Error("lost without a close")
	}
	select {
	case <-f.Lost():
		t.Error("Lost ready without a close")
	default:
	}
}

func TestFaultsNil(t *testing.T) {
	var f *Faults
	if f.Lost() != nil || f.LostErr() != nil || len(f.options("x", nil)) > 1 {
		t.Error("a nil record must record nothing")
	}
	if got := f.Since(f.Mark(), time.Now(), time.Now().Add(time.Second)); got.Disconnected != 0 || got.PerSecond != nil {
		t.Errorf("nil record: %+v", got)
	}
}

func TestStationStateGained(t *testing.T) {
	before := StationState{"a": {Msgs: 10, LastSeq: 10}, "b": {Msgs: 5, LastSeq: 50}}
	after := StationState{"a": {Msgs: 0, LastSeq: 25}, "b": {Msgs: 3, LastSeq: 3}, "c": {Msgs: 7, LastSeq: 7}}
	// a: purged but advanced 15; b: recreated, holds 3; c: new, 7.
	if got := after.Gained(before); got != 25 {
		t.Errorf("gained %d, want 25", got)
	}
}
