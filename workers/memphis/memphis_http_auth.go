package memphis

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Gateway session lifetimes. The gateway's /auth/authenticate answers a JWT
// (with an exp claim) and a refresh token; a produce with an expired JWT
// answers 401.
const (
	// defaultJWTLife is the gateway's default JWT lifetime, assumed for a
	// JWT without an exp claim (a 401 then renews it and retries once).
	defaultJWTLife = 15 * time.Minute
	// maxRenewMargin bounds how long before expiry a JWT is renewed: a
	// fifth of its life, at most a minute.
	maxRenewMargin = time.Minute
	// maxErrorBody bounds the part of an error answer's body kept as its
	// cause.
	maxErrorBody = 300
)

// gatewayAuth is one gateway session: a login's JWT and refresh token and
// the HTTP client that uses them. A producer logs in once and keeps its
// session for the whole run (every login opens a broker connection inside
// the gateway that is never closed); the JWT is renewed with the refresh
// token shortly before its exp claim, and a fresh login happens only when
// the refresh token is refused. It is used by one goroutine at a time.
type gatewayAuth struct {
	d       *memphisHTTPDriver
	client  *http.Client
	jwt     string
	query   string // "?authorization=<jwt>", escaped
	refresh string
	renewAt time.Time // when to renew the JWT
	reauth  time.Time // when the refresh token stops being usable; zero: unknown

	logins, refreshes int // this session's, for the step's note
}

// gatewayTokens is the reply of /auth/authenticate and /auth/refreshToken.
// The gateway's expires_in is not a duration (it is the expiry's Unix
// seconds times 60000), so it is not read: lifetimes come from the tokens'
// own exp claims.
type gatewayTokens struct {
	JWT     string `json:"jwt"`
	Refresh string `json:"jwt_refresh_token"`
}

// authQuery is the query string that carries the JWT, renewed first when
// due. The JWT goes in the authorization query parameter, not a header:
// the gateway stores every request header with the message, and the JWT's
// claims hold the password in clear.
func (a *gatewayAuth) authQuery(ctx context.Context) (string, error) {
	if a.jwt != "" && time.Now().Before(a.renewAt) {
		return a.query, nil
	}
	if err := a.renew(ctx); err != nil {
		return "", err
	}
	return a.query, nil
}

// renew gets a new JWT: with the refresh token while it is usable, else by
// logging in.
func (a *gatewayAuth) renew(ctx context.Context) error {
	if a.refresh != "" && (a.reauth.IsZero() || time.Now().Before(a.reauth)) {
		err := a.call(ctx, "/auth/refreshToken", map[string]string{"jwt_refresh_token": a.refresh})
		if err == nil {
			a.refreshes++
			return nil
		}
		a.refresh = "" // refused or broken: log in again
	}
	return a.authenticate(ctx)
}

// expire makes the next request renew the JWT (the gateway refused it).
func (a *gatewayAuth) expire() { a.renewAt = time.Time{} }

// authenticate logs in with the target's credentials.
func (a *gatewayAuth) authenticate(ctx context.Context) error {
	t := a.d.cfg.Target
	req := map[string]any{"username": t.Username, "account_id": t.AccountID}
	if t.ConnectionToken != "" {
		req["connection_token"] = t.ConnectionToken.Value()
	} else {
		req["password"] = t.Password.Value()
	}
	if err := a.call(ctx, "/auth/authenticate", req); err != nil {
		return err
	}
	a.logins++
	return nil
}

// call posts an auth request and keeps the tokens it returns. Errors never
// hold the request or a successful reply, which carry credentials.
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
		return fmt.Errorf("%s: %w", path, a.d.redactErr(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return a.d.statusError(path, resp, a.jwt, a.refresh)
	}
	var tok gatewayTokens
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.JWT == "" {
		return fmt.Errorf("%s: the reply holds no JWT", path)
	}
	a.jwt, a.refresh = tok.JWT, tok.Refresh
	a.query = "?authorization=" + url.QueryEscape(tok.JWT)
	a.renewAt = renewTime(tok.JWT, start)
	a.reauth = time.Time{}
	if exp, iat, ok := jwtTimes(tok.Refresh); ok {
		a.reauth = renewAt(exp, iat, start)
	}
	return nil
}

// renewTime is when to renew a JWT received for a request sent at start:
// shortly before its exp claim.
func renewTime(jwt string, start time.Time) time.Time {
	exp, iat, ok := jwtTimes(jwt)
	if !ok {
		return start.Add(defaultJWTLife * 4 / 5)
	}
	return renewAt(exp, iat, start)
}

// renewAt is a fifth of a token's life (at most maxRenewMargin) before its
// expiry. The life is exp-iat when the token says when it was issued
// (both on the gateway's clock, so clock skew does not matter), else
// exp-start.
func renewAt(exp, iat, start time.Time) time.Time {
	life := exp.Sub(start)
	if !iat.IsZero() {
		life = exp.Sub(iat)
	}
	if life <= 0 {
		return start // already expired: renew at the next request
	}
	return start.Add(life - min(life/5, maxRenewMargin))
}

// jwtTimes reads the exp (and iat, when present) claims of a JWT, which
// are NumericDates: seconds, possibly fractional. It does not check the
// signature; the gateway does.
func jwtTimes(jwt string) (exp, iat time.Time, ok bool) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return exp, iat, false
	}
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return exp, iat, false
	}
	var c struct {
		Exp *float64 `json:"exp"`
		Iat *float64 `json:"iat"`
	}
	if json.Unmarshal(data, &c) != nil || c.Exp == nil {
		return exp, iat, false
	}
	if c.Iat != nil {
		iat = numericDate(*c.Iat)
	}
	return numericDate(*c.Exp), iat, true
}

func numericDate(s float64) time.Time {
	return time.UnixMilli(int64(s * 1000))
}

// gatewayError is a non-200 answer of the gateway: its status and body are
// the cause.
type gatewayError struct {
	op     string // the request's path
	status string // "500 Internal Server Error"
	body   string // bounded, credentials removed
}

func (e *gatewayError) Error() string {
	if e.body == "" {
		return fmt.Sprintf("%s: %s (no body)", e.op, e.status)
	}
	return fmt.Sprintf("%s: %s: %s", e.op, e.status, e.body)
}

// statusError reads a non-200 answer into a gatewayError; tokens are more
// secrets to keep out of it.
func (d *memphisHTTPDriver) statusError(op string, resp *http.Response, tokens ...string) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
	_, _ = io.Copy(io.Discard, resp.Body) // so the connection is kept alive
	body := strings.Join(strings.Fields(string(data)), " ")
	if len(data) > maxErrorBody {
		body = strings.ToValidUTF8(body[:min(len(body), maxErrorBody)], "") + "…"
	}
	return &gatewayError{op: op, status: resp.Status, body: d.redact(body, tokens...)}
}

// redact removes the target's secrets, and tokens, from text.
func (d *memphisHTTPDriver) redact(s string, tokens ...string) string {
	t := d.cfg.Target
	for _, secret := range append([]string{t.Password.Value(), t.ConnectionToken.Value()}, tokens...) {
		if len(secret) >= 3 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// redactErr removes the query string (which holds the JWT) from the URL a
// net/http error quotes.
func (d *memphisHTTPDriver) redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u := *ue
		if i := strings.IndexByte(u.URL, '?'); i >= 0 {
			u.URL = u.URL[:i]
		}
		return &u
	}
	return err
}
