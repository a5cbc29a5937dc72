// Package scenarios loads, normalizes and validates stationbench scenario files.
//
// A scenario is a YAML document. LoadFile decodes it strictly (unknown keys
// are errors), expands ${VAR} from the environment, applies the command
// line's overrides (such as --url), then defaults, and validates every
// field, reporting all problems at once with the file, line and key of each
// (or the flag, for a value given on the command line). The result is a
// plain value with no I/O attached; package plan lays it out as runs.
package scenarios

import "time"

// Kind names the protocol a target speaks.
type Kind string

// Target kinds.
const (
	KindNATS      Kind = "nats"      // core NATS publish, delivery measured by a subscriber
	KindJetStream Kind = "jetstream" // JetStream publish, latency to the PubAck
	// KindMemphis speaks the Memphis producer protocol over NATS; latency to the PubAck.
	KindMemphis Kind = "memphis"
	// KindMemphisHTTP produces through the Memphis REST gateway; latency is the HTTP round trip.
	KindMemphisHTTP Kind = "memphis-http"
	// KindKafka produces to a Kafka topic (franz-go); latency to the produce callback.
	KindKafka Kind = "kafka"
	// KindMQTT publishes over MQTT 3.1.1; QoS 1 is timed to the PUBACK,
	// QoS 0 by the harness's subscriber.
	KindMQTT Kind = "mqtt"
)

// Embedded is the URL value (and the meaning of an empty URL) that selects the
// in-process nats-server with JetStream.
const Embedded = "embedded"

// Scenario is one normalized, validated scenario file.
type Scenario struct {
	Name        string    `yaml:"name" json:"name"`
	Description string    `yaml:"description,omitempty" json:"description,omitempty"`
	Targets     []Target  `yaml:"targets" json:"targets"`
	Station     Station   `yaml:"station" json:"station"`
	Producers   Producers `yaml:"producers" json:"producers"`
	Message     Message   `yaml:"message" json:"message"`
	Load        Load      `yaml:"load" json:"load"`
	// Thresholds are pass/fail rules checked after the run.
	Thresholds []Threshold `yaml:"thresholds,omitempty" json:"thresholds,omitempty"`
	// Labels are free key/value pairs (a git revision, a cluster name)
	// carried into the result and every report.
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Phases pause and resume producers during each step (phases.go).
	Phases []Phase `yaml:"phases,omitempty" json:"phases,omitempty"`
	// Trace, when set, writes trace events to trace.jsonl.
	Trace *Trace `yaml:"trace,omitempty" json:"trace,omitempty"`

	// File is the path the scenario was read from; empty for in-memory input.
	File string `yaml:"-" json:"-"`
}

// Target is one broker endpoint the scenario runs against.
type Target struct {
	Name string `yaml:"name" json:"name"`
	Kind Kind   `yaml:"kind" json:"kind"`
	// URL is a nats://, tls://, ws:// or wss:// URL (or a comma-separated
	// list of them), "embedded" (the default: the in-process server over
	// TCP) or "embedded+ws" (the same over WebSocket).
	URL             string `yaml:"url,omitempty" json:"url,omitempty"`
	Username        string `yaml:"username,omitempty" json:"username,omitempty"`
	Password        Secret `yaml:"password,omitempty" json:"password,omitempty"`
	ConnectionToken Secret `yaml:"connectionToken,omitempty" json:"connectionToken,omitempty"`
	// Reconnect enables client reconnects (default true).
	Reconnect *bool `yaml:"reconnect,omitempty" json:"reconnect,omitempty"`
	// MaxReconnect bounds reconnect attempts; -1 means forever (default 60).
	MaxReconnect int `yaml:"maxReconnect,omitempty" json:"maxReconnect,omitempty"`
	// ReconnectWait is the wait between reconnect attempts, written
	// reconnectIntervalMs in milliseconds (default 2000).
	ReconnectWait Milliseconds `yaml:"reconnectIntervalMs,omitempty" json:"reconnectIntervalMs,omitempty"`
	// RequestTimeout bounds connecting and each acknowledgement or request,
	// written timeoutMs in milliseconds (default 5000).
	RequestTimeout Milliseconds `yaml:"timeoutMs,omitempty" json:"timeoutMs,omitempty"`
	KeyFile        string       `yaml:"keyFile,omitempty" json:"keyFile,omitempty"`
	CertFile       string       `yaml:"certFile,omitempty" json:"certFile,omitempty"`
	CAFile         string       `yaml:"caFile,omitempty" json:"caFile,omitempty"`
	// CredsFile is a NATS credentials file (user JWT and seed); NKeyFile a
	// file holding an NKey user seed. Paths only: their contents never
	// appear in a result.
	CredsFile string `yaml:"credsFile,omitempty" json:"credsFile,omitempty"`
	NKeyFile  string `yaml:"nkeyFile,omitempty" json:"nkeyFile,omitempty"`
	// Host and Port (memphis kinds) name the server when URL is left out
	// (defaults localhost, 6666 for memphis and 4444 for memphis-http).
	Host string `yaml:"host,omitempty" json:"host,omitempty"`
	Port int    `yaml:"port,omitempty" json:"port,omitempty"`
	// AccountID (memphis kinds): password mode logs in as username$accountId
	// (default 1).
	AccountID int `yaml:"accountId,omitempty" json:"accountId,omitempty"`
	// NATSPort (memphis-http only) is the broker's client port on the
	// gateway's host, used to verify gateway steps (default 6666).
	NATSPort int `yaml:"natsPort,omitempty" json:"natsPort,omitempty"`

	// Kafka options (kind kafka; see scenarios/kind_kafka.go).
	// SASL is the mechanism username and password log in with: plain,
	// scram-sha-256 or scram-sha-512.
	SASL string `yaml:"sasl,omitempty" json:"sasl,omitempty"`
	// Ack is how far a record is written before the broker acknowledges
	// it: none, leader or all (the in-sync replicas; the default). It is
	// not producers.ack, which says how many messages are in flight.
	Ack string `yaml:"ack,omitempty" json:"ack,omitempty"`
	// Linger is how long a partition's batch waits for more records
	// before it is sent, written lingerMs (default 0).
	Linger Milliseconds `yaml:"lingerMs,omitempty" json:"lingerMs,omitempty"`
	// BatchBytes bounds one record batch of a partition, before
	// compression (default 1000012, Kafka's max.message.bytes).
	BatchBytes ByteSize `yaml:"batchBytes,omitempty" json:"batchBytes,omitempty"`
	// MQTT options (kind mqtt; see scenarios/kind_mqtt.go).
	// NATSURL is the NATS address (nats:// or tls://) of the server behind
	// an MQTT target: its station's stream is made and verified, and QoS 0
	// deliveries received, over NATS. The embedded server fills it.
	NATSURL string `yaml:"natsUrl,omitempty" json:"natsUrl,omitempty"`
	// QoS is the MQTT quality of service of every publish: 0 or 1
	// (default 1).
	QoS *int `yaml:"qos,omitempty" json:"qos,omitempty"`
	// CleanSession starts each client with a clean session (default true).
	CleanSession *bool `yaml:"cleanSession,omitempty" json:"cleanSession,omitempty"`
	// KeepAlive is the MQTT keep-alive interval (default 30s; 0s: off).
	KeepAlive Duration `yaml:"keepAlive,omitempty" json:"keepAlive,omitempty"`
	// Retain sets the retain flag on every publish.
	Retain bool `yaml:"retain,omitempty" json:"retain,omitempty"`
}

// IsEmbedded reports whether the target is the in-process server, over
// either transport (Embedded, EmbeddedWS).
func (t Target) IsEmbedded() bool { return t.URL == "" || t.URL == Embedded || t.URL == EmbeddedWS }

// Timeout is RequestTimeout (timeoutMs) as a time.Duration.
func (t Target) Timeout() time.Duration { return t.RequestTimeout.D() }

// ReconnectInterval is ReconnectWait (reconnectIntervalMs) as a
// time.Duration.
func (t Target) ReconnectInterval() time.Duration { return t.ReconnectWait.D() }

// ReconnectEnabled reports whether reconnects are on (the default).
func (t Target) ReconnectEnabled() bool { return t.Reconnect == nil || *t.Reconnect }

// Station describes where producers write: a JetStream stream or a NATS
// subject base.
type Station struct {
	Name     string `yaml:"name" json:"name"`
	Storage  string `yaml:"storage" json:"storage"` // file | memory
	Replicas int    `yaml:"replicas" json:"replicas"`
	// Reset purges the station before each step (default true).
	Reset *bool `yaml:"reset,omitempty" json:"reset,omitempty"`
	// Cleanup says what happens to a station the run created: delete | keep.
	// A station the run did not create is never deleted.
	Cleanup string `yaml:"cleanup" json:"cleanup"`
	// PurgeExisting (default false) lets Reset purge a station that existed
	// before the run and that stationbench did not create. Without it such a
	// station belongs to the user: it is written into as it is, never purged
	// and never deleted, and the result says it existed.
	PurgeExisting bool `yaml:"purgeExisting,omitempty" json:"purgeExisting,omitempty"`
	// Subscribe (nats kind only, default true): the harness subscribes to the
	// station's subjects and measures publish-to-delivery latency. Off, it
	// measures the publish side alone.
	Subscribe *bool `yaml:"subscribe,omitempty" json:"subscribe,omitempty"`
	// Verify (acknowledged kinds, default true): after each step the
	// station's own count is compared with the acknowledged messages, and
	// lost and duplicated messages are reported.
	Verify *bool `yaml:"verify,omitempty" json:"verify,omitempty"`
	// Subject (nats and jetstream kinds) overrides where producers publish
	// (default <name>.<producer>). With it, a jetstream target writes into
	// whatever stream captures that subject, used as it is: never created,
	// purged or deleted by the run (for example a Memphis station's
	// "orders$1.final").
	Subject string `yaml:"subject,omitempty" json:"subject,omitempty"`

	// Memphis station options (memphis kinds; see scenarios/memphis.go).
	Partitions        int      `yaml:"partitions,omitempty" json:"partitions,omitempty"`
	RetentionType     string   `yaml:"retentionType,omitempty" json:"retentionType,omitempty"`
	RetentionValue    int      `yaml:"retentionValue,omitempty" json:"retentionValue,omitempty"`
	IdempotencyWindow Duration `yaml:"idempotencyWindow,omitempty" json:"idempotencyWindow,omitempty"`
}

// ResetEnabled reports whether each step starts from an empty station.
func (s Station) ResetEnabled() bool { return s.Reset == nil || *s.Reset }

// PurgeBeforeStep reports whether a step starts by emptying the station:
// when reset is on, and the station is the harness's own or the scenario
// lets it purge one that existed before the run (purgeExisting). Every
// driver decides by it, so the rule holds for every kind.
func (s Station) PurgeBeforeStep(existedBefore bool) bool {
	return s.ResetEnabled() && (!existedBefore || s.PurgeExisting)
}

// VerifyEnabled reports whether steps of acknowledged kinds are checked
// against what the station holds.
func (s Station) VerifyEnabled() bool { return s.Verify == nil || *s.Verify }

// SubscribeEnabled reports whether the nats kind measures delivery.
func (s Station) SubscribeEnabled() bool { return s.Subscribe == nil || *s.Subscribe }

// Connection sharing modes.
const (
	ConnPerProducer = "per-producer"
	ConnShared      = "shared"
)

// Ack modes.
const (
	AckSync  = "sync"
	AckAsync = "async"
)

// Producers describes the producer workers and the sweep over their count.
type Producers struct {
	// Name is the worker name base: workers are Name-1 ... Name-N.
	Name        string `yaml:"name" json:"name"`
	Counts      []int  `yaml:"counts" json:"counts"`
	Connections string `yaml:"connections" json:"connections"` // per-producer | shared
	Ack         string `yaml:"ack" json:"ack"`                 // sync | async
	MaxPending  int    `yaml:"maxPending" json:"maxPending"`
}

// Message describes the payload.
type Message struct {
	Size ByteSize `yaml:"size" json:"size"`
	// Dedup (memphis kind) gives every message a unique msg-id header.
	Dedup bool `yaml:"dedup,omitempty" json:"dedup,omitempty"`
	// Batch (memphis-http kind) sends this many messages per request
	// through /produce/batch; 1 uses /produce/single.
	Batch int `yaml:"batch,omitempty" json:"batch,omitempty"`
}

// Load describes how long and how hard each step runs.
type Load struct {
	Duration Duration `yaml:"duration" json:"duration"` // measured time per step
	Warmup   Duration `yaml:"warmup" json:"warmup"`     // sent, not recorded
	Repeat   int      `yaml:"repeat" json:"repeat"`     // repeats of each step
	// Order is how repeats are laid out over the steps: interleaved (the
	// default: 1, 2, 4, 1, 2, 4, ..., so that drift on a shared machine
	// spreads over every step) or sequential (1, 1, 2, 2, 4, 4).
	Order string `yaml:"order" json:"order"`
	// Drain bounds the wait for outstanding acknowledgements after a step.
	Drain Duration `yaml:"drain" json:"drain"`
	// Rate is the total offered msgs/s across a step's producers; 0 is closed loop.
	Rate float64 `yaml:"rate,omitempty" json:"rate,omitempty"`
	// Rates sweeps the offered rate at a fixed producer count.
	Rates []float64 `yaml:"rates,omitempty" json:"rates,omitempty"`
	// LateAfter is how far behind its intended time a send may leave before
	// it is counted as late (open loop only).
	LateAfter Duration `yaml:"lateAfter" json:"lateAfter"`
	// Pacer is how the open-loop pacer waits for a message's send time:
	// sleep (the default: the timer, then the kernel's finer sleep, then an
	// active wait of at most a tenth of the producer's time) or spin (the
	// timer, then an active wait for the last coarse stretch: the lowest
	// lag the machine allows, for up to a core per producer at 200 msgs/s
	// per producer and more).
	Pacer string `yaml:"pacer" json:"pacer"`
	// FindMaxRate replaces the sweep over rates with a search for the
	// highest rate that meets a latency objective.
	FindMaxRate *FindMaxRate `yaml:"findMaxRate,omitempty" json:"findMaxRate,omitempty"`
}

// Pacers (Load.Pacer).
const (
	PacerSleep = "sleep"
	PacerSpin  = "spin"
)

// Repeat orders (Load.Order).
const (
	OrderInterleaved = "interleaved"
	OrderSequential  = "sequential"
)

// Interleaved reports whether the repeats go round every step in turn
// (the default) rather than finishing one step before the next.
func (l Load) Interleaved() bool { return l.Order != OrderSequential }
