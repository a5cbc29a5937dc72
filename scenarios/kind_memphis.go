package scenarios

// The two Memphis kinds share their station rules (memphis.go holds the
// functions both use).

// MemphisRules are the YAML rules of kind memphis: the Memphis producer
// protocol over NATS, timed to each PubAck. Targets name the broker by
// host and port (or a nats:// URL) and log in with a password or a
// connection token; names follow the broker's rules; the station options
// are Memphis'.
func MemphisRules() KindRules {
	return KindRules{
		Kind: KindMemphis,
		Fields: []string{"targets[].host", "targets[].port", "targets[].accountId",
			"station.storage", "station.replicas", "station.partitions", "station.retentionType", "station.retentionValue",
			"station.idempotencyWindow", "station.purgeExisting", "station.verify", "message.dedup"},
		targetDefaults: memphisTargetDefaults,
		defaults:       memphisDefaults,
		target:         (*checker).memphisTarget,
		check:          (*checker).memphis,
		accountID:      true,
		ownNames:       true,
		stationOptions: true,
	}
}

// MemphisHTTPRules are the YAML rules of kind memphis-http: the Memphis
// REST gateway, timed to each HTTP response. As memphis, plus the
// gateway's own address (http:// or https://), the broker's NATS port
// behind it (natsPort, for verification) and message.batch. The station
// options are checked as for memphis, but the broker makes a missing
// station with its own defaults when the gateway first writes to it.
func MemphisHTTPRules() KindRules {
	return KindRules{
		Kind: KindMemphisHTTP,
		Fields: []string{"targets[].host", "targets[].port", "targets[].accountId", "targets[].natsPort",
			"station.verify", "message.batch"},
		targetDefaults: memphisTargetDefaults,
		defaults:       memphisHTTPDefaults,
		target:         (*checker).memphisTarget,
		check:          (*checker).memphisHTTP,
		accountID:      true,
		ownNames:       true,
		stationOptions: true,
	}
}
