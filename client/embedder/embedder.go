// Package embedder turns text into the vectors vestige stores and searches.
//
// Every store records the signature (name, dimension, hash) of the embedder
// that wrote its vectors, so an Embedder must describe itself precisely enough
// that two embedders producing incompatible vectors never share a signature.
package embedder

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultModel is used when the configuration names no model: it needs no
// network and no weights, so a fresh install works offline.
const DefaultModel = "hash-384"

// Dimension bounds for the hash embedder. Below 8 buckets collisions swamp
// any signal; above 8192 the vectors cost more to store and scan than any
// real embedding model we would stand beside.
const (
	MinHashDimension = 8
	MaxHashDimension = 8192
)

var (
	// ErrUnknownModel lets callers tell a configuration mistake (a model name
	// nobody can build) from a transient failure of a remote embedder.
	ErrUnknownModel = errors.New("embedder: unknown model")

	// ErrEmptyText is returned instead of a zero vector, because a zero vector
	// has no direction: its cosine with anything is undefined, and storing it
	// would silently make a memory unfindable by vector search.
	ErrEmptyText = errors.New("embedder: text has no words to embed")
)

// Embedder is what the client needs from any embedding model. ModelName,
// Dimension and ModelHash together form the signature a store registers, so
// vectors from different models (or versions of one) are never compared.
type Embedder interface {
	Embed(ctx context.Context, text string) ([]float32, error)
	// EmbedBatch exists because remote models amortise a request over many
	// texts; result i belongs to texts[i].
	EmbedBatch(ctx context.Context, texts []string) ([][]float32, error)
	ModelName() string
	Dimension() int
	ModelHash() string
}

// Options carries what remote embedders need. The built-in hash embedder
// ignores it; the fields exist so the configuration shape is stable before
// the HTTP embedders land.
type Options struct {
	// BaseURL of an Ollama or OpenAI-compatible server.
	BaseURL string
	// APIKey for servers that require one. Never logged or put in an error.
	APIKey string
	// Timeout bounds one request; zero means the embedder's own default.
	Timeout time.Duration
}

// FromName builds the embedder a configuration names. It is the one place
// that knows every model family, so the client and the CLI never grow their
// own switch over model names.
//
// Known names: "hash" (same as "hash-384") and "hash-<dim>" with dim in
// 8..8192. Names are matched case-insensitively after trimming spaces.
func FromName(ctx context.Context, name string, opts Options) (Embedder, error) {
	_ = ctx  // remote embedders will probe their dimension here
	_ = opts // likewise their endpoint and credentials
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "hash" {
		n = DefaultModel
	}
	if digits, ok := strings.CutPrefix(n, "hash-"); ok {
		dim, err := parseDim(digits)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v (known: %s)", ErrUnknownModel, name, err, knownModels)
		}
		h, err := NewHash(dim)
		if err != nil {
			return nil, err
		}
		return h, nil
	}
	return nil, fmt.Errorf("%w: %q (known: %s)", ErrUnknownModel, name, knownModels)
}

const knownModels = `"hash" (= "hash-384"), "hash-<dim>" with dim 8..8192`

// parseDim accepts only canonical decimal numbers, so that exactly one
// spelling maps to each model name ("hash-0384" or "hash-+384" are typos,
// not aliases).
func parseDim(s string) (int, error) {
	if s == "" || len(s) > 5 || (s[0] == '0') {
		return 0, fmt.Errorf("dimension %q is not a positive decimal number", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("dimension %q is not a positive decimal number", s)
		}
	}
	dim, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("dimension %q: %v", s, err)
	}
	if dim < MinHashDimension || dim > MaxHashDimension {
		return 0, fmt.Errorf("dimension %d out of range %d..%d", dim, MinHashDimension, MaxHashDimension)
	}
	return dim, nil
}
