package pgstore

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// secrets are the passwords a connection string carries. Errors from pgx may quote a
// connection string (a parse error keeps it whole), so every error that leaves Open passes
// through scrub, and one whose text held a password is not wrapped at all: its chain would
// still print the password.
type secrets struct{ words []string }

var keywordPassword = regexp.MustCompile(`(?i)(?:ssl)?password\s*=\s*('(?:[^'\\]|\\.)*'?|\S+)`)

func newSecrets(connString string) *secrets {
	s := &secrets{}
	if connString == "" {
		return s
	}
	if u, err := url.Parse(connString); err == nil {
		if pw, ok := u.User.Password(); ok {
			s.add(pw)
		}
		for k, vs := range u.Query() {
			if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
				for _, v := range vs {
					s.add(v)
				}
			}
		}
	}
	// The raw forms too: escaped in a URL, quoted in keyword/value, or anywhere in a
	// string too malformed to parse.
	if i := strings.Index(connString, "://"); i >= 0 {
		rest := connString[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if colon := strings.Index(rest[:at], ":"); colon >= 0 {
				pw := rest[colon+1 : at]
				s.add(pw)
				if d, err := url.PathUnescape(pw); err == nil {
					s.add(d)
				}
			}
		}
	}
	for _, m := range keywordPassword.FindAllStringSubmatch(connString, -1) {
		v := m[1]
		s.add(v)
		if amp := strings.IndexByte(v, '&'); amp >= 0 {
			s.add(v[:amp])
		}
		if strings.HasPrefix(v, "'") {
			s.add(strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'"))
		}
	}
	return s
}

func (s *secrets) add(pw string) {
	if pw != "" {
		s.words = append(s.words, pw)
	}
}

// scrub replaces every password in text, longest first so that one password that
// contains another is removed whole.
func (s *secrets) scrub(text string) string {
	words := append([]string(nil), s.words...)
	for i := 1; i < len(words); i++ {
		for j := i; j > 0 && len(words[j]) > len(words[j-1]); j-- {
			words[j], words[j-1] = words[j-1], words[j]
		}
	}
	for _, w := range words {
		text = strings.ReplaceAll(text, w, "xxxxx")
	}
	return text
}

// wrap prefixes err with context, keeping the chain only when err's text holds no password.
func (s *secrets) wrap(prefix string, err error) error {
	text := err.Error()
	if clean := s.scrub(text); clean != text {
		return errors.New(s.scrub(prefix) + ": " + clean)
	}
	return &wrapped{msg: s.scrub(prefix) + ": " + text, err: err}
}

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }
