package workers

import (
	"fmt"
	"os"

	"github.com/nats-io/nats.go"

	"github.com/stationbench/stationbench/scenarios"
)

// authOptions are the nats.go options for a target's credentials and TLS
// settings. Every file a target names is checked first, so a missing or
// unreadable one fails with the target and the key named rather than with
// a handshake error. Errors never hold a secret or a file's contents.
func authOptions(t scenarios.Target) ([]nats.Option, error) {
	for _, f := range []struct{ key, path string }{
		{"caFile", t.CAFile},
		{"certFile", t.CertFile},
		{"keyFile", t.KeyFile},
		{"credsFile", t.CredsFile},
		{"nkeyFile", t.NKeyFile},
	} {
		if f.path == "" {
			continue
		}
		if err := readable(f.path); err != nil {
			return nil, fmt.Errorf("target %q: %s: %w", t.Name, f.key, err)
		}
	}
	var opts []nats.Option
	switch {
	case t.ConnectionToken != "":
		opts = append(opts, nats.Token(t.ConnectionToken.Value()))
	case t.Username != "":
		opts = append(opts, nats.UserInfo(t.Username, t.Password.Value()))
	}
	if t.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(t.CredsFile))
	}
	if t.NKeyFile != "" {
		o, err := nats.NkeyOptionFromSeed(t.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("target %q: nkeyFile %s: %w", t.Name, t.NKeyFile, err)
		}
		opts = append(opts, o)
	}
	if t.CAFile != "" {
		opts = append(opts, nats.RootCAs(t.CAFile))
	}
	if t.CertFile != "" {
		opts = append(opts, nats.ClientCert(t.CertFile, t.KeyFile))
	}
	return opts, nil
}

// readable checks that path is a file that can be opened for reading.
func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read: %w", err)
	}
	if st.IsDir() {
		return fmt.Errorf("%s is a folder, not a file", path)
	}
	return nil
}
