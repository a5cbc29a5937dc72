package result

// ProducerStats is what one producer worker did in a run.
type ProducerStats struct {
	ID         string  `json:"id"` // a random UUID (v4), new for every run
	Name       string  `json:"name"`
	Sent       int64   `json:"sent"`
	Acked      int64   `json:"acked"`
	Errors     int64   `json:"errors"`
	Bytes      int64   `json:"bytes"` // payload bytes sent
	Reconnects int64   `json:"reconnects"`
	PausedS    float64 `json:"paused_s"` // paused time inside the measured window
	// ThroughputMsgsPerSec is acked (or, without acks, sent) messages per
	// second of the time the producer was not paused.
	ThroughputMsgsPerSec float64         `json:"throughput_msgs_per_sec"`
	LatencyUs            ProducerLatency `json:"latency_us"`
	Score                float64         `json:"score"`                 // 0-10, see Score
	ScoreBasis           string          `json:"score_basis,omitempty"` // slo | median
}

// ProducerLatency is a producer's corrected latency, in microseconds.
type ProducerLatency struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// PhaseEvent is a phase as it happened in a run.
type PhaseEvent struct {
	// AtS is when it took effect, in seconds from the start of the measured
	// window; PlannedS is the scenario's at.
	AtS       float64  `json:"at_s"`
	PlannedS  float64  `json:"planned_s"`
	Action    string   `json:"action"` // pause | resume
	Producers []string `json:"producers"`
	Error     string   `json:"error,omitempty"`
}

// TraceSummary says where the trace events went and how many were lost.
type TraceSummary struct {
	File    string `json:"file"`
	Events  int64  `json:"events"`
	Dropped int64  `json:"dropped"` // events that found their producer's buffer full
	Error   string `json:"error,omitempty"`
}
