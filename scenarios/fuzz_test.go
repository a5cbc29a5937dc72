package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input panics and that every failure is an
// Errors naming at least one problem.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, in := range []string{"name: &a [*a]\n", "targets: &a\n  - *a\n", "&a {load: *a, name: x}\n"} {
		f.Add([]byte(in)) // aliases that make a node contain itself
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse("f.yaml", data, testEnv)
		var es Errors
		if err != nil && (!errors.As(err, &es) || len(es) == 0) {
			t.Fatalf("error %v (%T) is not a non-empty Errors", err, err)
		}
	})
}
