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
	"log/slog"
	"net/http"
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

// Options configures New. The hash provider reads only Model and Dimensions; the HTTP
// providers read everything. Zero values take the defaults named.
type Options struct {
	// Provider is "hash" ("" means hash), "ollama" or "openai".
	Provider string
	// Model is the provider's model name ("hash-384", "nomic-embed-text",
	// "text-embedding-3-small").
	Model string
	// BaseURL of an Ollama server (http://localhost:11434) or of an OpenAI-compatible API
	// (https://api.openai.com/v1; a URL with no path gets /v1). It may hold credentials:
	// errors and logs show it only without userinfo, query and fragment.
	BaseURL string
	// APIKey is sent as a bearer token when set. Never logged or put in an error.
	APIKey string
	// Dimensions asks the model for vectors of this length (models that can shorten
	// theirs); 0 takes the model's own. A server that answers another length is refused.
	Dimensions int
	// QueryPrefix goes before a search's text, DocumentPrefix before a memory's.
	QueryPrefix, DocumentPrefix string
	// BatchSize texts go in one request (DefaultBatchSize); Concurrency requests run at once
	// (DefaultConcurrency).
	BatchSize, Concurrency int
	// Timeout bounds one request (DefaultTimeout).
	Timeout time.Duration
	// Retries is how often a 429 or 5xx answer is retried (0: DefaultRetries; negative:
	// never). RetryBase is the first backoff, doubled each time (DefaultRetryBase), unless
	// the server says how long to wait (Retry-After, retry-after-ms); a wait beyond
	// MaxRetryWait (DefaultMaxRetryWait) is not waited for.
	Retries                 int
	RetryBase, MaxRetryWait time.Duration
	// HTTPClient sends the requests (nil: a new one; its own Timeout should stay 0).
	HTTPClient *http.Client
	// Logger hears about retries (nil: discarded).
	Logger *slog.Logger
}

// Providers New accepts.
const (
	ProviderHash   = "hash"
	ProviderOllama = "ollama"
	ProviderOpenAI = "openai"
)

// New builds the embedder opts describe. An HTTP embedder talks to its server here: it
// learns the dimension by embedding a probe text (and, for Ollama, the model's digest), so
// a server that is down or lacks the model fails now, with an *Error naming both.
func New(ctx context.Context, opts Options) (Embedder, error) {
	switch strings.ToLower(strings.TrimSpace(opts.Provider)) {
	case "", ProviderHash:
		name := opts.Model
		if strings.TrimSpace(name) == "" {
			name = DefaultModel
		}
		e, err := FromName(ctx, name, opts)
		if err != nil {
			return nil, err
		}
		if opts.Dimensions != 0 && opts.Dimensions != e.Dimension() {
			return nil, fmt.Errorf("%w: %s has %d dimensions, not %d (name the dimension in the model: \"hash-%d\")",
				ErrUnknownModel, e.ModelName(), e.Dimension(), opts.Dimensions, opts.Dimensions)
		}
		return e, nil
	case ProviderOllama:
		return NewOllama(ctx, opts)
	case ProviderOpenAI:
		return NewOpenAI(ctx, opts)
	}
	return nil, fmt.Errorf("%w: %q (known: %q, %q, %q)", ErrUnknownProvider, opts.Provider,
		ProviderHash, ProviderOllama, ProviderOpenAI)
}

// QueryEmbedder is implemented by embedders of asymmetric models, which embed a search's
// text differently from a memory's (with the query prefix); Embed and EmbedBatch embed
// memories. The hash embedder has no such difference.
type QueryEmbedder interface {
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}

// EmbedQuery embeds a search's text: with e's query form when it has one, else with Embed.
func EmbedQuery(ctx context.Context, e Embedder, text string) ([]float32, error) {
	if q, ok := e.(QueryEmbedder); ok {
		return q.EmbedQuery(ctx, text)
	}
	return e.Embed(ctx, text)
}

// FromName builds a hash embedder by its registry name (the HTTP providers are
// built by New, which knows their options).
//
// Known names: "hash" (same as "hash-384") and "hash-<dim>" with dim in
// 8..8192. Names are matched case-insensitively after trimming spaces.
func FromName(ctx context.Context, name string, opts Options) (Embedder, error) {
	_, _ = ctx, opts // the hash embedder needs neither
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
	if s == "" || (s[0] == '0') {
		return 0, fmt.Errorf("dimension %q is not a positive decimal number", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("dimension %q is not a positive decimal number", s)
		}
	}
	// Digits only, so a parse can fail only by overflow: too large either way.
	dim, err := strconv.Atoi(s)
	if err != nil || dim < MinHashDimension || dim > MaxHashDimension {
		return 0, fmt.Errorf("dimension %s out of range %d..%d", s, MinHashDimension, MaxHashDimension)
	}
	return dim, nil
}
