package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/store"
)

// argError is a bad argument, found before the store is asked.
type argError struct{ msg string }

func (e *argError) Error() string { return e.msg }

func argErrorf(format string, args ...any) error {
	return &argError{msg: fmt.Sprintf(format, args...)}
}

// notFoundError names what was not found, so that a model knows which id to fix.
type notFoundError struct{ what, hint string }

func (e *notFoundError) Error() string {
	if e.hint == "" {
		return e.what
	}
	return e.what + " (" + e.hint + ")"
}

func (e *notFoundError) Unwrap() error { return store.ErrNotFound }

// toolError rewrites err into the message a model reads: what was wrong and, where there
// is one, what to do about it. The message is scrubbed of secrets.
func (s *server) toolError(err error) error {
	var arg *argError
	var nf *notFoundError
	var bad *store.InvalidInputError
	msg := err.Error()
	switch {
	case errors.As(err, &arg), errors.As(err, &nf):
		msg = err.Error()
	case errors.As(err, &bad):
		// The tools call node_type "type" and edges "links".
		field := strings.NewReplacer("node_type", "type", "edge_type", "type").Replace(bad.Field)
		msg = (&store.InvalidInputError{Field: field, Reason: bad.Reason}).Error()
	case errors.Is(err, store.ErrReviewBeforeLast):
		msg = err.Error() + " (omit \"at\" to review now)"
	case errors.Is(err, store.ErrRetryable):
		msg = err.Error() + " (nothing was written; call the tool again)"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		msg = "the call was cancelled or timed out before the store answered: " + err.Error()
	}
	if s.opts.Scrub != nil {
		msg = s.opts.Scrub(msg)
	}
	return errors.New(strings.TrimSpace(msg))
}

// parseID reads a memory id argument.
func parseID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil || id == uuid.Nil {
		return uuid.Nil, argErrorf("%s %q is not a memory id: ids are UUIDs such as 0190a1b2-0000-7000-8000-00000000000a, as remember and search return them", field, s)
	}
	return id, nil
}

// missing turns the store's bare "not found" for a memory into one naming the id.
func missing(err error, field string, id uuid.UUID) error {
	if errors.Is(err, store.ErrNotFound) {
		what := "no memory with id " + id.String()
		if field != "id" {
			what = field + ": " + what
		}
		return &notFoundError{what: what, hint: "search finds the ids of stored memories"}
	}
	return err
}
