package redact

import (
	"strings"
	"testing"
)

// TestURL covers single addresses, server lists with and without schemes,
// user-only and token user info, and addresses that do not parse (issue 11
// item 9).
func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"embedded", "embedded"},
		{"nats://127.0.0.1:4222", "nats://127.0.0.1:4222"},
		{"nats://h:1,nats://h:2", "nats://h:1,nats://h:2"},
		{"nats://bench:S3cret@127.0.0.1:4222", "nats://bench:***@127.0.0.1:4222"},
		{"nats://t0ken@127.0.0.1:4222", "nats://***@127.0.0.1:4222"},
		{"tls://bench:S3cret@h:4222/", "tls://bench:***@h:4222/"},
		{"http://bench:S3cret@h:4444", "http://bench:***@h:4444"},
		{"nats://127.0.0.1:1,nats://bench:S3cret@127.0.0.1:2", "nats://127.0.0.1:1,nats://bench:***@127.0.0.1:2"},
		{"nats://a:S3cret@h:1, nats://b:S3cret@h:2", "nats://a:***@h:1, nats://b:***@h:2"},
		{"nats://t0ken@h:1,nats://h:2", "nats://***@h:1,nats://h:2"},
		{"bench:S3cret@127.0.0.1:2", "bench:***@127.0.0.1:2"},
		{"127.0.0.1:1,nats://bench:S3cret@h:2", "127.0.0.1:1,nats://bench:***@h:2"},
		{"127.0.0.1:1,bench:S3cret@h:2", "127.0.0.1:***@h:2"},
		{"t0ken@h:1", "***@h:1"},
		{"nats://user:S3cret@127.0.0.1:bad port", "nats://user:***@127.0.0.1:bad port"},
		{"nats://S3cret@[::1", "nats://***@[::1"},
		{"nats://u:pa,S3cret@h:1", "nats://u:***@h:1"},
		{"nats://u:pa@S3cret@h:1", "nats://u:***@h:1"},
		{"nats://u:p@x,S3cret@h:1", "nats://u:***@h:1"},
		{"nats://u:pa S3cret@h:1", "nats://u:***@h:1"},
		{"nats://u:pa/S3cret@h:1", "nats://u:***@h:1"},
		{"nats://u:pa\"S3cret@h:1", "nats://u:***@h:1"},
		{"nats://u%3Ax:S3cret@h:1", "nats://u%3Ax:***@h:1"},
		{"nats://@h:1", "nats://@h:1"},
		{"  nats://u:S3cret@h:1", "  nats://u:***@h:1"},
		{"nats://[u:S3cret@h]:6666", "nats://[u:***@h]:6666"},
	}
	for _, tt := range tests {
		got := URL(tt.in)
		if got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, "S3cret") {
			t.Errorf("URL(%q) = %q shows the secret", tt.in, got)
		}
		if again := URL(got); again != got {
			t.Errorf("URL(URL(%q)) = %q, want it unchanged %q", tt.in, again, got)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no user info here", "no user info here"},
		{`"nats://user:S3cret@127.0.0.1:bad port" is not a URL`, `"nats://***@127.0.0.1:bad port" is not a URL`},
		{`got ["nats://u:S3cret@h:1"]`, `got ["nats://***@h:1"]`},
		{"connect nats://h:1,nats://b:S3cret@h:2: refused", "connect nats://h:1,nats://***@h:2: refused"},
		{"nats://u:pa,S3cret@h", "nats://***@h"},
		{"user b:S3cret@h:2 failed", "user ***@h:2 failed"},
		{"u:p@S3cret@h", "***@h"},
		{"a@b and c@d", "***@b and ***@d"},
		{"trailing @", "trailing @"},
		{"[u:S3cret@h]:6666", "[***@h]:6666"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want || strings.Contains(got, "S3cret") {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPasswords(t *testing.T) {
	got := Passwords("nats://h:1,nats://bench:S3cret@h:2,nats://t0ken@h:3,u:pa,ss@h:4")
	want := []string{"S3cret", "t0ken", "pa,ss"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Passwords = %q, want %q", got, want)
	}
}
