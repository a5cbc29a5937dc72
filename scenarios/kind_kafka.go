package scenarios

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/stationbench/stationbench/internal/redact"
)

// Kafka defaults and limits.
const (
	// KafkaScheme starts a kafka target's url: kafka://host:9092,host2:9092.
	KafkaScheme = "kafka://"
	// KafkaTLSScheme is the same over TLS, with the system's roots unless
	// caFile names others (a TLS file alone also turns TLS on).
	KafkaTLSScheme    = "kafka+tls://"
	DefaultKafkaAck   = KafkaAckAll
	DefaultBatchBytes = ByteSize(1000012) // Kafka's max.message.bytes, franz-go's default
	MinBatchBytes     = ByteSize(512)     // franz-go's smallest batch
	MaxBatchBytes     = ByteSize(1 << 30) // franz-go's largest batch
	MaxLinger         = Milliseconds(time.Minute)
	// KafkaRecordOverhead is what a record batch holding one record takes
	// beyond the record's value: the batch header (61 bytes) and the
	// record's own framing, rounded up.
	KafkaRecordOverhead = 128
)

// Kafka acknowledgement levels (targets[].ack).
const (
	KafkaAckNone   = "none"
	KafkaAckLeader = "leader"
	KafkaAckAll    = "all"
)

// Kafka SASL mechanisms (targets[].sasl).
const (
	SASLPlain       = "plain"
	SASLScramSHA256 = "scram-sha-256"
	SASLScramSHA512 = "scram-sha-512"
)

// KafkaRules are the YAML rules of kind kafka: produce to a Kafka topic
// with franz-go, timed to each record's produce callback. The station is
// the topic station.name, with station.partitions and station.replicas,
// created when missing; the target sets the acknowledgement level (ack),
// lingerMs, batchBytes and the SASL mechanism of its username and
// password.
func KafkaRules() KindRules {
	return KindRules{
		Kind: KindKafka,
		Fields: []string{"targets[].ack", "targets[].lingerMs", "targets[].batchBytes", "targets[].sasl",
			"station.partitions", "station.replicas", "station.purgeExisting", "station.verify"},
		targetDefaults: kafkaTargetDefaults,
		defaults:       kafkaDefaults,
		target:         (*checker).kafkaTarget,
		check:          (*checker).kafka,
	}
}

// kafkaTargetDefaults fills a kafka target's acknowledgement level and
// batch size.
func kafkaTargetDefaults(t *Target) {
	if t.Kind != KindKafka {
		return
	}
	t.Ack = strOr(t.Ack, DefaultKafkaAck)
	if t.BatchBytes == 0 {
		t.BatchBytes = DefaultBatchBytes
	}
}

// kafkaDefaults gives the topic one partition unless the file says more.
func kafkaDefaults(s *Scenario, set func(string) bool) {
	if !set("station.partitions") {
		s.Station.Partitions = DefaultPartitions
	}
}

// KafkaBrokers are the host:port seeds of a kafka url, and whether it
// asks for TLS (kafka+tls://).
func KafkaBrokers(url string) (seeds []string, tls bool) {
	rest, tls := strings.CutPrefix(url, KafkaTLSScheme)
	if !tls {
		rest, _ = strings.CutPrefix(url, KafkaScheme)
	}
	for _, s := range strings.Split(rest, ",") {
		s = strings.TrimSpace(s)
		if t, ok := strings.CutPrefix(s, KafkaTLSScheme); ok {
			s = t
		} else {
			s, _ = strings.CutPrefix(s, KafkaScheme)
		}
		seeds = append(seeds, s)
	}
	return seeds, tls
}

// kafkaTarget checks a kafka target's address, credentials and producer
// settings.
func (c *checker) kafkaTarget(key string, t Target) {
	if !t.IsEmbedded() {
		c.kafkaURL(key+"url", t.URL)
	}
	switch {
	case t.ConnectionToken != "":
		c.bad(key+"connectionToken", "Kafka has no connection tokens: log in with username, password and sasl")
	case t.CredsFile != "" || t.NKeyFile != "":
		c.bad(key+"credsFile", "credsFile and nkeyFile are NATS credentials: a kafka target logs in with username, password and sasl")
	case t.Password != "" && t.Username == "":
		c.bad(key+"password", "a password needs a username")
	case t.Username != "" && t.SASL == "":
		c.bad(key+"sasl", "a kafka target with a username needs its SASL mechanism: %s, %s or %s", SASLPlain, SASLScramSHA256, SASLScramSHA512)
	case t.SASL != "" && t.Username == "":
		c.bad(key+"sasl", "sasl needs a username and password")
	}
	switch t.SASL {
	case "", SASLPlain, SASLScramSHA256, SASLScramSHA512:
	default:
		c.bad(key+"sasl", "%s: want %s, %s or %s", c.show(t.SASL), SASLPlain, SASLScramSHA256, SASLScramSHA512)
	}
	switch t.Ack {
	case KafkaAckNone, KafkaAckLeader, KafkaAckAll:
	case AckSync, AckAsync:
		c.bad(key+"ack", "%s: a kafka target's ack is how far a record is written before the broker acknowledges it: %s, %s or %s; "+
			"sync and async (how many messages are in flight) go in producers.ack", c.show(t.Ack), KafkaAckNone, KafkaAckLeader, KafkaAckAll)
	default:
		c.bad(key+"ack", "%s: want %s (no acknowledgement), %s or %s (every in-sync replica)", c.show(t.Ack),
			KafkaAckNone, KafkaAckLeader, KafkaAckAll)
	}
	if t.Linger < 0 || t.Linger > MaxLinger {
		c.bad(key+"lingerMs", "must be 0 to %d, got %d", MaxLinger.Ms(), t.Linger.Ms())
	}
	if t.BatchBytes < MinBatchBytes || t.BatchBytes > MaxBatchBytes {
		c.bad(key+"batchBytes", "must be %d bytes to 1GiB, got %d", MinBatchBytes, t.BatchBytes)
	}
}

// kafkaURL checks a kafka url: kafka:// (or kafka+tls://) and one or more
// host:port seeds, comma-separated.
func (c *checker) kafkaURL(key, v string) {
	if !strings.HasPrefix(v, KafkaScheme) && !strings.HasPrefix(v, KafkaTLSScheme) {
		c.bad(key, "%s: a kafka target wants %q or kafka://host:9092[,host2:9092] (kafka+tls:// for TLS)", c.show(redact.URL(v)), Embedded)
		return
	}
	seeds, _ := KafkaBrokers(v)
	for i, s := range seeds {
		host, port, err := net.SplitHostPort(s)
		p, perr := strconv.Atoi(port)
		switch {
		case strings.Contains(s, "@"):
			c.bad(key, "entry %d holds user info: give the credentials in username, password and sasl", i+1)
		case err != nil || host == "" || strings.ContainsAny(host, "/?# \t"):
			c.bad(key, "entry %d, %s: want host:port", i+1, c.show(s))
		case perr != nil || p < 1 || p > 65535:
			c.bad(key, "entry %d, %s: the port must be 1 to 65535", i+1, c.show(s))
		default:
			continue
		}
		return
	}
}

// kafka checks what the kafka kind takes and cannot do: its target keys
// on other kinds, and the station options a Kafka topic has no use for.
func (c *checker) kafka(s Scenario) {
	switch s.Producers.Ack {
	case KafkaAckNone, KafkaAckLeader, KafkaAckAll: // besides "want sync or async"
		c.bad("producers.ack", "%s is a Kafka acknowledgement level: a kafka target takes it as its own ack (targets[].ack)", c.show(s.Producers.Ack))
	}
	for i, t := range s.Targets {
		if t.Kind == KindKafka {
			continue
		}
		key := fmt.Sprintf("targets[%d].", i)
		for _, f := range []struct {
			name string
			set  bool
		}{{"ack", t.Ack != ""}, {"lingerMs", t.Linger != 0}, {"batchBytes", t.BatchBytes != 0}, {"sasl", t.SASL != ""}} {
			if f.set {
				c.bad(key+f.name, "is for kafka targets only (producers.ack says sync or async for every kind)")
			}
		}
	}
	if !hasKind(s.Targets, KindKafka) {
		return
	}
	for i, t := range s.Targets {
		if t.Kind == KindKafka && t.BatchBytes >= MinBatchBytes && s.Message.Size.Int()+KafkaRecordOverhead > t.BatchBytes.Int() {
			c.bad(fmt.Sprintf("targets[%d].batchBytes", i), "%d bytes cannot hold one record of message.size %d (it takes up to %d bytes more)",
				t.BatchBytes, s.Message.Size, KafkaRecordOverhead)
		}
	}
	st := s.Station
	if st.Storage == "memory" {
		c.bad("station.storage", "a Kafka topic is always kept in the broker's log on disk: storage memory cannot apply to a kafka target; leave it at file")
	}
	if st.Subject != "" {
		c.bad("station.subject", "is a NATS subject: a kafka target writes to the topic station.name")
	}
	if st.Partitions < 1 { // the upper bound is checked with the other station options
		c.bad("station.partitions", "a kafka topic has 1 to %d partitions, got %d", MaxPartitions, st.Partitions)
	}
}
