package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/store"
)

// parseID reads a memory id. A malformed one is a usage error, told apart from an id that
// is well formed but unknown (not found, exit status 1).
func parseID(what, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return uuid.Nil, usagef("%s %q is not a memory id (a UUID such as 0190a1b2-0000-7000-8000-00000000000a)", what, s)
	}
	return id, nil
}

// parseTime reads an RFC 3339 time; without a zone it is UTC (down to a bare date), so that
// the same command means the same instant on every machine.
func parseTime(flag, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	inRange := func(t time.Time) (time.Time, error) {
		// Go's zero time would read as "not given": refuse it, as every time out of range.
		if err := store.CheckTime(flag, t); err != nil {
			var bad *store.InvalidInputError
			errors.As(err, &bad)
			return time.Time{}, usagef("%s %s", flag, bad.Reason)
		}
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return inRange(t)
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return inRange(t)
		}
	}
	return time.Time{}, usagef("%s %q is not an RFC 3339 time (such as 2024-05-01T10:00:00Z; no zone means UTC)", flag, s)
}

// parseMetadata reads a JSON object given on the command line, under the value rules
// (numbers kept exactly, no lone surrogate escapes), and says what is wrong with it.
func parseMetadata(flag, s string) (map[string]any, error) {
	m, err := store.ParseJSONObject(flag, []byte(s))
	if err != nil {
		var bad *store.InvalidInputError
		if errors.As(err, &bad) {
			return nil, usagef(`%s %s (give a JSON object such as '{"source":"chat"}')`, flag, bad.Reason)
		}
		return nil, usagef("%s: %v", flag, err)
	}
	return m, nil
}

// text joins the words of a positional argument; a lone "-" reads standard input instead,
// for text that does not fit a shell argument.
func text(words []string, stdin io.Reader) (string, error) {
	if len(words) == 1 && words[0] == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return "", fmt.Errorf("read standard input: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return strings.Join(words, " "), nil
}

// nonEmpty drops empty values, so that `--tag ""` clears a list.
func nonEmpty(vs []string) []string {
	out := []string{}
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
