package workers

import (
	"errors"
	"testing"
	"time"
)

func TestFaultsSince(t *testing.T) {
	f := NewFaults()
	t0 := time.Unix(1000, 0)
	a, b := &testConn{}, &testConn{}
	mark := f.Mark()
	// a is down 0.5s-1.5s, b 1.2s-2.0s: one outage 0.5s-2.0s.
	f.ConnDown(a, t0.Add(500*time.Millisecond))
	f.ConnDown(b, t0.Add(1200*time.Millisecond))
	f.ConnUp(a, t0.Add(1500*time.Millisecond))
	f.ConnUp(b, t0.Add(2000*time.Millisecond))
	// a again 3.9s-4.2s, cut by the end of the period at 4s.
	f.ConnDown(a, t0.Add(3900*time.Millisecond))
	f.ConnUp(a, t0.Add(4200*time.Millisecond))

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

// testConn is a connection as a driver of any protocol reports it.
type testConn struct{ closed bool }

func (c *testConn) IsClosed() bool { return c.closed }

func TestFaultsNil(t *testing.T) {
	var f *Faults
	if f.Lost() != nil || f.LostErr() != nil || len(natsFaultOptions(f, "x", nil)) > 1 {
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

// The events of any protocol: a connection down, then lost for good, makes
// Lost ready with the start of its outage; one the harness closed while
// down stops counting.
func TestFaultsConnLost(t *testing.T) {
	f := NewFaults()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	closedByHarness, lost := &testConn{}, &testConn{}
	f.ConnDown(closedByHarness, t0)
	closedByHarness.closed = true
	if _, down := f.Unreachable(); down {
		t.Error("a connection the harness closed counts as unreachable")
	}
	f = NewFaults()
	f.ConnDown(lost, t0.Add(time.Second))
	f.ConnLost(lost, t0.Add(3*time.Second), Loss{Target: "t", Conn: "bench-1", Why: "maxReconnect exhausted", Err: errors.New("gone")})
	select {
	case <-f.Lost():
	default:
		t.Fatal("Lost not ready after ConnLost")
	}
	want := `target "t": the broker was unreachable from 2026-01-02T03:04:06.000Z (maxReconnect exhausted): connection bench-1 lost: gone`
	if err := f.LostErr(); err == nil || err.Error() != want {
		t.Errorf("lost error %v, want %s", err, want)
	}
	if since, down := f.Unreachable(); !down || !since.Equal(t0.Add(time.Second)) {
		t.Errorf("unreachable %v since %s, want since %s", down, since, t0.Add(time.Second))
	}
}
