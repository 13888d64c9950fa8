package config

import (
	"net/url"
	"strings"
)

// redacted replaces a password wherever one is found.
const redacted = "xxxxx"

// RedactURL returns u with any password replaced by "xxxxx", for both libpq forms: the URL
// form (postgres://user:pass@host/db, and ?password=... in its query) and the keyword/value
// form (host=h password=pass). It never fails and never parses strictly: it is used on
// strings that were rejected as malformed, and those must not leak either, so when a
// string is ambiguous it removes too much rather than too little.
func RedactURL(u string) string {
	if u == "" {
		return u
	}
	if i := strings.Index(u, "://"); i >= 0 {
		return redactURLForm(u, i+len("://"))
	}
	return redactLoose(redactKeywordValue(u))
}

// redactURLForm handles scheme://[userinfo@]host[/path][?query][#fragment]; rest starts
// after "://".
func redactURLForm(u string, rest int) string {
	head, tail := u[:rest], u[rest:]

	// The authority ends at the first '/', '?' or '#'; its userinfo ends at its last '@'
	// (as net/url reads it). A password holding an unescaped '/', '?' or '#' moves that
	// '@' past the authority, so without an '@' there fall back to the last '@' anywhere.
	end := strings.IndexAny(tail, "/?#")
	if end < 0 {
		end = len(tail)
	}
	at := strings.LastIndex(tail[:end], "@")
	if at < 0 {
		at = strings.LastIndex(tail, "@")
	}
	if at >= 0 {
		userinfo := tail[:at]
		if colon := strings.Index(userinfo, ":"); colon >= 0 {
			tail = userinfo[:colon+1] + redacted + tail[at:]
		}
	}
	return head + redactQueryPassword(tail)
}

// redactQueryPassword blanks password= and sslpassword= parameters (libpq accepts any
// keyword in the URL query), matching the key decoded and case-insensitively, since a
// redactor must not be stricter than the reader it protects (pgx reads pass%77ord too).
func redactQueryPassword(s string) string {
	q := strings.IndexByte(s, '?')
	if q < 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:q+1])
	params := s[q+1:]
	fragment := ""
	if h := strings.IndexByte(params, '#'); h >= 0 {
		params, fragment = params[:h], params[h:]
	}
	inPassword := false
	for i, p := range strings.Split(params, "&") {
		k, _, hasValue := strings.Cut(p, "=")
		if inPassword && !hasValue {
			continue // an unescaped '&' inside the password: still the password
		}
		if i > 0 {
			b.WriteByte('&')
		}
		inPassword = hasValue && isPasswordKey(k)
		if inPassword {
			p = k + "=" + redacted
		}
		b.WriteString(p)
	}
	// A fragment is not sent to the server, but someone may still have put a secret in it
	// by mistake (an unescaped '#' inside the password); treat it like the query.
	if fragment != "" {
		b.WriteString(redactLoose(redactKeywordValue(fragment)))
	}
	return b.String()
}

func isPasswordKey(k string) bool {
	if d, err := url.QueryUnescape(k); err == nil {
		k = d
	}
	k = strings.TrimSpace(k)
	return strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword")
}

// redactKeywordValue blanks the value of every password keyword in the libpq
// keyword/value form, where a value is either a bare word or a single-quoted string with
// backslash escapes.
func redactKeywordValue(s string) string {
	var b strings.Builder
	i := 0
	for i < len(s) {
		j := indexFold(s[i:], "password")
		if j < 0 {
			break
		}
		start := i + j
		// Only a whole keyword counts (password or sslpassword), preceded by the start or a
		// separator.
		kw := start
		if kw >= 3 && strings.EqualFold(s[kw-3:kw], "ssl") {
			kw -= 3
		}
		if kw > 0 && !isSep(s[kw-1]) {
			b.WriteString(s[i : start+1])
			i = start + 1
			continue
		}
		k := start + len("password")
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		if k >= len(s) || s[k] != '=' {
			b.WriteString(s[i : start+1])
			i = start + 1
			continue
		}
		k++
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		b.WriteString(s[i:k])
		b.WriteString(redacted)
		k = skipValue(s, k)
		i = k
	}
	b.WriteString(s[i:])
	return b.String()
}

// skipValue returns the index just past the value starting at k. An unterminated quote
// runs to the end, so its remainder is redacted too.
func skipValue(s string, k int) int {
	if k < len(s) && s[k] == '\'' {
		k++
		for k < len(s) {
			switch s[k] {
			case '\\':
				k += 2
				continue
			case '\'':
				return k + 1
			}
			k++
		}
		return len(s)
	}
	// Unquoted, a backslash escapes the next byte (libpq reads "pass\ word" as one value).
	for k < len(s) && !isSpace(s[k]) {
		if s[k] == '\\' {
			k++
		}
		k++
	}
	return min(k, len(s))
}

// redactLoose catches user:pass@host written without "://" (a typo such as "postgres:/"),
// which neither libpq form recognises but which would still print a password: everything
// between the first ':' and the last '@' goes.
func redactLoose(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	colon := strings.Index(s[:at], ":")
	if colon < 0 {
		return s
	}
	return s[:colon+1] + redacted + s[at:]
}

// indexFold is strings.Index ignoring ASCII case; lowering the whole string first would
// shift byte offsets when it holds non-ASCII text.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isSep(c byte) bool { return isSpace(c) || c == '&' || c == '?' || c == ';' }

// redactText scrubs free text (a parser's message) that may quote part of the file. The
// parser quotes only short tokens, so a token-by-token pass is a second line of defence,
// not the first: URLs are checked before they reach any message.
func redactText(s string) string {
	s = redactKeywordValue(s)
	fields := strings.Fields(s)
	changed := false
	for i, f := range fields {
		if strings.Contains(f, "://") || strings.Contains(f, "@") {
			if r := RedactURL(f); r != f {
				fields[i], changed = r, true
			}
		}
	}
	if !changed {
		return s
	}
	return strings.Join(fields, " ")
}
