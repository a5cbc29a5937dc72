package scenarios

import (
	"sort"
	"strconv"
	"strings"
)

// FieldError is one problem in a scenario file, located by line and key.
type FieldError struct {
	File   string
	Line   int // 1-based; 0 when unknown (a scenario built in code)
	Column int // 1-based; 0 when unknown
	// Key is the dotted path of the field, such as targets[1].kind or
	// load.duration; empty for problems with the document as a whole.
	Key string
	// Flag is the command-line flag that gave the value (such as --url),
	// when one did; the value is then not in the file and Line is 0.
	Flag string
	Msg  string
}

// Error formats as FILE:LINE: KEY: MSG, or FILE: KEY (FLAG): MSG for a
// value given on the command line, leaving out the parts that are empty.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	switch {
	case e.Key != "" && e.Flag != "":
		b.WriteString(e.Key + " (" + e.Flag + "): ")
	case e.Key != "":
		b.WriteString(e.Key + ": ")
	case e.Flag != "":
		b.WriteString(e.Flag + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one scenario, sorted by line. Parse and
// Load return it (never empty) when the scenario is not valid.
type Errors []*FieldError

// Error lists the problems one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each *FieldError to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sortErrors orders problems by line, column and key, so a reader can walk
// the file top to bottom.
func sortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Key < b.Key
	})
}
