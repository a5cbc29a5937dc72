package workers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stationbench/stationbench/internal/memphistest"
)

// gatewayScenario is a memphis-http scenario against the gateway.
func gatewayScenario(t *testing.T, g *memphistest.Gateway, auth, extra string) Config {
	t.Helper()
	doc := fmt.Sprintf("name: h\ntargets:\n  - name: gw\n    kind: memphis-http\n    url: %s\n%s\nstation:\n  name: web\n%s\n",
		g.URL(), auth, extra)
	s := parseScenario(t, doc)
	return Config{Target: s.Targets[0], URL: s.Targets[0].URL, Scenario: s}
}

// gatewayProducer connects and opens one producer.
func gatewayProducer(t *testing.T, c Config, acks Acker) Producer {
	t.Helper()
	ctx := context.Background()
	d, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	step, err := d.BeginStep(ctx, StepSpec{Producers: 1, Clock: NewClock(), Drain: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p, err := step.NewProducer(ctx, ProducerSpec{Index: 1, Name: "bench-1"}, acks)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(ctx) })
	return p
}

func TestGatewayProduceSingle(t *testing.T) {
	for _, auth := range []string{passwordAuth, tokenAuth} {
		b := memphistest.Start(t, memphistest.Options{})
		g := b.StartGateway(t, memphistest.GatewayOptions{})
		acks := &countAcks{}
		p := gatewayProducer(t, gatewayScenario(t, g, auth, ""), acks)
		for seq := uint64(1); seq <= 10; seq++ {
			if err := p.Publish(seq, bytes.Repeat([]byte{200}, 32)); err != nil {
				t.Fatal(err)
			}
		}
		if ok, bad := acks.wait(t, 10); ok != 10 || bad != 0 {
			t.Errorf("acks ok %d bad %d", ok, bad)
		}
		if got := streamMsgs(t, b.JetStream(), "web$1"); got != 10 {
			t.Errorf("stored %d, want 10", got)
		}
		stream, _ := b.JetStream().Stream(context.Background(), "web$1")
		m, err := stream.GetMsg(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		// The gateway stores every request header: only what is needed.
		for k := range m.Header {
			switch k {
			case "Authorization", "Content-Type", "Content-Length", "$memphis_producedBy":
			default:
				t.Errorf("stored header %s: %q; the request should not send it", k, m.Header[k])
			}
		}
		if ct := m.Header.Get("Content-Type"); ct != "text/plain" || len(m.Data) != 32 {
			t.Errorf("Content-Type %q, %d bytes", ct, len(m.Data))
		}
		if s := g.Stats(); s.Logins != 2 || s.Unauthorized != 0 {
			t.Errorf("stats %+v, want 2 logins (Connect and the producer), no 401", s)
		}
	}
}

func TestGatewayBadJWT(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	req, _ := http.NewRequest(http.MethodPost, g.URL()+"/stations/web/produce/single", strings.NewReader("x"))
	req.Header.Set("Authorization", "Bearer not-a-jwt")
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad JWT: status %d, want 401", resp.StatusCode)
	}
	// A producer whose JWT the gateway stops accepting logs in again and
	// retries once.
	acks := &countAcks{}
	p := gatewayProducer(t, gatewayScenario(t, g, passwordAuth, ""), acks)
	g.ExpireAll()
	if err := p.Publish(1, []byte("after expiry")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := acks.wait(t, 1); ok != 1 {
		t.Error("the message after the 401 was not acknowledged")
	}
	if s := g.Stats(); s.Unauthorized != 2 || s.Logins != 3 {
		t.Errorf("stats %+v, want 2 refusals (test, producer) and 3 logins", s)
	}
}

func TestGatewayRefresh(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{JWTExpiry: 200 * time.Millisecond})
	acks := &countAcks{}
	p := gatewayProducer(t, gatewayScenario(t, g, passwordAuth, ""), acks)
	if err := p.Publish(1, []byte("a")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(170 * time.Millisecond) // past 80% of the JWT's life
	if err := p.Publish(2, []byte("b")); err != nil {
		t.Fatal(err)
	}
	if ok, _ := acks.wait(t, 2); ok != 2 {
		t.Error("not every message was acknowledged")
	}
	if s := g.Stats(); s.Refreshes != 1 || s.Unauthorized != 0 {
		t.Errorf("stats %+v, want one refresh before expiry and no 401", s)
	}
}

func TestGatewayBadCredentials(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	c := gatewayScenario(t, g, "    password: s3cret-wrong", "")
	_, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newMemphisHTTP(c).Connect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v, want a 401 that does not show the password", err)
	}
}

func TestGatewayBatch(t *testing.T) {
	b := memphistest.Start(t, memphistest.Options{})
	g := b.StartGateway(t, memphistest.GatewayOptions{})
	acks := &countAcks{}
	p := gatewayProducer(t, gatewayScenario(t, g, passwordAuth, "message:\n  batch: 5"), acks)
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
}
