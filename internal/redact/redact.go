// Package redact hides credentials in server addresses and in text, so
// that results, logs and error messages can show where a target is without
// showing how it authenticates.
//
// It fails closed: when it cannot tell where user info ends, it hides more
// than may be needed rather than less.
package redact

import "strings"

// Hidden replaces whatever is hidden.
const Hidden = "***"

// URL hides the user info of a server address or a comma-separated list of
// them, with or without a scheme: nats://user:pw@h:4222 gives
// nats://user:***@h:4222, and a token or a lone user (nats://tok@h) gives
// nats://***@h. The address need not parse: everything from the start of
// the authority (after "://", or the start of the entry) to the last '@'
// counts as user info. An entry without a scheme of its own that holds an
// '@' joins the entry before it, because a ',' may belong to a password
// ("nats://u:pa,ss@h"); a list such as "h1:1,u:p@h2:2" therefore shows as
// "h1:***@h2:2".
func URL(v string) string {
	if !strings.Contains(v, "@") {
		return v
	}
	parts := strings.Split(v, ",")
	out := make([]string, 0, len(parts))
	for i := 0; i < len(parts); {
		j := i
		for j+1 < len(parts) && bareUserInfo(parts[j+1]) {
			j++
		}
		out = append(out, entry(strings.Join(parts[i:j+1], ",")))
		i = j + 1
	}
	return strings.Join(out, ",")
}

// Passwords lists what URL hides in v: the password of each entry, or its
// whole user info when it has no user name to keep. A caller can then keep
// these strings out of text that URL does not see.
func Passwords(v string) []string {
	var out []string
	parts := strings.Split(v, ",")
	for i := 0; i < len(parts); {
		j := i
		for j+1 < len(parts) && bareUserInfo(parts[j+1]) {
			j++
		}
		if info := userInfo(strings.Join(parts[i:j+1], ",")); info != "" {
			if k := keptUser(info); k > 0 {
				info = info[k:]
			}
			out = append(out, info)
		}
		i = j + 1
	}
	return out
}

// bareUserInfo reports whether an entry holds an '@' with no "://" before
// it: user info that may have begun in the entry before.
func bareUserInfo(p string) bool {
	at := strings.LastIndexByte(p, '@')
	return at >= 0 && !strings.Contains(p[:at], "://")
}

// entry hides the user info of one address (or of entries joined by
// URL): from the authority's start to the last '@'.
func entry(e string) string {
	start, at := userInfoSpan(e)
	if start == at {
		return e
	}
	return e[:start] + e[start:start+keptUser(e[start:at])] + Hidden + e[at:]
}

// userInfoSpan is where an entry's user info lies: from the authority's
// start to the last '@'; empty (start == at) when there is none.
func userInfoSpan(e string) (start, at int) {
	at = strings.LastIndexByte(e, '@')
	if at < 0 {
		return 0, 0
	}
	start = len(e) - len(strings.TrimLeft(e, " \t"))
	if k := strings.Index(e, "://"); k >= 0 && k < at {
		start = k + len("://")
	}
	return start, at
}

func userInfo(e string) string {
	start, at := userInfoSpan(e)
	return e[start:at]
}

// keptUser is how much of info URL keeps: a user name that plainly is one
// (the text before the first ':', holding no separator) and its ':'; 0
// when there is none.
func keptUser(info string) int {
	if i := strings.IndexByte(info, ':'); i > 0 && !strings.ContainsAny(info[:i], ",@/ \t") {
		return i + 1
	}
	return 0
}

// Text hides, in free text such as an error message, everything that looks
// like user info: for each '@', the text before it back to a space, quote or
// bracket, or back to the last "://" within that stretch. It does not know
// where a password with spaces or quotes began; show addresses through URL
// before quoting them, and use Text as the last guard.
func Text(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	last, extending := 0, false
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		start := i
		for start > last && !boundary(s[start-1]) {
			start--
		}
		if k := strings.LastIndex(s[start:i], "://"); k >= 0 {
			start += k + len("://")
			extending = false
		}
		if start == i {
			continue
		}
		b.WriteString(s[last:start])
		if !(extending && start == last) {
			b.WriteString(Hidden)
		}
		last, extending = i, true
	}
	b.WriteString(s[last:])
	return b.String()
}

// boundary reports whether c ends a stretch of text that user info may
// belong to.
func boundary(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', '(', ')', '[', ']', '{', '}', '<', '>':
		return true
	}
	return false
}
