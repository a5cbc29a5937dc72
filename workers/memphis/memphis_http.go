package memphis

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/stationbench/stationbench/internal/redact"
	"github.com/stationbench/stationbench/workers"
)

// batchLinger is how long a memphis-http producer holds a partial batch
// before sending it anyway (the end of a step, or a slow open-loop rate).
const batchLinger = 5 * time.Millisecond

// maxCauses bounds the distinct error causes a step's note lists.
const maxCauses = 5

// memphisHTTPDriver produces through the Memphis REST gateway. Each
// producer has its own HTTP client and keep-alive connection, and its own
// gateway session (gatewayAuth), kept for the whole run. Publish does the
// request and calls the Acker itself, so latency is the HTTP round trip
// and at most one request per producer is in flight. Steps are verified
// over a NATS connection to the broker behind the gateway.
type memphisHTTPDriver struct {
	cfg      workers.Config
	base     string // the gateway's URL, without a trailing slash
	internal string // the station's internal name

	mu        sync.Mutex
	sessions  map[int]*gatewayAuth // by producer index, for the whole run
	broker    *nats.Conn           // for verification; opened when first needed
	brokerJS  jetstream.JetStream
	brokerErr error // why the broker cannot be reached, once tried
}

// NewHTTP makes the driver of kind memphis-http (see package
// protocols).
func NewHTTP(c workers.Config) workers.Driver { return newMemphisHTTP(c) }

func newMemphisHTTP(c workers.Config) *memphisHTTPDriver {
	return &memphisHTTPDriver{cfg: c, base: strings.TrimRight(c.URL, "/"),
		internal: InternalName(c.Station.Name), sessions: map[int]*gatewayAuth{}}
}

// Connect checks the gateway answers and the credentials are accepted. The
// login it makes becomes the first producer's session, so a run logs in
// once per producer.
func (d *memphisHTTPDriver) Connect(ctx context.Context) (workers.ServerInfo, error) {
	a, err := d.login(ctx)
	if err != nil {
		return workers.ServerInfo{}, fmt.Errorf("target %q (%s): %w", d.cfg.Target.Name, redact.URL(d.base), err)
	}
	a.client.CloseIdleConnections()
	d.mu.Lock()
	d.sessions[1] = a
	d.mu.Unlock()
	return workers.ServerInfo{Name: "memphis-rest-gateway"}, nil
}

// login opens a new gateway session.
func (d *memphisHTTPDriver) login(ctx context.Context) (*gatewayAuth, error) {
	c, err := d.newClient()
	if err != nil {
		return nil, err
	}
	a := &gatewayAuth{d: d, client: c}
	if err := a.authenticate(ctx); err != nil {
		c.CloseIdleConnections()
		return nil, err
	}
	return a, nil
}

// session is producer index's session: the one it had in an earlier step,
// or a new login.
func (d *memphisHTTPDriver) session(ctx context.Context, index int) (*gatewayAuth, error) {
	d.mu.Lock()
	a := d.sessions[index]
	d.mu.Unlock()
	if a != nil {
		return a, nil
	}
	a, err := d.login(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.sessions[index] = a
	d.mu.Unlock()
	return a, nil
}

// sessionCounts totals the logins and refreshes of the run so far.
func (d *memphisHTTPDriver) sessionCounts() (logins, refreshes int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.sessions {
		logins, refreshes = logins+a.logins, refreshes+a.refreshes
	}
	return logins, refreshes
}

func (d *memphisHTTPDriver) BeginStep(context.Context, workers.StepSpec) (workers.Step, error) {
	return &memphisHTTPStep{d: d}, nil
}

// Close closes the verification connection and the sessions' idle HTTP
// connections. The gateway has no logout.
func (d *memphisHTTPDriver) Close(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.broker != nil {
		d.broker.Close()
	}
	for _, a := range d.sessions {
		a.client.CloseIdleConnections()
	}
	return nil
}

// brokerConn is the NATS connection to the broker behind the gateway, for
// verification: the gateway's host, the target's natsPort, the same
// credentials (user <username>$<accountId> with the password, or the
// connection token). A failure is kept and given again.
func (d *memphisHTTPDriver) brokerConn(ctx context.Context) (jetstream.JetStream, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.brokerJS != nil || d.brokerErr != nil {
		return d.brokerJS, d.brokerErr
	}
	u, err := url.Parse(d.base)
	if err != nil {
		d.brokerErr = fmt.Errorf("gateway URL: %w", err)
		return nil, d.brokerErr
	}
	c := d.cfg
	c.URL = "nats://" + net.JoinHostPort(u.Hostname(), strconv.Itoa(c.Target.NATSPort))
	c.Faults = nil // not a producer's connection
	id, err := newConnectionID()
	if err == nil {
		d.broker, err = memphisConnect(ctx, c, id, nil)
	}
	if err == nil {
		d.brokerJS, err = workers.JetStreamOn(d.broker, c.Target)
	}
	if err != nil {
		d.brokerErr = fmt.Errorf("cannot reach the broker's NATS port %s (the gateway's host, natsPort %d) "+
			"with the target's credentials: %w", c.URL, c.Target.NATSPort, err)
		return nil, d.brokerErr
	}
	return d.brokerJS, nil
}

// newClient makes one producer's client: its own transport, so its own
// keep-alive connection, and no compression (no Accept-Encoding header).
func (d *memphisHTTPDriver) newClient() (*http.Client, error) {
	t := d.cfg.Target
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	if t.CAFile != "" || t.CertFile != "" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if t.CAFile != "" {
			pem, err := os.ReadFile(t.CAFile)
			if err != nil {
				return nil, fmt.Errorf("caFile: %w", err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("caFile %s: no certificate found", t.CAFile)
			}
		}
		if t.CertFile != "" {
			cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("certFile/keyFile: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		tr.TLSClientConfig = tc
	}
	return &http.Client{Transport: tr, Timeout: t.Timeout()}, nil
}

// memphisHTTPStep makes one step's gateway producers and says, in notes,
// what their requests met.
type memphisHTTPStep struct {
	d *memphisHTTPDriver

	mu        sync.Mutex
	producers []*memphisHTTPProducer
}

func (s *memphisHTTPStep) Acked() bool          { return true }
func (s *memphisHTTPStep) Start(workers.Window) {}

// Finish says how the station was used, what the latency is per, how many
// logins the run made, and why requests failed, if any did.
func (s *memphisHTTPStep) Finish(context.Context) (workers.StepResult, error) {
	batch := max(s.d.cfg.Batch, 1)
	notes := []string{"memphis-http: the REST gateway cannot create, configure or empty a station: steps are not " +
		"reset, and a station missing at the first request is created by the broker with its defaults " +
		"(1 partition, 3600 s message age, file storage)"}
	if batch == 1 {
		notes = append(notes, "memphis-http: latency is per request of 1 message (the HTTP round trip of /produce/single)")
	} else {
		notes = append(notes, fmt.Sprintf("memphis-http: latency is per request of %d messages: every message of a "+
			"/produce/batch request is acknowledged when the request returns (after waiting at most %s for its "+
			"batch to fill); throughput counts messages (msgs/s), as for single requests", batch, batchLinger))
	}
	logins, refreshes := s.d.sessionCounts()
	notes = append(notes, fmt.Sprintf("memphis-http: %d gateway logins and %d JWT renewals by refresh token so far "+
		"in the run (one login per producer, kept across steps)", logins, refreshes))
	s.mu.Lock()
	ps := s.producers
	s.mu.Unlock()
	var errs gatewayFailures
	for _, p := range ps {
		p.mu.Lock()
		errs.merge(&p.fails)
		p.mu.Unlock()
	}
	if n := errs.note(); n != "" {
		notes = append(notes, n)
	}
	return workers.StepResult{Notes: notes}, nil
}

func (s *memphisHTTPStep) NewProducer(ctx context.Context, p workers.ProducerSpec, acks workers.Acker) (workers.Producer, error) {
	d := s.d
	auth, err := d.session(ctx, p.Index)
	if err != nil {
		return nil, fmt.Errorf("target %q: producer %s: %w", d.cfg.Target.Name, p.Name, err)
	}
	batch := max(d.cfg.Batch, 1)
	path := "/produce/single"
	if batch > 1 {
		path = "/produce/batch"
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	hp := &memphisHTTPProducer{
		auth:   auth,
		url:    d.base + "/stations/" + url.PathEscape(d.cfg.Station.Name) + path,
		acks:   acks,
		batch:  batch,
		ctx:    rctx,
		cancel: cancel,
		seqs:   make([]uint64, 0, batch),
	}
	if batch > 1 {
		hp.timer = time.AfterFunc(time.Hour, hp.linger)
		hp.timer.Stop()
	}
	s.mu.Lock()
	s.producers = append(s.producers, hp)
	s.mu.Unlock()
	return hp, nil
}

// memphisHTTPProducer is one gateway producer.
type memphisHTTPProducer struct {
	auth   *gatewayAuth
	url    string // without the query string
	acks   workers.Acker
	batch  int
	ctx    context.Context
	cancel context.CancelFunc

	// mu: a batch is filled by Publish and may be sent by the linger
	// timer; single requests take it only to record a failure.
	mu     sync.Mutex
	body   []byte
	seqs   []uint64
	timer  *time.Timer
	closed bool
	fails  gatewayFailures
}

// Publish sends one message (single) or adds it to the batch, sending the
// batch when full. Acks are given when the response comes back: positive
// for a 200, negative for another answer (whose cause the step's notes
// give). A request that got no answer is Publish's error.
func (p *memphisHTTPProducer) Publish(seq uint64, payload []byte) error {
	if p.batch == 1 {
		p.body = appendPrintable(p.body[:0], payload)
		err := p.post("text/plain")
		var answered *gatewayError
		switch {
		case err == nil:
			p.acks.Ack(seq, true)
		case errors.As(err, &answered):
			nak(p.acks, seq, err)
		default:
			return err
		}
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.seqs) == 0 {
		p.body = append(p.body[:0], '[')
		p.timer.Reset(batchLinger)
	} else {
		p.body = append(p.body, ',')
	}
	p.body = append(appendPrintable(append(p.body, '"'), payload), '"')
	p.seqs = append(p.seqs, seq)
	if len(p.seqs) == p.batch {
		p.timer.Stop()
		p.flushLocked()
	}
	return nil
}

// linger sends a partial batch that waited batchLinger.
func (p *memphisHTTPProducer) linger() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed && len(p.seqs) > 0 {
		p.flushLocked()
	}
}

// flushLocked sends the batch and acks each of its messages.
func (p *memphisHTTPProducer) flushLocked() {
	p.body = append(p.body, ']')
	err := p.post("application/json")
	for _, s := range p.seqs {
		if err == nil {
			p.acks.Ack(s, true)
		} else {
			nak(p.acks, s, err)
		}
	}
	p.seqs = p.seqs[:0]
}

// post sends the body and records the request. Single requests come only
// from Publish's goroutine; batches are sent with p.mu held (Publish and
// the linger timer), so the record has one writer at a time without a
// lock on the single-request path.
func (p *memphisHTTPProducer) post(contentType string) error {
	err := p.send(contentType)
	p.fails.add(err)
	return err
}

// send sends the body with the JWT, renewing it first when it is due, and
// once more after renewing it when the gateway refuses (401) a JWT that was
// not just renewed; a fresh JWT refused is kept, so a gateway that refuses
// every request does not get a renewal per message. A non-200 answer is a
// *gatewayError with the status and body.
func (p *memphisHTTPProducer) send(contentType string) error {
	for attempt := 0; ; attempt++ {
		old := p.auth.jwt
		query, err := p.auth.authQuery(p.ctx)
		if err != nil {
			return err
		}
		fresh := p.auth.jwt != old
		req, err := http.NewRequestWithContext(p.ctx, http.MethodPost, p.url+query, bytes.NewReader(p.body))
		if err != nil {
			return fmt.Errorf("produce: %w", p.auth.d.redactErr(err))
		}
		// Only what the request needs: the gateway stores every header
		// with the message. An empty User-Agent is not sent.
		req.Header = http.Header{"Content-Type": {contentType}, "User-Agent": {""}}
		resp, err := p.auth.client.Do(req)
		if err != nil {
			return fmt.Errorf("produce: %w", p.auth.d.redactErr(err))
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			_, _ = io.Copy(io.Discard, resp.Body) // so the connection is kept alive
			return resp.Body.Close()
		case resp.StatusCode == http.StatusUnauthorized && attempt == 0 && !fresh:
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			p.auth.expire()
			continue
		}
		err = p.auth.d.statusError("produce", resp, p.auth.jwt, p.auth.refresh)
		_ = resp.Body.Close()
		return err
	}
}

// Close stops the linger timer and closes the producer's connection. A
// partial batch still held is dropped: its messages were already counted
// as unacknowledged by the worker's drain. The session stays with the
// driver for the producer of the same index in later steps.
func (p *memphisHTTPProducer) Close(context.Context) error {
	p.mu.Lock()
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
	}
	p.mu.Unlock()
	p.cancel()
	p.auth.client.CloseIdleConnections()
	return nil
}

// reasonAcker is an Acker that keeps why a message was refused.
type reasonAcker interface {
	Nak(seq uint64, reason string)
}

// nak acknowledges seq negatively, giving err's text as the reason when
// the Acker keeps reasons (the error path only).
func nak(a workers.Acker, seq uint64, err error) {
	if n, ok := a.(reasonAcker); ok {
		n.Nak(seq, err.Error())
		return
	}
	a.Ack(seq, false)
}

// gatewayFailures counts failed requests by cause.
type gatewayFailures struct {
	requests, failed int
	causes           []string // distinct, in order, at most maxCauses
	counts           map[string]int
	other            int // failures whose cause did not fit
}

// add counts a request and, when err is not nil, its failure.
func (f *gatewayFailures) add(err error) {
	f.requests++
	if err != nil {
		f.count(err.Error(), 1)
	}
}

func (f *gatewayFailures) count(cause string, n int) {
	f.failed += n
	if f.counts == nil {
		f.counts = map[string]int{}
	}
	if _, seen := f.counts[cause]; !seen {
		if len(f.causes) == maxCauses {
			f.other += n
			return
		}
		f.causes = append(f.causes, cause)
	}
	f.counts[cause] += n
}

// merge adds o's counts to f.
func (f *gatewayFailures) merge(o *gatewayFailures) {
	f.requests += o.requests
	for _, c := range o.causes {
		f.count(c, o.counts[c])
	}
	f.failed += o.other
	f.other += o.other
}

// note says how many requests failed and why; empty when none did.
func (f *gatewayFailures) note() string {
	if f.failed == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "memphis-http: %d requests failed (of %d sent); causes: ", f.failed, f.requests)
	for i, c := range f.causes {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s (%d×)", c, f.counts[c])
	}
	if f.other > 0 {
		fmt.Fprintf(&b, "; %d more with other causes", f.other)
	}
	return b.String()
}

// appendPrintable appends payload with every byte mapped to a letter, so
// the body is valid text and a valid JSON string of the same size.
func appendPrintable(dst, payload []byte) []byte {
	for _, b := range payload {
		dst = append(dst, 'a'+b%26)
	}
	return dst
}
