package scenarios

import (
	"errors"
	"strings"
	"testing"
)

func TestMemphisDefaults(t *testing.T) {
	doc := `name: m
targets:
  - name: proto
    kind: memphis
    password: memphis
  - name: rest
    kind: memphis-http
    connectionToken: tok
  - name: there
    kind: memphis
    url: nats://broker:7777
    password: memphis
station:
  name: Orders.EU
`
	s, err := Parse("m.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, h, u := s.Targets[0], s.Targets[1], s.Targets[2]
	if p.URL != "nats://localhost:6666" || p.Username != "root" || p.AccountID != 1 {
		t.Errorf("memphis target = %+v", p)
	}
	if h.URL != "http://localhost:4444" || h.Username != "root" || h.NATSPort != DefaultMemphisPort || p.NATSPort != 0 {
		t.Errorf("memphis-http target = %+v", h)
	}
	if u.URL != "nats://broker:7777" || u.Host != "" || u.Port != 0 {
		t.Errorf("url target = %+v", u)
	}
	st := s.Station
	if st.Partitions != 1 || st.RetentionType != RetentionMessageAge || st.RetentionValue != DefaultRetentionValue ||
		st.IdempotencyWindow != DefaultIdempotencyWindow || s.Message.Batch != 1 {
		t.Errorf("station %+v, batch %d", st, s.Message.Batch)
	}
}

func TestMemphisNotDefaultedForOtherKinds(t *testing.T) {
	s, err := Parse("j.yaml", []byte("name: j\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Station.Partitions != 0 || s.Station.RetentionType != "" || s.Message.Batch != 0 || s.Targets[0].NATSPort != 0 {
		t.Errorf("memphis defaults leaked into a jetstream scenario: %+v %+v", s.Station, s.Message)
	}
}

func TestMemphisInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		line      int
		key, msg  string
	}{
		{"both secrets", "name: m\ntargets:\n  - kind: memphis\n    password: p\n    connectionToken: t\n",
			5, "targets[0].connectionToken", "exactly one of password or connectionToken"},
		{"no secret", "name: m\ntargets:\n  - kind: memphis\n", 3, "targets[0].password", "needs a password or a connectionToken"},
		{"host and url", "name: m\ntargets:\n  - kind: memphis\n    url: nats://a:1\n    host: b\n    password: p\n",
			5, "targets[0].host", "either url or host"},
		{"embedded", "name: m\ntargets:\n  - kind: memphis\n    url: embedded\n    password: p\n",
			4, "targets[0].url", "needs a broker"},
		{"http scheme", "name: m\ntargets:\n  - kind: memphis-http\n    url: nats://a:1\n    password: p\n",
			4, "targets[0].url", "http:// or https://"},
		{"user with account", "name: m\ntargets:\n  - kind: memphis\n    username: root$1\n    password: p\n",
			4, "targets[0].username", "accountId"},
		{"station start", "name: m\ntargets:\n  - kind: memphis\n    password: p\nstation:\n  name: .orders\n",
			6, "station.name", "start and end with a letter or digit"},
		{"station chars", "name: m\ntargets:\n  - kind: memphis\n    password: p\nstation:\n  name: orders+eu\n",
			6, "station.name", "only letters, digits, '_', '.' and '-'"},
		{"station length", "name: m\ntargets:\n  - kind: memphis\n    password: p\nstation:\n  name: " + strings.Repeat("a", 129) + "\n",
			6, "station.name", "too long"},
		{"producer name", "name: m\ntargets:\n  - kind: memphis\n    password: p\nproducers:\n  name: _bench\n",
			6, "producers.name", "start and end"},
		{"retention", "name: m\ntargets:\n  - kind: memphis\n    password: p\nstation:\n  retentionType: forever\n",
			6, "station.retentionType", "want message_age_sec"},
		{"partitions", "name: m\ntargets:\n  - kind: memphis\n    password: p\nstation:\n  partitions: 0\n",
			6, "station.partitions", "must be 1 to"},
		{"dedup elsewhere", "name: m\nmessage:\n  dedup: true\n", 3, "message.dedup", "needs a memphis target"},
		{"dedup type", "name: m\nmessage:\n  dedup: yes please\n", 3, "message.dedup", "true or false"},
		{"batch window", "name: m\ntargets:\n  - kind: memphis-http\n    password: p\nproducers:\n  maxPending: 4\nmessage:\n  batch: 10\n",
			8, "message.batch", "maxPending of at least 10"},
		{"natsPort range", "name: m\ntargets:\n  - kind: memphis-http\n    password: p\n    natsPort: 70000\n",
			5, "targets[0].natsPort", "must be 1 to 65535"},
		{"natsPort elsewhere", "name: m\ntargets:\n  - kind: memphis\n    password: p\n    natsPort: 6666\n",
			5, "targets[0].natsPort", "memphis-http targets only"},
		{"batch elsewhere", "name: m\nmessage:\n  batch: 10\n", 3, "message.batch", "memphis-http targets only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(tc.doc), nil)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("err = %v, want Errors", err)
			}
			for _, e := range es {
				if e.Line == tc.line && e.Key == tc.key && strings.Contains(e.Msg, tc.msg) {
					return
				}
			}
			t.Errorf("want m.yaml:%d: %s: ...%s...; got\n%v", tc.line, tc.key, tc.msg, err)
		})
	}
}

func TestMemphisNameError(t *testing.T) {
	for name, ok := range map[string]bool{
		"orders": true, "Orders.EU": true, "a_b-c.d": true, "x": true,
		"": false, "-a": false, "a-": false, "a b": false, "a$b": false, strings.Repeat("a", 129): false,
	} {
		if err := MemphisNameError(name); (err == nil) != ok {
			t.Errorf("MemphisNameError(%q) = %v", name, err)
		}
	}
}
