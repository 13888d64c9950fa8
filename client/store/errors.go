package store

import (
	"errors"
	"fmt"
	"regexp"
)

// Sentinel errors. Each SQLSTATE of the SQL API (docs/sql-api.md) maps to one of them, and the
// SQLite backend returns the same ones for the same cases.
var (
	// ErrNotFound: no memory, domain, edge or scheduling row with that key (VS005).
	ErrNotFound = errors.New("not found")
	// ErrEmptyQuery: a search with neither text nor embedding (VS001).
	ErrEmptyQuery = errors.New("empty query: give query text, an embedding, or both")
	// ErrDimension: an embedding whose length is not the registered model's (VS002).
	// Returned as *DimensionError.
	ErrDimension = errors.New("embedding dimension mismatch")
	// ErrEmbeddingMismatch: a model other than the registered one (VS003). Returned as
	// *EmbeddingMismatchError.
	ErrEmbeddingMismatch = errors.New("embedding model mismatch")
	// ErrNoModel: an embedding written before any model is registered (VS004).
	ErrNoModel = errors.New("no embedding model registered")
	// ErrInvalidInput: a value the store refuses (VS006, check violations, NUL bytes or
	// invalid UTF-8 in stored text). Returned as *InvalidInputError when a field is known.
	ErrInvalidInput = errors.New("invalid input")
	// ErrReviewBeforeLast: a review dated before the memory's last review (VS007).
	ErrReviewBeforeLast = errors.New("review is dated before the last review")
	// ErrConflict: an insert whose id already exists.
	ErrConflict = errors.New("already exists")
	// ErrRetryable: the server gave up on a statement or transaction because of a concurrent
	// one (serialization failure 40001, deadlock 40P01) and rolled it back whole, so running
	// it again is safe. The stores retry what they can; a caller that still sees it may retry
	// too. Returned as *RetryableError.
	ErrRetryable = errors.New("transient conflict with a concurrent transaction; retry")
	// ErrSchemaBehind: the database schema is older than this binary and migration is off.
	ErrSchemaBehind = errors.New("database schema is behind this vestige version; run `vestige schema up`")
)

// DimensionError says which dimensions disagreed.
type DimensionError struct {
	Got, Want int
}

func (e *DimensionError) Error() string {
	return fmt.Sprintf("embedding has %d dimensions but the registered model has %d", e.Got, e.Want)
}

func (e *DimensionError) Unwrap() error { return ErrDimension }

// EmbeddingMismatchError names the registered model and the one that was asked for.
type EmbeddingMismatchError struct {
	Registered, Requested ModelSignature
}

func (e *EmbeddingMismatchError) Error() string {
	return fmt.Sprintf("embedding model mismatch: the store holds vectors of %s (%d dimensions, hash %s) but %s (%d dimensions, hash %s) was requested; run `vestige migrate reembed` to switch models",
		e.Registered.Name, e.Registered.Dimension, e.Registered.Hash,
		e.Requested.Name, e.Requested.Dimension, e.Requested.Hash)
}

func (e *EmbeddingMismatchError) Unwrap() error { return ErrEmbeddingMismatch }

// InvalidInputError names the field that was refused and why.
type InvalidInputError struct {
	Field, Reason string
}

func (e *InvalidInputError) Error() string {
	if e.Field == "" {
		return "invalid input: " + e.Reason
	}
	return "invalid " + e.Field + ": " + e.Reason
}

func (e *InvalidInputError) Unwrap() error { return ErrInvalidInput }

// RetryableError is a conflict with a concurrent transaction that rolled the work back: Code is
// the SQLSTATE (40001 or 40P01) and Reason the server's message.
type RetryableError struct {
	Code, Reason string
}

func (e *RetryableError) Error() string {
	return "retryable conflict: " + e.Reason
}

func (e *RetryableError) Unwrap() error { return ErrRetryable }

// ruleMessage is the wording of a refusal by the schema's value rules, on both backends:
// "invalid <field>: <reason>" (after "VS006: " on SQLite, whose errors may end in a code).
var ruleMessage = regexp.MustCompile(`^(?:VS006: )?invalid ([^:]+): (.*?)(?: \(\d+\))?$`)

// ParseRuleMessage reads a value-rule refusal raised by a backend's schema back into the
// *InvalidInputError the Go side would have returned; ok is false for other messages.
func ParseRuleMessage(msg string) (err *InvalidInputError, ok bool) {
	m := ruleMessage.FindStringSubmatch(msg)
	if m == nil {
		return nil, false
	}
	return &InvalidInputError{Field: m[1], Reason: m[2]}, true
}
