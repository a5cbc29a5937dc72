package memphis

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/stationbench/stationbench/workers"
)

// Memphis header names carried by every produced message.
const (
	memphisHeaderConnectionID = "$memphis_connectionId"
	memphisHeaderProducedBy   = "$memphis_producedBy"
	// memphisHeaderMsgID deduplicates: Memphis renamed JetStream's
	// Nats-Msg-Id, which it does not honour.
	memphisHeaderMsgID = "msg-id"
)

// Memphis control-plane subjects (NATS request/reply, JSON).
const (
	memphisStationCreations     = "$memphis_station_creations"
	memphisStationDestructions  = "$memphis_station_destructions"
	memphisProducerCreations    = "$memphis_producer_creations"
	memphisProducerDestructions = "$memphis_producer_destructions"
)

// InternalName is the name a Memphis broker stores a station under:
// lowercased, with '.' replaced by '#'.
func InternalName(station string) string {
	return strings.ReplaceAll(strings.ToLower(station), ".", "#")
}

// Stream is the JetStream stream of partition n (from 1) of a
// station, given its internal name.
func Stream(internal string, n int) string { return internal + "$" + strconv.Itoa(n) }

// Subject is where a producer publishes to partition n of a station.
// Partition 0 means a station without partitions (brokers before 1.2).
func Subject(internal string, n int) string {
	if n == 0 {
		return internal + ".final"
	}
	return Stream(internal, n) + ".final"
}

// memphisProducerName is the name a producer registers under: Memphis
// lowercases producer names, and each must be unique in its station.
func memphisProducerName(p workers.ProducerSpec) string { return strings.ToLower(p.Name) }

// newConnectionID makes a random (version 4) UUID, the id a Memphis client
// gives its connection.
func newConnectionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("connection id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:]), nil
}
