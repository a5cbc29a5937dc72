package scenarios

// JetStreamRules are the YAML rules of kind jetstream: JetStream publish,
// timed to each PubAck. The station is a stream (storage, replicas); with
// station.subject, the stream that captures that subject, used as it is.
func JetStreamRules() KindRules {
	return KindRules{
		Kind:   KindJetStream,
		Fields: []string{"station.storage", "station.replicas", "station.subject", "station.purgeExisting", "station.verify"},
		target: (*checker).natsTarget,
	}
}
