package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/stationbench/stationbench/internal/redact"
	"github.com/stationbench/stationbench/kube"
	"github.com/stationbench/stationbench/scenarios"
)

const k8sExamples = `  stationbench k8s scenarios/cluster.yaml --agents 10 --image registry.example.com/stationbench:v1 > agents.yaml
  stationbench k8s cluster.yaml --agents 4 --namespace bench --secret nats-creds --cpu 2 --memory 2Gi | kubectl apply -f -
  stationbench k8s cluster.yaml --agents 10 --control nats://nats.bench.svc:4222 --allow-same-node
`

// k8sCmd prints the Kubernetes manifests of a distributed run of a
// scenario: a ConfigMap with the scenario and an Indexed Job of N agents.
func k8sCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("k8s", "k8s FILE --agents N [flags]\n\n"+
		"Prints the manifests of a distributed run on Kubernetes: a ConfigMap holding the scenario file and an\n"+
		"Indexed batch/v1 Job of N pods, pod i running `stationbench run FILE --segment i/N`. Every ${VAR} of the\n"+
		"scenario is set in the pods from the key of that name in --secret (create the Secret yourself: the\n"+
		"output never holds a value). Generate them again for each run: each run has its own run id.",
		k8sExamples, stdout, stderr)
	agents := fs.Int("agents", 0, "number of agents (pods), N (required)")
	image := fs.String("image", kube.DefaultImage, "the agents' image: built with the Dockerfile, pushed where the cluster pulls from")
	namespace := fs.StringP("namespace", "n", "", "namespace of the objects (default: kubectl's current one)")
	secret := fs.String("secret", "", "Secret holding the scenario's ${VAR}s, one key per variable (default <name>-env)")
	cpu := fs.String("cpu", kube.DefaultCPU, "CPU of each agent (request = limit)")
	memory := fs.String("memory", kube.DefaultMemory, "memory of each agent (request = limit)")
	control := fs.String("control", "", "control NATS URL passed to the agents (default: theirs, the first target's URL)")
	runID := fs.String("run-id", "", "the run's id, given to every agent (default: a new one)")
	name := fs.String("name", "", "name of the ConfigMap and the Job (default stationbench-<scenario name>)")
	sameNode := fs.Bool("allow-same-node", false, "let agents share a node (preferred anti-affinity instead of required)")
	extra := fs.StringArray("agent-arg", nil, "an extra argument for the agents' run command (repeatable)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("k8s: want exactly one scenario file, got %d", fs.NArg())
	}
	if *agents < 1 {
		fs.Usage()
		return usagef("k8s: --agents N is required (at least 1)")
	}
	if len(redact.Passwords(*control)) > 0 {
		return usagef("k8s: --control holds a password, which would be in the Job in clear: " +
			"use a control URL without credentials, or the first target's URL (the agents' default), whose credentials come from the Secret")
	}
	path := fs.Arg(0)
	data, err := readScenario(path)
	if err != nil {
		return usageError{err}
	}
	sc, err := kube.Inspect(path, data, os.LookupEnv)
	if err != nil {
		return usageError{err}
	}
	if len(sc.Unchecked) > 0 {
		fmt.Fprintf(stderr, "stationbench k8s: %s not validated completely here: %s not set in this shell "+
			"(the pods take them from the Secret and validate it there)\n", path, strings.Join(sc.Unchecked, ", "))
	}
	c := kube.Config{Name: *name, Namespace: *namespace, Image: *image, Agents: *agents, Scenario: data, Vars: sc.Vars,
		Secret: *secret, Control: *control, RunID: *runID, CPU: *cpu, Memory: *memory, SameNode: *sameNode, Args: *extra}
	if c.Name == "" {
		c.Name = kube.NameFor(sc.Name)
	}
	if c.Secret == "" {
		c.Secret = c.Name + "-env"
	}
	if c.RunID == "" {
		c.RunID = newRunID()
	}
	var buf bytes.Buffer
	writeK8sHeader(&buf, c, sc.Name)
	if err := kube.Write(&buf, c); err != nil {
		return usageError{fmt.Errorf("k8s: %w", err)}
	}
	_, err = stdout.Write(buf.Bytes())
	return err
}

// readScenario reads a scenario file, refusing one larger than the loader
// reads.
func readScenario(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("read scenario: %w", err)
	case len(data) > scenarios.MaxFileSize:
		return nil, fmt.Errorf("%s: the file is %d bytes: a scenario file holds at most 1 MiB", path, len(data))
	}
	return data, nil
}

// writeK8sHeader says, as YAML comments, what the manifests run and what
// they need from the cluster.
func writeK8sHeader(w io.Writer, c kube.Config, scenario string) {
	fmt.Fprintf(w, "# stationbench k8s: scenario %q run by %d agents, run id %s\n", scenario, c.Agents, c.RunID)
	if len(c.Vars) > 0 {
		var keys, optional []string
		for _, v := range c.Vars {
			if v.Optional {
				optional = append(optional, v.Name)
				continue
			}
			keys = append(keys, "--from-literal="+v.Name+"=...")
		}
		fmt.Fprintf(w, "# Before applying, create the Secret with the scenario's variables:\n#   kubectl create secret generic %s %s\n",
			c.Secret, strings.Join(keys, " "))
		if len(optional) > 0 {
			fmt.Fprintf(w, "# (optional keys, the scenario has defaults for them: %s)\n", strings.Join(optional, ", "))
		}
	}
	fmt.Fprintf(w, "# Watch: kubectl logs -f -l app.kubernetes.io/instance=%s --prefix --max-log-requests %d\n", c.Name, max(5, c.Agents))
	fmt.Fprintf(w, "# Results: object store bucket stationbench-results-%s on the control server\n", c.RunID)
}

// newRunID is a new run id: UTC time and 4 random bytes.
func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
