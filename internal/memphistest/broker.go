// Package memphistest gives a real nats-server (internal/embedded) the shape
// of a Memphis broker, for tests only: the Memphis users and connection-token
// authentication, and responders on the control-plane subjects that create
// and delete stations' streams exactly as the broker does (a station is
// one stream per partition, named <station>$<n>, written to on
// <station>$<n>.final). Gateway adds the REST gateway on top of it.
//
// The broker renamed JetStream's dedup header Nats-Msg-Id to msg-id, which
// a plain nats-server cannot do, so the fixture relays: an account mapping
// sends what is published to <station>$<n>.final to the fixture, which
// stores it in the partition's stream under <station>$<n>.stored with
// msg-id as Nats-Msg-Id, and answers with the stream's PubAck. Stream
// names, subjects and settings are the broker's; only the stored subject
// differs.
package memphistest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/embedded"
)

// Credentials a Broker accepts unless Options say otherwise.
const (
	DefaultUser     = "root"
	DefaultPassword = "memphis"
	DefaultToken    = "memphis-connection-token"
)

// Options configure a Broker.
type Options struct {
	User      string // default root
	Password  string // default memphis
	Token     string // the connection token; default DefaultToken
	AccountID int    // default 1
	// Port is the client port; 0 picks a free one. A test that runs a
	// scenario file unchanged gives the broker's real port, 6666.
	Port int
	// WebSocket opens a WebSocket listener as well (WebSocketURL).
	WebSocket bool
}

// Broker is a nats-server arranged as a Memphis broker.
type Broker struct {
	opts Options
	srv  *embedded.Server
	nc   *nats.Conn // the control plane's responders and the relay
	js   jetstream.JetStream

	mu        sync.Mutex
	producers map[string]map[string]string // internal station -> producer -> connection id
	created   []string                     // "station/producer", in order
	destroyed []string
	names     []string // connection names of token logins
}

// Start starts a broker and stops it when the test ends.
func Start(t testing.TB, o Options) *Broker {
	t.Helper()
	if o.User == "" {
		o.User = DefaultUser
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.AccountID == 0 {
		o.AccountID = 1
	}
	b := &Broker{opts: o, producers: map[string]map[string]string{}}
	srv, err := embedded.Start(context.Background(), embedded.Options{Port: o.Port, WebSocket: o.WebSocket, Configure: func(so *server.Options) {
		so.CustomClientAuthentication = b
	}})
	if err != nil {
		t.Fatal(err)
	}
	b.srv = srv
	t.Cleanup(srv.Shutdown)
	if err := srv.Server().GlobalAccount().AddMapping("*.final", "memphis_ingest.{{wildcard(1)}}"); err != nil {
		t.Fatal(err)
	}
	b.nc, err = nats.Connect(srv.URL(), nats.UserInfo(o.User+"$"+strconv.Itoa(o.AccountID), o.Password),
		nats.Name("memphis-control-plane"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.nc.Close)
	if b.js, err = jetstream.New(b.nc); err != nil {
		t.Fatal(err)
	}
	for subj, h := range map[string]nats.MsgHandler{
		"$memphis_station_creations":     b.createStation,
		"$memphis_station_destructions":  b.destroyStation,
		"$memphis_producer_creations":    b.createProducer,
		"$memphis_producer_destructions": b.destroyProducer,
		"memphis_ingest.*":               b.relay,
	} {
		sub, err := b.nc.Subscribe(subj, h)
		if err == nil {
			err = sub.SetPendingLimits(-1, -1)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return b
}

// relay stores a client's message in its partition's stream, with msg-id
// as the dedup id, and answers with the PubAck.
func (b *Broker) relay(m *nats.Msg) {
	out := nats.NewMsg(strings.TrimPrefix(m.Subject, "memphis_ingest.") + ".stored")
	out.Data = m.Data
	for k, v := range m.Header {
		out.Header[k] = v
	}
	if id := m.Header.Get("msg-id"); id != "" {
		out.Header.Set(jetstream.MsgIDHeader, id)
	}
	resp, err := b.nc.RequestMsg(out, 5*time.Second)
	if m.Reply == "" {
		return
	}
	if err != nil {
		_ = m.Respond(nil) // like "no responders": an empty reply
		return
	}
	_ = m.Respond(resp.Data)
}

// URL is the broker's client URL.
func (b *Broker) URL() string { return b.srv.URL() }

// WebSocketURL is the ws:// URL of the broker's WebSocket listener; empty
// without Options.WebSocket.
func (b *Broker) WebSocketURL() string { return b.srv.WebSocketURL() }

// Port is the broker's client port.
func (b *Broker) Port() int { return b.srv.Port() }

// Options are the broker's credentials, defaults filled.
func (b *Broker) Options() Options { return b.opts }

// JetStream is a JetStream context on the control plane's connection, to
// look at the streams.
func (b *Broker) JetStream() jetstream.JetStream { return b.js }

// Conn is the control plane's connection (tests send requests with it).
func (b *Broker) Conn() *nats.Conn { return b.nc }

var connName = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}::(.+)$`)

// Check implements server.Authentication as the broker does: user
// <user>$<account> (or the bare user) with the password, or the connection
// token with a connection named <uuid v4>::<user>. A token without such a
// name is refused, as broker 1.4.4 does.
func (b *Broker) Check(c server.ClientAuthentication) bool {
	o := c.GetOpts()
	if o.Token != "" {
		m := connName.FindStringSubmatch(o.Name)
		if o.Token != b.opts.Token || m == nil || m[1] != b.opts.User {
			return false
		}
		b.mu.Lock()
		b.names = append(b.names, o.Name)
		b.mu.Unlock()
		return true
	}
	user := o.Username == b.opts.User+"$"+strconv.Itoa(b.opts.AccountID) || o.Username == b.opts.User
	return user && o.Password == b.opts.Password
}

// Kick closes every client connection whose name matches, as a broker
// restart or a network cut would; clients with reconnects on come back.
// It returns how many were closed.
func (b *Broker) Kick(match func(name string) bool) (int, error) {
	srv := b.srv.Server()
	cz, err := srv.Connz(&server.ConnzOptions{Limit: 1 << 20})
	if err != nil {
		return 0, fmt.Errorf("connz: %w", err)
	}
	n := 0
	for _, c := range cz.Conns {
		if match(c.Name) {
			if err := srv.DisconnectClientByID(c.Cid); err == nil {
				n++
			}
		}
	}
	return n, nil
}

// TokenConnectionNames lists the names of the connections that logged in
// with the token.
func (b *Broker) TokenConnectionNames() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.names...)
}

// Producers lists the producers registered on a station now, sorted.
func (b *Broker) Producers(station string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for name := range b.producers[InternalName(station)] {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// ProducerLog lists every producer creation and destruction, as
// "station/producer".
func (b *Broker) ProducerLog() (created, destroyed []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.created...), append([]string(nil), b.destroyed...)
}

// InternalName is how the broker names a station: lowercased, '.' as '#'.
func InternalName(station string) string {
	return strings.ReplaceAll(strings.ToLower(station), ".", "#")
}

// Stream is the stream of partition n (from 1) of a station.
func Stream(station string, n int) string { return InternalName(station) + "$" + strconv.Itoa(n) }

var validName = regexp.MustCompile(`^[a-z0-9_.-]{1,128}$`)

func nameError(kind, name string) error {
	n := strings.ToLower(name)
	if !validName.MatchString(n) || !isAlnum(n[0]) || !isAlnum(n[len(n)-1]) {
		return fmt.Errorf("%s name %q is not valid", kind, name)
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// StationConfig is a station as the create-station request gives it.
type StationConfig struct {
	Name                string `json:"name"`
	RetentionType       string `json:"retention_type"`
	RetentionValue      int    `json:"retention_value"`
	StorageType         string `json:"storage_type"`
	Replicas            int    `json:"replicas"`
	IdempotencyWindowMs int64  `json:"idempotency_window_in_ms"`
	PartitionsNumber    int    `json:"partitions_number"`
}

// defaultStation is what the broker makes for a producer of a missing
// station.
func defaultStation(name string) StationConfig {
	return StationConfig{Name: name, RetentionType: "message_age_sec", RetentionValue: 3600,
		StorageType: "file", Replicas: 1, IdempotencyWindowMs: 120000, PartitionsNumber: 1}
}

// streamConfig is the stream of one partition, as the broker makes it.
func streamConfig(sc StationConfig, n int) jetstream.StreamConfig {
	name := Stream(sc.Name, n)
	c := jetstream.StreamConfig{
		Name:       name,
		Subjects:   []string{name + ".>"},
		Retention:  jetstream.LimitsPolicy,
		Discard:    jetstream.DiscardOld,
		Storage:    jetstream.FileStorage,
		Replicas:   max(sc.Replicas, 1),
		Duplicates: max(time.Duration(sc.IdempotencyWindowMs)*time.Millisecond, 100*time.Millisecond),
	}
	if sc.StorageType == "memory" {
		c.Storage = jetstream.MemoryStorage
	}
	switch sc.RetentionType {
	case "message_age_sec":
		c.MaxAge = time.Duration(sc.RetentionValue) * time.Second
		c.Duplicates = min(c.Duplicates, c.MaxAge)
	case "messages":
		c.MaxMsgs = int64(sc.RetentionValue)
	case "bytes":
		c.MaxBytes = int64(sc.RetentionValue)
	case "ack_based":
		c.Retention = jetstream.InterestPolicy
	}
	return c
}

// ensureStation creates a station's streams; exists reports that it was
// already there.
func (b *Broker) ensureStation(ctx context.Context, sc StationConfig) (partitions int, exists bool, err error) {
	if err := nameError("station", sc.Name); err != nil {
		return 0, false, err
	}
	if n := b.partitions(ctx, sc.Name); n > 0 {
		return n, true, nil
	}
	for n := 1; n <= max(sc.PartitionsNumber, 1); n++ {
		if _, err := b.js.CreateStream(ctx, streamConfig(sc, n)); err != nil {
			return 0, false, fmt.Errorf("create stream: %w", err)
		}
	}
	return max(sc.PartitionsNumber, 1), false, nil
}

// partitions counts a station's partition streams (0: no such station).
func (b *Broker) partitions(ctx context.Context, station string) int {
	n := 0
	for ; ; n++ {
		if _, err := b.js.Stream(ctx, Stream(station, n+1)); err != nil {
			return n
		}
	}
}

// reply answers a request: empty for success, else the error's text.
func reply(m *nats.Msg, err error) {
	if err == nil {
		_ = m.Respond(nil)
		return
	}
	_ = m.Respond([]byte("memphis: " + err.Error()))
}

func (b *Broker) createStation(m *nats.Msg) {
	var sc StationConfig
	if err := json.Unmarshal(m.Data, &sc); err != nil {
		reply(m, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// An existing station is left as it is and answered like a creation:
	// broker 1.4.4 gives an empty reply either way.
	_, _, err := b.ensureStation(ctx, sc)
	reply(m, err)
}

func (b *Broker) destroyStation(m *nats.Msg) {
	var req struct {
		StationName string `json:"station_name"`
	}
	if err := json.Unmarshal(m.Data, &req); err != nil {
		reply(m, err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := b.partitions(ctx, req.StationName)
	if n == 0 {
		reply(m, fmt.Errorf("station %s does not exist", req.StationName))
		return
	}
	for i := 1; i <= n; i++ {
		if err := b.js.DeleteStream(ctx, Stream(req.StationName, i)); err != nil {
			reply(m, err)
			return
		}
	}
	b.mu.Lock()
	delete(b.producers, InternalName(req.StationName))
	b.mu.Unlock()
	reply(m, nil)
}
