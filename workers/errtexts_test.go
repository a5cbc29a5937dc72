package workers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

func TestErrTextsBounded(t *testing.T) {
	var e errTexts
	for i := range 20 {
		for range i + 1 {
			e.add(fmt.Sprintf("error %d", i))
		}
	}
	e.add(strings.Repeat("x", 10_000))
	got := mergeErrorTexts(&e)
	if len(got) != maxErrTexts+1 || got[len(got)-1].Text != otherErrors {
		t.Fatalf("got %d texts %+v: want %d kept and the rest as other errors", len(got), got, maxErrTexts)
	}
	var total int64
	for _, x := range got {
		total += x.Count
	}
	if total != 20*21/2+1 {
		t.Errorf("counts sum to %d, want every error counted", total)
	}
	if got[0].Text != "error 7" || got[0].Count != 8 {
		t.Errorf("first %+v: want the most frequent kept text first", got[0])
	}
	merged := MergeErrorTexts([][]result.ErrorText{got, {{Text: "error 7", Count: 2}, {Text: "new", Count: 1}}}, 3)
	if len(merged) != 4 || merged[0].Count != 10 || merged[3].Text != otherErrors {
		t.Errorf("merged %+v: want 3 texts, most frequent first, and other errors", merged)
	}
}

func TestErrTextsLongTextCut(t *testing.T) {
	var e errTexts
	e.add(strings.Repeat("x", 10_000))
	if n := len(e.text[0]); n > maxErrTextLen+3 {
		t.Errorf("kept %d bytes of one error text", n)
	}
}
