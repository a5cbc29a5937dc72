package memphistest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// sign makes an HS256 JWT with the claims and an exp claim. exp is written
// with millisecond fractions (RFC 7519 allows a fractional NumericDate), so
// tests can use lifetimes shorter than a second; the real gateway writes
// whole seconds.
func (g *Gateway) sign(claims map[string]any, exp time.Time) string {
	c := make(map[string]any, len(claims)+1)
	for k, v := range claims {
		c[k] = v
	}
	c["exp"] = json.Number(strconv.FormatFloat(float64(exp.UnixMilli())/1000, 'f', -1, 64))
	head := b64(`{"alg":"HS256","typ":"JWT"}`)
	body, _ := json.Marshal(c)
	unsigned := head + "." + b64(string(body))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(g.mac(unsigned))
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func (g *Gateway) mac(s string) []byte {
	m := hmac.New(sha256.New, g.secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// verify checks a JWT's signature and exp claim and returns its claims.
func (g *Gateway) verify(tok string) (map[string]any, bool) {
	i := strings.LastIndexByte(tok, '.')
	if i < 0 {
		return nil, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || !hmac.Equal(sig, g.mac(tok[:i])) {
		return nil, false
	}
	_, payload, ok := strings.Cut(tok[:i], ".")
	if !ok {
		return nil, false
	}
	data, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	if json.Unmarshal(data, &claims) != nil {
		return nil, false
	}
	exp, ok := claims["exp"].(float64)
	if !ok || float64(time.Now().UnixMilli())/1000 >= exp {
		return nil, false
	}
	return claims, true
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newUUID is a random version 4 UUID, as a Memphis connection id.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
