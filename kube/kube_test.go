package kube

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const clusterScenario = `name: cluster-sweep
targets:
  - name: nats
    kind: jetstream
    url: nats://nats.bench.svc:4222
    username: bench
    password: ${NATS_PASSWORD}
station: {name: sweep, storage: file, replicas: 3}
producers: {counts: [10, 20, 40]}
message:
  size: ${MSG_SIZE:-256}
load: {duration: 30s}
# ${IN_A_COMMENT} is not a reference
`

const password = "pa55-w0rd-never-printed"

// lookup is a shell where the password is set.
func lookup(name string) (string, bool) {
	if name == "NATS_PASSWORD" {
		return password, true
	}
	return "", false
}

// decode splits the printed manifests and decodes them strictly: an
// unknown or misspelt field is an error.
func decode(t *testing.T, out []byte) (*corev1.ConfigMap, *batchv1.Job) {
	t.Helper()
	docs := strings.Split(string(out), "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("%d YAML documents, want 2 (ConfigMap, Job):\n%s", len(docs), out)
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(docs[0]), &cm); err != nil {
		t.Fatalf("ConfigMap: %v", err)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict([]byte(docs[1]), &job); err != nil {
		t.Fatalf("Job: %v", err)
	}
	return &cm, &job
}

func TestManifests(t *testing.T) {
	sc, err := Inspect("cluster.yaml", []byte(clusterScenario), lookup)
	if err != nil {
		t.Fatal(err)
	}
	wantVars := []Var{{Name: "NATS_PASSWORD"}, {Name: "MSG_SIZE", Optional: true}}
	if !slices.Equal(sc.Vars, wantVars) || sc.Name != "cluster-sweep" || len(sc.Unchecked) != 0 {
		t.Fatalf("inspect: %+v, want vars %+v", sc, wantVars)
	}
	c := Config{Name: NameFor(sc.Name), Namespace: "bench", Image: "registry.example.com/stationbench:v1", Agents: 10,
		Scenario: []byte(clusterScenario), Vars: sc.Vars, Secret: "nats-creds", Control: "nats://control.bench.svc:4222",
		RunID: "20261202T100000Z-abcd1234", CPU: "2", Memory: "2Gi", Args: []string{"--agent-timeout", "2m"}}
	var out bytes.Buffer
	if err := Write(&out, c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), password) {
		t.Fatalf("the password's value is in the manifests:\n%s", out.String())
	}
	cm, job := decode(t, out.Bytes())

	if cm.APIVersion != "v1" || cm.Kind != "ConfigMap" || cm.Name != "stationbench-cluster-sweep" || cm.Namespace != "bench" {
		t.Errorf("ConfigMap: %s %s %s/%s", cm.APIVersion, cm.Kind, cm.Namespace, cm.Name)
	}
	if cm.Data[ScenarioKey] != clusterScenario {
		t.Errorf("ConfigMap holds %q, want the scenario file as written", cm.Data[ScenarioKey])
	}

	s := job.Spec
	if job.APIVersion != "batch/v1" || job.Kind != "Job" || job.Name != c.Name || job.Namespace != "bench" {
		t.Errorf("Job: %s %s %s/%s", job.APIVersion, job.Kind, job.Namespace, job.Name)
	}
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || s.Completions == nil || *s.Completions != 10 ||
		s.Parallelism == nil || *s.Parallelism != 10 || s.BackoffLimit == nil || *s.BackoffLimit != 0 {
		t.Errorf("Job spec: mode %v completions %v parallelism %v backoffLimit %v", s.CompletionMode, s.Completions, s.Parallelism, s.BackoffLimit)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever || len(pod.Containers) != 1 {
		t.Fatalf("pod: restart %s, %d containers", pod.RestartPolicy, len(pod.Containers))
	}
	ctr := pod.Containers[0]
	if ctr.Image != c.Image {
		t.Errorf("image %s", ctr.Image)
	}

	// The command line builds the segment from the completion index.
	wantArgs := []string{"run", "/etc/stationbench/scenario.yaml", "--segment", "$(JOB_COMPLETION_INDEX)/10", "--out", "/results",
		"--run-id", c.RunID, "--control", c.Control, "--agent-timeout", "2m"}
	if !slices.Equal(ctr.Args, wantArgs) || len(ctr.Command) != 0 {
		t.Errorf("command %q args %q\nwant args %q (the image's entrypoint is the binary)", ctr.Command, ctr.Args, wantArgs)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range ctr.Env {
		env[e.Name] = e
		if e.Value != "" {
			t.Errorf("env %s has a value in the manifest: %q", e.Name, e.Value)
		}
	}
	if idx := env[IndexEnv]; idx.ValueFrom == nil || idx.ValueFrom.FieldRef == nil ||
		idx.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("%s: %+v, want it from the completion index annotation", IndexEnv, idx)
	}
	for _, v := range wantVars {
		e, ok := env[v.Name]
		if !ok || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("env %s: %+v, want it from the Secret", v.Name, e)
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if ref.Name != "nats-creds" || ref.Key != v.Name || ref.Optional == nil || *ref.Optional != v.Optional {
			t.Errorf("env %s: secret %s key %s optional %v, want nats-creds %s %v", v.Name, ref.Name, ref.Key, ref.Optional, v.Name, v.Optional)
		}
	}
	if _, ok := env["IN_A_COMMENT"]; ok || len(env) != 3 {
		t.Errorf("env %v: want the index and the scenario's two variables only", ctr.Env)
	}

	// Resources: requests = limits.
	r := ctr.Resources
	if r.Requests.Cpu().String() != "2" || r.Limits.Cpu().String() != "2" || r.Requests.Memory().String() != "2Gi" ||
		r.Limits.Memory().String() != "2Gi" {
		t.Errorf("resources %+v", r)
	}

	// Agents on different nodes.
	aa := pod.Affinity
	if aa == nil || aa.PodAntiAffinity == nil || len(aa.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) != 1 {
		t.Fatalf("affinity %+v, want a required pod anti-affinity", aa)
	}
	term := aa.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0]
	if term.TopologyKey != "kubernetes.io/hostname" || term.LabelSelector == nil {
		t.Errorf("anti-affinity term %+v", term)
	}
	for k, v := range term.LabelSelector.MatchLabels {
		if s.Template.Labels[k] != v {
			t.Errorf("anti-affinity selects %s=%s, which the pods do not carry (%v)", k, v, s.Template.Labels)
		}
	}

	// Non-root, read-only.
	psc, csc := pod.SecurityContext, ctr.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != UID || *psc.RunAsUser == 0 {
		t.Errorf("pod security context %+v", psc)
	}
	if csc == nil || csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation || csc.ReadOnlyRootFilesystem == nil ||
		!*csc.ReadOnlyRootFilesystem || csc.Capabilities == nil || !slices.Equal(csc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container security context %+v", csc)
	}
	mounts := map[string]string{}
	for _, m := range ctr.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	if mounts["scenario"] != ScenarioDir || vols["scenario"].ConfigMap == nil || vols["scenario"].ConfigMap.Name != cm.Name ||
		mounts["results"] != ResultsDir || vols["results"].EmptyDir == nil {
		t.Errorf("mounts %v volumes %+v", mounts, pod.Volumes)
	}
}

// TestManifestsSameNode: --allow-same-node makes the anti-affinity a
// preference; without variables there is no Secret; no control URL, no
// flag.
func TestManifestsSameNode(t *testing.T) {
	var out bytes.Buffer
	if err := Write(&out, Config{Name: "stationbench-x", Agents: 3, Scenario: []byte("name: x\n"), SameNode: true}); err != nil {
		t.Fatal(err)
	}
	_, job := decode(t, out.Bytes())
	pod := job.Spec.Template.Spec
	aa := pod.Affinity.PodAntiAffinity
	if len(aa.RequiredDuringSchedulingIgnoredDuringExecution) != 0 || len(aa.PreferredDuringSchedulingIgnoredDuringExecution) != 1 {
		t.Errorf("anti-affinity %+v, want one preferred term", aa)
	}
	ctr := pod.Containers[0]
	if ctr.Image != DefaultImage || len(ctr.Env) != 1 || slices.Contains(ctr.Args, "--control") || slices.Contains(ctr.Args, "--run-id") {
		t.Errorf("image %s env %v args %v", ctr.Image, ctr.Env, ctr.Args)
	}
	if !slices.Contains(ctr.Args, "$(JOB_COMPLETION_INDEX)/3") {
		t.Errorf("args %v", ctr.Args)
	}
}

// TestConfigErrors: every problem of a configuration is said at once.
func TestConfigErrors(t *testing.T) {
	c := Config{Name: "Bad_Name", Namespace: "-ns", Agents: 0, Vars: []Var{{Name: "X"}}, Secret: "", CPU: "lots", Memory: "-1Gi",
		RunID: "has space"}
	err := Write(&bytes.Buffer{}, c)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`name "Bad_Name"`, `namespace "-ns"`, "agents 0", "no scenario", `secret "" (it holds the scenario's ${X})`,
		`cpu "lots"`, `memory "-1Gi"`, `run id "has space"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	long := Config{Name: strings.Repeat("a", MaxNameLen+1), Agents: 1, Scenario: []byte("x")}
	if err := Write(&bytes.Buffer{}, long); err == nil || !strings.Contains(err.Error(), "at most 52") {
		t.Errorf("long name: %v", err)
	}
}

func TestNameFor(t *testing.T) {
	for in, want := range map[string]string{
		"quickstart":              "stationbench-quickstart",
		"Cluster Sweep (3 AZs)":   "stationbench-cluster-sweep-3-azs",
		"":                        "stationbench",
		strings.Repeat("ab-", 30): ("stationbench-" + strings.Repeat("ab-", 30))[:MaxNameLen],
	} {
		got := NameFor(in)
		if got != strings.TrimRight(want, "-") {
			t.Errorf("NameFor(%q) = %q, want %q", in, got, want)
		}
	}
}
