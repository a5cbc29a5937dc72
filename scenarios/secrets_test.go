package scenarios

import (
	"strings"
	"testing"
)

// canary is the secret every case below hides somewhere; no error may
// show it, nor any part of it.
const canary = "SECRET-789"

// TestErrorsNeverShowSecrets: for every secret field and every place a
// URL's user info can hide, a malformed value fails validation without the
// error showing the secret.
func TestErrorsNeverShowSecrets(t *testing.T) {
	const nats = "targets:\n  - {name: t, kind: jetstream, url: 'nats://h:1', username: u, "
	const memphis = "targets:\n  - {name: t, kind: memphis, host: h, "
	const http = "targets:\n  - {name: t, kind: memphis-http, host: h, "
	secretForms := []struct{ name, value, extra string }{
		{"list", `["pw-SECRET-789"]`, ""},
		{"nested list", `[["pw-SECRET-789"]]`, ""},
		{"map", `{a: "pw-SECRET-789"}`, ""},
		{"map key", `{"pw-SECRET-789": 1}`, ""},
		{"unterminated var", `"pw-${SECRET-789"`, ""},
		{"bad var name", `"${SECRET-789}"`, ""},
		{"bad var default", `"${X-SECRET-789:-a}"`, ""},
		{"long list item", `["pw-SECRET-789-and-a-much-longer-tail-than-forty-characters"]`, ""},
		{"list with url", `["nats://u:pw-SECRET-789@h:1"]`, ""},
		{"too long", `"SECRET-789` + strings.Repeat("x", 5000) + `"`, ""},
		{"anchor reused", `&s "pw-SECRET-789"`, "station: {storage: *s}"},
		{"anchor in subject", `&s "pw SECRET-789"`, "station: {subject: *s}"},
	}
	type tc struct{ name, doc string }
	var cases []tc
	for _, form := range secretForms {
		for _, f := range []struct{ name, prefix, field string }{
			{"nats password", nats, "password"},
			{"nats token", "targets:\n  - {name: t, kind: nats, url: 'nats://h:1', ", "connectionToken"},
			{"memphis password", memphis, "password"},
			{"memphis token", memphis, "connectionToken"},
			{"memphis-http password", http, "password"},
		} {
			doc := f.prefix + f.field + ": " + form.value + "}\n" + form.extra
			cases = append(cases, tc{f.name + ", " + form.name, doc})
		}
	}
	urlForms := []tc{
		{"unparseable", `url: "nats://user:pw-SECRET-789@127.0.0.1:bad port"`},
		{"unparseable in list", `url: "nats://127.0.0.1:1,nats://bench:pw-SECRET-789@127.0.0.1:bad"`},
		{"list without scheme", `url: "127.0.0.1:1,bench:pw-SECRET-789@127.0.0.1:x"`},
		{"no scheme", `url: "bench:pw-SECRET-789@127.0.0.1:2"`},
		{"token, unparseable", `url: "nats://pw-SECRET-789@[::1"`},
		{"wrong scheme", `url: "ftp://u:pw-SECRET-789@h:4444"`},
		{"no host", `url: "nats://u:pw-SECRET-789@"`},
		{"comma in password", `url: "nats://u:pw,SECRET-789@h:x"`},
		{"at in password", `url: "nats://u:pw@SECRET-789@h:x"`},
		{"space in password", `url: "nats://u:pw SECRET-789@h:x"`},
		{"quote in password", `url: "nats://u:pw\"SECRET-789@h:x"`},
		{"slash in password", `url: "nats://u:pw/SECRET-789@h:x"`},
		{"as a list", `url: ["nats://u:pw-SECRET-789@h:1"]`},
		{"as a long list", `url: ["nats://u:pw-SECRET-789-and-a-much-longer-tail@h:1"]`},
		{"as a map", `url: {"nats://u:pw-SECRET-789@h:1": 1}`},
		{"unterminated var", `url: "nats://u:pw-SECRET-789@h:1/${"`},
		{"expanded secret", `url: "nats://u:${PW}@h:bad port"`},
		{"expanded list", `url: "nats://h:1,nats://u:${PW}@h:bad port"`},
	}
	for _, kind := range []string{"jetstream", "nats", "memphis", "memphis-http"} {
		for _, f := range urlForms {
			cases = append(cases, tc{kind + " url " + f.name, "targets:\n  - {name: t, kind: " + kind + ", password: p, " + f.doc + "}"})
		}
	}
	cases = append(cases,
		tc{"url in place of a target", `targets: ["nats://u:pw-SECRET-789@h:1"]`},
		tc{"long url in place of a target", `targets: ["nats://u:pw-SECRET-789-and-a-much-longer-tail@h:1"]`},
		tc{"url in place of targets", `targets: "nats://u:pw-SECRET-789-and-a-much-longer-tail@h:1"`},
		tc{"user info in memphis host", "targets:\n  - {kind: memphis, password: p, host: 'u:pw-SECRET-789@h'}"},
		tc{"password in username", "targets:\n  - {kind: memphis, password: p, username: 'u:pw-SECRET-789'}"},
		tc{"url as the name", `name: "nats://u:pw-SECRET-789@h:1"`},
		tc{"url as a label key", `labels: {"nats://u:pw-SECRET-789@h:1": x}`},
		tc{"url as a subject", `station: {subject: "nats://u:pw SECRET-789@h:1"}`},
	)
	env := mapEnv(map[string]string{"PW": "pw-SECRET-789"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := "name: t\n" + c.doc + "\n"
			_, err := Parse("t.yaml", []byte(doc), env)
			if err == nil {
				t.Fatalf("no error for\n%.300s", doc)
			}
			if msg := err.Error(); strings.Contains(msg, canary) || strings.Contains(msg, "SECRET") {
				t.Errorf("the error shows the secret:\n%.1000s\nfor\n%.300s", msg, doc)
			}
		})
	}
}

// TestValidateNeverShowsSecrets: a scenario built in code gets the same
// protection, and Redacted hides user info in every entry of a server
// list.
func TestValidateNeverShowsSecrets(t *testing.T) {
	s, err := Parse("t.yaml", []byte("name: t\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Targets[0].URL = "nats://127.0.0.1:1,nats://bench:pw-SECRET-789@127.0.0.1:bad port"
	s.Targets[0].Password = "pw-SECRET-789"
	s.Station.Storage = "pw-SECRET-789"
	err = s.validate()
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("validate = %v, want errors without the secret", err)
	}
	s.Targets[0].URL = "nats://127.0.0.1:1,nats://bench:pw-SECRET-789@127.0.0.1:2,nats://t0ken-SECRET@h:3"
	if got, want := s.Redacted().Targets[0].URL, "nats://127.0.0.1:1,nats://bench:***@127.0.0.1:2,nats://***@h:3"; got != want {
		t.Errorf("Redacted URL = %q, want %q", got, want)
	}
}
