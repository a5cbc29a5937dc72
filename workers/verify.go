package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Verifier is implemented by drivers of acknowledged kinds that can read
// what a station holds by its own count, so the runner can check that
// every acknowledged message is there.
type Verifier interface {
	StationState(ctx context.Context) (StationState, error)
}

// StationState is a station's own count, per stream (one per partition).
type StationState map[string]StreamState

// StreamState is one stream's count.
type StreamState struct {
	Msgs    uint64 // messages held now
	LastSeq uint64 // sequence of the last message stored
}

// ErrStationGone is wrapped by StationState's error when a stream of the
// station does not exist (deleted, or lost with a memory store's server).
var ErrStationGone = errors.New("the station is gone")

// Recreated names the streams whose last sequence went back between before
// and s: they were deleted and made again, losing what they held.
func (s StationState) Recreated(before StationState) []string {
	var out []string
	for name, after := range s {
		if b, ok := before[name]; ok && after.LastSeq < b.LastSeq {
			out = append(out, name)
		}
	}
	return out
}

// Gained is how many messages the station stored between before and s:
// the advance of each stream's last sequence, which limits and purges do
// not change. A stream whose sequence went back (recreated) counts what it
// holds.
func (s StationState) Gained(before StationState) int64 {
	var n int64
	for name, after := range s {
		b := before[name]
		if after.LastSeq >= b.LastSeq {
			n += int64(after.LastSeq - b.LastSeq)
		} else {
			n += int64(after.Msgs)
		}
	}
	return n
}

// StreamStates reads the state of the named streams.
func StreamStates(ctx context.Context, js jetstream.JetStream, names []string) (StationState, error) {
	out := make(StationState, len(names))
	for _, name := range names {
		s, err := js.Stream(ctx, name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fmt.Errorf("stream %q: %w: %w", name, ErrStationGone, err)
		}
		if err != nil {
			return nil, fmt.Errorf("stream %q: %w", name, err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			return nil, fmt.Errorf("stream %q: %w", name, err)
		}
		out[name] = StreamState{Msgs: info.State.Msgs, LastSeq: info.State.LastSeq}
	}
	return out, nil
}
