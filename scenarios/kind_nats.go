package scenarios

// NATSRules are the YAML rules of kind nats: core NATS publish, with no
// acknowledgement; the harness's subscriber times each delivery from the
// two timestamps at the head of the payload, so a message needs 16 bytes.
func NATSRules() KindRules {
	return KindRules{
		Kind:           KindNATS,
		Fields:         []string{"station.subject", "station.subscribe"},
		target:         (*checker).natsTarget,
		minMessageSize: MinNATSMessageSize,
	}
}

// natsTarget checks the address and credentials of a target that speaks
// the NATS protocol (kinds nats and jetstream): one or more server URLs
// (or the embedded server), and one way to authenticate.
func (c *checker) natsTarget(key string, t Target) {
	if !t.IsEmbedded() {
		c.serverURLs(key+"url", t.URL)
	}
	switch {
	case t.Password != "" && t.ConnectionToken != "":
		c.bad(key+"connectionToken", "set either password or connectionToken, not both")
	case t.Username != "" && t.ConnectionToken != "":
		c.bad(key+"connectionToken", "set either username/password or connectionToken, not both")
	case t.Password != "" && t.Username == "":
		c.bad(key+"password", "a password needs a username")
	}
}
