package runner

import (
	"maps"
	"slices"

	"github.com/stationbench/stationbench/result"
	"github.com/stationbench/stationbench/scenarios"
)

// record is the scenario as the result keeps it (result.Scenario), built
// field by field from the redacted scenario, so that a change to the
// scenario's types changes result.json only through a change here.
func record(sc scenarios.Scenario) result.Scenario {
	s := sc.Redacted() // secrets "***", no user info in URLs
	out := result.Scenario{
		Name:        s.Name,
		Description: s.Description,
		Station: result.Station{
			Name: s.Station.Name, Storage: s.Station.Storage, Replicas: s.Station.Replicas, Reset: s.Station.Reset,
			Cleanup: s.Station.Cleanup, PurgeExisting: s.Station.PurgeExisting, Subscribe: s.Station.Subscribe,
			Verify: s.Station.Verify, Subject: s.Station.Subject, Partitions: s.Station.Partitions,
			RetentionType: s.Station.RetentionType, RetentionValue: s.Station.RetentionValue,
			IdempotencyWindow: result.Duration(s.Station.IdempotencyWindow),
		},
		Producers: result.Producers{
			Name: s.Producers.Name, Counts: s.Producers.Counts, Connections: s.Producers.Connections,
			Ack: s.Producers.Ack, MaxPending: s.Producers.MaxPending,
		},
		Message: result.Message{Size: s.Message.Size.Int(), Dedup: s.Message.Dedup, Batch: s.Message.Batch},
		Load: result.Load{
			Duration: result.Duration(s.Load.Duration), Warmup: result.Duration(s.Load.Warmup), Repeat: s.Load.Repeat,
			Order: s.Load.Order, Drain: result.Duration(s.Load.Drain), Rate: s.Load.Rate, Rates: s.Load.Rates,
			LateAfter: result.Duration(s.Load.LateAfter), Pacer: s.Load.Pacer,
		},
		Labels: maps.Clone(s.Labels),
	}
	for _, t := range s.Targets {
		out.Targets = append(out.Targets, result.Target{
			Name: t.Name, Kind: string(t.Kind), URL: t.URL, Username: t.Username,
			Password: t.Password.String(), ConnectionToken: t.ConnectionToken.String(),
			Reconnect: t.Reconnect, MaxReconnect: t.MaxReconnect, ReconnectIntervalMs: int(t.ReconnectWait.Ms()),
			TimeoutMs: int(t.RequestTimeout.Ms()), KeyFile: t.KeyFile, CertFile: t.CertFile, CAFile: t.CAFile,
			CredsFile: t.CredsFile, NKeyFile: t.NKeyFile, Host: t.Host, Port: t.Port,
			AccountID: t.AccountID, NATSPort: t.NATSPort,
			SASL: t.SASL, Ack: t.Ack, LingerMs: int(t.Linger.Ms()), BatchBytes: t.BatchBytes.Int(),
			NATSURL: t.NATSURL, QoS: t.QoS, CleanSession: t.CleanSession, KeepAlive: result.Duration(t.KeepAlive), Retain: t.Retain,
		})
	}
	if f := s.Load.FindMaxRate; f != nil {
		out.Load.FindMaxRate = &result.FindMaxRate{P50: result.Duration(f.P50), P90: result.Duration(f.P90),
			P99: result.Duration(f.P99), P999: result.Duration(f.P999), MaxProbes: f.MaxProbes, Precision: f.Precision}
	}
	for _, th := range s.Thresholds {
		out.Thresholds = append(out.Thresholds, result.Threshold{Metric: th.Metric, Max: limit(th.Max), Min: limit(th.Min),
			Target: th.Target, Producers: th.Producers})
	}
	for _, p := range s.Phases {
		out.Phases = append(out.Phases, result.Phase{At: result.Duration(p.At), Pause: producerSet(p.Pause),
			Resume: producerSet(p.Resume)})
	}
	if t := s.Trace; t != nil {
		out.Trace = &result.Trace{Types: slices.Clone(t.Types), Sample: t.Sample}
	}
	return out
}

func limit(l *scenarios.Limit) *result.Limit {
	if l == nil {
		return nil
	}
	return &result.Limit{Duration: result.Duration(l.Duration), Number: l.Number, IsDuration: l.IsDuration}
}

// producerSet keeps a phase's producers as the scenario wrote them.
func producerSet(s *scenarios.ProducerSet) *result.ProducerSet {
	switch {
	case s == nil:
		return nil
	case len(s.Names) > 0:
		return &result.ProducerSet{Names: slices.Clone(s.Names)}
	case s.All || s.Percent > 0:
		return &result.ProducerSet{Text: s.String()}
	}
	return &result.ProducerSet{Count: s.Count}
}
