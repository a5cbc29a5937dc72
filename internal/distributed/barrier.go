package distributed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/runner"
)

// key is this run's key for what, with more tokens (a run's index, a
// segment).
func (a *Agent) key(what string, more ...int) string { return a.keyOf(a.runID, what, more...) }

func (a *Agent) keyOf(runID, what string, more ...int) string {
	k := runID + "." + what
	for _, m := range more {
		k += "." + strconv.Itoa(m)
	}
	return k
}

// Station says, on segment 0, that the station is ready for run n; on
// another agent it waits until segment 0 has said so (runner.Coordinator).
func (a *Agent) Station(ctx context.Context, n int) error {
	if a.lost != nil {
		return a.lost
	}
	key := a.key("station", n)
	if a.cfg.Segment.Lead() {
		return a.put(ctx, key, nil)
	}
	if _, err := a.waitOne(ctx, key, n); err != nil {
		if errors.As(err, new(aborted)) {
			return err
		}
		return a.lose(a.missing(ctx, fmt.Sprintf("ready the station for run %d", n), []int{0}, err))
	}
	return nil
}

// Abort says that this agent gave up run n before its load, and why: the
// other agents' waits for run n end at once with that reason
// (runner.Coordinator).
func (a *Agent) Abort(ctx context.Context, n int, why error) error {
	return a.put(context.WithoutCancel(ctx), a.key("abort", n, a.cfg.Segment.Index), []byte(why.Error()))
}

// aborted is the error of a wait that ended because an agent aborted.
type aborted struct{ msg string }

func (e aborted) Error() string { return e.msg }

// abortOf reads an abort key's entry as the error that ends a wait.
func (a *Agent) abortOf(e jetstream.KeyValueEntry, n int) error {
	seg := e.Key()[strings.LastIndexByte(e.Key(), '.')+1:]
	return aborted{fmt.Sprintf("agent %s/%d gave up run %d before its load: %s", seg, a.cfg.Segment.Count, n, e.Value())}
}

// Ready says that this agent's producers are open for run n and returns
// when, on this machine's clock, the load starts: segment 0 waits until
// every agent is ready, then sets the start StartMargin later on the
// server's clock, and every agent converts it with its own clock offset
// (runner.Coordinator).
func (a *Agent) Ready(ctx context.Context, n int) (time.Time, error) {
	if a.lost != nil {
		return time.Time{}, a.lost
	}
	if err := a.put(ctx, a.key("ready", n, a.cfg.Segment.Index), nil); err != nil {
		return time.Time{}, err
	}
	startKey := a.key("start", n)
	if a.cfg.Segment.Lead() {
		if _, err := a.waitAll(ctx, a.keyOf(a.runID, "ready", n), fmt.Sprintf("get ready for run %d", n), n); err != nil {
			return time.Time{}, a.lose(err)
		}
		start := a.serverNow().Add(a.cfg.StartMargin).UTC()
		if err := a.put(ctx, startKey, []byte(start.Format(time.RFC3339Nano))); err != nil {
			return time.Time{}, err
		}
	}
	v, err := a.waitOne(ctx, startKey, n)
	if err != nil {
		if errors.As(err, new(aborted)) {
			return time.Time{}, err
		}
		ready, _ := a.present(ctx, a.keyOf(a.runID, "ready", n))
		return time.Time{}, a.lose(a.missing(ctx, fmt.Sprintf("get ready for run %d", n), absent(ready, a.cfg.Segment.Count), err))
	}
	start, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil {
		return time.Time{}, fmt.Errorf("run %d: start time %q from segment 0: %w", n, v, err)
	}
	return a.local(start), nil
}

// Counts gives this agent's counts of run n; segment 0 waits for every
// agent's and returns their sum, the others get their own back
// (runner.Coordinator).
func (a *Agent) Counts(ctx context.Context, n int, c runner.StepCounts) (runner.StepCounts, error) {
	if a.lost != nil {
		return c, a.lost
	}
	b, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	if err := a.put(ctx, a.key("counts", n, a.cfg.Segment.Index), b); err != nil {
		return c, err
	}
	if !a.cfg.Segment.Lead() {
		return c, nil
	}
	vals, err := a.waitAll(ctx, a.keyOf(a.runID, "counts", n), fmt.Sprintf("report its counts of run %d", n), n)
	if err != nil {
		return c, a.lose(err)
	}
	var sum runner.StepCounts
	for seg, v := range vals {
		var one runner.StepCounts
		if err := json.Unmarshal(v, &one); err != nil {
			return c, fmt.Errorf("run %d: counts of agent %d/%d: %w", n, seg, a.cfg.Segment.Count, err)
		}
		sum.Sent += one.Sent
		sum.Acked += one.Acked
	}
	return sum, nil
}

// lose records that an agent did not come: every later barrier fails with
// the same error at once.
func (a *Agent) lose(err error) error {
	if a.lost == nil && !errors.Is(err, context.Canceled) && !errors.As(err, new(aborted)) {
		a.lost = fmt.Errorf("%w; the run goes on without it: every later run fails", err)
	}
	return err
}

func (a *Agent) put(ctx context.Context, key string, v []byte) error {
	if _, err := a.kv.Put(ctx, key, v); err != nil {
		return fmt.Errorf("control server: put %s: %w", key, err)
	}
	return nil
}

// waitOne waits up to the timeout for key to be put, and returns its value;
// an agent's abort of run n ends the wait at once.
func (a *Agent) waitOne(ctx context.Context, key string, n int) ([]byte, error) {
	wctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	abort := a.key("abort", n) + "."
	w, err := a.kv.WatchFiltered(wctx, []string{key, abort + "*"})
	if err != nil {
		return nil, fmt.Errorf("control server: watch %s: %w", key, err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return nil, wctx.Err()
			}
			switch {
			case e == nil || e.Operation() != jetstream.KeyValuePut:
			case strings.HasPrefix(e.Key(), abort):
				return nil, a.abortOf(e, n)
			default:
				return e.Value(), nil
			}
		case <-wctx.Done():
			return nil, wctx.Err()
		}
	}
}

// waitAll waits up to the timeout until every segment has put prefix.<seg>,
// and returns their values by segment. What the agents were to do names
// them in the error when some did not. An agent's abort of run n (n > 0)
// ends the wait at once.
func (a *Agent) waitAll(ctx context.Context, prefix, what string, n int) (map[int][]byte, error) {
	if !strings.HasPrefix(prefix, a.runID+".") {
		prefix = a.key(prefix)
	}
	wctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	filters := []string{prefix + ".*"}
	abort := a.key("abort", n) + "."
	if n > 0 {
		filters = append(filters, abort+"*")
	}
	w, err := a.kv.WatchFiltered(wctx, filters)
	if err != nil {
		return nil, fmt.Errorf("control server: watch %s: %w", prefix, err)
	}
	defer func() { _ = w.Stop() }()
	got := map[int][]byte{}
	for len(got) < a.cfg.Segment.Count {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return got, a.missing(ctx, what, absent(got, a.cfg.Segment.Count), wctx.Err())
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			if n > 0 && strings.HasPrefix(e.Key(), abort) {
				return got, a.abortOf(e, n)
			}
			seg, err := strconv.Atoi(e.Key()[len(prefix)+1:])
			if err == nil && seg >= 0 && seg < a.cfg.Segment.Count {
				got[seg] = e.Value()
			}
		case <-wctx.Done():
			return got, a.missing(ctx, what, absent(got, a.cfg.Segment.Count), wctx.Err())
		}
	}
	return got, nil
}

// present reads which segments have put prefix.<seg>.
func (a *Agent) present(ctx context.Context, prefix string) (map[int][]byte, error) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	keys, err := a.kv.Keys(lctx, jetstream.MetaOnly())
	got := map[int][]byte{}
	for _, k := range keys {
		if rest, ok := strings.CutPrefix(k, prefix+"."); ok {
			if seg, err := strconv.Atoi(rest); err == nil {
				got[seg] = nil
			}
		}
	}
	return got, err
}

// absent lists the segments of n missing from got.
func absent(got map[int][]byte, n int) []int {
	var out []int
	for s := range n {
		if _, ok := got[s]; !ok {
			out = append(out, s)
		}
	}
	return out
}

// missing is the error of a wait that ended before the agents segs did
// what they were to do: interrupted, or timed out naming them.
func (a *Agent) missing(ctx context.Context, what string, segs []int, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted while waiting for the other agents: %w", ctx.Err())
	}
	slices.Sort(segs)
	names := make([]string, len(segs))
	for i, s := range segs {
		names[i] = fmt.Sprintf("%d/%d", s, a.cfg.Segment.Count)
	}
	who := "agent " + strings.Join(names, ", ")
	if len(segs) > 1 {
		who = "agents " + strings.Join(names, ", ")
	}
	if len(segs) == 0 {
		who = "an agent"
	}
	return fmt.Errorf("%s did not %s within %s (--agent-timeout; its process ended, or it cannot reach the control server?): %w",
		who, what, a.cfg.Timeout, err)
}

// Forget removes this run's keys from the control bucket (segment 0, once
// every agent has reported its last counts: no agent reads them again).
// The results bucket stays, for `stationbench merge --control`, until its
// TTL.
func (a *Agent) Forget(ctx context.Context) error {
	if !a.cfg.Segment.Lead() {
		return nil
	}
	keys, err := a.kv.Keys(ctx, jetstream.MetaOnly())
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return fmt.Errorf("control server: list keys: %w", err)
	}
	var errs []error
	for _, k := range keys {
		if strings.HasPrefix(k, a.runID+".") {
			errs = append(errs, a.kv.Purge(ctx, k))
		}
	}
	if e, err := a.kv.Get(ctx, a.lobbyKey()); err == nil && string(e.Value()) == a.runID {
		errs = append(errs, a.kv.Purge(ctx, a.lobbyKey(), jetstream.LastRevision(e.Revision())))
	}
	return errors.Join(errs...)
}
