// Package result is the record of a run: its schema (Result, Run, Second
// ...), the JSON and HdrHistogram codecs, and nothing heavier. The hot path
// (workers) and every renderer (report) depend on it; it depends on neither.
package result

import "time"

// SchemaVersion is the version of the result.json document. Version 2 keeps
// the scenario in the result's own types (scenario.go) and the derived
// figures in analysis; version 1 held the threshold verdicts at the top.
const SchemaVersion = 2

// Status says how a run (or one step of it) ended.
type Status string

// Statuses.
const (
	StatusComplete    Status = "complete"
	StatusInterrupted Status = "interrupted"
	StatusFailed      Status = "failed"
)

// Step axes: a step varies either the producer count or the offered rate.
const (
	AxisProducers = "producers"
	AxisRate      = "rate"
)

// Result is everything one invocation of `stationbench run` measured.
type Result struct {
	SchemaVersion int       `json:"schema_version"`
	Status        Status    `json:"status"`
	Error         string    `json:"error,omitempty"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	Scenario      Scenario  `json:"scenario"` // secrets are "***"
	Env           Env       `json:"env"`
	Runs          []Run     `json:"runs"`
	// MaxRate holds the findMaxRate searches, when the scenario asks.
	MaxRate []MaxRateSearch `json:"max_rate,omitempty"`
	// Analysis is what is derived from the runs (package analysis),
	// computed once when the run ends.
	Analysis *Analysis `json:"analysis,omitempty"`
	// Labels are the scenario's labels; Trace says where trace events went.
	Labels map[string]string `json:"labels,omitempty"`
	Trace  *TraceSummary     `json:"trace,omitempty"`
	// RunID names this invocation; what the run creates on a server (a
	// JetStream stream's metadata) carries it.
	RunID string `json:"run_id,omitempty"`
	// Notes are things about the whole run worth knowing that are not its
	// verdict, such as a cleanup that could not be done and what it left
	// on the server.
	Notes []string `json:"notes,omitempty"`
}

// Env says where and how the result was measured.
type Env struct {
	StationbenchVersion string      `json:"stationbench_version"`
	GoVersion           string      `json:"go_version"`
	GOOS                string      `json:"goos"`
	GOARCH              string      `json:"goarch"`
	GOMAXPROCS          int         `json:"gomaxprocs"`
	NumCPU              int         `json:"num_cpu"`
	Hostname            string      `json:"hostname,omitempty"`
	PeakRSSBytes        int64       `json:"peak_rss_bytes"`
	Targets             []TargetEnv `json:"targets"`
	// Method states in words what latency and throughput mean in this result.
	Method string `json:"method"`
	// Agents lists the agents of a distributed run (run --segment i/N),
	// one entry per segment, in segment order; empty for a run by one
	// process. A merged result lists every agent; one agent's own result
	// lists only itself.
	Agents []Agent `json:"agents,omitempty"`
}

// Agent is one agent (one segment) of a distributed run.
type Agent struct {
	Segment  int    `json:"segment"`  // 0-based
	Segments int    `json:"segments"` // N, the number of agents
	Host     string `json:"host"`
	Version  string `json:"version"`
	// ClockOffsetUs is the agent's clock minus the control server's, as
	// the agent measured it before the run (positive: the agent is ahead).
	ClockOffsetUs float64 `json:"clock_offset_us"`
}

// TargetEnv describes one target as the run found it.
type TargetEnv struct {
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	URL           string `json:"url"` // user info removed
	Embedded      bool   `json:"embedded"`
	ServerVersion string `json:"server_version,omitempty"`
	ServerName    string `json:"server_name,omitempty"`
	Error         string `json:"error,omitempty"`
	// Transport is how the client reached the broker: tcp, tls,
	// websocket, websocket+tls, http or https (scenarios.Target.Transport);
	// empty in results from before it was recorded.
	Transport string `json:"transport,omitempty"`
}

// Run is one target x step x repeat.
type Run struct {
	Target    string `json:"target"`
	Kind      string `json:"kind"`
	Axis      string `json:"axis"` // producers | rate
	Producers int    `json:"producers"`
	// RateMsgsPerSec is the offered total rate; 0 means closed loop.
	RateMsgsPerSec float64 `json:"rate_msgs_per_sec"`
	Repeat         int     `json:"repeat"` // 1-based
	Status         Status  `json:"status"`
	Error          string  `json:"error,omitempty"`
	// Notes are things worth knowing about the run that are not errors,
	// such as a verification that could not be made.
	Notes []string `json:"notes,omitempty"`

	// StartedAt is when the run began (UTC). Repeats interleave over the
	// steps by default (load.order), and this says in which order they ran.
	StartedAt time.Time `json:"started_at,omitzero"`
	// MeasuredFrom is the wall clock (UTC) at which the measured window
	// began: Series[i] covers the second from MeasuredFrom + i s. A
	// distributed run's merge aligns its agents' series on it (package
	// merge). Zero in results written before it was recorded.
	MeasuredFrom time.Time `json:"measured_from,omitzero"`

	DurationS float64 `json:"duration_s"` // measured window actually run
	WarmupS   float64 `json:"warmup_s"`

	// Counts cover the measured window only (warmup excluded).
	Offered int64 `json:"offered"` // scheduled sends (open loop); equals sent in closed loop
	Sent    int64 `json:"sent"`
	Acked   int64 `json:"acked"` // PubAcks (jetstream) or deliveries seen (nats)
	Errors  int64 `json:"errors"`
	Late    int64 `json:"late"` // open loop: sends that left more than lateAfter behind schedule
	// WarmupSent and WarmupAcked count the warmup traffic, which no other
	// figure includes (a station holds warmup_acked + acked messages).
	WarmupSent  int64 `json:"warmup_sent"`
	WarmupAcked int64 `json:"warmup_acked"`
	// DrainSent counts messages sent after the measured window (normally
	// none: the window's end stops sending); they are neither warmup nor
	// measured.
	DrainSent int64 `json:"drain_sent"`
	// ErrorTexts are the distinct errors of the run (publish refusals,
	// negative acknowledgements, timeouts), most frequent first, warmup
	// included, with how often each happened.
	ErrorTexts []ErrorText `json:"error_texts,omitempty"`
	// Delivered and Lost are reported for the nats kind with its subscriber
	// on. For acknowledged kinds with station.verify, Lost is acknowledged
	// messages (warmup included) the station does not hold, Stored is what
	// the station gained during the step by its own count, and Duplicates
	// is what it holds beyond every message sent.
	Delivered  *int64 `json:"delivered,omitempty"`
	Lost       *int64 `json:"lost,omitempty"`
	Stored     *int64 `json:"stored,omitempty"`
	Duplicates *int64 `json:"duplicates,omitempty"`

	// Disconnects and Reconnects count the target's connection events
	// during the step; DisconnectedS is the measured time during which at
	// least one connection was down.
	Disconnects   int64   `json:"disconnects,omitempty"`
	Reconnects    int64   `json:"reconnects,omitempty"`
	DisconnectedS float64 `json:"disconnected_s,omitempty"`

	ThroughputMsgsPerSec  float64 `json:"throughput_msgs_per_sec"`
	ThroughputBytesPerSec float64 `json:"throughput_bytes_per_sec"`

	// LatencyUs is measured from the intended send time (corrected for
	// coordinated omission); in closed loop intended and actual coincide.
	LatencyUs Percentiles `json:"latency_us"`
	// Histogram is the merged latency histogram in HdrHistogram's V2
	// compressed encoding, base64, values in nanoseconds.
	Histogram string `json:"histogram"`
	// LatencyUncorrectedUs is measured from the actual send time.
	LatencyUncorrectedUs Percentiles `json:"latency_uncorrected_us"`
	HistogramUncorrected string      `json:"histogram_uncorrected"`
	// PacerLagUs is the open-loop pacer's own lag over the measured
	// messages: for a message it waited for, the time its wait ended minus
	// the intended send time; 0 for a message already overdue when the
	// pacer came to it (the sends before it held it back: a slow publish,
	// or no room in flight, which late counts). The lag is part of the
	// corrected latency and none of the broker's. PacerLagHistogram is
	// its merged histogram (V2 compressed, base64, nanoseconds,
	// NewPacerLagHistogram's geometry). Both are absent in closed loop,
	// where there is no schedule to lag behind.
	PacerLagUs        *Percentiles `json:"pacer_lag_us,omitempty"`
	PacerLagHistogram string       `json:"pacer_lag_histogram,omitempty"`

	// PeakRSSBytes is the process's peak resident set during this run,
	// from the start of its step (producers' connections included) to its
	// end. On Linux it is exact: the kernel's peak (VmHWM) is reset when
	// the step starts (/proc/self/clear_refs) and read when it ends; where
	// the reset is refused it is the largest of VmRSS sampled every
	// 100 ms, and the run's notes say so. 0 (absent) where /proc is not
	// available. A merged run holds the largest agent's: each agent is a
	// separate process, usually a separate machine, like
	// Env.PeakRSSBytes.
	PeakRSSBytes int64 `json:"peak_rss_bytes,omitempty"`

	// Series has one entry per second of the measured window.
	Series []Second `json:"series"`

	// ProducerStats has one entry per producer worker (producers.go);
	// Fairness is Jain's index of their throughput; Phases are the pauses
	// and resumes as they happened.
	ProducerStats []ProducerStats `json:"producer_stats,omitempty"`
	Fairness      *float64        `json:"fairness,omitempty"`
	Phases        []PhaseEvent    `json:"phases,omitempty"`
}

// Percentiles of a latency distribution, in microseconds.
type Percentiles struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Second is one second of a run's measured window.
type Second struct {
	Second  int     `json:"second"` // 0-based offset from the end of warmup
	Offered int64   `json:"offered"`
	Sent    int64   `json:"sent"`
	Acked   int64   `json:"acked"`
	Errors  int64   `json:"errors"`
	P99Us   float64 `json:"p99_us"` // corrected latency of acks received in this second
	// Paused is how many producers were paused at the end of this second;
	// Phase names the phase changes that happened in it.
	Paused int    `json:"paused,omitempty"`
	Phase  string `json:"phase,omitempty"`
	// DisconnectedS is the part of this second during which at least one
	// of the target's connections was down.
	DisconnectedS float64 `json:"disconnected_s,omitempty"`
	// Histogram is the corrected latency of the acks received in this
	// second, in the encoding of Run.Histogram; recorded only when the run
	// asks for it (runner.Options.SecondHistograms: a distributed run's
	// agents do, so that the merged per-second p99 is exact).
	Histogram string `json:"histogram,omitempty"`
}

// ErrorText is one distinct error text of a run and how often it happened.
// Text "(other errors)" sums the texts beyond those kept.
type ErrorText struct {
	Text  string `json:"text"`
	Count int64  `json:"count"`
}
