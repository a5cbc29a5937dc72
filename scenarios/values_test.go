package scenarios

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    ByteSize
		wantErr string
	}{
		{"128", 128, ""},
		{`"128"`, 128, ""},
		{"128B", 128, ""},
		{"1KiB", 1024, ""},
		{"1kib", 1024, ""},
		{"4KB", 4000, ""},
		{"1MiB", 1 << 20, ""},
		{"1MB", 1_000_000, ""},
		{"2 MiB", 2 << 20, ""},
		{"64MiB", 64 << 20, ""},
		{"1.5KiB", 0, "want a size"},
		{"KiB", 0, "want a size"},
		{"10 parsecs", 0, "want a size"},
		{"[1]", 0, "want a size"},
		{"true", 0, "want a size"},
		{"99999999999999GiB", 0, "too large"},
		{"65MiB", 0, "1 byte to 64MiB"},
		{"0", 0, "1 byte to 64MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte("name: x\nmessage:\n  size: "+tt.in+"\n"), nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), "t.yaml:3: message.size: ") || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Message.Size != tt.want {
				t.Errorf("size = %d, want %d", s.Message.Size, tt.want)
			}
		})
	}
}

func TestByteSizeJSON(t *testing.T) {
	for in, want := range map[string]ByteSize{`4096`: 4096, `"4KiB"`: 4096} {
		var b ByteSize
		if err := json.Unmarshal([]byte(in), &b); err != nil || b != want {
			t.Errorf("Unmarshal(%s) = %d, %v; want %d", in, b, err, want)
		}
	}
	out, _ := json.Marshal(Message{Size: 4096})
	if string(out) != `{"size":4096}` {
		t.Errorf("Marshal = %s", out)
	}
}

func TestExpand(t *testing.T) {
	env := mapEnv(map[string]string{"A": "x", "EMPTY": "", "N": "8"})
	tests := []struct {
		in, want, wantErr string
	}{
		{"plain", "plain", ""},
		{"${A}", "x", ""},
		{"a-${A}-b", "a-x-b", ""},
		{"$A and $5", "$A and $5", ""},
		{"$${A}", "${A}", ""},
		{"${MISSING:-dflt}", "dflt", ""},
		{"${EMPTY:-dflt}", "dflt", ""},
		{"${EMPTY}", "", ""},
		{"${MISSING}", "", "MISSING is not set"},
		{"${A", "", "unterminated"},
		{"${1A}", "", "bad variable reference"},
		{"${}", "", "bad variable reference"},
	}
	for _, tt := range tests {
		got, _, err := expand(tt.in, env)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("expand(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestExpandTypesValues(t *testing.T) {
	env := mapEnv(map[string]string{"N": "8", "D": "3s", "B": "false", "S": "2KiB"})
	s, err := Parse("t.yaml", []byte(`name: x
producers:
  counts: ["${N}", "${N}0"] # quoted: { is special in [ ]
  maxPending: ${N}
station:
  reset: ${B}
message:
  size: ${S}
load:
  duration: ${D}
  rate: ${N}.5
`), env)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Producers.Counts, []int{8, 80}) || s.Producers.MaxPending != 8 ||
		s.Station.ResetEnabled() || s.Message.Size != 2048 || s.Load.Duration.String() != "3s" || s.Load.Rate != 8.5 {
		t.Errorf("got %+v", s)
	}
}

func TestEnvNotExpandedInKeys(t *testing.T) {
	_, err := Parse("t.yaml", []byte("name: x\n${A}: 1\n"), mapEnv(map[string]string{"A": "description"}))
	if err == nil || !strings.Contains(err.Error(), "t.yaml:2: ${A}: unknown key") {
		t.Errorf("err = %v", err)
	}
}

func TestSteps(t *testing.T) {
	tests := []struct {
		name string
		load Load
		n    []int
		want []Step
	}{
		{"closed", Load{}, []int{1, 2}, []Step{{AxisProducers, 1, 0}, {AxisProducers, 2, 0}}},
		{"open", Load{Rate: 500}, []int{4}, []Step{{AxisProducers, 4, 500}}},
		{"rates", Load{Rates: []float64{10, 20}}, []int{3}, []Step{{AxisRate, 3, 10}, {AxisRate, 3, 20}}},
	}
	for _, tt := range tests {
		s := Scenario{Load: tt.load, Producers: Producers{Counts: tt.n}}
		if got := s.Steps(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Steps = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestValidateInCode(t *testing.T) {
	s, err := Parse("", []byte("name: x\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Load.Repeat = 0
	s.Producers.Counts = append(s.Producers.Counts, 1)
	err = s.validate()
	want := "producers.counts[1]: 1 is listed twice\nload.repeat: must be 1 to 1000, got 0"
	if err == nil || err.Error() != want {
		t.Errorf("Validate =\n%v\nwant\n%s", err, want)
	}
}
