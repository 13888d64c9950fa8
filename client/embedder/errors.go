package embedder

import (
	"errors"
	"fmt"
)

// What went wrong with a remote embedder, for errors.Is. Every error of an HTTP embedder is
// an *Error that wraps one of these (or ErrEmptyText, or the caller's context error).
var (
	// ErrModelNotFound: the server does not have the model (Ollama: not pulled).
	ErrModelNotFound = errors.New("model not found on the server")
	// ErrUnavailable: no connection to the server (down, wrong host or port).
	ErrUnavailable = errors.New("server unreachable")
	// ErrTimeout: a request got no complete answer within the configured timeout.
	ErrTimeout = errors.New("no answer in time")
	// ErrMalformed: the answer is not what the wire format documents (not JSON, missing
	// or extra vectors, non-finite or zero vectors).
	ErrMalformed = errors.New("malformed answer")
	// ErrWrongDimension: vectors of another length than asked for or than the server gave
	// when the embedder was built (the model changed under a running process).
	ErrWrongDimension = errors.New("wrong dimension")
	// ErrUnauthorized: the server refused the API key (401, 403).
	ErrUnauthorized = errors.New("API key refused")
	// ErrRateLimited: still 429 after every retry.
	ErrRateLimited = errors.New("rate limited")
	// ErrServer: still 5xx after every retry.
	ErrServer = errors.New("server error")
	// ErrRejected: any other refusal of the request (4xx).
	ErrRejected = errors.New("request refused")
	// ErrUnknownProvider: the configuration names a provider this build does not have.
	ErrUnknownProvider = errors.New("embedder: unknown provider")
)

// Error is the one-line error of a remote embedder: which server (its base URL without
// credentials or query), which model, and what went wrong (Err, matched with errors.Is).
type Error struct {
	Provider string
	Server   string
	Model    string
	Err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("embedder %s at %s, model %s: %v", e.Provider, e.Server, e.Model, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
