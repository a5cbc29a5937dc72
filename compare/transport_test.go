package compare

import (
	"errors"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestCompareRefusesAnotherTransport: a run over WebSocket is not compared
// with a baseline over TCP as if it were the same target, embedded or not.
func TestCompareRefusesAnotherTransport(t *testing.T) {
	for _, tc := range []struct{ base, cur, want string }{
		{result.Embedded, result.EmbeddedWS, "[local (jetstream, embedded)] (base) vs [local (jetstream, embedded, websocket)] (new)"},
		{"nats://h:4222", "ws://h:8080", "[local (jetstream, remote)] (base) vs [local (jetstream, remote, websocket)] (new)"},
	} {
		base, cur := runsOf([]float64{1, 2, 3, 4}, nil), runsOf([]float64{1, 2, 3, 4}, nil)
		base.Scenario.Targets[0].URL, cur.Scenario.Targets[0].URL = tc.base, tc.cur
		_, err := Compare(base, cur, DefaultOptions())
		var me *MismatchError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s vs %s: Compare = %v, want a MismatchError naming %q", tc.base, tc.cur, err, tc.want)
		}
	}
}
