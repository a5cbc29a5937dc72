package result

import (
	"testing"
)

// TestByStep: interleaved runs read grouped by step, steps in the order
// they first ran, repeats in order; the input is left as it ran.
func TestByStep(t *testing.T) {
	runs := []Run{
		{Target: "a", Producers: 4, Repeat: 1}, {Target: "a", Producers: 1, Repeat: 1},
		{Target: "a", Producers: 4, Repeat: 2}, {Target: "a", Producers: 1, Repeat: 2},
		{Target: "b", Producers: 1, Repeat: 1}, {Target: "b", Producers: 1, Repeat: 2},
	}
	got := ByStep(runs)
	want := [][2]int{{4, 1}, {4, 2}, {1, 1}, {1, 2}, {1, 1}, {1, 2}}
	for i, r := range got {
		if [2]int{r.Producers, r.Repeat} != want[i] || (i >= 4) != (r.Target == "b") {
			t.Fatalf("ByStep order: run %d is %s %d/%d, want %v", i, r.Target, r.Producers, r.Repeat, want)
		}
	}
	if runs[1].Producers != 1 {
		t.Error("ByStep reordered its input")
	}
}
