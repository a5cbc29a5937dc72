package distributed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// agreeRunID settles the run id and registers this agent under it. With
// Config.RunID every agent has it. Without, segment 0 makes one and
// announces it under a lobby key named for the scenario and N; the other
// agents take the newest announcement that is younger than the timeout and
// whose segment is still free (so a finished earlier run is never joined).
// Two runs of one scenario with the same N at the same time on one control
// server need --run-id.
func (a *Agent) agreeRunID(ctx context.Context, me member) error {
	val, err := json.Marshal(me)
	if err != nil {
		return err
	}
	if a.cfg.RunID != "" || a.cfg.Segment.Lead() {
		a.runID = a.cfg.RunID
		if a.runID == "" {
			a.runID = NewRunID()
			if _, err := a.kv.Put(ctx, a.lobbyKey(), []byte(a.runID)); err != nil {
				return fmt.Errorf("announce the run: %w", err)
			}
		}
		if _, err := a.kv.Create(ctx, a.key("agent", a.cfg.Segment.Index), val); err != nil {
			if errors.Is(err, jetstream.ErrKeyExists) {
				return fmt.Errorf("run id %q already has an agent %s (an earlier run with this id? each run needs its own --run-id)", a.runID, a.cfg.Segment)
			}
			return fmt.Errorf("join run %s: %w", a.runID, err)
		}
		return nil
	}
	return a.joinLobby(ctx, val)
}

// joinLobby waits for segment 0's announcement of the run and joins it.
func (a *Agent) joinLobby(ctx context.Context, val []byte) error {
	wctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	w, err := a.kv.Watch(wctx, a.lobbyKey())
	if err != nil {
		return fmt.Errorf("wait for segment 0: %w", err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return a.lobbyTimeout(ctx)
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut || a.serverNow().Sub(e.Created()) > a.cfg.Timeout {
				continue // the end of the initial values, or an old announcement
			}
			id := string(e.Value())
			if CheckRunID(id) != nil {
				continue
			}
			_, err := a.kv.Create(ctx, a.keyOf(id, "agent", a.cfg.Segment.Index), val)
			switch {
			case errors.Is(err, jetstream.ErrKeyExists):
				continue // an earlier run's: wait for the next announcement
			case err != nil:
				return fmt.Errorf("join run %s: %w", id, err)
			}
			a.runID = id
			return nil
		case <-wctx.Done():
			return a.lobbyTimeout(ctx)
		}
	}
}

func (a *Agent) lobbyTimeout(ctx context.Context) error {
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted while waiting for segment 0: %w", ctx.Err())
	}
	return fmt.Errorf("agent 0/%d did not announce a run of scenario %q within %s (not started, or started with --run-id: pass the same --run-id to every agent)",
		a.cfg.Segment.Count, a.cfg.Scenario, a.cfg.Timeout)
}

// keyUnsafe is what a key token may not hold.
var keyUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// lobbyKey is where segment 0 announces a run without --run-id.
func (a *Agent) lobbyKey() string {
	return "lobby." + keyUnsafe.ReplaceAllString(a.cfg.Scenario, "_") + "." + strconv.Itoa(a.cfg.Segment.Count)
}

// NewRunID is a random id for one run.
func NewRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
