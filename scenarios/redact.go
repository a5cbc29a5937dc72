package scenarios

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stationbench/stationbench/internal/redact"
)

// This file keeps credentials out of what the package returns: the Secret
// type, Redacted for results, and the helpers that keep them out of error
// messages.

// Secret holds a credential. It never prints or marshals its value: String,
// JSON and YAML all give "***" when it is set.
type Secret string

// Redacted is what a set secret shows in every output.
const Redacted = "***"

// Value returns the credential itself, for the code that authenticates.
func (s Secret) Value() string { return string(s) }

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString hides the value from %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// MarshalJSON hides the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalYAML hides the value.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// Redacted returns a deep copy that is safe to print or store: set secrets
// become "***" (even through Value) and the user info of every address in
// a target URL (a password, or a token given as the user) is hidden. Key
// and certificate file paths are kept.
func (s Scenario) Redacted() Scenario {
	out := s
	out.Targets = slices.Clone(s.Targets)
	for i := range out.Targets {
		t := &out.Targets[i]
		t.Password = redactSecret(t.Password)
		t.ConnectionToken = redactSecret(t.ConnectionToken)
		t.URL = redact.URL(t.URL)
		t.Host = redact.URL(t.Host)
		t.NATSURL = redact.URL(t.NATSURL)
		t.Reconnect = cloneBool(t.Reconnect)
		t.CleanSession = cloneBool(t.CleanSession)
		t.QoS = cloneInt(t.QoS)
	}
	out.Station.Reset = cloneBool(s.Station.Reset)
	out.Station.Subscribe = cloneBool(s.Station.Subscribe)
	out.Station.Verify = cloneBool(s.Station.Verify)
	out.Producers.Counts = slices.Clone(s.Producers.Counts)
	out.Load.Rates = slices.Clone(s.Load.Rates)
	redactObserve(&out, s)
	return out
}

func redactSecret(v Secret) Secret {
	if v == "" {
		return ""
	}
	return Redacted
}

func cloneBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}

// Limits on what an error message shows.
const (
	maxShown    = 64  // bytes of a value quoted in a message
	maxKeyShown = 120 // bytes of a key path
	maxMsgShown = 360 // bytes of a message
	cutMark     = "..."
	// minHidden is the shortest secret hidden wherever it appears in a
	// message: shorter ones would blank out ordinary words.
	minHidden = 4
)

// secretsOf lists the credentials a scenario holds: the secret fields and
// the user info of each target's URL.
func secretsOf(ts []Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Password.Value(), t.ConnectionToken.Value())
		out = append(out, redact.Passwords(t.URL)...)
		out = append(out, redact.Passwords(t.Host)...)
		out = append(out, redact.Passwords(t.NATSURL)...)
	}
	return out
}

// maxSecrets bounds the secrets searched for in each message; a scenario
// with more (a password given as a long list) is invalid anyway, and the
// fields themselves never show their values.
const maxSecrets = 64

// hideable keeps the distinct secrets long enough to hide, at most
// maxSecrets of them.
func hideable(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if len(s) >= minHidden && !slices.Contains(out, s) && len(out) < maxSecrets {
			out = append(out, s)
		}
	}
	return out
}

// shown quotes a value for a message: user info hidden, secrets hidden,
// long values cut.
func shown(v string, secrets []string) string {
	return strconv.Quote(cleanText(v, secrets, maxShown))
}

// cleanText makes a message or key safe to print: secrets and anything that
// looks like user info hidden, and at most limit bytes.
func cleanText(s string, secrets []string, limit int) string {
	return cut(redact.Text(hideSecrets(s, secrets)), limit)
}

// cut shortens s to about limit bytes, on a character boundary, marking
// the cut.
func cut(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	n := limit - len(cutMark)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + cutMark
}

// hideSecrets replaces every secret (of at least minHidden bytes) found in
// s, as it is, as it looks quoted or with user info hidden, and a secret's
// start left where a long value was cut.
func hideSecrets(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) < minHidden {
			continue
		}
		// describe (scalars.go) shows values with user info hidden first.
		seen := redact.Text(sec)
		for _, form := range []string{sec, quoteInner(sec), seen, quoteInner(seen)} {
			if len(form) < minHidden {
				continue
			}
			s = strings.ReplaceAll(s, form, Redacted)
			s = hideCutSecret(s, form)
		}
	}
	return s
}

// quoteInner is v as it looks inside a quoted string.
func quoteInner(v string) string {
	q := strconv.Quote(v)
	return q[1 : len(q)-1]
}

// hideCutSecret hides the start of secret where it ends right before a cut
// mark: a long value shown cut short.
func hideCutSecret(s, secret string) string {
	for from := 0; ; {
		i := strings.Index(s[from:], cutMark)
		if i < 0 {
			return s
		}
		p := from + i
		// A cut value shows at most maxShown bytes.
		for k := min(len(secret)-1, p, maxShown); k >= minHidden; k-- {
			if s[p-k:p] == secret[:k] {
				s = s[:p-k] + Redacted + s[p:]
				p = p - k + len(Redacted)
				break
			}
		}
		from = p + len(cutMark)
	}
}
