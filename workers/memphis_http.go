package workers

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/stationbench/stationbench/internal/redact"
)

// batchLinger is how long a memphis-http producer holds a partial batch
// before sending it anyway (the end of a step, or a slow open-loop rate).
const batchLinger = 5 * time.Millisecond

// memphisHTTPDriver produces through the Memphis REST gateway. Each
// producer has its own HTTP client and keep-alive connection, and its own
// JWT, renewed before it expires. Publish does the request and calls the
// Acker itself, so latency is the HTTP round trip and at most one request
// per producer is in flight.
type memphisHTTPDriver struct {
	cfg  Config
	base string // the gateway's URL, without a trailing slash
}

func newMemphisHTTP(c Config) *memphisHTTPDriver {
	return &memphisHTTPDriver{cfg: c, base: strings.TrimRight(c.URL, "/")}
}

// Connect checks the gateway answers and the credentials are accepted.
func (d *memphisHTTPDriver) Connect(ctx context.Context) (ServerInfo, error) {
	c, err := d.newClient()
	if err != nil {
		return ServerInfo{}, fmt.Errorf("target %q: %w", d.cfg.Target.Name, err)
	}
	defer c.CloseIdleConnections()
	a := &gatewayAuth{d: d, client: c}
	if err := a.authenticate(ctx); err != nil {
		return ServerInfo{}, fmt.Errorf("target %q (%s): %w", d.cfg.Target.Name, redact.URL(d.base), err)
	}
	return ServerInfo{Name: "memphis-rest-gateway"}, nil
}

func (d *memphisHTTPDriver) BeginStep(context.Context, StepSpec) (Step, error) {
	return &memphisHTTPStep{d: d}, nil
}

func (d *memphisHTTPDriver) Close(context.Context) error { return nil }

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

// memphisHTTPStep makes one step's gateway producers.
type memphisHTTPStep struct{ d *memphisHTTPDriver }

func (s *memphisHTTPStep) Acked() bool  { return true }
func (s *memphisHTTPStep) Start(Window) {}

func (s *memphisHTTPStep) Finish(context.Context) (StepResult, error) {
	return StepResult{Notes: []string{"memphis-http: the REST gateway cannot create or configure a station; " +
		"a missing one is created by the broker with its defaults (1 partition)"}}, nil
}

func (s *memphisHTTPStep) NewProducer(ctx context.Context, p ProducerSpec, acks Acker) (Producer, error) {
	d := s.d
	c, err := d.newClient()
	if err != nil {
		return nil, fmt.Errorf("target %q: producer %s: %w", d.cfg.Target.Name, p.Name, err)
	}
	auth := &gatewayAuth{d: d, client: c}
	if err := auth.authenticate(ctx); err != nil {
		c.CloseIdleConnections()
		return nil, fmt.Errorf("target %q: producer %s: %w", d.cfg.Target.Name, p.Name, err)
	}
	batch := max(d.cfg.Scenario.Message.Batch, 1)
	path := "/produce/single"
	if batch > 1 {
		path = "/produce/batch"
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	hp := &memphisHTTPProducer{
		auth:   auth,
		url:    d.base + "/stations/" + url.PathEscape(d.cfg.Scenario.Station.Name) + path,
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
	return hp, nil
}

// memphisHTTPProducer is one gateway producer.
type memphisHTTPProducer struct {
	auth   *gatewayAuth
	url    string
	acks   Acker
	batch  int
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex // a batch is filled by Publish and may be sent by the linger timer
	body   []byte
	seqs   []uint64
	timer  *time.Timer
	closed bool
}

// Publish sends one message (single) or adds it to the batch, sending the
// batch when full. Acks are given when the response comes back.
func (p *memphisHTTPProducer) Publish(seq uint64, payload []byte) error {
	if p.batch == 1 {
		p.body = appendPrintable(p.body[:0], payload)
		ok, err := p.post("text/plain")
		if err != nil {
			return err
		}
		p.acks.Ack(seq, ok)
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
	ok, err := p.post("application/json")
	for _, s := range p.seqs {
		p.acks.Ack(s, ok && err == nil)
	}
	p.seqs = p.seqs[:0]
}

// post sends the body with the JWT, renewing it first when it is due, and
// once more after a fresh login when the gateway answers 401. It reports
// whether the gateway accepted the messages.
func (p *memphisHTTPProducer) post(contentType string) (bool, error) {
	for attempt := 0; ; attempt++ {
		bearer, err := p.auth.bearer(p.ctx)
		if err != nil {
			return false, err
		}
		req, err := http.NewRequestWithContext(p.ctx, http.MethodPost, p.url, bytes.NewReader(p.body))
		if err != nil {
			return false, fmt.Errorf("produce: %w", err)
		}
		// Only what the request needs: the gateway stores every header
		// with the message. An empty User-Agent is not sent.
		req.Header = http.Header{
			"Authorization": {bearer},
			"Content-Type":  {contentType},
			"User-Agent":    {""},
		}
		resp, err := p.auth.client.Do(req)
		if err != nil {
			return false, fmt.Errorf("produce: %w", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // so the connection is kept alive
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			p.auth.expire()
			continue
		}
		return resp.StatusCode == http.StatusOK, nil
	}
}

// Close stops the linger timer and closes the producer's connection. A
// partial batch still held is dropped: its messages were already counted
// as unacknowledged by the worker's drain.
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

// appendPrintable appends payload with every byte mapped to a letter, so
// the body is valid text and a valid JSON string of the same size.
func appendPrintable(dst, payload []byte) []byte {
	for _, b := range payload {
		dst = append(dst, 'a'+b%26)
	}
	return dst
}

// errUnauthorized is the gateway refusing credentials or a refresh token.
var errUnauthorized = errors.New("401 unauthorized")

// gatewayAuth holds one client's JWT and renews it before it expires: by
// refresh token while that is valid, else by logging in again. It is used
// by one goroutine at a time.
type gatewayAuth struct {
	d       *memphisHTTPDriver
	client  *http.Client
	jwt     string // "Bearer <jwt>"
	refresh string
	renewAt time.Time
	reauth  time.Time // when the refresh token stops being usable
}

// gatewayTokens is the reply of /auth/authenticate and /auth/refreshToken;
// the lifetimes are in milliseconds.
type gatewayTokens struct {
	JWT              string `json:"jwt"`
	ExpiresIn        int64  `json:"expires_in"`
	Refresh          string `json:"jwt_refresh_token"`
	RefreshExpiresIn int64  `json:"refresh_token_expires_in"`
}

// bearer is the Authorization value, renewed first when due.
func (a *gatewayAuth) bearer(ctx context.Context) (string, error) {
	now := time.Now()
	switch {
	case a.jwt != "" && now.Before(a.renewAt):
		return a.jwt, nil
	case a.refresh != "" && now.Before(a.reauth):
		err := a.call(ctx, "/auth/refreshToken", map[string]string{"jwt_refresh_token": a.refresh})
		if err == nil {
			return a.jwt, nil
		}
	}
	if err := a.authenticate(ctx); err != nil {
		return "", err
	}
	return a.jwt, nil
}

// expire forgets the JWT and refresh token, so the next request logs in.
func (a *gatewayAuth) expire() { a.jwt, a.refresh = "", "" }

// authenticate logs in with the target's credentials.
func (a *gatewayAuth) authenticate(ctx context.Context) error {
	t := a.d.cfg.Target
	req := map[string]any{"username": t.Username, "account_id": t.AccountID}
	if t.ConnectionToken != "" {
		req["connection_token"] = t.ConnectionToken.Value()
	} else {
		req["password"] = t.Password.Value()
	}
	return a.call(ctx, "/auth/authenticate", req)
}

// call posts an auth request and keeps the tokens it returns. Errors never
// hold the request or the reply, which carry credentials.
func (a *gatewayAuth) call(ctx context.Context, path string, body any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.d.base+path, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	req.Header = http.Header{"Content-Type": {"application/json"}, "User-Agent": {""}}
	start := time.Now()
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		_, _ = io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("%s: %w", path, errUnauthorized)
	case resp.StatusCode != http.StatusOK:
		_, _ = io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("%s: status %s", path, resp.Status)
	}
	var tok gatewayTokens
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.JWT == "" {
		return fmt.Errorf("%s: reply holds no token", path)
	}
	// Renew at 80% of the lifetime, counted from when the request left.
	a.jwt, a.refresh = "Bearer "+tok.JWT, tok.Refresh
	a.renewAt = start.Add(time.Duration(tok.ExpiresIn) * time.Millisecond * 8 / 10)
	a.reauth = start.Add(time.Duration(tok.RefreshExpiresIn) * time.Millisecond * 8 / 10)
	return nil
}
