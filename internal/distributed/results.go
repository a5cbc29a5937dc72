package distributed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/result"
)

// ResultsBucket is the object store bucket that holds the agents' results
// of run runID, one object per agent (ResultName).
func ResultsBucket(runID string) string { return "stationbench-results-" + runID }

// ResultName is the object that holds agent segment's result.
func ResultName(segment int) string { return "segment-" + strconv.Itoa(segment) + ".json" }

// PutResult stores this agent's result in the run's results bucket.
func (a *Agent) PutResult(ctx context.Context, res *result.Result) error {
	var buf bytes.Buffer
	if err := result.Encode(&buf, res); err != nil {
		return fmt.Errorf("agent %s: encode result: %w", a.cfg.Segment, err)
	}
	store, err := ensureResults(ctx, a.js, a.runID)
	if err != nil {
		return err
	}
	if _, err := store.PutBytes(ctx, ResultName(a.cfg.Segment.Index), buf.Bytes()); err != nil {
		return fmt.Errorf("agent %s: put result in object store %s: %w", a.cfg.Segment, ResultsBucket(a.runID), err)
	}
	return nil
}

// ensureResults opens the run's results bucket, creating it when missing.
func ensureResults(ctx context.Context, js jetstream.JetStream, runID string) (jetstream.ObjectStore, error) {
	name := ResultsBucket(runID)
	store, err := js.ObjectStore(ctx, name)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		store, err = js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: name, TTL: BucketTTL,
			Description: "stationbench: the agents' results of run " + runID})
		if errors.Is(err, jetstream.ErrBucketExists) {
			store, err = js.ObjectStore(ctx, name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", name, err)
	}
	return store, nil
}

// AwaitResults waits up to the timeout until every agent's result is in
// the run's results bucket, and returns those that are, by segment; a
// missing one is nil, and the error names it.
func (a *Agent) AwaitResults(ctx context.Context) ([]*result.Result, error) {
	store, err := ensureResults(ctx, a.js, a.runID)
	if err != nil {
		return nil, err
	}
	n := a.cfg.Segment.Count
	wctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	w, err := store.Watch(wctx)
	if err != nil {
		return nil, fmt.Errorf("object store %s: watch: %w", ResultsBucket(a.runID), err)
	}
	defer func() { _ = w.Stop() }()
	parts := make([]*result.Result, n)
	have := map[int][]byte{}
	for len(have) < n {
		var info *jetstream.ObjectInfo
		open := true
		select {
		case info, open = <-w.Updates():
		case <-wctx.Done():
		}
		if wctx.Err() != nil || !open {
			return parts, a.missing(ctx, "put its result in "+ResultsBucket(a.runID), absent(have, n), wctx.Err())
		}
		if info == nil || info.Deleted {
			continue
		}
		seg, ok := segmentOf(info.Name)
		if !ok || seg >= n {
			continue
		}
		res, err := readResult(wctx, store, info.Name)
		if err != nil {
			return parts, err
		}
		parts[seg], have[seg] = res, nil
	}
	return parts, nil
}

// segmentOf reads the segment from an object's name (ResultName).
func segmentOf(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "segment-")
	if !ok {
		return 0, false
	}
	seg, err := strconv.Atoi(strings.TrimSuffix(s, ".json"))
	return seg, err == nil && seg >= 0
}

// readResult reads one agent's result from the object store. A result
// that is not a whole result document is refused, naming the object.
func readResult(ctx context.Context, store jetstream.ObjectStore, name string) (*result.Result, error) {
	b, err := store.GetBytes(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var res result.Result
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("object %s: not a whole result document (half-written?): %w", name, err)
	}
	if res.SchemaVersion != result.SchemaVersion {
		return nil, fmt.Errorf("object %s: schema_version %d, want %d", name, res.SchemaVersion, result.SchemaVersion)
	}
	return &res, nil
}

// Fetch reads every agent result of run runID from the control server at
// url, in segment order, with the name of each (its object). It does not
// wait: the results there now are the ones returned.
func Fetch(ctx context.Context, url, runID string) ([]*result.Result, []string, error) {
	if err := CheckRunID(runID); err != nil {
		return nil, nil, err
	}
	nc, err := nats.Connect(url, nats.Name("stationbench-merge"), nats.Timeout(10*time.Second))
	if err != nil {
		return nil, nil, fmt.Errorf("control server %s: connect: %w", url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, nil, err
	}
	store, err := js.ObjectStore(ctx, ResultsBucket(runID))
	if err != nil {
		return nil, nil, fmt.Errorf("run %s: object store %s: %w", runID, ResultsBucket(runID), err)
	}
	infos, err := store.List(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("run %s: list %s: %w", runID, ResultsBucket(runID), err)
	}
	slices.SortFunc(infos, func(x, y *jetstream.ObjectInfo) int {
		a, _ := segmentOf(x.Name)
		b, _ := segmentOf(y.Name)
		return a - b
	})
	var parts []*result.Result
	var names []string
	for _, info := range infos {
		if _, ok := segmentOf(info.Name); !ok {
			continue
		}
		res, err := readResult(ctx, store, info.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("run %s: %w", runID, err)
		}
		parts, names = append(parts, res), append(names, ResultsBucket(runID)+"/"+info.Name)
	}
	if len(parts) == 0 {
		return nil, nil, fmt.Errorf("run %s: no agent result in %s", runID, ResultsBucket(runID))
	}
	return parts, names, nil
}
