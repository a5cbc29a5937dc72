package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/stationbench/stationbench/kube"
)

const k8sScenario = `name: cluster
targets:
  - {name: nats, kind: jetstream, url: 'nats://nats.bench.svc:4222', username: bench, password: '${K8S_TEST_PASSWORD}'}
station: {name: s, storage: file}
producers: {counts: [4, 8]}
load: {duration: 10s}
`

// TestK8sCmd prints manifests that decode strictly, with the agent count,
// the control URL and the run id passed through, and never the value of
// a variable set in the shell.
func TestK8sCmd(t *testing.T) {
	t.Setenv("K8S_TEST_PASSWORD", "do-not-print-me")
	path := filepath.Join(t.TempDir(), "cluster.yaml")
	writeFile(t, path, []byte(k8sScenario))
	code, stdout, stderr := reportCLI(t, "k8s", path, "--agents", "4", "--namespace", "bench", "--control", "nats://ctl.bench.svc:4222",
		"--run-id", "r1", "--image", "reg.example.com/sb:v1", "--secret", "nats-creds")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout+stderr, "do-not-print-me") {
		t.Fatalf("a variable's value is in the output:\n%s", stdout)
	}
	if !strings.Contains(stdout, "kubectl create secret generic nats-creds --from-literal=K8S_TEST_PASSWORD=...") {
		t.Errorf("no word of the Secret to create:\n%s", stdout)
	}
	docs := strings.Split(stdout, "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("%d documents", len(docs))
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(docs[1]), &job); err != nil {
		t.Fatal(err)
	}
	args := strings.Join(job.Spec.Template.Spec.Containers[0].Args, " ")
	for _, want := range []string{"--segment $(JOB_COMPLETION_INDEX)/4", "--control nats://ctl.bench.svc:4222", "--run-id r1"} {
		if !strings.Contains(args, want) {
			t.Errorf("args %q lack %q", args, want)
		}
	}
	if *job.Spec.Completions != 4 || job.Name != "stationbench-cluster" || job.Namespace != "bench" {
		t.Errorf("job %s/%s completions %d", job.Namespace, job.Name, *job.Spec.Completions)
	}
}

func TestK8sCmdRefuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cluster.yaml")
	writeFile(t, path, []byte(k8sScenario))
	embedded := filepath.Join(dir, "embedded.yaml")
	writeFile(t, embedded, []byte("name: e\ntargets: [{name: local, kind: jetstream, url: embedded}]\nproducers: {counts: [1]}\n"))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"k8s", path}, "--agents N is required"},
		{[]string{"k8s", path, "--agents", "2", "--control", "nats://u:secret@ctl:4222"}, "--control holds a password"},
		{[]string{"k8s", embedded, "--agents", "2"}, "embedded.yaml: targets[0] (local): the embedded server"},
		{[]string{"k8s", path, "--agents", "2", "--cpu", "lots"}, `cpu "lots"`},
		{[]string{"k8s", filepath.Join(dir, "none.yaml"), "--agents", "2"}, "none.yaml: no such file"},
	}
	for _, c := range cases {
		code, stdout, stderr := reportCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 naming %q", c.args, code, stdout, stderr, c.want)
		}
		if strings.Contains(stderr, "secret@") {
			t.Errorf("%q: the error shows the password: %s", c.args, stderr)
		}
	}
	code, stdout, _ := reportCLI(t, "k8s", "--help")
	if code != exitOK || !strings.Contains(stdout, "Examples:\n  stationbench k8s") {
		t.Errorf("--help: exit %d:\n%s", code, stdout)
	}
}

// TestDockerfile: the image is built in stages, the binary static, and it
// runs as the non-root user the manifests run the pods as.
func TestDockerfile(t *testing.T) {
	f, err := os.Open("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var froms, users []string
	var static, copyFrom bool
	var entrypoint string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		rest := strings.Join(fields[1:], " ")
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			froms = append(froms, rest)
		case "RUN":
			static = static || (strings.Contains(rest, "CGO_ENABLED=0") && strings.Contains(rest, "go build"))
		case "COPY":
			copyFrom = copyFrom || (len(froms) > 1 && strings.HasPrefix(rest, "--from="))
		case "USER":
			users = append(users, rest)
		case "ENTRYPOINT":
			entrypoint = rest
		}
	}
	if len(froms) < 2 || !strings.Contains(froms[0], " AS ") || !copyFrom {
		t.Errorf("stages %q (copy from a build stage: %t): want a build stage and a run stage that copies the binary", froms, copyFrom)
	}
	if !static {
		t.Error("no RUN with CGO_ENABLED=0 go build: the binary is not static")
	}
	if want := "65532:65532"; len(users) != 1 || users[0] != want || kube.UID != 65532 {
		t.Errorf("USER %q, want %q: the non-root user the manifests run as (kube.UID %d)", users, want, kube.UID)
	}
	if entrypoint != `["/stationbench"]` {
		t.Errorf("ENTRYPOINT %s, want the binary in exec form", entrypoint)
	}
}
