package memphistest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// GatewayOptions configure a Gateway.
type GatewayOptions struct {
	// JWTExpiry and RefreshExpiry override the lifetimes the client asks for
	// (minutes, too long for a test); defaults 15 minutes and 5 hours.
	JWTExpiry     time.Duration
	RefreshExpiry time.Duration
	// Addr is where the gateway listens; empty picks a free port on
	// 127.0.0.1. A test that runs a scenario file unchanged gives the real
	// gateway's 127.0.0.1:4444.
	Addr string
}

// GatewayStats counts what a Gateway saw.
type GatewayStats struct {
	// Logins are accepted /auth/authenticate requests; each opened a broker
	// connection, as the real gateway does. Refreshes are accepted
	// /auth/refreshToken requests (they reuse their login's connection).
	Logins, Refreshes int
	// Unauthorized counts 401 answers; Requests produce requests (batch or
	// single); Produced the messages stored.
	Unauthorized, Produced, Requests int
	// HeaderJWTs counts produce requests that carried the JWT in an
	// Authorization header rather than the authorization query parameter.
	HeaderJWTs int
}

// Gateway is the Memphis REST gateway's documented surface over a Broker,
// behaving as gateway 1.2.8 does where a client can tell, as checked
// against a running broker:
//   - /auth/authenticate checks the credentials by opening a broker
//     connection with them, and keeps that connection open for good: one
//     broker connection per login, counted by Connections.
//   - JWTs are real HS256 JWTs whose claims hold the username and, in clear,
//     the password or connection token, and an exp claim; expires_in is
//     not a duration but exp's Unix seconds times 60000.
//   - Produce takes the JWT from the authorization query parameter or an
//     Authorization: Bearer header, and stores every request header with
//     the message (Host and Content-Length included) as NATS headers.
//   - Error answers carry a body: {"message":"Unauthorized"} for 401,
//     {"error":...,"success":false} for 400 and 500.
type Gateway struct {
	b      *Broker
	srv    *httptest.Server
	opts   GatewayOptions
	secret []byte

	mu       sync.Mutex
	jwts     map[string]*gatewayLogin // JWT -> its login; revoked JWTs are removed
	refresh  map[string]*gatewayLogin
	logins   []*gatewayLogin
	next     map[string]int // station -> next partition (round-robin)
	stats    GatewayStats
	failNext []failure
}

// gatewayLogin is one /auth/authenticate: the broker connection it opened.
type gatewayLogin struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	claims map[string]any // what its JWTs say: the credentials, in clear
}

// failure is a canned answer for a produce request (FailNext).
type failure struct {
	status int
	body   string
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
	g := &Gateway{b: b, opts: o, secret: []byte(newToken()),
		jwts: map[string]*gatewayLogin{}, refresh: map[string]*gatewayLogin{}, next: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/authenticate", g.authenticate)
	mux.HandleFunc("POST /auth/refreshToken", g.refreshToken)
	mux.HandleFunc("POST /stations/{station}/produce/single", g.produce(false))
	mux.HandleFunc("POST /stations/{station}/produce/batch", g.produce(true))
	mux.HandleFunc("GET /monitoring/status", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	g.srv = httptest.NewUnstartedServer(mux)
	if o.Addr != "" {
		ln, err := net.Listen("tcp", o.Addr)
		if err != nil {
			t.Fatalf("gateway: listen on %s (is it in use?): %v", o.Addr, err)
		}
		g.srv.Listener.Close()
		g.srv.Listener = ln
	}
	g.srv.Start()
	t.Cleanup(g.Close)
	return g
}

// Close stops the gateway, as a crashed one: clients get connection errors.
// The broker connections of its logins are closed. A second call does
// nothing.
func (g *Gateway) Close() {
	g.srv.Close()
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, l := range g.logins {
		l.nc.Close()
	}
}

// URL is the gateway's base URL.
func (g *Gateway) URL() string { return g.srv.URL }

// Stats returns the counts so far.
func (g *Gateway) Stats() GatewayStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stats
}

// Connections is how many broker connections the gateway holds open: one
// per login so far, as the real gateway never closes them.
func (g *Gateway) Connections() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, l := range g.logins {
		if !l.nc.IsClosed() {
			n++
		}
	}
	return n
}

// ExpireAll makes every JWT issued so far invalid (refresh tokens stay).
func (g *Gateway) ExpireAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.jwts)
}

// FailNext answers the next n produce requests with status and body (JSON
// when body starts with '{', else plain text), as a gateway in trouble does.
func (g *Gateway) FailNext(n, status int, body string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for range n {
		g.failNext = append(g.failNext, failure{status, body})
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

// fail answers a produce request with an error, as the gateway does.
func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": msg, "success": false})
}

// issue makes a JWT and a refresh token for a login and answers with them.
// claims are the login's credentials, which the real gateway puts in the
// JWT in clear.
func (g *Gateway) issue(w http.ResponseWriter, l *gatewayLogin, claims map[string]any) {
	now := time.Now()
	exp, refExp := now.Add(g.opts.JWTExpiry), now.Add(g.opts.RefreshExpiry)
	jwt := g.sign(claims, exp)
	ref := g.sign(map[string]any{"username": claims["username"], "nonce": newToken()}, refExp)
	g.mu.Lock()
	g.jwts[jwt] = l
	g.refresh[ref] = l
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"jwt":                      jwt,
		"expires_in":               exp.Unix() * 60000, // sic: the gateway's formula
		"jwt_refresh_token":        ref,
		"refresh_token_expires_in": refExp.Unix() * 60000,
	})
}

// authRequest is the body of /auth/authenticate.
type authRequest struct {
	Username        string `json:"username"`
	Password        string `json:"password"`
	ConnectionToken string `json:"connection_token"`
	AccountID       int    `json:"account_id"`
}

func (g *Gateway) authenticate(w http.ResponseWriter, r *http.Request) {
	var req authRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "wrong request body: "+err.Error())
		return
	}
	if req.AccountID == 0 {
		req.AccountID = 1
	}
	nc, err := g.connect(req)
	if err != nil {
		g.unauthorized(w)
		return
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	claims := map[string]any{"username": req.Username, "account_id": req.AccountID}
	if req.ConnectionToken != "" {
		claims["connection_token"] = req.ConnectionToken
	} else {
		claims["password"] = req.Password
	}
	l := &gatewayLogin{nc: nc, js: js, claims: claims}
	g.mu.Lock()
	g.stats.Logins++
	g.logins = append(g.logins, l)
	g.mu.Unlock()
	g.issue(w, l, claims)
}

// connect opens the broker connection of a login with its credentials, as
// the gateway's SDK does: the broker decides whether they are good.
func (g *Gateway) connect(req authRequest) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name(newUUID() + "::" + req.Username), nats.MaxReconnects(-1)}
	if req.ConnectionToken != "" {
		opts = append(opts, nats.Token(req.ConnectionToken))
	} else {
		opts = append(opts, nats.UserInfo(req.Username+"$"+strconv.Itoa(req.AccountID), req.Password))
	}
	return nats.Connect(g.b.URL(), opts...)
}

func (g *Gateway) refreshToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Refresh string `json:"jwt_refresh_token"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	_, ok := g.verify(req.Refresh)
	g.mu.Lock()
	l, known := g.refresh[req.Refresh]
	if ok && known {
		g.stats.Refreshes++
	}
	g.mu.Unlock()
	if !ok || !known {
		g.unauthorized(w)
		return
	}
	g.issue(w, l, l.claims) // the new JWT carries the login's claims again
}

// jwtOf finds a produce request's JWT: the authorization query parameter,
// else an Authorization: Bearer header. header reports the latter.
func jwtOf(r *http.Request) (tok string, header bool) {
	if q := r.URL.Query().Get("authorization"); q != "" {
		return strings.TrimPrefix(q, "Bearer "), false
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return tok, ok
}

// authorized finds the login of a produce request's JWT, or nil.
func (g *Gateway) authorized(r *http.Request) *gatewayLogin {
	tok, header := jwtOf(r)
	_, valid := g.verify(tok)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stats.Requests++
	if header {
		g.stats.HeaderJWTs++
	}
	if !valid {
		return nil
	}
	return g.jwts[tok]
}

func contentTypeOK(ct string, batch bool) bool {
	if batch {
		return ct == "application/json"
	}
	ct, _, _ = strings.Cut(ct, ";")
	return ct == "application/json" || ct == "application/x-protobuf" || strings.HasPrefix(ct, "text/")
}

// popFailure takes the next canned failure, if any.
func (g *Gateway) popFailure() (failure, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.failNext) == 0 {
		return failure{}, false
	}
	f := g.failNext[0]
	g.failNext = g.failNext[1:]
	return f, true
}

func (g *Gateway) produce(batch bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := g.authorized(r)
		if l == nil {
			g.unauthorized(w)
			return
		}
		if f, ok := g.popFailure(); ok {
			if strings.HasPrefix(f.body, "{") {
				w.Header().Set("Content-Type", "application/json")
			} else {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			}
			w.WriteHeader(f.status)
			_, _ = io.WriteString(w, f.body)
			return
		}
		if !contentTypeOK(r.Header.Get("Content-Type"), batch) {
			fail(w, http.StatusInternalServerError, "unsupported content type")
			return
		}
		// Every request header is stored with the message; Go keeps Host
		// out of r.Header, the gateway does not.
		hdr := nats.Header{"Host": {r.Host}}
		if r.ContentLength >= 0 {
			hdr["Content-Length"] = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		for k, v := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "$memphis") {
				fail(w, http.StatusInternalServerError, "headers may not start with $memphis")
				return
			}
			hdr[k] = v
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			fail(w, http.StatusBadRequest, err.Error())
			return
		}
		msgs := [][]byte{body}
		if batch {
			var items []json.RawMessage
			if err := json.Unmarshal(body, &items); err != nil {
				fail(w, http.StatusBadRequest, "want a JSON array")
				return
			}
			msgs = msgs[:0]
			for _, it := range items {
				msgs = append(msgs, it)
			}
		}
		if err := g.store(r.Context(), l, r.PathValue("station"), hdr, msgs); err != nil {
			fail(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"error": nil, "success": true})
	}
}

// store produces msgs to the station round-robin over its partitions, over
// the login's broker connection, creating the station with the broker's
// defaults when missing.
func (g *Gateway) store(ctx context.Context, l *gatewayLogin, station string, hdr nats.Header, msgs [][]byte) error {
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
		if _, err := l.js.PublishMsg(ctx, msg); err != nil {
			return err
		}
		g.mu.Lock()
		g.stats.Produced++
		g.mu.Unlock()
	}
	return nil
}
