package embedder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// NewOllama builds an embedder for an Ollama server: POST /api/embed with a list of inputs
// (and dimensions when opts asks), the model's identity from POST /api/show and its digest
// from GET /api/tags. The model name is completed with ":latest" when it has no tag, as
// Ollama itself does, so that "nomic-embed-text" and "nomic-embed-text:latest" are one model.
func NewOllama(ctx context.Context, opts Options) (*HTTP, error) {
	opts.Model = ollamaName(opts.Model)
	r, err := newRemote(ProviderOllama, opts)
	if err != nil {
		return nil, err
	}
	w := &ollamaWire{r: r}
	r.wire = w
	r.id = identity{Version: remoteVersion, Provider: ProviderOllama, Model: opts.Model,
		Requested: opts.Dimensions, QueryPrefix: opts.QueryPrefix, DocumentPrefix: opts.DocumentPrefix}
	return build(ctx, r, w.digest)
}

// ollamaName adds the default tag to a name without one (the tag follows the last '/').
func ollamaName(m string) string {
	m = strings.TrimSpace(m)
	if m == "" {
		return m
	}
	last := m[strings.LastIndex(m, "/")+1:]
	if !strings.Contains(last, ":") {
		m += ":latest"
	}
	return m
}

type ollamaWire struct{ r *remote }

type ollamaEmbedRequest struct {
	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions,omitempty"`
}

type ollamaEmbedResponse struct {
	Model      string      `json:"model"`
	Embeddings [][]float64 `json:"embeddings"`
}

func (w *ollamaWire) embed(ctx context.Context, inputs []string) ([][]float64, error) {
	var resp ollamaEmbedResponse
	err := w.r.call(ctx, http.MethodPost, "/api/embed",
		ollamaEmbedRequest{Model: w.r.model, Input: inputs, Dimensions: w.r.opts.Dimensions}, &resp)
	if err != nil {
		return nil, err
	}
	if resp.Embeddings == nil {
		return nil, fmt.Errorf("%w: /api/embed answered without \"embeddings\"", ErrMalformed)
	}
	return resp.Embeddings, nil
}

// notFound: Ollama answers 404 {"error": "model 'x' not found"} (or "model \"x\" not
// found, try pulling it first"); a bare 404 is a wrong base URL instead.
func (w *ollamaWire) notFound(status int, msg, _ string) bool {
	return status == http.StatusNotFound && strings.Contains(msg, "model") && strings.Contains(msg, "not found")
}

func (w *ollamaWire) hint() string {
	return fmt.Sprintf("; pull it with `ollama pull %s`", strings.TrimSuffix(w.r.model, ":latest"))
}

type ollamaShowResponse struct {
	Digest  string `json:"digest"`
	Details struct {
		Format            string `json:"format"`
		Family            string `json:"family"`
		ParameterSize     string `json:"parameter_size"`
		QuantizationLevel string `json:"quantization_level"`
	} `json:"details"`
}

type ollamaTagsResponse struct {
	Models []struct {
		Name   string `json:"name"`
		Model  string `json:"model"`
		Digest string `json:"digest"`
	} `json:"models"`
}

// digest identifies the model's weights: the digest /api/show or /api/tags reports, else
// (a server that reports none) its family, size and quantisation from /api/show.
func (w *ollamaWire) digest(ctx context.Context) (string, error) {
	// A server that has /api/embed but not these (a proxy that passes on only embeddings)
	// reports no digest; any other failure is an error, since a digest missing by chance
	// would change the signature.
	var show ollamaShowResponse
	if err := w.r.call(ctx, http.MethodPost, "/api/show", map[string]string{"model": w.r.model}, &show); err != nil && !errors.Is(err, errNoEndpoint) {
		return "", err
	}
	if show.Digest != "" {
		return show.Digest, nil
	}
	var tags ollamaTagsResponse
	if err := w.r.call(ctx, http.MethodGet, "/api/tags", nil, &tags); err != nil && !errors.Is(err, errNoEndpoint) {
		return "", err
	}
	for _, m := range tags.Models {
		if (ollamaName(m.Name) == w.r.model || ollamaName(m.Model) == w.r.model) && m.Digest != "" {
			return m.Digest, nil
		}
	}
	d := show.Details
	if d.Family == "" && d.ParameterSize == "" && d.QuantizationLevel == "" {
		return "", nil
	}
	return fmt.Sprintf("details:%s/%s/%s/%s", d.Format, d.Family, d.ParameterSize, d.QuantizationLevel), nil
}
