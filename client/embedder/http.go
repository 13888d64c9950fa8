package embedder

import (
	"context"
	"fmt"
)

// probeText is embedded once at construction to learn the dimension.
const probeText = "vestige dimension probe"

// HTTP is an embedder served over HTTP (Ollama or an OpenAI-compatible API). It embeds
// memories with the document prefix and searches with the query prefix (QueryEmbedder),
// in batches, and refuses any vector whose length differs from the one it learned when
// it was built. Safe for concurrent use.
type HTTP struct {
	r    *remote
	dim  int
	name string
	hash string
}

var (
	_ Embedder      = (*HTTP)(nil)
	_ QueryEmbedder = (*HTTP)(nil)
)

// build probes the dimension and fills the signature; digest (nil: none) learns what else
// identifies the model on this server.
func build(ctx context.Context, r *remote, digest func(context.Context) (string, error)) (*HTTP, error) {
	probe, err := r.vectors(ctx, "", []string{probeText}, 0)
	if err != nil {
		return nil, err
	}
	dim := len(probe[0])
	if want := r.opts.Dimensions; want != 0 && dim != want {
		return nil, r.fail(fmt.Errorf("%w: asked for %d dimensions, the server answered %d (does the model support shortened vectors?)",
			ErrWrongDimension, want, dim))
	}
	if dim > 16000 {
		return nil, r.fail(fmt.Errorf("%w: %d dimensions, more than the 16000 a store holds", ErrWrongDimension, dim))
	}
	r.id.Dimension = dim
	if digest != nil {
		d, err := digest(ctx)
		if err != nil {
			return nil, r.fail(err)
		}
		r.id.Digest = d
	}
	return &HTTP{r: r, dim: dim, name: r.id.name(), hash: r.id.hash()}, nil
}

// Embed embeds a memory's text (with the document prefix). Text that is empty or only
// spaces gives ErrEmptyText without a request.
func (h *HTTP) Embed(ctx context.Context, text string) ([]float32, error) {
	v, err := h.r.vectors(ctx, h.r.opts.DocumentPrefix, []string{text}, h.dim)
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// EmbedBatch embeds memories' texts (with the document prefix); result i belongs to
// texts[i]. It fails as a whole, naming the first text at fault.
func (h *HTTP) EmbedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return [][]float32{}, nil
	}
	return h.r.vectors(ctx, h.r.opts.DocumentPrefix, texts, h.dim)
}

// EmbedQuery embeds a search's text (with the query prefix).
func (h *HTTP) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	v, err := h.r.vectors(ctx, h.r.opts.QueryPrefix, []string{text}, h.dim)
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// ModelName is "provider/model", e.g. "ollama/nomic-embed-text:latest".
func (h *HTTP) ModelName() string { return h.name }

// Dimension is what the server answered when the embedder was built.
func (h *HTTP) Dimension() int { return h.dim }

// ModelHash is 16 hex digits over provider, model, dimension, requested dimensions,
// prefixes and (Ollama) the model's digest: everything that changes the vectors, and
// nothing that does not (the base URL, batch size, timeout, key).
func (h *HTTP) ModelHash() string { return h.hash }

// Provider is "ollama" or "openai".
func (h *HTTP) Provider() string { return h.r.provider }

// Server is the base URL without credentials, query or fragment.
func (h *HTTP) Server() string { return h.r.server }

// Digest is the model digest the server reported (Ollama), "" when none.
func (h *HTTP) Digest() string { return h.r.id.Digest }
