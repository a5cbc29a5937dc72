package scenarios

import (
	"errors"
	"testing"
)

// Every kind has its rules once, with an address check; messages name
// them all, as before the list existed.
func TestKindsList(t *testing.T) {
	seen := map[Kind]bool{}
	for _, r := range Kinds() {
		if r.Kind == "" || seen[r.Kind] || r.target == nil {
			t.Errorf("kind %q: listed twice, unnamed or without an address check", r.Kind)
		}
		seen[r.Kind] = true
	}
	if got, want := kindList(), "nats, jetstream, memphis, memphis-http, kafka or mqtt"; got != want {
		t.Errorf("kind list %q, want %q", got, want)
	}
}

// The kind-specific messages keep their text, file, line and key.
func TestKindMessages(t *testing.T) {
	for doc, want := range map[string]string{
		"name: m\ntargets:\n  - kind: amqp\n":                      `m.yaml:3: targets[0].kind: "amqp" is not a kind: want nats, jetstream, memphis, memphis-http, kafka or mqtt`,
		"name: m\ntargets:\n  - kind: nats\nmessage:\n  size: 8\n": `m.yaml:5: message.size: a nats target (targets[0]) needs at least 16 bytes: the payload carries two timestamps; got 8`,
	} {
		_, err := Parse("m.yaml", []byte(doc), nil)
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 || es[0].Error() != want {
			t.Errorf("got %v\nwant %s", err, want)
		}
	}
}
