package runner

import (
	"context"
	"testing"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/result"
)

// TestRepeatOrder: repeats go round every step in turn by default (1, 2,
// 1, 2), or finish one step before the next with load.order: sequential;
// each run records when it started, in the order they ran.
func TestRepeatOrder(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a server")
	}
	srv := natstest.Start(t)
	for _, tt := range []struct {
		order string
		want  [][2]int // producers, repeat
	}{
		{"", [][2]int{{1, 1}, {2, 1}, {1, 2}, {2, 2}}},
		{"order: sequential", [][2]int{{1, 1}, {1, 2}, {2, 1}, {2, 2}}},
	} {
		sc := scenario(t, `
name: order
targets: [{name: local, kind: jetstream, url: `+srv.URL()+`}]
station: {name: order, storage: memory}
producers: {counts: [1, 2], maxPending: 16}
message: {size: 32}
load: {duration: 500ms, warmup: 0s, drain: 2s, repeat: 2, `+tt.order+`}
`)
		res := Run(context.Background(), sc, Options{Version: "test"})
		if res.Status != result.StatusComplete {
			t.Fatalf("%q: status %s: %s", tt.order, res.Status, res.Error)
		}
		var got [][2]int
		for i, r := range res.Runs {
			got = append(got, [2]int{r.Producers, r.Repeat})
			switch {
			case r.StartedAt.IsZero():
				t.Errorf("%q: run %d has no started_at", tt.order, i)
			case i > 0 && !r.StartedAt.After(res.Runs[i-1].StartedAt):
				t.Errorf("%q: run %d started at %v, not after run %d at %v", tt.order, i, r.StartedAt, i-1, res.Runs[i-1].StartedAt)
			}
		}
		if len(got) != len(tt.want) {
			t.Fatalf("%q: runs %v, want %v", tt.order, got, tt.want)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: runs ran in the order %v, want %v", tt.order, got, tt.want)
				break
			}
		}
	}
}
