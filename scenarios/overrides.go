package scenarios

import "fmt"

// Overrides are values given on the command line in place of the file's.
// LoadFile applies them after decoding and before defaults, so that the
// defaults never contradict them (a memphis target's default host does not
// fight a URL given) and validation judges the values the run will use.
// A problem with an overridden value names the flag, not a line.
type Overrides struct {
	// URL (--url) replaces every target's address: its url, and the host
	// and port that memphis kinds may give instead. A file without targets
	// gets one target, of the default kind, at URL.
	URL string
}

// Flags naming each override in messages.
const flagURL = "--url"

// apply writes the overrides into s, recording in flags which key each
// one set.
func (o Overrides) apply(s *Scenario, flags map[string]string) {
	if o.URL == "" {
		return
	}
	if len(s.Targets) == 0 {
		s.Targets = []Target{{}}
	}
	for i := range s.Targets {
		t := &s.Targets[i]
		t.URL, t.Host, t.Port = o.URL, "", 0
		flags[fmt.Sprintf("targets[%d].url", i)] = flagURL
	}
}
