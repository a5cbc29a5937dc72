package scenarios

import (
	"errors"
	"strings"
	"testing"
)

func TestKafkaDefaults(t *testing.T) {
	s, err := Parse("k.yaml", []byte("name: k\ntargets:\n  - kind: kafka\n    url: kafka://a:9092, b:9093\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	k := s.Targets[0]
	if k.Ack != KafkaAckAll || k.BatchBytes != DefaultBatchBytes || k.Linger != 0 || s.Station.Partitions != 1 || s.Station.Replicas != 1 {
		t.Errorf("target %+v, station %+v", k, s.Station)
	}
	seeds, tls := KafkaBrokers(k.URL)
	if strings.Join(seeds, " ") != "a:9092 b:9093" || tls {
		t.Errorf("seeds %q, tls %v", seeds, tls)
	}
	if seeds, tls := KafkaBrokers("kafka+tls://a:1,kafka+tls://b:2"); strings.Join(seeds, " ") != "a:1 b:2" || !tls {
		t.Errorf("tls seeds %q, tls %v", seeds, tls)
	}
	j, err := Parse("j.yaml", []byte("name: j\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if j.Targets[0].Ack != "" || j.Targets[0].BatchBytes != 0 {
		t.Errorf("kafka defaults leaked into a jetstream target: %+v", j.Targets[0])
	}
}

// Bad kafka fields, and what Kafka cannot do, are named with file, line
// and key; a password is never shown.
func TestKafkaInvalid(t *testing.T) {
	const k = "name: k\ntargets:\n  - kind: kafka\n"
	for _, tc := range []struct {
		name, doc string
		line      int
		key, msg  string
	}{
		{"ack async", k + "    ack: async\n", 4, "targets[0].ack", "sync and async (how many messages are in flight) go in producers.ack"},
		{"ack word", k + "    ack: most\n", 4, "targets[0].ack", "want none (no acknowledgement), leader or all"},
		{"producers ack", k + "producers:\n  ack: all\n", 5, "producers.ack", "want sync or async"},
		{"producers ack level", k + "producers:\n  ack: all\n", 5, "producers.ack", "a kafka target takes it as its own ack (targets[].ack)"},
		{"ack elsewhere", "name: k\ntargets:\n  - kind: jetstream\n    ack: leader\n", 4, "targets[0].ack", "kafka targets only"},
		{"linger elsewhere", "name: k\ntargets:\n  - kind: nats\n    lingerMs: 5\n", 4, "targets[0].lingerMs", "kafka targets only"},
		{"linger range", k + "    lingerMs: 120000\n", 4, "targets[0].lingerMs", "must be 0 to 60000"},
		{"batch range", k + "    batchBytes: 100\n", 4, "targets[0].batchBytes", "must be 512 bytes to 1GiB"},
		{"batch too small", k + "    batchBytes: 1KiB\nmessage:\n  size: 1KiB\n", 4, "targets[0].batchBytes", "cannot hold one record of message.size 1024"},
		{"nats url", k + "    url: nats://a:4222\n", 4, "targets[0].url", "kafka://host:9092"},
		{"no port", k + "    url: kafka://a:9092,b\n", 4, "targets[0].url", "entry 2, \"b\": want host:port"},
		{"user info", k + "    url: kafka://me:secret@a:9092\n", 4, "targets[0].url", "holds user info"},
		{"no sasl", k + "    username: u\n    password: hunter2hunter2\n", 3, "targets[0].sasl", "needs its SASL mechanism"},
		{"bad sasl", k + "    username: u\n    password: p\n    sasl: gssapi\n", 6, "targets[0].sasl", "want plain, scram-sha-256 or scram-sha-512"},
		{"token", k + "    connectionToken: tok\n", 4, "targets[0].connectionToken", "Kafka has no connection tokens"},
		{"memory", k + "station:\n  storage: memory\n", 5, "station.storage", "storage memory cannot apply to a kafka target"},
		{"subject", k + "station:\n  subject: a.b\n", 5, "station.subject", "writes to the topic station.name"},
		{"partitions", k + "station:\n  partitions: 0\n", 5, "station.partitions", "1 to 10000 partitions"},
		{"dedup", k + "message:\n  dedup: true\n", 5, "message.dedup", "needs a memphis target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("k.yaml", []byte(tc.doc), nil)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("err = %v, want Errors", err)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "secret") {
				t.Errorf("a credential is shown: %v", err)
			}
			for _, e := range es {
				if e.Line == tc.line && e.Key == tc.key && strings.Contains(e.Msg, tc.msg) {
					return
				}
			}
			t.Errorf("want k.yaml:%d: %s: ...%s...; got\n%v", tc.line, tc.key, tc.msg, err)
		})
	}
}
