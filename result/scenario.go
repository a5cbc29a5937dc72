package result

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file is the scenario as the result keeps it: its own types, with the
// JSON (and YAML, for the HTML report) field names of the scenario file, so
// that a change to the scenario loader cannot change result.json without a
// change here. Secrets are "***". internal/runner builds it from a loaded
// scenario (record.go there).

// Embedded is the URL value (and the meaning of an empty URL) of the
// in-process nats-server.
const Embedded = "embedded"

// EmbeddedWS is the URL value of the in-process nats-server reached over
// its WebSocket listener.
const EmbeddedWS = Embedded + "+ws"

// Scenario is the scenario a result was measured with, secrets hidden.
type Scenario struct {
	Name        string            `yaml:"name" json:"name"`
	Description string            `yaml:"description,omitempty" json:"description,omitempty"`
	Targets     []Target          `yaml:"targets" json:"targets"`
	Station     Station           `yaml:"station" json:"station"`
	Producers   Producers         `yaml:"producers" json:"producers"`
	Message     Message           `yaml:"message" json:"message"`
	Load        Load              `yaml:"load" json:"load"`
	Thresholds  []Threshold       `yaml:"thresholds,omitempty" json:"thresholds,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	Phases      []Phase           `yaml:"phases,omitempty" json:"phases,omitempty"`
	Trace       *Trace            `yaml:"trace,omitempty" json:"trace,omitempty"`
}

// Target is one broker endpoint; Password and ConnectionToken are "***"
// when the scenario set them, URL and Host carry no user info.
type Target struct {
	Name                string `yaml:"name" json:"name"`
	Kind                string `yaml:"kind" json:"kind"`
	URL                 string `yaml:"url,omitempty" json:"url,omitempty"`
	Username            string `yaml:"username,omitempty" json:"username,omitempty"`
	Password            string `yaml:"password,omitempty" json:"password,omitempty"`
	ConnectionToken     string `yaml:"connectionToken,omitempty" json:"connectionToken,omitempty"`
	Reconnect           *bool  `yaml:"reconnect,omitempty" json:"reconnect,omitempty"`
	MaxReconnect        int    `yaml:"maxReconnect,omitempty" json:"maxReconnect,omitempty"`
	ReconnectIntervalMs int    `yaml:"reconnectIntervalMs,omitempty" json:"reconnectIntervalMs,omitempty"`
	TimeoutMs           int    `yaml:"timeoutMs,omitempty" json:"timeoutMs,omitempty"`
	KeyFile             string `yaml:"keyFile,omitempty" json:"keyFile,omitempty"`
	CertFile            string `yaml:"certFile,omitempty" json:"certFile,omitempty"`
	CAFile              string `yaml:"caFile,omitempty" json:"caFile,omitempty"`
	CredsFile           string `yaml:"credsFile,omitempty" json:"credsFile,omitempty"`
	NKeyFile            string `yaml:"nkeyFile,omitempty" json:"nkeyFile,omitempty"`
	Host                string `yaml:"host,omitempty" json:"host,omitempty"`
	Port                int    `yaml:"port,omitempty" json:"port,omitempty"`
	AccountID           int    `yaml:"accountId,omitempty" json:"accountId,omitempty"`
	NATSPort            int    `yaml:"natsPort,omitempty" json:"natsPort,omitempty"`
	// Kafka targets: the SASL mechanism, the acknowledgement level, linger
	// and batch size.
	SASL       string `yaml:"sasl,omitempty" json:"sasl,omitempty"`
	Ack        string `yaml:"ack,omitempty" json:"ack,omitempty"`
	LingerMs   int    `yaml:"lingerMs,omitempty" json:"lingerMs,omitempty"`
	BatchBytes int    `yaml:"batchBytes,omitempty" json:"batchBytes,omitempty"`
	// MQTT options (kind mqtt): NATSURL carries no user info.
	NATSURL      string   `yaml:"natsUrl,omitempty" json:"natsUrl,omitempty"`
	QoS          *int     `yaml:"qos,omitempty" json:"qos,omitempty"`
	CleanSession *bool    `yaml:"cleanSession,omitempty" json:"cleanSession,omitempty"`
	KeepAlive    Duration `yaml:"keepAlive,omitempty" json:"keepAlive,omitempty"`
	Retain       bool     `yaml:"retain,omitempty" json:"retain,omitempty"`
}

// IsEmbedded reports whether the target was the in-process server, over
// TCP ("embedded") or WebSocket ("embedded+ws").
func (t Target) IsEmbedded() bool { return t.URL == "" || t.URL == Embedded || t.URL == EmbeddedWS }

// Station is where producers wrote.
type Station struct {
	Name              string   `yaml:"name" json:"name"`
	Storage           string   `yaml:"storage" json:"storage"`
	Replicas          int      `yaml:"replicas" json:"replicas"`
	Reset             *bool    `yaml:"reset,omitempty" json:"reset,omitempty"`
	Cleanup           string   `yaml:"cleanup" json:"cleanup"`
	PurgeExisting     bool     `yaml:"purgeExisting,omitempty" json:"purgeExisting,omitempty"`
	Subscribe         *bool    `yaml:"subscribe,omitempty" json:"subscribe,omitempty"`
	Verify            *bool    `yaml:"verify,omitempty" json:"verify,omitempty"`
	Subject           string   `yaml:"subject,omitempty" json:"subject,omitempty"`
	Partitions        int      `yaml:"partitions,omitempty" json:"partitions,omitempty"`
	RetentionType     string   `yaml:"retentionType,omitempty" json:"retentionType,omitempty"`
	RetentionValue    int      `yaml:"retentionValue,omitempty" json:"retentionValue,omitempty"`
	IdempotencyWindow Duration `yaml:"idempotencyWindow,omitempty" json:"idempotencyWindow,omitempty"`
}

// ResetEnabled reports whether each step started from an empty station
// (reset unset means on).
func (s Station) ResetEnabled() bool { return s.Reset == nil || *s.Reset }

// SubscribeEnabled reports whether the nats kind measured delivery
// (subscribe unset means on).
func (s Station) SubscribeEnabled() bool { return s.Subscribe == nil || *s.Subscribe }

// Producers is the producer workers and the sweep over their count.
type Producers struct {
	Name        string `yaml:"name" json:"name"`
	Counts      []int  `yaml:"counts" json:"counts"`
	Connections string `yaml:"connections" json:"connections"`
	Ack         string `yaml:"ack" json:"ack"`
	MaxPending  int    `yaml:"maxPending" json:"maxPending"`
}

// Message is the payload; Size is in bytes.
type Message struct {
	Size  int  `yaml:"size" json:"size"`
	Dedup bool `yaml:"dedup,omitempty" json:"dedup,omitempty"`
	Batch int  `yaml:"batch,omitempty" json:"batch,omitempty"`
}

// Load is how long and how hard each step ran.
type Load struct {
	Duration    Duration     `yaml:"duration" json:"duration"`
	Warmup      Duration     `yaml:"warmup" json:"warmup"`
	Repeat      int          `yaml:"repeat" json:"repeat"`
	Order       string       `yaml:"order" json:"order"`
	Drain       Duration     `yaml:"drain" json:"drain"`
	Rate        float64      `yaml:"rate,omitempty" json:"rate,omitempty"`
	Rates       []float64    `yaml:"rates,omitempty" json:"rates,omitempty"`
	LateAfter   Duration     `yaml:"lateAfter" json:"lateAfter"`
	Pacer       string       `yaml:"pacer,omitempty" json:"pacer,omitempty"`
	FindMaxRate *FindMaxRate `yaml:"findMaxRate,omitempty" json:"findMaxRate,omitempty"`
}

// FindMaxRate is the search for the highest rate that met the latency
// objectives.
type FindMaxRate struct {
	P50       Duration `yaml:"p50,omitempty" json:"p50,omitempty"`
	P90       Duration `yaml:"p90,omitempty" json:"p90,omitempty"`
	P99       Duration `yaml:"p99,omitempty" json:"p99,omitempty"`
	P999      Duration `yaml:"p999,omitempty" json:"p999,omitempty"`
	MaxProbes int      `yaml:"maxProbes,omitempty" json:"maxProbes,omitempty"`
	Precision float64  `yaml:"precision,omitempty" json:"precision,omitempty"`
}

// PercentileBound is one latency objective: a percentile and its bound.
type PercentileBound struct {
	Percentile string
	Max        Duration
}

// SLO lists the percentile bounds that are set, in the order p50, p90,
// p99, p999.
func (f FindMaxRate) SLO() []PercentileBound {
	var out []PercentileBound
	for _, b := range []PercentileBound{{"p50", f.P50}, {"p90", f.P90}, {"p99", f.P99}, {"p999", f.P999}} {
		if b.Max > 0 {
			out = append(out, b)
		}
	}
	return out
}

// Threshold is one pass/fail rule of the scenario, as written.
type Threshold struct {
	Metric    string `yaml:"metric" json:"metric"`
	Max       *Limit `yaml:"max,omitempty" json:"max,omitempty"`
	Min       *Limit `yaml:"min,omitempty" json:"min,omitempty"`
	Target    string `yaml:"target,omitempty" json:"target,omitempty"`
	Producers int    `yaml:"producers,omitempty" json:"producers,omitempty"`
}

// Limit is a threshold's bound: a duration for latency metrics ("20ms"),
// a plain number for the others.
type Limit struct {
	Duration   Duration
	Number     float64
	IsDuration bool
}

// String writes the bound as it is written in a scenario: "20ms" or 50000.
func (l Limit) String() string {
	if l.IsDuration {
		return l.Duration.String()
	}
	return strconv.FormatFloat(l.Number, 'f', -1, 64)
}

// MarshalJSON writes a duration as "20ms" and a number as a number.
func (l Limit) MarshalJSON() ([]byte, error) {
	if l.IsDuration {
		return json.Marshal(l.Duration.String())
	}
	return json.Marshal(l.Number)
}

// UnmarshalJSON reads "20ms" or a number.
func (l *Limit) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("threshold bound: %w", err)
		}
		*l = Limit{Duration: Duration(d), IsDuration: true}
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("threshold bound: want a duration string or a number: %w", err)
	}
	*l = Limit{Number: f}
	return nil
}

// MarshalYAML writes a duration as "20ms" and a number as a number.
func (l Limit) MarshalYAML() (any, error) {
	if l.IsDuration {
		return l.Duration.String(), nil
	}
	return l.Number, nil
}

// Phase pauses or resumes producers during each step.
type Phase struct {
	At     Duration     `yaml:"at" json:"at"`
	Pause  *ProducerSet `yaml:"pause,omitempty" json:"pause,omitempty"`
	Resume *ProducerSet `yaml:"resume,omitempty" json:"resume,omitempty"`
}

// ProducerSet is which producers a phase applied to, as the scenario wrote
// it: "all", "50%", a count, or a list of names. Exactly one is set.
type ProducerSet struct {
	Text  string // "all" or "50%"
	Count int
	Names []string
}

func (s ProducerSet) value() any {
	switch {
	case len(s.Names) > 0:
		return s.Names
	case s.Text != "":
		return s.Text
	}
	return s.Count
}

// String writes the set as the scenario wrote it.
func (s ProducerSet) String() string {
	switch {
	case len(s.Names) > 0:
		return "[" + strings.Join(s.Names, ", ") + "]"
	case s.Text != "":
		return s.Text
	}
	return strconv.Itoa(s.Count)
}

// MarshalJSON writes "all", "50%", 3 or a list of names.
func (s ProducerSet) MarshalJSON() ([]byte, error) { return json.Marshal(s.value()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (s *ProducerSet) UnmarshalJSON(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err == nil {
		*s = ProducerSet{Names: names}
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*s = ProducerSet{Count: n}
		return nil
	}
	var text string
	if err := json.Unmarshal(b, &text); err != nil {
		return fmt.Errorf("producer set: want all, a percentage, a count or a list of names: %w", err)
	}
	*s = ProducerSet{Text: text}
	return nil
}

// MarshalYAML writes what the scenario file held.
func (s ProducerSet) MarshalYAML() (any, error) { return s.value(), nil }

// Trace is the scenario's tracing settings.
type Trace struct {
	Types  []string `yaml:"types" json:"types"`
	Sample float64  `yaml:"sample" json:"sample"`
}

// Duration is a time.Duration written as "500ms" in JSON and YAML.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes "10s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "10s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes "10s".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
