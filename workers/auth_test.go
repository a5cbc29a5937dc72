package workers

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/stationbench/stationbench/internal/natstest"
	"github.com/stationbench/stationbench/internal/tlstest"
	"github.com/stationbench/stationbench/scenarios"
)

// target makes a validated jetstream target from its YAML flow mapping.
func target(t *testing.T, fields string) scenarios.Target {
	t.Helper()
	sc, err := scenarios.Parse("auth.yaml", []byte("name: auth\ntargets:\n  - {name: secured, kind: jetstream, "+fields+"}\n"), nil)
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	return sc.Targets[0]
}

// connectTarget opens a NATS connection to tg, as every NATS-protocol
// driver does, and closes it again.
func connectTarget(tg scenarios.Target) error {
	ctx, cancel := context.WithTimeout(context.Background(), tg.Timeout())
	defer cancel()
	nc, err := Connect(ctx, Config{Target: tg, URL: tg.URL}, "stationbench-control")
	if err != nil {
		return err
	}
	nc.Close()
	return nil
}

// wantFailFast checks that err is a connect failure that names the target,
// holds none of secrets, and came well inside the connect timeout.
func wantFailFast(t *testing.T, err error, took time.Duration, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("connected, want an error")
	}
	if !strings.Contains(err.Error(), `target "secured"`) {
		t.Errorf("error %q does not name the target", err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q holds a secret", err)
		}
	}
	if took > 3*time.Second {
		t.Errorf("took %s to fail, want it at once (no retries)", took)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConnectMutualTLS(t *testing.T) {
	certs := tlstest.Generate(t)
	srv := natstest.Start(t, func(o *server.Options) {
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{
			CertFile: certs.ServerCert, KeyFile: certs.ServerKey, CaFile: certs.CA, Verify: true,
		})
		if err != nil {
			t.Fatalf("server TLS: %v", err)
		}
		o.TLSConfig, o.TLS, o.TLSVerify, o.TLSTimeout = tc, true, true, 2
	})
	url := "tls://127.0.0.1:" + strconv.Itoa(srv.Port())
	good := `url: "` + url + `", timeoutMs: 10000, caFile: ` + certs.CA
	client := `, certFile: ` + certs.ClientCert + `, keyFile: ` + certs.ClientKey

	if err := connectTarget(target(t, good+client)); err != nil {
		t.Fatalf("mutual TLS: %v", err)
	}
	for name, fields := range map[string]string{
		"no client certificate": good,
		"wrong CA":              `url: "` + url + `", timeoutMs: 10000, caFile: ` + certs.OtherCA + client,
		"missing CA file":       `url: "` + url + `", timeoutMs: 10000, caFile: /nonexistent/ca.pem` + client,
		"CA file is not PEM":    `url: "` + url + `", timeoutMs: 10000, caFile: ` + writeFile(t, "junk.pem", "junk") + client,
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			err := connectTarget(target(t, fields))
			wantFailFast(t, err, time.Since(start))
			t.Logf("%v", err)
		})
	}
}

func TestConnectUserPasswordAndToken(t *testing.T) {
	const password, token = "pa55-Secret-xyz", "t0ken-Secret-xyz"
	users := natstest.Start(t, func(o *server.Options) { o.Username, o.Password = "bench", password })
	tokens := natstest.Start(t, func(o *server.Options) { o.Authorization = token })

	if err := connectTarget(target(t, `url: "`+users.URL()+`", username: bench, password: `+password)); err != nil {
		t.Errorf("username/password: %v", err)
	}
	if err := connectTarget(target(t, `url: "`+tokens.URL()+`", connectionToken: `+token)); err != nil {
		t.Errorf("token: %v", err)
	}
	start := time.Now()
	err := connectTarget(target(t, `url: "`+users.URL()+`", username: bench, password: wrong-`+password))
	wantFailFast(t, err, time.Since(start), password)
	start = time.Now()
	err = connectTarget(target(t, `url: "`+tokens.URL()+`", connectionToken: wrong-`+token))
	wantFailFast(t, err, time.Since(start), token)
}

func TestConnectNKey(t *testing.T) {
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	srv := natstest.Start(t, func(o *server.Options) { o.Nkeys = []*server.NkeyUser{{Nkey: pub}} })
	if err := connectTarget(target(t, `url: "`+srv.URL()+`", nkeyFile: `+writeFile(t, "user.nk", string(seed)))); err != nil {
		t.Fatalf("nkey: %v", err)
	}
	other, _ := nkeys.CreateUser()
	otherSeed, _ := other.Seed()
	start := time.Now()
	err = connectTarget(target(t, `url: "`+srv.URL()+`", nkeyFile: `+writeFile(t, "other.nk", string(otherSeed))))
	wantFailFast(t, err, time.Since(start), string(otherSeed))
}

func TestConnectCredsFile(t *testing.T) {
	operator, _ := nkeys.CreateOperator()
	opPub, _ := operator.PublicKey()
	opClaims := jwt.NewOperatorClaims(opPub)
	account, _ := nkeys.CreateAccount()
	accPub, _ := account.PublicKey()
	accClaims := jwt.NewAccountClaims(accPub)
	accClaims.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
	accJWT, err := accClaims.Encode(operator)
	if err != nil {
		t.Fatal(err)
	}
	system, _ := nkeys.CreateAccount() // JetStream needs a system account
	sysPub, _ := system.PublicKey()
	sysJWT, err := jwt.NewAccountClaims(sysPub).Encode(operator)
	if err != nil {
		t.Fatal(err)
	}
	resolver := &server.MemAccResolver{}
	for pub, claims := range map[string]string{accPub: accJWT, sysPub: sysJWT} {
		if err := resolver.Store(pub, claims); err != nil {
			t.Fatal(err)
		}
	}
	srv := natstest.Start(t, func(o *server.Options) {
		o.TrustedOperators = []*jwt.OperatorClaims{opClaims}
		o.AccountResolver = resolver
		o.SystemAccount = sysPub
	})

	creds := func(signer nkeys.KeyPair) (string, string) {
		user, _ := nkeys.CreateUser()
		pub, _ := user.PublicKey()
		seed, _ := user.Seed()
		uc := jwt.NewUserClaims(pub)
		userJWT, err := uc.Encode(signer)
		if err != nil {
			t.Fatal(err)
		}
		b, err := jwt.FormatUserConfig(userJWT, seed)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, "user.creds", string(b)), string(seed)
	}
	good, _ := creds(account)
	if err := connectTarget(target(t, `url: "`+srv.URL()+`", credsFile: `+good)); err != nil {
		t.Fatalf("credentials file: %v", err)
	}
	stranger, _ := nkeys.CreateAccount() // an account the server does not know
	bad, seed := creds(stranger)
	start := time.Now()
	err = connectTarget(target(t, `url: "`+srv.URL()+`", credsFile: `+bad))
	wantFailFast(t, err, time.Since(start), seed)
}

// countingAuth accepts one user and counts every attempt.
type countingAuth struct {
	attempts atomic.Int64
	password string
}

func (a *countingAuth) Check(c server.ClientAuthentication) bool {
	a.attempts.Add(1)
	o := c.GetOpts()
	return o.Username == "bench" && o.Password == a.password
}

func TestWrongCredentialsAreTriedOnce(t *testing.T) {
	auth := &countingAuth{password: "right-password"}
	srv := natstest.Start(t, func(o *server.Options) { o.CustomClientAuthentication = auth })
	tg := target(t, `url: "`+srv.URL()+`", username: bench, password: wrong-password, maxReconnect: -1, reconnectIntervalMs: 10`)
	start := time.Now()
	err := connectTarget(tg)
	wantFailFast(t, err, time.Since(start), "wrong-password")
	if n := auth.attempts.Load(); n != 1 {
		t.Errorf("the server saw %d attempts, want 1: wrong credentials must not be retried", n)
	}
	if !strings.Contains(err.Error(), "Authorization Violation") {
		t.Errorf("error %q does not say why", err)
	}
}
