package plan

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestSegmentStriping: for every producer count P and agent count N, the
// segments' ranges are contiguous, in order, cover every producer exactly
// once, differ in size by at most one, never leave segment 0 idle while
// another agent works, and their open-loop rates add up to the step's rate
// exactly, each in proportion to its producers.
func TestSegmentStriping(t *testing.T) {
	rates := []float64{0, 1, 3, 1000, 12345.678, 1e6 / 7}
	for p := 0; p <= 70; p++ {
		for n := 1; n <= 24; n++ {
			for _, rate := range rates {
				st := Step{}
				st.Producers, st.Rate = p, rate
				next, smallest, largest, sum, idle := 0, p+1, -1, 0.0, 0
				for i := range n {
					g := Segment{Index: i, Count: n}
					sh := g.ShareOf(st)
					if sh.First != next {
						t.Fatalf("P=%d N=%d: segment %d starts at %d, want %d (contiguous)", p, n, i, sh.First, next)
					}
					next = sh.First + sh.Producers
					smallest, largest = min(smallest, sh.Producers), max(largest, sh.Producers)
					sum += sh.RateMsgsPerSec
					if sh.Idle() {
						idle++
						if i == 0 && p > 0 {
							t.Fatalf("P=%d N=%d: segment 0 is idle", p, n)
						}
					}
					if p > 0 && rate > 0 {
						want := rate * float64(sh.Producers) / float64(p)
						if d := sh.RateMsgsPerSec - want; d > 1e-9*rate || d < -1e-9*rate {
							t.Fatalf("P=%d N=%d rate=%v: segment %d offers %v, want %v (in proportion)", p, n, rate, i, sh.RateMsgsPerSec, want)
						}
					}
				}
				if next != p {
					t.Fatalf("P=%d N=%d: segments cover %d producers, want %d", p, n, next, p)
				}
				if largest-smallest > 1 {
					t.Fatalf("P=%d N=%d: segment sizes from %d to %d", p, n, smallest, largest)
				}
				if p > 0 && sum != rate {
					t.Fatalf("P=%d N=%d: rates add up to %v, want %v exactly", p, n, sum, rate)
				}
				if want := max(0, n-p); idle != want {
					t.Fatalf("P=%d N=%d: %d idle agents, want %d", p, n, idle, want)
				}
			}
		}
	}
}

func TestParseSegment(t *testing.T) {
	for _, ok := range []string{"0/1", "3/4", " 2 / 10 "} {
		if _, err := ParseSegment(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1", "4/4", "-1/4", "0/0", "a/b", "1/2/3"} {
		if _, err := ParseSegment(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestForSegment: every step carries the agent's share, the text says which
// producers each agent runs and that an agent is idle for a step with fewer
// producers than agents, and a findMaxRate plan is refused.
func TestForSegment(t *testing.T) {
	p := Build(parse(t, "name: s\ntargets: [{name: a, kind: jetstream}]\nproducers: {counts: [1, 6]}\n"))
	var texts []string
	for i := range 4 {
		sp, err := p.ForSegment(Segment{Index: i, Count: 4})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := sp.WriteSegmentText(&b); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, b.String())
		first, n := sp.Targets[0].Entries[1].Step.Local()
		if wantFrom, wantTo := []int{0, 2, 4, 5}[i], []int{2, 4, 5, 6}[i]; first != wantFrom || first+n != wantTo {
			t.Errorf("segment %d of 6 producers: [%d, %d), want [%d, %d)", i, first, first+n, wantFrom, wantTo)
		}
	}
	if !strings.Contains(texts[0], "producers 1-1 of 1") || !strings.Contains(texts[0], "producers 1-2 of 6") {
		t.Errorf("segment 0:\n%s", texts[0])
	}
	if !strings.Contains(texts[3], "idle (1 producers, fewer than 4 agents)") || !strings.Contains(texts[3], "producers 6-6 of 6") {
		t.Errorf("segment 3:\n%s", texts[3])
	}
	if note := p.Targets[0].Entries[0].Step.IdleNote(); note != "" {
		t.Errorf("whole plan: idle note %q", note)
	}
	sp, _ := p.ForSegment(Segment{Index: 1, Count: 4})
	if note := sp.Targets[0].Entries[0].Step.IdleNote(); !strings.Contains(note, "agent 1/4 is idle") {
		t.Errorf("idle note %q", note)
	}

	phased := Build(parse(t, "name: s\ntargets: [{name: a, kind: jetstream}]\nproducers: {counts: [4]}\nphases: [{at: 1s, pause: 1}, {at: 2s, resume: all}]\n"))
	if _, err := phased.ForSegment(Segment{Index: 0, Count: 2}); err == nil || !strings.Contains(err.Error(), "selects some producers") {
		t.Errorf("a phase of 1 producer: %v", err)
	}
	all := Build(parse(t, "name: s\ntargets: [{name: a, kind: jetstream}]\nproducers: {counts: [4]}\nphases: [{at: 1s, pause: all}, {at: 2s, resume: all}]\n"))
	if _, err := all.ForSegment(Segment{Index: 0, Count: 2}); err != nil {
		t.Errorf("phases of all producers: %v", err)
	}

	search := Build(parse(t, "name: s\ntargets: [{name: a, kind: jetstream}]\nload: {findMaxRate: {p99: 10ms}}\n"))
	if _, err := search.ForSegment(Segment{Index: 0, Count: 2}); !errors.Is(err, ErrSearchDistributed) {
		t.Errorf("findMaxRate: %v, want ErrSearchDistributed", err)
	}
}
