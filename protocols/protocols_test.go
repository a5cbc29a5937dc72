package protocols

import (
	"testing"

	"github.com/stationbench/stationbench/scenarios"
	"github.com/stationbench/stationbench/workers"
)

// The table and the loader's list name the same kinds, in the same order,
// each line joining its own kind's rules.
func TestTableMatchesKinds(t *testing.T) {
	table, kinds := Table(), scenarios.Kinds()
	if len(table) != len(kinds) {
		t.Fatalf("table has %d kinds, scenarios.Kinds %d", len(table), len(kinds))
	}
	for i, p := range table {
		if p.Kind != kinds[i].Kind || p.Rules.Kind != p.Kind {
			t.Errorf("line %d: kind %q with rules of %q; scenarios.Kinds has %q there", i, p.Kind, p.Rules.Kind, kinds[i].Kind)
		}
		if p.Summary == "" || p.New == nil {
			t.Errorf("kind %q: no summary or constructor", p.Kind)
		}
	}
}

// What the table says a driver does, the driver does: a kind marked Verify
// makes a workers.Verifier and no other does; every kind measures
// something (acks or deliveries).
func TestTableFlags(t *testing.T) {
	for _, p := range Table() {
		d, err := New(workers.Config{Target: scenarios.Target{Name: "t", Kind: p.Kind}})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := d.(workers.Verifier); ok != p.Verify {
			t.Errorf("kind %q: Verify %v, but its driver is a Verifier: %v", p.Kind, p.Verify, ok)
		}
		if !p.Acks && !p.Deliveries {
			t.Errorf("kind %q measures neither acks nor deliveries", p.Kind)
		}
	}
	if _, err := New(workers.Config{Target: scenarios.Target{Name: "t", Kind: "kafka"}}); err == nil {
		t.Error("an unknown kind made a driver")
	}
}
