package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// LoadFile reads the scenario file at path and parses it with ${VAR} taken
// from the process environment, as Parse does, with the command line's
// overrides applied before defaults and validation (overrides.go). (It is
// not called Load because that names the load: section's type.)
func LoadFile(path string, o Overrides) (Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("read scenario: %w", err)
	}
	defer f.Close()
	// Read one byte past the limit, so that Parse reports a file too large
	// without reading all of it.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return Scenario{}, fmt.Errorf("read scenario %s: %w", path, err)
	}
	return parse(path, data, os.LookupEnv, o)
}

// Parse decodes a scenario document strictly, expands ${VAR} in its string
// values with env (nil means no variable is set), applies defaults and
// validates the result. file names the input in errors and becomes
// Scenario.File.
//
// When the document has problems, Parse returns an Errors holding all of
// them, sorted by line.
func Parse(file string, data []byte, env func(string) (string, bool)) (Scenario, error) {
	return parse(file, data, env, Overrides{})
}

// parse is Parse with overrides, applied after decoding and before
// defaults.
func parse(file string, data []byte, env func(string) (string, bool), o Overrides) (Scenario, error) {
	d := &decoder{file: file, env: env, pos: map[string]pos{}, set: map[string]bool{}, bad: map[string]bool{}}
	if len(data) > MaxFileSize {
		d.add(pos{1, 1}, "", "the file is %d bytes: a scenario file holds at most 1 MiB", len(data))
		return Scenario{}, d.errs
	}
	root := d.root(data)
	if root == nil {
		sortErrors(d.errs)
		return Scenario{}, d.errs
	}
	var s Scenario
	d.pos[""] = pos{root.Line, root.Column}
	d.secrets = hideable(secretsIn(root, env))
	d.scenario(root, &s)
	flags := map[string]string{}
	o.apply(&s, flags)
	applyDefaults(&s, func(key string) bool { return d.set[key] })
	for _, e := range check(s, file, d.at, flags, d.secrets) {
		if !d.isBad(e.Key) {
			d.errs = append(d.errs, e)
		}
	}
	if len(d.errs) > 0 {
		sortErrors(d.errs)
		return Scenario{}, d.errs
	}
	s.File = file
	return s, nil
}

// pos is a line and column in the file.
type pos struct{ line, col int }

// decoder walks the YAML node tree, filling a Scenario and recording where
// every key was written, so later checks can point at the right line.
type decoder struct {
	file string
	env  func(string) (string, bool)
	errs Errors
	pos  map[string]pos  // key path -> where it was written
	set  map[string]bool // key paths given a usable value
	bad  map[string]bool // key paths whose value failed to decode
	// secrets are kept out of every message (redact.go, secrets.go).
	secrets []string
}

// fieldFunc decodes one value into its destination and reports success.
type fieldFunc func(v *yaml.Node, key string) bool

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// root parses the document and returns its top-level mapping, or nil after
// recording why there is none.
func (d *decoder) root(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.add(pos{1, 1}, "", "the file is empty: want a mapping with at least a name")
			return nil
		}
		d.yamlError(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.add(pos{extra.Line, extra.Column}, "", "a scenario file holds one YAML document; found a second")
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(err)
	}
	n := &doc
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		d.add(pos{n.Line, n.Column}, "", "want a mapping of keys (name:, targets:, load: ...) at the top level, got %s", describeKind(n))
		return nil
	}
	if len(d.errs) > 0 {
		return nil
	}
	return n
}

func (d *decoder) yamlError(err error) {
	if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		d.add(pos{line, 0}, "", "%s", m[2])
		return
	}
	d.add(pos{}, "", "%v", err)
}

// add records a problem. The message and key are cleaned of secrets and
// user info, and cut short.
func (d *decoder) add(at pos, key, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{File: d.file, Line: at.line, Column: at.col,
		Key: cleanText(key, d.secrets, maxKeyShown), Msg: cleanText(fmt.Sprintf(format, args...), d.secrets, maxMsgShown)})
}

// fail records a decoding problem with the value at n.
func (d *decoder) fail(n *yaml.Node, key string, err error) bool {
	d.add(pos{n.Line, n.Column}, key, "%v", err)
	d.bad[key] = true
	return false
}

// isBad reports whether key or one of its ancestors failed to decode, so
// checks on its stand-in value would only repeat the problem.
func (d *decoder) isBad(key string) bool {
	for key != "" {
		if d.bad[key] {
			return true
		}
		key = parentKey(key)
	}
	return false
}

// at says where key was written: the key itself, or else its nearest
// written ancestor.
func (d *decoder) at(key string) pos {
	for {
		if p, ok := d.pos[key]; ok {
			return p
		}
		if key == "" {
			return pos{1, 1}
		}
		key = parentKey(key)
	}
}

// value resolves aliases and expands ${VAR} in a scalar. It returns nil
// after recording an expansion error.
func (d *decoder) value(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		c := *n.Alias
		c.Line, c.Column = n.Line, n.Column
		n = &c
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return n
	}
	v, changed, err := expand(n.Value, d.env)
	if err != nil {
		if sensitiveKey(key) && !errors.As(err, new(unsetError)) {
			err = errors.New("holds a ${ that is not a variable reference: want ${NAME} or ${NAME:-default}, " +
				"or $${ for a literal ${ (the value is not shown: it may be a credential)")
		}
		d.fail(n, key, err)
		return nil
	}
	if !changed {
		return n
	}
	// Re-type the expanded text as if written plainly, so "${N}" can fill
	// an integer field.
	c := *n
	c.Value, c.Tag, c.Style = v, "", 0
	return &c
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// fields decodes the mapping n with one fieldFunc per allowed key. Unknown
// and repeated keys are errors; null values count as absent.
func (d *decoder) fields(n *yaml.Node, key string, fs map[string]fieldFunc) bool {
	if n.Kind != yaml.MappingNode {
		return d.fail(n, key, fmt.Errorf("want a mapping with keys %s, got %s", keyList(fs), describe(n)))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := joinKey(key, k.Value)
		at := pos{k.Line, k.Column}
		f, ok := fs[k.Value]
		switch {
		case seen[k.Value]:
			d.add(at, path, "key repeated; each key may appear once")
			continue
		case !ok:
			d.add(at, path, "unknown key%s", suggest(k.Value, fs))
			continue
		}
		seen[k.Value] = true
		d.pos[path] = at
		if isNull(v) {
			continue
		}
		if v = d.value(v, path); v != nil && f(v, path) {
			d.set[path] = true
		}
	}
	return true
}

func (d *decoder) scenario(n *yaml.Node, s *Scenario) {
	d.fields(n, "", map[string]fieldFunc{
		"name":        d.str(&s.Name),
		"description": d.str(&s.Description),
		"targets":     d.targets(&s.Targets),
		"thresholds":  d.thresholds(&s.Thresholds),
		"labels":      d.labels(&s.Labels),
		"phases":      d.phases(&s.Phases),
		"trace":       d.trace(&s.Trace),
		"station": func(v *yaml.Node, key string) bool {
			return d.fields(v, key, map[string]fieldFunc{
				"name":          d.str(&s.Station.Name),
				"storage":       d.str(&s.Station.Storage),
				"replicas":      d.integer(&s.Station.Replicas),
				"reset":         d.boolean(&s.Station.Reset),
				"cleanup":       d.str(&s.Station.Cleanup),
				"purgeExisting": d.flag(&s.Station.PurgeExisting),
				"subscribe":     d.boolean(&s.Station.Subscribe),
				"subject":       d.str(&s.Station.Subject),
				"verify":        d.boolean(&s.Station.Verify),

				"partitions":        d.integer(&s.Station.Partitions),
				"retentionType":     d.str(&s.Station.RetentionType),
				"retentionValue":    d.integer(&s.Station.RetentionValue),
				"idempotencyWindow": d.duration(&s.Station.IdempotencyWindow),
			})
		},
		"producers": func(v *yaml.Node, key string) bool {
			p := &s.Producers
			return d.fields(v, key, map[string]fieldFunc{
				"name":        d.str(&p.Name),
				"counts":      d.ints(&p.Counts),
				"connections": d.str(&p.Connections),
				"ack":         d.str(&p.Ack),
				"maxPending":  d.integer(&p.MaxPending),
			})
		},
		"message": func(v *yaml.Node, key string) bool {
			return d.fields(v, key, map[string]fieldFunc{
				"size":  d.size(&s.Message.Size),
				"dedup": d.flag(&s.Message.Dedup),
				"batch": d.integer(&s.Message.Batch),
			})
		},
		"load": func(v *yaml.Node, key string) bool {
			l := &s.Load
			return d.fields(v, key, map[string]fieldFunc{
				"duration":    d.duration(&l.Duration),
				"warmup":      d.duration(&l.Warmup),
				"repeat":      d.integer(&l.Repeat),
				"order":       d.str(&l.Order),
				"drain":       d.duration(&l.Drain),
				"rate":        d.number(&l.Rate),
				"rates":       d.numbers(&l.Rates),
				"lateAfter":   d.duration(&l.LateAfter),
				"pacer":       d.str(&l.Pacer),
				"findMaxRate": d.findMaxRate(&l.FindMaxRate),
			})
		},
	})
}

func (d *decoder) targets(dst *[]Target) fieldFunc {
	return mappings(d, dst, "a list of targets (- name: ..., kind: ...)", func(t *Target) map[string]fieldFunc {
		return map[string]fieldFunc{
			"name":                d.str(&t.Name),
			"kind":                d.str((*string)(&t.Kind)),
			"url":                 d.str(&t.URL),
			"username":            d.str(&t.Username),
			"password":            d.secret(&t.Password),
			"connectionToken":     d.secret(&t.ConnectionToken),
			"reconnect":           d.boolean(&t.Reconnect),
			"maxReconnect":        d.integer(&t.MaxReconnect),
			"reconnectIntervalMs": d.millis(&t.ReconnectWait, MaxReconnectWait),
			"timeoutMs":           d.millis(&t.RequestTimeout, MaxTimeout),
			"keyFile":             d.str(&t.KeyFile),
			"certFile":            d.str(&t.CertFile),
			"caFile":              d.str(&t.CAFile),
			"credsFile":           d.str(&t.CredsFile),
			"nkeyFile":            d.str(&t.NKeyFile),
			"host":                d.str(&t.Host),
			"port":                d.integer(&t.Port),
			"accountId":           d.integer(&t.AccountID),
			"natsPort":            d.integer(&t.NATSPort),
			"sasl":                d.str(&t.SASL),
			"ack":                 d.str(&t.Ack),
			"lingerMs":            d.millis(&t.Linger, MaxLinger),
			"batchBytes":          d.size(&t.BatchBytes),
			"natsUrl":             d.str(&t.NATSURL),
			"qos":                 d.optInt(&t.QoS),
			"cleanSession":        d.boolean(&t.CleanSession),
			"keepAlive":           d.duration(&t.KeepAlive),
			"retain":              d.flag(&t.Retain),
		}
	})
}
