package memphistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// GatewayOptions configure a Gateway.
type GatewayOptions struct {
	// JWTExpiry and RefreshExpiry override the lifetimes the client asks for
	// (minutes, too long for a test); defaults 15 minutes and 5 hours.
	JWTExpiry     time.Duration
	RefreshExpiry time.Duration
}

// GatewayStats counts what a Gateway saw.
type GatewayStats struct {
	Logins, Refreshes, Unauthorized, Produced, Requests int
}

// Gateway is the Memphis REST gateway's documented surface over a Broker:
// login and refresh, single and batch produce (every request header is
// stored with the message, as the gateway does), the status codes, and
// GET /monitoring/status.
type Gateway struct {
	b    *Broker
	srv  *httptest.Server
	opts GatewayOptions

	mu      sync.Mutex
	jwts    map[string]time.Time // token -> expiry
	refresh map[string]time.Time
	next    map[string]int // station -> next partition (round-robin)
	stats   GatewayStats
}

// StartGateway serves the REST gateway until the test ends.
func (b *Broker) StartGateway(t testing.TB, o GatewayOptions) *Gateway {
	t.Helper()
	if o.JWTExpiry == 0 {
		o.JWTExpiry = 15 * time.Minute
	}
	if o.RefreshExpiry == 0 {
		o.RefreshExpiry = 5 * time.Hour
	}
	g := &Gateway{b: b, opts: o, jwts: map[string]time.Time{}, refresh: map[string]time.Time{}, next: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/authenticate", g.authenticate)
	mux.HandleFunc("POST /auth/refreshToken", g.refreshToken)
	mux.HandleFunc("POST /stations/{station}/produce/single", g.produce(false))
	mux.HandleFunc("POST /stations/{station}/produce/batch", g.produce(true))
	mux.HandleFunc("GET /monitoring/status", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

// URL is the gateway's base URL.
func (g *Gateway) URL() string { return g.srv.URL }

// Stats returns the counts so far.
func (g *Gateway) Stats() GatewayStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stats
}

// ExpireAll makes every JWT issued so far invalid (refresh tokens stay).
func (g *Gateway) ExpireAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k := range g.jwts {
		g.jwts[k] = time.Time{}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (g *Gateway) unauthorized(w http.ResponseWriter) {
	g.mu.Lock()
	g.stats.Unauthorized++
	g.mu.Unlock()
	writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Unauthorized"})
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// issue makes a JWT and refresh token pair; lifetimes in milliseconds.
func (g *Gateway) issue(w http.ResponseWriter) {
	jwt, ref := newToken(), newToken()
	now := time.Now()
	g.mu.Lock()
	g.jwts[jwt] = now.Add(g.opts.JWTExpiry)
	g.refresh[ref] = now.Add(g.opts.RefreshExpiry)
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"jwt":                      jwt,
		"expires_in":               g.opts.JWTExpiry.Milliseconds(),
		"jwt_refresh_token":        ref,
		"refresh_token_expires_in": g.opts.RefreshExpiry.Milliseconds(),
	})
}

func (g *Gateway) authenticate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username        string `json:"username"`
		Password        string `json:"password"`
		ConnectionToken string `json:"connection_token"`
		AccountID       int    `json:"account_id"`
	}
	o := g.b.opts
	if json.NewDecoder(r.Body).Decode(&req) != nil || req.Username != o.User ||
		(req.AccountID != 0 && req.AccountID != o.AccountID) ||
		!(req.Password != "" && req.Password == o.Password || req.ConnectionToken != "" && req.ConnectionToken == o.Token) {
		g.unauthorized(w)
		return
	}
	g.mu.Lock()
	g.stats.Logins++
	g.mu.Unlock()
	g.issue(w)
}

func (g *Gateway) refreshToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Refresh string `json:"jwt_refresh_token"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	g.mu.Lock()
	exp, ok := g.refresh[req.Refresh]
	if ok && time.Now().Before(exp) {
		g.stats.Refreshes++
	}
	g.mu.Unlock()
	if !ok || !time.Now().Before(exp) {
		g.unauthorized(w)
		return
	}
	g.issue(w)
}

// authorized checks the Bearer JWT.
func (g *Gateway) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stats.Requests++
	exp, known := g.jwts[tok]
	return ok && known && time.Now().Before(exp)
}

func contentTypeOK(ct string, batch bool) bool {
	if batch {
		return ct == "application/json"
	}
	ct, _, _ = strings.Cut(ct, ";")
	return ct == "application/json" || ct == "application/x-protobuf" || strings.HasPrefix(ct, "text/")
}

func (g *Gateway) produce(batch bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !g.authorized(r) {
			g.unauthorized(w)
			return
		}
		if !contentTypeOK(r.Header.Get("Content-Type"), batch) {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "unsupported content type", "success": false})
			return
		}
		hdr := nats.Header{}
		for k, v := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "$memphis") {
				writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "headers may not start with $memphis", "success": false})
				return
			}
			hdr[k] = v
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error(), "success": false})
			return
		}
		msgs := [][]byte{body}
		if batch {
			var items []json.RawMessage
			if err := json.Unmarshal(body, &items); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"error": "want a JSON array", "success": false})
				return
			}
			msgs = msgs[:0]
			for _, it := range items {
				msgs = append(msgs, it)
			}
		}
		if err := g.store(r.Context(), r.PathValue("station"), hdr, msgs); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error(), "success": false})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"error": nil, "success": true})
	}
}

// store produces msgs to the station round-robin over its partitions,
// creating it with the broker's defaults when missing.
func (g *Gateway) store(ctx context.Context, station string, hdr nats.Header, msgs [][]byte) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, _, err := g.b.ensureStation(ctx, defaultStation(station))
	if err != nil {
		return err
	}
	hdr["$memphis_producedBy"] = []string{"rest_gateway"}
	for _, data := range msgs {
		g.mu.Lock()
		p := g.next[station]%n + 1
		g.next[station]++
		g.mu.Unlock()
		msg := &nats.Msg{Subject: Stream(station, p) + ".stored", Header: hdr, Data: data}
		if _, err := g.b.js.PublishMsg(ctx, msg); err != nil {
			return err
		}
		g.mu.Lock()
		g.stats.Produced++
		g.mu.Unlock()
	}
	return nil
}
