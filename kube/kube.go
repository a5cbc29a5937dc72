// Package kube makes the Kubernetes manifests of a distributed run: a
// ConfigMap holding the scenario file, and an Indexed batch/v1 Job whose N
// pods are the run's agents, each running `stationbench run FILE --segment
// i/N` with i its completion index. The scenario's ${VAR}s come from a
// Secret, never from the ConfigMap. `stationbench k8s` prints them.
package kube

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// Where the pods find things.
const (
	// ScenarioDir is where the ConfigMap is mounted; the scenario is
	// ScenarioKey in it.
	ScenarioDir = "/etc/stationbench"
	ScenarioKey = "scenario.yaml"
	// ResultsDir is the agent's --out, an emptyDir: the root file system
	// is read-only. The results that last are in the object store.
	ResultsDir = "/results"
	// IndexEnv is the variable that holds a pod's completion index; the
	// Job controller sets it from the pod's annotation IndexAnnotation,
	// and the manifests set it too, so that the command line can use it.
	IndexEnv        = "JOB_COMPLETION_INDEX"
	IndexAnnotation = "batch.kubernetes.io/job-completion-index"
	// UID is the user (and group) the agents run as: the image's non-root
	// user (the Dockerfile's USER).
	UID int64 = 65532
	// containerName is the agent container's name.
	containerName = "agent"
)

// Defaults of Config.
const (
	DefaultImage  = "stationbench:latest"
	DefaultCPU    = "1"
	DefaultMemory = "1Gi"
)

// Config is what the manifests are made of.
type Config struct {
	// Name names the ConfigMap and the Job, and labels the pods (a
	// DNS-1123 label of at most MaxNameLen characters).
	Name string
	// Namespace, when set, is every object's namespace; empty leaves it
	// to kubectl's context.
	Namespace string
	// Image is the agents' image (DefaultImage when empty).
	Image string
	// Agents is N: the Job's completions and parallelism.
	Agents int
	// Scenario is the scenario file's text, as written: ${VAR}s are left
	// for the pods to expand from the Secret.
	Scenario []byte
	// Vars are the ${VAR}s the scenario references (Inspect finds them);
	// each is set in the pods from the key of that name in Secret.
	Vars []Var
	// Secret is the Secret that holds Vars.
	Secret string
	// Control is the control NATS URL passed to the agents (--control);
	// empty leaves the agents' default (the first target's URL).
	Control string
	// RunID is passed to the agents (--run-id), so that every pod joins
	// the same run and its results are found under it.
	RunID string
	// CPU and Memory are each agent's requests and limits (equal: the
	// pods are in the Guaranteed QoS class, steady for measuring).
	CPU, Memory string
	// SameNode lets two agents share a node (a preferred anti-affinity
	// instead of a required one), for clusters with fewer nodes than
	// agents.
	SameNode bool
	// Args are extra arguments for the agents' run command.
	Args []string
}

// Var is a variable the scenario references.
type Var struct {
	Name string
	// Optional: every reference has a default (${VAR:-default}), so the
	// Secret may leave it out.
	Optional bool
}

// MaxNameLen is the longest Config.Name: a Job's pods add a suffix to its
// name, and labels hold at most 63 characters.
const MaxNameLen = 52

// Write prints the manifests as YAML documents: the ConfigMap, then the
// Job.
func Write(w io.Writer, c Config) error {
	cm, job, err := Manifests(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for i, obj := range []any{cm, job} {
		b, err := yaml.Marshal(obj)
		if err != nil {
			return fmt.Errorf("k8s: marshal: %w", err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Manifests builds the ConfigMap and the Job, or says every problem of c.
func Manifests(c Config) (*corev1.ConfigMap, *batchv1.Job, error) {
	c = withDefaults(c)
	cpu, mem, err := check(c)
	if err != nil {
		return nil, nil, err
	}
	labels := map[string]string{
		"app.kubernetes.io/name":       "stationbench",
		"app.kubernetes.io/instance":   c.Name,
		"app.kubernetes.io/component":  "agent",
		"app.kubernetes.io/managed-by": "stationbench",
	}
	if c.RunID != "" {
		labels["stationbench.io/run-id"] = c.RunID
	}
	meta := metav1.ObjectMeta{Name: c.Name, Namespace: c.Namespace, Labels: labels}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta,
		Data:       map[string]string{ScenarioKey: string(c.Scenario)},
	}
	n := int32(c.Agents)
	indexed := batchv1.IndexedCompletion
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta,
		Spec: batchv1.JobSpec{
			CompletionMode: &indexed,
			Completions:    &n,
			Parallelism:    &n,
			// A failed agent fails the run (the others' measurements are
			// kept); a retried pod could not rejoin a run under way.
			BackoffLimit: ptr(int32(0)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       podSpec(c, labels, cpu, mem),
			},
		},
	}
	return cm, job, nil
}

// podSpec is an agent pod: non-root, read-only, spread over nodes.
func podSpec(c Config, labels map[string]string, cpu, mem resource.Quantity) corev1.PodSpec {
	res := corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: mem}
	return corev1.PodSpec{
		RestartPolicy:                 corev1.RestartPolicyNever,
		TerminationGracePeriodSeconds: ptr(int64(30)), // SIGTERM: the agent writes its partial result
		AutomountServiceAccountToken:  ptr(false),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      ptr(UID),
			RunAsGroup:     ptr(UID),
			FSGroup:        ptr(UID),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Affinity: &corev1.Affinity{PodAntiAffinity: antiAffinity(c, labels)},
		Containers: []corev1.Container{{
			Name:            containerName,
			Image:           c.Image,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Args:            args(c),
			Env:             env(c),
			Resources:       corev1.ResourceRequirements{Requests: res, Limits: res},
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr(false),
				ReadOnlyRootFilesystem:   ptr(true),
				RunAsNonRoot:             ptr(true),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			},
			VolumeMounts: []corev1.VolumeMount{
				{Name: "scenario", MountPath: ScenarioDir, ReadOnly: true},
				{Name: "results", MountPath: ResultsDir},
			},
		}},
		Volumes: []corev1.Volume{
			{Name: "scenario", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: c.Name}}}},
			{Name: "results", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		},
	}
}

// antiAffinity keeps the agents of one run on different nodes (required),
// or prefers it (Config.SameNode).
func antiAffinity(c Config, labels map[string]string) *corev1.PodAntiAffinity {
	term := corev1.PodAffinityTerm{
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{
			"app.kubernetes.io/name":     labels["app.kubernetes.io/name"],
			"app.kubernetes.io/instance": labels["app.kubernetes.io/instance"],
		}},
		TopologyKey: "kubernetes.io/hostname",
	}
	if c.SameNode {
		return &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{
			{Weight: 100, PodAffinityTerm: term}}}
	}
	return &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{term}}
}

// args is the agent's command line after the image's entrypoint (the
// binary). Kubernetes expands $(JOB_COMPLETION_INDEX) from the container's
// environment, so no shell is needed (the image has none).
func args(c Config) []string {
	out := []string{"run", ScenarioDir + "/" + ScenarioKey,
		"--segment", "$(" + IndexEnv + ")/" + strconv.Itoa(c.Agents),
		"--out", ResultsDir}
	if c.RunID != "" {
		out = append(out, "--run-id", c.RunID)
	}
	if c.Control != "" {
		out = append(out, "--control", c.Control)
	}
	return append(out, c.Args...)
}

// env sets the completion index and every variable of the scenario, each
// from the key of its name in the Secret.
func env(c Config) []corev1.EnvVar {
	out := []corev1.EnvVar{{Name: IndexEnv, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.annotations['" + IndexAnnotation + "']"}}}}
	for _, v := range c.Vars {
		out = append(out, corev1.EnvVar{Name: v.Name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: c.Secret},
			Key:                  v.Name,
			Optional:             ptr(v.Optional),
		}}})
	}
	return out
}

func withDefaults(c Config) Config {
	if c.Image == "" {
		c.Image = DefaultImage
	}
	if c.CPU == "" {
		c.CPU = DefaultCPU
	}
	if c.Memory == "" {
		c.Memory = DefaultMemory
	}
	return c
}

// check returns every problem of c at once, and the parsed resources.
func check(c Config) (cpu, mem resource.Quantity, err error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if msgs := validation.IsDNS1123Label(c.Name); len(msgs) > 0 {
		bad("name %q: %s", c.Name, strings.Join(msgs, "; "))
	} else if len(c.Name) > MaxNameLen {
		bad("name %q: at most %d characters (the Job's pods add a suffix)", c.Name, MaxNameLen)
	}
	if c.Namespace != "" {
		if msgs := validation.IsDNS1123Label(c.Namespace); len(msgs) > 0 {
			bad("namespace %q: %s", c.Namespace, strings.Join(msgs, "; "))
		}
	}
	if c.Agents < 1 {
		bad("agents %d: want at least 1", c.Agents)
	}
	if len(c.Scenario) == 0 {
		bad("no scenario")
	}
	if len(c.Vars) > 0 {
		if msgs := validation.IsDNS1123Subdomain(c.Secret); len(msgs) > 0 {
			bad("secret %q (it holds the scenario's %s): %s", c.Secret, varNames(c.Vars), strings.Join(msgs, "; "))
		}
	}
	for _, v := range c.Vars {
		if msgs := validation.IsEnvVarName(v.Name); len(msgs) > 0 {
			bad("variable %s: %s", v.Name, strings.Join(msgs, "; "))
		}
	}
	if c.RunID != "" {
		if msgs := validation.IsValidLabelValue(c.RunID); len(msgs) > 0 {
			bad("run id %q: %s", c.RunID, strings.Join(msgs, "; "))
		}
	}
	cpu, err = resource.ParseQuantity(c.CPU)
	if err != nil || cpu.Sign() <= 0 {
		bad("cpu %q: want a positive quantity such as 2 or 500m", c.CPU)
	}
	mem, err = resource.ParseQuantity(c.Memory)
	if err != nil || mem.Sign() <= 0 {
		bad("memory %q: want a positive quantity such as 1Gi or 512Mi", c.Memory)
	}
	return cpu, mem, errors.Join(errs...)
}

func varNames(vs []Var) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = "${" + v.Name + "}"
	}
	return strings.Join(names, ", ")
}

func ptr[T any](v T) *T { return &v }

// NameFor is the default Config.Name for a scenario: "stationbench-" and
// the scenario's name made a DNS-1123 label (lower case letters, digits
// and '-'), at most MaxNameLen characters.
func NameFor(scenario string) string {
	var b strings.Builder
	b.WriteString("stationbench")
	dash := true
	for _, r := range strings.ToLower(scenario) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	name := b.String()
	if len(name) > MaxNameLen {
		name = strings.TrimRight(name[:MaxNameLen], "-")
	}
	return name
}
