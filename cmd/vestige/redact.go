package main

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// keywordPassword finds password=... in a keyword/value connection string.
var keywordPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// urlUserinfo finds user:password@ in anything that looks like a URL.
var urlUserinfo = regexp.MustCompile(`(://[^:/@\s]*:)([^@\s]*)(@)`)

// scrub removes every password that the rawURLs carry from msg, however the URLs were
// written, and any user:password@ or password=... that still looks like one. Passwords
// never reach the terminal, a log or an error.
func scrub(msg string, rawURLs ...string) string {
	for _, u := range rawURLs {
		for _, pw := range passwords(u) {
			if pw != "" {
				msg = strings.ReplaceAll(msg, pw, "xxxxx")
			}
		}
	}
	msg = urlUserinfo.ReplaceAllString(msg, "${1}xxxxx${3}")
	msg = keywordPassword.ReplaceAllString(msg, "${1}xxxxx")
	return oneLine(msg)
}

func passwords(rawURL string) []string {
	if rawURL == "" {
		return nil
	}
	var out []string
	if cfg, err := pgconn.ParseConfig(rawURL); err == nil && cfg.Password != "" {
		out = append(out, cfg.Password)
	}
	if u, err := url.Parse(rawURL); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw, url.QueryEscape(pw), url.PathEscape(pw))
		}
	}
	if m := urlUserinfo.FindStringSubmatch(rawURL); m != nil {
		out = append(out, m[2])
	}
	if m := keywordPassword.FindStringSubmatch(rawURL); m != nil {
		out = append(out, strings.Trim(m[2], "'"))
	}
	return out
}
