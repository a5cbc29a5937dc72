package workers

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/stationbench/stationbench/scenarios"
)

// TLSConfig is the TLS of a target for drivers whose client library takes a
// *tls.Config (Kafka, MQTT): its CA, and its client certificate when it
// names one. Files are read here, so a bad one fails with its key named;
// errors never hold a file's contents.
func TLSConfig(t scenarios.Target) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("target %q: caFile: cannot read: %w", t.Name, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("target %q: caFile %s holds no PEM certificate", t.Name, t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("target %q: certFile/keyFile: %w", t.Name, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
