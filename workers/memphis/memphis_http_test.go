package memphis

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/memphistest"
	"github.com/stationbench/stationbench/workers"
)

// gatewayScenario is a memphis-http scenario against the gateway.
func gatewayScenario(t *testing.T, g *memphistest.Gateway, auth, extra string) workers.Config {
	t.Helper()
	doc := fmt.Sprintf("name: h\ntargets:\n  - name: gw\n    kind: memphis-http\n    url: %s\n%s\nstation:\n  name: web\n%s\n",
		g.URL(), auth, extra)
	s := parseScenario(t, doc)
	return configFor(s)
}

// gatewayStep connects and begins a step.
func gatewayStep(t *testing.T, c workers.Config) (workers.Driver, workers.Step) {
	t.Helper()
	ctx := context.Background()
	d := NewHTTP(c)
	if _, err := d.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close(ctx) })
	step, err := d.BeginStep(ctx, workers.StepSpec{Producers: 1, Clock: workers.NewClock(), Drain: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return d, step
}

// gatewayProducer connects and opens one producer.
func gatewayProducer(t *testing.T, c workers.Config, acks workers.Acker) workers.Producer {
	t.Helper()
	_, step := gatewayStep(t, c)
	p, err := step.NewProducer(context.Background(), workers.ProducerSpec{Index: 1, Name: "bench-1"}, acks)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

// TestGatewayOneLogin: a producer logs in once (the login Connect made to
// check the credentials is handed to it) and reuses its JWT, however many
// messages it sends: each login opens a broker connection in the gateway
// that is never closed.
func TestGatewayOneLogin(t *testing.T) {
	for _, auth := range []string{passwordAuth, tokenAuth} {
		b := memphistest.Start(t, memphistest.Options{})
		g := b.StartGateway(t, memphistest.GatewayOptions{})
		acks := &countAcks{}
		p := gatewayProducer(t, gatewayScenario(t, g, auth, ""), acks)
		const n = 50
		for seq := uint64(1); seq <= n; seq++ {
			if err := p.Publish(seq, bytes.Repeat([]byte{200}, 32)); err != nil {
				t.Fatal(err)
			}
		}
		if ok, bad := acks.wait(t, n); ok != n || bad != 0 {
			t.Errorf("acks ok %d bad %d", ok, bad)
		}
		if got := streamMsgs(t, b.JetStream(), "web$1"); got != n {
			t.Errorf("stored %d, want %d", got, n)
		}
		if s := g.Stats(); s.Logins != 1 || s.Unauthorized != 0 || s.Refreshes != 0 {
			t.Errorf("%s: stats %+v, want 1 login for %d messages, no 401, no refresh", auth, s, n)
		}
		if c := g.Connections(); c != 1 {
			t.Errorf("gateway holds %d broker connections, want 1", c)
		}
	}
}

// TestGatewayStoredHeaders: the gateway stores every request header with
// the message, so the JWT (whose claims hold the password) goes in the
// authorization query parameter, and nothing else is sent.
func TestGatewayStoredHeaders(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	acks := &countAcks{}
	p := gatewayProducer(t, gatewayScenario(t, g, passwordAuth, ""), acks)
	if err := p.Publish(1, bytes.Repeat([]byte{200}, 32)); err != nil {
		t.Fatal(err)
	}
	acks.wait(t, 1)
	stream, err := b.JetStream().Stream(context.Background(), "web$1")
	if err != nil {
		t.Fatal(err)
	}
	m, err := stream.GetMsg(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range m.Header {
		switch k {
		case "Host", "Content-Type", "Content-Length", "$memphis_producedBy":
		default:
			t.Errorf("stored header %s: %q; the request should not send it", k, v)
		}
		if strings.Contains(strings.Join(v, " "), memphistest.DefaultPassword) || strings.Contains(strings.Join(v, " "), "eyJ") {
			t.Errorf("stored header %s holds the JWT or the password", k)
		}
	}
	if ct := m.Header.Get("Content-Type"); ct != "text/plain" || len(m.Data) != 32 {
		t.Errorf("Content-Type %q, %d bytes", ct, len(m.Data))
	}
	if s := g.Stats(); s.HeaderJWTs != 0 {
		t.Errorf("%d requests carried the JWT in an Authorization header", s.HeaderJWTs)
	}
}

func TestGatewayBadJWT(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	req, _ := http.NewRequest(http.MethodPost, g.URL()+"/stations/web/produce/single?authorization=not-a-jwt", strings.NewReader("x"))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad JWT: status %d, want 401", resp.StatusCode)
	}
	// A producer whose JWT the gateway stops accepting renews it with its
	// refresh token and retries once; no new login.
	acks := &countAcks{}
	p := gatewayProducer(t, gatewayScenario(t, g, passwordAuth, ""), acks)
	g.ExpireAll()
	if err := p.Publish(1, []byte("after expiry")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := acks.wait(t, 1); ok != 1 {
		t.Error("the message after the 401 was not acknowledged")
	}
	if s := g.Stats(); s.Unauthorized != 2 || s.Logins != 1 || s.Refreshes != 1 {
		t.Errorf("stats %+v, want 2 refusals (test, producer), 1 login and 1 refresh", s)
	}
}

// TestGatewayRefresh: the JWT's life comes from its exp claim (expires_in
// is the expiry's Unix seconds times 60000, not a duration); the producer
// renews it with the refresh token shortly before it expires, never by
// logging in again and never after a refusal. The loop ends on measured
// events: two renewals.
func TestGatewayRefresh(t *testing.T) {
	t.Parallel()
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{JWTExpiry: time.Second})
	acks := &countAcks{}
	p := gatewayProducer(t, gatewayScenario(t, g, passwordAuth, ""), acks)
	deadline := time.Now().Add(15 * time.Second)
	seq := uint64(0)
	for g.Stats().Refreshes < 2 && time.Now().Before(deadline) {
		seq++
		if err := p.Publish(seq, []byte("a")); err != nil {
			t.Fatal(err)
		}
	}
	if ok, bad := acks.wait(t, int(seq)); ok != int(seq) || bad != 0 {
		t.Errorf("acks ok %d bad %d of %d", ok, bad, seq)
	}
	if s := g.Stats(); s.Refreshes < 2 || s.Logins != 1 || s.Unauthorized != 0 {
		t.Errorf("stats %+v after %d messages: want 1 login, 2 refreshes before expiry, no 401", s, seq)
	}
}

func TestGatewayBadCredentials(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	c := gatewayScenario(t, g, "    password: s3cret-wrong", "")
	_, err := newMemphisHTTP(c).Connect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "Unauthorized") ||
		strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v, want a 401 with the gateway's reason that does not show the password", err)
	}
}

// TestGatewayErrorAnswers: a non-200 answer is an error whose cause is the
// status and the body (bounded, credentials removed), said in the step's
// notes; a gateway that is gone is said too, without the JWT.
func TestGatewayErrorAnswers(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	_, step := gatewayStep(t, gatewayScenario(t, g, passwordAuth, ""))
	acks := &countAcks{}
	p, err := step.NewProducer(context.Background(), workers.ProducerSpec{Index: 1, Name: "bench-1"}, acks)
	if err != nil {
		t.Fatal(err)
	}
	g.FailNext(1, http.StatusInternalServerError, `{"error":"station web is full","success":false}`)
	g.FailNext(1, http.StatusBadGateway, "upstream said "+memphistest.DefaultPassword+" "+strings.Repeat("x", 2000))
	for seq := uint64(1); seq <= 3; seq++ {
		_ = p.Publish(seq, []byte("m"))
	}
	if ok, bad := acks.wait(t, 3); ok != 1 || bad != 2 {
		t.Errorf("acks ok %d bad %d, want 1 and 2", ok, bad)
	}
	g.Close() // the gateway is gone
	if err := p.Publish(4, []byte("m")); err == nil {
		t.Error("publishing to a closed gateway succeeded")
	} else if strings.Contains(err.Error(), "eyJ") || strings.Contains(err.Error(), "authorization=") {
		t.Errorf("error shows the JWT: %v", err)
	}
	_ = p.Close(context.Background())
	res, err := step.Finish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"3 requests failed", "500 Internal Server Error", "station web is full", "502 Bad Gateway", "upstream said [redacted]", `/produce/single": `} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes do not say %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "said "+memphistest.DefaultPassword) || strings.Contains(notes, strings.Repeat("x", 600)) ||
		strings.Contains(notes, "eyJ") || strings.Contains(notes, "authorization=") {
		t.Errorf("notes show a credential or an unbounded body:\n%s", notes)
	}
}

func TestGatewayBatch(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	_, step := gatewayStep(t, gatewayScenario(t, g, passwordAuth, "message:\n  batch: 5"))
	acks := &countAcks{}
	p, err := step.NewProducer(context.Background(), workers.ProducerSpec{Index: 1, Name: "bench-1"}, acks)
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 12; seq++ {
		if err := p.Publish(seq, []byte("0123456789")); err != nil {
			t.Fatal(err)
		}
	}
	// Two full batches at once, the last two after the linger time.
	if ok, bad := acks.wait(t, 12); ok != 12 || bad != 0 {
		t.Errorf("acks ok %d bad %d", ok, bad)
	}
	if got := streamMsgs(t, b.JetStream(), "web$1"); got != 12 {
		t.Errorf("stored %d, want 12", got)
	}
	if s := g.Stats(); s.Requests != 3 {
		t.Errorf("%d produce requests, want 3", s.Requests)
	}
	_ = p.Close(context.Background())
	res, err := step.Finish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, "latency is per request of 5 messages") {
		t.Errorf("notes do not say latency is per request of 5 messages:\n%s", notes)
	}
}

// TestGatewayVerify: gateway steps are verified over a NATS connection to
// the same broker with the same credentials, port natsPort.
func TestGatewayVerify(t *testing.T) {
	for _, auth := range []string{passwordAuth, tokenAuth} {
		b := memphistest.Start(t, memphistest.Options{})
		g := b.StartGateway(t, memphistest.GatewayOptions{})
		c := gatewayScenario(t, g, fmt.Sprintf("%s\n    natsPort: %d", auth, b.Port()), "")
		d, step := gatewayStep(t, c)
		v, ok := d.(workers.Verifier)
		if !ok {
			t.Fatal("the memphis-http driver cannot verify")
		}
		ctx := context.Background()
		before, err := v.StationState(ctx) // the station does not exist yet
		if err != nil {
			t.Fatalf("before: %v", err)
		}
		acks := &countAcks{}
		p, err := step.NewProducer(ctx, workers.ProducerSpec{Index: 1, Name: "bench-1"}, acks)
		if err != nil {
			t.Fatal(err)
		}
		for seq := uint64(1); seq <= 7; seq++ {
			if err := p.Publish(seq, []byte("m")); err != nil {
				t.Fatal(err)
			}
		}
		acks.wait(t, 7)
		after, err := v.StationState(ctx)
		if err != nil {
			t.Fatalf("after: %v", err)
		}
		if got := after.Gained(before); got != 7 {
			t.Errorf("%s: station gained %d, want 7", auth, got)
		}
		_ = p.Close(ctx)
		_, _ = step.Finish(ctx)
	}
}

// TestGatewayVerifyImpossible: when the broker's NATS port cannot be
// reached, reading the station fails and says why.
func TestGatewayVerifyImpossible(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	c := gatewayScenario(t, g, fmt.Sprintf("%s\n    natsPort: %d\n    timeoutMs: 500\n    maxReconnect: 0", passwordAuth, port), "")
	d, _ := gatewayStep(t, c)
	v, ok := d.(workers.Verifier)
	if !ok {
		t.Fatal("the memphis-http driver cannot verify")
	}
	_, err = v.StationState(context.Background())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprint(port)) || !strings.Contains(err.Error(), "NATS") ||
		strings.Contains(err.Error(), memphistest.DefaultPassword) {
		t.Errorf("err = %v, want one naming the broker's NATS address and not the password", err)
	}
}

// TestJWTRenewTime: the renewal time comes from the JWT's own claims.
func TestJWTRenewTime(t *testing.T) {
	jwt := func(claims string) string {
		return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".sig"
	}
	start := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name, jwt string
		want      time.Duration // after start
	}{
		{"exp and iat: life 15m, renewed 1m early", jwt(`{"exp":1800000900,"iat":1800000000,"password":"x"}`), 14 * time.Minute},
		{"exp only: life from the request", jwt(`{"exp":1800000010}`), 8 * time.Second},
		{"fractional exp", jwt(`{"exp":1800000001.5}`), 1200 * time.Millisecond},
		{"iat on a skewed clock", jwt(`{"exp":1900000300,"iat":1900000000}`), 4 * time.Minute},
		{"no exp: the gateway's default 15m", jwt(`{"username":"root"}`), 12 * time.Minute},
		{"not a JWT", "opaque-token", 12 * time.Minute},
		{"expired", jwt(`{"exp":1700000000}`), 0},
	} {
		if got := renewTime(tc.jwt, start).Sub(start); got != tc.want {
			t.Errorf("%s: renew after %s, want %s", tc.name, got, tc.want)
		}
	}
}

// reasonAcks is an Acker that keeps the reasons of refusals.
type reasonAcks struct {
	countAcks
	reasons []string
}

func (a *reasonAcks) Nak(seq uint64, reason string) {
	a.mu.Lock()
	a.reasons = append(a.reasons, reason)
	a.mu.Unlock()
	a.Ack(seq, false)
}

// TestGatewayRefusalReason: a refused message's reason, for an Acker that
// keeps reasons, is the gateway's status and body.
func TestGatewayRefusalReason(t *testing.T) {
	for _, batch := range []int{1, 2} {
		b := memphistest.Start(t, memphistest.Options{})
		g := b.StartGateway(t, memphistest.GatewayOptions{})
		acks := &reasonAcks{}
		p := gatewayProducer(t, gatewayScenario(t, g, passwordAuth, fmt.Sprintf("message:\n  batch: %d", batch)), acks)
		g.FailNext(1, http.StatusBadRequest, `{"error":"schema validation failed","success":false}`)
		for seq := uint64(1); seq <= uint64(batch); seq++ {
			if err := p.Publish(seq, []byte("m")); err != nil {
				t.Fatal(err)
			}
		}
		acks.wait(t, batch)
		acks.mu.Lock()
		if len(acks.reasons) != batch || !strings.Contains(acks.reasons[0], "400 Bad Request") ||
			!strings.Contains(acks.reasons[0], "schema validation failed") {
			t.Errorf("batch %d: reasons %q, want the status and body for each message", batch, acks.reasons)
		}
		acks.mu.Unlock()
	}
}
