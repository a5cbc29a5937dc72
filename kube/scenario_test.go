package kube

import (
	"slices"
	"strings"
	"testing"
)

func unset(string) (string, bool) { return "", false }

// TestInspectRefuses: what cannot run from pods as the manifests make them
// is refused, naming the target and the field.
func TestInspectRefuses(t *testing.T) {
	head := "name: x\nproducers: {counts: [1]}\ntargets:\n"
	cases := []struct{ name, targets, want string }{
		{"embedded", "  - {name: local, kind: jetstream, url: embedded}\n", "targets[0] (local): the embedded server"},
		{"no url", "  - {name: local, kind: nats}\n", "targets[0] (local): the embedded server"},
		{"literal password", "  - {name: n, kind: jetstream, url: 'nats://h:4222', password: hunter2}\n",
			"targets[0] (n): password is written in the file"},
		{"defaulted password", "  - {name: n, kind: jetstream, url: 'nats://h:4222', password: '${PW:-hunter2}'}\n",
			"targets[0] (n): password is written in the file (or as a ${VAR:-default})"},
		{"token", "  - {name: m, kind: memphis, host: memphis.svc, connectionToken: abc}\n", "targets[0] (m): connectionToken is written"},
		{"url password", "  - {name: n, kind: jetstream, url: 'nats://u:hunter2@h:4222'}\n", "targets[0] (n): url holds a password"},
		{"creds file", "  - {name: n, kind: jetstream, url: 'nats://h:4222', credsFile: /home/me/n.creds}\n",
			"targets[0] (n): credsFile names a file"},
		{"tls", "  - {name: n, kind: jetstream, url: 'tls://h:4222', caFile: ca.pem}\n", "targets[0] (n): caFile names a file"},
		{"embedded, vars unset", "  - {name: local, kind: jetstream, url: embedded, password: '${PW}'}\n",
			"targets[0] (local): the embedded server"},
		{"a real error beside an unset var", "  - {name: n, kind: jetstream, url: 'nats://h:4222', password: '${PW}', colour: red}\n",
			"colour"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Inspect("s.yaml", []byte(head+c.targets), unset)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "s.yaml") {
				t.Errorf("error %v, want one naming s.yaml and %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the credential: %v", err)
			}
		})
	}
}

// TestInspectAccepts: credentials as ${VAR}s (in the url too), variables
// unset in this shell noted rather than refused.
func TestInspectAccepts(t *testing.T) {
	doc := `name: ok
producers: {counts: [1]}
targets:
  - {name: n, kind: jetstream, url: 'nats://${NATS_USER}:${NATS_PW}@nats.svc:4222'}
  - {name: m, kind: memphis, host: memphis.svc, password: '${MEMPHIS_PW}'}
station: {name: s}
`
	sc, err := Inspect("ok.yaml", []byte(doc), unset)
	if err != nil {
		t.Fatal(err)
	}
	names := func(vs []Var) (out []string) {
		for _, v := range vs {
			out = append(out, v.Name)
		}
		return out
	}
	if want := []string{"NATS_USER", "NATS_PW", "MEMPHIS_PW"}; !slices.Equal(names(sc.Vars), want) || !slices.Equal(sc.Unchecked, want) {
		t.Errorf("vars %v unchecked %v, want %v", names(sc.Vars), sc.Unchecked, want)
	}
	all := func(string) (string, bool) { return "x", true }
	if sc, err := Inspect("ok.yaml", []byte(doc), all); err != nil || len(sc.Unchecked) != 0 {
		t.Errorf("with every variable set: %+v, %v", sc, err)
	}
}
