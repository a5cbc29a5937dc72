package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/stationbench/stationbench/workers"
)

// quiesce is how long a client's DISCONNECT may take to leave, in
// milliseconds.
const quiesce = 100

// conn is one MQTT client as the target's fault record (workers.Faults)
// knows it, with the count of its reconnect attempts since it was last
// connected.
type conn struct {
	client   paho.Client
	name     string
	closed   atomic.Bool // by the harness, or given up
	down     atomic.Bool
	attempts atomic.Int64
	// epoch counts the connection's losses; lost is closed, and replaced,
	// at each: what was in flight then gets no PUBACK (see producer).
	epoch atomic.Uint64
	lost  atomic.Pointer[chan struct{}]
}

func newConn(name string) *conn {
	c := &conn{name: name}
	ch := make(chan struct{})
	c.lost.Store(&ch)
	return c
}

// markLost records a loss of the connection, once per outage: down first,
// then the epoch and the lost channel, so that a publish that sees the
// old channel sees it closed, or sees the connection down.
func (c *conn) markLost() bool {
	if !c.down.CompareAndSwap(false, true) {
		return false
	}
	c.epoch.Add(1)
	next := make(chan struct{})
	close(*c.lost.Swap(&next))
	return true
}

// noStore is a paho Store that keeps nothing. paho's own store would
// resend after a reconnect what was in flight at the loss, under new
// tokens, completing the old ones without an error and with no PUBACK: a
// false acknowledgement, and a payload paho still writes after the
// producer took its buffer back. Without it, what was in flight at a loss
// fails (producer.wait), and the producer publishes again only once
// reconnected.
type noStore struct{}

func (noStore) Open()                             {}
func (noStore) Put(string, packets.ControlPacket) {}
func (noStore) Get(string) packets.ControlPacket  { return nil }
func (noStore) All() []string                     { return nil }
func (noStore) Del(string)                        {}
func (noStore) Close()                            {}
func (noStore) Reset()                            {}

// IsClosed implements workers.Conn.
func (c *conn) IsClosed() bool { return c.closed.Load() }

// connectClient connects one MQTT client whose client id is id, with the
// target's settings: credentials, TLS, keep-alive, clean session, timeouts
// and reconnects. Its connection events go to the target's fault record;
// onReconnect, when set, is told each time it comes back.
func connectClient(ctx context.Context, c workers.Config, id string, onReconnect func()) (*conn, error) {
	t := c.Target
	o := paho.NewClientOptions()
	for _, u := range strings.Split(c.URL, ",") {
		o.AddBroker(strings.TrimSpace(u))
	}
	tc, err := tlsConfig(c)
	if err != nil {
		return nil, err
	}
	if tc != nil {
		o.SetTLSConfig(tc)
	}
	o.SetClientID(id)
	if t.Username != "" {
		o.SetUsername(t.Username)
		o.SetPassword(t.Password.Value())
	}
	o.SetCleanSession(t.CleanSessionEnabled())
	o.SetKeepAlive(t.KeepAlive.D())
	o.SetConnectTimeout(t.Timeout())
	o.SetWriteTimeout(t.Timeout())
	o.SetPingTimeout(t.Timeout())
	o.SetAutoReconnect(t.ReconnectEnabled())
	o.SetMaxReconnectInterval(max(t.ReconnectInterval(), time.Millisecond))
	o.SetResumeSubs(false)
	o.SetStore(noStore{})
	cn := newConn(id)
	watch(o, cn, c, onReconnect)
	cn.client = paho.NewClient(o)
	tok := cn.client.Connect()
	select {
	case <-tok.Done():
	case <-ctx.Done():
		cn.closed.Store(true)
		go func() { <-tok.Done(); cn.client.Disconnect(0) }()
		return nil, fmt.Errorf("%s: client %s: connect: %w", errText(c), id, ctx.Err())
	}
	if err := tok.Error(); err != nil {
		cn.closed.Store(true)
		return nil, fmt.Errorf("%s: client %s: connect: %w", errText(c), id, err)
	}
	return cn, nil
}

// watch reports a client's connection events to the target's fault
// record: down when the connection is lost (or a reconnect begins), up
// when it is back, lost for good when reconnect is off or its attempts
// ran out (maxReconnect; paho itself retries forever).
func watch(o *paho.ClientOptions, cn *conn, c workers.Config, onReconnect func()) {
	f, t := c.Faults, c.Target
	markDown := func() {
		if cn.markLost() {
			f.ConnDown(cn, time.Now())
		}
	}
	giveUp := func(why string, err error) {
		if cn.closed.CompareAndSwap(false, true) {
			f.ConnLost(cn, time.Now(), workers.Loss{Target: t.Name, Conn: cn.name, Why: why, Err: err})
		}
	}
	o.SetOnConnectHandler(func(paho.Client) {
		cn.attempts.Store(0)
		// Every reconnect follows a reconnecting call, which marked the
		// client down; the initial connection finds it up.
		if !cn.down.CompareAndSwap(true, false) {
			return
		}
		f.ConnUp(cn, time.Now())
		if onReconnect != nil {
			onReconnect()
		}
	})
	o.SetConnectionLostHandler(func(_ paho.Client, err error) {
		if cn.closed.Load() {
			return
		}
		markDown()
		if !t.ReconnectEnabled() {
			giveUp("reconnect is off", err)
		}
	})
	o.SetReconnectingHandler(func(pc paho.Client, _ *paho.ClientOptions) {
		markDown()
		if n := cn.attempts.Add(1); t.MaxReconnect >= 0 && n > int64(t.MaxReconnect) {
			giveUp("maxReconnect exhausted", errors.New("the broker did not take the connection back"))
			go pc.Disconnect(0)
		}
	})
}

// tlsConfig is the TLS configuration of a target's MQTT connection: its
// CA, client certificate and key, for an mqtts://, ssl:// or tls:// URL or
// any target that names one of the files; nil for plain TCP.
func tlsConfig(c workers.Config) (*tls.Config, error) {
	t := c.Target
	secure := t.CAFile != "" || t.CertFile != ""
	for _, raw := range strings.Split(c.URL, ",") {
		if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && (u.Scheme == "mqtts" || u.Scheme == "ssl" || u.Scheme == "tls") {
			secure = true
		}
	}
	if !secure {
		return nil, nil
	}
	return workers.TLSConfig(t)
}
