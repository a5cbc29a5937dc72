package mqtt

import (
	"testing"
)

// Once the ring holds as many buffers as messages in flight, taking a
// buffer and queueing a message allocate nothing.
func TestPublishBookkeepingAllocatesNothingWhenWarm(t *testing.T) {
	p := &producer{cn: newConn("t"), queue: make(chan pending, initialRing)}
	var seq uint64
	step := func() {
		seq++
		s := p.slotFor(seq, 128)
		s.last = seq
		p.enqueue(pending{seq: seq})
		<-p.queue
		p.done.Store(seq) // its token completed
	}
	for range 100 {
		step()
	}
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Errorf("%v allocations per message, want 0", n)
	}
}

// A buffer is never handed out while paho may still hold it: with more
// messages in flight than the ring holds, the ring grows.
func TestRingGrowsWhileBuffersAreHeld(t *testing.T) {
	p := &producer{cn: newConn("t"), queue: make(chan pending, initialRing)}
	held := map[*byte]uint64{}
	for seq := uint64(1); seq <= 100; seq++ { // none completes
		s := p.slotFor(seq, 16)
		if prev, ok := held[&s.buf[0]]; ok {
			t.Fatalf("message %d got the buffer of message %d, still in flight", seq, prev)
		}
		s.last = seq
		held[&s.buf[0]] = seq
	}
	if len(held) != 100 {
		t.Errorf("%d distinct buffers for 100 messages in flight", len(held))
	}
}

// The queue to the waiting goroutine grows rather than block, and keeps
// the publish order across its links.
func TestQueueGrowsInOrder(t *testing.T) {
	p := &producer{cn: newConn("t"), queue: make(chan pending, initialRing)}
	first := p.queue
	for seq := uint64(1); seq <= 100; seq++ {
		p.enqueue(pending{seq: seq})
	}
	q, want := first, uint64(1)
	for want <= 100 {
		m := <-q
		if m.next != nil {
			q = m.next
			continue
		}
		if m.seq != want {
			t.Fatalf("got message %d, want %d", m.seq, want)
		}
		want++
	}
}
