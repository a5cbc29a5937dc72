package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/report"
	"github.com/stationbench/stationbench/result"
)

// fillStream creates a stream with metadata meta and n messages.
func fillStream(t *testing.T, js jetstream.JetStream, name string, meta map[string]string, n int) {
	t.Helper()
	ctx := testCtx(t)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"},
		Storage: jetstream.MemoryStorage, Metadata: meta}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := js.Publish(ctx, name+".user", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUsersStreamNeverPurged: a stream that existed before the run and is
// not stationbench's is written into as it is, even with reset (the
// default) and cleanup: delete; the result says it existed, in result.json
// and every report.
func TestUsersStreamNeverPurged(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	js := jsClient(t, srv.URL())
	fillStream(t, js, "precious", nil, 5)
	sc := scenario(t, fmt.Sprintf(`
name: precious
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: precious, storage: memory, cleanup: delete}
producers: {counts: [1, 2], maxPending: 16}
message: {size: 64}
load: {duration: 300ms, warmup: 0s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	s, err := js.Stream(testCtx(t), "precious")
	if err != nil {
		t.Fatalf("the user's stream: %v", err)
	}
	info, err := s.Info(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.FirstSeq != 1 {
		t.Errorf("first sequence %d: the user's messages were purged", info.State.FirstSeq)
	}
	const want = "existed before the run"
	for i, r := range res.Runs {
		if !strings.Contains(strings.Join(r.Notes, "\n"), want) {
			t.Errorf("run %d notes %q: want %q", i, r.Notes, want)
		}
	}
	assertEverywhere(t, res, want)
}

// assertEverywhere writes every report of res and checks that each holds
// text.
func assertEverywhere(t *testing.T, res *result.Result, text string) {
	t.Helper()
	dir := t.TempDir()
	if err := report.WriteAll(dir, res); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{report.FileResult, report.FileSummary, report.FileHTML} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), text) {
			t.Errorf("%s does not say %q", f, text)
		}
	}
	var md bytes.Buffer
	if err := report.Markdown(&md, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), text) {
		t.Errorf("markdown does not say %q:\n%s", text, md.String())
	}
}

// TestUsersStreamPurgedWhenAsked: purgeExisting: true is the explicit way.
func TestUsersStreamPurgedWhenAsked(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	js := jsClient(t, srv.URL())
	fillStream(t, js, "scratch", nil, 5)
	sc := scenario(t, fmt.Sprintf(`
name: scratch
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: scratch, storage: memory, purgeExisting: true, cleanup: delete}
producers: {counts: [1], maxPending: 16}
message: {size: 64}
load: {duration: 300ms, warmup: 0s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	info, err := mustStream(t, js, "scratch").Info(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.FirstSeq == 1 {
		t.Error("not purged, though purgeExisting is true")
	}
	if !strings.Contains(strings.Join(res.Runs[0].Notes, "\n"), "purged") {
		t.Errorf("notes %q: want the purge said", res.Runs[0].Notes)
	}
}

func mustStream(t *testing.T, js jetstream.JetStream, name string) jetstream.Stream {
	t.Helper()
	s, err := js.Stream(testCtx(t), name)
	if err != nil {
		t.Fatalf("stream %q: %v", name, err)
	}
	return s
}

// TestLeftoverStreamReusedAndSaid: a stream an earlier stationbench run
// left (its metadata says so) is reused and purged, and the result says so.
func TestLeftoverStreamReusedAndSaid(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	js := jsClient(t, srv.URL())
	fillStream(t, js, "leftover", map[string]string{"created_by": "stationbench", "stationbench_run_id": "earlier"}, 5)
	sc := scenario(t, fmt.Sprintf(`
name: leftover
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: leftover, storage: memory, cleanup: keep}
producers: {counts: [1], maxPending: 16}
message: {size: 64}
load: {duration: 300ms, warmup: 0s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	notes := strings.Join(res.Runs[0].Notes, "\n")
	if !strings.Contains(notes, "leftover") || !strings.Contains(notes, "earlier") {
		t.Errorf("notes %q: want the leftover of run earlier named", res.Runs[0].Notes)
	}
	info, err := mustStream(t, js, "leftover").Info(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.State.FirstSeq == 1 {
		t.Error("the leftover was not purged")
	}
}

// TestCreatedStreamCarriesRunID: what the run creates is marked with
// stationbench and the run id, which the result holds.
func TestCreatedStreamCarriesRunID(t *testing.T) {
	t.Parallel()
	srv := natstest.Start(t)
	js := jsClient(t, srv.URL())
	sc := scenario(t, fmt.Sprintf(`
name: marked
targets: [{name: local, kind: jetstream, url: %q}]
station: {name: marked, storage: memory, cleanup: keep}
load: {duration: 200ms, warmup: 0s}
`, srv.URL()))
	res := Run(context.Background(), sc, Options{})
	if res.Status != result.StatusComplete {
		t.Fatalf("status %s: %s", res.Status, res.Error)
	}
	info, err := mustStream(t, js, "marked").Info(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	md := info.Config.Metadata
	if md["created_by"] != "stationbench" || md["stationbench_run_id"] == "" {
		t.Errorf("metadata %v: want created_by stationbench and the run id", md)
	}
	if got := runIDOf(t, res); got != md["stationbench_run_id"] {
		t.Errorf("result run id %q, stream says %q", got, md["stationbench_run_id"])
	}
}

// runIDOf reads the run id as result.json has it.
func runIDOf(t *testing.T, res *result.Result) string {
	t.Helper()
	var buf bytes.Buffer
	if err := result.Encode(&buf, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		RunID string `json:"run_id"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.RunID
}
