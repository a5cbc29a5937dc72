package scenarios

import (
	"fmt"
	"strings"
)

// expand replaces ${VAR} in s with the value env gives for VAR.
//
//   - ${VAR} of an unset variable is an error;
//   - ${VAR:-default} gives default when VAR is unset or empty;
//   - $${ is a literal ${, and a $ not followed by { is kept as it is.
//
// It reports whether anything was replaced, so a caller can re-type the value.
func expand(s string, env func(string) (string, bool)) (string, bool, error) {
	if !strings.Contains(s, "$") {
		return s, false, nil
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
			changed = true
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", false, fmt.Errorf("unterminated %s: want ${NAME}", shown(s[i:], nil))
			}
			expr := s[i+2 : i+end]
			name, def, hasDef := strings.Cut(expr, ":-")
			if !validVarName(name) {
				return "", false, fmt.Errorf("bad variable reference %s: want ${NAME} or ${NAME:-default}", shown("${"+expr+"}", nil))
			}
			v, ok := "", false
			if env != nil {
				v, ok = env(name)
			}
			switch {
			case hasDef && v == "":
				v = def
			case !ok:
				return "", false, unsetError{name}
			}
			b.WriteString(v)
			i += end + 1
			changed = true
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), changed, nil
}

// validVarName reports whether s is a shell-style variable name.
func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// unsetError is a reference to a variable that is not set. Its message
// shows only the variable's name, so it may be shown for any field.
type unsetError struct{ name string }

func (e unsetError) Error() string {
	return fmt.Sprintf("environment variable %s is not set (use ${%s:-default} for a fallback)", e.name, e.name)
}
