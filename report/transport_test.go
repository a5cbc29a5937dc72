package report

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stationbench/stationbench/result"
)

// TestTargetTransportShown: the summary, the markdown and the HTML report
// name each target's transport, and say nothing of it for a result from
// before it was recorded.
func TestTargetTransportShown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		render func(io.Writer, *result.Result) error
		want   []string
	}{
		{"summary", Summary, []string{"target:     tcp (jetstream, embedded, tcp) server", "target:     websocket (jetstream, embedded, websocket) server"}},
		{"markdown", Markdown, []string{"- target tcp: jetstream over tcp at embedded (nats://", "- target websocket: jetstream over websocket at embedded (ws://"}},
		{"html", HTML, []string{"<td>target tcp</td><td>jetstream over tcp at embedded (nats://", "<td>target websocket</td><td>jetstream over websocket at embedded (ws://"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := closedResult(t)
			r.Env.Targets = []result.TargetEnv{
				{Name: "tcp", Kind: "jetstream", URL: "embedded (nats://127.0.0.1:4222)", Embedded: true, ServerVersion: "2.15.2", Transport: "tcp"},
				{Name: "websocket", Kind: "jetstream", URL: "embedded (ws://127.0.0.1:8080)", Embedded: true, ServerVersion: "2.15.2", Transport: "websocket"},
			}
			var buf bytes.Buffer
			if err := tc.render(&buf, r); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("no %q in:\n%s", w, buf.String())
				}
			}
			r.Env.Targets[1].Transport = "" // a result from before transports were recorded
			buf.Reset()
			if err := tc.render(&buf, r); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(buf.String(), "websocket, ") || strings.Contains(buf.String(), "over websocket") {
				t.Errorf("a transport shown that the result does not record:\n%s", buf.String())
			}
		})
	}
}
